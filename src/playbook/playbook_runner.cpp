// PlaybookRunner's loop (contract in playbook/playbook_runner.h): alerts in,
// incidents opened, correlated, recovered and resolved, playbooks run and
// reverted, the budget guard ticked. What operators ask of it (trigger,
// approve, revert, status-page notes) is playbook/operator_commands.cpp.
#include "playbook/playbook_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/clock.h"
#include "playbook/incident_correlation.h"

namespace inplay {

namespace {



// The group's value of a label, else the first firing alert's that carries
// it (preferring alerts matching `when`, the playbook's trigger).
std::string first_label(const AlertGroup& g, const std::string& key, const LabelSet& when = {}) {
  auto it = g.group_labels.find(key);
  if (it != g.group_labels.end() && !it->second.empty()) return it->second;
  for (bool matching : {true, false})
    for (auto& [fp, a] : g.alerts) {
      if (a.ends_ns || (matching && !alert_matches(a, when))) continue;
      std::string v = a.label(key);
      if (!v.empty()) return v;
    }
  return "";
}

std::string alert_names(const AlertGroup& g) {
  std::set<std::string> names;
  for (auto& [fp, a] : g.alerts)
    if (!a.ends_ns) names.insert(a.name);
  std::string s;
  for (auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

PlaybookRunner::PlaybookRunner(PlaybookFile file, ActionPort& port) : file_(std::move(file)), port_(port) {}

void PlaybookRunner::restore(std::vector<Incident> incidents, int64_t now_ns) {
  for (Incident& inc : incidents) {
    next_incident_ = std::max(next_incident_, inc.id + 1);
    for (auto& a : inc.actions) next_action_ = std::max(next_action_, a.id + 1);
    if (inc.status != "resolved") {
      open_by_group_[inc.group_key] = inc.id;
      for (auto& joined : inc.joined_groups) open_by_group_[joined] = inc.id;
      inc.timeline.push_back({now_ns, "detect", "the book restarted; the incident continues"});
      if (inc.status == "open") unconfirmed_[inc.id] = now_ns;
    }
    const uint64_t id = inc.id;
    incidents_[id] = std::move(inc);
  }
}

const Incident* PlaybookRunner::incident(uint64_t id) const {
  auto it = incidents_.find(id);
  return it == incidents_.end() ? nullptr : &it->second;
}

bool PlaybookRunner::room_for_automatic(int64_t now_ns) {
  while (!recent_automatic_.empty() && now_ns - recent_automatic_.front() >= file_.guards.window_s * kNsPerSecond)
    recent_automatic_.pop_front();
  return static_cast<int>(recent_automatic_.size()) < file_.guards.max_actions;
}

bool PlaybookRunner::allow_automatic(int64_t now_ns) {
  if (!room_for_automatic(now_ns)) return false;
  recent_automatic_.push_back(now_ns);
  return true;
}

Incident& PlaybookRunner::open_incident(int64_t now_ns, const Notification& n) {
  const AlertGroup& g = n.group;
  auto it = open_by_group_.find(g.key);
  if (it != open_by_group_.end()) {
    Incident& inc = incidents_.at(it->second);
    if (inc.status == "recovering") {
      inc.status = "open";
      inc.recovered_ns = 0;
      inc.timeline.push_back({now_ns, "detect", fmt::format("alerts fired again: {}", alert_names(g))});
    }
    return inc;
  }
  std::string why;
  if (Incident* cause = correlated(now_ns, g, why)) {
    cause->joined_groups.push_back(g.key);
    open_by_group_[g.key] = cause->id;
    if (cause->status == "recovering") {
      cause->status = "open";
      cause->recovered_ns = 0;
    }
    cause->timeline.push_back({now_ns, "detect", fmt::format("{} fired, group {}: joined, {}", alert_names(g), g.key, why)});
    return *cause;
  }
  Incident inc;
  inc.id = next_incident_++;
  inc.group_key = g.key;
  inc.group_labels = g.group_labels;
  inc.severity = g.severity;
  inc.opened_ns = now_ns;
  inc.fault_ns = now_ns;
  for (auto& [fp, a] : g.alerts)
    if (a.starts_ns) inc.fault_ns = std::min(inc.fault_ns, a.starts_ns);
  std::string summary;
  for (auto& [fp, a] : g.alerts) {
    auto s = a.annotations.find("summary");
    if (s != a.annotations.end()) {
      summary = s->second;
      break;
    }
  }
  inc.title = fmt::format("{} ({})", summary.empty() ? alert_names(g) : summary, g.key);
  find_slice(now_ns, inc);
  if (inc.slice.empty()) {
    // Until traces say more: what the alerts themselves name.
    for (auto& [fp, a] : g.alerts) {
      auto sl = a.annotations.find("slice");
      if (!a.ends_ns && sl != a.annotations.end()) inc.slice = sl->second;
    }
    if (inc.slice.empty()) {
      std::map<std::string, std::set<std::string>> values;
      for (auto& [fp, a] : g.alerts)
        for (auto& [k, v] : a.labels)
          if (!a.ends_ns && k != "service" && k != "severity" && k != "market_id" && k != "event_id")
            values[k].insert(v);
      for (auto& [k, vs] : values)
        if (vs.size() == 1) inc.slice += (inc.slice.empty() ? "" : ", ") + k + "=" + *vs.begin();
      if (!inc.slice.empty()) inc.slice = "alert labels: " + inc.slice;
    }
  }
  inc.timeline.push_back(
      {now_ns, "detect",
       fmt::format("{} fired, group {}{}{}", alert_names(g), g.key, g.high_exposure ? "; High Exposure" : "",
                   inc.slice.empty() ? "" : "; slice: " + inc.slice)});
  port_.audit("incident_opened", fmt::format("incident:{}", inc.id), "system:alert_pipeline", inc.title);
  auto [pos, fresh] = incidents_.emplace(inc.id, std::move(inc));
  open_by_group_[g.key] = pos->first;
  return pos->second;
}

Incident* PlaybookRunner::correlated(int64_t now_ns, const AlertGroup& g, std::string& why) {
  auto m = find_correlated_group(file_.correlate, g, firing_groups_, [&](const std::string& key, const CorrelationRule& rule) {
    auto it = open_by_group_.find(key);
    if (it == open_by_group_.end()) return false;
    const Incident& inc = incidents_.at(it->second);
    return inc.status != "resolved" && now_ns - inc.opened_ns <= rule.within_s * kNsPerSecond;
  });
  if (!m) return nullptr;
  why = std::move(m->why);
  return &incidents_.at(open_by_group_.at(m->group_key));
}

void PlaybookRunner::find_slice(int64_t now_ns, Incident& inc) {
  if (!slice_ || inc.slice_from_traces) return;
  inc.slice_checked_ns = now_ns;
  auto [text, traces] = slice_(inc.fault_ns);
  if (!traces.empty()) inc.trace_ids = std::move(traces);
  if (text.empty()) return;
  inc.slice = std::move(text);
  inc.slice_from_traces = true;
  if (inc.opened_ns != now_ns) inc.timeline.push_back({now_ns, "detect", "slice that hurts: " + inc.slice});
}

void PlaybookRunner::on_groups(int64_t now_ns, const std::map<std::string, AlertGroup>& groups) {
  std::vector<Notification> live;
  for (auto& [key, g] : groups) {
    if (g.firing()) firing_groups_[key] = g;
    else firing_groups_.erase(key);
  }
  for (auto& [key, g] : groups) {
    auto it = open_by_group_.find(key);
    if (it == open_by_group_.end() || !g.firing()) continue;
    if (incidents_.at(it->second).status != "open") continue;
    live.push_back(Notification{"firing", g});
  }
  on_notifications(now_ns, live);
  std::set<uint64_t> lifted;
  for (auto& n : live) {
    const uint64_t id = open_by_group_.at(n.group.key);
    if (lifted.insert(id).second) lift_quiet_sheds(now_ns, incidents_.at(id));
  }
}

void PlaybookRunner::lift_quiet_sheds(int64_t now_ns, Incident& inc) {
  // Shedding while its trigger is quiet would shed ordinary load (REL-4):
  // a shed_load whose playbook matches none of the group's alerts for
  // revert_after is lifted though the group still fires (a slow-burn
  // ticket of the same SLO can hold it open for hours). If its trigger
  // fires again, the playbook sheds again.
  for (auto& a : inc.actions) {
    if (a.spec.type != ActionType::kShedLoad || a.status != "done" || !a.automatic || !a.revert_on_resolve) continue;
    const PlaybookSpec* pb = nullptr;
    for (auto& p : file_.playbooks)
      if (p.name == a.playbook) pb = &p;
    bool firing = false;  // in any group of the incident (one joined by a causal rule too)
    for (auto& [key, id] : open_by_group_) {
      auto g = firing_groups_.find(key);
      if (id != inc.id || g == firing_groups_.end()) continue;
      for (auto& [fp, al] : g->second.alerts) firing = firing || (pb && !al.ends_ns && alert_matches(al, pb->when));
    }
    if (firing) {
      shed_quiet_since_.erase(a.id);
      continue;
    }
    auto [q, fresh] = shed_quiet_since_.try_emplace(a.id, now_ns);
    if (now_ns - q->second < file_.guards.revert_after_s * kNsPerSecond) continue;
    shed_quiet_since_.erase(q);
    const bool ok = do_revert(now_ns, a, "system:playbook_revert");
    if (a.status == "done") continue;  // the revert waits: tried again next tick
    inc.timeline.push_back({now_ns, "recover",
                            fmt::format("{}: {} (its trigger quiet for {} s)", ok ? "lifted" : "lift failed", a.detail,
                                        file_.guards.revert_after_s)});
  }
}

void PlaybookRunner::on_notifications(int64_t now_ns, const std::vector<Notification>& notes) {
  for (auto& n : notes) {
    if (n.status == "firing") {
      firing_groups_[n.group.key] = n.group;
      Incident& inc = open_incident(now_ns, n);
      unconfirmed_.erase(inc.id);
      const AlertGroup& g = n.group;
      std::set<uint64_t> markets(inc.markets.begin(), inc.markets.end());
      markets.insert(g.affected.begin(), g.affected.end());
      inc.markets.assign(markets.begin(), markets.end());
      inc.exposure_minor = std::max(inc.exposure_minor, g.liability_minor);
      inc.high_exposure = inc.high_exposure || g.high_exposure;
      if (g.severity == "page") inc.severity = "page";
      for (auto& [fp, a] : g.alerts)
        if (!a.ends_ns && std::find(inc.alerts.begin(), inc.alerts.end(), a.name) == inc.alerts.end())
          inc.alerts.push_back(a.name);
      run_playbooks(now_ns, inc, n);
    } else {
      firing_groups_.erase(n.group.key);
      auto it = open_by_group_.find(n.group.key);
      if (it == open_by_group_.end()) continue;
      Incident& inc = incidents_.at(it->second);
      // A joined incident recovers once none of its groups fires.
      bool other_fires = false;
      for (auto& [key, id] : open_by_group_)
        other_fires = other_fires || (id == inc.id && key != n.group.key && firing_groups_.count(key));
      if (other_fires) {
        inc.timeline.push_back({now_ns, "detect", fmt::format("group {} resolved; the incident's other groups still fire", n.group.key)});
        continue;
      }
      inc.status = "recovering";
      inc.recovered_ns = now_ns;
      inc.timeline.push_back({now_ns, "recover", "every alert of the group resolved"});
    }
  }
}

namespace {

// The label naming what a switch moves away from (nullptr: not a switch).
const char* blamed_label(ActionType t) {
  switch (t) {
    case ActionType::kSwitchFeed: return "feed";
    case ActionType::kSwitchPspRoute: return "psp_route";
    case ActionType::kSwitchKycVendor: return "kyc_vendor";
    default: return nullptr;
  }
}

}  // namespace

void PlaybookRunner::run_playbooks(int64_t now_ns, Incident& inc, const Notification& n) {
  const AlertGroup& g = n.group;
  for (auto& pb : file_.playbooks) {
    bool match = false;
    for (auto& [fp, a] : g.alerts) match = match || (!a.ends_ns && alert_matches(a, pb.when));
    if (!match) continue;
    for (size_t k = 0; k < pb.actions.size(); ++k) {
      const ActionSpec& spec = pb.actions[k];
      if (spec.fallback && !previous_failed(inc, pb, k)) continue;
      // A switch (of a feed, a PSP route, a KYC vendor) is per blamed one: a
      // group may blame the standby (nothing to switch) and the active one
      // (switch) at once, in either order.
      const char* blame_label = blamed_label(spec.type);
      std::set<std::string> feeds{""};
      if (blame_label) {
        feeds.clear();
        for (auto& [fp, al] : g.alerts)
          if (!al.ends_ns && alert_matches(al, pb.when)) feeds.insert(al.label(blame_label));
        if (feeds.empty()) feeds.insert(first_label(g, blame_label, pb.when));
      }
      for (const std::string& feed : feeds) {
      ActionTarget target;
      target.sport = first_label(g, "sport");
      target.league = first_label(g, "league");
      target.feed = feed;
      if (market_scoped(spec.type)) {
        std::set<uint64_t> covered;
        bool league_done = false;
        for (auto& a : inc.actions)
          if (a.playbook == pb.name && a.spec.type == spec.type && a.status != "reverted") {
            covered.insert(a.target.markets.begin(), a.target.markets.end());
            league_done = league_done || a.target.markets.empty();
          }
        std::vector<uint64_t> fresh;
        std::vector<uint64_t> scope = g.markets;
        if (spec.league_scope && !target.league.empty()) {
          ActionTarget league;
          league.league = target.league;
          std::vector<uint64_t> all = port_.markets_of(league);
          scope.insert(scope.end(), all.begin(), all.end());
          std::sort(scope.begin(), scope.end());
          scope.erase(std::unique(scope.begin(), scope.end()), scope.end());
        }
        for (uint64_t m : scope)
          if (!covered.count(m)) fresh.push_back(m);
        // Alerts that name no market, league or sport are about the whole
        // book (an overload of every market): shed_load acts on the book
        // (its intake limit); other market-scoped actions have no book-wide
        // form and wait for alerts that name a slice.
        const bool whole_book = scope.empty() && target.league.empty() && target.sport.empty();
        if (whole_book) {
          if (league_done || spec.type != ActionType::kShedLoad) continue;
        } else if (scope.empty()) {
          if (league_done) continue;
          fresh = port_.markets_of(target);
          bool any = false;
          for (uint64_t m : fresh) any = any || !covered.count(m);
          if (!any) continue;
        }
        if (fresh.empty() && !whole_book) continue;
        target.markets = std::move(fresh);
        target.sport.clear();
      } else {
        if (target.sport.empty()) target.sport = port_.markets_of(target).empty() ? "" : target.sport;
        // A feed switch is per failing feed: when the feed switched to fails
        // too, the incident switches again — once the other one is up. A
        // switch that found no healthy feed is retried every tick (quietly)
        // until one recovers: meanwhile the sport stays suspended (fail
        // closed) and reopens with the switch.
        const bool per_feed = blame_label != nullptr;
        IncidentAction* waiting = nullptr;
        bool done = false;
        for (auto& a : inc.actions) {
          if (a.playbook != pb.name || a.spec.type != spec.type) continue;
          if (per_feed && a.target.feed != target.feed) continue;
          if (per_feed && a.status == "failed") waiting = &a;
          else done = true;
        }
        if (done) continue;
        if (waiting) {
          retry(now_ns, inc, *waiting);
          continue;
        }
      }
      IncidentAction a;
      a.id = next_action_++;
      a.playbook = pb.name;
      a.spec = spec;
      a.target = std::move(target);
      a.actor = "playbook:" + pb.name;
      a.at_ns = now_ns;
      a.automatic = true;
      a.revert_on_resolve = pb.revert;
      std::string cool_key =
          pb.name + "|" + action_type_name(spec.type) + "|" + a.target.describe() + "|" + a.target.feed;
      auto cd = cooldown_until_.find(cool_key);
      if (pb.approval) {
        a.status = "pending_approval";
        a.detail = "waits for an operator's approval";
      } else if (cd != cooldown_until_.end() && now_ns < cd->second) {
        a.status = "skipped_cooldown";
        a.detail = "the same action ran on this target within the cool-down";
      } else if (!allow_automatic(now_ns)) {
        a.status = "skipped_rate_limit";
        a.detail = fmt::format("more than {} automatic actions in {} s", file_.guards.max_actions,
                               file_.guards.window_s);
      } else if (file_.guards.dry_run) {
        a.status = "dry_run";
        a.detail = fmt::format("dry run: would {} on {}", action_type_name(spec.type), a.target.describe());
      }
      if (a.status.empty()) {
        cooldown_until_[cool_key] = now_ns + file_.guards.cooldown_s * kNsPerSecond;
        inc.actions.push_back(std::move(a));
        execute(now_ns, &inc, inc.actions.back());
        if (inc.actions.back().status == "failed") {  // nothing ran: no cool-down, no budget spent
          cooldown_until_.erase(cool_key);
          recent_automatic_.pop_back();
        }
      } else {
        inc.timeline.push_back({now_ns, "contain",
                                fmt::format("{} on {}: {} ({})", action_type_name(spec.type), a.target.describe(),
                                            a.status, pb.name)});
        port_.audit("playbook_" + a.status, fmt::format("incident:{}", inc.id), a.actor,
                    fmt::format("{} on {}", action_type_name(spec.type), a.target.describe()));
        inc.actions.push_back(std::move(a));
      }
      }  // feeds
    }
  }
}

bool PlaybookRunner::previous_failed(const Incident& inc, const PlaybookSpec& pb, size_t k) const {
  const ActionSpec& before = pb.actions[k - 1];
  for (auto& a : inc.actions)
    if (a.playbook == pb.name && a.spec.type == before.type && a.status == "failed") return true;
  return false;
}

void PlaybookRunner::undo_fallbacks(int64_t now_ns, Incident& inc, const IncidentAction& succeeded) {
  for (auto& a : inc.actions) {
    if (a.playbook != succeeded.playbook || !a.spec.fallback || a.status != "done") continue;
    const bool ok = do_revert(now_ns, a, "system:playbook_revert");
    inc.timeline.push_back({now_ns, "recover",
                            fmt::format("{}: {} ({} {} now)", ok ? "reverted" : "revert failed", a.detail,
                                        action_type_name(succeeded.spec.type), succeeded.status)});
  }
}

void PlaybookRunner::execute(int64_t now_ns, Incident* inc, IncidentAction& a) {
  ++actions_total_;
  std::string reason = inc ? fmt::format("incident {}: {}", inc->id, inc->group_key) : "operator";
  auto r = port_.apply(a.spec, a.target, a.actor, reason);
  a.at_ns = now_ns;
  if (r.ok()) {
    // An action that found nothing to change is recorded as such, never as
    // done: an incident does not claim a switch or a freeze that did not happen.
    a.status = r.value().changed ? "done" : "not_needed";
    a.outcome = r.value();
    a.detail = a.outcome.detail;
    if (inc && !inc->contained_ns && a.status == "done") inc->contained_ns = now_ns;
  } else {
    a.status = "failed";
    a.detail = r.error().message;
    a.error = r.error().code;
  }
  if (inc)
    inc->timeline.push_back({now_ns, "contain", fmt::format("{}: {} by {}", a.status, a.detail, a.actor)});
}

void PlaybookRunner::retry(int64_t now_ns, Incident& inc, IncidentAction& a) {
  // A retry that fails changes nothing, so only one that succeeds counts
  // against the guard's action budget.
  if (!room_for_automatic(now_ns)) return;
  auto r = port_.apply(a.spec, a.target, a.actor, fmt::format("incident {}: {} (retry)", inc.id, inc.group_key));
  if (!r.ok()) {
    a.detail = r.error().message;  // still failing: no new timeline line
    return;
  }
  allow_automatic(now_ns);
  ++actions_total_;
  const int64_t waited_ns = now_ns - a.at_ns;
  a.status = r.value().changed ? "done" : "not_needed";
  a.at_ns = now_ns;
  a.outcome = r.value();
  a.detail = a.outcome.detail;
  if (!inc.contained_ns && a.status == "done") inc.contained_ns = now_ns;
  inc.timeline.push_back({now_ns, "contain",
                          fmt::format("{}: {} by {} (retried for {:.0f} s until a feed was up)", a.status, a.detail,
                                      a.actor, static_cast<double>(waited_ns) / 1e9)});
  undo_fallbacks(now_ns, inc, a);  // what stood in for it (a suspension) is not needed now
}

bool PlaybookRunner::do_revert(int64_t now_ns, IncidentAction& a, const std::string& actor) {
  if (a.status != "done") return false;
  auto r = port_.revert(a.spec, a.outcome, actor);
  if (!r.ok() && r.error().code == ErrorCode::kNotReady) {
    a.detail = r.error().message;  // still done; tried again later
    return false;
  }
  if (r.ok()) {
    a.status = "reverted";
    a.reverted_ns = now_ns;
    a.detail = r.value();
    return true;
  }
  a.status = "revert_failed";
  a.detail = r.error().message;
  return false;
}

void PlaybookRunner::tick(int64_t now_ns, const std::vector<SloStatus>& slos) {
  for (auto it = unconfirmed_.begin(); it != unconfirmed_.end();) {
    if (now_ns - it->second < kRestoreGraceNs) {
      ++it;
      continue;
    }
    Incident& inc = incidents_.at(it->first);
    if (inc.status == "open") {
      inc.status = "recovering";
      inc.recovered_ns = now_ns;
      inc.timeline.push_back({now_ns, "recover", "its alerts did not fire again after the restart"});
    }
    it = unconfirmed_.erase(it);
  }
  for (auto& [key, id] : open_by_group_) {
    Incident& inc = incidents_.at(id);
    if (!inc.slice_from_traces && now_ns - inc.slice_checked_ns >= 5 * kNsPerSecond) find_slice(now_ns, inc);
  }
  for (auto it = open_by_group_.begin(); it != open_by_group_.end();) {
    Incident& inc = incidents_.at(it->second);
    if (inc.status == "resolved") {  // a joined group of an incident resolved above
      it = open_by_group_.erase(it);
      continue;
    }
    if (inc.status != "recovering" || now_ns - inc.recovered_ns < file_.guards.revert_after_s * kNsPerSecond ||
        !revert_all(now_ns, inc)) {
      ++it;
      continue;
    }
    inc.status = "resolved";
    inc.resolved_ns = now_ns;
    if (inc.status_note.published()) {
      inc.status_note = StatusNote{};
      inc.timeline.push_back({now_ns, "recover", "status-page note taken down: the incident resolved"});
    }
    inc.timeline.push_back({now_ns, "learn", fmt::format("post-mortem skeleton at /v1/incidents/{}/postmortem", inc.id)});
    port_.audit("incident_resolved", fmt::format("incident:{}", inc.id), "system:playbook", inc.title);
    it = open_by_group_.erase(it);
  }

  // BEY-5: error-budget-aware guards on the burning slices.
  for (auto& bg : file_.budget_guards) {
    for (auto& st : slos) {
      if (!st.spec || st.spec->name != bg.slo) continue;
      for (auto& sl : st.slices) {
        if (sl.label != "league") continue;
        GuardState& gs = guards_[bg.slo + "|" + sl.label + "=" + sl.value];
        if (!gs.tightened && sl.burn_short >= bg.tighten_above) {
          ActionTarget t;
          t.league = sl.value;
          t.markets = port_.markets_of(t);
          if (t.markets.empty()) continue;
          std::vector<ActionSpec> specs;
          if (bg.stake_cap_minor) specs.push_back({ActionType::kLowerStakeCap, bg.stake_cap_minor});
          if (bg.extra_delay_ms) specs.push_back({ActionType::kExtendDelay, bg.extra_delay_ms});
          for (auto& s : specs) {
            IncidentAction a;
            a.id = next_action_++;
            a.playbook = "budget_guard:" + bg.slo;
            a.spec = s;
            a.target = t;
            a.actor = "budget_guard:" + bg.slo;
            a.automatic = true;
            if (file_.guards.dry_run) {
              a.status = "dry_run";
              a.at_ns = now_ns;
              a.detail = fmt::format("dry run: would {} on league {}", action_type_name(s.type), sl.value);
            } else {
              execute(now_ns, nullptr, a);
            }
            gs.actions.push_back(a);
            manual_.push_back(a);
          }
          gs.tightened = true;
          gs.calm_since_ns = 0;
          gs.slice = GuardedSlice{bg.slo, sl.label, sl.value, t.markets};
          gs.why = fmt::format("{} burns {:.1f}x on {}={}", bg.slo, sl.burn_short, sl.label, sl.value);
        } else if (gs.tightened) {
          if (sl.burn_short >= bg.relax_below) {
            gs.calm_since_ns = 0;
          } else if (!gs.calm_since_ns) {
            gs.calm_since_ns = now_ns;
          } else if (now_ns - gs.calm_since_ns >= bg.relax_after_s * kNsPerSecond) {
            for (auto& a : gs.actions) {
              do_revert(now_ns, a, "budget_guard:" + bg.slo);
              for (auto& m : manual_)
                if (m.id == a.id) m = a;
            }
            for (uint64_t id : gs.told) {
              auto inc = incidents_.find(id);
              if (inc == incidents_.end() || inc->second.status == "resolved") continue;
              for (auto& a : gs.actions) {
                std::string line = guard_relaxed_line(a, bg);
                if (!line.empty()) inc->second.timeline.push_back({now_ns, "recover", std::move(line)});
              }
            }
            gs = GuardState{};
          }
        }
        if (gs.tightened) tell_incidents(now_ns, gs);
      }
    }
  }
}

void PlaybookRunner::tell_incidents(int64_t now_ns, GuardState& gs) {
  std::map<uint64_t, std::vector<const AlertGroup*>> groups;  // open incident -> its firing groups
  for (auto& [key, id] : open_by_group_) {
    auto& of = groups[id];
    auto g = firing_groups_.find(key);
    if (g != firing_groups_.end()) of.push_back(&g->second);
  }
  for (auto& [id, of] : groups) {
    Incident& inc = incidents_.at(id);
    if (gs.told.count(id) || !incident_concerns_guard(inc, of, gs.slice)) continue;
    for (auto& a : gs.actions) inc.timeline.push_back({now_ns, "contain", guard_tightened_line(a, gs.why, now_ns)});
    gs.told.insert(id);
  }
}

bool PlaybookRunner::revert_all(int64_t now_ns, Incident& inc) {
  // Feed switches are undone once per sport, by the incident's first one:
  // it goes back to the feed the sport was on before the incident, and the
  // later switches (back and forth between failing feeds) go with it.
  std::map<std::string, const IncidentAction*> first_switch;
  for (auto& a : inc.actions)
    if (a.spec.type == ActionType::kSwitchFeed && a.status == "done" && a.revert_on_resolve)
      first_switch.try_emplace(a.target.sport, &a);
  bool waiting = false;
  for (auto& a : inc.actions) {
    if (a.status == "pending_approval") {
      a.status = "expired";
      a.detail = "the incident resolved before approval";
      continue;
    }
    if (!a.revert_on_resolve || a.status != "done") continue;
    if (a.spec.type == ActionType::kSwitchFeed && first_switch.at(a.target.sport) != &a) continue;
    const bool ok = do_revert(now_ns, a, "system:playbook_revert");
    if (a.status == "done") {  // the revert waits (NOT_READY): the incident stays recovering
      if (waiting_reverts_.insert(a.id).second)
        inc.timeline.push_back({now_ns, "recover", fmt::format("revert of {} {}", action_type_name(a.spec.type), a.detail)});
      waiting = true;
      continue;
    }
    inc.timeline.push_back({now_ns, "recover", fmt::format("{}: {}", ok ? "reverted" : "revert failed", a.detail)});
  }
  if (waiting) return false;
  for (auto& a : inc.actions)
    if (a.spec.type == ActionType::kSwitchFeed && a.status == "done" && a.revert_on_resolve) {
      const IncidentAction& first = *first_switch.at(a.target.sport);
      a.status = first.status;
      a.reverted_ns = first.reverted_ns;
      a.detail = fmt::format("with the incident's first feed switch (action {})", first.id);
    }
  return true;
}

}  // namespace inplay
