// Book events (src/journal/events.h): every type round-trips through its
// binary encoding; truncated, over-long and unknown records throw.
#include "journal/events.h"

#include "journal/codec.h"
#include "telemetry/trace.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace inplay {
namespace {

IdemTag idem(const std::string& key) {
  IdemTag t;
  t.key = key;
  for (size_t i = 0; i < t.fingerprint.size(); ++i) t.fingerprint[i] = static_cast<uint8_t>(0xF0 + i);
  return t;
}

void expect_idem_eq(const IdemTag& a, const IdemTag& b) {
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.fingerprint, b.fingerprint);
}

TraceId trace(uint8_t first) {
  TraceId t{};
  for (size_t i = 0; i < t.size(); ++i) t[i] = static_cast<uint8_t>(first + i);
  return t;
}

// One populated sample of every event type, with values that use the whole
// width of their fields (negative, large, empty strings).
std::vector<BookEvent> samples() {
  std::vector<BookEvent> v;
  v.push_back(MoneyMoved{"alice", 123456789012345, TransferReason::kWithdrawal, -5, trace(0x10), idem("web:k1")});
  v.push_back(MarketPriced{101, 1764270000123, 1'800'000'000'000'000'000, {{1011, 21000}, {1012, 34000}, {1013, 36000}}});
  v.push_back(MarketControlSet{101, static_cast<uint8_t>(MarketControl::kCashoutFrozen), 1, "incident 3: odds stale",
                               "playbook:stale_prices", 1'800'000'000'000'000'001});
  v.push_back(ActionRecorded{"feed_switched", "sport:football", "operator:trader", "football-primary -> football-backup",
                             1'800'000'000'000'000'002});
  v.push_back(BetAccepted{UINT64_MAX - 1, "bob.smith-1", 1011, 100000, 25000, 24000, 1,
                          1'800'000'000'000'000'000, 1'800'000'005'000'000'000,
                          trace(0xA0), idem("web:k2")});
  v.push_back(Rejected{static_cast<uint16_t>(ErrorCode::kPriceStale), "no price confirmation \"within\"\n", 77,
                       idem("web:k3")});
  v.push_back(Rejected{0, "", 0, IdemTag{}});  // empty key
  v.push_back(MarketStatusSet{101, 1, "feed switch to backup", "operator:trader", 99});
  v.push_back(MarketStatusSet{(uint64_t{1} << 63) + 5, 3, "", "", INT64_MIN});
  v.push_back(StakeCapSet{101, 500, "system", 1234});
  v.push_back(PriceApplied{1011, 10000000, 1798812000123, INT64_MAX});
  v.push_back(EventStateSet{1, 2, "operator:trader", 5});
  v.push_back(FeedSwitched{"football", "football-primary", "football-backup", "playbook:stale_prices", 6});
  v.push_back(FeedSwitched{"tennis", "", "tennis-primary", "", INT64_MIN});
  v.push_back(IncidentSaved{3, R"({"id":3,"status":"open","timeline":[]})", 7});
  v.push_back(MarketSettled{101, 2, 2, {{1011, true, 0, 10000}, {1012, false, 1, 10000}, {1013, true, 0, 3333}},
                            true, 2, 1, "feed:football-primary", "correction", 1764270000123, INT64_MIN});
  v.push_back(MarketSettled{(uint64_t{1} << 63) + 1, UINT32_MAX, 1, {}, false, 0, 0, "", "", 0, 0});
  v.push_back(BetPostings{101, static_cast<uint8_t>(PostingKind::kPay), 2, 0, 8, {{1, 1951}, {UINT64_MAX, 0}}});
  v.push_back(BetPostings{101, static_cast<uint8_t>(PostingKind::kRefund), 0, 7, -8, {}});
  v.push_back(SettlementRolledBack{101, 1, "feed:football-backup", "rollback", 1764270000999, 9});
  v.push_back(BetsCancelled{101, 3, INT64_MIN, INT64_MAX, "event:12", "operator:trader", "missed goal", -1, 10});
  v.push_back(CancelRolledBack{101, 3, "feed:football-primary", 1764270001000, 11});
  v.push_back(SettlementDeadLettered{4, 1, 0, "unknown_market", "event 9 is not in the book", "{\"type\":\"x\"}\n",
                                     "feed:football-primary", 5, 12});
  v.push_back(DeadLetterResolved{4, static_cast<uint8_t>(DeadLetterResolution::kReplayed), "operator:trader", "settled", 13});
  v.push_back(BetCashedOut{UINT64_MAX - 1, 202, 600, 731, 21500, 42, 1'800'000'000'000, 1'800'000'000'000'000'000,
                           1'800'000'005'000'000'000, trace(0xC0), idem("web:cash-1")});
  v.push_back(HedgeInstructed{UINT64_MAX, 201, 2013, INT64_MAX, 65000, -1, "exchange", 1'800'000'006'000'000'000});
  v.push_back(HedgeAnswered{UINT64_MAX, 1, 5413, 65000, "", 14});
  v.push_back(HedgeAnswered{2, 2, 0, 0, "no liquidity at the price", 15});
  v.push_back(AuditAnchored{1234, 98765, std::string(64, 'a'), "0123456789abcdef", std::string(64, 'b'), 14});
  v.push_back(AccountOpened{"alice.smith-1", "web", "channel:web-eu", 1'800'000'000'000'000'007});
  v.push_back(AccountOpened{"x", "sim-bettors", "", INT64_MIN});
  v.push_back(PaymentRequested{12, "alice", TransferReason::kWithdrawal, 5000, "psp-a", 1'800'000'000'000'000'009,
                               {1, 2, 3}, IdemTag{"web:k1", Fingerprint{7, 8}}});
  v.push_back(PaymentAnswered{12, "alice", TransferReason::kWithdrawal, 5000, 2, 3, "psp-a-7", "do_not_honour", -1});
  v.push_back(PaymentRouteSwitched{"psp-a", "psp-b", "playbook:psp_route_down", "psp-a breaker open", 42});
  v.push_back(ScreeningRequested{7, 2, "alice", "web", 6000, "kyc-a", 1'800'000'000'000'000'011,
                                 IdemTag{"web:k2", Fingerprint{9, 1}}});
  v.push_back(ScreeningRequested{8, 1, "bob", "", 0, "", 0, IdemTag{}});
  v.push_back(ScreeningDecided{7, 2, 1, "kyc-a", "kyc-a-3", "", "possible_match", 1'800'000'000'000'000'012});
  v.push_back(ScreeningDecided{7, 1, 2, "", "", "operator:trader", "same name, other person", -5});
  return v;
}

