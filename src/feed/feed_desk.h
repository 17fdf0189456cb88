// FeedDesk: the engine thread's side of odds ingestion (ODDS-1..8). Feed
// client threads parse lines and hand each message here as an engine task;
// the desk keeps producer health per feed, arbitrates primary/backup per
// sport, prices the active feed's fair odds with the book's margin and
// applies them to the book through the MarketDesk (journaled like every
// change).
//
// Rules it enforces:
//  - Sequence: gaps are counted and trigger a recovery request; duplicates
//    and reordered messages are dropped and counted.
//  - Health: a feed is down when its alive is late (alive_timeout), when it
//    says subscribed:false, or when its connection drops. When the ACTIVE
//    feed of a sport goes down, every open market of the sport is suspended
//    with reason FEED_DOWN (fail closed) until that feed is up again and a
//    recovery snapshot has completed — or the sport switches to a feed that
//    is up.
//  - Standby: the inactive feed's latest fair prices and statuses are kept,
//    so a switch applies them at once: no gap in market status (ODDS-5).
//  - A feed never reopens a market an operator suspended: it lifts only
//    suspensions whose actor is a feed or this desk (Market::status_actor).
//  - Restart: the desk starts on the feed the journal says was active last
//    (FeedSwitched), and FEED_DOWN suspensions the journal kept lift when
//    that feed is up again (as after any outage).
//  - Reference feed: its prices are the ref_price of each selection; the
//    drift score per market (max |active fair − ref| / ref) is a gauge, and
//    a market above its band for 60 s is flagged (ODDS-6). Drift needs a
//    live, fresh reference: the reference feed up and on time, and its price
//    for the market no older than the market's staleness limit; without one
//    the drift is unknown (no score, the band forgets the market), never a
//    number computed against frozen prices (feed/reference_drift.cpp). The
//    reference prices nothing, so its outages, lateness and refused lines
//    are one low-severity signal (reference_problem), never a parse-error
//    or feed-down alert that switches or freezes.
//  - Schema canary (ODDS-8): the first message of a (feed, league, version)
//    outside the accepted schemas raises feed_schema_skew at once.
//  - Timeliness (ODDS-2): how late each feed's lines arrive, on the
//    provider's clock (feed/feed_timeliness.h); a feed is fresh while it is
//    up and every line of the last seconds came within fresh_within. Prices
//    age from their provider timestamp (market/book.h).
//  - Scoreboard: the active feed's match_status (score, minute, period) is
//    the event's Scoreboard (display only, not journaled: market/book.h).
// Engine thread only, except the noted methods.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "engine/engine.h"
#include "market/market_desk.h"
#include "feed/feed_config.h"
#include "feed/feed_message.h"
#include "feed/feed_parser.h"
#include "feed/feed_timeliness.h"
#include "feed/sequence_tracker.h"
#include "pricing/drift.h"
#include "pricing/margin.h"
#include "telemetry/metrics.h"

namespace inplay {

enum class FeedState : uint8_t { kDown, kRecovering, kUp };
const char* feed_state_name(FeedState s);

struct FeedDeskOptions {
  MarginConfig margins;
  double drift_band = 0.10;
  int64_t drift_hold_ns = 60'000'000'000;
  std::map<std::string, uint64_t> canary_markets;  // sport -> market id (ODDS-7)
  std::set<std::string> top_leagues{"EPL"};        // per-market gauges only for these
  size_t market_gauge_cap = 500;                   // cardinality guard
  std::map<std::string, FeedRole> initial_active;  // sport -> primary|backup (config)
  // A feed is fresh while every line of the last few seconds arrived within
  // this of its provider timestamp (ODDS-2: p95 under 300 ms when healthy).
  int64_t fresh_within_ns = 1'000'000'000;
};

class FeedDesk {
 public:
  FeedDesk(MarketDesk& markets, MetricsRegistry& metrics, std::vector<FeedConfig> feeds,
           FeedDeskOptions opts);

