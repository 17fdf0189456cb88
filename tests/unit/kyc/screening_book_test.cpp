// ScreeningBook (src/kyc/screening_book.h): the screening's life (pending ->
// cleared | referred | rejected; referred -> cleared | rejected), refused
// steps change nothing, a held withdrawal's key answers its screening, the
// withdrawal a cleared screening lets go is linked to it, and replaying the
// same events rebuilds the same state hash.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "engine/book_state.h"
#include "kyc/screening_book.h"

namespace inplay {
namespace {

ScreeningRequested account_screening(uint64_t id, const std::string& account) {
  return ScreeningRequested{id, 1, account, "web", 0, "kyc-a", 100, IdemTag{}};
}

ScreeningDecided decided(uint64_t id, ScreeningStatus to, ScreeningSource src, int64_t at = 200) {
  return ScreeningDecided{id, static_cast<uint8_t>(to), static_cast<uint8_t>(src), "kyc-a", "kyc-a-1", "", "", at};
}

TEST(ScreeningBook, AVendorAnswerThenAReviewDecideIt) {
  ScreeningBook b;
  b.apply(account_screening(1, "erin"));
  EXPECT_EQ(b.pending_count(), 1u);
  EXPECT_FALSE(b.account_cleared("erin"));
  EXPECT_TRUE(b.account_cleared("someone-else"));  // no screening: as before KYC
  b.apply(decided(1, ScreeningStatus::kReferred, ScreeningSource::kVendor));
  EXPECT_EQ(b.pending_count(), 0u);
  ASSERT_EQ(b.referred().size(), 1u);
  EXPECT_FALSE(b.account_cleared("erin"));
  b.apply(decided(1, ScreeningStatus::kCleared, ScreeningSource::kOperator, 300));
  EXPECT_EQ(b.referred_count(), 0u);
  EXPECT_TRUE(b.account_cleared("erin"));
  EXPECT_EQ(b.find(1)->source, ScreeningSource::kOperator);
}

TEST(ScreeningBook, StepsItDoesNotTakeAreRefusedAndChangeNothing) {
  ScreeningBook b;
  b.apply(account_screening(1, "erin"));
  EXPECT_THROW(b.apply(account_screening(1, "fred")), std::invalid_argument);  // id reused
  EXPECT_THROW(b.apply(decided(2, ScreeningStatus::kCleared, ScreeningSource::kVendor)), std::invalid_argument);
  b.apply(decided(1, ScreeningStatus::kCleared, ScreeningSource::kVendor));
  std::string before;
  b.hash_into(before);
  // A late or repeated answer never decides it twice.
  EXPECT_THROW(b.apply(decided(1, ScreeningStatus::kRejected, ScreeningSource::kVendor)), std::invalid_argument);
  EXPECT_THROW(b.apply(decided(1, ScreeningStatus::kReferred, ScreeningSource::kVendor)), std::invalid_argument);
  ScreeningRequested bad{3, 2, "erin", "web", 0, "kyc-a", 1, IdemTag{}};  // a withdrawal of 0
  EXPECT_THROW(b.apply(bad), std::invalid_argument);
  std::string after;
  b.hash_into(after);
  EXPECT_EQ(before, after);
  EXPECT_EQ(b.find(3), nullptr);
}

TEST(ScreeningBook, AHeldWithdrawalIsAnsweredByItsScreeningAndReplaysToTheSameHash) {
  std::vector<BookEvent> events;
  events.push_back(AccountOpened{"erin", "web", "channel:web", 1});
  events.push_back(ScreeningRequested{1, 2, "erin", "web", 6000, "kyc-a", 10, IdemTag{"web:k1", Fingerprint{1}}});
  events.push_back(ScreeningDecided{1, 1, 1, "kyc-b", "kyc-b-1", "", "", 20});
  BookState live(Currency::of("GBP"), 3'600'000'000'000), replayed(Currency::of("GBP"), 3'600'000'000'000);
  for (const BookEvent& e : events) live.apply(e);
  const Screening* k = live.screenings.find(1);
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->status, ScreeningStatus::kCleared);
  EXPECT_EQ(k->vendor, "kyc-b");
  EXPECT_EQ(k->payment_id, 0u);
  // The client's key answers the screening.
  const IdempotencyStore::Entry* entry = nullptr;
  EXPECT_EQ(live.idempotency.begin("web:k1", Fingerprint{1}, 30, &entry), IdempotencyStore::Lookup::kDone);
  ASSERT_NE(entry, nullptr);
  EXPECT_TRUE(std::holds_alternative<ScreeningRef>(entry->outcome()));
  // Linking is by the internal key only.
  live.screenings.link_payment("web:k1", 99);
  EXPECT_EQ(live.screenings.find(1)->payment_id, 0u);
  live.screenings.link_payment(screening_payment_key(1), 5);
  EXPECT_EQ(live.screenings.find(1)->payment_id, 5u);
  for (const BookEvent& e : events) replayed.apply(e);
  replayed.screenings.link_payment(screening_payment_key(1), 5);
  EXPECT_EQ(live.state_hash(), replayed.state_hash());
  EXPECT_EQ(screening_key(7), "scr-7");
}

// The KYC controls (a vendor switch, the withdrawal rule paused) are
// journaled actions the book keeps: a replay comes back as it was left, a
// switch naming no vendor is refused, other actions change nothing.
TEST(ScreeningBook, AVendorSwitchAndARulePauseReplayIntoTheBook) {
  BookState b(Currency::of("GBP"), 3'600'000'000'000);
  const std::string empty = b.state_hash();
  b.apply(ActionRecorded{"switch_feed", "sport:football", "operator:x", "", 1});
  EXPECT_EQ(b.state_hash(), empty);
  EXPECT_THROW(b.apply(ActionRecorded{"kyc_switch_vendor", "kyc:", "operator:x", "", 2}), std::invalid_argument);
  EXPECT_EQ(b.kyc_vendor, "");
  b.apply(ActionRecorded{"kyc_switch_vendor", "kyc:kyc-b", "playbook:kyc_vendor_failing", "from kyc-a", 3});
  b.apply(ActionRecorded{"kyc_rule_paused", "kyc:withdrawal_threshold", "operator:x", "vendors down", 4});
  EXPECT_EQ(b.kyc_vendor, "kyc-b");
  EXPECT_TRUE(b.kyc_withdrawal_rule_paused);
  const std::string switched = b.state_hash();
  EXPECT_NE(switched, empty);
  b.apply(ActionRecorded{"kyc_rule_resumed", "kyc:withdrawal_threshold", "operator:x", "", 5});
  EXPECT_FALSE(b.kyc_withdrawal_rule_paused);
  EXPECT_NE(b.state_hash(), switched);
}

}  // namespace
}  // namespace inplay