void expect_eq(const BookEvent& a, const BookEvent& b) {
  ASSERT_EQ(a.index(), b.index());
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        const T& y = std::get<T>(b);
        if constexpr (std::is_same_v<T, MoneyMoved>) {
          EXPECT_EQ(x.account, y.account);
          EXPECT_EQ(x.amount, y.amount);
          EXPECT_EQ(x.reason, y.reason);
          EXPECT_EQ(x.at_ns, y.at_ns);
          EXPECT_EQ(x.trace_id, y.trace_id);
          expect_idem_eq(x.idem, y.idem);
        } else if constexpr (std::is_same_v<T, BetAccepted>) {
          EXPECT_EQ(x.bet_id, y.bet_id);
          EXPECT_EQ(x.account, y.account);
          EXPECT_EQ(x.selection_id, y.selection_id);
          EXPECT_EQ(x.stake, y.stake);
          EXPECT_EQ(x.odds, y.odds);
          EXPECT_EQ(x.odds_requested, y.odds_requested);
          EXPECT_EQ(x.policy, y.policy);
          EXPECT_EQ(x.placed_ns, y.placed_ns);
          EXPECT_EQ(x.accepted_ns, y.accepted_ns);
          EXPECT_EQ(x.trace_id, y.trace_id);
          expect_idem_eq(x.idem, y.idem);
        } else if constexpr (std::is_same_v<T, Rejected>) {
          EXPECT_EQ(x.code, y.code);
          EXPECT_EQ(x.message, y.message);
          EXPECT_EQ(x.at_ns, y.at_ns);
          expect_idem_eq(x.idem, y.idem);
        } else if constexpr (std::is_same_v<T, MarketStatusSet>) {
          EXPECT_EQ(x.market_id, y.market_id);
          EXPECT_EQ(x.status, y.status);
          EXPECT_EQ(x.reason, y.reason);
          EXPECT_EQ(x.actor, y.actor);
          EXPECT_EQ(x.at_ns, y.at_ns);
        } else if constexpr (std::is_same_v<T, StakeCapSet>) {
          EXPECT_EQ(x.market_id, y.market_id);
          EXPECT_EQ(x.cap, y.cap);
          EXPECT_EQ(x.actor, y.actor);
          EXPECT_EQ(x.at_ns, y.at_ns);
        } else if constexpr (std::is_same_v<T, PriceApplied>) {
          EXPECT_EQ(x.selection_id, y.selection_id);
          EXPECT_EQ(x.odds, y.odds);
          EXPECT_EQ(x.provider_ts_ms, y.provider_ts_ms);
          EXPECT_EQ(x.applied_ns, y.applied_ns);
        } else if constexpr (std::is_same_v<T, MarketPriced>) {
          EXPECT_EQ(x.market_id, y.market_id);
          EXPECT_EQ(x.provider_ts_ms, y.provider_ts_ms);
          EXPECT_EQ(x.applied_ns, y.applied_ns);
          EXPECT_EQ(x.prices, y.prices);
        } else if constexpr (std::is_same_v<T, EventStateSet>) {
          EXPECT_EQ(x.event_id, y.event_id);
          EXPECT_EQ(x.state, y.state);
          EXPECT_EQ(x.actor, y.actor);
          EXPECT_EQ(x.at_ns, y.at_ns);
        } else if constexpr (std::is_same_v<T, MarketControlSet>) {
          EXPECT_EQ(x.market_id, y.market_id);
          EXPECT_EQ(x.control, y.control);
          EXPECT_EQ(x.value, y.value);
          EXPECT_EQ(x.reason, y.reason);
          EXPECT_EQ(x.actor, y.actor);
          EXPECT_EQ(x.at_ns, y.at_ns);
        } else if constexpr (std::is_same_v<T, ActionRecorded>) {
          EXPECT_EQ(x.action, y.action);
          EXPECT_EQ(x.target, y.target);
          EXPECT_EQ(x.actor, y.actor);
          EXPECT_EQ(x.detail, y.detail);
          EXPECT_EQ(x.at_ns, y.at_ns);
        } else if constexpr (std::is_same_v<T, FeedSwitched>) {
          EXPECT_EQ(x.sport, y.sport);
          EXPECT_EQ(x.from, y.from);
          EXPECT_EQ(x.to, y.to);
          EXPECT_EQ(x.actor, y.actor);
          EXPECT_EQ(x.at_ns, y.at_ns);
        } else if constexpr (std::is_same_v<T, IncidentSaved>) {
          EXPECT_EQ(x.incident_id, y.incident_id);
          EXPECT_EQ(x.snapshot, y.snapshot);
          EXPECT_EQ(x.at_ns, y.at_ns);
        } else if constexpr (std::is_same_v<T, BetCashedOut>) {
          EXPECT_EQ(x.bet_id, y.bet_id);
          EXPECT_EQ(x.market_id, y.market_id);
          EXPECT_EQ(x.stake, y.stake);
          EXPECT_EQ(x.amount, y.amount);
          EXPECT_EQ(x.odds, y.odds);
          EXPECT_EQ(x.price_version, y.price_version);
          EXPECT_EQ(x.price_ts_ms, y.price_ts_ms);
          EXPECT_EQ(x.requested_ns, y.requested_ns);
          EXPECT_EQ(x.at_ns, y.at_ns);
          EXPECT_EQ(x.trace_id, y.trace_id);
          EXPECT_EQ(x.idem.key, y.idem.key);
          EXPECT_EQ(x.idem.fingerprint, y.idem.fingerprint);
        } else if constexpr (std::is_same_v<T, PaymentRequested>) {
          EXPECT_EQ(x.payment_id, y.payment_id);
          EXPECT_EQ(x.account, y.account);
          EXPECT_EQ(x.kind, y.kind);
          EXPECT_EQ(x.amount, y.amount);
          EXPECT_EQ(x.route, y.route);
          EXPECT_EQ(x.at_ns, y.at_ns);
          EXPECT_EQ(x.trace_id, y.trace_id);
          EXPECT_EQ(x.idem.key, y.idem.key);
          EXPECT_EQ(x.idem.fingerprint, y.idem.fingerprint);
        } else {
          EXPECT_TRUE(x == y);  // the settlement events, anchors and AccountOpened compare whole
        }
      },
      a);
}

