#include "sim/feed_provider.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <climits>
#include <deque>
#include <optional>
#include <random>
#include <stdexcept>

#include "core/json.h"
#include "feed/recovery_request.h"

namespace inplay {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

constexpr size_t kMarketsPerEvent = 3;
constexpr int64_t kMinHundredths = 101, kMaxHundredths = 100000;

// Decimal odds of probability p times `factor`, in hundredths, clamped.
int64_t odds_hundredths(double p, double factor) {
  if (!(p > 0)) return kMaxHundredths;
  double h = 100.0 / p * factor;
  if (!(h < static_cast<double>(kMaxHundredths))) return kMaxHundredths;
  return std::clamp<int64_t>(std::llround(h), kMinHundredths, kMaxHundredths);
}

std::string format_hundredths(int64_t h) {
  std::string s = std::to_string(h / 100);
  s += '.';
  s += static_cast<char>('0' + (h % 100) / 10);
  s += static_cast<char>('0' + h % 10);
  return s;
}

struct Market {
  uint64_t id = 0;
  std::vector<uint64_t> selections;
  std::vector<int64_t> last_fair;  // hundredths, without noise
  std::string_view last_status;
  int64_t last_sent_ms = INT64_MIN;
};

struct Match {
  SimMatchConfig cfg;
  MatchSim sim;
  std::vector<Market> markets;
  int64_t suspended_until = INT64_MIN;
  bool closed = false;  // full time sent
};

std::vector<double> market_probs(const FairProbabilities& f, size_t i) {
  if (i == 0) return {f.home, f.draw, f.away};
  if (i == 1) return {f.over, f.under};
  return {f.btts_yes, f.btts_no};
}

struct Outgoing {
  int64_t due_ms;
  std::string line;
};

}  // namespace

class FeedSession;

struct FeedProvider::Impl {
  explicit Impl(FeedProviderConfig c);

  // ---- tick side (under mu) ----
  template <class Body>
  std::string build(std::string_view type, uint64_t seq, uint64_t event_id, const std::string* league,
                    Body&& body) const;
  template <class Body>
  bool emit(std::string_view type, uint64_t event_id, const std::string* league, Body&& body);
  std::string_view status_of(const Match& m, const std::vector<double>& p) const;
  void write_markets(JsonWriter& w, const Match& m, const std::vector<size_t>& which,
                     const FairProbabilities& f, bool rename, std::mt19937_64& rng) const;
  void on_match_event(Match& m, const MatchEvent& e);
  void publish_odds(Match& m);
  void send_snapshot(uint64_t request_id);
  void flush();
  bool chance(double p) { return p > 0 && uniform01(fault_rng()) < p; }
  Match* find(uint64_t event_id);

  // ---- I/O side (I/O thread) ----
  void accept();
  void on_request(std::string_view line);
  void remove(const std::shared_ptr<FeedSession>& s);
  void close_all();

  FeedProviderConfig cfg;
  mutable std::mutex mu;
  std::vector<Match> matches;
  FeedFaults faults;
  mutable std::mt19937_64 noise_rng;
  std::mt19937_64 fault_rng;
  uint64_t seq = 0;
  int64_t now = INT64_MIN;
  int64_t next_alive = INT64_MIN;
  int64_t last_due = INT64_MIN;
  std::deque<Outgoing> pending;
  std::function<void(std::string_view)> local_sink;
  std::string local_out;  // released by the current tick, for local_sink
  std::optional<std::string> held;  // reorder: waits for the next message
  std::vector<uint64_t> recovery_requests;
  bool running = false;

  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{io};
  std::set<std::shared_ptr<FeedSession>> sessions;  // I/O thread
  std::atomic<size_t> nclients{0};
  std::thread thread;
  uint16_t port = 0;
};

// One client connection: writes the broadcast stream in order, reads
// request lines. I/O thread only.
class FeedSession : public std::enable_shared_from_this<FeedSession> {
 public:
  FeedSession(tcp::socket s, FeedProvider::Impl& owner) : sock_(std::move(s)), owner_(owner), buf_(1 << 20) {}

