#include "playbook/market_load.h"

namespace inplay {

MarketLoad::MarketLoad(Options o) : opts_(o), book_({o.window_s}) {}

void MarketLoad::on_decision(int64_t t_s, uint64_t market_id, uint64_t event_id, int64_t latency_ns) {
  const double fast = latency_ns <= opts_.target_ns ? 1.0 : 0.0;
  book_.add(t_s, fast, 1.0);
  auto it = markets_.find(market_id);
  if (it == markets_.end()) it = markets_.emplace(market_id, PerMarket{event_id, RollingCounts({opts_.window_s})}).first;
  it->second.decisions.add(t_s, fast, 1.0);
}

std::vector<MarketLoad::Hot> MarketLoad::hot(int64_t t_s) {
  std::vector<Hot> out;
  book_.advance(t_s);
  for (auto it = markets_.begin(); it != markets_.end();) {
    it->second.decisions.advance(t_s);
    if (it->second.decisions.window(0).valid == 0) {
      it = markets_.erase(it);
      continue;
    }
    ++it;
  }
  const GoodValid& book = book_.window(0);
  if (book.valid < static_cast<double>(opts_.min_decisions) || book.bad_ratio() <= 0.01) return out;
  // The largest share and the runner-up: a market hurts when it stands
  // out from every other, not when the crowd merely prefers it.
  const PerMarket* top = nullptr;
  uint64_t top_id = 0;
  double first = 0, second = 0;
  for (auto& [id, m] : markets_) {
    const double n = m.decisions.window(0).valid;
    if (n > first) {
      second = first;
      first = n;
      top = &m;
      top_id = id;
    } else if (n > second) {
      second = n;
    }
  }
  if (top && first >= opts_.stand_out * second) out.push_back(Hot{top_id, top->event_id, first / book.valid});
  return out;
}

}  // namespace inplay
