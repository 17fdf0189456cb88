#include "core/siphash.h"

#include "core/entropy.h"

#include <bit>
#include <cstring>

namespace inplay {
namespace {

constexpr uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

// n (<= 8) bytes at p as a little-endian integer.
uint64_t load_le(const char* p, size_t n) {
  if constexpr (std::endian::native == std::endian::little) {
    uint64_t v = 0;
    std::memcpy(&v, p, n);
    return v;
  } else {
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = (v << 8) | static_cast<uint8_t>(p[i]);
    return v;
  }
}

struct State {
  uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }
};

// The state after compressing data with C rounds per word; wide: the
// 128-bit variant's start (v1 ^= 0xee).
template <int C>
State absorb(const SipKey& key, std::string_view data, bool wide) {
  State s{key.k0 ^ 0x736f6d6570736575ull, key.k1 ^ 0x646f72616e646f6dull, key.k0 ^ 0x6c7967656e657261ull,
          key.k1 ^ 0x7465646279746573ull};
  if (wide) s.v1 ^= 0xee;
  auto compress = [&](uint64_t m) {
    s.v3 ^= m;
    for (int i = 0; i < C; ++i) s.round();
    s.v0 ^= m;
  };
  const size_t words = data.size() / 8;
  for (size_t w = 0; w < words; ++w) compress(load_le(data.data() + 8 * w, 8));
  // The last word: the remaining bytes, little-endian, and the length's low
  // byte in the top byte.
  compress(static_cast<uint64_t>(data.size() & 0xff) << 56 | load_le(data.data() + 8 * words, data.size() - 8 * words));
  return s;
}

template <int D>
uint64_t squeeze(State& s, uint64_t mark, bool into_v2) {
  (into_v2 ? s.v2 : s.v1) ^= mark;
  for (int i = 0; i < D; ++i) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

template <int C, int D>
uint64_t siphash(const SipKey& key, std::string_view data) {
  State s = absorb<C>(key, data, false);
  return squeeze<D>(s, 0xff, true);
}

}  // namespace

SipKey SipKey::random() { return SipKey{entropy64(), entropy64()}; }

uint64_t siphash13(const SipKey& key, std::string_view data) { return siphash<1, 3>(key, data); }
uint64_t siphash24(const SipKey& key, std::string_view data) { return siphash<2, 4>(key, data); }

SipHash128 siphash24_128(const SipKey& key, std::string_view data) {
  State s = absorb<2>(key, data, true);
  SipHash128 out;
  out.lo = squeeze<4>(s, 0xee, true);
  out.hi = squeeze<4>(s, 0xdd, false);
  return out;
}

}  // namespace inplay
