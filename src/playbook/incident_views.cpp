// JSON views of the incident loop for the API (GET /v1/slos, /v1/alerts,
// /v1/incidents[/{id}], /v1/actions, /v1/deploy-guard). Engine thread.
#include <fmt/format.h>

#include "core/json.h"
#include "core/time_format.h"
#include "playbook/incident_loop.h"

namespace inplay {

namespace {

std::string decimal(double v, int places = 6) {
  if (!(v == v) || v > 1e15 || v < -1e15) return "0";
  return fmt::format("{:.{}f}", v, places);
}

void time_or_null(JsonWriter& w, std::string_view key, int64_t ns) {
  w.key(key);
  if (ns) w.value(rfc3339_ms(ns));
  else w.null();
}

void action_json(JsonWriter& w, const IncidentAction& a) {
  w.begin_object();
  w.field("id", a.id);
  w.field("action", action_type_name(a.spec.type));
  if (a.spec.value) w.field("value", a.spec.value);
  w.field("target", a.target.describe());
  w.field("playbook", a.playbook);
  w.field("actor", a.actor);
  w.field("automatic", a.automatic);
  w.field("status", a.status);
  w.field("detail", a.detail);
  time_or_null(w, "at", a.at_ns);
  time_or_null(w, "reverted_at", a.reverted_ns);
  w.end_object();
}

void incident_body(JsonWriter& w, const Incident& i, bool full, Currency currency) {
  w.begin_object();
  w.field("id", i.id);
  w.field("title", i.title);
  w.field("status", i.status);
  w.field("severity", i.severity);
  w.field("group", i.group_key);
  write_labels(w, "group_labels", i.group_labels);
  w.field("high_exposure", i.high_exposure);
  w.field("exposure_minor", i.exposure_minor).field("currency", currency.code());
  w.key("markets").begin_array();
  for (uint64_t m : i.markets) w.value(m);
  w.end_array();
  w.key("alerts").begin_array();
  for (auto& a : i.alerts) w.value(a);
  w.end_array();
  w.field("slice", i.slice);
  time_or_null(w, "fault_at", i.fault_ns);
  time_or_null(w, "detected_at", i.opened_ns);
  time_or_null(w, "contained_at", i.contained_ns);
  time_or_null(w, "recovered_at", i.recovered_ns);
  time_or_null(w, "resolved_at", i.resolved_ns);
  w.key("actions").begin_array();
  for (auto& a : i.actions) action_json(w, a);
  w.end_array();
  w.key("status_note");  // what the public status page says of it (SUP-1), or null
  if (i.status_note.published()) {
    const StatusNote& n = i.status_note;
    w.begin_object().field("status", public_status_name(n.status)).field("message", n.message);
    w.field("published_at", rfc3339_ms(n.published_ns)).field("updated_at", rfc3339_ms(n.updated_ns));
    w.field("actor", n.actor).end_object();
  } else {
    w.null();
  }
  if (full) {
    w.key("timeline").begin_array();
    for (auto& e : i.timeline)
      w.begin_object().field("at", rfc3339_ms(e.at_ns)).field("step", e.step).field("what", e.what).end_object();
    w.end_array();
    w.key("trace_ids").begin_array();
    for (auto& t : i.trace_ids) w.value(t);
    w.end_array();
    w.field("postmortem", postmortem_markdown(i, currency));
  }
  w.end_object();
}

}  // namespace

std::string IncidentLoop::slos_json() const {
  JsonWriter w;
  w.begin_object().key("slos").begin_array();
  for (auto& st : evaluator_.status()) {
    const SloSpec& s = *st.spec;
    w.begin_object();
    w.field("name", s.name).field("path", s.path).field("service", s.service).field("runbook", s.runbook);
    w.field("kind", sli_kind_name(s.sli.kind)).field("source", s.sli.source);
    w.key("target").raw(decimal(s.target));
    w.field("period_s", s.period_s);
    w.field("wired", st.wired).field("has_data", st.has_data);
    // "no data" is said, never shown as a perfect SLI.
    w.field("status", !st.wired ? "not wired yet" : !st.has_data ? "no data" : st.firing ? "burning" : "ok");
    // The budget is over the period; judged only once the data covers the
    // window its alerts trust (playbook/slo_coverage.h).
    const int64_t now = now_ns();
    w.field("data_s", coverage_.data_s(st, now)).field("budget_needs_s", SloCoverage::needs_s(s));
    w.field("budget_judged", st.has_data && coverage_.judged(st, now));
    if (st.has_data) {
      w.key("sli").raw(decimal(st.sli));
      w.key("error_budget_remaining").raw(decimal(st.budget_remaining));
    } else {
      w.key("sli").null();
      w.key("error_budget_remaining").null();
    }
    w.key("valid_events").raw(decimal(st.valid_events, 0));
    w.field("firing", st.firing);
    if (st.firing) w.field("severity", severity_name(st.severity));
    w.key("burn_rates").begin_array();
    for (auto& b : st.burns) {
      w.begin_object().field("tier", b.tier).field("severity", severity_name(b.severity));
      w.key("threshold").raw(decimal(b.threshold, 2));
      w.key("long").raw(decimal(b.burn_long, 3));
      w.key("short").raw(decimal(b.burn_short, 3));
      w.field("firing", b.firing).end_object();
    }
    w.end_array();
    w.key("slices").begin_array();
    for (size_t k = 0; k < st.slices.size() && k < 10; ++k) {
      auto& sl = st.slices[k];
      w.begin_object().field("label", sl.label).field("value", sl.value);
      w.key("burn_long").raw(decimal(sl.burn_long, 3));
      w.key("burn_short").raw(decimal(sl.burn_short, 3));
      w.field("firing", sl.firing).end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  // The catalogue's threshold alerts, and whether anything samples their
  // signal yet (an unwired one can never fire).
  w.key("alerts").begin_array();
  for (auto& a : evaluator_.catalogue().alerts) {
    const bool wired = alert_signal_wired(a.signal);
    w.begin_object().field("name", a.name).field("signal", a.signal).field("service", a.service);
    w.field("wired", wired).field("status", wired ? "wired" : "not wired yet").field("runbook", a.runbook);
    w.end_object();
  }
  w.end_array();
  w.key("accept_p99_seconds").raw(decimal(static_cast<double>(evaluator_.accept_quantile_ns(0.99)) / 1e9));
  w.key("accept_p99_10s_seconds").raw(decimal(static_cast<double>(evaluator_.accept_recent_quantile_ns(0.99)) / 1e9));
  w.end_object();
  return w.take();
}

std::string IncidentLoop::alerts_json() const {
  JsonWriter w;
  w.begin_object().key("alerts").begin_array();
  for (auto& a : firing_) {
    w.begin_object().field("name", a.name);
    write_labels(w, "labels", a.labels);
    write_labels(w, "annotations", a.annotations);
    w.field("source", a.source);
    time_or_null(w, "starts_at", a.starts_ns);
    w.end_object();
  }
  w.end_array().key("groups").begin_array();
  for (auto& [key, g] : pipeline_.groups()) {
    w.begin_object().field("key", key).field("severity", g.severity).field("high_exposure", g.high_exposure);
    w.field("exposure_minor", g.liability_minor);
    size_t firing = 0;
    for (auto& [fp, a] : g.alerts) firing += a.ends_ns == 0;
    w.field("alerts_firing", static_cast<uint64_t>(firing));
    w.key("markets").begin_array();
    for (uint64_t m : g.markets) w.value(m);
    w.end_array().end_object();
  }
  w.end_array();
  w.key("inhibited").begin_array();
  for (auto& a : pipeline_.inhibited_now()) {
    w.begin_object().field("name", a.name);
    write_labels(w, "labels", a.labels);
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

std::string IncidentLoop::incidents_json() const {
  JsonWriter w;
  w.begin_object().key("incidents").begin_array();
  auto& all = runner_->incidents();
  const Currency currency = engine_.state().ledger.currency();
  for (auto it = all.rbegin(); it != all.rend(); ++it) incident_body(w, it->second, false, currency);
  w.end_array().end_object();
  return w.take();
}

std::string IncidentLoop::incident_json(uint64_t id) const {
  const Incident* i = runner_->incident(id);
  if (!i) return "";
  JsonWriter w;
  incident_body(w, *i, true, engine_.state().ledger.currency());
  return w.take();
}

std::string IncidentLoop::actions_json() const {
  JsonWriter w;
  w.begin_object().key("actions").begin_array();
  for (auto& a : runner_->manual_actions()) action_json(w, a);
  w.end_array();
  w.field("dry_run", runner_->file().guards.dry_run);
  w.end_object();
  return w.take();
}

bool IncidentLoop::deploy_blocked(int64_t within_ns, std::string& json) const {
  const Book& book = engine_.state().book;
  const int64_t now = now_ns();
  JsonWriter w;
  w.begin_object();
  bool blocked = false;
  w.key("matches").begin_array();
  for (uint64_t eid : book.event_ids()) {
    const Event* e = book.event(eid);
    if (!opts_.top_leagues.count(e->league) || e->state == EventState::kEnded) continue;
    int64_t kickoff = e->kickoff_ms * 1'000'000;
    const char* why = nullptr;
    if (e->state == EventState::kInPlay) why = "in_play";
    else if (kickoff > now && kickoff - now <= within_ns) why = "kicks_off_soon";
    else if (kickoff <= now && now - kickoff < opts_.deploy_guard_match_ns) why = "in_play";
    if (!why) continue;
    blocked = true;
    w.begin_object().field("event_id", eid).field("league", e->league);
    w.field("name", e->home + " v " + e->away).field("kickoff", rfc3339_ms(kickoff)).field("reason", why);
    w.end_object();
  }
  w.end_array();
  w.field("blocked", blocked);
  w.field("within_s", within_ns / 1'000'000'000);
  w.field("now", rfc3339_ms(now));
  w.end_object();
  json = w.take();
  return blocked;
}

}  // namespace inplay
