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

}  // namespace inplay
