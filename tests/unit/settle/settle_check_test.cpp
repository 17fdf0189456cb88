#include "settle/settle_check.h"

#include <gtest/gtest.h>

using namespace inplay;

namespace {
std::string check(std::string_view in, SettleCheckStats* stats = nullptr) {
  SettleChecker c;
  std::string out;
  SettleCheckStats s = c.run(in, out);
  if (stats) *stats = s;
  return out;
}
}  // namespace

TEST(SettleCheck, OneLinePerBet) {
  SettleCheckStats s;
  std::string out = check(
      R"({"id":"b1","market":"1X2","selection":"H","stake":1000,"odds":"6.36","fthg":2,"ftag":1}
{"id":2,"market":"AH","line":-0.75,"selection":"home","stake":1001,"odds":"1.95","fthg":1,"ftag":0}
{"id":"b3","market":"TOTAL","line":"2.25","selection":"under","stake":500,"odds":"2.00","fthg":1,"ftag":1}

{"id":"b4","market":"BTTS","selection":"no","stake":100,"odds":"1.8","fthg":0,"ftag":0,"extra":{"x":[1]}}
{"id":"b5","market":"AH","line":"+0.25","selection":"away","stake":100,"odds":"2","fthg":3,"ftag":3}
)",
      &s);
  EXPECT_EQ(out,
            "{\"id\":\"b1\",\"outcome\":\"win\",\"return\":6360}\n"
            "{\"id\":2,\"outcome\":\"half_win\",\"return\":1476}\n"
            "{\"id\":\"b3\",\"outcome\":\"half_win\",\"return\":750}\n"
            "{\"id\":\"b4\",\"outcome\":\"win\",\"return\":180}\n"
            "{\"id\":\"b5\",\"outcome\":\"half_win\",\"return\":150}\n");
  EXPECT_EQ(s.bets, 5u);
  EXPECT_EQ(s.errors, 0u);
}

TEST(SettleCheck, RefusedLinesSayWhyAndTheRestGoOn) {
  SettleCheckStats s;
  std::string out = check(
      "not json\n"
      "[1,2]\n"
      "{\"id\":\"a\",\"market\":\"1X2\",\"selection\":\"H\",\"stake\":10,\"odds\":\"2\",\"fthg\":1}\n"
      "{\"id\":\"b\",\"market\":\"1X2\",\"selection\":\"home\",\"stake\":10,\"odds\":\"2\",\"fthg\":1,\"ftag\":0}\n"
      "{\"id\":\"c\",\"market\":\"AH\",\"selection\":\"home\",\"stake\":10,\"odds\":\"2\",\"fthg\":1,\"ftag\":0}\n"
      "{\"id\":\"d\",\"market\":\"AH\",\"line\":0.3,\"selection\":\"home\",\"stake\":10,\"odds\":\"2\",\"fthg\":1,\"ftag\":0}\n"
      "{\"id\":\"e\",\"market\":\"TOTAL\",\"line\":2.5,\"selection\":\"over\",\"stake\":\"10\",\"odds\":\"2\",\"fthg\":1,\"ftag\":0}\n"
      "{\"id\":\"f\",\"market\":\"TOTAL\",\"line\":2.5,\"selection\":\"over\",\"stake\":10,\"odds\":\"1.00\",\"fthg\":1,\"ftag\":0}\n"
      "{\"id\":\"g\",\"market\":\"BTTS\",\"selection\":\"yes\",\"stake\":10,\"odds\":\"2\",\"fthg\":1,\"ftag\":0,\"stake\":5}\n"
      "{\"id\":\"h\",\"market\":\"1X2\",\"selection\":\"D\",\"stake\":10,\"odds\":\"2\",\"fthg\":1,\"ftag\":1} x\n"
      "{\"id\":\"i\",\"market\":\"1X2\",\"selection\":\"D\",\"stake\":0,\"odds\":\"2\",\"fthg\":1,\"ftag\":1}\n"
      "{\"id\":\"j\",\"market\":\"1X2\",\"line\":1,\"selection\":\"D\",\"stake\":10,\"odds\":\"2\",\"fthg\":1,\"ftag\":1}\n"
      "{\"id\":\"ok\",\"market\":\"1X2\",\"selection\":\"D\",\"stake\":10,\"odds\":\"2\",\"fthg\":1,\"ftag\":1}\n",
      &s);
  EXPECT_EQ(s.errors, 12u);
  EXPECT_EQ(s.bets, 1u);
  const char* want[] = {
      R"({"line":1,"error":"invalid_json")",
      R"({"line":2,"error":"invalid_json")",
      R"({"line":3,"id":"a","error":"missing_field","message":"ftag is required"})",
      R"({"line":4,"id":"b","error":"bad_value","message":"selection of a 1X2 bet must be H, D or A"})",
      R"({"line":5,"id":"c","error":"missing_field","message":"line is required for AH"})",
      R"({"line":6,"id":"d","error":"bad_value")",
      R"({"line":7,"id":"e","error":"wrong_type","message":"stake must be an integer"})",
      R"({"line":8,"id":"f","error":"bad_value")",
      R"({"line":9,"id":"g","error":"bad_value","message":"stake given twice"})",
      R"({"line":10,"error":"invalid_json")",  // refused before its id is read
      R"({"line":11,"id":"i","error":"bad_value")",
      R"({"line":12,"id":"j","error":"bad_value","message":"line is for TOTAL and AH only"})",
      R"({"id":"ok","outcome":"win","return":20})",
  };
  size_t pos = 0;
  for (const char* w : want) {
    size_t nl = out.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    EXPECT_EQ(out.substr(pos, std::string_view(w).size()), w);
    pos = nl + 1;
  }
  EXPECT_EQ(pos, out.size());
}
