#include "settle/settlement_book.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <unordered_set>

#include "settle/market_result.h"

namespace inplay {

namespace {

[[noreturn]] void refuse(const std::string& why) { throw std::invalid_argument("settlement: " + why); }

struct Target {
  BetStatus status = BetStatus::kAccepted;
  uint32_t version = 0;
  uint32_t cancel_id = 0;
};

const CancelRange* find_cancel(const MarketSettlement& ms, uint32_t id) {
  return id >= 1 && id <= ms.cancels.size() ? &ms.cancels[id - 1] : nullptr;
}

Target target_of(const MarketSettlement& ms, const Bet& b) {
  if (b.status == BetStatus::kCancelled) {
    const CancelRange* c = find_cancel(ms, b.cancel_id);
    if (c && c->active) return {BetStatus::kCancelled, 0, b.cancel_id};
  }
  for (const CancelRange& c : ms.cancels)
    if (c.active && b.placed_ns >= c.from_ns && b.placed_ns < c.to_ns) return {BetStatus::kCancelled, 0, c.id};
  if (ms.version) return {BetStatus::kSettled, ms.version, 0};
  return {};
}

Bet& bet_in(SettlementRefs s, uint64_t market_id, uint64_t bet_id) {
  Bet* b = s.bets.find(bet_id);
  if (!b || b->market_id != market_id) refuse(fmt::format("bet {} is not in market {}", bet_id, market_id));
  return *b;
}

// Batches of one kind and key, in plan order.
class Planner {
 public:
  Planner(uint64_t market_id, int64_t at_ns, size_t max) : market_id_(market_id), at_ns_(at_ns), max_(max) {}
  void add(PostingKind kind, uint32_t version, uint32_t cancel_id, uint64_t bet_id, int64_t amount) {
    auto& open = open_[static_cast<int>(kind) - 1];
    if (open && (open->version != version || open->cancel_id != cancel_id || open->bets.size() >= max_)) {
      done_[static_cast<int>(kind) - 1].push_back(std::move(*open));
      open.reset();
    }
    if (!open) {
      open.emplace();
      open->market_id = market_id_;
      open->kind = static_cast<uint8_t>(kind);
      open->version = version;
      open->cancel_id = cancel_id;
      open->at_ns = at_ns_;
    }
    open->bets.emplace_back(bet_id, amount);
  }
  std::vector<BetPostings> take() {
    // Undo before do: a bet leaves its old state before it enters the new one.
    static constexpr PostingKind kOrder[] = {PostingKind::kReverse, PostingKind::kUnrefund, PostingKind::kRefund,
                                             PostingKind::kPay};
    std::vector<BetPostings> out;
    for (PostingKind kind : kOrder) {
      const int k = static_cast<int>(kind) - 1;
      if (open_[k]) done_[k].push_back(std::move(*open_[k]));
      for (BetPostings& p : done_[k]) out.push_back(std::move(p));
    }
    return out;
  }

