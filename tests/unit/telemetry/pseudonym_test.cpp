#include "telemetry/pseudonym.h"

#include <gtest/gtest.h>

namespace inplay {
namespace {

TEST(Pseudonymizer, StableShapeAndKeyed) {
  Pseudonymizer p("secret-one");
  const std::string id = "acct-12345";
  const std::string m = p.mask(id);
  EXPECT_EQ(m, p.mask(id));
  EXPECT_EQ(m, Pseudonymizer("secret-one").mask(id));
  ASSERT_EQ(m.size(), 18u);
  EXPECT_EQ(m.substr(0, 2), "u_");
  for (char c : m.substr(2)) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << m;
  EXPECT_NE(m, Pseudonymizer("secret-two").mask(id));
  EXPECT_NE(m, p.mask("acct-12346"));
  EXPECT_EQ(m.find(id), std::string::npos);
  EXPECT_EQ(m.find("12345"), std::string::npos);
}

TEST(Pseudonymizer, MatchesHmacSha256) {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
  // HMAC-SHA256 = 5bdcc146bf60754e6a042426089575c7...
  EXPECT_EQ(Pseudonymizer("Jefe").mask("what do ya want for nothing?"), "u_5bdcc146bf60754e");
}

TEST(Pseudonymizer, NeverEchoesTheRawId) {
  // (A one- or two-char id can occur in any hex string by chance; ids of
  // realistic length must not, nor may anything outside the fixed shape.)
  Pseudonymizer p("k");
  for (std::string id : {"user@example.com", "acct-0000042", "4111111111111111", "203.0.113.7", ""}) {
    auto m = p.mask(id);
    EXPECT_EQ(m.size(), 18u);
    EXPECT_EQ(m.rfind("u_", 0), 0u);
    if (!id.empty()) {
      EXPECT_EQ(m.find(id), std::string::npos) << id << " -> " << m;
    }
  }
}

}  // namespace
}  // namespace inplay
