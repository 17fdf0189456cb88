#include "slo/slo_evaluator.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace inplay {

namespace {

constexpr int kCapBuckets = 60;
constexpr int kRateBuckets = 6;  // a market's recent rate: its last 6 buckets (a minute of a 10 m window)

std::vector<int64_t> burn_windows(const SloSpec& s) {
  std::vector<int64_t> w;
  for (auto& a : s.burn_alerts) {
    w.push_back(a.long_s);
    w.push_back(a.short_s);
  }
  if (w.empty()) w.push_back(300);
  return w;
}

std::vector<int64_t> slice_windows(const SloSpec& s) {
  if (s.burn_alerts.empty()) return {300, 60};
  return {s.burn_alerts[0].long_s, s.burn_alerts[0].short_s};
}

double burn(const GoodValid& g, double budget) { return budget > 0 ? g.bad_ratio() / budget : 0.0; }

}  // namespace

SloEvaluator::SloEvaluator(SloCatalogue catalogue) : catalogue_(std::move(catalogue)) {
  slos_.reserve(catalogue_.slos.size());
  for (auto& spec : catalogue_.slos) {
    slos_.push_back(Slo{&spec, RollingCounts(burn_windows(spec)),
                        RollingCounts({std::max<int64_t>(1, spec.period_s / 60)}), false, 0, 0, {}, {}, {}, {}, {}});
  }
  status_.resize(slos_.size());
  for (size_t i = 0; i < slos_.size(); ++i) status_[i].spec = slos_[i].spec;
}

SloEvaluator::SliceSeries* SloEvaluator::slice(Slo& s, const std::string& label, std::string_view value) {
  auto& by_value = s.slice_index[label];
  auto it = by_value.find(value);
  if (it != by_value.end()) return it->second;
  if (by_value.size() >= kMaxSlices) return nullptr;  // cardinality guard
  s.slices.push_back(std::make_unique<SliceSeries>(SliceSeries{label, std::string(value),
                                                               RollingCounts(slice_windows(*s.spec)), {}}));
  SliceSeries* p = s.slices.back().get();
  by_value.emplace(std::string(value), p);
  return p;
}

double SloEvaluator::capped_weight(Slo& s, int64_t t_s, uint64_t market_id) {
  // BET-3's cap bounds one market's share, never the total. The cap is a
  // rate (cap per cap window); a market deciding faster than that lately
  // (over its last kRateBuckets buckets, or since it was first seen) counts
  // each decision at cap rate / its rate. In steady state it weighs `cap`
  // per window however hot it is, all of a market's decisions of a moment
  // weigh the same (so its good/bad ratio is kept), and every decision
  // counts. A hard cap that refused decisions past the limit went blind
  // when every market was busy (burn 0 while bets waited 90 s).
  const int64_t width = std::max<int64_t>(1, (s.spec->sli.cap_window_s + kCapBuckets - 1) / kCapBuckets);
  auto [it, fresh] = s.caps.try_emplace(market_id);
  MarketCap& c = it->second;
  if (fresh) {
    std::fill(std::begin(c.bucket_start), std::end(c.bucket_start), INT64_MIN);
    std::fill(std::begin(c.counted), std::end(c.counted), 0u);
    c.first_s = t_s;
  }
  const int64_t start = t_s - ((t_s % width) + width) % width;
  int idx = static_cast<int>(((start / width) % kCapBuckets + kCapBuckets) % kCapBuckets);
  if (c.bucket_start[idx] != start) {
    c.bucket_start[idx] = start;
    c.counted[idx] = 0;
  }
  if (c.counted[idx] < UINT32_MAX) ++c.counted[idx];
  const int64_t oldest = start - width * (kRateBuckets - 1);
  uint64_t recent = 0;
  for (int i = 0; i < kCapBuckets; ++i)
    if (c.bucket_start[i] >= oldest && c.bucket_start[i] <= start) recent += c.counted[i];
  // At least one bucket: a market's first decisions are not a burst.
  const int64_t span_s = std::max<int64_t>(width, t_s - std::max(oldest, c.first_s) + 1);
  const double rate = static_cast<double>(recent) / static_cast<double>(span_s);
  const double cap_rate =
      static_cast<double>(s.spec->sli.per_market_cap) / static_cast<double>(std::max<int64_t>(1, s.spec->sli.cap_window_s));
  return std::min(1.0, cap_rate / rate);
}

