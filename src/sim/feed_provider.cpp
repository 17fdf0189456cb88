#include "sim/feed_provider.h"

#include <algorithm>
#include <optional>

#include "feed/recovery_request.h"
#include "sim/feed_script.h"
#include "sim/feed_server.h"

namespace inplay {

namespace {

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

}  // namespace

// A provider is three parts under one lock: the script produces the
// messages, the fault filter holds them back and breaks them, the server
// sends what the filter releases.
struct FeedProvider::Impl {
  explicit Impl(FeedProviderConfig c);
  void flush();
  void on_request(std::string_view line);

  FeedProviderConfig cfg;
  mutable std::mutex mu;  // guards all below but the server (thread-safe itself)
  FeedFaults faults;
  FeedFaultFilter filter;
  FeedScript script;
  std::function<void(std::string_view)> local_sink;
  std::string local_out;  // released by the current tick, for local_sink
  bool running = false;
  FeedServer server;
};

// Seeded as FeedProviderConfig::seed says: price noise and fault randomness
// per producer (the matches per event, in FeedScript).
FeedProvider::Impl::Impl(FeedProviderConfig c)
    : cfg(std::move(c)),
      filter(faults, mix_seed(cfg.seed ^ 0xFA017ULL, fnv1a(cfg.producer))),
      script(cfg, faults, filter, mix_seed(cfg.seed, fnv1a(cfg.producer))),
      server(cfg.max_client_backlog_bytes, [this](std::string_view line) { on_request(line); }) {}

void FeedProvider::Impl::flush() {
  std::string batch = filter.release(script.now());
  if (local_sink) local_out += batch;
  if (batch.empty() || !running) return;
  server.broadcast(std::move(batch));
}

void FeedProvider::Impl::on_request(std::string_view line) {
  std::optional<uint64_t> request_id = parse_recovery_request(line);
  if (!request_id) return;  // anything else: ignored
  std::lock_guard lk(mu);
  script.request_snapshot(*request_id);
}

// ---- FeedProvider ----

FeedProvider::FeedProvider(FeedProviderConfig cfg) : impl_(std::make_unique<Impl>(std::move(cfg))) {}

FeedProvider::~FeedProvider() { stop(); }

uint16_t FeedProvider::start() {
  Impl& d = *impl_;
  const uint16_t port = d.server.listen(d.cfg.address, d.cfg.port);
  {
    std::lock_guard lk(d.mu);
    d.running = true;
  }
  d.server.run();
  return port;
}

void FeedProvider::stop() {
  Impl& d = *impl_;
  {
    std::lock_guard lk(d.mu);
    d.running = false;
  }
  d.server.stop();
}

uint16_t FeedProvider::port() const { return impl_->server.port(); }
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
  if (!d.script.tick(now_ms)) return;  // time never goes back
  d.flush();
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
void FeedProvider::disconnect_clients() { impl_->server.disconnect_clients(); }

std::vector<std::string> FeedProvider::snapshot_lines() const {
  std::lock_guard lk(impl_->mu);
  return impl_->script.snapshot_lines();
}

size_t FeedProvider::client_count() const { return impl_->server.client_count(); }
uint64_t FeedProvider::last_seq() const {
  std::lock_guard lk(impl_->mu);
  return impl_->script.last_seq();
}
MatchScore FeedProvider::score(uint64_t event_id) const {
  std::lock_guard lk(impl_->mu);
  return impl_->script.score(event_id);
}
MatchPhase FeedProvider::phase(uint64_t event_id) const {
  std::lock_guard lk(impl_->mu);
  return impl_->script.phase(event_id);
}

}  // namespace inplay
