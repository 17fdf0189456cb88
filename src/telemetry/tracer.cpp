#include "telemetry/tracer.h"

#include <pthread.h>

#include <chrono>
#include <system_error>
#include <thread>

#include "telemetry/sampler.h"

namespace inplay {

Tracer::Tracer(size_t max_spans) : store_(max_spans) {}

Tracer::~Tracer() {
  {
    std::lock_guard<std::mutex> g(inbox_.mu);
    inbox_.stop = true;
  }
  inbox_.cv.notify_all();
  if (inbox_.drainer.joinable()) inbox_.drainer.join();
}

namespace {

void start_span(Span& s, std::string_view name, const TraceContext& parent, int64_t start_ns,
                Tracer& tracer) {
  if (parent.valid()) {
    s.trace_id = parent.trace_id;
    s.parent_id = parent.span_id;
    s.flags = parent.flags;
    s.local_root = !parent.local;
  } else {
    s.trace_id = tracer.new_trace_id();
  }
  s.span_id = tracer.new_span_id();
  s.name.assign(name.data(), name.size());
  s.start_ns = start_ns;
}

}  // namespace

Span Tracer::start(std::string_view name, const TraceContext& parent, int64_t start_ns) {
  Span s;
  start_span(s, name, parent, start_ns, *this);
  return s;
}

Span& Tracer::start_in(std::vector<Span>& spans, std::string_view name, const TraceContext& parent,
                       int64_t start_ns) {
  Span& s = spans.emplace_back();
  start_span(s, name, parent, start_ns, *this);
  return s;
}

// ------------------------------------------------------------ the hand-off

namespace {

// This thread's spare batch buffers (span_buffer), refilled from the drain's
// emptied batches on record_all(). Bounded: after a burst of bets in flight
// at most kSpareBuffers stay behind.
constexpr size_t kSpareBuffers = 1024;
constexpr size_t kSpareLow = 64;
thread_local std::vector<std::vector<Span>> spare_buffers;

}  // namespace

std::vector<Span> Tracer::span_buffer(size_t n) {
  std::vector<Span> v;
  if (!spare_buffers.empty() && spare_buffers.back().capacity() >= n) {
    v = std::move(spare_buffers.back());
    spare_buffers.pop_back();
  } else {
    v.reserve(n);
  }
  return v;
}

void Tracer::record(Span&& span) {
  bool wake = false, behind;
  {
    std::lock_guard<std::mutex> g(inbox_.mu);
    auto& entries = inbox_.entries;
    if (!inbox_.chunk_open || entries.back().spans.size() == kChunk) {
      std::vector<Span> chunk;
      if (inbox_.spare_chunks.empty()) {
        chunk.reserve(kChunk);
      } else {
        chunk = std::move(inbox_.spare_chunks.back());
        inbox_.spare_chunks.pop_back();
      }
      entries.push_back(Entry{std::move(chunk), true});
      inbox_.chunk_open = true;
    }
    entries.back().spans.push_back(std::move(span));
    behind = after_hand_off_locked(1, wake);
  }
  after_hand_off(wake, behind);
}

void Tracer::record_all(std::vector<Span>&& spans) {
  const size_t n = spans.size();
  if (n == 0) return;
  bool wake = false, behind;
  {
    std::lock_guard<std::mutex> g(inbox_.mu);
    inbox_.entries.push_back(Entry{std::move(spans), false});
    inbox_.chunk_open = false;
    // Take back emptied buffers, a few at a time when running low, so a
    // rise in bets in flight is met from spares rather than malloc.
    auto& back = inbox_.spare_batches;
    size_t want = spare_buffers.size() < kSpareLow ? kSpareLow : 1;
    while (want-- > 0 && !back.empty() && spare_buffers.size() < kSpareBuffers) {
      spare_buffers.push_back(std::move(back.back()));
      back.pop_back();
    }
    behind = after_hand_off_locked(n, wake);
  }
  spans.clear();  // moved from: already empty, now by contract too
  after_hand_off(wake, behind);
}

bool Tracer::after_hand_off_locked(size_t n, bool& wake) {
  if (!inbox_.drainer.joinable() && !inbox_.threadless && !inbox_.stop) {
    try {
      inbox_.drainer = std::thread([this] { drain_loop(); });
    } catch (const std::system_error&) {
      inbox_.threadless = true;  // recorders drain for themselves
    }
  }
  const size_t pending = inbox_.pending += n;
  if ((pending >= kWakeAt || inbox_.idle) && !inbox_.wake) wake = inbox_.wake = true;
  return pending >= kMaxInbox || inbox_.threadless;
}

void Tracer::after_hand_off(bool wake, bool behind) {
  if (wake) inbox_.cv.notify_one();
  if (behind) drain();
}

void Tracer::drain_loop() {
  pthread_setname_np(pthread_self(), "trace-drain");
  std::unique_lock<std::mutex> lk(inbox_.mu);
  int empty_rounds = 0;
  while (!inbox_.stop) {
    // Idle, it sleeps longer; the next hand-off wakes it (once).
    inbox_.idle = empty_rounds >= kIdleAfterRounds;
    const int ms = inbox_.idle ? kIdleDrainEveryMs : kDrainEveryMs;
    inbox_.cv.wait_for(lk, std::chrono::milliseconds(ms), [this] { return inbox_.wake || inbox_.stop; });
    inbox_.idle = false;
    if (inbox_.stop) return;
    inbox_.wake = false;
    if (inbox_.pending == 0) {
      ++empty_rounds;
      continue;
    }
    empty_rounds = 0;
    lk.unlock();
    drain();
    lk.lock();
  }
}

void Tracer::drain() const {
  std::lock_guard<std::mutex> g(drain_mu_);
  drain_locked();
}

void Tracer::drain_locked() const {
  {
    std::lock_guard<std::mutex> g(inbox_.mu);
    draining_.swap(inbox_.entries);
    inbox_.chunk_open = false;
    inbox_.pending = 0;
  }
  if (draining_.empty()) return;
  to_store_.clear();
  if (sampler_) {
    for (Entry& e : draining_) sampler_->admit_into(e.spans, kept_);
    to_store_.push_back(&kept_);
  } else {
    for (Entry& e : draining_) to_store_.push_back(&e.spans);
  }
  store_and_export(to_store_);
  kept_.clear();
  for (Entry& e : draining_) e.spans.clear();
  recycle(draining_);
}

void Tracer::recycle(std::vector<Entry>& drained) const {
  constexpr size_t kMaxSpareChunks = kMaxInbox / kChunk;
  constexpr size_t kMaxSpareBatches = 4096;
  {
    std::lock_guard<std::mutex> g(inbox_.mu);
    for (Entry& e : drained) {
      if (e.chunk) {
        if (inbox_.spare_chunks.size() < kMaxSpareChunks) inbox_.spare_chunks.push_back(std::move(e.spans));
      } else if (inbox_.spare_batches.size() < kMaxSpareBatches) {
        inbox_.spare_batches.push_back(std::move(e.spans));
      }
    }
  }
  drained.clear();  // frees what was not kept, outside the inbox lock
}

void Tracer::store_and_export(const std::vector<std::vector<Span>*>& lists) const {
  store_.put(lists);  // packs copies: the spans themselves can go to the exporter
  if (!sink_) return;
  std::vector<Span> spans;
  for (std::vector<Span>* l : lists)
    for (Span& s : *l) spans.emplace_back(std::move(s)).attributes.render();
  if (!spans.empty()) (*sink_)(spans);
}

void Tracer::set_sampler(std::shared_ptr<TraceSampler> sampler) {
  std::lock_guard<std::mutex> g(drain_mu_);
  drain_locked();
  sampler_ = std::move(sampler);
}

void Tracer::set_exporter(SpanSink sink) {
  std::shared_ptr<const SpanSink> p;
  if (sink) p = std::make_shared<const SpanSink>(std::move(sink));
  std::lock_guard<std::mutex> g(drain_mu_);
  drain_locked();  // what was recorded so far goes to the old sink
  sink_ = std::move(p);
}

// ------------------------------------------------------------- the readers
// Each drains first, so it sees every span whose record() returned before.

void Tracer::for_each_trace(const TraceVisitor& fn) const {
  drain();
  store_.for_each_trace(fn);
}

size_t Tracer::span_count() const {
  drain();
  return store_.span_count();
}

size_t Tracer::trace_count() const {
  drain();
  return store_.trace_count();
}

size_t Tracer::expire(int64_t cutoff_ns) {
  drain();
  return store_.expire(cutoff_ns);
}

uint64_t Tracer::expired() const {
  drain();
  return store_.expired();
}

std::vector<Span> Tracer::trace(const TraceId& id) const {
  drain();
  return store_.trace(id);
}

uint64_t Tracer::evicted() const {
  drain();
  return store_.evicted();
}

}  // namespace inplay
