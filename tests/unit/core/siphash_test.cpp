// SipHash (src/core/siphash.h): SipHash-2-4 gives the paper's published
// values (64- and 128-bit), and all three functions agree with OpenSSL's
// SIPHASH MAC (an independent implementation, asked for the same rounds and
// output size) on random keys and inputs of every length around the 8-byte
// word boundaries; a fresh random key moves every value.
#include "core/siphash.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <random>
#include <string>

namespace inplay {
namespace {

// Key 00 01 .. 0f, as the paper's test vectors use it.
const SipKey kVectorKey{0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};

std::string counting(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i));
  return s;
}

TEST(SipHash, SipHash24GivesThePublishedValues) {
  EXPECT_EQ(siphash24(kVectorKey, counting(0)), 0x726fdb47dd0e0e31ull);
  EXPECT_EQ(siphash24(kVectorKey, counting(1)), 0x74f839c593dc67fdull);
  EXPECT_EQ(siphash24(kVectorKey, counting(15)), 0xa129ca6149be45e5ull);  // the paper's worked example
}

// The reference implementation's first 128-bit vector (empty input, key 00 .. 0f):
// a3 81 7f 04 ba 25 a8 e6 6d f6 72 14 c7 55 02 93.
TEST(SipHash, SipHash128GivesThePublishedValue) {
  const SipHash128 h = siphash24_128(kVectorKey, counting(0));
  EXPECT_EQ(h.lo, 0xe6a825ba047f81a3ull);
  EXPECT_EQ(h.hi, 0x930255c71472f66dull);
}

// OpenSSL's SIPHASH with c compression and d finalization rounds, `size`
// (8 or 16) bytes out (little-endian) into out.
void openssl_siphash_into(const SipKey& key, const std::string& data, unsigned c, unsigned d, size_t size,
                          unsigned char* out);

uint64_t le64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

uint64_t openssl_siphash(const SipKey& key, const std::string& data, unsigned c, unsigned d) {
  unsigned char out[8];
  openssl_siphash_into(key, data, c, d, 8, out);
  return le64(out);
}

SipHash128 openssl_siphash128(const SipKey& key, const std::string& data) {
  unsigned char out[16];
  openssl_siphash_into(key, data, 2, 4, 16, out);
  return SipHash128{le64(out), le64(out + 8)};
}

void openssl_siphash_into(const SipKey& key, const std::string& data, unsigned c, unsigned d, size_t size,
                          unsigned char* out) {
  unsigned char k[16];
  for (int i = 0; i < 8; ++i) {
    k[i] = static_cast<unsigned char>(key.k0 >> (8 * i));
    k[8 + i] = static_cast<unsigned char>(key.k1 >> (8 * i));
  }
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_SIPHASH, nullptr);
  EXPECT_NE(mac, nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
                         OSSL_PARAM_construct_uint(OSSL_MAC_PARAM_C_ROUNDS, &c),
                         OSSL_PARAM_construct_uint(OSSL_MAC_PARAM_D_ROUNDS, &d), OSSL_PARAM_construct_end()};
  size_t out_len = 0;
  EXPECT_EQ(EVP_MAC_init(ctx, k, sizeof k, params), 1);
  EXPECT_EQ(EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()), 1);
  EXPECT_EQ(EVP_MAC_final(ctx, out, &out_len, size), 1);
  EXPECT_EQ(out_len, size);
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
}

TEST(SipHash, BothVariantsAgreeWithOpenSslOnRandomKeysAndInputs) {
  std::mt19937_64 rng(20261207);
  for (int round = 0; round < 300; ++round) {
    const SipKey key{rng(), rng()};
    std::string data(round % 67, '\0');
    for (char& ch : data) ch = static_cast<char>(rng());
    ASSERT_EQ(siphash13(key, data), openssl_siphash(key, data, 1, 3)) << "length " << data.size();
    ASSERT_EQ(siphash24(key, data), openssl_siphash(key, data, 2, 4)) << "length " << data.size();
    const SipHash128 wide = siphash24_128(key, data), theirs = openssl_siphash128(key, data);
    ASSERT_EQ(wide.lo, theirs.lo) << "length " << data.size();
    ASSERT_EQ(wide.hi, theirs.hi) << "length " << data.size();
  }
}

TEST(SipHash, ARandomKeyMovesEveryValue) {
  const SipKey a = SipKey::random(), b = SipKey::random();
  ASSERT_FALSE(a.k0 == b.k0 && a.k1 == b.k1);
  int same = 0;
  for (int i = 0; i < 100; ++i) {
    const std::string k = "web:bet-" + std::to_string(i);
    same += siphash13(a, k) == siphash13(b, k);
    EXPECT_EQ(siphash13(a, k), siphash13(a, k));
  }
  EXPECT_EQ(same, 0);
}

}  // namespace
}  // namespace inplay
