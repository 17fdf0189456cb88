// Betfair Exchange Stream API adapter: the exchange's view of its markets,
// built from market change messages (op "mcm"), one JSON message per call.
//
// What it understands (everything else is skipped, so new fields never break it):
//   message: op, id, clk, initialClk, pt, ct (SUB_IMAGE / RESUB_DELTA /
//            HEARTBEAT; absent = an ordinary delta), conflateMs, heartbeatMs,
//            status (e.g. 503 when the exchange's stream lags), segmentType, mc[]
//   mc[]:    id, img (true = full image: the market is REPLACED, nothing of
//            its previous state survives, as in betfairlightweight), con
//            (conflated), tv, marketDefinition, rc[]
//   marketDefinition: status (INACTIVE/OPEN/SUSPENDED/CLOSED), inPlay,
//            betDelay, version, complete, crossMatching, numberOfWinners,
//            numberOfActiveRunners, marketType, eventTypeId, eventId,
//            priceLadderDefinition.type, runners[] {id, hc, status, sortPriority}
//   rc[]:    id, hc, ltp (0 or null = not traded), tv, atb/atl/trd [[price, size]...] (full price->size
//            maps; size 0 deletes the price), batb/batl/bdatb/bdatl
//            [[level, price, size]...] (depth-indexed; size 0 deletes the level)
//
// Deltas update only what they carry. A delta for an unknown market creates it
// (historic files start with a plain delta holding the definition). Runners are
// keyed by (selection id, handicap); hc absent = 0.
//
// Messages are parsed completely (simdjson on-demand; prices from the raw
// number text, see price.h) into a staging area before anything is applied: a
// malformed message changes nothing, is counted and reported. Messages with
// another op (connection, status, ocm, rcm) are ignored and counted.
//
// Not thread-safe: one feed thread owns a cache.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/odds.h"

namespace inplay::betfair {

enum class MarketStatus : uint8_t { Unknown, Inactive, Open, Suspended, Closed };
enum class RunnerStatus : uint8_t {
  Active, Winner, Loser, Placed, Removed, RemovedVacant, Hidden, Unknown
};
std::string_view to_string(MarketStatus s);
std::string_view to_string(RunnerStatus s);

struct PriceSize {
  Odds price;
  double size = 0;  // stake in the market's currency (amounts are not exact)
  bool operator==(const PriceSize&) const = default;
};

// Full-depth ladders. Back: best = highest price (first); lay and traded:
// best/lowest first.
using BackLadder = std::map<Odds, double, std::greater<Odds>>;
using LayLadder = std::map<Odds, double>;
using TradedLadder = std::map<Odds, double>;

// Depth-indexed ladder (batb/batl/bdatb/bdatl): level 0 is the best.
class DepthLadder {
 public:
  std::optional<PriceSize> at(size_t level) const;
  void set(size_t level, Odds price, double size);  // size 0 deletes the level
  void clear() { levels_.clear(); }
  size_t depth() const;  // number of levels present
 private:
  std::vector<PriceSize> levels_;  // size 0 = absent
};

struct RunnerBook {
  int64_t selection_id = 0;
  double handicap = 0;
  RunnerStatus status = RunnerStatus::Active;
  int sort_priority = 0;
  std::optional<Odds> ltp;  // last traded price
  double tv = 0;            // traded volume on this runner
  BackLadder atb;           // available to back
  LayLadder atl;            // available to lay
  TradedLadder trd;         // traded volume by price
  DepthLadder batb, batl;   // best available (virtual prices excluded)
  DepthLadder bdatb, bdatl; // best display (virtual prices included)

  // Best price on each side: the full ladder if it has any level, else the
  // display depth ladder's level 0, else the best-available one's.
  std::optional<PriceSize> best_back() const;
  std::optional<PriceSize> best_lay() const;
};

struct MarketBook {
  std::string id;  // "1.200806927"
  bool has_definition = false;
  MarketStatus status = MarketStatus::Unknown;
  bool in_play = false;
  int bet_delay = 0;        // seconds
  int64_t version = 0;      // marketDefinition.version
  bool complete = false;
  bool cross_matching = false;
  int number_of_winners = 0;
  int number_of_active_runners = 0;
  std::string market_type, event_type_id, event_id, price_ladder_type;
  double tv = 0;            // market traded volume
  bool conflated = false;   // the last change to this market was conflated
  int64_t last_pt = 0;      // publish time (ms) of the last change
  uint64_t changes = 0;     // mc entries applied since creation / last image
  std::vector<RunnerBook> runners;  // definition order, then first seen

