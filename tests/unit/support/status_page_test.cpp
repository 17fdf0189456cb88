// The public status page (src/support/status_note.h, status_board.h): what
// a note may say, the page's overall status (the worst note's), its order,
// and that it carries nothing but the notes.
#include <gtest/gtest.h>

#include "support/status_board.h"
#include "support/status_note.h"

namespace inplay {
namespace {

constexpr int64_t kStart = 1'800'000'000'000'000'000;

StatusNote note(PublicStatus s, std::string message, int64_t at) {
  StatusNote n;
  n.status = s;
  n.message = std::move(message);
  n.published_ns = n.updated_ns = at;
  n.actor = "operator:trader";
  return n;
}

TEST(StatusNote, OnlyPlainPublicTextGoesOnThePage) {
  EXPECT_EQ(public_text_problem("In-play bets on Premier League matches are delayed; we are on it."), "");
  EXPECT_EQ(public_text_problem("Cash-out unavailable on some matches — £ refunds follow"), "");
  EXPECT_NE(public_text_problem(""), "");
  EXPECT_NE(public_text_problem("   "), "");
  EXPECT_NE(public_text_problem("two\nlines"), "");
  EXPECT_NE(public_text_problem("<b>down</b>"), "");
  EXPECT_NE(public_text_problem("see https://status.example"), "");
  EXPECT_NE(public_text_problem("mail ops@example.com"), "");
  EXPECT_NE(public_text_problem("db at 10.0.3.17 is down"), "");
  EXPECT_EQ(public_text_problem("version 2.1.3 is out"), "");  // three groups: not an address
  EXPECT_EQ(public_text_problem(std::string(280, 'a')), "");
  EXPECT_NE(public_text_problem(std::string(281, 'a')), "");
  // Characters, not bytes: 280 pound signs are 560 bytes.
  std::string pounds;
  for (int i = 0; i < 280; ++i) pounds += "£";
  EXPECT_EQ(public_text_problem(pounds), "");
}

TEST(StatusNote, StatusNames) {
  PublicStatus s;
  for (const char* name : {"operational", "degraded", "major_outage"}) {
    ASSERT_TRUE(parse_public_status(name, s));
    EXPECT_STREQ(public_status_name(s), name);
  }
  EXPECT_FALSE(parse_public_status("down", s));
}

TEST(StatusPage, TheWorstNoteSetsTheStatusAndComesFirst) {
  EXPECT_EQ(status_page_json({}), R"({"status":"operational","notes":[]})");
  const std::string page = status_page_json({note(PublicStatus::kDegraded, "Cash-out is slow.", kStart),
                                             note(PublicStatus::kMajorOutage, "In-play betting is paused.", kStart + 1),
                                             note(PublicStatus::kDegraded, "Deposits are delayed.", kStart + 2'000'000)});
  EXPECT_EQ(page.rfind(R"({"status":"major_outage","notes":[{"status":"major_outage","message":"In-play betting is paused.")", 0), 0u)
      << page;
  EXPECT_LT(page.find("Deposits are delayed."), page.find("Cash-out is slow."));  // newest first
  EXPECT_NE(page.find(R"("published_at":"2027-01-15T08:00:00.000Z")"), std::string::npos) << page;
  // Nothing but the notes: not who published them.
  EXPECT_EQ(page.find("operator"), std::string::npos);
}

TEST(StatusBoard, ServesTheLastPublishedPage) {
  StatusBoard b;
  EXPECT_EQ(b.body(), R"({"status":"operational","notes":[]})");
  b.publish({note(PublicStatus::kDegraded, "Some bets are delayed.", kStart)});
  EXPECT_NE(b.body().find("Some bets are delayed."), std::string::npos);
  b.publish({});
  EXPECT_EQ(b.body(), R"({"status":"operational","notes":[]})");
}

}  // namespace
}  // namespace inplay
