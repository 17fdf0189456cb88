// SHA-256 and HMAC-SHA256: the one digest and the one keyed MAC of the code
// base (API token hashes, idempotency fingerprints, the state hash, account
// pseudonyms, the audit chain's records, the
// simulated PSPs' callback signatures and the book checking them).
//
// HmacSha256 readies a key once (RFC 2104: the key padded to SHA-256's
// 64-byte block, XORed with ipad and opad; a longer key is hashed first) and
// then MACs any number of messages with it: the hot callers (a pseudonym per
// bet at the edge, a MAC per audit record) pay for the two hashes, each
// over its pad block and its input, and nothing else — no per-call lookup
// of the algorithm by name, as OpenSSL 3's one-shot HMAC() and SHA256() do
// (4-5x slower; docs/benchmarks.md). Keeping the hash states after the pad
// blocks would save one block each (287 vs 382 ns per MAC measured) but
// means copying one shared OpenSSL context from every thread, which
// openssl-threads(7) does not promise is safe.
// Thread-safe: the key object is immutable after construction, and each
// thread hashes in its own OpenSSL context. Every function throws
// std::runtime_error if OpenSSL fails: never an unkeyed or empty answer.
#pragma once
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace inplay {

using Sha256Digest = std::array<uint8_t, 32>;

// SHA-256(bytes).
Sha256Digest sha256(std::string_view bytes);
// SHA-256 of the parts written one after the other (no copy made).
Sha256Digest sha256(std::initializer_list<std::string_view> parts);
// SHA-256(bytes) as 64 lowercase hex digits (API tokens' hashes in a config).
std::string sha256_hex(std::string_view bytes);

class HmacSha256 {
 public:
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();  // wipes the key's pads
  HmacSha256(const HmacSha256&) = default;
  HmacSha256& operator=(const HmacSha256&) = default;

  // HMAC-SHA256(key, bytes).
  Sha256Digest mac(std::string_view bytes) const;
  // The same as 64 lowercase hex digits.
  std::string hex(std::string_view bytes) const;

 private:
  static constexpr size_t kBlock = 64;
  std::array<uint8_t, kBlock> inner_pad_{};  // key ^ 0x36...
  std::array<uint8_t, kBlock> outer_pad_{};  // key ^ 0x5c...
};

// HMAC-SHA256(key, bytes) as 64 lowercase hex digits, for a key used once;
// a key used again and again is an HmacSha256.
std::string hmac_sha256_hex(std::string_view key, std::string_view bytes);

// Compares two strings in time that depends only on their lengths: a
// signature check must not tell a forger how much of a guess was right.
bool equal_in_constant_time(std::string_view a, std::string_view b);

}  // namespace inplay
