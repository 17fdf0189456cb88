#include "journal/settlement_codec.h"

#include <stdexcept>

namespace inplay {

namespace {

uint32_t count(ByteReader& r, uint32_t max, const char* what) {
  const uint32_t n = r.get<uint32_t>();
  if (n > max) throw std::invalid_argument(std::string(what) + ": too many entries");
  return n;
}

}  // namespace

const char* posting_kind_name(PostingKind k) {
  switch (k) {
    case PostingKind::kPay: return "pay";
    case PostingKind::kReverse: return "reverse";
    case PostingKind::kRefund: return "refund";
    case PostingKind::kUnrefund: return "unrefund";
  }
  return "unknown";
}

void encode_settlement(ByteWriter& w, const MarketSettled& e) {
  w.put(e.market_id);
  w.put(e.version);
  w.put(e.certainty);
  w.put<uint32_t>(static_cast<uint32_t>(e.outcomes.size()));
  for (const SettledOutcome& o : e.outcomes) {
    w.put(o.selection_id);
    w.put<uint8_t>(o.won ? 1 : 0);
    w.put(o.void_halves);
    w.put(o.dead_heat);
  }
  w.put<uint8_t>(e.has_score ? 1 : 0);
  w.put(e.score_home);
  w.put(e.score_away);
  w.str(e.source);
  w.str(e.reason);
  w.put(e.provider_ts_ms);
  w.put(e.at_ns);
}

MarketSettled decode_market_settled(ByteReader& r) {
  MarketSettled e;
  e.market_id = r.get<uint64_t>();
  e.version = r.get<uint32_t>();
  e.certainty = r.get<uint8_t>();
  const uint32_t n = count(r, 1024, "market settled");
  e.outcomes.resize(n);
  for (SettledOutcome& o : e.outcomes) {
    o.selection_id = r.get<uint64_t>();
    o.won = r.get<uint8_t>() != 0;
    o.void_halves = r.get<uint8_t>();
    o.dead_heat = r.get<int32_t>();
  }
  e.has_score = r.get<uint8_t>() != 0;
  e.score_home = r.get<int32_t>();
  e.score_away = r.get<int32_t>();
  e.source = r.str();
  e.reason = r.str();
  e.provider_ts_ms = r.get<int64_t>();
  e.at_ns = r.get<int64_t>();
  return e;
}

void encode_settlement(ByteWriter& w, const BetPostings& e) {
  w.put(e.market_id);
  w.put(e.kind);
  w.put(e.version);
  w.put(e.cancel_id);
  w.put(e.at_ns);
  w.put<uint32_t>(static_cast<uint32_t>(e.bets.size()));
  for (auto& [id, ret] : e.bets) {
    w.put(id);
    w.put(ret);
  }
}

BetPostings decode_bet_postings(ByteReader& r) {
  BetPostings e;
  e.market_id = r.get<uint64_t>();
  e.kind = r.get<uint8_t>();
  e.version = r.get<uint32_t>();
  e.cancel_id = r.get<uint32_t>();
  e.at_ns = r.get<int64_t>();
  const uint32_t n = count(r, BetPostings::kMaxBetsPerRecord, "bet postings");
  e.bets.resize(n);
  for (auto& [id, ret] : e.bets) {
    id = r.get<uint64_t>();
    ret = r.get<int64_t>();
  }
  return e;
}

void encode_settlement(ByteWriter& w, const SettlementRolledBack& e) {
  w.put(e.market_id);
  w.put(e.version);
  w.str(e.source);
  w.str(e.reason);
  w.put(e.provider_ts_ms);
  w.put(e.at_ns);
}

SettlementRolledBack decode_settlement_rolled_back(ByteReader& r) {
  SettlementRolledBack e;
  e.market_id = r.get<uint64_t>();
  e.version = r.get<uint32_t>();
  e.source = r.str();
  e.reason = r.str();
  e.provider_ts_ms = r.get<int64_t>();
  e.at_ns = r.get<int64_t>();
  return e;
}

void encode_settlement(ByteWriter& w, const BetsCancelled& e) {
  w.put(e.market_id);
  w.put(e.cancel_id);
  w.put(e.from_ns);
  w.put(e.to_ns);
  w.str(e.superseded_by);
  w.str(e.source);
  w.str(e.reason);
  w.put(e.provider_ts_ms);
  w.put(e.at_ns);
}

BetsCancelled decode_bets_cancelled(ByteReader& r) {
  BetsCancelled e;
  e.market_id = r.get<uint64_t>();
  e.cancel_id = r.get<uint32_t>();
  e.from_ns = r.get<int64_t>();
  e.to_ns = r.get<int64_t>();
  e.superseded_by = r.str();
  e.source = r.str();
  e.reason = r.str();
  e.provider_ts_ms = r.get<int64_t>();
  e.at_ns = r.get<int64_t>();
  return e;
}

void encode_settlement(ByteWriter& w, const CancelRolledBack& e) {
  w.put(e.market_id);
  w.put(e.cancel_id);
  w.str(e.source);
  w.put(e.provider_ts_ms);
  w.put(e.at_ns);
}

CancelRolledBack decode_cancel_rolled_back(ByteReader& r) {
  CancelRolledBack e;
  e.market_id = r.get<uint64_t>();
  e.cancel_id = r.get<uint32_t>();
  e.source = r.str();
  e.provider_ts_ms = r.get<int64_t>();
  e.at_ns = r.get<int64_t>();
  return e;
}

void encode_settlement(ByteWriter& w, const SettlementDeadLettered& e) {
  w.put(e.dlq_id);
  w.put(e.event_id);
  w.put(e.market_id);
  w.str(e.reason);
  w.str(e.detail);
  w.str(e.message);
  w.str(e.source);
  w.put(e.provider_ts_ms);
  w.put(e.at_ns);
}

SettlementDeadLettered decode_settlement_dead_lettered(ByteReader& r) {
  SettlementDeadLettered e;
  e.dlq_id = r.get<uint64_t>();
  e.event_id = r.get<uint64_t>();
  e.market_id = r.get<uint64_t>();
  e.reason = r.str();
  e.detail = r.str();
  e.message = r.str();
  e.source = r.str();
  e.provider_ts_ms = r.get<int64_t>();
  e.at_ns = r.get<int64_t>();
  return e;
}

void encode_settlement(ByteWriter& w, const DeadLetterResolved& e) {
  w.put(e.dlq_id);
  w.put(e.resolution);
  w.str(e.actor);
  w.str(e.detail);
  w.put(e.at_ns);
}

DeadLetterResolved decode_dead_letter_resolved(ByteReader& r) {
  DeadLetterResolved e;
  e.dlq_id = r.get<uint64_t>();
  e.resolution = r.get<uint8_t>();
  e.actor = r.str();
  e.detail = r.str();
  e.at_ns = r.get<int64_t>();
  return e;
}

}  // namespace inplay