  const RunnerBook* runner(int64_t selection_id, double handicap = 0) const;
  // Selection ids whose status is WINNER (settled markets).
  std::vector<int64_t> winners() const;
};

struct StreamState {
  std::string clk, initial_clk;  // for resubscription after a reconnect
  std::string last_ct;           // ct of the last mcm ("" = delta)
  int64_t pt = 0;                // publish time of the last mcm (ms)
  int64_t conflate_ms = -1, heartbeat_ms = -1;  // -1 = not yet announced
  int last_status = 0;           // last mcm "status" (0 = none seen)
};

struct CacheStats {
  uint64_t messages = 0;        // apply() calls
  uint64_t mcm = 0;             // market change messages applied
  uint64_t heartbeats = 0;
  uint64_t ignored = 0;         // other ops (connection, status, ocm, rcm)
  uint64_t errors = 0;          // malformed, not applied
  uint64_t market_changes = 0;  // mc entries
  uint64_t images = 0;          // mc entries with img:true
  uint64_t definitions = 0;     // marketDefinition updates
  uint64_t runner_changes = 0;  // rc entries
  uint64_t conflated = 0;       // mc entries with con:true
  uint64_t snapped_prices = 0;  // prices rounded onto the ladder (price.h)
  uint64_t stream_status = 0;   // mcm carrying a "status" (e.g. 503)
};

struct MarketEvent {
  enum class Kind : uint8_t {
    Created,       // first message for a market
    Image,         // img:true replaced the market
    Status,        // market status changed (from -> to; from Unknown when created)
    InPlay,        // inPlay flag changed (in_play = new value)
    BetDelay,      // betDelay changed
    RunnerStatus,  // a runner's status changed (selection_id, runner_from -> runner_to;
                   // from = Unknown when the runner is first seen)
  };
  Kind kind;
  const MarketBook* market;  // state after the message
  uint64_t message = 0;      // 1-based apply() call that caused it
  int64_t pt = 0;
  MarketStatus from = MarketStatus::Unknown, to = MarketStatus::Unknown;
  bool in_play = false;
  int bet_delay = 0;
  int64_t selection_id = 0;
  double handicap = 0;
  RunnerStatus runner_from = RunnerStatus::Unknown, runner_to = RunnerStatus::Unknown;
};

struct ApplyResult {
  enum class Kind : uint8_t { Applied, Heartbeat, Ignored, Error };
  Kind kind = Kind::Applied;
  std::string error;  // Error only: the reason
  explicit operator bool() const { return kind != Kind::Error; }
};

class MarketCache {
 public:
  using Listener = std::function<void(const MarketEvent&)>;

  MarketCache();
  ~MarketCache();
  MarketCache(const MarketCache&) = delete;
  MarketCache& operator=(const MarketCache&) = delete;

  // Called synchronously from apply() after the message's changes to a
  // market are in place (so event.market shows the new state).
  void set_listener(Listener l) { listener_ = std::move(l); }

  // One JSON message (a line of the stream, without or with its newline).
  ApplyResult apply(std::string_view message);

  const MarketBook* market(std::string_view id) const;
  const std::map<std::string, MarketBook, std::less<>>& markets() const { return markets_; }
  const StreamState& stream() const { return stream_; }
  const CacheStats& stats() const { return stats_; }

 private:
  struct Parser;
  void commit();
  void emit(const MarketEvent& e) {
    if (listener_) listener_(e);
  }

  std::unique_ptr<Parser> parser_;
  std::map<std::string, MarketBook, std::less<>> markets_;
  StreamState stream_;
  CacheStats stats_;
  Listener listener_;
  std::vector<MarketEvent> pending_;  // runner events of the market being applied
};

}  // namespace inplay::betfair
