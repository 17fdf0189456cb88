// Cash-out benchmark (issue 15, "Numbers"): the engine thread's cost of a
// quote, and of withdrawing every offer on a market.
//
// Set-up (untimed): a BookState with one in-play match-result market, its
// prices applied, 5,000 funded accounts and 100,000 open bets on it.
//   BM_Quote        price_cashout (the fail-closed checks and the value) and
//                   OfferBook::add for one bet — what CashoutDesk::quote does
//                   on the engine thread before it answers (the reply's JSON
//                   is written on the engine thread too, not timed here).
//   BM_WithdrawAll  100,000 live offers on the market (one per open bet),
//                   then the market suspended (BookState::apply of
//                   MarketStatusSet: the offer epoch moves) and every offer
//                   checked until the last one is refused; the time from the
//                   suspension's apply to the last refusal.
//
//   build/cashout_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "cashout/cashout_price.h"
#include "cashout/offer_book.h"
#include "engine/book_state.h"

using namespace inplay;

namespace {

constexpr uint64_t kMarket = 101;
constexpr uint64_t kSelections[] = {1011, 1012, 1013};
constexpr int64_t kT0 = 1'800'000'000'000'000'000;
constexpr int64_t kBets = 100'000;

std::unique_ptr<BookState> open_book() {
  auto s = std::make_unique<BookState>(Currency::of("GBP"), 3'600'000'000'000);
  s->book.add_event(Event{1, "football", "EPL", "Arsenal", "Chelsea", 0, EventState::kInPlay, {}});
  Market m;
  m.id = kMarket;
  m.event_id = 1;
  s->book.add_market(m);
  const char* names[] = {"home", "draw", "away"};
  for (int i = 0; i < 3; ++i) s->book.add_selection(Selection{kSelections[i], kMarket, names[i], {}});
  s->apply(MarketPriced{kMarket, kT0 / 1'000'000, kT0, {{1011, 21000}, {1012, 34000}, {1013, 36000}}});
  for (int i = 0; i < 5000; ++i)
    s->apply(MoneyMoved{fmt::format("punter-{}", i), 100'000'000, TransferReason::kDeposit, kT0, {}, {}});
  for (int64_t b = 1; b <= kBets; ++b)
    s->apply(BetAccepted{static_cast<uint64_t>(b), fmt::format("punter-{}", b % 5000), kSelections[b % 3],
                         100 + b % 900, 21000, 21000, 2, kT0, kT0 + 1, {}, {}});
  // A move in the price: quotes are worth something else than the stake.
  s->apply(MarketPriced{kMarket, kT0 / 1'000'000 + 100, kT0 + 100'000'000, {{1011, 19000}, {1012, 36000}, {1013, 40000}}});
  return s;
}

void BM_Quote(benchmark::State& st) {
  auto s = open_book();
  OfferBook offers(1);
  const CashoutTerms terms;
  const int64_t now = kT0 + 150'000'000;
  uint64_t bet = 1;
  for (auto _ : st) {
    const Bet& b = s->bets.at(bet);
    Result<CashoutOffer> o = price_cashout(s->book, b, 0, terms, now);
    if (o.ok()) benchmark::DoNotOptimize(offers.add(o.value(), now, now + terms.quote_ttl.count()).id);
    bet = bet % kBets + 1;
    if (offers.size() > 200'000) offers.expire(now + terms.quote_ttl.count());  // as the desk's sweep does
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_Quote);

void BM_WithdrawAll(benchmark::State& st) {
  auto s = open_book();
  const int64_t now = kT0 + 150'000'000;
  for (auto _ : st) {
    st.PauseTiming();
    s->apply(MarketStatusSet{kMarket, static_cast<uint8_t>(MarketStatus::kOpen), "reopen", "bench", now});
    OfferBook offers(1);
    std::vector<uint64_t> ids;
    ids.reserve(kBets);
    for (int64_t b = 1; b <= kBets; ++b)
      ids.push_back(offers.add(price_cashout(s->book, s->bets.at(b), 0, CashoutTerms{}, now).value(), now,
                               now + 2'000'000'000).id);
    st.ResumeTiming();
    s->apply(MarketStatusSet{kMarket, static_cast<uint8_t>(MarketStatus::kSuspended), "goal", "bench", now});
    size_t refused = 0;
    for (uint64_t id : ids) refused += offers.check(s->book, id, now, nullptr) == QuoteState::kWithdrawn;
    if (refused != ids.size()) st.SkipWithError("an offer survived the suspension");
  }
  st.counters["offers"] = static_cast<double>(kBets);
}
BENCHMARK(BM_WithdrawAll)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace

BENCHMARK_MAIN();