std::string encode(const BookEvent& e) {
  std::string out;
  encode_event(e, out);
  return out;
}

TEST(BookEvents, TypeNumbersAreStable) {
  // On disk: never renumber.
  EXPECT_EQ(event_type(MoneyMoved{}), EventType::kMoneyMoved);
  EXPECT_EQ(static_cast<uint16_t>(EventType::kMoneyMovedV1), 2);  // read, never written
  EXPECT_EQ(static_cast<uint16_t>(EventType::kBetAcceptedV1), 3);
  EXPECT_EQ(static_cast<uint16_t>(EventType::kRejectedV1), 4);
  EXPECT_EQ(static_cast<uint16_t>(event_type(MoneyMoved{})), 14);
  EXPECT_EQ(static_cast<uint16_t>(event_type(BetAccepted{})), 15);
  EXPECT_EQ(static_cast<uint16_t>(event_type(Rejected{})), 16);
  EXPECT_EQ(static_cast<uint16_t>(event_type(MarketStatusSet{})), 5);
  EXPECT_EQ(static_cast<uint16_t>(event_type(StakeCapSet{})), 6);
  EXPECT_EQ(static_cast<uint16_t>(event_type(PriceApplied{})), 7);
  EXPECT_EQ(static_cast<uint16_t>(event_type(EventStateSet{})), 8);
  EXPECT_EQ(static_cast<uint16_t>(event_type(MarketPriced{})), 9);
  EXPECT_EQ(static_cast<uint16_t>(event_type(MarketControlSet{})), 10);
  EXPECT_EQ(static_cast<uint16_t>(event_type(ActionRecorded{})), 11);
  EXPECT_EQ(static_cast<uint16_t>(event_type(FeedSwitched{})), 12);
  EXPECT_EQ(static_cast<uint16_t>(event_type(IncidentSaved{})), 13);
  EXPECT_EQ(static_cast<uint16_t>(event_type(MarketSettled{})), 17);
  EXPECT_EQ(static_cast<uint16_t>(event_type(BetPostings{})), 18);
  EXPECT_EQ(static_cast<uint16_t>(event_type(SettlementRolledBack{})), 19);
  EXPECT_EQ(static_cast<uint16_t>(event_type(BetsCancelled{})), 20);
  EXPECT_EQ(static_cast<uint16_t>(event_type(CancelRolledBack{})), 21);
  EXPECT_EQ(static_cast<uint16_t>(event_type(SettlementDeadLettered{})), 22);
  EXPECT_EQ(static_cast<uint16_t>(event_type(DeadLetterResolved{})), 23);
  EXPECT_EQ(static_cast<uint16_t>(event_type(BetCashedOut{})), 24);
  EXPECT_EQ(static_cast<uint16_t>(event_type(HedgeInstructed{})), 25);
  EXPECT_EQ(static_cast<uint16_t>(event_type(HedgeAnswered{})), 28);
  EXPECT_EQ(static_cast<uint16_t>(event_type(AuditAnchored{})), 27);
  EXPECT_EQ(static_cast<uint16_t>(event_type(AccountOpened{})), 26);
  EXPECT_EQ(static_cast<uint16_t>(event_type(PaymentRequested{})), 29);
  EXPECT_EQ(static_cast<uint16_t>(event_type(PaymentAnswered{})), 30);
  EXPECT_EQ(static_cast<uint16_t>(event_type(PaymentRouteSwitched{})), 31);
  EXPECT_EQ(static_cast<uint16_t>(event_type(ScreeningRequested{})), 32);
  EXPECT_EQ(static_cast<uint16_t>(event_type(ScreeningDecided{})), 33);
}

