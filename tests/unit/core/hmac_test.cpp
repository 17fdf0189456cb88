// SHA-256 and HMAC-SHA256: RFC 4231's test cases (short, long and
// longer-than-a-block keys), FIPS 180-2's "abc", a digest of parts, agreement with OpenSSL's
// one-shot HMAC() over many key and message lengths, one key object used by
// several threads at once, and an empty key.
#include "core/hmac.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

namespace inplay {

namespace {
std::string hex(const Sha256Digest& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 0xf]);
  }
  return s;
}

std::string openssl_hmac_hex(std::string_view key, std::string_view msg) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  static const unsigned char kNoKey = 0;
  HMAC(EVP_sha256(), key.empty() ? &kNoKey : reinterpret_cast<const unsigned char*>(key.data()),
       static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), mac, &len);
  Sha256Digest d{};
  std::copy(mac, mac + 32, d.begin());
  return hex(d);
}
}  // namespace

TEST(Hmac, MatchesRfc4231) {
  // Case 1 and case 2.
  EXPECT_EQ(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Case 3: 20-byte key of 0xaa, 50 bytes of 0xdd.
  EXPECT_EQ(HmacSha256(std::string(20, '\xaa')).hex(std::string(50, '\xdd')),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  // Case 6: a 131-byte key (longer than the block: hashed first).
  EXPECT_EQ(HmacSha256(std::string(131, '\xaa')).hex("Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // Case 7: the same key, a message longer than the block.
  EXPECT_EQ(HmacSha256(std::string(131, '\xaa'))
                .hex("This is a test using a larger than block-size key and a larger than block-size data. "
                     "The key needs to be hashed before being used by the HMAC algorithm."),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(Hmac, Sha256MatchesFips180) {
  EXPECT_EQ(hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hmac, Sha256OfPartsIsTheSha256OfTheirConcatenation) {
  EXPECT_EQ(hex(sha256({"a", "", "bc"})), hex(sha256("abc")));
  EXPECT_EQ(hex(sha256({})), hex(sha256("")));
  const std::string body(1000, 'x');
  EXPECT_EQ(hex(sha256({"POST", " ", "/v1/bets", "\n", body})), hex(sha256("POST /v1/bets\n" + body)));
}

TEST(Hmac, AgreesWithOpenSslOneShotForEveryKeyAndMessageLength) {
  std::mt19937 rng(20261207);
  auto bytes = [&](size_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(rng() & 0xff);
    return s;
  };
  // Key lengths across the block boundary (64) and the hash size (32);
  // message lengths across one and two blocks.
  for (size_t klen : {0, 1, 31, 32, 33, 63, 64, 65, 127, 128, 200}) {
    const std::string key = bytes(klen);
    const HmacSha256 ready(key);
    for (size_t mlen = 0; mlen <= 300; mlen += 7) {
      const std::string msg = bytes(mlen);
      ASSERT_EQ(ready.hex(msg), openssl_hmac_hex(key, msg)) << "key " << klen << " message " << mlen;
      ASSERT_EQ(hex(ready.mac(msg)), ready.hex(msg));
    }
  }
}

TEST(Hmac, OneKeyServesManyThreadsAtOnce) {
  const HmacSha256 key("a secret shared by every thread");
  const std::string want = key.hex("account-42");
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i)
        if (key.hex("account-42") != want || key.hex(std::to_string(i)) != openssl_hmac_hex("a secret shared by every thread", std::to_string(i))) ++wrong[t];
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong, std::vector<int>(4, 0));
}

TEST(Hmac, ACopyMacsAsTheOriginal) {
  const HmacSha256 a("copy me");
  HmacSha256 b = a;
  EXPECT_EQ(b.hex("x"), a.hex("x"));
  b = HmacSha256("another key");
  EXPECT_NE(b.hex("x"), a.hex("x"));
}

TEST(Hmac, AnEmptyKeyAndMessageStillMac) {
  EXPECT_EQ(hmac_sha256_hex("", ""), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

}  // namespace inplay