  // Setup, before the engine runs: how to send a request line to a feed
  // (called on the engine thread; must not block).
  void set_sender(size_t feed, std::function<void(std::string line)> send);
  // Registers the alive check and the gauges refresh on the engine's clock.
  void schedule();
  // Setup: where results go (bet_settlement, bet_cancel and the rollbacks
  // of the primary and backup feeds, reordered ones included: settlement
  // orders them by provider time). Called on the engine thread.
  // Engine thread, before start: hears every market the active feed re-priced,
  // with the update's latency (provider timestamp to live, ODDS-2).
  void add_update_observer(std::function<void(uint64_t market_id, const std::string& feed, int64_t latency_ns)> fn) {
    update_observers_.push_back(std::move(fn));
  }
  void set_results_sink(std::function<void(const std::string& feed, const FeedMessage&)> sink) {
    results_sink_ = std::move(sink);
  }

  size_t feed_count() const { return feeds_.size(); }
  const FeedConfig& feed(size_t i) const { return feeds_[i].cfg; }
  std::optional<size_t> feed_index(std::string_view name) const;

  // Engine thread: events from the feed clients.
  void on_connected(size_t feed);
  void on_disconnected(size_t feed);
  // read_ns: monotonic time the line was read from the socket (0: unknown);
  // the in-book latency (socket to price live) is measured from it.
  void on_message(size_t feed, FeedMessage&& m, int64_t read_ns = 0);
  void on_parse_error(size_t feed, const ParseError& e);

  // Engine thread: the backup feed switch (API, config, playbooks). `to`
  // empty: the other one of primary/backup. Refuses a feed that is not up.
  Result<bool> switch_feed(const std::string& sport, std::optional<FeedRole> to,
                           const std::string& actor);
  std::string active_feed(const std::string& sport) const;
  // The canary market of each sport (ODDS-7: sport -> market id), from the config.
  const std::map<std::string, uint64_t>& canary_markets() const { return opts_.canary_markets; }

  // Engine thread: JSON for GET /v1/feeds.
  std::string status_json() const;
  // Engine thread: reference prices from an exchange (see
  // feed/exchange_reference.h) for a book market; they take precedence
  // over the reference feed's for drift.
  void set_reference_prices(uint64_t market_id, const std::vector<std::pair<uint64_t, Odds>>& prices);
  // Engine thread: drift score of a market (nullopt: unknown, without a
  // live, fresh reference).
  std::optional<double> drift(uint64_t market_id) const;
  // Engine thread: what is wrong with a sport's reference feed ("" when
  // nothing): "down", "late", or "refusing lines" (parse errors).
  std::string reference_problem(size_t feed) const;

  // Engine thread: alive timeouts and gauges; called by the scheduled timer.
  void check(int64_t now_ns);

  // Engine thread: what the SLO evaluator and alert rules read each second.
  struct LeagueSchema {
    std::string league, version;
    int64_t last_ns = 0;  // last message for the league carrying it
    bool skewed = false;  // the parser refused it (ODDS-8)
  };
  struct FeedSignals {
    std::string name, sport, role;
    bool active = false;  // the sport's active feed
    FeedState state = FeedState::kDown;
    uint64_t messages_ok = 0;   // parsed and handed to the desk
    uint64_t parse_errors = 0;  // refused by the parser (all reasons)
    std::vector<LeagueSchema> schemas;  // latest schema seen per league
    int64_t least_delay_ns = -1;  // its most punctual line of the last seconds; -1: none came
    bool fresh = false;           // up, and every recent line on time
    std::string reference_problem;  // a reference feed: reference_problem() (else "")
  };
  std::vector<FeedSignals> signals() const;
  // A feed up and fresh for at least hold_ns (a switch back waits for it).
  bool fresh_for(const std::string& feed, int64_t hold_ns) const;
  bool drift_flagged(uint64_t market_id) const { return drift_band_.flagged(market_id); }
  // The active feed of a sport and the schema version its latest message for
  // a league carried (skewed or not): the attributes a bet's risk span gets
  // so the slice finder can name a skewed producer (BEY-1).
  struct PriceSource {
    std::string feed, producer, schema;
  };
  PriceSource price_source(const std::string& sport, const std::string& league) const;

