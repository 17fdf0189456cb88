// AlertPipeline: dedupe, inhibit, group and route alerts (INC-1), the way
// Alertmanager does, on the book's clock and inside the process.
//
// Each update() gets the alerts firing now (from AlertRules and from
// Alertmanager webhooks received) and:
//  - dedupes them by fingerprint (an alert keeps its start time while it
//    fires; one that stops firing is resolved);
//  - drops alerts inhibited by another firing alert (a feed_down for a sport
//    inhibits the odds_stale alerts of that sport's markets: equal labels);
//  - groups the rest by the configured group_by labels (default service and
//    league: the half-time incident's EPL markets are one group, one page,
//    listing every market_id in it);
//  - tags each group with the live liability of its markets; a group over
//    high_exposure_minor is "High Exposure" and is notified first;
//  - emits notifications: a new group after group_wait, a changed group
//    after group_interval, an unchanged firing group every repeat_interval,
//    and once when every alert of the group has resolved (the group then
//    closes). Quiet hours hold ticket-severity notifications, except on
//    match days. At most max_notifications_per_minute go out; the rest wait
//    for the next update (counted).
// Single-threaded (the incident loop on the engine thread).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "alert/alert.h"

namespace inplay {

struct InhibitRule {
  LabelSet source;  // matchers on the inhibiting alert
  LabelSet target;  // matchers on the inhibited alert
  std::vector<std::string> equal;  // labels that must be equal on both
};

// feed_down inhibits odds_stale of its sport; a known schema skew on a feed
// (the canary) inhibits that feed's parser-error alert and the
// feed_parse_success burn it explains.
std::vector<InhibitRule> default_inhibit_rules();

struct RoutingConfig {
  std::vector<std::string> group_by{"service", "league"};
  int64_t group_wait_ns = 1'000'000'000;
  int64_t group_interval_ns = 30'000'000'000;
  int64_t repeat_interval_ns = 4LL * 3600 * 1'000'000'000;
  std::vector<InhibitRule> inhibit = default_inhibit_rules();
  int max_notifications_per_minute = 30;
  int64_t high_exposure_minor = 100'000'00;  // 100,000.00 in the book's currency
  int quiet_from_minute = -1;  // minute of the UTC day; -1: no quiet hours
  int quiet_to_minute = -1;
};

struct AlertGroup {
  uint64_t id = 0;
  std::string key;        // "service=odds,league=EPL"
  LabelSet group_labels;  // the group_by labels' values
  std::map<uint64_t, Alert> alerts;  // by fingerprint; resolved ones have ends_ns
  int64_t created_ns = 0;
  int64_t last_notified_ns = 0;
  uint64_t notified_digest = 0;  // the firing set last notified
  bool notified_firing = false;
  std::vector<uint64_t> markets;  // market_id labels of its alerts (what actions act on)
  // What it affects: `markets` plus those an alert that names no market
  // stands for (set_affected: a down active feed, every market it prices).
  // Live liability and High Exposure are over these.
  std::vector<uint64_t> affected;
  int64_t liability_minor = 0;
  bool high_exposure = false;
  std::string severity = "ticket";  // highest of its firing alerts
  bool firing() const;
};

struct Notification {
  std::string status;  // "firing" or "resolved"
  AlertGroup group;    // a copy as of the notification
};

class AlertPipeline {
 public:
  explicit AlertPipeline(RoutingConfig cfg = {}) : cfg_(std::move(cfg)) {}
  using Liability = std::function<int64_t(uint64_t market_id)>;
  // firing: every alert firing now (built-in and received). Returns the
  // notifications to send, High Exposure groups first, then pages.
  std::vector<Notification> update(int64_t now_ns, std::vector<Alert> firing, const Liability& liability,
                                    bool match_day);
  // The markets an alert without a market_id label affects (e.g. every
  // market of a sport whose active feed is down); none by default.
  using Affected = std::function<std::vector<uint64_t>(const Alert&)>;
  void set_affected(Affected fn) { affected_ = std::move(fn); }
  const std::map<std::string, AlertGroup>& groups() const { return groups_; }
  const RoutingConfig& config() const { return cfg_; }
  uint64_t inhibited_total() const { return inhibited_; }
  uint64_t rate_limited_total() const { return rate_limited_; }
  uint64_t notifications_total() const { return sent_; }
  // Alerts inhibited in the last update (for the war room and tests); the
  // annotation inhibited_by names the alert that silenced each.
  const std::vector<Alert>& inhibited_now() const { return inhibited_now_; }

 private:
  std::string group_key(const Alert& a, LabelSet& labels) const;
  Affected affected_;
  bool quiet(int64_t now_ns, bool match_day) const;
  RoutingConfig cfg_;
  std::map<std::string, AlertGroup> groups_;
  uint64_t next_group_ = 1;
  std::vector<int64_t> sent_times_;  // for the per-minute limit
  uint64_t inhibited_ = 0, rate_limited_ = 0, sent_ = 0;
  std::vector<Alert> inhibited_now_;
};

}  // namespace inplay