void SloEvaluator::count(Slo& s, int64_t t_s, const Labels& l, double good, double valid) {
  s.fed = true;
  s.total_good += good;
  s.total_valid += valid;
  s.burn.add(t_s, good, valid);
  s.budget.add(t_s / 60, good, valid);
  for (auto& label : s.spec->slice_by) {
    std::string_view v = label == "league"      ? l.league
                         : label == "feed"      ? l.feed
                         : label == "psp_route" ? l.psp_route
                                                : std::string_view{};
    if (v.empty()) continue;
    if (SliceSeries* ss = slice(s, label, v)) {
      ss->counts.add(t_s, good, valid);
      ss->total.good += good;
      ss->total.valid += valid;
    }
  }
  if (l.market_id) {
    GoodValid& m = s.market_totals[l.market_id];
    m.good += good;
    m.valid += valid;
  }
}

std::optional<GoodValid> SloEvaluator::totals(const std::string& slo, const std::string& label,
                                              std::string_view value) const {
  for (const Slo& s : slos_) {
    if (s.spec->name != slo) continue;
    if (label == "market_id") {
      uint64_t id = 0;
      std::from_chars(value.data(), value.data() + value.size(), id);
      auto it = s.market_totals.find(id);
      if (it != s.market_totals.end()) return it->second;
      return std::nullopt;
    }
    auto by_label = s.slice_index.find(label);
    if (by_label == s.slice_index.end()) return std::nullopt;
    auto it = by_label->second.find(value);
    if (it != by_label->second.end()) return it->second->total;
  }
  return std::nullopt;
}

void SloEvaluator::on_bet_decision(int64_t t_s, const Labels& l, int64_t latency_ns, int64_t stake_minor) {
  accept_window_.add(t_s, latency_ns);
  accept_recent_.add(t_s, latency_ns);
  for (auto& s : slos_) {
    if (s.spec->sli.source != "bet_accept") continue;
    double w = s.spec->sli.stake_weighted ? static_cast<double>(std::max<int64_t>(stake_minor, 1)) : 1.0;
    if (s.spec->sli.per_market_cap > 0) w *= capped_weight(s, t_s, l.market_id);
    bool good = latency_ns <= s.spec->sli.threshold_ms * 1000000;
    count(s, t_s, l, good ? w : 0.0, w);
  }
}

void SloEvaluator::on_synthetic_bet(int64_t t_s, const Labels& l, int64_t latency_ns, bool accepted) {
  for (auto& s : slos_) {
    if (s.spec->sli.source != "synthetic_bets") continue;
    const bool good = accepted && (s.spec->sli.threshold_ms == 0 || latency_ns <= s.spec->sli.threshold_ms * 1000000);
    count(s, t_s, l, good ? 1.0 : 0.0, 1.0);
  }
}

void SloEvaluator::on_market_settled(int64_t t_s, const Labels& l, int64_t lag_ns) {
  for (auto& s : slos_) {
    if (s.spec->sli.source != "settlement_lag") continue;
    count(s, t_s, l, lag_ns <= s.spec->sli.threshold_ms * 1000000 ? 1.0 : 0.0, 1.0);
  }
}

void SloEvaluator::on_cashout_quote(int64_t t_s, const Labels& l, int64_t freshness_ns) {
  for (auto& s : slos_) {
    if (s.spec->sli.source != "cashout_quotes") continue;
    count(s, t_s, l, freshness_ns <= s.spec->sli.threshold_ms * 1000000 ? 1.0 : 0.0, 1.0);
  }
}

void SloEvaluator::on_odds_update(int64_t t_s, const Labels& l, int64_t latency_ns) {
  for (auto& s : slos_) {
    if (s.spec->sli.source != "odds_updates") continue;
    count(s, t_s, l, latency_ns <= s.spec->sli.threshold_ms * 1000000 ? 1.0 : 0.0, 1.0);
  }
}

