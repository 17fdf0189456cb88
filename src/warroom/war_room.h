// WarRoom: the live feed of the war-room page (INC-5, OBS-2, OBS-6).
//
// Once a second of book time, on the engine thread, it adds a point to its
// charts (accept p50/p99, the board's worst price age, the second's slowest
// exemplar) and collects chart marks (alerts that started firing and
// actions that ran, from the incident loop, plus the operator controls the
// API reports). While someone watches — a stream is open, or fresh() was
// called in the last 10 s of wall time — it also builds a
// snapshot (snapshot.h) from the book, the feed desk, the incident loop and
// its own per-market bet activity (fed by the engine's decision observer),
// keeps it as the latest immutable string and pushes it to every stream.
// Unwatched, nothing is rendered: a drill or a night with no page open
// spends no engine time on JSON nobody reads, and build_now() renders one
// on demand (GET /v1/warroom/snapshot). The charts are the same either way.
// HTTP threads read fresh() and subscribe() without touching
// engine state. A projection like the others: it reads the book, never
// changes it.
//
// Bounds: at most max_streams subscribers (one per open page); a subscriber
// whose write fails (closed or fallen behind) is dropped.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "warroom/snapshot.h"
#include "bet/placement_desk.h"
#include "engine/timer.h"

namespace inplay {

class Engine;
class FeedDesk;
class IncidentLoop;

class WarRoom : public std::enable_shared_from_this<WarRoom> {
 public:
  using Snapshot = std::shared_ptr<const std::string>;
  // Returns false when the stream is gone (it is then dropped).
  using Subscriber = std::function<bool(const Snapshot&)>;

  // metrics: where warroom_snapshot_build_seconds (the wall time of each
  // snapshot's build on the engine thread) is registered; null: not measured.
  WarRoom(PlacementDesk& bets, FeedDesk* desk, IncidentLoop* incidents, size_t max_streams = 8,
          MetricsRegistry* metrics = nullptr);

  // Engine thread (or before it runs): builds the first snapshot now,
  // registers the once-a-second timer and the bet decision observer (both
  // hold this object alive).
  void schedule();
  // Engine thread: adds the second's chart point and marks; while watched,
  // builds, keeps and pushes one snapshot.
  void tick();
  // Engine thread: builds a snapshot of the book now (no chart point is
  // added), keeps it as the latest and returns it.
  Snapshot build_now();
  // Engine thread: an operator control succeeded (the API's market status,
  // stake cap, cash-out and feed switch routes): an action mark at t_ns.
  void mark_action(int64_t t_ns, std::string what);
  // Before schedule(): the settlement view each snapshot embeds (engine
  // thread; the API's GET /v1/settlement body). Unset: null.
  void set_settlement_view(std::function<std::string()> fn) { settlement_view_ = std::move(fn); }
  // Before schedule(): the hedging view each snapshot embeds (engine thread). Unset: null.
  void set_hedging_view(std::function<std::string()> fn) { hedging_view_ = std::move(fn); }
  // Before schedule(): the payments view (PSP routes, breakers, the last
  // reconciliation) each snapshot embeds (engine thread). Unset: null.
  void set_payments_view(std::function<std::string()> fn) { payments_view_ = std::move(fn); }
  // Before schedule(): the journal panel (role, standby: app/book_role.h)
  // each snapshot embeds (any thread). Unset: null.
  void set_journal_view(std::function<std::string()> fn) { journal_view_ = std::move(fn); }
  // Live cash-out offers on a market (engine thread; the board's cash-out column).
  void set_cashout_offers(std::function<size_t(uint64_t market_id, int64_t now_ns)> fn) {
    cashout_offers_ = std::move(fn);
  }

  // Any thread: the latest snapshot if it was built at or after the last
  // tick, else null (then build_now() on the engine thread). Counts as
  // watching.
  Snapshot fresh() const;
  // Any thread: the subscriber gets the latest snapshot at once if it is
  // fresh, else one built on the engine thread as soon as it runs the
  // request, and every one after. False when max_streams are open already.
  bool subscribe(Subscriber s);
  size_t streams() const;

 private:
  // A read keeps the room rendering this long (wall time): a page polling
  // GET /v1/warroom/snapshot every few seconds gets a built one each time.
  static constexpr int64_t kWatchedForNs = 10'000'000'000;

  TimerPtr timer_;  // the once-a-second tick
  WarRoomInputs gather(int64_t now_ns);
  void collect_marks(int64_t now_ns);
  bool watched() const;  // holds mu_
  Snapshot render(int64_t now_ns, const std::vector<uint64_t>& top);
  void push(const Snapshot& snap);  // to every stream; drops the gone ones

  Engine& engine_;
  PlacementDesk& bets_;
  FeedDesk* desk_;
  IncidentLoop* incidents_;
  std::function<std::string()> settlement_view_;
  std::function<std::string()> hedging_view_;
  std::function<std::string()> payments_view_;
  std::function<std::string()> journal_view_;
  std::function<size_t(uint64_t, int64_t)> cashout_offers_;
  const size_t max_streams_;
  Histogram* build_seconds_ = nullptr;
  WarRoomSeries series_;  // engine thread
  MarketActivity activity_;  // engine thread
  ChartMarks marks_;         // engine thread
  uint64_t operator_marks_ = 0;
  uint64_t seq_ = 0;      // engine thread
  int64_t last_tick_ns_ = 0;  // engine thread: the previous snapshot's book time
  mutable std::mutex mu_;  // guards latest_, latest_fresh_, read_mono_ns_ and subs_
  Snapshot latest_;
  bool latest_fresh_ = false;     // latest_ was built at or after the last tick
  mutable int64_t read_mono_ns_ = 0;  // the last fresh() (monotonic); 0: never
  std::vector<Subscriber> subs_;
};

// One Server-Sent Events frame carrying a snapshot.
std::string sse_frame(const std::string& json, uint64_t id = 0);

}  // namespace inplay