TEST(BookEvents, EveryTypeRoundTrips) {
  auto all = samples();
  // Every alternative of the variant is covered.
  std::vector<bool> seen(std::variant_size_v<BookEvent>, false);
  for (const BookEvent& e : all) {
    seen[e.index()] = true;
    std::string bytes = encode(e);
    BookEvent back = decode_event(static_cast<uint16_t>(event_type(e)), bytes);
    SCOPED_TRACE(static_cast<int>(event_type(e)));
    expect_eq(e, back);
    EXPECT_EQ(encode(back), bytes);  // canonical: re-encoding gives the same bytes
  }
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_TRUE(seen[i]) << "no sample of alternative " << i;
}

TEST(BookEvents, DefaultEventsRoundTrip) {
  for (BookEvent e : {BookEvent{MoneyMoved{}}, BookEvent{BetAccepted{}}, BookEvent{Rejected{}},
                      BookEvent{MarketStatusSet{}}, BookEvent{StakeCapSet{}}, BookEvent{PriceApplied{}},
                      BookEvent{EventStateSet{}}}) {
    std::string bytes = encode(e);
    expect_eq(e, decode_event(static_cast<uint16_t>(event_type(e)), bytes));
  }
}

TEST(BookEvents, EncodeAppends) {
  std::string out = "prefix";
  encode_event(PriceApplied{1, 2, 3, 4}, out);
  EXPECT_EQ(out.substr(0, 6), "prefix");
  EXPECT_EQ(out.size(), 6u + 8 + 4 + 8 + 8);
}