  void start() { read(); }

  void send(const std::shared_ptr<const std::string>& data) {
    if (closed_) return;
    backlog_ += data->size();
    if (backlog_ > owner_.cfg.max_client_backlog_bytes) {
      close();
      return;
    }
    queue_.push_back(data);
    if (!writing_) write();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ec;
    sock_.shutdown(tcp::socket::shutdown_both, ec);
    sock_.close(ec);
    owner_.remove(shared_from_this());
  }

 private:
  void read() {
    asio::async_read_until(sock_, buf_, '\n',
                           [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                             if (ec) return self->close();
                             std::string line(asio::buffers_begin(self->buf_.data()),
                                              asio::buffers_begin(self->buf_.data()) + n);
                             self->buf_.consume(n);
                             self->owner_.on_request(line);
                             self->read();
                           });
  }

  void write() {
    writing_ = true;
    asio::async_write(sock_, asio::buffer(*queue_.front()),
                      [self = shared_from_this()](boost::system::error_code ec, size_t) {
                        if (ec) return self->close();
                        self->backlog_ -= self->queue_.front()->size();
                        self->queue_.pop_front();
                        if (self->queue_.empty()) {
                          self->writing_ = false;
                        } else {
                          self->write();
                        }
                      });
  }

  tcp::socket sock_;
  FeedProvider::Impl& owner_;
  asio::streambuf buf_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  size_t backlog_ = 0;
  bool writing_ = false;
  bool closed_ = false;
};

FeedProvider::Impl::Impl(FeedProviderConfig c)
    : cfg(std::move(c)),
      noise_rng(mix_seed(cfg.seed, fnv1a(cfg.producer))),
      fault_rng(mix_seed(cfg.seed ^ 0xFA017ULL, fnv1a(cfg.producer))) {
  for (const SimMatchConfig& mc : cfg.matches) {
    GoalModelParams gp = cfg.shape;
    gp.lambda_home = mc.lambda_home;
    gp.lambda_away = mc.lambda_away;
    MatchSimConfig sc{gp, mc.kickoff_ms, cfg.timing, mix_seed(cfg.seed, mc.event_id)};
    Match m{mc, MatchSim(sc), {}, INT64_MIN, false};
    for (size_t i = 0; i < kMarketsPerEvent; ++i) {
      Market mk;
      mk.id = mc.event_id * 100 + i + 1;
      size_t n = i == 0 ? 3 : 2;
      for (size_t s = 0; s < n; ++s) mk.selections.push_back(mk.id * 10 + s + 1);
      m.markets.push_back(std::move(mk));
    }
    matches.push_back(std::move(m));
  }
}

Match* FeedProvider::Impl::find(uint64_t event_id) {
  for (Match& m : matches) {
    if (m.cfg.event_id == event_id) return &m;
  }
  return nullptr;
}

template <class Body>
std::string FeedProvider::Impl::build(std::string_view type, uint64_t s, uint64_t event_id,
                                      const std::string* league, Body&& body) const {
  bool skewed = league != nullptr && faults.skew.leagues.count(*league) > 0;
  std::string_view schema =
      skewed && faults.skew.mode == SkewMode::kVersion ? std::string_view(faults.skew.version)
                                                       : std::string_view(cfg.schema);
  JsonWriter w;
  w.begin_object();
  w.field("type", type).field("producer", cfg.producer).field("schema", schema);
  w.field("seq", s).field("ts", now + cfg.latency_ms).field("event_id", event_id);
  body(w, skewed && faults.skew.mode == SkewMode::kRenameField);
  w.end_object();
  std::string line = w.take();
  line += '\n';
  return line;
}

