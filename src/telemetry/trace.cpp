#include "telemetry/trace.h"

#include <pthread.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <random>
#include <system_error>
#include <thread>

#include "telemetry/sampler.h"

namespace inplay {

namespace {

template <size_t N>
bool all_zero(const std::array<uint8_t, N>& a) {
  for (uint8_t b : a)
    if (b) return false;
  return true;
}

int hex_lower(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

int hex_any(char c) {
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return hex_lower(c);
}

// Decodes 2*n hex chars into out[0..n); false on any non-hex char.
template <int (*Digit)(char)>
bool decode(std::string_view s, uint8_t* out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    int hi = Digit(s[2 * i]), lo = Digit(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

// xoshiro256** per thread: span ids are made on every hop, so no lock and no
// shared cache line. Seeded once per thread from std::random_device (mixed
// through splitmix64 so a weak device still yields distinct, non-zero state).
struct IdRng {
  uint64_t s[4];
  IdRng() {
    std::random_device rd;
    uint64_t seed = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    seed ^= std::hash<std::thread::id>{}(std::this_thread::get_id());
    seed ^= reinterpret_cast<uintptr_t>(this);
    for (auto& x : s) x = splitmix(seed);
  }
  static uint64_t splitmix(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t next() {
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
  // A non-zero 64-bit value (all-zero ids are invalid in W3C trace context).
  uint64_t next_nonzero() {
    uint64_t v;
    do v = next();
    while (v == 0);
    return v;
  }
};

IdRng& rng() {
  thread_local IdRng r;
  return r;
}

}  // namespace

bool TraceContext::valid() const { return !all_zero(trace_id) && !all_zero(span_id); }

std::optional<TraceContext> parse_traceparent(std::string_view h) {
  // version "-" trace-id "-" parent-id "-" trace-flags
  //  2     1   32        1   16         1   2          = 55
  if (h.size() != 55) return std::nullopt;
  if (h[0] != '0' || h[1] != '0') return std::nullopt;
  if (h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  TraceContext ctx;
  if (!decode<hex_lower>(h.substr(3, 32), ctx.trace_id.data(), 16)) return std::nullopt;
  if (!decode<hex_lower>(h.substr(36, 16), ctx.span_id.data(), 8)) return std::nullopt;
  if (!decode<hex_lower>(h.substr(53, 2), &ctx.flags, 1)) return std::nullopt;
  if (!ctx.valid()) return std::nullopt;
  return ctx;
}

namespace {
constexpr char kHex[] = "0123456789abcdef";

char* put_hex(char* out, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    *out++ = kHex[p[i] >> 4];
    *out++ = kHex[p[i] & 15];
  }
  return out;
}
}  // namespace

std::string to_hex(const uint8_t* p, size_t n) {
  std::string out(2 * n, '0');
  put_hex(out.data(), p, n);
  return out;
}

std::string format_traceparent(const TraceContext& ctx) {
  std::string out(55, '-');  // one allocation: "00-" trace "-" span "-" flags
  char* o = out.data();
  o[0] = o[1] = '0';
  put_hex(o + 3, ctx.trace_id.data(), 16);
  put_hex(o + 36, ctx.span_id.data(), 8);
  put_hex(o + 53, &ctx.flags, 1);
  return out;
}

bool parse_trace_id(std::string_view hex, TraceId& out) {
  if (hex.size() != 32) return false;
  TraceId id;
  if (!decode<hex_any>(hex, id.data(), 16)) return false;
  out = id;
  return true;
}

// ----------------------------------------------------------- SpanAttributes

SpanAttributes& SpanAttributes::operator=(const SpanAttributes& o) {
  if (this != &o) {
    rendered_ = o.rendered_;
    copy_held(o);
  }
  return *this;
}

SpanAttributes& SpanAttributes::operator=(SpanAttributes&& o) noexcept {
  if (this != &o) {
    rendered_ = std::move(o.rendered_);
    take_held(o);
  }
  return *this;
}

void SpanAttributes::copy_held(const SpanAttributes& o) {
  count_ = o.count_;
  std::memcpy(static_cast<void*>(held_), o.held_, count_ * sizeof(Held));
}

void SpanAttributes::take_held(SpanAttributes& o) {
  copy_held(o);
  o.count_ = 0;
  o.rendered_.clear();
}

void SpanAttributes::add(std::string_view key, std::string_view value) {
  if (count_ < kHeld && value.size() <= kHeldText && key.size() <= UINT8_MAX) {
    Held& h = held_[count_++];
    h.key = key.data();
    h.key_len = static_cast<uint8_t>(key.size());
    h.len = static_cast<uint8_t>(value.size());
    std::memcpy(h.text, value.data(), value.size());
    return;
  }
  render();  // keeps the order: everything held goes first
  rendered_.emplace_back(key, std::string(value));
}

void SpanAttributes::add(std::string_view key, int64_t value) {
  if (count_ < kHeld && key.size() <= UINT8_MAX) {
    Held& h = held_[count_++];
    h.key = key.data();
    h.key_len = static_cast<uint8_t>(key.size());
    h.len = kInt;
    std::memcpy(h.text, &value, sizeof value);
    return;
  }
  render();
  rendered_.emplace_back(key, std::to_string(value));
}

namespace {

// The decimal text of an int64 in buf (20 chars hold INT64_MIN).
std::string_view int_text(const char* bytes, char (&buf)[20]) {
  int64_t v;
  std::memcpy(&v, bytes, sizeof v);
  return {buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof buf, v).ptr - buf)};
}

}  // namespace

void SpanAttributes::render() const {
  if (count_ == 0) return;
  rendered_.reserve(rendered_.size() + count_);
  char buf[20];
  for (size_t i = 0; i < count_; ++i) {
    const Held& h = held_[i];
    std::string_view v = h.len == kInt ? int_text(h.text, buf) : std::string_view(h.text, h.len);
    rendered_.emplace_back(h.key_view(), std::string(v));
  }
  count_ = 0;
}

bool SpanAttributes::contains(std::string_view key, std::string_view value) const {
  for (const auto& [k, v] : rendered_)
    if (k == key && v == value) return true;
  char buf[20];
  for (size_t i = 0; i < count_; ++i) {
    const Held& h = held_[i];
    if (h.key_view() != key) continue;
    if ((h.len == kInt ? int_text(h.text, buf) : std::string_view(h.text, h.len)) == value) return true;
  }
  return false;
}

// ------------------------------------------------------------------- Tracer

size_t TraceIdHash::operator()(const TraceId& id) const noexcept {
  static const uint64_t seed = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }();
  uint64_t hi, lo;
  std::memcpy(&hi, id.data(), 8);
  std::memcpy(&lo, id.data() + 8, 8);
  uint64_t x = seed ^ hi;
  x = IdRng::splitmix(x) ^ lo;
  return static_cast<size_t>(IdRng::splitmix(x));
}

Tracer::Tracer(size_t max_spans) { store_.max_spans = std::clamp<size_t>(max_spans, 1, UINT32_MAX - 1); }

Tracer::~Tracer() {
  {
    std::lock_guard<std::mutex> g(inbox_.mu);
    inbox_.stop = true;
  }
  inbox_.cv.notify_all();
  if (inbox_.drainer.joinable()) inbox_.drainer.join();
}

TraceId Tracer::new_trace_id() {
  TraceId id;
  uint64_t a = rng().next_nonzero(), b = rng().next();
  std::memcpy(id.data(), &a, 8);
  std::memcpy(id.data() + 8, &b, 8);
  return id;
}

SpanId Tracer::new_span_id() {
  SpanId id;
  uint64_t a = rng().next_nonzero();
  std::memcpy(id.data(), &a, 8);
  return id;
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
  std::vector<Span> copy;
  if (sink_)
    for (const std::vector<Span>* l : lists)
      for (const Span& s : *l) copy.emplace_back(s).attributes.render();
  constexpr size_t kSlice = 1024;  // spans per hold of the store's lock: a reader waits for no more
  size_t held = 0;
  std::unique_lock<std::mutex> lk(store_.mu);
  for (std::vector<Span>* l : lists) {
    for (Span& s : *l) {
      if (held++ == kSlice) {
        lk.unlock();
        lk.lock();
        held = 1;
      }
      store_.put(std::move(s));
    }
  }
  lk.unlock();
  if (!copy.empty()) (*sink_)(copy);
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

// ---------------------------------------------------------------- the store

namespace {
constexpr uint32_t kNone = UINT32_MAX;
}  // namespace

size_t Tracer::TraceIndex::find(const TraceId& id) const {
  if (used_ == 0) return kAbsent;
  const size_t mask = table_.size() - 1;
  for (size_t i = home(id);; i = (i + 1) & mask) {
    const Entry& e = table_[i];
    if (e.chain.head == kFree) return kAbsent;
    if (e.id == id) return i;
  }
}

size_t Tracer::TraceIndex::find_or_add(const TraceId& id, uint32_t slot, bool& fresh) {
  if (2 * (used_ + 1) > table_.size()) grow();
  const size_t mask = table_.size() - 1;
  for (size_t i = home(id);; i = (i + 1) & mask) {
    Entry& e = table_[i];
    fresh = e.chain.head == kFree;
    if (fresh) {
      e = Entry{id, Chain{slot, slot}};
      ++used_;
      return i;
    }
    if (e.id == id) return i;
  }
}

void Tracer::TraceIndex::erase(size_t hole) {
  const size_t mask = table_.size() - 1;
  // Shift back each later entry of the probe run whose home is not in
  // (hole, j]: past an empty slot it could no longer be found.
  for (size_t j = (hole + 1) & mask; table_[j].chain.head != kFree; j = (j + 1) & mask) {
    const size_t h = home(table_[j].id);
    const bool stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
    if (stays) continue;
    table_[hole] = table_[j];
    hole = j;
  }
  table_[hole].chain.head = kFree;
  --used_;
}

void Tracer::TraceIndex::grow() {
  std::vector<Entry> old;
  old.swap(table_);
  table_.assign(std::max<size_t>(1024, 2 * old.size()), Entry{TraceId{}, Chain{kFree, kFree}});
  used_ = 0;
  bool fresh;
  for (const Entry& e : old)
    if (e.chain.head != kFree) chain(find_or_add(e.id, 0, fresh)) = e.chain;
}

void Tracer::Store::unindex(size_t slot) {
  const size_t pos = index.find(ring[slot].trace_id);
  if (pos == TraceIndex::kAbsent) return;
  Chain* c = &index.chain(pos);
  const uint32_t s = static_cast<uint32_t>(slot);
  if (c->head == s) {  // the normal case: the oldest span of its trace
    if (c->tail == s) index.erase(pos);
    else c->head = next_in_trace[s];
    return;
  }
  // Not reached while eviction stays oldest-first; kept so the index can
  // never point at a recycled slot.
  for (uint32_t prev = c->head; prev != kNone; prev = next_in_trace[prev]) {
    if (next_in_trace[prev] == s) {
      next_in_trace[prev] = next_in_trace[s];
      if (c->tail == s) c->tail = prev;
      return;
    }
  }
}

void Tracer::Store::pop_oldest(Span& out) {
  unindex(head);
  out = std::move(ring[head]);
  next_in_trace[head] = kNone;
  head = (head + 1) % max_spans;
  --count;
}

void Tracer::Store::put(Span&& span) {
  size_t pos;
  if (count == max_spans) {  // full: the oldest slot is the next one; reuse it
    unindex(head);
    pos = head;
    head = (head + 1) % max_spans;
    ++evicted;
  } else {
    // While the ring grows, the live range ends at ring.size(), so the next
    // slot is either the end (grow) or a slot freed by expiry (reuse).
    pos = (head + count) % max_spans;
    ++count;
  }
  if (pos == ring.size()) {
    ring.push_back(std::move(span));
    next_in_trace.push_back(kNone);
  } else {
    ring[pos] = std::move(span);
    next_in_trace[pos] = kNone;
  }
  const uint32_t slot = static_cast<uint32_t>(pos);
  bool fresh;
  Chain& c = index.chain(index.find_or_add(ring[slot].trace_id, slot, fresh));
  if (!fresh) {
    next_in_trace[c.tail] = slot;
    c.tail = slot;
  }
}

// --------------------------------------------------------------- the readers

void Tracer::for_each_trace(const TraceVisitor& fn) const {
  drain();
  std::vector<const Span*> buf;
  std::lock_guard<std::mutex> g(store_.mu);
  store_.index.for_each([&](const TraceId&, const Chain& chain) {
    buf.clear();
    for (uint32_t s = chain.head; s != kNone; s = store_.next_in_trace[s]) {
      store_.ring[s].attributes.render();  // under the lock: no reader renders concurrently
      buf.push_back(&store_.ring[s]);
    }
    fn(buf.data(), buf.size());
  });
}

size_t Tracer::span_count() const {
  drain();
  std::lock_guard<std::mutex> g(store_.mu);
  return store_.count;
}

size_t Tracer::trace_count() const {
  drain();
  std::lock_guard<std::mutex> g(store_.mu);
  return store_.index.size();
}

size_t Tracer::expire(int64_t cutoff_ns) {
  drain();
  constexpr size_t kSlice = 4096;  // spans per lock hold
  size_t total = 0;
  std::vector<Span> gone;
  for (;;) {
    gone.clear();
    {
      std::lock_guard<std::mutex> g(store_.mu);
      while (store_.count > 0 && gone.size() < kSlice && store_.ring[store_.head].end_ns < cutoff_ns) {
        gone.emplace_back();
        store_.pop_oldest(gone.back());
      }
      store_.expired += gone.size();
    }
    total += gone.size();
    if (gone.size() < kSlice) return total;  // spans are destroyed outside the lock
  }
}

uint64_t Tracer::expired() const {
  drain();
  std::lock_guard<std::mutex> g(store_.mu);
  return store_.expired;
}

std::vector<Span> Tracer::trace(const TraceId& id) const {
  drain();
  std::vector<Span> out;
  {
    std::lock_guard<std::mutex> g(store_.mu);
    const size_t pos = store_.index.find(id);
    if (pos == TraceIndex::kAbsent) return out;
    for (uint32_t s = store_.index.chain(pos).head; s != kNone; s = store_.next_in_trace[s])
      out.push_back(store_.ring[s]);
  }
  for (Span& s : out) s.attributes.render();
  std::stable_sort(out.begin(), out.end(),
                   [](const Span& a, const Span& b) { return a.start_ns < b.start_ns; });
  return out;
}

uint64_t Tracer::evicted() const {
  drain();
  std::lock_guard<std::mutex> g(store_.mu);
  return store_.evicted;
}

}  // namespace inplay
