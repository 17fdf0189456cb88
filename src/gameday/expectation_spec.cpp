#include "gameday/expectation_spec.h"

#include <fmt/format.h>

namespace inplay {

namespace {

constexpr int64_t kDay = 86400000;

void read_labels(YamlReader& e, Expectation& x, std::initializer_list<std::string_view> allowed) {
  if (!e.has("labels")) return;
  auto l = e.child("labels");
  for (auto& [k, v] : l.entries()) {
    bool ok = allowed.size() == 0;
    for (auto a : allowed) ok = ok || k == a;
    if (!ok) l.fail_key(k, v, "this expectation is split by league or market_id only");
    x.labels[k] = l.str(k, true);
  }
  l.done();
  if (allowed.size() > 0 && x.labels.size() > 1) e.fail_key("labels", e.get("labels"), "name one label");
}

bool must_be_true(YamlReader& e, const char* key) {
  if (!e.boolean(key, true)) e.fail_key(key, e.get(key), "must be true");
  return true;
}

}  // namespace

std::string Expectation::slice_key() const {
  if (labels.empty()) return "";
  return labels.begin()->first + "=" + labels.begin()->second;
}

std::string Expectation::describe() const {
  std::string with;
  for (auto& [k, v] : labels) with += fmt::format("{}{}={}", with.empty() ? " with " : ",", k, v);
  const std::string on = labels.empty() ? "" : " on " + slice_key();
  switch (kind) {
    case Kind::kAlert: return fmt::format("alert {}{} fires within {} s of the first fault", name, with, within_s);
    case Kind::kNoAlert: return fmt::format("alert {}{} never fires", name, with);
    case Kind::kIncidents: return fmt::format("exactly {} incident(s)", count);
    case Kind::kAction: return fmt::format("action {} runs within {} s of the first fault", name, within_s);
    case Kind::kNoAction:
      return name == "any" ? fmt::format("no action runs{} (automatic or manual)", on)
                           : fmt::format("action {} never runs{}", name, on);
    case Kind::kSliceContains: return fmt::format("an incident's slice names {}", name);
    case Kind::kP99Below:
      return fmt::format("accept p99 (10 s window){} under {} ms from {} s after the first fault", on, bound_ms,
                         from_s);
    case Kind::kSli:
      return fmt::format("SLO {}{} {} its target from {} s to {}", name, on, within_target ? "meets" : "breaches",
                         from_s, to_s < 0 ? std::string("the end") : fmt::format("{} s", to_s));
    case Kind::kLedgerZero: return "the ledger sums to zero";
    case Kind::kNoStaleAccept: return "no bet is accepted on a price older than its market's limit";
    case Kind::kNoDuplicateTx: return "every open bet's riding stake is reserved exactly once";
    case Kind::kMarketsSuspendedAt: return fmt::format("every in-play market is suspended at {} s", from_s);
    case Kind::kMarketsOpenFrom: return fmt::format("every in-play market is open from {} s to the end", from_s);
    case Kind::kActiveFeed: return fmt::format("{} prices its sport at {} s", name, from_s);
    case Kind::kPaymentRoute: return fmt::format("new payments go to {} at {} s", name, from_s);
    case Kind::kPaymentsAuthorised: return fmt::format("{} authorises at least {} payment(s)", name, count);
    case Kind::kPspReconciled:
      return "a T+0 reconciliation of every PSP route at the end finds no payment charged twice and no mismatch";
    case Kind::kIncidentImpact:
      return fmt::format("an incident with {} names at least {} market(s){}", name, count,
                         high_exposure ? " and is High Exposure" : "");
    case Kind::kNoUnsafeCashout:
      return "no cash-out is accepted while its market is suspended, closed, frozen for cash-out or priced older "
             "than its limit (checked at each decision)";
    case Kind::kCashoutRefused:
      return fmt::format("cash-outs are refused {} (a quote or an accept) at least once", name);
    case Kind::kSettlementExact:
      return "every bet of an ended match is paid exactly what the rules give on the true score, once; every "
             "account's money recomputed from the journal's deposits and bets";
  }
  return "?";
}

Expectation read_expectation(YamlReader& e, int64_t duration_s, bool has_faults) {
  Expectation x;
  x.line = e.line_of(e.node());
  x.where = e.path();
  auto need_fault = [&] {
    if (!has_faults) e.fail(e.node(), "a timing expectation needs a fault to measure from");
  };
  auto scenario_time = [&](const char* key, bool required, int64_t min_ms) {
    int64_t s = e.duration_ms(key, required, 0, min_ms, kDay) / 1000;
    if (s > duration_s) e.fail_key(key, e.get(key), "is after the scenario's end");
    return s;
  };
  if (e.has("alert")) {
    x.kind = Expectation::Kind::kAlert;
    x.name = e.str("alert", true);
    x.within_s = e.duration_ms("within", true, 0, 0, kDay) / 1000;
    read_labels(e, x, {});
    need_fault();
  } else if (e.has("no_alert")) {
    x.kind = Expectation::Kind::kNoAlert;
    x.name = e.str("no_alert", true);
    read_labels(e, x, {});
  } else if (e.has("sli")) {
    x.kind = Expectation::Kind::kSli;
    x.name = e.str("sli", true);
    x.within_target = e.boolean("within_target", true);
    x.from_s = e.duration_ms("from", false, 0, 0, kDay) / 1000;
    x.to_s = e.has("to") ? scenario_time("to", true, 0) : -1;
    if (x.to_s >= 0 && x.to_s <= x.from_s) e.fail_key("to", e.get("to"), "must be after 'from'");
    read_labels(e, x, {"league", "market_id"});
  } else if (e.has("incidents")) {
    x.kind = Expectation::Kind::kIncidents;
    x.count = e.integer("incidents", true, 0, 0, 100000);
  } else if (e.has("action") || e.has("no_action")) {
    const bool never = e.has("no_action");
    const char* key = never ? "no_action" : "action";
    x.kind = never ? Expectation::Kind::kNoAction : Expectation::Kind::kAction;
    x.name = never ? e.choice(key, {"switch_feed", "suspend_market", "freeze_cashout", "lower_stake_cap",
                                    "extend_delay", "shed_load", "switch_psp_route",
                                    "switch_kyc_vendor", "pause_kyc_rule", "any"})
                   : e.choice(key, {"switch_feed", "suspend_market", "freeze_cashout", "lower_stake_cap",
                                    "extend_delay", "shed_load", "switch_psp_route",
                                    "switch_kyc_vendor", "pause_kyc_rule"});
    if (never) {
      read_labels(e, x, {"league"});
    } else {
      x.within_s = e.duration_ms("within", true, 0, 0, kDay) / 1000;
      need_fault();
    }
  } else if (e.has("slice_contains")) {
    x.kind = Expectation::Kind::kSliceContains;
    x.name = e.str("slice_contains", true);
  } else if (e.has("p99_below")) {
    x.kind = Expectation::Kind::kP99Below;
    x.bound_ms = e.duration_ms("p99_below", true, 0, 1, 600000);
    x.from_s = e.duration_ms("from", false, 0, 0, kDay) / 1000;
    read_labels(e, x, {"league", "market_id"});
    need_fault();
  } else if (e.has("ledger_sums_to_zero")) {
    x.kind = Expectation::Kind::kLedgerZero;
    must_be_true(e, "ledger_sums_to_zero");
  } else if (e.has("markets_suspended_at") || e.has("markets_open_from")) {
    const bool open = e.has("markets_open_from");
    const char* key = open ? "markets_open_from" : "markets_suspended_at";
    x.kind = open ? Expectation::Kind::kMarketsOpenFrom : Expectation::Kind::kMarketsSuspendedAt;
    x.from_s = scenario_time(key, true, 1000);
  } else if (e.has("no_stale_accept")) {
    x.kind = Expectation::Kind::kNoStaleAccept;
    must_be_true(e, "no_stale_accept");
  } else if (e.has("no_duplicate_tx")) {
    x.kind = Expectation::Kind::kNoDuplicateTx;
    must_be_true(e, "no_duplicate_tx");
  } else if (e.has("settlement_exact")) {
    x.kind = Expectation::Kind::kSettlementExact;
    must_be_true(e, "settlement_exact");
  } else if (e.has("no_unsafe_cashout")) {
    x.kind = Expectation::Kind::kNoUnsafeCashout;
    must_be_true(e, "no_unsafe_cashout");
  } else if (e.has("cashout_refused")) {
    x.kind = Expectation::Kind::kCashoutRefused;
    x.name = e.choice("cashout_refused", {"CASHOUT_FROZEN", "PRICE_STALE", "MARKET_SUSPENDED", "MARKET_CLOSED",
                                          "QUOTE_EXPIRED", "PRICE_CHANGED", "CASHOUT_UNAVAILABLE"});
  } else if (e.has("active_feed")) {
    x.kind = Expectation::Kind::kActiveFeed;
    x.name = e.str("active_feed", true);
    x.from_s = scenario_time("at", true, 1000);
  } else if (e.has("payment_route")) {
    x.kind = Expectation::Kind::kPaymentRoute;
    x.name = e.choice("payment_route", {"psp-a", "psp-b"});  // the game day's routes
    x.from_s = scenario_time("at", true, 1000);
  } else if (e.has("payments_authorised")) {
    x.kind = Expectation::Kind::kPaymentsAuthorised;
    x.name = e.choice("payments_authorised", {"psp-a", "psp-b"});
    x.count = e.integer("at_least", false, 1, 1, 100000000);
  } else if (e.has("psp_reconciled")) {
    x.kind = Expectation::Kind::kPspReconciled;
    must_be_true(e, "psp_reconciled");
  } else if (e.has("incident_impact")) {
    x.kind = Expectation::Kind::kIncidentImpact;
    x.name = e.str("incident_impact", true);
    x.count = e.integer("markets", false, 1, 0, 1000000);
    x.high_exposure = e.boolean("high_exposure", false);
  } else {
    e.fail(e.node(),
           "unknown expectation (alert, no_alert, incidents, action, no_action, slice_contains, p99_below, sli, "
           "ledger_sums_to_zero, no_stale_accept, no_duplicate_tx, settlement_exact, no_unsafe_cashout, cashout_refused, "
           "markets_suspended_at, markets_open_from, active_feed, incident_impact, payment_route, payments_authorised, "
           "psp_reconciled)");
  }
  e.done();
  return x;
}

}  // namespace inplay