// Uses the next seq and queues the line, due after the latencies. Nothing
// is produced while stalled (false).
template <class Body>
bool FeedProvider::Impl::emit(std::string_view type, uint64_t event_id, const std::string* league,
                              Body&& body) {
  if (faults.stall) return false;
  std::string line = build(type, ++seq, event_id, league, body);
  int64_t jitter = 0;
  if (faults.jitter_ms > 0) {
    jitter = static_cast<int64_t>(uniform01(fault_rng()) * static_cast<double>(faults.jitter_ms + 1));
  }
  int64_t due = std::max(now + cfg.latency_ms + faults.added_latency_ms + jitter, last_due);
  last_due = due;
  pending.push_back({due, std::move(line)});
  return true;
}

std::string_view FeedProvider::Impl::status_of(const Match& m, const std::vector<double>& p) const {
  if (m.sim.phase() == MatchPhase::kEnded) return "closed";
  if (now < m.suspended_until) return "suspended";
  for (double x : p) {
    if (x < 1e-9) return "suspended";  // result already certain
  }
  return "open";
}

void FeedProvider::Impl::write_markets(JsonWriter& w, const Match& m, const std::vector<size_t>& which,
                                       const FairProbabilities& f, bool rename,
                                       std::mt19937_64& rng) const {
  w.field("league", m.cfg.league);
  w.key("markets").begin_array();
  for (size_t i : which) {
    const Market& mk = m.markets[i];
    std::vector<double> p = market_probs(f, i);
    std::string_view status = status_of(m, p);
    w.begin_object().field("market_id", mk.id).field("status", status);
    w.key(rename ? std::string_view(faults.skew.rename_to) : std::string_view("outcomes"));
    w.begin_array();
    if (status != "closed") {
      for (size_t s = 0; s < mk.selections.size(); ++s) {
        double factor = 1.0;
        if (cfg.noise > 0) factor += cfg.noise * (2 * uniform01(rng()) - 1);
        w.begin_object().field("selection_id", mk.selections[s]);
        w.field("odds", format_hundredths(odds_hundredths(p[s], factor))).end_object();
      }
    }
    w.end_array().end_object();
  }
  w.end_array();
}

void FeedProvider::Impl::on_match_event(Match& m, const MatchEvent& e) {
  const uint64_t eid = m.cfg.event_id;
  const std::string* league = &m.cfg.league;
  switch (e.kind) {
    case MatchEventKind::kKickoff:
      emit("fixture_change", eid, league, [&](JsonWriter& w, bool) {
        w.field("change", "started").field("kickoff", m.cfg.kickoff_ms);
      });
      break;
    case MatchEventKind::kGoal: {
      int64_t until = e.at_ms + cfg.reopen_after_goal_ms;
      if (until <= now) break;  // caught up after the fact: already reopened
      m.suspended_until = until;
      bool sent = emit("bet_stop", eid, league, [&](JsonWriter& w, bool) {
        w.key("market_ids").begin_array();
        for (const Market& mk : m.markets) w.value(mk.id);
        w.end_array().field("reason", "goal");
      });
      if (sent) {
        for (Market& mk : m.markets) mk.last_status = "suspended";
      }
      break;
    }
    case MatchEventKind::kHalfTime:
    case MatchEventKind::kSecondHalf:
      break;  // the protocol has no message for these; prices just pause
    case MatchEventKind::kFullTime: {
      emit("fixture_change", eid, league,
           [&](JsonWriter& w, bool) { w.field("change", "ended").field("kickoff", m.cfg.kickoff_ms); });
      FairProbabilities f = m.sim.fair(cfg.total_goals_line);
      std::vector<size_t> all{0, 1, 2};
      emit("odds_change", eid, league,
           [&](JsonWriter& w, bool rename) { write_markets(w, m, all, f, rename, noise_rng); });
      const MatchScore s = e.score;
      const uint64_t winners[kMarketsPerEvent] = {
          s.home > s.away ? 0u : s.home == s.away ? 1u : 2u,
          s.home + s.away > cfg.total_goals_line ? 0u : 1u,
          s.home > 0 && s.away > 0 ? 0u : 1u};
      emit("bet_settlement", eid, league, [&](JsonWriter& w, bool) {
        w.key("markets").begin_array();
        for (size_t i = 0; i < kMarketsPerEvent; ++i) {
          const Market& mk = m.markets[i];
          w.begin_object().field("market_id", mk.id);
          w.key("winning_selection_ids").begin_array().value(mk.selections[winners[i]]).end_array();
          w.key("void_selection_ids").begin_array().end_array().end_object();
        }
        w.end_array();
      });
      m.closed = true;
      break;
    }
  }
}

