#include "hedge/hedge_book.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "core/money.h"

namespace inplay {

const char* hedge_status_name(HedgeStatus s) {
  switch (s) {
    case HedgeStatus::kOpen: return "open";
    case HedgeStatus::kFilled: return "filled";
    case HedgeStatus::kRejected: return "rejected";
  }
  return "unknown";
}

int64_t hedge_stake_for(int64_t cover_minor, Odds odds) {
  const int64_t edge = odds.scaled - kOddsScale;
  if (cover_minor <= 0 || edge <= 0) return 0;
  const __int128 stake = (static_cast<__int128>(cover_minor) * kOddsScale + edge - 1) / edge;
  return stake > INT64_MAX ? INT64_MAX : static_cast<int64_t>(stake);
}

void HedgeBook::apply(const HedgeInstructed& e) {
  if (e.hedge_id == 0 || hedges_.count(e.hedge_id))
    throw std::invalid_argument(fmt::format("hedge {}: id already used", e.hedge_id));
  if (e.stake <= 0 || e.odds <= kOddsScale)
    throw std::invalid_argument(fmt::format("hedge {}: stake and odds must be positive", e.hedge_id));
  if (open_by_market_.count(e.market_id))
    throw std::invalid_argument(fmt::format("hedge {}: market {} already has an open hedge", e.hedge_id, e.market_id));
  Hedge h;
  h.id = e.hedge_id;
  h.market_id = e.market_id;
  h.selection_id = e.selection_id;
  h.stake_minor = e.stake;
  h.odds = e.odds;
  h.liability_minor = e.liability;
  h.venue = e.venue;
  h.instructed_ns = e.at_ns;
  by_market_[e.market_id].push_back(e.hedge_id);
  open_by_market_[e.market_id] = e.hedge_id;
  hedges_.emplace(e.hedge_id, std::move(h));
}

void HedgeBook::apply(const HedgeAnswered& e) {
  auto it = hedges_.find(e.hedge_id);
  if (it == hedges_.end()) throw std::invalid_argument(fmt::format("hedge {}: unknown", e.hedge_id));
  Hedge& h = it->second;
  if (h.status != HedgeStatus::kOpen) throw std::invalid_argument(fmt::format("hedge {}: already answered", e.hedge_id));
  if (e.result != static_cast<uint8_t>(HedgeStatus::kFilled) && e.result != static_cast<uint8_t>(HedgeStatus::kRejected))
    throw std::invalid_argument(fmt::format("hedge {}: result {} is not filled or rejected", e.hedge_id, e.result));
  if (e.result == static_cast<uint8_t>(HedgeStatus::kFilled) &&
      (e.matched_stake <= 0 || e.matched_stake > h.stake_minor || e.matched_odds <= kOddsScale))
    throw std::invalid_argument(fmt::format("hedge {}: a fill needs a stake within the order and odds > 1", e.hedge_id));
  h.status = static_cast<HedgeStatus>(e.result);
  h.matched_stake_minor = h.status == HedgeStatus::kFilled ? e.matched_stake : 0;
  h.matched_odds = h.status == HedgeStatus::kFilled ? e.matched_odds : 0;
  h.detail = e.detail;
  h.answered_ns = e.at_ns;
  open_by_market_.erase(h.market_id);
}

WorstOutcome HedgeBook::worst_outcome(const Market& m, const Exposure& x) const {
  // Per selection: what its hedges win if it wins, and the market's hedge
  // stakes in all (each lost unless its own selection wins).
  std::unordered_map<uint64_t, int64_t> wins, stakes_on;
  int64_t hedge_stakes = 0;
  if (auto it = by_market_.find(m.id); it != by_market_.end()) {
    for (uint64_t id : it->second) {
      const Hedge& h = hedges_.at(id);
      if (h.status == HedgeStatus::kRejected) continue;
      const bool filled = h.status == HedgeStatus::kFilled;
      const int64_t stake = filled ? h.matched_stake_minor : h.stake_minor;
      const Odds odds{filled ? h.matched_odds : h.odds};
      wins[h.selection_id] = checked_add(wins[h.selection_id], profit_minor(stake, odds));
      stakes_on[h.selection_id] = checked_add(stakes_on[h.selection_id], stake);
      hedge_stakes = checked_add(hedge_stakes, stake);
    }
  }
  WorstOutcome worst;
  for (uint64_t sid : m.selections) {
    int64_t loss = x.outcome_loss(sid);
    if (auto w = wins.find(sid); w != wins.end()) loss = checked_add(loss, -w->second);
    loss = checked_add(loss, hedge_stakes - (stakes_on.count(sid) ? stakes_on.at(sid) : 0));
    if (loss > worst.loss_minor) worst = WorstOutcome{sid, loss};
  }
  return worst;
}

const Hedge* HedgeBook::open_on(uint64_t market_id) const {
  auto it = open_by_market_.find(market_id);
  return it == open_by_market_.end() ? nullptr : &hedges_.at(it->second);
}

const Hedge* HedgeBook::find(uint64_t hedge_id) const {
  auto it = hedges_.find(hedge_id);
  return it == hedges_.end() ? nullptr : &it->second;
}

std::vector<const Hedge*> HedgeBook::on_market(uint64_t market_id) const {
  std::vector<const Hedge*> out;
  if (auto it = by_market_.find(market_id); it != by_market_.end())
    for (uint64_t id : it->second) out.push_back(&hedges_.at(id));
  return out;
}

const Hedge* HedgeBook::latest_on(uint64_t market_id) const {
  auto it = by_market_.find(market_id);
  return it == by_market_.end() || it->second.empty() ? nullptr : &hedges_.at(it->second.back());
}

std::vector<const Hedge*> HedgeBook::open() const {
  std::vector<const Hedge*> out;
  for (auto& [m, id] : open_by_market_) out.push_back(&hedges_.at(id));
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->id < b->id; });
  return out;
}

void HedgeBook::hash_into(std::string& canon) const {
  for (auto& [id, h] : hedges_)
    fmt::format_to(std::back_inserter(canon), "H|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}\n", id, h.market_id, h.selection_id,
                   h.stake_minor, h.odds, h.venue, static_cast<int>(h.status), h.matched_stake_minor, h.matched_odds,
                   h.answered_ns);
}

}  // namespace inplay
