// SloEvaluator: the built-in SLO engine (SLO-1, BET-3, BEY-5, BEY-6). It
// takes SLI events from the process's sources, keeps good/valid counts per
// second, and once a second (tick, on the book's clock) computes for every
// SLO of the catalogue: the SLI over its period, the error budget left, the
// burn rate over each alert window, and which burn-rate alerts fire.
//
// Sources (SloSpec::sli.source):
//   bet_accept     one event per bet decision: good when its accept latency
//                  (BET-3: gateway start to final decision, less the in-play
//                  delay) is at or under the threshold. per_market_cap: a
//                  rate (cap per cap_window); a market deciding faster than
//                  that over its last minute or so counts each decision at
//                  cap rate / its rate, so one hot market weighs about `cap`
//                  per window and cannot hide the others, while every
//                  decision still counts (a book where every market is busy
//                  is never blind); weight: stake
//                  makes a slow large bet count more (BEY-6).
//   market_prices  one event per open in-play market per second: good when
//                  its price age is within the market's staleness limit.
//   bet_requests, feed_messages   cumulative good/valid totals read once a
//                  second (e.g. non-5xx / all bet requests); deltas count.
// has_data: valid events over the period; without them the SLI and budget
// mean nothing and are not reported (never "100 %"). wired: a hop feeds the
// source at all (slo_source_wired); an unwired one reads "not wired yet".
//
// Burn rate over a window = (bad/valid) / (1 - target). A burn alert fires
// while the burn over its long AND its short window reach its rate; the
// SLO's alert severity is the highest of its firing tiers, so fast and slow
// tiers firing together are one alert, never two pages.
//
// Slices: for each label in slice_by other than market_id (league, feed,
// ...), the first burn alert's two windows are kept per label value (up to
// kMaxSlices values per label) so an alert can say which league burns.
//
// Engine thread only (single-threaded); no allocation per event once a
// market or slice has been seen.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "slo/latency_window.h"
#include "slo/rolling_counts.h"
#include "slo/slo_spec.h"

namespace inplay {

struct SliceStatus {
  std::string label, value;  // e.g. league=EPL
  double bad_ratio_short = 0;
  double bad_ratio_long = 0;
  double burn_long = 0, burn_short = 0;
  bool firing = false;  // the first burn alert's condition on this slice
};

struct BurnStatus {
  std::string tier;
  Severity severity = Severity::kPage;
  double burn_long = 0, burn_short = 0;
  double threshold = 0;
  bool firing = false;
};

struct SloStatus {
  const SloSpec* spec = nullptr;
  bool wired = false;            // some hop feeds the source
  bool has_data = false;         // valid events over the period
  double sli = 1.0;              // good/valid over the period (only with has_data)
  double budget_remaining = 1.0; // 1 - bad/(budget * valid) over the period; may go below 0 (only with has_data)
  double valid_events = 0;       // over the period
  double total_good = 0, total_valid = 0;  // since start (slo_events_total)
  std::vector<BurnStatus> burns;
  bool firing = false;
  Severity severity = Severity::kTicket;  // highest firing tier
  std::vector<SliceStatus> slices;        // firing slices first, worst first
};

class SloEvaluator {
 public:
  static constexpr size_t kMaxSlices = 64;
  explicit SloEvaluator(SloCatalogue catalogue);