void FeedProvider::Impl::publish_odds(Match& m) {
  if (m.closed || faults.stall) return;
  FairProbabilities f = m.sim.fair(cfg.total_goals_line);
  std::vector<size_t> changed;
  std::vector<std::vector<int64_t>> fair(kMarketsPerEvent);
  std::vector<std::string_view> status(kMarketsPerEvent);
  for (size_t i = 0; i < kMarketsPerEvent; ++i) {
    Market& mk = m.markets[i];
    std::vector<double> p = market_probs(f, i);
    for (double x : p) fair[i].push_back(odds_hundredths(x, 1.0));
    status[i] = status_of(m, p);
    if (status[i] != mk.last_status || fair[i] != mk.last_fair ||
        mk.last_sent_ms == INT64_MIN || now - mk.last_sent_ms >= cfg.refresh_ms) {
      changed.push_back(i);
    }
  }
  if (changed.empty()) return;
  emit("odds_change", m.cfg.event_id, &m.cfg.league,
       [&](JsonWriter& w, bool rename) { write_markets(w, m, changed, f, rename, noise_rng); });
  for (size_t i : changed) {
    m.markets[i].last_fair = fair[i];
    m.markets[i].last_status = status[i];
    m.markets[i].last_sent_ms = now;
  }
}

void FeedProvider::Impl::send_snapshot(uint64_t request_id) {
  std::vector<size_t> all{0, 1, 2};
  for (Match& m : matches) {
    FairProbabilities f = m.sim.fair(cfg.total_goals_line);
    emit("odds_change", m.cfg.event_id, &m.cfg.league,
         [&](JsonWriter& w, bool rename) { write_markets(w, m, all, f, rename, noise_rng); });
  }
  emit("snapshot_complete", 0, nullptr,
       [&](JsonWriter& w, bool) { w.field("request_id", request_id); });
}

void FeedProvider::Impl::flush() {
  if (faults.stall) return;
  std::string batch;
  while (!pending.empty() && pending.front().due_ms <= now) {
    std::string line = std::move(pending.front().line);
    pending.pop_front();
    if (chance(faults.drop)) continue;
    if (held) {
      batch += line;
      batch += *held;
      held.reset();
    } else if (chance(faults.reorder)) {
      held = line;
      continue;
    } else {
      batch += line;
    }
    if (chance(faults.duplicate)) batch += line;
  }
  if (local_sink) local_out += batch;
  if (batch.empty() || !running) return;
  auto data = std::make_shared<const std::string>(std::move(batch));
  asio::post(io, [this, data] {
    auto copy = sessions;  // a failing send removes itself
    for (const auto& s : copy) s->send(data);
  });
}

void FeedProvider::Impl::accept() {
  acceptor.async_accept([this](boost::system::error_code ec, tcp::socket s) {
    if (!acceptor.is_open()) return;
    if (!ec) {
      boost::system::error_code ignored;
      s.set_option(tcp::no_delay(true), ignored);
      auto session = std::make_shared<FeedSession>(std::move(s), *this);
      sessions.insert(session);
      nclients = sessions.size();
      session->start();
    }
    accept();
  });
}

void FeedProvider::Impl::on_request(std::string_view line) {
  std::optional<uint64_t> request_id = parse_recovery_request(line);
  if (!request_id) return;  // anything else: ignored
  std::lock_guard lk(mu);
  recovery_requests.push_back(*request_id);
}

void FeedProvider::Impl::remove(const std::shared_ptr<FeedSession>& s) {
  sessions.erase(s);
  nclients = sessions.size();
}

