// SipHash (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012):
// a keyed 64-bit hash for tables whose keys a client chooses. With a key
// the client cannot know, no client can pick inputs that collide in the
// table and turn each lookup into a walk of every entry (hash flooding).
//
// siphash13 is SipHash-1-3 (one compression round per 8-byte word, three
// finalization rounds): the variant hash tables use, about twice the speed
// of the paper's SipHash-2-4, which siphash24 is (for its published test
// vectors). Both read the input as little-endian 64-bit words whatever the
// machine, so a key and an input give the same value everywhere.
//
// siphash24_128 is SipHash-2-4's 128-bit variant.
//
// SipKey::random() draws a key from the system's entropy: a table keyed by
// it places the same keys differently in every process (nothing may depend
// on its order).
#pragma once
#include <cstdint>
#include <string_view>

namespace inplay {

struct SipKey {
  uint64_t k0 = 0, k1 = 0;
  static SipKey random();
};

uint64_t siphash13(const SipKey& key, std::string_view data);
uint64_t siphash24(const SipKey& key, std::string_view data);

// SipHash-2-4 with its 128-bit output (the reference's "SipHash128"; not
// the 64-bit value widened): lo holds output bytes 0-7, hi bytes 8-15, each
// little-endian. Under a secret key two inputs share it with probability
// 2^-128, so it can stand for a client's key in a table that never needs
// the key's text back (wallet/idempotency.h).
struct SipHash128 {
  uint64_t lo = 0, hi = 0;
  bool operator==(const SipHash128&) const = default;
};
SipHash128 siphash24_128(const SipKey& key, std::string_view data);

}  // namespace inplay
