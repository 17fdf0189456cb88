#include "risk/exposure.h"

#include <algorithm>

#include "core/money.h"

namespace inplay {

int64_t Exposure::compute_market_liability(const Market& m, uint64_t extra_sel,
                                           int64_t extra_stake, int64_t extra_payout) const {
  auto mb = markets_.find(m.id);
  int64_t total_stakes = checked_add(mb == markets_.end() ? 0 : mb->second.stakes, extra_stake);
  int64_t worst = 0;
  for (uint64_t sid : m.selections) {
    auto sb = selections_.find(sid);
    int64_t payouts = sb == selections_.end() ? 0 : sb->second.payouts;
    if (sid == extra_sel) payouts = checked_add(payouts, extra_payout);
    worst = std::max(worst, checked_add(payouts, -total_stakes));
  }
  return worst;
}

void Exposure::add(uint32_t account, uint64_t selection_id, int64_t stake, Odds odds) {
  change(account, selection_id, stake, payout_minor(stake, odds));
}

void Exposure::remove(uint32_t account, uint64_t selection_id, int64_t stake, Odds odds) {
  change(account, selection_id, -stake, -payout_minor(stake, odds));
}

void Exposure::change(uint32_t account, uint64_t selection_id, int64_t stake, int64_t payout) {
  const Selection* s = book_.selection(selection_id);
  if (!s) return;
  const Market* m = book_.market(s->market_id);
  // Every sum first: one that overflows throws before anything changes.
  const SelectionBook sel_before = selections_.count(selection_id) ? selections_.at(selection_id) : SelectionBook{};
  const SelectionBook sel{checked_add(sel_before.stakes, stake), checked_add(sel_before.payouts, payout)};
  const int64_t market_stakes = checked_add(market_stake(m->id), stake);
  const int64_t staked = checked_add(account_market_stake(account, m->id), stake);
  const int64_t liability = compute_market_liability(*m, selection_id, stake, payout);
  const int64_t event_total =
      checked_add(event_liability(m->event_id), checked_add(liability, -market_liability(m->id)));
  selections_[selection_id] = sel;
  markets_[m->id] = MarketBook{market_stakes, liability};
  events_[m->event_id] = event_total;
  account_market_[m->id][account] = staked;
}

int64_t Exposure::market_stake(uint64_t market_id) const {
  auto it = markets_.find(market_id);
  return it == markets_.end() ? 0 : it->second.stakes;
}

int64_t Exposure::selection_liability(uint64_t selection_id) const {
  auto it = selections_.find(selection_id);
  return it == selections_.end() ? 0 : it->second.payouts - it->second.stakes;
}

int64_t Exposure::outcome_loss(uint64_t selection_id) const {
  const Selection* s = book_.selection(selection_id);
  if (!s) return 0;
  auto it = selections_.find(selection_id);
  const int64_t payouts = it == selections_.end() ? 0 : it->second.payouts;
  return payouts - market_stake(s->market_id);
}

int64_t Exposure::market_liability(uint64_t market_id) const {
  auto it = markets_.find(market_id);
  return it == markets_.end() ? 0 : it->second.liability;
}

int64_t Exposure::event_liability(uint64_t event_id) const {
  auto it = events_.find(event_id);
  return it == events_.end() ? 0 : it->second;
}

int64_t Exposure::account_market_stake(uint32_t account, uint64_t market_id) const {
  auto m = account_market_.find(market_id);
  if (m == account_market_.end()) return 0;
  auto it = m->second.find(account);
  return it == m->second.end() ? 0 : it->second;
}

int64_t Exposure::market_liability_with(uint64_t selection_id, int64_t stake, Odds odds) const {
  const Selection* s = book_.selection(selection_id);
  if (!s) return 0;
  return compute_market_liability(*book_.market(s->market_id), selection_id, stake,
                                  payout_minor(stake, odds));
}

}  // namespace inplay
