// FeedMessage: the typed messages of the odds feed protocol
// (docs/feed-protocol.md) and their one encoder.
//
// A message is an Envelope (the fields every message carries) plus one body
// per message type. Values are plain data: copyable, comparable (tests
// round-trip parse(encode(m)) == m), no invariants enforced here -- the
// parser (feed_parser.h) is what guarantees a parsed message is in range.
//
// encode_feed_message writes exactly one JSON line without the trailing
// '\n', fields in the documented order; the simulated providers send it and
// the parser reads it back unchanged. Encoding is pure and thread-safe.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/odds.h"
#include "journal/settlement_events.h"
#include "market/book.h"
#include "settle/market_result.h"

namespace inplay {

// A line longer than this (excluding its '\n') is refused unread.
inline constexpr size_t kMaxFeedLineBytes = size_t{1} << 20;  // 1 MiB

// The variant index of FeedBody equals the enum value: keep them in step.
enum class FeedMessageType : uint8_t {
  kOddsChange,
  kBetStop,
  kFixtureChange,
  kAlive,
  kBetSettlement,
  kBetCancel,
  kSnapshotComplete,
  kRollbackBetSettlement,
  kRollbackBetCancel,
};
inline constexpr size_t kFeedMessageTypeCount = 9;
// "odds_change", "bet_stop", "fixture_change", "alive", "bet_settlement",
// "bet_cancel", "snapshot_complete", "rollback_bet_settlement",
// "rollback_bet_cancel".
const char* feed_message_type_name(FeedMessageType t);
bool parse_feed_message_type(std::string_view s, FeedMessageType& out);

struct Envelope {
  FeedMessageType type = FeedMessageType::kAlive;
  std::string producer;  // 1..64 chars [A-Za-z0-9_.-]
  std::string schema;    // "1.0"
  uint64_t seq = 0;      // >= 1, per producer
  int64_t ts_ms = 0;     // provider timestamp, ms since the Unix epoch, >= 0
  uint64_t event_id = 0; // 0 for alive and snapshot_complete
  bool operator==(const Envelope&) const = default;
};

struct OutcomeOdds {
  uint64_t selection_id = 0;
  Odds odds;  // fair price, in [1.01, 1000]
  bool operator==(const OutcomeOdds&) const = default;
};

struct MarketOdds {
  uint64_t market_id = 0;
  MarketStatus status = MarketStatus::kOpen;  // open | suspended | closed
  std::vector<OutcomeOdds> outcomes;              // may be empty (status only)
  bool operator==(const MarketOdds&) const = default;
};

// The match as the provider sees it (UOF's sport_event_status): optional on
// odds_change. Scores 0..999, minute 0..200 (-1: not sent).
struct MatchStatus {
  uint32_t home_score = 0, away_score = 0;
  int32_t minute = -1;
  MatchPeriod period = MatchPeriod::kUnknown;  // kUnknown: not sent
  bool operator==(const MatchStatus&) const = default;
};

struct OddsChange {
  std::string league;  // for the schema canary (ODDS-8)
  std::vector<MarketOdds> markets;
  std::optional<MatchStatus> match_status;
  bool operator==(const OddsChange&) const = default;
};

struct BetStop {
  std::vector<uint64_t> market_ids;  // empty: every market of the event
  std::string reason;                // optional on the wire; empty if absent
  bool operator==(const BetStop&) const = default;
};

enum class FixtureChangeKind : uint8_t { kKickoffMoved, kStarted, kEnded, kCancelled };
const char* fixture_change_name(FixtureChangeKind k);  // "kickoff_moved", "started", ...
bool parse_fixture_change(std::string_view s, FixtureChangeKind& out);

struct FixtureChange {
  FixtureChangeKind change = FixtureChangeKind::kStarted;
  std::optional<int64_t> kickoff_ms;
  bool operator==(const FixtureChange&) const = default;
};

struct Alive {
  bool subscribed = true;  // false: the producer lost state (treat as down)
  bool operator==(const Alive&) const = default;
};

// One market's result: an outcome for each of its selections (the UOF
// model: won or lost, a void factor, a dead-heat factor).
struct MarketResult {
  uint64_t market_id = 0;
  std::vector<SettledOutcome> outcomes;
  bool operator==(const MarketResult&) const = default;
};

struct BetSettlement {
  Certainty certainty = Certainty::kConfirmed;
  std::optional<Score> score;             // full time, when the provider sends it
  std::optional<Score> first_half_score;  // half time, likewise
  std::vector<MarketResult> markets;
  bool operator==(const BetSettlement&) const = default;
};

// Bets placed in [start_ms, end_ms) are void (either end open when absent).
struct BetCancel {
  std::vector<uint64_t> market_ids;  // empty: every market of the event
  std::string reason;                // optional on the wire; empty if absent
  std::optional<int64_t> start_ms, end_ms;
  std::string superseded_by;         // optional; empty if absent
  bool operator==(const BetCancel&) const = default;
};

struct RollbackBetSettlement {
  std::vector<uint64_t> market_ids;  // empty: every market of the event
  bool operator==(const RollbackBetSettlement&) const = default;
};

// Withdraws the cancel with the same range (both ends as sent).
struct RollbackBetCancel {
  std::vector<uint64_t> market_ids;  // empty: every market of the event
  std::optional<int64_t> start_ms, end_ms;
  bool operator==(const RollbackBetCancel&) const = default;
};

struct SnapshotComplete {
  uint64_t request_id = 0;
  bool operator==(const SnapshotComplete&) const = default;
};

using FeedBody = std::variant<OddsChange, BetStop, FixtureChange, Alive, BetSettlement, BetCancel,
                              SnapshotComplete, RollbackBetSettlement, RollbackBetCancel>;

inline FeedMessageType feed_body_type(const FeedBody& b) {
  return static_cast<FeedMessageType>(b.index());
}

struct FeedMessage {
  Envelope env;  // env.type == feed_body_type(body) for a well-formed message
  FeedBody body;
  bool operator==(const FeedMessage&) const = default;
};

// One JSON line, no '\n'. The "type" written is the body's (the envelope's
// type is ignored if they disagree). Odds are written as strings ("2.1");
// void and dead-heat factors only when they are not 0 and 1.
std::string encode_feed_message(const FeedMessage& m);

}  // namespace inplay