 private:
  uint64_t market_id_;
  int64_t at_ns_;
  size_t max_;
  std::optional<BetPostings> open_[4];
  std::vector<BetPostings> done_[4];
};

}  // namespace

const SettledOutcome* MarketSettlement::outcome(uint64_t selection_id) const {
  if (!version) return nullptr;
  for (const SettledOutcome& o : result.outcomes)
    if (o.selection_id == selection_id) return &o;
  return nullptr;
}

const MarketSettlement* SettlementBook::market(uint64_t market_id) const {
  auto it = markets_.find(market_id);
  return it == markets_.end() ? nullptr : &it->second;
}

std::vector<uint64_t> SettlementBook::markets_with_headers() const {
  std::vector<uint64_t> out;
  for (auto& [id, ms] : markets_)
    if (ms.last_version || !ms.cancels.empty()) out.push_back(id);
  std::sort(out.begin(), out.end());
  return out;
}

void SettlementBook::apply(const MarketSettled& e, SettlementRefs s) {
  Market* m = s.book.market(e.market_id);
  if (!m) refuse(fmt::format("unknown market {}", e.market_id));
  MarketSettlement& ms = markets_[e.market_id];
  if (ms.version) refuse(fmt::format("market {} settled again without a rollback of version {}", e.market_id, ms.version));
  if (e.version != ms.last_version + 1)
    refuse(fmt::format("market {}: result version {} after {}", e.market_id, e.version, ms.last_version));
  for (const SettledOutcome& o : e.outcomes)
    if (std::find(m->selections.begin(), m->selections.end(), o.selection_id) == m->selections.end())
      refuse(fmt::format("selection {} is not in market {}", o.selection_id, e.market_id));
  ms.version = ms.last_version = e.version;
  ++ms.generation;
  ms.result = e;
  ms.newest_ts_ms = std::max(ms.newest_ts_ms, e.provider_ts_ms);
  s.book.set_status(e.market_id, MarketStatus::kSettled, fmt::format("result v{}", e.version), e.source);
}

void SettlementBook::apply(const SettlementRolledBack& e, SettlementRefs s) {
  auto it = markets_.find(e.market_id);
  if (it == markets_.end() || !it->second.version || it->second.version != e.version)
    refuse(fmt::format("market {}: rollback of version {} it is not settled on", e.market_id, e.version));
  MarketSettlement& ms = it->second;
  ms.version = 0;
  ++ms.generation;
  ms.newest_ts_ms = std::max(ms.newest_ts_ms, e.provider_ts_ms);
  s.book.set_status(e.market_id, MarketStatus::kClosed, fmt::format("result v{} rolled back", e.version), e.source);
}

void SettlementBook::apply(const BetsCancelled& e, SettlementRefs s) {
  if (!s.book.market(e.market_id)) refuse(fmt::format("unknown market {}", e.market_id));
  MarketSettlement& ms = markets_[e.market_id];
  if (e.cancel_id != ms.cancels.size() + 1)
    refuse(fmt::format("market {}: cancel {} after {}", e.market_id, e.cancel_id, ms.cancels.size()));
  if (e.from_ns >= e.to_ns) refuse(fmt::format("market {}: empty cancel range", e.market_id));
  ms.cancels.push_back(CancelRange{e.cancel_id, e.from_ns, e.to_ns, true, e.superseded_by, e.reason, e.source,
                                   e.provider_ts_ms, e.at_ns});
  ++ms.generation;
}

void SettlementBook::apply(const CancelRolledBack& e, SettlementRefs) {
  auto it = markets_.find(e.market_id);
  CancelRange* c = it == markets_.end() || e.cancel_id < 1 || e.cancel_id > it->second.cancels.size()
                       ? nullptr
                       : &it->second.cancels[e.cancel_id - 1];
  if (!c || !c->active) refuse(fmt::format("market {}: rollback of cancel {} that is not active", e.market_id, e.cancel_id));
  c->active = false;
  ++it->second.generation;
}

void SettlementBook::apply(const BetPostings& e, SettlementRefs s) {
  auto it = markets_.find(e.market_id);
  if (it == markets_.end()) refuse(fmt::format("postings for market {} without a result or cancel", e.market_id));
  const MarketSettlement& ms = it->second;
  const auto kind = static_cast<PostingKind>(e.kind);
  // Every bet is checked before any moves: a record that would pay one bet
  // wrongly changes nothing at all (the engine then refuses it whole).
  std::unordered_set<uint64_t> seen;
  for (auto [bet_id, amount] : e.bets) {
    const Bet& b = bet_in(s, e.market_id, bet_id);
    if (!seen.insert(bet_id).second) refuse(fmt::format("bet {} twice in one record", bet_id));
    switch (kind) {
      case PostingKind::kPay:
        if (b.status != BetStatus::kAccepted) refuse(fmt::format("bet {} paid while {}", bet_id, bet_status_name(b.status)));
        if (e.version != ms.version) refuse(fmt::format("bet {} paid under version {}, market is on {}", bet_id, e.version, ms.version));
        if (amount < 0) refuse(fmt::format("bet {}: negative return", bet_id));
        break;
      case PostingKind::kReverse:
        if (b.status != BetStatus::kSettled || b.settled_version != e.version || b.return_minor != amount)
          refuse(fmt::format("bet {}: reversal of a payment it did not get", bet_id));
        break;
      case PostingKind::kRefund: {
        const CancelRange* c = find_cancel(ms, e.cancel_id);
        if (b.status != BetStatus::kAccepted || !c || !c->active || amount != b.stake_minor)
          refuse(fmt::format("bet {}: refund by cancel {} does not fit", bet_id, e.cancel_id));
        break;
      }
      case PostingKind::kUnrefund:
        if (b.status != BetStatus::kCancelled || b.cancel_id != e.cancel_id || amount != b.stake_minor)
          refuse(fmt::format("bet {}: unrefund of a cancel it was not in", bet_id));
        break;
      default: refuse(fmt::format("unknown posting kind {}", e.kind));
    }
  }
  for (auto [bet_id, amount] : e.bets) {
    Bet& b = bet_in(s, e.market_id, bet_id);
    const uint32_t cash = b.account, reserved = s.ledger.reserved_of(cash), house = s.ledger.house_of(cash);
    const bool exposed = !s.ledger.account(cash).synthetic;
    auto move = [&](uint32_t from, uint32_t to, int64_t v, TransferReason r) {
      if (v > 0) s.ledger.apply(Transfer{from, to, v, r});
    };
    switch (kind) {
      case PostingKind::kPay:
        move(reserved, house, b.stake_minor, TransferReason::kStakeSettle);
        move(house, cash, amount, TransferReason::kPayout);
        if (exposed) s.exposure.remove(cash, b.selection_id, b.stake_minor, b.odds);
        b.status = BetStatus::kSettled;
        --s.open_bets;
        b.settled_version = e.version;
        b.return_minor = amount;
        b.settled_ns = e.at_ns;
        break;
      case PostingKind::kReverse:
        move(cash, house, amount, TransferReason::kReversal);
        move(house, reserved, b.stake_minor, TransferReason::kReversal);
        if (exposed) s.exposure.add(cash, b.selection_id, b.stake_minor, b.odds);
        b.status = BetStatus::kAccepted;
        ++s.open_bets;
        b.settled_version = 0;
        b.return_minor = 0;
        b.settled_ns = 0;
        break;
      case PostingKind::kRefund:
        move(reserved, cash, amount, TransferReason::kRefund);
        if (exposed) s.exposure.remove(cash, b.selection_id, b.stake_minor, b.odds);
        b.status = BetStatus::kCancelled;
        --s.open_bets;
        b.cancel_id = e.cancel_id;
        b.settled_ns = e.at_ns;
        break;
      case PostingKind::kUnrefund:
        move(cash, reserved, amount, TransferReason::kReversal);
        if (exposed) s.exposure.add(cash, b.selection_id, b.stake_minor, b.odds);
        b.status = BetStatus::kAccepted;
        ++s.open_bets;
        b.cancel_id = 0;
        b.settled_ns = 0;
        break;
      default: break;  // refused above
    }
  }
}

void SettlementBook::apply(const SettlementDeadLettered& e) {
  if (e.dlq_id != next_dlq_id_) refuse(fmt::format("dead letter {} out of turn (next {})", e.dlq_id, next_dlq_id_));
  dlq_.emplace(e.dlq_id, e);
  ++next_dlq_id_;
}

void SettlementBook::apply(const DeadLetterResolved& e) {
  if (!dlq_.erase(e.dlq_id)) refuse(fmt::format("dead letter {} is not open", e.dlq_id));
  ++dlq_resolved_;
}

std::vector<BetPostings> SettlementBook::plan(uint64_t market_id, const BetTable& bets,
                                              int64_t at_ns, size_t max_bets) const {
  auto it = markets_.find(market_id);
  if (it == markets_.end()) return {};
  const MarketSettlement& ms = it->second;
  Planner p(market_id, at_ns, std::max<size_t>(max_bets, 1));
  for (uint64_t id : ms.bets) {
    const Bet& b = bets.at(id);
    const Target t = target_of(ms, b);
    BetStatus now = b.status;
    if (now == BetStatus::kSettled && (t.status != BetStatus::kSettled || t.version != b.settled_version)) {
      p.add(PostingKind::kReverse, b.settled_version, 0, id, b.return_minor);
      now = BetStatus::kAccepted;
    }
    if (now == BetStatus::kCancelled && (t.status != BetStatus::kCancelled || t.cancel_id != b.cancel_id)) {
      p.add(PostingKind::kUnrefund, 0, b.cancel_id, id, b.stake_minor);
      now = BetStatus::kAccepted;
    }
    if (now != BetStatus::kAccepted) continue;
    if (t.status == BetStatus::kCancelled) {
      p.add(PostingKind::kRefund, 0, t.cancel_id, id, b.stake_minor);
    } else if (t.status == BetStatus::kSettled) {
      const SettledOutcome* o = ms.outcome(b.selection_id);
      if (!o) continue;  // validated away before a result is taken; never guessed
      p.add(PostingKind::kPay, t.version, 0, id, settled_return_minor(b.stake_minor, b.odds, o->won, o->void_halves, o->dead_heat));
    }
  }
  return p.take();
}

void SettlementBook::hash_into(std::string& canon) const {
  // Only what settlement did (a book without results hashes as before settlement existed).
  const std::vector<uint64_t> ids = markets_with_headers();
  auto out = std::back_inserter(canon);
  for (uint64_t id : ids) {
    const MarketSettlement& ms = markets_.at(id);
    fmt::format_to(out, "R|{}|{}|{}|{}\n", id, ms.version, ms.last_version, ms.newest_ts_ms);
    if (ms.version)
      for (const SettledOutcome& o : ms.result.outcomes)
        fmt::format_to(out, "O|{}|{}|{}|{}\n", o.selection_id, o.won ? 1 : 0, o.void_halves, o.dead_heat);
    for (const CancelRange& c : ms.cancels)
      fmt::format_to(out, "C|{}|{}|{}|{}|{}\n", c.id, c.from_ns, c.to_ns, c.active ? 1 : 0, c.superseded_by);
  }
  for (auto& [id, d] : dlq_) fmt::format_to(out, "D|{}|{}|{}|{}\n", id, d.market_id, d.reason, d.at_ns);
  if (next_dlq_id_ != 1 || dlq_resolved_) fmt::format_to(out, "DN|{}|{}\n", next_dlq_id_, dlq_resolved_);
}

}  // namespace inplay
