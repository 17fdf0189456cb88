// Playbook file (config/playbooks.yaml): how alerts are routed and what the
// book does about them by itself (INC-1, INC-2, BEY-5).
//
//   routing:    the alert pipeline (group_by, group_wait, group_interval,
//               repeat_interval, inhibit rules, notification rate limit, the
//               High Exposure threshold, quiet hours)
//   notifiers:  where grouped alerts go (webhook JSON, Alertmanager v2 API)
//   guards:     rails for automatic actions (at most N per window, cool-down
//               per playbook and target, dry run, revert after the alert has
//               stayed resolved for revert_after; a feed switch is undone
//               only once the feed has been up and fresh for
//               feed_revert_hold)
//   playbooks:  bindings from grouped alerts (label matchers) to actions,
//               each optionally needing approval, each reverted or not
//   correlate:  causal rules (one cause, one page): a group whose alerts
//               match one side of a rule joins the open incident whose
//               alerts matched the other side, with the same values of the
//               rule's `equal` labels, opened within `within` — instead of
//               opening a second incident
//   budget_guards: error-budget-aware tightening (BEY-5): while an SLO burns
//               over a rate, tighten stake caps and delay on the markets of
//               the burning slice; relax when the burn stays under the
//               relax rate for `relax_after`.
// Validated at start: YamlError "<file>:<line>: <key>: <reason>".
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "alert/alert_pipeline.h"

namespace inplay {

enum class ActionType {
  kSwitchFeed,     // the sport's active feed to the other of primary/backup
  kSuspendMarket,  // suspend the alert's markets
  kFreezeCashout,  // freeze cash-out on the alert's markets
  kLowerStakeCap,  // per-bet stake cap on the alert's markets
  kExtendDelay,    // extra in-play delay on the alert's markets
  kShedLoad,       // bets per second admitted on the alert's markets, or
                   // on the whole book when the alerts name no slice
  kSwitchPspRoute, // new payments to the next PSP route whose breaker is closed
  kSwitchKycVendor,// new screenings to the next KYC vendor whose breaker is closed
  kPauseKycRule,   // stop screening withdrawals over the threshold (KYC-1; a
                   // compliance risk: ship it behind approval)
};
// Actions on a market or the book's intake (the others act on a feed, a
// payment route or the KYC controls).
bool market_scoped(ActionType t);
const char* action_type_name(ActionType t);  // "switch_feed", ...
bool parse_action_type(const std::string& s, ActionType& out);

struct ActionSpec {
  ActionType type = ActionType::kFreezeCashout;
  int64_t value = 0;  // stake cap (minor), delay (ms), intake (bets/s)
  // Market-scoped actions: "alert" acts on the markets named by the group's
  // alerts; "league" on every open market of the group's league (a skewed
  // feed hurts the whole league, not only the markets already stale).
  bool league_scope = false;
  // shed_load on the whole book (a group whose alerts name no league, sport
  // or market: a book-wide overload): the limit is this percentage of the
  // bets the book decided per second over the last 10 s (what it can do
  // now), at most `value` when that is set. 0: `value` alone.
  int64_t share_pct = 0;
  // Runs only while the action before it in the playbook has failed (no
  // healthy feed to switch to: suspend instead), and is undone as soon as
  // that one succeeds on a retry.
  bool fallback = false;
};

struct PlaybookSpec {
  std::string name;
  LabelSet when;  // matchers; the playbook runs when any alert of a group matches
  std::vector<ActionSpec> actions;
  bool approval = false;  // actions wait for an operator's approval
  bool revert = true;     // undo the actions once the group stays resolved
};

struct BudgetGuardSpec {
  std::string slo;
  double tighten_above = 2.0;  // burn rate (short window of the first tier)
  double relax_below = 1.0;
  int64_t relax_after_s = 300;
  int64_t stake_cap_minor = 0;  // 0: leave caps alone
  int64_t extra_delay_ms = 0;   // 0: leave delay alone
};

struct NotifierSpec {
  std::string type;  // "webhook" or "alertmanager"
  std::string url;   // http://127.0.0.1:port[/path]
};

struct GuardRails {
  int max_actions = 20;          // automatic actions per window
  int64_t window_s = 600;
  int64_t cooldown_s = 60;       // same playbook, same target
  bool dry_run = false;
  int64_t revert_after_s = 60;   // hysteresis before an automatic revert
  // A switch back to a feed waits until it has been up and fresh (on time,
  // ODDS-2) this long, not only up: a late feed is no better than before.
  int64_t feed_revert_hold_s = 60;
};

// A causal rule: alerts matching `effect` are caused by alerts matching
// `cause` (either may fire first) when the `equal` labels agree.
struct CorrelationRule {
  LabelSet cause;
  LabelSet effect;
  std::vector<std::string> equal;
  int64_t within_s = 600;
};

struct PlaybookFile {
  RoutingConfig routing;
  std::vector<CorrelationRule> correlate;
  std::vector<NotifierSpec> notifiers;
  GuardRails guards;
  std::vector<PlaybookSpec> playbooks;
  std::vector<BudgetGuardSpec> budget_guards;
};

PlaybookFile parse_playbook_file(const std::string& yaml_text, const std::string& file_name);
PlaybookFile load_playbook_file(const std::string& path);

}  // namespace inplay
