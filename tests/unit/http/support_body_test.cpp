// Support bodies (src/http/support_body.h): one contact or a batch, read
// strictly — every field checked, unknown fields (free text) refused, a
// batch refused whole at its first bad contact, named by index.
#include "http/support_body.h"

#include <gtest/gtest.h>

namespace inplay {
namespace {

const char* kOne =
    R"({"contact_id":"crm:81723","channel":"chat","tags":["delay","cashout"],"opened_at_ms":1798812000000,"first_reply_ms":42000})";

std::string error_of(std::string_view body) {
  auto r = parse_support_events_body(body);
  if (r.ok()) return "";
  return std::string(error_code_name(r.error().code)) + " " + r.error().message;
}

TEST(SupportBody, OneContact) {
  auto r = parse_support_events_body(kOne);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r.value().batch);
  ASSERT_EQ(r.value().events.size(), 1u);
  const SupportEventBody& e = r.value().events[0];
  EXPECT_EQ(e.contact_id, "crm:81723");
  EXPECT_EQ(e.channel, ContactChannel::kChat);
  EXPECT_EQ(e.tags, (std::vector<std::string>{"delay", "cashout"}));
  EXPECT_EQ(e.opened_at_ms, 1798812000000);
  EXPECT_EQ(e.first_reply_ms, 42000);
  auto unanswered = parse_support_events_body(
      R"({"contact_id":"c1","channel":"email","tags":["payment"],"opened_at_ms":5})");
  ASSERT_TRUE(unanswered.ok());
  EXPECT_FALSE(unanswered.value().events[0].first_reply_ms.has_value());
}

TEST(SupportBody, ABatch) {
  auto r = parse_support_events_body(std::string(R"({"events":[)") + kOne + "," + kOne + "]}");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r.value().batch);
  EXPECT_EQ(r.value().events.size(), 2u);
  EXPECT_EQ(error_of(R"({"events":[]})"), "VALIDATION_FAILED events: must hold at least one contact");
  EXPECT_EQ(error_of(std::string(R"({"events":[)") + kOne + R"(,{"contact_id":"c2","channel":"fax"}]})"),
            "VALIDATION_FAILED events[1].channel: must be chat, email or phone");
  EXPECT_EQ(error_of(std::string(R"({"events":[)") + kOne + R"(,{"contact_id":"c2"}]})"),
            "VALIDATION_FAILED events[1].channel: is required");
  EXPECT_EQ(error_of(std::string(R"({"channel":"chat","events":[)") + kOne + "]}"),
            "VALIDATION_FAILED events: a batch carries only events (or send one contact's fields)");
  EXPECT_EQ(error_of(R"({"events":[1]})"), "VALIDATION_FAILED events[0]: must be an object");
  std::string big = R"({"events":[)";
  for (size_t i = 0; i <= kMaxSupportBatch; ++i) big += std::string(i ? "," : "") + kOne;
  EXPECT_EQ(error_of(big + "]}"), "VALIDATION_FAILED events: at most 500 contacts");
}

TEST(SupportBody, FreeTextIsRefused) {
  EXPECT_EQ(error_of(R"({"contact_id":"c1","channel":"chat","tags":["delay"],"opened_at_ms":5,)"
                     R"("transcript":"Hi, I am Jane Doe and my bet..."})"),
            "VALIDATION_FAILED transcript: unknown field: support events carry ids, channels, tags and times only, "
            "never text (no PII)");
  EXPECT_EQ(error_of(R"({"contact_id":"jane.doe@example.com","channel":"chat","tags":["delay"],"opened_at_ms":5})"),
            "VALIDATION_FAILED contact_id: must match [A-Za-z0-9_.:-]{1,64}");
  EXPECT_EQ(error_of(R"({"contact_id":"c1","channel":"chat","tags":["my bet was not paid"],"opened_at_ms":5})"),
            "VALIDATION_FAILED tags: each tag is [a-z0-9_]{1,32}");
}

TEST(SupportBody, EveryFieldIsChecked) {
  const std::string head = R"({"contact_id":"c1","channel":"chat",)";
  EXPECT_EQ(error_of(head + R"("tags":[],"opened_at_ms":5})"), "VALIDATION_FAILED tags: must name at least one tag");
  EXPECT_EQ(error_of(head + R"("tags":["delay","delay"],"opened_at_ms":5})"),
            "VALIDATION_FAILED tags: 'delay' is given twice");
  EXPECT_EQ(error_of(head + R"("tags":["a","b","c","d","e","f","g","h","i"],"opened_at_ms":5})"),
            "VALIDATION_FAILED tags: at most 8 tags");
  EXPECT_EQ(error_of(head + R"("tags":"delay","opened_at_ms":5})"), "VALIDATION_FAILED tags: must be a list of tags");
  EXPECT_EQ(error_of(head + R"("tags":["delay"],"opened_at_ms":0})"),
            "VALIDATION_FAILED opened_at_ms: must be between 1 and 9000000000000");
  EXPECT_EQ(error_of(head + R"("tags":["delay"],"opened_at_ms":"5"})"),
            "VALIDATION_FAILED opened_at_ms: must be an integer");
  EXPECT_EQ(error_of(head + R"("tags":["delay"],"opened_at_ms":5,"first_reply_ms":-1})"),
            "VALIDATION_FAILED first_reply_ms: must be between 0 and 604800000");
  EXPECT_EQ(error_of(head + R"("tags":["delay"]})"), "VALIDATION_FAILED opened_at_ms: is required");
  EXPECT_EQ(error_of(head + R"("channel":"email","tags":["delay"],"opened_at_ms":5})"),
            "VALIDATION_FAILED channel: is given twice");
  EXPECT_EQ(error_of("{}"), "VALIDATION_FAILED contact_id: is required");
  EXPECT_EQ(error_of("[]"), "MALFORMED_REQUEST body is not a JSON object: not an object");
  EXPECT_EQ(error_of(R"({"contact_id":"c1")"), "MALFORMED_REQUEST body is not a JSON object: invalid JSON");
}

TEST(SupportBody, AStatusNote) {
  auto r = parse_status_note_body(R"({"message":"Some in-play bets are delayed.","status":"degraded"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().status, PublicStatus::kDegraded);
  EXPECT_EQ(r.value().message, "Some in-play bets are delayed.");
  auto err = [](std::string_view body) {
    auto x = parse_status_note_body(body);
    return x.ok() ? std::string() : x.error().message;
  };
  EXPECT_EQ(err(R"({"message":"x"})"), "status: is required");
  EXPECT_EQ(err(R"({"status":"degraded"})"), "message: is required");
  EXPECT_EQ(err(R"({"message":"x","status":"down"})"), "status: must be operational, degraded or major_outage");
  EXPECT_EQ(err(R"({"message":"feed host 10.1.2.3 died","status":"degraded"})"),
            "message: must not contain an IP address");
  EXPECT_EQ(err(R"({"message":"x","status":"degraded","market":101})"),
            "market: unknown field (a status note is a message and a status)");
}

}  // namespace
}  // namespace inplay
