#include "risk/exposure.h"

#include <algorithm>

#include "core/money.h"

namespace inplay {

int64_t Exposure::compute_market_liability(const Market& m, uint64_t extra_sel,
                                           int64_t extra_stake, int64_t extra_payout) const {
  auto mb = markets_.find(m.id);
  int64_t total_stakes = (mb == markets_.end() ? 0 : mb->second.stakes) + extra_stake;
  int64_t worst = 0;
  for (uint64_t sid : m.selections) {
    auto sb = selections_.find(sid);
    int64_t payouts = sb == selections_.end() ? 0 : sb->second.payouts;
    if (sid == extra_sel) payouts += extra_payout;
    worst = std::max(worst, payouts - total_stakes);
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
  auto& sb = selections_[selection_id];
  sb.stakes = checked_add(sb.stakes, stake);
  sb.payouts = checked_add(sb.payouts, payout);
  auto& mb = markets_[m->id];
  mb.stakes = checked_add(mb.stakes, stake);
  int64_t before = mb.liability;
  mb.liability = compute_market_liability(*m, 0, 0, 0);
  events_[m->event_id] += mb.liability - before;
  auto& staked = account_market_[m->id][account];
  staked = checked_add(staked, stake);
}

int64_t Exposure::selection_liability(uint64_t selection_id) const {
  auto it = selections_.find(selection_id);
  return it == selections_.end() ? 0 : it->second.payouts - it->second.stakes;
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
