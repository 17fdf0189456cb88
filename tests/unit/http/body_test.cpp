// Request bodies (src/http/body.h): valid bodies, every missing field, wrong
// types, out-of-range values, odds as number and string, malformed JSON and
// non-objects, and the account id and idempotency key rules.
#include "http/body.h"

#include <gtest/gtest.h>

#include <string>

namespace inplay {
namespace {

template <class T>
void expect_error(const Result<T>& r, ErrorCode code, const std::string& mention = "") {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, code) << r.error().message;
  if (!mention.empty()) {
    EXPECT_NE(r.error().message.find(mention), std::string::npos) << r.error().message;
  }
}

// A valid bet body with one field replaced (or removed with "").
std::string bet_body(const std::string& field = "", const std::string& value = "") {
  std::pair<std::string, std::string> fields[] = {
      {"account", "\"alice\""},  {"selection_id", "1011"}, {"stake", "1000"},
      {"currency", "\"GBP\""},   {"odds", "\"2.50\""},     {"price_change", "\"better\""}};
  std::string out = "{";
  for (auto& [k, v] : fields) {
    std::string val = k == field ? value : v;
    if (k == field && value.empty()) continue;
    if (out.size() > 1) out += ",";
    out += "\"" + k + "\":" + val;
  }
  return out + "}";
}

TEST(BetBody, Valid) {
  auto r = parse_bet_body(bet_body());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->account, "alice");
  EXPECT_EQ(r->selection_id, 1011u);
  EXPECT_EQ(r->stake, 1000);
  EXPECT_EQ(r->currency, Currency::of("GBP"));
  EXPECT_EQ(r->odds.scaled, 25000);
  EXPECT_EQ(r->policy, PriceChangePolicy::kBetter);
}

TEST(BetBody, PriceChangeIsOptionalAndDefaultsToNone) {
  auto r = parse_bet_body(bet_body("price_change", ""));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->policy, PriceChangePolicy::kNone);
  EXPECT_EQ(parse_bet_body(bet_body("price_change", "\"any\""))->policy, PriceChangePolicy::kAny);
  EXPECT_EQ(parse_bet_body(bet_body("price_change", "\"none\""))->policy, PriceChangePolicy::kNone);
}