TEST(BookEvents, EveryTruncationThrows) {
  for (const BookEvent& e : samples()) {
    std::string bytes = encode(e);
    uint16_t type = static_cast<uint16_t>(event_type(e));
    for (size_t n = 0; n < bytes.size(); ++n) {
      EXPECT_THROW(decode_event(type, std::string_view(bytes).substr(0, n)), std::out_of_range)
          << "type " << type << " cut to " << n << " of " << bytes.size();
    }
  }
}

TEST(BookEvents, TrailingBytesThrow) {
  for (const BookEvent& e : samples()) {
    std::string bytes = encode(e);
    uint16_t type = static_cast<uint16_t>(event_type(e));
    EXPECT_THROW(decode_event(type, bytes + '\0'), std::invalid_argument) << type;
    EXPECT_THROW(decode_event(type, bytes + "garbage"), std::invalid_argument) << type;
  }
}

TEST(BookEvents, StringLengthPastTheEndThrows) {
  // A string length field that claims more bytes than the payload holds.
  std::string bytes = encode(MarketStatusSet{101, 1, "abc", "op", 5});
  // Layout: u64 market_id | u8 status | u32 len | "abc" | ...
  bytes[9] = static_cast<char>(0xFF);
  bytes[10] = static_cast<char>(0xFF);
  EXPECT_THROW(decode_event(5, bytes), std::out_of_range);
}

