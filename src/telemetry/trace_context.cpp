#include "telemetry/trace_context.h"

#include <cstring>
#include <functional>
#include <thread>

#include "core/entropy.h"

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
// shared cache line. Seeded once per thread from entropy64() (core/entropy.h; mixed
// through splitmix64 so a weak device still yields distinct, non-zero state).
struct IdRng {
  uint64_t s[4];
  IdRng() {
    uint64_t seed = entropy64();
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

size_t TraceIdHash::operator()(const TraceId& id) const noexcept {
  static const uint64_t seed = entropy64();
  uint64_t hi, lo;
  std::memcpy(&hi, id.data(), 8);
  std::memcpy(&lo, id.data() + 8, 8);
  uint64_t x = seed ^ hi;
  x = IdRng::splitmix(x) ^ lo;
  return static_cast<size_t>(IdRng::splitmix(x));
}

TraceId new_trace_id() {
  TraceId id;
  uint64_t a = rng().next_nonzero(), b = rng().next();
  std::memcpy(id.data(), &a, 8);
  std::memcpy(id.data() + 8, &b, 8);
  return id;
}

SpanId new_span_id() {
  SpanId id;
  uint64_t a = rng().next_nonzero();
  std::memcpy(id.data(), &a, 8);
  return id;
}

}  // namespace inplay