void SloEvaluator::on_support_reply(int64_t t_s, const Labels& l, int64_t first_reply_ns) {
  for (auto& s : slos_) {
    if (s.spec->sli.source != "support_replies") continue;
    count(s, t_s, l, first_reply_ns <= s.spec->sli.threshold_ms * 1000000 ? 1.0 : 0.0, 1.0);
  }
}

void SloEvaluator::on_market_sample(int64_t t_s, const Labels& l, bool fresh) {
  for (auto& s : slos_)
    if (s.spec->sli.source == "market_prices") count(s, t_s, l, fresh ? 1.0 : 0.0, 1.0);
}

void SloEvaluator::on_totals(std::string_view source, int64_t t_s, uint64_t good_total, uint64_t valid_total,
                             const Labels& l) {
  for (auto& s : slos_) {
    if (s.spec->sli.source != source) continue;
    // Each slice's totals count on their own: two PSP routes' totals are
    // two counters, and a delta between them is no event.
    const std::string key = fmt::format("{}|{}", l.feed, l.psp_route);
    auto it = s.last_totals.find(key);
    if (it == s.last_totals.end()) {
      s.last_totals.emplace(key, std::make_pair(good_total, valid_total));  // baseline
    } else {
      auto& [g, v] = it->second;
      if (valid_total >= v && good_total >= g)
        count(s, t_s, l, static_cast<double>(good_total - g), static_cast<double>(valid_total - v));
      g = good_total;
      v = valid_total;
    }
    s.fed = true;
  }
}

void SloEvaluator::tick(int64_t t_s) {
  accept_window_.advance(t_s);
  accept_recent_.advance(t_s);
  for (size_t i = 0; i < slos_.size(); ++i) {
    Slo& s = slos_[i];
    SloStatus& st = status_[i];
    const double budget = s.spec->error_budget();
    s.burn.advance(t_s);
    s.budget.advance(t_s / 60);
    st.total_good = s.total_good;
    st.total_valid = s.total_valid;
    const GoodValid& period = s.budget.window(0);
    st.wired = slo_source_wired(s.spec->sli.source);
    st.has_data = s.fed && period.valid > 0;
    st.valid_events = period.valid;
    st.sli = period.valid > 0 ? period.good / period.valid : 1.0;
    st.budget_remaining = period.valid > 0 ? 1.0 - period.bad() / (budget * period.valid) : 1.0;
    st.burns.resize(s.spec->burn_alerts.size());
    st.firing = false;
    st.severity = Severity::kTicket;
    for (size_t a = 0; a < s.spec->burn_alerts.size(); ++a) {
      const BurnAlert& ba = s.spec->burn_alerts[a];
      BurnStatus& b = st.burns[a];
      b.tier = ba.tier;
      b.severity = ba.severity;
      b.threshold = ba.burn_rate;
      b.burn_long = burn(s.burn.window(2 * a), budget);
      b.burn_short = burn(s.burn.window(2 * a + 1), budget);
      b.firing = s.burn.window(2 * a).valid > 0 && b.burn_long >= ba.burn_rate && b.burn_short >= ba.burn_rate;
      if (b.firing) {
        if (!st.firing || ba.severity == Severity::kPage) st.severity = ba.severity;
        st.firing = true;
      }
    }
    st.slices.clear();
    const double rate = s.spec->burn_alerts.empty() ? 1.0 : s.spec->burn_alerts[0].burn_rate;
    for (auto& ss : s.slices) {
      ss->counts.advance(t_s);
      const GoodValid& lw = ss->counts.window(0);
      const GoodValid& sw = ss->counts.window(1);
      if (lw.valid <= 0) continue;
      SliceStatus sl{ss->label, ss->value, sw.bad_ratio(), lw.bad_ratio(), burn(lw, budget), burn(sw, budget), false};
      sl.firing = sl.burn_long >= rate && sl.burn_short >= rate;
      st.slices.push_back(std::move(sl));
    }
    std::sort(st.slices.begin(), st.slices.end(), [](const SliceStatus& a, const SliceStatus& b) {
      if (a.firing != b.firing) return a.firing;
      return a.burn_short > b.burn_short;
    });
  }
}

}  // namespace inplay