TEST(BookEvents, UnknownTypeThrows) {
  std::string bytes = encode(PriceApplied{1, 2, 3, 4});
  for (uint16_t t : {0, 1, 34, 100, 0xFFFF}) {
    EXPECT_THROW(decode_event(t, bytes), std::invalid_argument) << t;
    EXPECT_THROW(decode_event(t, ""), std::invalid_argument) << t;
  }
}

// Types 2-4 carried their request's HTTP reply; they are read into today's
// structs: the refusal's message and the receipt's trace id come from the
// stored body, so repeats render the same bytes after an upgrade.
TEST(BookEvents, LegacyRecordsAreReadIntoTodaysEvents) {
  auto legacy_idem = [](ByteWriter& w, const std::string& key, int32_t status, const std::string& body) {
    w.str(key);
    Fingerprint fp{};
    fp.fill(7);
    w.bytes(fp.data(), fp.size());
    w.put<int32_t>(status);
    w.str(body);
  };
  std::string money;
  {
    ByteWriter w(money);
    w.str("alice");
    w.put<int64_t>(5000);
    w.put(TransferReason::kDeposit);
    w.put<int64_t>(42);
    legacy_idem(w, "web:d", 201,
                R"({"account":"alice","movement":"deposit","amount":5000,"currency":"GBP","balance":5000,)"
                R"("trace_id":"0af7651916cd43dd8448eb211c80319c"})");
  }
  auto m = std::get<MoneyMoved>(decode_event(2, money));
  EXPECT_EQ(m.account, "alice");
  EXPECT_EQ(m.amount, 5000);
  EXPECT_EQ(m.at_ns, 42);
  EXPECT_EQ(m.idem.key, "web:d");
  EXPECT_EQ(to_hex(m.trace_id), "0af7651916cd43dd8448eb211c80319c");

  std::string rejected;
  {
    ByteWriter w(rejected);
    w.put<uint16_t>(static_cast<uint16_t>(ErrorCode::kPriceChanged));
    w.put<int64_t>(77);
    legacy_idem(w, "web:r", 409, error_body(Error{ErrorCode::kPriceChanged, "the price moved to 2.10"}));
  }
  auto r = std::get<Rejected>(decode_event(4, rejected));
  EXPECT_EQ(r.code, static_cast<uint16_t>(ErrorCode::kPriceChanged));
  EXPECT_EQ(r.message, "the price moved to 2.10");
  EXPECT_EQ(r.at_ns, 77);

  std::string bet;
  {
    ByteWriter w(bet);
    w.put<uint64_t>(9);
    w.str("bob");
    w.put<uint64_t>(1011);
    w.put<int64_t>(100);
    w.put<int32_t>(21000);
    w.put<int32_t>(20000);
    w.put<uint8_t>(1);
    w.put<int64_t>(1);
    w.put<int64_t>(2);
    w.str("0af7651916cd43dd8448eb211c80319c");
    legacy_idem(w, "web:b", 201, "");
  }
  auto b = std::get<BetAccepted>(decode_event(3, bet));
  EXPECT_EQ(b.bet_id, 9u);
  EXPECT_EQ(b.odds, 21000);
  EXPECT_EQ(to_hex(b.trace_id), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(b.idem.key, "web:b");
  // A cut legacy record is refused like any other.
  EXPECT_THROW(decode_event(3, std::string_view(bet).substr(0, bet.size() - 1)), std::out_of_range);
  EXPECT_THROW(decode_event(2, money + "x"), std::invalid_argument);
}

TEST(BookEvents, DecodingAsAnotherTypeFails) {
  // The type lives in the record header, not the payload, so a payload of
  // the same length can decode as another type; a shorter one cannot.
  std::string bytes = encode(PriceApplied{1, 2, 3, 4});  // 28 bytes
  EXPECT_ANY_THROW(decode_event(static_cast<uint16_t>(EventType::kBetAccepted), bytes));
}

}  // namespace
}  // namespace inplay