TEST(BetBody, UnknownFieldsAndWhitespaceAreFine) {
  auto r = parse_bet_body(" \n{ \"note\": {\"x\": [1, 2]}, " + bet_body().substr(1) + " \n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->stake, 1000);
}

TEST(BetBody, EachMissingFieldIsNamed) {
  for (const char* f : {"account", "selection_id", "stake", "currency", "odds"}) {
    SCOPED_TRACE(f);
    auto r = parse_bet_body(bet_body(f, ""));
    expect_error(r, ErrorCode::kValidationFailed, f);
    EXPECT_NE(r.error().message.find("required"), std::string::npos) << r.error().message;
  }
}

TEST(BetBody, WrongTypesAreNamed) {
  const std::pair<const char*, const char*> cases[] = {
      {"account", "42"},          {"account", "null"},         {"selection_id", "\"1011\""},
      {"selection_id", "10.5"},   {"stake", "\"1000\""},       {"stake", "1.5"},
      {"stake", "true"},          {"stake", "[1000]"},         {"currency", "826"},
      {"odds", "true"},           {"odds", "null"},            {"odds", "[2.5]"},
      {"odds", "{\"v\":2.5}"},    {"price_change", "1"},
  };
  for (auto [f, v] : cases) {
    SCOPED_TRACE(std::string(f) + "=" + v);
    expect_error(parse_bet_body(bet_body(f, v)), ErrorCode::kValidationFailed, f);
  }
}

TEST(BetBody, OutOfRangeValuesAreNamed) {
  const std::pair<const char*, std::string> cases[] = {
      {"selection_id", "0"},
      {"selection_id", "-1"},
      {"selection_id", "18446744073709551615"},  // beyond int64
      {"stake", "0"},
      {"stake", "-5"},
      {"stake", std::to_string(kMaxAmountMinor + 1)},
      {"currency", "\"gbp\""},
      {"currency", "\"GBPX\""},
      {"currency", "\"\""},
      {"odds", "\"1.00\""},
      {"odds", "\"0.5\""},
      {"odds", "\"1000.01\""},
      {"odds", "\"2.12345\""},
      {"odds", "\"NaN\""},
      {"odds", "\"-2.5\""},
      {"odds", "\"\""},
      {"odds", "1000.5"},
      {"odds", "1"},
      {"odds", "2.5e0"},
      {"odds", "-2.5"},
      {"account", "\"al ice\""},
      {"account", "\"house/funding\""},
      {"account", "\"\""},
      {"price_change", "\"sometimes\""},
  };
  for (auto& [f, v] : cases) {
    SCOPED_TRACE(std::string(f) + "=" + v);
    expect_error(parse_bet_body(bet_body(f, v)), ErrorCode::kValidationFailed, f);
  }
  // The bounds themselves are valid.
  EXPECT_TRUE(parse_bet_body(bet_body("stake", "1")).ok());
  EXPECT_TRUE(parse_bet_body(bet_body("stake", std::to_string(kMaxAmountMinor))).ok());
  EXPECT_TRUE(parse_bet_body(bet_body("odds", "\"1.01\"")).ok());
  EXPECT_TRUE(parse_bet_body(bet_body("odds", "\"1000\"")).ok());
}

TEST(BetBody, OddsAsNumberOrString) {
  EXPECT_EQ(parse_bet_body(bet_body("odds", "2.5"))->odds.scaled, 25000);
  EXPECT_EQ(parse_bet_body(bet_body("odds", "\"2.50\""))->odds.scaled, 25000);
  EXPECT_EQ(parse_bet_body(bet_body("odds", "\"2.5\""))->odds.scaled, 25000);
  EXPECT_EQ(parse_bet_body(bet_body("odds", "2.50"))->odds.scaled, 25000);
  EXPECT_EQ(parse_bet_body(bet_body("odds", "3"))->odds.scaled, 30000);
  EXPECT_EQ(parse_bet_body(bet_body("odds", "1.0123"))->odds.scaled, 10123);
  // A number is read exactly from its text, never through a double: 1.1 is 11000.
  EXPECT_EQ(parse_bet_body(bet_body("odds", "1.1"))->odds.scaled, 11000);
  EXPECT_EQ(parse_bet_body(bet_body("odds", "1.01  "))->odds.scaled, 10100);
}

TEST(Body, MalformedJsonIsMalformedRequest) {
  for (const char* b : {"", " ", "{", "}", "{\"stake\":", "{\"account\":\"alice\",}", "not json",
                        "{'account':'alice'}", "{\"a\" 1}", "\xff\xfe"}) {
    SCOPED_TRACE(b);
    expect_error(parse_bet_body(b), ErrorCode::kMalformedRequest);
    expect_error(parse_money_body(b), ErrorCode::kMalformedRequest);
    expect_error(parse_status_body(b), ErrorCode::kMalformedRequest);
    expect_error(parse_integer_field(b, "cap"), ErrorCode::kMalformedRequest);
    expect_error(parse_odds_body(b), ErrorCode::kMalformedRequest);
  }
}

TEST(Body, NonObjectIsMalformedRequest) {
  for (const char* b : {"[]", "[1,2]", "\"str\"", "42", "null", "true", "2.5"}) {
    SCOPED_TRACE(b);
    expect_error(parse_bet_body(b), ErrorCode::kMalformedRequest);
    expect_error(parse_money_body(b), ErrorCode::kMalformedRequest);
    expect_error(parse_status_body(b), ErrorCode::kMalformedRequest);
    expect_error(parse_integer_field(b, "cap"), ErrorCode::kMalformedRequest);
    expect_error(parse_odds_body(b), ErrorCode::kMalformedRequest);
    expect_error(parse_event_state_body(b), ErrorCode::kMalformedRequest);
  }
}

TEST(Body, TrailingContentAfterTheObjectIsMalformed) {
  const std::string ok = "{\"amount\":100,\"currency\":\"GBP\"}";
  ASSERT_TRUE(parse_money_body(ok).ok());
  for (const char* tail : {" x", "{}", ",", "]", " {\"amount\":1}"}) {
    SCOPED_TRACE(tail);
    expect_error(parse_money_body(ok + tail), ErrorCode::kMalformedRequest);
  }
  ASSERT_TRUE(parse_money_body(ok + " \r\n\t").ok());
}

TEST(Body, MalformedValuesOfIgnoredFieldsAreMalformed) {
  for (const char* b : {"{\"x\":[1,,2],\"amount\":100,\"currency\":\"GBP\"}",
                        "{\"amount\":100,\"currency\":\"GBP\",\"x\":tru}",
                        "{\"amount\":100,\"currency\":\"GBP\",\"x\":{\"y\"}}",
                        "{\"amount\":100,\"currency\":\"GBP\",\"x\":}"}) {
    SCOPED_TRACE(b);
    expect_error(parse_money_body(b), ErrorCode::kMalformedRequest);
  }
}

TEST(MoneyBody, ValidMissingWrongAndOutOfRange) {
  auto r = parse_money_body("{\"amount\":2500,\"currency\":\"EUR\"}");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->amount, 2500);
  EXPECT_EQ(r->currency, Currency::of("EUR"));
  expect_error(parse_money_body("{\"currency\":\"EUR\"}"), ErrorCode::kValidationFailed, "amount");
  expect_error(parse_money_body("{\"amount\":1}"), ErrorCode::kValidationFailed, "currency");
  expect_error(parse_money_body("{}"), ErrorCode::kValidationFailed, "amount");
  expect_error(parse_money_body("{\"amount\":\"1\",\"currency\":\"EUR\"}"), ErrorCode::kValidationFailed, "amount");
  expect_error(parse_money_body("{\"amount\":1.5,\"currency\":\"EUR\"}"), ErrorCode::kValidationFailed, "amount");
  expect_error(parse_money_body("{\"amount\":0,\"currency\":\"EUR\"}"), ErrorCode::kValidationFailed, "amount");
  expect_error(parse_money_body("{\"amount\":-1,\"currency\":\"EUR\"}"), ErrorCode::kValidationFailed, "amount");
  expect_error(parse_money_body("{\"amount\":" + std::to_string(kMaxAmountMinor + 1) + ",\"currency\":\"EUR\"}"),
               ErrorCode::kValidationFailed, "amount");
  expect_error(parse_money_body("{\"amount\":99999999999999999999,\"currency\":\"EUR\"}"),
               ErrorCode::kValidationFailed, "amount");
  expect_error(parse_money_body("{\"amount\":1,\"currency\":\"eur\"}"), ErrorCode::kValidationFailed, "currency");
  expect_error(parse_money_body("{\"amount\":1,\"currency\":978}"), ErrorCode::kValidationFailed, "currency");
  EXPECT_EQ(parse_money_body("{\"amount\":" + std::to_string(kMaxAmountMinor) + ",\"currency\":\"EUR\"}")->amount,
            kMaxAmountMinor);
}

