// War-room snapshot: the JSON document the war-room page draws, built from
// the book on the engine thread once a second (see war_room.h) and then
// handed to HTTP threads as an immutable string.
//
// What it holds: the book's currency; the top markets by liability (30: the
// page filters and pages them) with their match (teams, kick-off, score,
// minute and period), live prices and each selection's liability, price age
// against the market's limit, drift against the reference, status and
// reason, cash-out freeze, stake cap, High Exposure, accept p99 and bets per
// second from MarketActivity; accept latency p50 and p99, a 15-minute ring
// of per-second points for the charts (each with the trace id of that
// second's slowest accept-latency exemplar), the charts' marks (alerts that
// fired, actions that ran: chart_marks.h), and the SLO, alert, incident,
// feed, settlement, hedging, payments and journal (role, standby) views
// their owners render (embedded verbatim).
// Pure functions of their inputs: unit-tested without an engine.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/book_state.h"
#include "telemetry/metrics.h"
#include "warroom/chart_marks.h"
#include "warroom/market_activity.h"

namespace inplay {

// One chart point: book time and what the charts plot.
struct WarRoomPoint {
  int64_t t_ms = 0;
  int64_t p50_us = 0, p99_us = 0;  // accept latency over the last 5 minutes
  int64_t stale_ms = 0;            // worst price age among the open, priced top markets
  // The trace to open from this point: the exemplar of that second's slowest
  // accept-latency bucket (slowest_exemplar below); none when no exemplar was
  // recorded in that second.
  std::optional<std::array<uint8_t, 16>> exemplar;
};

// A fixed ring of the last `capacity` points, oldest first.
class WarRoomSeries {
 public:
  explicit WarRoomSeries(size_t capacity = 900) : cap_(capacity) {}
  void add(const WarRoomPoint& p);
  size_t size() const { return n_; }
  size_t capacity() const { return cap_; }
  const WarRoomPoint& at(size_t i) const;  // 0 = oldest

 private:
  size_t cap_;
  std::vector<WarRoomPoint> ring_;
  size_t head_ = 0, n_ = 0;
};

// Markets a snapshot carries: the page shows 5, 10, 20 or all of them.
inline constexpr size_t kBoardMarkets = 30;

struct WarRoomInputs {
  const BookState* state = nullptr;
  int64_t now_ns = 0;
  uint64_t seq = 0;                 // snapshot number, from 1
  bool simulated_clock = false;
  size_t top_n = kBoardMarkets;
  std::function<std::optional<double>(uint64_t market_id)> drift;  // empty: none known
  std::set<uint64_t> high_exposure;  // markets in a High Exposure alert group or incident
  const MarketActivity* activity = nullptr;  // per-market accept p99 and bets/s; null: none known
  const ChartMarks* marks = nullptr;         // null: no marks
  // Live cash-out offers on a market at now_ns; empty: not known (null).
  std::function<size_t(uint64_t market_id, int64_t now_ns)> cashout_offers;
  int64_t accept_p50_ns = 0, accept_p99_ns = 0;
  uint64_t accept_count = 0;
  // Views rendered by their owners, embedded as they are ("" -> null).
  std::string slos_json, alerts_json, incidents_json, feeds_json, settlement_json, hedging_json, payments_json,
      journal_json;
};

// The top markets by liability: liability desc, then in-play before the
// rest, open before not open, then market id. At most top_n.
std::vector<uint64_t> top_markets_by_liability(const BookState& s, size_t top_n);

// The worst price age (ms) among the given markets that are open and priced.
int64_t max_staleness_ms(const BookState& s, const std::vector<uint64_t>& markets, int64_t now_ns);

// The exemplar of the highest accept-latency bucket whose exemplar was
// recorded in (after_ns, until_ns]: a trace the sampler keeps (exemplars are
// stored only for kept traces) and, within the bucket's resolution, the
// slowest decision of that span of time that has one. Reads each bucket's
// exemplar once (no lock); nullopt when none falls in the span. An all-zero
// trace id (a bet without a gateway span) is no trace.
std::optional<Exemplar> slowest_exemplar(const Histogram& h, int64_t after_ns, int64_t until_ns);

std::string warroom_snapshot_json(const WarRoomInputs& in, const std::vector<uint64_t>& top,
                                  const WarRoomSeries& series);

}  // namespace inplay