 private:
  TimerPtr timer_;  // alive checks and gauges, every 250 ms
  struct CachedMarket {
    MarketStatus status = MarketStatus::kOpen;
    std::unordered_map<uint64_t, Odds> fair;  // selection -> fair odds
    int64_t provider_ts_ms = 0;
  };
  struct Feed {
    FeedConfig cfg;
    FeedState state = FeedState::kDown;
    bool connected = false;
    SequenceTracker seq;
    int64_t last_alive_ns = 0;
    uint64_t pending_request = 0;
    std::function<void(std::string)> send;
    std::unordered_map<uint64_t, CachedMarket> cache;  // what this feed says
    std::set<std::pair<std::string, std::string>> skew_seen;  // (league, version)
    Gauge* up_gauge = nullptr;
    std::array<Counter*, kFeedMessageTypeCount> by_type{};  // feed_messages_total per message type
    uint64_t results = 0;  // results messages handed to settlement
    uint64_t messages_ok = 0, parse_errors = 0;
    uint64_t errors_seen = 0;      // parse_errors at the last drift refresh
    int64_t last_refused_ns = 0;   // book time a refresh last found new parse errors
    std::string producer;  // as the messages name it
    std::map<std::string, LeagueSchema> schemas;  // league -> latest
    FeedTimeliness timeliness;
    Gauge* delay_gauge = nullptr;
    Gauge* reference_gauge = nullptr;  // the reference feed only
    Counter* skew_counter = nullptr;
    Gauge* skew_gauge = nullptr;
  };
  struct Sport {
    size_t primary = SIZE_MAX, backup = SIZE_MAX, reference = SIZE_MAX;
    size_t active = SIZE_MAX;
    bool suspended_for_feed_down = false;
  };

  // At construction (after replay): the active feed and FEED_DOWN
  // suspensions the journal kept for the sport.
  void adopt_book(const std::string& sport, Sport& s);
  bool is_active(size_t feed) const;
  void mark_down(size_t feed, const char* why);
  void mark_up(size_t feed);
  void on_gap(size_t i);  // counts it and asks for a snapshot (unless the feed is down)
  void request_recovery(size_t feed);
  void suspend_sport(const std::string& sport, const std::string& reason);
  void reopen_sport(const std::string& sport);
  void apply_odds(size_t feed, const FeedMessage& m, const OddsChange& oc, int64_t read_ns);
  void apply_market(Feed& f, uint64_t market_id, const CachedMarket& cm, bool prices);
  void apply_bet_stop(size_t feed, uint64_t event_id, const BetStop& bs);
  void apply_fixture(size_t feed, uint64_t event_id, const FixtureChange& fc);
  void take_over(size_t feed);  // apply a feed's whole cache (after a switch)
  void update_drift(uint64_t market_id, int64_t now_ns);
  void refresh_drift(int64_t now_ns);  // once a second: a reference that went quiet leaves no score
  // The reference's prices for a market if they are live and fresh, else nullptr.
  const std::unordered_map<uint64_t, Odds>* live_reference(const Sport& s, const Market& m, int64_t now_ns) const;
  bool reference_on_time(const Feed& f, int64_t now_ns) const;
  Gauge& market_gauge(Family<Gauge>& f, uint64_t market_id);
  static bool feed_owned(const Market& m);

  Engine& engine_;
  MarketDesk& markets_;  // every status and price change goes through it
  MetricsRegistry& metrics_;
  FeedDeskOptions opts_;
  std::vector<Feed> feeds_;
  std::map<std::string, Sport> sports_;
  uint64_t next_request_ = 1;
  std::function<void(const std::string&, const FeedMessage&)> results_sink_;
  std::vector<std::function<void(uint64_t, const std::string&, int64_t)>> update_observers_;
  int64_t last_sample_ns_ = 0;  // gauges and staleness sampled once a second
  DriftBand drift_band_;
  std::unordered_map<uint64_t, double> drift_;  // market -> last score
  std::unordered_map<uint64_t, std::unordered_map<uint64_t, Odds>> exchange_ref_;  // market -> sel -> ref

  Family<Counter>* messages_;
  Family<Counter>* dropped_;
  Family<Counter>* gaps_;
  Family<Counter>* parse_errors_;
  Family<Gauge>* skew_;
  Family<Gauge>* active_;
  Family<Counter>* switches_;
  Family<Counter>* recoveries_;
  Histogram* update_latency_;
  Histogram* book_latency_;
  Histogram* staleness_hist_;
  Family<Gauge>* staleness_ms_;
  Family<Gauge>* drift_gauge_;
  Family<Gauge>* drift_flagged_;
  Family<Gauge>* canary_staleness_;
  Family<Gauge>* canary_drift_;
  Family<Gauge>* suspended_;
  std::unordered_map<uint64_t, std::pair<Gauge*, Gauge*>> market_gauges_;
};

}  // namespace inplay
