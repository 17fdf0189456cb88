#include "playbook/incident.h"

#include <fmt/format.h>

#include "core/time_format.h"

namespace inplay {

std::string ActionTarget::describe() const {
  if (!markets.empty()) {
    std::string s = "markets:";
    for (size_t i = 0; i < markets.size(); ++i) s += (i ? "," : "") + std::to_string(markets[i]);
    return s;
  }
  if (!sport.empty()) return "sport:" + sport;
  if (!league.empty()) return "league:" + league;
  return "book";
}

std::string postmortem_markdown(const Incident& i, Currency currency) {
  auto t = [](int64_t ns) { return ns ? rfc3339_ms(ns) : std::string("—"); };
  auto secs = [](int64_t a, int64_t b) {
    return (a && b) ? fmt::format("{:.1f} s", static_cast<double>(b - a) / 1e9) : std::string("—");
  };
  std::string md;
  auto out = std::back_inserter(md);
  fmt::format_to(out, "# Post-mortem: incident {} — {}\n\n", i.id, i.title);
  fmt::format_to(out, "Status: {}. Severity: {}.{}\n\n", i.status, i.severity,
                 i.high_exposure ? " **High Exposure**." : "");
  fmt::format_to(out, "## Summary\n\n_What happened, in two sentences, for someone who was not there._\n\n");
  fmt::format_to(out, "## Impact\n\n");
  fmt::format_to(out, "- Group: `{}`\n", i.group_key);
  std::string markets;
  for (size_t k = 0; k < i.markets.size(); ++k) markets += (k ? ", " : "") + std::to_string(i.markets[k]);
  fmt::format_to(out, "- Markets: {} ({})\n", i.markets.size(), markets.empty() ? "none named" : markets);
  fmt::format_to(out, "- Liability on them: {} (the peak of the book's live liability on these markets while the "
                 "incident was open)\n", format_money(i.exposure_minor, currency));
  fmt::format_to(out, "- Fault to detection: {}; detection to containment: {}; fault to recovery: {}\n\n",
                 secs(i.fault_ns, i.opened_ns), secs(i.opened_ns, i.contained_ns), secs(i.fault_ns, i.recovered_ns));
  fmt::format_to(out, "## The slice that hurt\n\n{}\n\n", i.slice.empty() ? "_No slice stood out._" : i.slice);
  fmt::format_to(out, "## Timeline (NIST: detect, contain, recover, learn)\n\n| time | step | what |\n|---|---|---|\n");
  for (auto& e : i.timeline) fmt::format_to(out, "| {} | {} | {} |\n", t(e.at_ns), e.step, e.what);
  fmt::format_to(out, "\n## Actions\n\n| # | action | target | by | status | detail |\n|---|---|---|---|---|---|\n");
  for (auto& a : i.actions)
    fmt::format_to(out, "| {} | {} | {} | {} | {} | {} |\n", a.id, action_type_name(a.spec.type), a.target.describe(),
                   a.actor, a.status, a.detail);
  fmt::format_to(out, "\n## Traces\n\n");
  if (i.trace_ids.empty()) fmt::format_to(out, "_None kept._\n");
  for (auto& id : i.trace_ids) fmt::format_to(out, "- [/v1/traces/{0}](/v1/traces/{0})\n", id);
  fmt::format_to(out, "\n## Alerts\n\n");
  for (auto& a : i.alerts) fmt::format_to(out, "- `{}`\n", a);
  fmt::format_to(out,
                 "\n## Learn\n\n- What let the fault in (deploy, vendor, load)?\n- Did detection name the right "
                 "slice? How could it have come sooner?\n- Which action helped, which did not, which was "
                 "missing?\n- Runbook changes (to be made the same day):\n- Follow-up issues:\n");
  return md;
}

}  // namespace inplay
