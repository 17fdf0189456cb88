#include "app/runtime.h"

#include <condition_variable>
#include <mutex>
#include <optional>

#include <fmt/format.h>

#include "app/book_desks.h"
#include "app/book_role.h"
#include "app/standby_handler.h"
#include "app/standby_watch.h"
#include "app/hedge_wiring.h"
#include "app/kyc_wiring.h"
#include "app/payment_wiring.h"
#include "app/support_wiring.h"
#include "app/book_start.h"
#include "app/runtime_extension.h"
#include "engine/engine.h"
#include "feed/feed_desk.h"
#include "feed/dead_letter.h"
#include "feed/tcp_feed_client.h"
#include "synthetic/synthetic_checks.h"
#include "journal/disk_headroom.h"
#include "journal/journal.h"
#include "journal/kafka_journal.h"
#include "market/price_readiness.h"
#include "projection/history_projection.h"
#include "projection/postgres_history.h"
#include "projection/sqlite_history.h"
#include "projection/audit_projection.h"
#include "projection/follower_loop.h"
#include "http/api.h"
#include "http/client.h"
#include "http/server.h"
#include "feed/fixture_prices.h"
#include "telemetry/log.h"
#include "telemetry/log_file.h"
#include "telemetry/metrics.h"
#include "telemetry/otlp_exporter.h"
#include "telemetry/pseudonym.h"
#include "telemetry/retention.h"
#include "telemetry/sampler.h"
#include "telemetry/tracer.h"
#include "app/notifier.h"
#include "app/shipped_configs.h"
#include "playbook/incident_loop.h"
#include "support/status_board.h"
#include "telemetry/attributes.h"

namespace inplay {

void build_book(const Config& cfg, Book& book) {
  for (const EventConfig& ec : cfg.events) {
    Event e;
    e.id = ec.id;
    e.sport = ec.sport;
    e.league = ec.league;
    e.home = ec.home;
    e.away = ec.away;
    e.kickoff_ms = ec.kickoff_ms;
    e.state = ec.state;
    book.add_event(std::move(e));
    auto limit = cfg.league_staleness.count(ec.league) ? cfg.league_staleness.at(ec.league)
                                                       : cfg.default_staleness;
    for (const MarketConfig& mc : ec.markets) {
      Market m;
      m.id = mc.id;
      m.event_id = ec.id;
      m.type = mc.type;
      m.line_quarters = mc.line_quarters;
      m.period = mc.period;
      m.staleness_limit = limit;
      book.add_market(std::move(m));
      for (const SelectionConfig& sc : mc.selections) {
        Selection s;
        s.id = sc.id;
        s.market_id = mc.id;
        s.name = sc.name;
        book.add_selection(std::move(s));
      }
    }
  }
}

struct Runtime::Impl {
  Config cfg;
  std::unique_ptr<Clock> clock;
  SimClock* sim_clock = nullptr;  // the same clock, when it is simulated
  MetricsRegistry metrics;
  std::unique_ptr<Tracer> tracer;
  std::shared_ptr<TraceSampler> sampler;
  std::unique_ptr<FollowerLoop> trace_retention;  // telemetry.retention.traces
  std::shared_ptr<LogFile> log_file;  // telemetry.log_file; shared with the log sink
  std::unique_ptr<OtlpExporter> otlp;  // telemetry.otlp_endpoint; off by default
  std::unique_ptr<DiskHeadroom> headroom;       // the data dir's free space, the journal's reserve
  std::unique_ptr<FollowerLoop> headroom_watch;  // refreshes it every second
  std::unique_ptr<Journal> journal;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<PriceReadiness> price_readiness;  // /readyz: prices fresh after the start
  std::unique_ptr<BookDesks> desks;  // after the engine: destroyed before it
  std::unique_ptr<FixturePrices> prices;
  std::unique_ptr<DeadLetterFile> dead_letters;
  std::unique_ptr<FeedDesk> desk;
  std::unique_ptr<RuntimeExtension> ext;  // the simulated world, when plugged in
  std::unique_ptr<HedgeVenueClient> hedge_port;  // hedging.enabled: the venue's client
  PaymentRoutes payments;  // payments.routes: a client each, their reconciliation (run after the engine starts)
  std::vector<std::unique_ptr<KycClient>> kyc_vendors;  // kyc.vendors: one client each
  std::unique_ptr<SyntheticChecks> synthetic;
  std::vector<std::unique_ptr<TcpFeedClient>> clients;
  Counter* feed_backpressure = nullptr;
  std::unique_ptr<HistoryProjection> projection;  // history: SQLite or PostgreSQL
  std::unique_ptr<AuditProjection> audit;  // CMP-1: <data_dir>/audit.jsonl
  TokenStore tokens;
  StatusBoard status_board;  // GET /v1/status: the incidents' published notes (outlives the API and the loop)
  std::unique_ptr<Pseudonymizer> pseudonymizer;
  std::unique_ptr<Api> api;
  std::atomic<Api*> api_ptr{nullptr};  // read by the incident loop (engine thread)
  std::unique_ptr<Notifier> notifier;
  std::unique_ptr<IncidentLoop> incidents;
  std::unique_ptr<HttpServer> server;
  std::atomic<bool> ready{false};
  std::unique_ptr<BookRole> role;                      // leader or standby (Kafka journal)
  std::unique_ptr<StandbyHandler> standby_handler;     // a standby's answers until it takes over
  std::unique_ptr<HttpServer> standby_server;
  std::unique_ptr<StandbyWatch> standby_watch;         // a leader on Kafka: its standby's reports
  std::function<void(uint16_t)> on_standby;
  std::mutex stop_mu;
  std::condition_variable stop_cv;
  std::optional<int> stop_code;  // request_stop()
  std::atomic<bool> stop_asked{false};
  uint64_t replayed = 0;
  std::string start_hash;
  bool started = false;

