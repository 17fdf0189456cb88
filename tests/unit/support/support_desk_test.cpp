// SupportDesk (src/support/support_desk.h) on an engine that is not started
// (this thread is its engine thread) and a simulated clock: contacts counted
// once per tag with unknown tags as "other", a contact sent again adding
// nothing, a first reply recorded once and handed to the SLO only for the
// judged channels, each tag's spike ratio on the book's clock.
#include "support/support_desk.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "journal/journal.h"
#include "support/recent_contacts.h"

namespace inplay {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kT0 = 1'800'000'000'000'000'000;
constexpr int64_t kSecond = 1'000'000'000;

class SupportDeskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("inplay_support_test_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    Journal::Options jo;
    jo.dir = dir;
    jo.fsync = FsyncPolicy::kNone;
    journal = Journal::open(jo);
    engine = std::make_unique<Engine>(EngineConfig{}, clock, *journal, metrics);
    SupportTerms t;
    t.tags = {"delay", "cashout"};
    desk = std::make_unique<SupportDesk>(*engine, t);
    desk->add_reply_observer([this](ContactChannel c, int64_t ns, bool judged) {
      replies.push_back({c, ns, judged});
    });
  }
  void TearDown() override {
    desk.reset();
    engine.reset();
    journal.reset();
    fs::remove_all(dir);
  }
  // Opened now on the book's clock.
  SupportContact contact(std::string id, ContactChannel ch, std::vector<std::string> tags,
                         std::optional<int64_t> reply = std::nullopt) {
    return SupportContact{std::move(id), ch, std::move(tags), to_ms(clock.now()), reply};
  }
  uint64_t counted(const std::string& tag, const std::string& channel) {
    auto& f = metrics.counter("support_contacts_total", "", {"tag", "channel"});
    return f.with({tag, channel}).value();
  }

  struct Seen {
    ContactChannel channel;
    int64_t ns;
    bool judged;
  };
  fs::path dir;
  SimClock clock{from_ns(kT0)};
  MetricsRegistry metrics;
  std::unique_ptr<Journal> journal;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<SupportDesk> desk;
  std::vector<Seen> replies;
};

TEST_F(SupportDeskTest, CountsEachContactOncePerTagAndUnknownTagsAsOther) {
  auto r = desk->record({contact("u_1", ContactChannel::kChat, {"delay", "cashout"}),
                         contact("u_2", ContactChannel::kEmail, {"login", "bonus"}),  // both "other": once
                         contact("u_3", ContactChannel::kChat, {"delay"})});
  EXPECT_EQ(r.contacts, 3u);
  EXPECT_EQ(r.duplicates, 0u);
  EXPECT_EQ(counted("delay", "chat"), 2u);
  EXPECT_EQ(counted("cashout", "chat"), 1u);
  EXPECT_EQ(counted("other", "email"), 1u);
  EXPECT_EQ(desk->tag_label("login"), "other");
  EXPECT_EQ(desk->tag_label("delay"), "delay");
}

TEST_F(SupportDeskTest, AContactSentAgainAddsOnlyItsFirstReply) {
  desk->record({contact("u_1", ContactChannel::kChat, {"delay"})});
  // Sent again unanswered: nothing new.
  auto again = desk->record({contact("u_1", ContactChannel::kChat, {"delay"})});
  EXPECT_EQ(again.duplicates, 1u);
  // Its first reply comes: recorded once, the contact not counted again.
  auto replied = desk->record({contact("u_1", ContactChannel::kChat, {"delay"}, 42000)});
  EXPECT_EQ(replied.contacts, 0u);
  EXPECT_EQ(replied.replies, 1u);
  auto twice = desk->record({contact("u_1", ContactChannel::kChat, {"delay"}, 42000)});
  EXPECT_EQ(twice.duplicates, 1u);
  EXPECT_EQ(counted("delay", "chat"), 1u);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].ns, 42 * kSecond);
  EXPECT_TRUE(replies[0].judged);
  EXPECT_EQ(desk->totals().duplicates, 2u);
}

TEST_F(SupportDeskTest, OnlyTheLiveChannelsRepliesAreJudged) {
  desk->record({contact("u_1", ContactChannel::kEmail, {"delay"}, 3600000),
                contact("u_2", ContactChannel::kPhone, {"delay"}, 30000)});
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_FALSE(replies[0].judged);  // e-mail: answered in hours, not judged at 60 s
  EXPECT_TRUE(replies[1].judged);
}

TEST_F(SupportDeskTest, ASpikeOnOneTagRaisesOnlyItsRatio) {
  // An hour at one "delay" and one "cashout" contact a minute.
  int n = 0;
  for (int m = 0; m < 60; ++m) {
    clock.set(from_ns(kT0 + m * 60 * kSecond));
    desk->record({contact("u_d" + std::to_string(++n), ContactChannel::kChat, {"delay"}),
                  contact("u_c" + std::to_string(++n), ContactChannel::kChat, {"cashout"})});
    desk->signals();
  }
  // Five minutes with 4 "delay" contacts a minute.
  for (int s = 0; s < 300; s += 15) {
    clock.set(from_ns(kT0 + (3600 + s) * kSecond));
    desk->record({contact("u_s" + std::to_string(++n), ContactChannel::kChat, {"delay"})});
  }
  clock.set(from_ns(kT0 + 3899 * kSecond));
  auto sig = desk->signals();
  ASSERT_EQ(sig.size(), 3u);  // the configured tags, then "other"
  EXPECT_EQ(sig[0].tag, "delay");
  EXPECT_TRUE(sig[0].warm);
  EXPECT_NEAR(sig[0].ratio, 4.0, 0.2);
  EXPECT_EQ(sig[1].tag, "cashout");
  EXPECT_EQ(sig[1].ratio, 0.0);  // a quiet window: under min_contacts
  EXPECT_EQ(sig[2].tag, "other");
  auto& g = metrics.gauge("support_tag_rate_ratio_permille", "", {"tag"});
  EXPECT_NEAR(static_cast<double>(g.with({"delay"}).value()), 4000, 200);
}

TEST_F(SupportDeskTest, AContactOpenedAheadOfTheBookClockCountsNow) {
  auto c = contact("u_1", ContactChannel::kChat, {"delay"});
  c.opened_at_ms += 120000;  // a CRM clock two minutes ahead
  desk->record({c});
  auto sig = desk->signals();
  EXPECT_EQ(sig[0].window_contacts, 1);
}

TEST(RecentContacts, RemembersTheLastContactsAndTheirReplies) {
  RecentContacts r(2);
  EXPECT_TRUE(r.see("a", false).new_contact);
  auto a = r.see("a", true);
  EXPECT_FALSE(a.new_contact);
  EXPECT_TRUE(a.new_reply);
  EXPECT_FALSE(r.see("a", true).new_reply);
  r.see("b", false);
  r.see("c", false);  // "a" is forgotten: the oldest of three
  EXPECT_EQ(r.size(), 2u);
  EXPECT_TRUE(r.see("a", false).new_contact);
}

}  // namespace
}  // namespace inplay