void FeedProvider::Impl::close_all() {
  auto copy = sessions;
  for (const auto& s : copy) s->close();
}

// ---- FeedProvider ----

FeedProvider::FeedProvider(FeedProviderConfig cfg) : impl_(std::make_unique<Impl>(std::move(cfg))) {}

FeedProvider::~FeedProvider() { stop(); }

uint16_t FeedProvider::start() {
  Impl& d = *impl_;
  tcp::endpoint ep(asio::ip::make_address(d.cfg.address), d.cfg.port);
  d.acceptor.open(ep.protocol());
  d.acceptor.set_option(tcp::acceptor::reuse_address(true));
  d.acceptor.bind(ep);
  d.acceptor.listen();
  d.port = d.acceptor.local_endpoint().port();
  d.work.emplace(asio::make_work_guard(d.io));
  d.accept();
  {
    std::lock_guard lk(d.mu);
    d.running = true;
  }
  d.thread = std::thread([&d] {
    pthread_setname_np(pthread_self(), "sim-feed-io");
    d.io.run();
  });
  return d.port;
}

void FeedProvider::stop() {
  Impl& d = *impl_;
  {
    std::lock_guard lk(d.mu);
    d.running = false;
  }
  if (!d.thread.joinable()) return;
  asio::post(d.io, [&d] {
    boost::system::error_code ec;
    d.acceptor.close(ec);
    d.close_all();
  });
  d.work.reset();
  d.thread.join();
}

uint16_t FeedProvider::port() const { return impl_->port; }
const std::string& FeedProvider::producer() const { return impl_->cfg.producer; }

void FeedProvider::set_local_sink(std::function<void(std::string_view)> sink) {
  std::lock_guard lk(impl_->mu);
  impl_->local_sink = std::move(sink);
}

void FeedProvider::request(std::string_view line) { impl_->on_request(line); }

void FeedProvider::tick(int64_t now_ms) {
  tick_locked(now_ms);
  std::string out;
  std::function<void(std::string_view)> sink;
  {
    std::lock_guard lk(impl_->mu);
    out.swap(impl_->local_out);
    sink = impl_->local_sink;
  }
  if (sink && !out.empty()) sink(out);
}

void FeedProvider::tick_locked(int64_t now_ms) {
  Impl& d = *impl_;
  std::lock_guard lk(d.mu);
  if (now_ms < d.now) return;  // time never goes back
  d.now = now_ms;
  for (Match& m : d.matches) {
    for (const MatchEvent& e : m.sim.advance_to(now_ms)) d.on_match_event(m, e);
    d.publish_odds(m);
  }
  if (!d.faults.stall) {
    for (uint64_t id : d.recovery_requests) d.send_snapshot(id);
    d.recovery_requests.clear();
    if (d.next_alive == INT64_MIN) d.next_alive = now_ms;
    if (now_ms >= d.next_alive) {
      d.emit("alive", 0, nullptr, [](JsonWriter& w, bool) { w.field("subscribed", true); });
      d.next_alive += d.cfg.alive_interval_ms;
      if (d.next_alive <= now_ms) d.next_alive = now_ms + d.cfg.alive_interval_ms;
    }
  }
  d.flush();
}

FeedFaults FeedFaultPatch::applied_to(FeedFaults f) const {
  if (latency_ms) f.added_latency_ms = *latency_ms;
  if (jitter_ms) f.jitter_ms = *jitter_ms;
  if (stall) f.stall = *stall;
  if (drop) f.drop = *drop;
  if (duplicate) f.duplicate = *duplicate;
  if (reorder) f.reorder = *reorder;
  if (skew_leagues) f.skew.leagues = std::set<std::string>(skew_leagues->begin(), skew_leagues->end());
  if (skew_mode) f.skew.mode = *skew_mode;
  if (skew_version) f.skew.version = *skew_version;
  return f;
}