  Histogram* fsync_hist = nullptr;
  Counter* journal_bytes = nullptr;
  Counter* journal_records = nullptr;
  Counter* journal_batches = nullptr;

  void start_telemetry();
  void watch_disk();
  std::function<std::string()> journal_view();
};

Runtime::Runtime(Config cfg, std::unique_ptr<RuntimeExtension> ext) : impl_(std::make_unique<Impl>()) {
  impl_->cfg = std::move(cfg);
  impl_->ext = std::move(ext);
}
Runtime::~Runtime() { stop(); }

Engine& Runtime::engine() { return *impl_->engine; }
BookDesks& Runtime::desks() { return *impl_->desks; }
Clock& Runtime::clock() { return *impl_->clock; }
SimClock* Runtime::sim_clock() { return impl_->sim_clock; }
MetricsRegistry& Runtime::metrics() { return impl_->metrics; }
Tracer& Runtime::tracer() { return *impl_->tracer; }
const Config& Runtime::config() const { return impl_->cfg; }
uint64_t Runtime::replayed_records() const { return impl_->replayed; }
std::string Runtime::startup_state_hash() const { return impl_->start_hash; }

FeedDesk* Runtime::feed_desk() { return impl_->desk.get(); }
IncidentLoop* Runtime::incidents() { return impl_->incidents.get(); }
ReconciliationBoard* Runtime::reconciliation() { return impl_->payments.reconciliation.get(); }

// Feeds: the desk on the engine thread, a client thread per feed, and (for
// the demo and drills) the simulated providers they connect to.
void Runtime::start_feeds() {
  Impl& m = *impl_;
  const Config& cfg = m.cfg;
  std::vector<FeedConfig> feeds = cfg.feeds;
  if (m.ext) m.ext->start_world(cfg, *m.engine, *m.desks, *m.clock, feeds);
  m.desk = std::make_unique<FeedDesk>(m.desks->markets, m.metrics, feeds, cfg.feed_options);
  m.desk->schedule();
  m.desk->set_results_sink(
      [settle = &m.desks->settle](const std::string& feed, const FeedMessage& msg) { settle->on_feed_result(feed, msg); });
  m.dead_letters = std::make_unique<DeadLetterFile>(
      cfg.dead_letter_file.empty() ? cfg.data_dir / "feed-dead-letters.jsonl" : cfg.dead_letter_file);
  m.dead_letters->set_may_write([h = m.headroom.get()] { return h->followers_may_write(); });
  DeadLetterFile* dl = m.dead_letters.get();
  m.metrics.counter_fn("feed_dead_letters_written_total", "Refused feed lines written to the dead-letter file",
                       [dl] { return static_cast<double>(dl->written()); });
  m.metrics.counter_fn("feed_dead_letters_sampled_out_total",
                       "Refused feed lines not written: over the per-minute sample of their producer and reason",
                       [dl] { return static_cast<double>(dl->sampled_out()); });
  m.metrics.counter_fn("feed_dead_letters_dropped_total", "Refused feed lines not written: the file is at its size bound",
                       [dl] { return static_cast<double>(dl->dropped()); });
  m.metrics.counter_fn("feed_dead_letters_errors_total", "Dead-letter records lost to a disk error",
                       [dl] { return static_cast<double>(dl->errors()); });
  m.feed_backpressure = &m.metrics.counter("feed_messages_dropped_total", "Feed messages dropped (duplicate, reordered)",
                                           {"feed", "reason"}).with({"all", "backpressure"});
  if (m.ext && m.ext->connect_feeds(*m.desk, m.dead_letters.get(), *m.clock, feeds)) return;
  for (size_t i = 0; i < feeds.size(); ++i) {
    Engine* engine = m.engine.get();
    FeedDesk* desk = m.desk.get();
    Counter* dropped = m.feed_backpressure;
    auto post = [engine, dropped](std::function<void()> task) {
      if (!engine->submit(std::move(task))) dropped->inc();  // the seq gap will trigger a recovery
    };
    FeedCallbacks cb;
    cb.connected = [post, desk, i] { post([desk, i] { desk->on_connected(i); }); };
    cb.disconnected = [post, desk, i] { post([desk, i] { desk->on_disconnected(i); }); };
    cb.message = [post, desk, i](FeedMessage&& msg, int64_t read_ns) {
      auto shared = std::make_shared<FeedMessage>(std::move(msg));
      post([desk, i, shared, read_ns] { desk->on_message(i, std::move(*shared), read_ns); });
    };
    cb.parse_error = [post, desk, i](const ParseError& e) { post([desk, i, e] { desk->on_parse_error(i, e); }); };
    m.clients.push_back(std::make_unique<TcpFeedClient>(feeds[i], cb, m.dead_letters.get(), *m.clock));
    TcpFeedClient* client = m.clients.back().get();
    m.desk->set_sender(i, [client](std::string line) { client->send(std::move(line)); });
  }
}

// Logs (rate limit, file with rotation), the tracer with its sampler, and
// the retention sweep of the trace store, with their metrics.
void Runtime::Impl::start_telemetry() {
  Impl& m = *this;
  const Config& cfg = m.cfg;
  log::set_rate_limit(cfg.log_burst, cfg.log_per_s);
  m.metrics.counter_fn("log_lines_suppressed_total", "Log lines suppressed by the per-call-site rate limit",
                       [] { return static_cast<double>(log::suppressed_total()); });
  if (!cfg.log_file.empty()) {
    if (cfg.log_file.has_parent_path()) std::filesystem::create_directories(cfg.log_file.parent_path());
    m.log_file = std::make_shared<LogFile>(cfg.log_file, cfg.retention.log_max_bytes, cfg.retention.log_keep);
    log::set_sink([f = m.log_file](std::string_view line) { f->write(line); });
    m.metrics.counter_fn("log_file_rotations_total", "Rotations of the log file (telemetry.retention.logs)",
                         [f = m.log_file] { return static_cast<double>(f->rotations()); });
  }

  m.tracer = std::make_unique<Tracer>(cfg.max_spans);
  auto& sampled = m.metrics.counter("traces_sampled_total", "Traces kept or dropped by the trace sampler, by reason",
                                    {"decision", "reason"});
  TraceSampler::Counters counters{};
  for (size_t i = 0; i < kSampleReasonCount; ++i) {
    const auto r = static_cast<SampleReason>(i);
    counters[i] = &sampled.with({sample_decision_label(r), sample_reason_label(r)});
  }
  m.sampler = std::make_shared<TraceSampler>(cfg.sampling, counters);
  m.tracer->set_sampler(m.sampler);
  m.metrics.gauge_fn("trace_duration_p99_seconds", "The trace sampler's running p99 of trace durations",
                     [s = m.sampler.get()] { return static_cast<double>(s->p99_ns()) / 1e9; });
  Tracer* tracer = m.tracer.get();
  m.metrics.counter_fn("trace_spans_evicted_total", "Spans evicted from the trace store because it was full",
                       [tracer] { return static_cast<double>(tracer->evicted()); });
  m.metrics.counter_fn("trace_spans_expired_total", "Spans evicted from the trace store by age (retention)",
                       [tracer] { return static_cast<double>(tracer->expired()); });
  if (cfg.retention.trace_max_age_s > 0) {
    const int64_t max_age_ns = cfg.retention.trace_max_age_s * 1000000000;
    FollowerLoop::Hooks h;
    h.pass = [tracer, clock = m.clock.get(), max_age_ns] { sweep_traces(*tracer, *clock, max_age_ns); };
    m.trace_retention = std::make_unique<FollowerLoop>("trace-retention", std::chrono::seconds(1),
                                                       std::chrono::seconds(1), std::chrono::seconds(5), std::move(h));
    m.trace_retention->start();
  }
}

// The war room's journal panel (any thread): the role and the standby on
// the Kafka journal; a file journal is a lone leader.
std::function<std::string()> Runtime::Impl::journal_view() {
  return [r = role.get(), j = journal.get()] {
    const uint64_t seq = j->stats().last_durable_seq;
    if (r) return r->status_json(seq, monotonic_ns());
    JournalPanel file;  // one host, a leader, no standby
    file.seq = seq;
    return journal_panel_json(file);
  };
}

// The data dir's free space (every second, on its own thread) and the
// journal's health, as metrics; the reserve the followers respect.
void Runtime::Impl::watch_disk() {
  Impl& m = *this;
  m.headroom = std::make_unique<DiskHeadroom>(m.cfg.data_dir, m.cfg.journal_reserve_bytes);
  m.headroom->refresh();
  DiskHeadroom* h = m.headroom.get();
  FollowerLoop::Hooks hooks;
  hooks.pass = [h] { h->refresh(); };
  m.headroom_watch = std::make_unique<FollowerLoop>("disk-headroom", std::chrono::seconds(1), std::chrono::seconds(1),
                                                    std::chrono::seconds(1), std::move(hooks));
  m.headroom_watch->start();
  m.metrics.gauge_fn("disk_free_bytes", "Free bytes on the data dir's filesystem (for an unprivileged writer)",
                     [h] { return static_cast<double>(h->free_bytes() == UINT64_MAX ? 0 : h->free_bytes()); });
  m.metrics.gauge_fn("disk_size_bytes", "Size of the data dir's filesystem",
                     [h] { return static_cast<double>(h->size_bytes()); });
  m.metrics.gauge_fn("disk_used_bytes", "Bytes in use on the data dir's filesystem (size less every free block)",
                     [h] { return static_cast<double>(h->used_bytes()); });
  m.metrics.gauge_fn("disk_reserve_bytes",
                     "The last free bytes kept for the journal: followers (SQLite, audit, dead letters) pause below it",
                     [h] { return static_cast<double>(h->reserve_bytes()); });
}

static void add_journal_metrics(MetricsRegistry& metrics, const Journal& j) {
  metrics.gauge_fn("journal_writable", "1 while the journal can write; 0 while its disk refuses (acknowledgements stop)",
                   [&j] { return j.writable() ? 1.0 : 0.0; });
  metrics.gauge_fn("journal_undurable_bytes", "Bytes appended to the journal and not yet durable",
                   [&j] { return static_cast<double>(j.undurable_bytes()); });
  metrics.counter_fn("journal_write_failures_total", "Attempts to write or sync the journal that the disk refused",
                     [&j] { return static_cast<double>(j.health().failures); });
  metrics.counter_fn("journal_outages_total", "Times the journal went from writable to failing",
                     [&j] { return static_cast<double>(j.health().outages); });
}

// The incident loop (SLOs -> alerts -> playbooks) on the engine thread, and
// the risk-span tags the slice finder needs (league, active feed, producer,
// parser schema). Before the engine thread runs.
void Runtime::start_incident_loop() {
  Impl& m = *impl_;
  Config::Incidents ic = m.cfg.incidents;
  if (!ic.enabled) return;
  if (ic.slos.slos.empty()) ic.slos = parse_slo_catalogue(kShippedSlosYaml, "config/slos.yaml (built in)");
  if (ic.playbooks.playbooks.empty() && ic.playbook_file.empty())
    ic.playbooks = parse_playbook_file(kShippedPlaybooksYaml, "config/playbooks.yaml (built in)");
  IncidentLoopOptions opts;
  opts.top_leagues = m.cfg.feed_options.top_leagues;
  opts.builtin_alerts = ic.builtin_alerts;
  for (auto& l : m.cfg.top_leagues) opts.top_leagues.insert(l);
  opts.external_url = ic.external_url.empty() ? fmt::format("http://{}:{}", m.cfg.address, m.cfg.port) : ic.external_url;
  m.notifier = std::make_unique<Notifier>(m.metrics);
  m.notifier->start();
  m.incidents = std::make_unique<IncidentLoop>(
      m.desks->markets, m.desks->bets, m.desk.get(), *m.tracer, m.metrics, std::move(ic.slos), std::move(ic.playbooks), opts,
      [n = m.notifier.get()](const std::string& url, const std::string& body) { n->post(url, body); });
  m.incidents->set_bet_request_totals([&m]() -> std::pair<uint64_t, uint64_t> {
    Api* api = m.api_ptr.load();
    return api ? api->bet_request_totals() : std::pair<uint64_t, uint64_t>{0, 0};
  });
  SettleDesk* settle = &m.desks->settle;
  IncidentLoop* loop = m.incidents.get();
  m.incidents->set_settlement_probe([settle] {
    const SettleDesk::Signals s = settle->signals();
    return IncidentLoop::SettlementProbe{s.shadow_matched, s.shadow_matched + s.shadow_mismatched, s.dlq_depth,
                                         settle->oldest_unpaid_result_ms()};
  });
  settle->add_settled_observer(
      [loop](const SettledMarket& sm) { loop->on_market_settled(sm.market_id, sm.event_id, sm.lag_ns); });
  if (m.desk)
    m.desk->add_update_observer([loop](uint64_t market_id, const std::string& feed, int64_t latency_ns) {
      loop->on_odds_update(market_id, feed, latency_ns);
    });
  m.desks->cashout.add_quote_observer([loop](const QuoteSeen& q) {
    loop->on_cashout_quote(q.event_id, q.offered, !q.offered && q.code == ErrorCode::kPriceStale, q.freshness_ns,
                           q.synthetic);
  });
  // The playbooks act on the payment and KYC desks; what the loop samples of
  // payments (WAL-4), KYC (KYC-1) and support (SUP-1): app/*_wiring.h.
  m.incidents->set_payments(&m.desks->payments);
  m.incidents->set_kyc(&m.desks->kyc);
  watch_payments(*m.incidents, m.desks->payments, m.payments, *m.clock);
  watch_kyc(*m.incidents, m.desks->kyc);
  watch_support(*m.incidents, m.desks->support);
  m.incidents->set_status_board(&m.status_board);
  m.incidents->add_signal_source([j = m.journal.get(), h = m.headroom.get()](std::vector<SignalSample>& out) {
    out.push_back(SignalSample{"journal_unwritable", {}, j->writable() ? 0.0 : 1.0, true});
    out.push_back(SignalSample{"disk_used_ratio", {}, h->used_ratio(), true});
  });
  if (m.role)
    m.incidents->add_signal_source([r = m.role.get()](std::vector<SignalSample>& out) {
      constexpr int64_t kWindowNs = 600'000'000'000;  // 10 minutes
      const int64_t now = monotonic_ns();
      out.push_back(SignalSample{"book_took_over", {}, r->took_over_within(now, kWindowNs), true});
      out.push_back(SignalSample{"standby_lost", {}, r->standby_lost(now), true});
    });
  m.incidents->schedule();
  Engine* engine = m.engine.get();
  FeedDesk* desk = m.desk.get();
  m.desks->bets.set_market_tagger([engine, desk](uint64_t market_id, Span& s) {
    const Book& book = engine->state().book;
    const Market* mk = book.market(market_id);
    const Event* ev = mk ? book.event(mk->event_id) : nullptr;
    if (!ev) return;
    s.attr(attr::kLeague, ev->league);
    if (!desk) return;
    FeedDesk::PriceSource src = desk->price_source(ev->sport, ev->league);
    if (src.feed.empty()) return;
    s.attr(attr::kFeed, src.feed);
    s.attr(attr::kProducer, src.producer);
    if (!src.schema.empty()) s.attr(attr::kParserSchema, src.schema);
  });
}

uint16_t Runtime::start() {
  Impl& m = *impl_;
  // A simulated PSP signs its callbacks with a secret made for this run.
  for (PspRouteTerms& t : m.cfg.payments.routes)
    if (t.url == "sim" && t.callback_secret.empty()) t.callback_secret = random_token() + random_token();
  const Config& cfg = m.cfg;
  if (cfg.sim_clock) {
    auto sim = std::make_unique<SimClock>(from_ns(cfg.sim_start_ms * 1000000));
    m.sim_clock = sim.get();
    m.clock = std::move(sim);
  } else {
    m.clock = std::make_unique<RealClock>();
  }
  m.metrics.set_time_source([c = m.clock.get()] { return to_ns(c->now()); });  // OpenMetrics _created
  register_process_metrics(m.metrics);
  log::configure(m.clock.get(), LogLevel::kInfo);
  m.start_telemetry();
  if (!cfg.otlp_endpoint.empty()) {  // OTLP/HTTP JSON export of every finished span
    std::string host, path, err;
    uint16_t port = 0;
    OtlpExporter::parse_endpoint(cfg.otlp_endpoint, host, port, path, err);  // checked by the config
    OtlpExporterOptions oo;
    oo.endpoint = cfg.otlp_endpoint;
    OtlpExporter::Counters oc;
    oc.exported = &m.metrics.counter("otlp_exported_spans_total", "Spans accepted by the OTLP endpoint").with({});
    oc.dropped = &m.metrics.counter("otlp_dropped_spans_total", "Spans dropped: the OTLP export queue was full").with({});
    oc.failed = &m.metrics.counter("otlp_failed_spans_total", "Spans the OTLP endpoint never accepted (after retries)").with({});
    m.otlp = std::make_unique<OtlpExporter>(
        oo,
        [host, port, path, timeout = oo.timeout_ms](const std::string& body, std::string& error) {
          HttpCallResult r = http_call(host, port, "POST", path, {{"Content-Type", "application/json"}}, body, timeout);
          error = r.error;
          return r.status;
        },
        oc);
    m.otlp->start();
    m.tracer->set_exporter([x = m.otlp.get()](const std::vector<Span>& spans) { x->enqueue(spans); });
  }

  m.fsync_hist = &MetricsRegistry::series(
      m.metrics.histogram("journal_fsync_seconds", "Duration of each journal group-commit fsync", {},
                          default_latency_bounds_ns(), Unit::kSeconds),
      {});
  m.journal_bytes = &m.metrics.counter("journal_bytes_total", "Bytes written to the journal").with({});
  m.journal_records = &m.metrics.counter("journal_records_total", "Records written to the journal").with({});
  m.journal_batches = &m.metrics.counter("journal_batches_total", "Group commits (write + fsync) of the journal").with({});

  std::filesystem::create_directories(cfg.data_dir);
  m.watch_disk();
  // Fixtures given relative to the start are placed against the book's
  // first start on this data dir (kept there), or sim_start.
  place_fixtures(m.cfg, fixture_anchor_ms(cfg, to_ms(m.clock->now())));
  Journal::Options jo;
  jo.dir = cfg.data_dir / "journal";
  jo.fsync = cfg.fsync;
  jo.segment_bytes = cfg.segment_bytes;
  jo.wake_on_append = false;  // the engine kicks the journal once per batch
  jo.on_batch = [&m](int64_t fsync_ns, size_t records, size_t bytes) {
    m.fsync_hist->observe(fsync_ns);
    m.journal_records->inc(records);
    m.journal_bytes->inc(bytes);
    m.journal_batches->inc();
  };
  if (cfg.standby && !cfg.kafka_journal)
    throw std::runtime_error("--standby follows a Kafka journal: set journal.kind: kafka");
  if (cfg.kafka_journal) {
    m.role = std::make_unique<BookRole>(m.metrics, cfg.standby);
    KafkaJournalHooks hooks = m.role->journal_hooks([this](const std::string& why) {
      log::error("runtime", "fenced: another book took the journal; this one stops serving",
                 {{"why", why}, {"exit_code", kExitFenced}});
      request_stop(kExitFenced);
    });
    KafkaStandby following = m.role->following([&m] { return m.stop_asked.load(); },
                                               [&m] { return m.engine->state().state_hash(); });
    m.journal = open_kafka_journal(std::move(jo), cfg.kafka, std::move(hooks), std::move(following));
  } else {
    m.journal = Journal::open(jo);
  }
  add_journal_metrics(m.metrics, *m.journal);

  m.engine = std::make_unique<Engine>(cfg.engine, *m.clock, *m.journal, m.metrics);
  m.desks = std::make_unique<BookDesks>(*m.engine, *m.tracer);
  build_book(cfg, m.engine->state().book);
  if (cfg.standby) serve_standby();
  int64_t t0 = monotonic_ns();
  m.replayed = m.engine->replay();  // a standby: until it takes over
  if (m.standby_server) {
    m.standby_server->stop();
    m.standby_server.reset();
  }
  m.start_hash = m.engine->state().state_hash();
  m.desks->settle.resume();  // a market a crash left half paid is paid now
  log::info("runtime", "journal replayed",
            {{"records", m.replayed}, {"ms", (monotonic_ns() - t0) / 1000000},
             {"state_hash", m.start_hash}, {"bets", static_cast<uint64_t>(m.engine->state().bets.size())}});

  // Before the engine thread runs, this thread may still act as it.
  if (cfg.feeds.empty()) {
    std::vector<std::pair<uint64_t, Odds>> opening;
    for (auto& e : cfg.events)
      for (auto& mk : e.markets)
        for (auto& s : mk.selections) opening.emplace_back(s.id, s.odds);
    m.prices = std::make_unique<FixturePrices>(m.desks->markets, std::move(opening), cfg.price_jitter, cfg.seed);
    m.prices->open();
    m.prices->schedule(std::chrono::milliseconds(cfg.price_refresh_ms));
  } else {
    start_feeds();
  }

  // Partners' clients as the desks' ports; what a restart left unanswered
  // goes again. Before the engine thread runs (this thread acts as it).
  if (cfg.engine.hedging.enabled) m.hedge_port = connect_hedge_venue(cfg, m.ext.get(), m.desks->hedge);
  if (cfg.payments.enabled() || cfg.kyc.enabled()) {
    if (m.ext) m.ext->start_partners(cfg);
    if (cfg.payments.enabled())
      m.payments = connect_payment_routes(cfg, m.ext.get(), *m.engine, *m.clock, m.metrics, m.desks->payments);
    if (cfg.kyc.enabled()) m.kyc_vendors = connect_kyc_vendors(cfg, m.ext.get(), m.metrics, m.desks->kyc);
  }

  // The projection follows the journal files by polling (ProjectionOptions).
  auto may_write = [h = m.headroom.get()] { return h->followers_may_write(); };
  ProjectionOptions po;
  po.may_write = may_write;
  po.audit_mask = [p = Pseudonymizer(cfg.pseudonym_secret)](std::string_view a) { return p.mask(a); };
  std::unique_ptr<HistoryStore> history = cfg.history.kind == HistoryConfig::Kind::kPostgres
                                              ? open_postgres_history(cfg.history.dsn)
                                              : open_sqlite_history(cfg.data_dir / "book.sqlite");
  m.projection = std::make_unique<HistoryProjection>(std::move(history), cfg.data_dir / "journal",
                                                     cfg.engine.currency.code(), po);
  AuditProjectionOptions ao;
  ao.may_write = may_write;
  // The audit's anchors go into the journal through the engine, its one
  // writer, like any other command (a full inbox: asked again later).
  ao.anchor = [e = m.engine.get()](AuditAnchored a) {
    return e->submit([e, a = std::move(a)]() mutable {
      a.at_ns = to_ns(e->clock().now());
      e->commit(std::move(a));
    });
  };
  m.audit = std::make_unique<AuditProjection>(
      cfg.data_dir / "audit.jsonl", cfg.data_dir / "journal", AuditKey(cfg.audit_chain_secret),
      [p = Pseudonymizer(cfg.pseudonym_secret)](std::string_view a) { return p.mask(a); },
      cfg.engine.currency.code(), ao);
  m.journal->start();
  start_incident_loop();
  std::string synthetic_token;
  if (cfg.synthetic.enabled) {
    synthetic_token = random_token();
    m.synthetic = std::make_unique<SyntheticChecks>(*m.engine, m.metrics, cfg.synthetic, synthetic_token);
    m.synthetic->schedule();
    if (m.incidents) {
      SyntheticChecks* s = m.synthetic.get();
      m.incidents->set_synthetic_failed_rounds([s] { return s->failed_rounds(); });
    }
  }
  m.engine->start();
  if (m.payments.reconciler) m.payments.reconciler->start();  // its first run reads the replayed book
  for (auto& c : m.clients) c->start();
  for (const AccountSeed& a : cfg.accounts) {
    // Opened by its channel as a channel would (a restart's repeat changes
    // nothing), then funded once.
    OpenAccount o;
    o.account = a.id;
    o.channel = seed_channel(cfg, a);
    o.actor = "config";
    m.desks->wallet.submit(std::move(o));
    if (a.deposit <= 0) continue;
    MoveMoney r;
    r.idem_key = "seed:" + a.id;
    r.account = a.id;
    r.scope = AccountScope::of_channel(seed_channel(cfg, a), is_synthetic_account(a.id));
    r.amount = a.deposit;
    r.currency = cfg.engine.currency;
    r.reason = TransferReason::kDeposit;
    r.done = [](const Outcome&) {};
    m.desks->wallet.submit(std::move(r));
  }

  m.projection->start();
  m.audit->start();

  for (const TokenConfig& t : cfg.tokens) m.tokens.add(t.sha256, Principal{t.name, t.role, t.channel_name()});
  if (m.synthetic) m.tokens.add(sha256_hex(synthetic_token), Principal{"synthetic-checks", Role::kSynthetic});
  m.pseudonymizer = std::make_unique<Pseudonymizer>(cfg.pseudonym_secret);
  m.price_readiness = std::make_unique<PriceReadiness>(
      monotonic_ns(), std::chrono::milliseconds(cfg.prices_ready_within_ms), /*enforce=*/!cfg.sim_clock);
  m.api = std::make_unique<Api>(ApiDeps{*m.engine, m.desks->markets, m.desks->wallet, m.desks->bets, m.desks->settle,
                                        m.desks->cashout, m.tokens, m.metrics, *m.tracer, *m.pseudonymizer,
                                        *m.clock, m.ready, m.desk.get(), m.incidents.get(), m.sim_clock,
                                        m.journal.get(), std::chrono::milliseconds(cfg.metrics_max_age_ms),
                                        static_cast<uint32_t>(cfg.metrics_scrapes_per_s),
                                        m.price_readiness.get(), &m.desks->hedge, &m.desks->payments,
                                        psp_callback_secrets(cfg), &m.desks->support, &m.status_board,
                                        m.payments.reconciliation.get(), &m.desks->kyc, m.journal_view()});
  if (m.ext) m.ext->add_routes(*m.api, *m.engine);  // a simulated book's fault hooks
  m.api_ptr.store(m.api.get());
  HttpServer::Options so;
  so.address = cfg.address;
  so.port = cfg.port;
  so.threads = cfg.io_threads;
  so.body_limit = cfg.body_limit;
  m.server = std::make_unique<HttpServer>(so, *m.api);
  uint16_t port = m.server->start();
  m.started = true;
  m.ready = true;
  if (m.role) {
    m.role->now_leading(monotonic_ns());
    m.standby_watch = std::make_unique<StandbyWatch>(cfg.kafka, *m.role,
                                                     [j = m.journal.get()] { return j->stats().last_durable_seq; });
  }
  log::info("runtime", "listening", {{"address", cfg.address}, {"port", static_cast<int64_t>(port)}});
  if (m.synthetic) m.synthetic->start(port);
  m.desks->payments.set_callback_base(fmt::format("http://{}:{}", cfg.address == "0.0.0.0" ? "127.0.0.1" : cfg.address, port));
  return port;
}

void Runtime::serve_standby() {
  Impl& m = *impl_;
  m.standby_handler = std::make_unique<StandbyHandler>(*m.role, m.metrics);
  HttpServer::Options so;
  so.address = m.cfg.address;
  so.port = m.cfg.port;
  so.threads = 1;
  m.standby_server = std::make_unique<HttpServer>(so, *m.standby_handler);
  m.cfg.port = m.standby_server->start();  // the API takes the same port over
  log::info("runtime", "standby: following the leader's journal",
            {{"address", m.cfg.address}, {"port", static_cast<int64_t>(m.cfg.port)}});
  if (m.on_standby) m.on_standby(m.cfg.port);
}

void Runtime::on_standby(std::function<void(uint16_t)> fn) { impl_->on_standby = std::move(fn); }

void Runtime::request_stop(int exit_code) {
  Impl& m = *impl_;
  {
    std::lock_guard lk(m.stop_mu);
    if (m.stop_code) return;
    m.stop_code = exit_code;
  }
  m.stop_asked = true;
  m.stop_cv.notify_all();
}

int Runtime::wait_for_stop() {
  Impl& m = *impl_;
  std::unique_lock lk(m.stop_mu);
  m.stop_cv.wait(lk, [&m] { return m.stop_code.has_value(); });
  return *m.stop_code;
}

void Runtime::stop() {
  Impl& m = *impl_;
  if (!m.started) return;
  m.started = false;
  m.ready = false;
  for (auto& c : m.clients) c->stop();
  if (m.payments.reconciler) m.payments.reconciler->stop();  // it reads the book through the engine
  if (m.hedge_port) m.hedge_port->stop();  // its answers go to the engine: before it stops
  for (auto& p : m.payments.clients) p->stop();
  for (auto& k : m.kyc_vendors) k->stop();   // the same
  if (m.ext) m.ext->stop();
  if (m.standby_watch) m.standby_watch->stop();
  if (m.server) m.server->stop();
  if (m.synthetic) m.synthetic->stop();  // its call in flight ends with the server
  if (m.audit && m.engine) {
    // Anchor the audit's head while the engine can still journal it: a cut
    // tail of what was audited up to now is then detectable.
    try {
      m.audit->catch_up();
      m.audit->anchor_now();
    } catch (const std::exception& e) {
      log::error("runtime", "audit could not anchor at stop", {{"error", e.what()}});
    }
  }
  if (m.engine) m.engine->stop();
  if (m.notifier) m.notifier->stop();
  if (m.journal) m.journal->stop();
  if (m.otlp) {  // after the engine: its last spans are queued; drain them
    m.tracer->set_exporter({});
    m.otlp->stop();
  }
  if (m.projection) {
    try {
      m.projection->catch_up();
    } catch (const std::exception& e) {
      log::error("runtime", "projection could not catch up at stop", {{"error", e.what()}});
    }
    m.projection->stop();
  }
  if (m.audit) {
    try {
      m.audit->catch_up();
    } catch (const std::exception& e) {
      log::error("runtime", "audit could not catch up at stop", {{"error", e.what()}});
    }
    m.audit->stop();
  }
  if (m.trace_retention) m.trace_retention->stop();
  if (m.headroom_watch) m.headroom_watch->stop();
  log::info("runtime", "stopped", {});
  if (m.log_file) log::set_sink({});
  log::configure(nullptr, LogLevel::kInfo);  // the clock goes with this runtime
}

}  // namespace inplay