TEST(StatusBody, ValidMissingWrongAndOutOfRange) {
  auto r = parse_status_body("{\"status\":\"suspended\",\"reason\":\"goal\"}");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, MarketStatus::kSuspended);
  EXPECT_EQ(r->reason, "goal");
  r = parse_status_body("{\"status\":\"open\"}");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, MarketStatus::kOpen);
  EXPECT_EQ(r->reason, "");
  EXPECT_EQ(parse_status_body("{\"status\":\"closed\"}")->status, MarketStatus::kClosed);
  expect_error(parse_status_body("{\"reason\":\"x\"}"), ErrorCode::kValidationFailed, "status");
  expect_error(parse_status_body("{\"status\":\"settled\"}"), ErrorCode::kValidationFailed, "status");
  expect_error(parse_status_body("{\"status\":\"Open\"}"), ErrorCode::kValidationFailed, "status");
  expect_error(parse_status_body("{\"status\":1}"), ErrorCode::kValidationFailed, "status");
  expect_error(parse_status_body("{\"status\":\"open\",\"reason\":5}"), ErrorCode::kValidationFailed, "reason");
  expect_error(parse_status_body("{\"status\":\"open\",\"reason\":\"" + std::string(201, 'x') + "\"}"),
               ErrorCode::kValidationFailed, "reason");
  EXPECT_TRUE(parse_status_body("{\"status\":\"open\",\"reason\":\"" + std::string(200, 'x') + "\"}").ok());
}

TEST(IntegerField, ValidMissingWrongAndOutOfRange) {
  EXPECT_EQ(parse_integer_field("{\"cap\":500}", "cap").value(), 500);
  EXPECT_EQ(parse_integer_field("{\"cap\":0}", "cap").value(), 0);
  EXPECT_EQ(parse_integer_field("{\"other\":\"x\",\"ms\":5000}", "ms").value(), 5000);
  EXPECT_EQ(parse_integer_field("{\"cap\":" + std::to_string(kMaxAmountMinor) + "}", "cap").value(), kMaxAmountMinor);
  expect_error(parse_integer_field("{\"ms\":5}", "cap"), ErrorCode::kValidationFailed, "cap");
  expect_error(parse_integer_field("{}", "cap"), ErrorCode::kValidationFailed, "cap");
  expect_error(parse_integer_field("{\"cap\":-1}", "cap"), ErrorCode::kValidationFailed, "cap");
  expect_error(parse_integer_field("{\"cap\":\"5\"}", "cap"), ErrorCode::kValidationFailed, "cap");
  expect_error(parse_integer_field("{\"cap\":5.5}", "cap"), ErrorCode::kValidationFailed, "cap");
  expect_error(parse_integer_field("{\"cap\":null}", "cap"), ErrorCode::kValidationFailed, "cap");
  expect_error(parse_integer_field("{\"cap\":" + std::to_string(kMaxAmountMinor + 1) + "}", "cap"),
               ErrorCode::kValidationFailed, "cap");
}

