// crc32c (Castagnoli, reflected polynomial 0x82F63B78) for journal records.
//
// Contract (declared in journal/journal.h): crc32c(data, n, crc) extends a
// previous result, so crc32c(b, crc32c(a)) == crc32c(a ++ b); crc = 0 starts
// a fresh checksum; crc32c("123456789") == 0xE3069283. Uses SSE4.2 crc32
// instructions when the CPU has them (checked once at run time), else a
// slicing-by-8 table. Thread-safe, no allocation.
#include <array>
#include <cstdint>
#include <cstring>

#include "journal/journal.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace inplay {
namespace {

constexpr uint32_t kPoly = 0x82F63B78u;

using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables make_tables() {
  Tables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1u) ? kPoly : 0u);
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  }
  return t;
}

constexpr Tables kTables = make_tables();

uint32_t extend_table(uint32_t c, const uint8_t* p, size_t n) {
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);  // little endian host assumed (x86-64, aarch64)
    w ^= c;
    c = kTables[7][w & 0xFF] ^ kTables[6][(w >> 8) & 0xFF] ^ kTables[5][(w >> 16) & 0xFF] ^
        kTables[4][(w >> 24) & 0xFF] ^ kTables[3][(w >> 32) & 0xFF] ^
        kTables[2][(w >> 40) & 0xFF] ^ kTables[1][(w >> 48) & 0xFF] ^ kTables[0][w >> 56];
    p += 8;
    n -= 8;
  }
  while (n--) c = (c >> 8) ^ kTables[0][(c ^ *p++) & 0xFF];
  return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t extend_sse42(uint32_t c, const uint8_t* p, size_t n) {
  uint64_t c64 = c;
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    c64 = _mm_crc32_u64(c64, w);
    p += 8;
    n -= 8;
  }
  c = static_cast<uint32_t>(c64);
  while (n--) c = _mm_crc32_u8(c, *p++);
  return c;
}

bool has_sse42() {
  static const bool yes = __builtin_cpu_supports("sse4.2");
  return yes;
}
#endif

}  // namespace

uint32_t crc32c(const void* data, size_t n, uint32_t crc) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint32_t c = ~crc;
#if defined(__x86_64__)
  if (has_sse42()) return ~extend_sse42(c, p, n);
#endif
  return ~extend_table(c, p, n);
}

namespace detail {
// Exposed for the unit test so the fallback is checked on SSE4.2 machines too.
uint32_t crc32c_portable(const void* data, size_t n, uint32_t crc) {
  return ~extend_table(~crc, static_cast<const uint8_t*>(data), n);
}
}  // namespace detail

}  // namespace inplay
