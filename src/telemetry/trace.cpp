#include "telemetry/trace.h"

#include <algorithm>
#include <cstring>
#include <random>
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

std::string to_hex(const uint8_t* p, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[p[i] >> 4];
    out[2 * i + 1] = kHex[p[i] & 15];
  }
  return out;
}

std::string format_traceparent(const TraceContext& ctx) {
  std::string out;
  out.reserve(55);
  out += "00-";
  out += to_hex(ctx.trace_id);
  out.push_back('-');
  out += to_hex(ctx.span_id);
  out.push_back('-');
  out += to_hex(&ctx.flags, 1);
  return out;
}

bool parse_trace_id(std::string_view hex, TraceId& out) {
  if (hex.size() != 32) return false;
  TraceId id;
  if (!decode<hex_any>(hex, id.data(), 16)) return false;
  out = id;
  return true;
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

Tracer::Tracer(size_t max_spans)
    : max_spans_(std::clamp<size_t>(max_spans, 1, UINT32_MAX - 1)) {}

Tracer::~Tracer() = default;

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

Span Tracer::start(std::string_view name, const TraceContext& parent, int64_t start_ns) {
  Span s;
  if (parent.valid()) {
    s.trace_id = parent.trace_id;
    s.parent_id = parent.span_id;
    s.flags = parent.flags;
    s.local_root = !parent.local;
  } else {
    s.trace_id = new_trace_id();
  }
  s.span_id = new_span_id();
  s.name = std::string(name);
  s.start_ns = start_ns;
  return s;
}

namespace {
constexpr uint32_t kNone = UINT32_MAX;
}  // namespace

void Tracer::unindex(size_t slot) {
  auto it = index_.find(ring_[slot].trace_id);
  if (it == index_.end()) return;
  Chain& c = it->second;
  const uint32_t s = static_cast<uint32_t>(slot);
  if (c.head == s) {  // the normal case: the oldest span of its trace
    if (c.tail == s) index_.erase(it);
    else c.head = next_in_trace_[s];
    return;
  }
  // Not reached while eviction stays oldest-first; kept so the index can
  // never point at a recycled slot.
  for (uint32_t prev = c.head; prev != kNone; prev = next_in_trace_[prev]) {
    if (next_in_trace_[prev] == s) {
      next_in_trace_[prev] = next_in_trace_[s];
      if (c.tail == s) c.tail = prev;
      return;
    }
  }
}

void Tracer::record(Span&& span) {
  if (sampler_) {
    std::vector<Span> one;
    one.push_back(std::move(span));
    store_all(sampler_->admit(std::move(one)));
    return;
  }
  Span evicted;  // destroyed after the lock is released
  if (!has_sink_.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> g(mu_);
    store_locked(std::move(span), evicted);
    return;
  }
  std::vector<Span> copy{span};
  std::shared_ptr<const SpanSink> sink;
  {
    std::lock_guard<std::mutex> g(mu_);
    store_locked(std::move(span), evicted);
    sink = sink_;
  }
  if (sink) (*sink)(copy);
}

void Tracer::record_all(std::vector<Span>&& spans) {
  if (sampler_) return store_all(sampler_->admit(std::move(spans)));
  store_all(std::move(spans));
}

void Tracer::store_all(std::vector<Span>&& spans) {
  if (spans.empty()) return;
  std::vector<Span> evicted(spans.size());  // destroyed after the lock is released
  std::vector<Span> copy;
  if (has_sink_.load(std::memory_order_acquire)) copy = spans;
  std::shared_ptr<const SpanSink> sink;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (size_t i = 0; i < spans.size(); ++i) store_locked(std::move(spans[i]), evicted[i]);
    sink = sink_;
  }
  if (sink && !copy.empty()) (*sink)(copy);
}

void Tracer::set_sampler(std::shared_ptr<TraceSampler> sampler) { sampler_ = std::move(sampler); }

void Tracer::set_exporter(SpanSink sink) {
  std::shared_ptr<const SpanSink> p;
  if (sink) p = std::make_shared<const SpanSink>(std::move(sink));
  std::lock_guard<std::mutex> g(mu_);
  sink_ = std::move(p);
  has_sink_.store(static_cast<bool>(sink_), std::memory_order_release);
}

void Tracer::for_each_trace(const TraceVisitor& fn) const {
  std::vector<const Span*> buf;
  std::lock_guard<std::mutex> g(mu_);
  for (const auto& [id, chain] : index_) {
    buf.clear();
    for (uint32_t s = chain.head; s != kNone; s = next_in_trace_[s]) buf.push_back(&ring_[s]);
    fn(buf.data(), buf.size());
  }
}

size_t Tracer::span_count() const {
  std::lock_guard<std::mutex> g(mu_);
  return count_;
}

size_t Tracer::trace_count() const {
  std::lock_guard<std::mutex> g(mu_);
  return index_.size();
}

void Tracer::pop_oldest_locked(Span& out) {
  unindex(head_);
  out = std::move(ring_[head_]);
  next_in_trace_[head_] = kNone;
  head_ = (head_ + 1) % max_spans_;
  --count_;
}

void Tracer::store_locked(Span&& span, Span& evicted) {
  if (count_ == max_spans_) {
    pop_oldest_locked(evicted);
    ++evicted_;
  }
  // While the ring grows, the live range ends at ring_.size(), so the next
  // slot is either the end (grow) or a slot freed by eviction (reuse).
  const size_t pos = (head_ + count_) % max_spans_;
  if (pos == ring_.size()) {
    ring_.push_back(std::move(span));
    next_in_trace_.push_back(kNone);
  } else {
    ring_[pos] = std::move(span);
    next_in_trace_[pos] = kNone;
  }
  ++count_;
  const uint32_t slot = static_cast<uint32_t>(pos);
  auto [it, fresh] = index_.try_emplace(ring_[slot].trace_id, Chain{slot, slot});
  if (!fresh) {
    next_in_trace_[it->second.tail] = slot;
    it->second.tail = slot;
  }
}

size_t Tracer::expire(int64_t cutoff_ns) {
  constexpr size_t kSlice = 4096;  // spans per lock hold
  size_t total = 0;
  std::vector<Span> gone;
  for (;;) {
    gone.clear();
    {
      std::lock_guard<std::mutex> g(mu_);
      while (count_ > 0 && gone.size() < kSlice && ring_[head_].end_ns < cutoff_ns) {
        gone.emplace_back();
        pop_oldest_locked(gone.back());
      }
      expired_ += gone.size();
    }
    total += gone.size();
    if (gone.size() < kSlice) return total;  // spans are destroyed outside the lock
  }
}

uint64_t Tracer::expired() const {
  std::lock_guard<std::mutex> g(mu_);
  return expired_;
}

std::vector<Span> Tracer::trace(const TraceId& id) const {
  std::vector<Span> out;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto it = index_.find(id);
    if (it == index_.end()) return out;
    for (uint32_t s = it->second.head; s != kNone; s = next_in_trace_[s]) out.push_back(ring_[s]);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const Span& a, const Span& b) { return a.start_ns < b.start_ns; });
  return out;
}

uint64_t Tracer::evicted() const {
  std::lock_guard<std::mutex> g(mu_);
  return evicted_;
}

}  // namespace inplay