TEST(OddsBody, NumberOrString) {
  EXPECT_EQ(parse_odds_body("{\"odds\":2.5}").value().scaled, 25000);
  EXPECT_EQ(parse_odds_body("{\"odds\":\"2.50\"}").value().scaled, 25000);
  EXPECT_EQ(parse_odds_body("{\"odds\" : 2.5 }").value().scaled, 25000);
  EXPECT_EQ(parse_odds_body("{\"odds\":1000}").value().scaled, kMaxOdds);
  expect_error(parse_odds_body("{}"), ErrorCode::kValidationFailed, "odds");
  expect_error(parse_odds_body("{\"price\":2.5}"), ErrorCode::kValidationFailed, "odds");
  expect_error(parse_odds_body("{\"odds\":1}"), ErrorCode::kValidationFailed, "odds");
  expect_error(parse_odds_body("{\"odds\":\"1.005\"}"), ErrorCode::kValidationFailed, "odds");
  expect_error(parse_odds_body("{\"odds\":false}"), ErrorCode::kValidationFailed, "odds");
  expect_error(parse_odds_body("{\"odds\":2.5e1}"), ErrorCode::kValidationFailed, "odds");
}

TEST(EventStateBody, Values) {
  EXPECT_EQ(parse_event_state_body("{\"state\":\"in_play\"}").value(), EventState::kInPlay);
  EXPECT_EQ(parse_event_state_body("{\"state\":\"pre_match\"}").value(), EventState::kPreMatch);
  EXPECT_EQ(parse_event_state_body("{\"state\":\"ended\"}").value(), EventState::kEnded);
  expect_error(parse_event_state_body("{\"state\":\"half_time\"}"), ErrorCode::kValidationFailed, "state");
  expect_error(parse_event_state_body("{\"state\":2}"), ErrorCode::kValidationFailed, "state");
  expect_error(parse_event_state_body("{}"), ErrorCode::kValidationFailed, "state");
}

TEST(AccountId, Rules) {
  EXPECT_TRUE(valid_account_id("alice"));
  EXPECT_TRUE(valid_account_id("Bob_Smith-1.2"));
  EXPECT_TRUE(valid_account_id("a"));
  EXPECT_TRUE(valid_account_id(std::string(64, 'x')));
  EXPECT_FALSE(valid_account_id(std::string(65, 'x')));
  EXPECT_FALSE(valid_account_id(""));
  EXPECT_FALSE(valid_account_id("house"));
  EXPECT_FALSE(valid_account_id("house/funding"));
  EXPECT_FALSE(valid_account_id("house/revenue"));
  EXPECT_FALSE(valid_account_id("alice/reserved"));  // would alias a reserved account
  EXPECT_FALSE(valid_account_id("al ice"));
  EXPECT_FALSE(valid_account_id(" alice"));
  EXPECT_FALSE(valid_account_id("alice\n"));
  EXPECT_FALSE(valid_account_id("alice\t"));
  EXPECT_FALSE(valid_account_id(std::string("al\0ice", 6)));
  EXPECT_FALSE(valid_account_id("al\xc3\xaf" "ce"));  // non-ASCII
  EXPECT_FALSE(valid_account_id("alice@example.com"));
}

TEST(IdempotencyKey, Rules) {
  EXPECT_TRUE(valid_idempotency_key("k"));
  EXPECT_TRUE(valid_idempotency_key("0af7651916cd43dd8448eb211c80319c"));
  EXPECT_TRUE(valid_idempotency_key(std::string(128, 'k')));
  EXPECT_TRUE(valid_idempotency_key("a:b/c~!"));
  EXPECT_FALSE(valid_idempotency_key(std::string(129, 'k')));
  EXPECT_FALSE(valid_idempotency_key(""));
  EXPECT_FALSE(valid_idempotency_key("a b"));
  EXPECT_FALSE(valid_idempotency_key("a\tb"));
  EXPECT_FALSE(valid_idempotency_key("\x7f"));
  EXPECT_FALSE(valid_idempotency_key("caf\xc3\xa9"));
}

}  // namespace
}  // namespace inplay