  // Labels of one SLI event; league may be empty.
  struct Labels {
    uint64_t market_id = 0;
    std::string_view league;
    std::string_view feed;
    std::string_view psp_route;
  };
  // bet_accept: one bet decision at book second t_s.
  void on_bet_decision(int64_t t_s, const Labels& l, int64_t latency_ns, int64_t stake_minor);
  // synthetic_bets: one synthetic check's bet decision; good when accepted
  // within the SLI's threshold (a refused scripted bet is a failed check).
  void on_synthetic_bet(int64_t t_s, const Labels& l, int64_t latency_ns, bool accepted);
  // settlement_lag: one market's bets all paid, lag_ns after its result's
  // provider timestamp (SET-4); good within the SLI's threshold.
  void on_market_settled(int64_t t_s, const Labels& l, int64_t lag_ns);
  // cashout_quotes: one cash-out offer made from a price freshness_ns old
  // (CO-2: now less the price's provider timestamp); good within the SLI's
  // threshold. Quotes refused (stale, frozen) are not offers: the
  // cashout_stale_ratio signal watches those.
  void on_cashout_quote(int64_t t_s, const Labels& l, int64_t freshness_ns);
  // odds_updates: one market re-priced by its sport's active feed,
  // latency_ns after the provider stamped it (ODDS-2: provider timestamp to
  // price live); good within the SLI's threshold.
  void on_odds_update(int64_t t_s, const Labels& l, int64_t latency_ns);
  // support_replies: one customer contact's first agent reply, first_reply_ns
  // after it opened (SUP-1), on a channel the support terms judge; good
  // within the SLI's threshold.
  void on_support_reply(int64_t t_s, const Labels& l, int64_t first_reply_ns);
  // kyc_screening: one screening's vendor answer, took_ns after it was first
  // sent (KYC-1, failovers included); good within the SLI's threshold.
  void on_kyc_screening(int64_t t_s, const Labels& l, int64_t took_ns);
  // market_prices: one open market's price age at book second t_s.
  void on_market_sample(int64_t t_s, const Labels& l, bool fresh);
  // Cumulative-total sources: the good and valid totals so far, per label
  // set (e.g. one call per feed with Labels::feed set).
  void on_totals(std::string_view source, int64_t t_s, uint64_t good_total, uint64_t valid_total,
                 const Labels& l);
  void on_totals(std::string_view source, int64_t t_s, uint64_t good_total, uint64_t valid_total) {
    on_totals(source, t_s, good_total, valid_total, Labels{});
  }

  // Once a second: moves every window to t_s and recomputes status().
  void tick(int64_t t_s);
  const std::vector<SloStatus>& status() const { return status_; }
  const SloCatalogue& catalogue() const { return catalogue_; }
  // Events since the start of one slice of an SLO: a slice_by label
  // (league, feed) or market_id; nullopt when it saw none.
  std::optional<GoodValid> totals(const std::string& slo, const std::string& label, std::string_view value) const;
  // Accept latency quantile over the last 5 minutes (BET-4), all bets.
  int64_t accept_quantile_ns(double q) const { return accept_window_.quantile(q); }
  uint64_t accept_window_count() const { return accept_window_.count(); }
  // The same over the last 10 s (recovery checks: "p99 back under 250 ms").
  int64_t accept_recent_quantile_ns(double q) const { return accept_recent_.quantile(q); }
  uint64_t accept_recent_count() const { return accept_recent_.count(); }  // decisions over the last 10 s

 private:
  // Per market: decisions seen by a capped SLI in the cap window, in
  // cap_window / 60 buckets.
  struct MarketCap {
    int64_t bucket_start[64];
    uint32_t counted[64];
    int64_t first_s = 0;  // first decision seen
  };
  struct SliceSeries {
    std::string label, value;
    RollingCounts counts;
    GoodValid total;  // since the start
  };
  struct Slo {
    const SloSpec* spec;
    RollingCounts burn;    // per second; windows: each alert's long and short
    RollingCounts budget;  // per minute; one window: the period
    bool fed = false;
    double total_good = 0, total_valid = 0;
    std::map<std::string, std::pair<uint64_t, uint64_t>, std::less<>> last_totals;  // by "feed|psp_route"
    std::unordered_map<uint64_t, MarketCap> caps;
    std::unordered_map<uint64_t, GoodValid> market_totals;  // since the start
    std::vector<std::unique_ptr<SliceSeries>> slices;
    // label -> value -> series; looked up with a string_view (no allocation).
    std::map<std::string, std::map<std::string, SliceSeries*, std::less<>>, std::less<>> slice_index;
  };
  void count(Slo& s, int64_t t_s, const Labels& l, double good, double valid);
  // The weight of a market's decision under per_market_cap (0 < w <= 1).
  double capped_weight(Slo& s, int64_t t_s, uint64_t market_id);
  SliceSeries* slice(Slo& s, const std::string& label, std::string_view value);

  SloCatalogue catalogue_;
  std::vector<Slo> slos_;
  std::vector<SloStatus> status_;
  LatencyWindow accept_window_{300, 10};
  LatencyWindow accept_recent_{10, 1};
};

}  // namespace inplay