FeedFaults FeedProvider::apply(const FeedFaultPatch& p) {
  FeedFaults now;
  {
    std::lock_guard lk(impl_->mu);
    impl_->faults = p.applied_to(impl_->faults);
    now = impl_->faults;
  }
  if (p.disconnect && *p.disconnect) disconnect_clients();
  return now;
}

void FeedProvider::set_faults(const FeedFaults& f) {
  std::lock_guard lk(impl_->mu);
  impl_->faults = f;
}
FeedFaults FeedProvider::faults() const {
  std::lock_guard lk(impl_->mu);
  return impl_->faults;
}
void FeedProvider::set_added_latency(int64_t latency_ms, int64_t jitter_ms) {
  std::lock_guard lk(impl_->mu);
  impl_->faults.added_latency_ms = std::max<int64_t>(0, latency_ms);
  impl_->faults.jitter_ms = std::max<int64_t>(0, jitter_ms);
}
void FeedProvider::set_stall(bool on) {
  std::lock_guard lk(impl_->mu);
  impl_->faults.stall = on;
}
void FeedProvider::set_drop(double p) {
  std::lock_guard lk(impl_->mu);
  impl_->faults.drop = std::clamp(p, 0.0, 1.0);
}
void FeedProvider::set_duplicate(double p) {
  std::lock_guard lk(impl_->mu);
  impl_->faults.duplicate = std::clamp(p, 0.0, 1.0);
}
void FeedProvider::set_reorder(double p) {
  std::lock_guard lk(impl_->mu);
  impl_->faults.reorder = std::clamp(p, 0.0, 1.0);
}
void FeedProvider::set_schema_skew(SchemaSkew skew) {
  std::lock_guard lk(impl_->mu);
  impl_->faults.skew = std::move(skew);
}
void FeedProvider::disconnect_clients() {
  Impl& d = *impl_;
  asio::post(d.io, [&d] { d.close_all(); });
}

std::vector<std::string> FeedProvider::snapshot_lines() const {
  const Impl& d = *impl_;
  std::lock_guard lk(d.mu);
  std::mt19937_64 rng = d.noise_rng;  // a copy: nothing is used up
  std::vector<std::string> out;
  std::vector<size_t> all{0, 1, 2};
  uint64_t s = d.seq;
  for (const Match& m : d.matches) {
    FairProbabilities f = m.sim.fair(d.cfg.total_goals_line);
    out.push_back(d.build("odds_change", ++s, m.cfg.event_id, &m.cfg.league,
                          [&](JsonWriter& w, bool rename) { d.write_markets(w, m, all, f, rename, rng); }));
  }
  return out;
}

size_t FeedProvider::client_count() const { return impl_->nclients.load(); }
uint64_t FeedProvider::last_seq() const {
  std::lock_guard lk(impl_->mu);
  return impl_->seq;
}
MatchScore FeedProvider::score(uint64_t event_id) const {
  std::lock_guard lk(impl_->mu);
  const Match* m = impl_->find(event_id);
  return m ? m->sim.score() : MatchScore{};
}
MatchPhase FeedProvider::phase(uint64_t event_id) const {
  std::lock_guard lk(impl_->mu);
  const Match* m = impl_->find(event_id);
  return m ? m->sim.phase() : MatchPhase::kPreMatch;
}

// ---- RealTimeDriver ----

RealTimeDriver::RealTimeDriver(FeedProvider& provider, Clock& clock, std::chrono::milliseconds period)
    : provider_(provider), clock_(clock), period_(period) {}

RealTimeDriver::~RealTimeDriver() { stop(); }

void RealTimeDriver::start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lk(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
}

void RealTimeDriver::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RealTimeDriver::run() {
  pthread_setname_np(pthread_self(), "sim-feed-tick");
  std::unique_lock lk(mu_);
  while (!stopping_) {
    lk.unlock();
    provider_.tick(to_ms(clock_.now()));
    lk.lock();
    cv_.wait_for(lk, period_, [this] { return stopping_; });
  }
}

}  // namespace inplay
