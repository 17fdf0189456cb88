"""The incident loop's operator routes over HTTP (docs/api.md "SLOs, alerts,
incidents and actions"): roles, the cash-out freeze, operator actions and
their reverts, shed load (503 MARKET_BUSY), the deploy guard, the
Alertmanager webhook leading to an incident whose playbook acts, error codes
for unknown ids and wrong states, and the audit record of every change.

All on the default world of conftest.py (simulated clock; event 1 is EPL and
in play, event 2 EPL pre-match, event 3 Championship pre-match) with the
shipped playbooks (config/playbooks.yaml, built in).
"""
import json
import os
import time

import pytest

EPL_MARKETS = [101, 201, 202, 203]

ODDS_STALE = {
    "version": "4",
    "groupKey": '{}:{alertname="odds_stale"}',
    "status": "firing",
    "receiver": "inplay",
    "groupLabels": {"alertname": "odds_stale"},
    "commonLabels": {"alertname": "odds_stale", "service": "odds", "league": "EPL"},
    "commonAnnotations": {},
    "externalURL": "http://alertmanager.example:9093",
    "truncatedAlerts": 0,
    "alerts": [{
        "status": "firing",
        "labels": {"alertname": "odds_stale", "service": "odds", "league": "EPL", "sport": "football",
                   "market_id": "101", "severity": "page"},
        "annotations": {"summary": "EPL prices are stale"},
        "startsAt": "2026-11-28T15:00:00.000Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.example:9090/graph",
        "fingerprint": "4f3a0c1d2e5b6a79",
    }],
}


def op_get(book, path):
    r = book.get(path, token="operator")
    assert r.status_code == 200, f"{path}: {r.status_code} {r.text}"
    return r.json()


def op_post(book, path, body=None, data=None):
    return book.post(path, json=body, data=data, token="operator")


def market(book, mid):
    r = book.get(f"/v1/markets/{mid}")
    assert r.status_code == 200, r.text
    return r.json()


def assert_error(r, status, code):
    assert r.status_code == status, f"expected {status} {code}, got {r.status_code} {r.text}"
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["code"] == code, body


def audit_records(book):
    path = os.path.join(book.data_dir, "audit.jsonl")
    if not os.path.exists(path):
        return []
    out = []
    with open(path) as f:
        for line in f:
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:  # a line still being written
                break
    return out


def wait_audit(book, predicate, what, timeout=10):
    """The audit projection follows the journal: wait until a record matches."""
    deadline = time.time() + timeout
    while True:
        recs = audit_records(book)
        found = [r for r in recs if predicate(r)]
        if found:
            return found
        if time.time() > deadline:
            tail = json.dumps(recs[-10:], indent=1)
            pytest.fail(f"no audit record for {what} within {timeout}s; last records:\n{tail}")
        time.sleep(0.05)


def control_set(market_id, control, value, actor):
    def match(r):
        return (r["action"] == "market_control_set" and r["market_id"] == market_id and r["control"] == control
                and r["value"] == value and r["actor"] == actor)
    return match


def wait_audit_settled(book, quiet_s=0.5, timeout=10):
    """Waits until the audit file stops growing (the projection caught up)."""
    deadline = time.time() + timeout
    last, since = len(audit_records(book)), time.time()
    while time.time() < deadline:
        time.sleep(0.05)
        n = len(audit_records(book))
        if n != last:
            last, since = n, time.time()
        elif time.time() - since >= quiet_s:
            return last
    return last


def open_incident(book, webhook=ODDS_STALE, group="service=odds,league=EPL"):
    r = op_post(book, "/v1/alerts/webhook", webhook)
    assert r.status_code == 200 and r.json() == {"received": len(webhook["alerts"])}, r.text
    for _ in range(3):  # one evaluation tick per simulated second; group_wait is 1 s
        book.advance(1000)
        incidents = [i for i in op_get(book, "/v1/incidents")["incidents"] if i["group"] == group]
        if incidents:
            return incidents[0]
    pytest.fail(f"no incident for {group} after 3 s: {op_get(book, '/v1/incidents')} {op_get(book, '/v1/alerts')}")


# --- roles ---------------------------------------------------------------------------------------

CHANNEL_FORBIDDEN = [
    ("GET", "/v1/slos", None),
    ("GET", "/v1/alerts", None),
    ("POST", "/v1/alerts/webhook", ODDS_STALE),
    ("GET", "/v1/incidents", None),
    ("GET", "/v1/incidents/1", None),
    ("GET", "/v1/incidents/1/postmortem", None),
    ("POST", "/v1/incidents/1/actions/1/approve", None),
    ("POST", "/v1/incidents/1/actions/1/revert", None),
    ("GET", "/v1/actions", None),
    ("POST", "/v1/actions", {"action": "freeze_cashout", "markets": [101]}),
    ("POST", "/v1/actions", {"action": "shed_load", "league": "EPL", "value": 1}),
    ("POST", "/v1/actions/1/revert", None),
    ("GET", "/v1/deploy-guard?within=30m", None),
    ("POST", "/v1/markets/101/cashout", {"frozen": True, "reason": "channel"}),
]


def test_channel_token_is_forbidden_and_changes_nothing(book):
    # Something to revert or approve, so that a 403 is not hiding a 404.
    r = op_post(book, "/v1/actions", {"action": "extend_delay", "markets": [201], "value": 1000})
    assert r.status_code == 200, r.text
    audit_before = wait_audit_settled(book)
    markets_before = {m: market(book, m) for m in EPL_MARKETS + [301]}
    actions_before = op_get(book, "/v1/actions")
    incidents_before = op_get(book, "/v1/incidents")
    state_before = book.state()

    for method, path, body in CHANNEL_FORBIDDEN:
        r = book.post(path, json=body, token="channel", method=method)
        assert_error(r, 403, "FORBIDDEN")
        assert r.headers.get("traceparent"), path
    book.advance(3000)  # a webhook, had it been received, would have opened an incident by now

    for m, before in markets_before.items():
        after = market(book, m)
        for k in ("status", "stake_cap", "cashout", "extra_delay_ms", "intake_per_second"):
            assert after[k] == before[k], (m, k, before[k], after[k])
    assert op_get(book, "/v1/actions") == actions_before
    assert op_get(book, "/v1/incidents") == incidents_before == {"incidents": []}
    assert op_get(book, "/v1/alerts")["alerts"] == []
    state_after = book.state()
    assert (state_after["bets"], state_after["ledger_sum"]) == (state_before["bets"], state_before["ledger_sum"])
    assert wait_audit_settled(book) == audit_before


def test_every_route_answers_the_operator(book):
    slos = op_get(book, "/v1/slos")
    assert {s["name"] for s in slos["slos"]} >= {"accept_latency", "odds_freshness", "bet_errors"}
    for s in slos["slos"]:
        assert isinstance(s["target"], (int, float)), s
        # A fresh book has no events: every SLI says "no data", never a
        # perfect 100 %; sources no hop feeds yet say "not wired yet".
        assert s["has_data"] is False and s["sli"] is None and s["error_budget_remaining"] is None, s
        assert s["status"] == ("no data" if s["wired"] else "not wired yet"), s
        for b in s["burn_rates"]:
            assert all(isinstance(b[k], (int, float)) for k in ("threshold", "long", "short")), b
    # Before the loop's first tick (a simulated clock nobody advanced) no
    # SLO has been fed: each says so.
    assert {s["name"]: s["status"] for s in slos["slos"]}["wallet_auth_success"] == "not wired yet"
    alerts = {a["name"]: a for a in slos["alerts"]}
    assert alerts["engine_queue_lag"]["wired"] and alerts["odds_stale"]["wired"]
    # Every alert's signal is fed by a hop now (the wallet's since the PSP routes).
    assert {n for n, a in alerts.items() if not a["wired"]} == set()
    assert alerts["settlement_mismatch"]["wired"] and alerts["dlq_growing"]["wired"]
    assert isinstance(slos["accept_p99_seconds"], (int, float))
    # After a bet: the bet SLOs have data; the metrics carry no SLI for the others.
    assert book.bet(2011, odds="1.01", policy="any").status_code == 201
    book.advance(1000)
    by_name = {s["name"]: s for s in op_get(book, "/v1/slos")["slos"]}
    assert by_name["accept_latency"]["has_data"] and by_name["accept_latency"]["sli"] == 1.0
    assert by_name["accept_latency"]["status"] == "ok"
    text = book.get("/metrics", token=None).text
    assert 'slo_has_data{slo="accept_latency"} 1' in text and 'slo_has_data{slo="wallet_auth_success"} 0' in text
    assert 'slo_sli_ppm{slo="accept_latency"} 1000000' in text
    assert 'slo_sli_ppm{slo="wallet_auth_success"}' not in text
    assert 'slo_error_budget_remaining_ppm{slo="settlement_lag"}' not in text
    assert op_get(book, "/v1/alerts") == {"alerts": [], "groups": [], "inhibited": []}
    assert op_get(book, "/v1/incidents") == {"incidents": []}
    assert op_get(book, "/v1/actions") == {"actions": [], "dry_run": False}
    # Methods a route does not take: 405 with Allow.
    r = book.post("/v1/slos", json={}, token="operator")
    assert_error(r, 405, "METHOD_NOT_ALLOWED")
    assert r.headers["Allow"] == "GET"
    r = book.post("/v1/actions", token="operator", method="DELETE")
    assert_error(r, 405, "METHOD_NOT_ALLOWED")
    assert r.headers["Allow"] == "GET, POST"
    r = book.get("/v1/markets/101/cashout", token="operator")
    assert_error(r, 405, "METHOD_NOT_ALLOWED")
    assert r.headers["Allow"] == "POST"


# --- cash-out freeze -------------------------------------------------------------------------------

def test_cashout_freeze_and_unfreeze(book):
    assert market(book, 101)["cashout"] == {"frozen": False, "reason": "", "actor": ""}
    r = op_post(book, "/v1/markets/101/cashout", {"frozen": True, "reason": "VAR check"})
    assert r.status_code == 200, r.text
    assert r.json()["market_id"] == 101
    assert r.json()["cashout"] == {"frozen": True, "reason": "VAR check", "actor": "operator:trader"}
    assert market(book, 101)["cashout"] == {"frozen": True, "reason": "VAR check", "actor": "operator:trader"}
    assert market(book, 201)["cashout"]["frozen"] is False  # only that market

    r = op_post(book, "/v1/markets/101/cashout", {"frozen": False})
    assert r.status_code == 200, r.text
    assert market(book, 101)["cashout"] == {"frozen": False, "reason": "", "actor": "operator:trader"}
    # Without a reason a freeze says "operator".
    r = op_post(book, "/v1/markets/202/cashout", {"frozen": True})
    assert r.status_code == 200 and r.json()["cashout"]["reason"] == "operator", r.text

    wait_audit(book, control_set(101, "cashout_frozen", 1, "operator:trader"), "the freeze of 101")
    wait_audit(book, control_set(101, "cashout_frozen", 0, "operator:trader"), "the unfreeze of 101")
    rec = wait_audit(book, control_set(202, "cashout_frozen", 1, "operator:trader"), "the freeze of 202")
    assert rec[-1]["reason"] == "operator"


@pytest.mark.parametrize("data, status, code", [
    ("nope", 400, "MALFORMED_REQUEST"),
    ("[true]", 400, "MALFORMED_REQUEST"),
    ('{"frozen": true} x', 400, "MALFORMED_REQUEST"),
    ("{}", 422, "VALIDATION_FAILED"),
    ('{"reason": "no flag"}', 422, "VALIDATION_FAILED"),
    ('{"frozen": "yes"}', 422, "VALIDATION_FAILED"),
    ('{"frozen": 1}', 422, "VALIDATION_FAILED"),
    ('{"frozen": true, "reason": 5}', 422, "VALIDATION_FAILED"),
    ('{"frozen": true, "reason": "' + "x" * 201 + '"}', 422, "VALIDATION_FAILED"),
    ('{"frozen": true, "reason": "' + "\u00e9" * 101 + '"}', 422, "VALIDATION_FAILED"),  # 202 bytes
])
def test_cashout_bad_bodies_change_nothing(book, data, status, code):
    before = market(book, 101)
    r = book.post("/v1/markets/101/cashout", data=data.encode(), token="operator")
    assert_error(r, status, code)
    assert market(book, 101)["cashout"] == before["cashout"]


def test_cashout_unknown_market(book):
    for path in ("/v1/markets/999/cashout", "/v1/markets/abc/cashout", "/v1/markets/0/cashout"):
        assert_error(op_post(book, path, {"frozen": True}), 404, "MARKET_NOT_FOUND")


# --- operator actions --------------------------------------------------------------------------------

def test_actions_apply_list_and_revert_to_the_previous_value(book):
    r = op_post(book, "/v1/markets/201/stake-cap", {"cap": 5000})
    assert r.status_code == 200, r.text

    done = {}
    for body, field, value in [
        ({"action": "freeze_cashout", "markets": [101, 201]}, None, None),
        ({"action": "lower_stake_cap", "markets": [201], "value": 500}, "stake_cap", 500),
        ({"action": "extend_delay", "markets": [101], "value": 2000}, "extra_delay_ms", 2000),
        ({"action": "shed_load", "markets": [202], "value": 7}, "intake_per_second", 7),
    ]:
        r = op_post(book, "/v1/actions", body)
        assert r.status_code == 200, r.text
        actions = r.json()["actions"]
        a = actions[-1]
        assert a["action"] == body["action"] and a["status"] == "done", a
        assert a["actor"] == "operator:trader" and a["automatic"] is False and a["playbook"] == ""
        assert a["target"] == "markets:" + ",".join(str(m) for m in body["markets"])
        assert a.get("value") == body.get("value")
        assert a["at"] and a["reverted_at"] is None
        done[body["action"]] = a["id"]

    assert market(book, 101)["cashout"]["frozen"] and market(book, 201)["cashout"]["frozen"]
    assert market(book, 101)["cashout"]["actor"] == "operator:trader"
    assert market(book, 201)["stake_cap"] == 500
    assert market(book, 101)["extra_delay_ms"] == 2000
    assert market(book, 202)["intake_per_second"] == 7

    listed = op_get(book, "/v1/actions")
    assert listed["dry_run"] is False
    assert [a["id"] for a in listed["actions"]] == list(done.values())
    assert all(a["status"] == "done" for a in listed["actions"])

    for name, aid in done.items():
        r = op_post(book, f"/v1/actions/{aid}/revert")
        assert r.status_code == 200, r.text
        a = next(x for x in r.json()["actions"] if x["id"] == aid)
        assert a["status"] == "reverted" and a["reverted_at"], a
    assert market(book, 101)["cashout"]["frozen"] is False and market(book, 201)["cashout"]["frozen"] is False
    assert market(book, 201)["stake_cap"] == 5000  # the cap before the action, not 0
    assert market(book, 101)["extra_delay_ms"] == 0
    assert market(book, 202)["intake_per_second"] == 0

    # A second revert: the action is no longer done.
    assert_error(op_post(book, f"/v1/actions/{done['shed_load']}/revert"), 409, "ACTION_STATE_CONFLICT")

    # Every change and every revert is in the audit log, with its actor.
    op = "operator:trader"
    for m in (101, 201):
        wait_audit(book, control_set(m, "cashout_frozen", 1, op), f"freeze {m}")
        wait_audit(book, control_set(m, "cashout_frozen", 0, op), f"unfreeze {m}")
    wait_audit(book, lambda r: r["action"] == "stake_cap_set" and r["market_id"] == 201 and r["cap"] == 500
               and r["actor"] == op, "lower_stake_cap")
    caps = wait_audit(book, lambda r: r["action"] == "stake_cap_set" and r["market_id"] == 201
                      and r["cap"] == 5000, "stake cap restored")
    assert len(caps) == 2  # the operator's cap, then the revert to it
    wait_audit(book, control_set(101, "extra_delay_ms", 2000, op), "extend_delay")
    wait_audit(book, control_set(101, "extra_delay_ms", 0, op), "extend_delay reverted")
    wait_audit(book, control_set(202, "intake_per_second", 7, op), "shed_load")
    wait_audit(book, control_set(202, "intake_per_second", 0, op), "shed_load reverted")


def test_actions_on_a_league_or_sport(book):
    r = op_post(book, "/v1/actions", {"action": "freeze_cashout", "league": "EPL"})
    assert r.status_code == 200, r.text
    a = r.json()["actions"][-1]
    assert a["status"] == "done" and a["target"] == "league:EPL", a
    assert all(market(book, m)["cashout"]["frozen"] for m in EPL_MARKETS)
    assert market(book, 301)["cashout"]["frozen"] is False
    r = op_post(book, "/v1/actions", {"action": "extend_delay", "sport": "football", "value": 500})
    assert r.status_code == 200, r.text
    assert all(market(book, m)["extra_delay_ms"] == 500 for m in EPL_MARKETS + [301])
    for m in EPL_MARKETS:
        wait_audit(book, control_set(m, "cashout_frozen", 1, "operator:trader"), f"freeze {m}")
    wait_audit(book, control_set(301, "extra_delay_ms", 500, "operator:trader"), "extend_delay 301")


@pytest.mark.parametrize("body, status, code", [
    ("nope", 400, "MALFORMED_REQUEST"),
    ({}, 422, "VALIDATION_FAILED"),
    ({"action": "explode", "markets": [101]}, 422, "VALIDATION_FAILED"),
    ({"action": 5, "markets": [101]}, 422, "VALIDATION_FAILED"),
    ({"action": "freeze_cashout"}, 422, "VALIDATION_FAILED"),
    ({"action": "freeze_cashout", "markets": []}, 422, "VALIDATION_FAILED"),
    ({"action": "freeze_cashout", "markets": ["101"]}, 422, "VALIDATION_FAILED"),
    ({"action": "freeze_cashout", "markets": [0]}, 422, "VALIDATION_FAILED"),
    ({"action": "freeze_cashout", "markets": 101}, 422, "VALIDATION_FAILED"),
    ({"action": "lower_stake_cap", "markets": [101]}, 422, "VALIDATION_FAILED"),
    ({"action": "lower_stake_cap", "markets": [101], "value": 0}, 422, "VALIDATION_FAILED"),
    ({"action": "lower_stake_cap", "markets": [101], "value": 1.5}, 422, "VALIDATION_FAILED"),
    ({"action": "shed_load", "markets": [101], "value": "1"}, 422, "VALIDATION_FAILED"),
    ({"action": "extend_delay", "markets": [101], "value": 60001}, 422, "VALIDATION_FAILED"),
    ({"action": "switch_feed"}, 422, "VALIDATION_FAILED"),
    ({"action": "freeze_cashout", "markets": [101], "incident": 999}, 404, "INCIDENT_NOT_FOUND"),
])
def test_action_bad_bodies_change_nothing(book, body, status, code):
    before = {m: market(book, m) for m in (101, 201)}
    r = book.post("/v1/actions", json=body if not isinstance(body, str) else None,
                  data=body if isinstance(body, str) else None, token="operator")
    assert_error(r, status, code)
    for m, b in before.items():
        after = market(book, m)
        for k in ("status", "stake_cap", "cashout", "extra_delay_ms", "intake_per_second"):
            assert after[k] == b[k], (m, k)
    assert op_get(book, "/v1/actions")["actions"] == []


def test_action_that_fails_is_recorded_and_answered_with_its_error(book):
    # An unknown market: nothing changes, the attempt is listed as failed.
    assert_error(op_post(book, "/v1/actions", {"action": "freeze_cashout", "markets": [999]}),
                 404, "MARKET_NOT_FOUND")
    # A league without markets.
    assert_error(op_post(book, "/v1/actions", {"action": "suspend_market", "league": "Serie Z"}),
                 404, "MARKET_NOT_FOUND")
    # The default world has no feeds to switch.
    assert_error(op_post(book, "/v1/actions", {"action": "switch_feed", "sport": "football"}),
                 409, "FEED_UNAVAILABLE")
    actions = op_get(book, "/v1/actions")["actions"]
    assert [a["status"] for a in actions] == ["failed", "failed", "failed"], actions
    assert all(market(book, m)["status"] == "open" for m in EPL_MARKETS)
    # A failed action cannot be reverted.
    assert_error(op_post(book, f"/v1/actions/{actions[0]['id']}/revert"), 409, "ACTION_STATE_CONFLICT")


def test_shed_load_sheds_the_second_bet_of_a_second_and_the_key_may_retry(book):
    r = op_post(book, "/v1/actions", {"action": "shed_load", "markets": [201], "value": 1})
    assert r.status_code == 200, r.text
    assert market(book, 201)["intake_per_second"] == 1

    first = book.bet(2011, stake=100, odds="1.5", policy="any", key="shed-1")
    assert first.status_code == 201, first.text
    second = book.bet(2012, stake=100, odds="4.2", policy="any", key="shed-2")
    assert_error(second, 503, "MARKET_BUSY")
    # Other markets are not limited.
    assert book.bet(2021, stake=100, odds="1.8", policy="any", key="shed-3").status_code == 201
    # MARKET_BUSY is not recorded: the same key gets a fresh decision next second.
    book.advance(1000)
    again = book.bet(2012, stake=100, odds="4.2", policy="any", key="shed-2")
    assert again.status_code == 201, again.text
    assert again.json()["market_id"] == 201
    # ...and from then on it is an ordinary idempotent repeat.
    repeat = book.bet(2012, stake=100, odds="4.2", policy="any", key="shed-2")
    assert repeat.status_code == 201 and repeat.content == again.content
    third = book.bet(2013, stake=100, odds="6.5", policy="any", key="shed-4")
    assert_error(third, 503, "MARKET_BUSY")
    wait_audit(book, control_set(201, "intake_per_second", 1, "operator:trader"), "shed_load")


# --- unknown ids, wrong states --------------------------------------------------------------------------

def test_unknown_incidents_and_actions_are_404(book):
    for path in ("/v1/incidents/999", "/v1/incidents/abc", "/v1/incidents/0", "/v1/incidents/999/postmortem"):
        assert_error(book.get(path, token="operator"), 404, "INCIDENT_NOT_FOUND")
    assert_error(op_post(book, "/v1/incidents/abc/actions/1/approve"), 404, "INCIDENT_NOT_FOUND")
    for path in ("/v1/actions/999/revert", "/v1/actions/abc/revert"):
        assert_error(op_post(book, path), 404, "ACTION_NOT_FOUND")
    inc = open_incident(book)
    for verb in ("approve", "revert"):
        for aid in ("999", "x"):
            assert_error(op_post(book, f"/v1/incidents/{inc['id']}/actions/{aid}/{verb}"), 404, "ACTION_NOT_FOUND")
    # An incident's action is not reverted through /v1/actions/{id}/revert.
    assert_error(op_post(book, f"/v1/actions/{inc['actions'][0]['id']}/revert"), 404, "ACTION_NOT_FOUND")
    assert_error(book.get("/v1/incidents/1/nope", token="operator"), 404, "NOT_FOUND")


def test_approve_on_an_unknown_incident_is_incident_not_found(book):
    assert_error(op_post(book, "/v1/incidents/999/actions/1/approve"), 404, "INCIDENT_NOT_FOUND")


def test_approve_needs_a_pending_action_and_runs_it(book):
    inc = open_incident(book)
    freeze = next(a for a in inc["actions"] if a["action"] == "freeze_cashout")
    assert freeze["status"] == "done"
    assert_error(op_post(book, f"/v1/incidents/{inc['id']}/actions/{freeze['id']}/approve"),
                 409, "ACTION_STATE_CONFLICT")

    # The shipped accept_latency_fast_burn playbook waits for approval.
    burn = {"alerts": [{"labels": {"alertname": "slo_burn", "slo": "accept_latency", "severity": "page",
                                   "service": "bets", "league": "EPL", "market_id": "201"},
                        "startsAt": "2026-11-28T15:00:01Z"}]}
    inc2 = open_incident(book, burn, group="service=bets,league=EPL")
    pending = [a for a in inc2["actions"] if a["status"] == "pending_approval"]
    assert len(pending) == 1 and pending[0]["action"] == "shed_load" and pending[0]["value"] == 50, inc2
    assert pending[0]["target"] == "markets:201"
    assert market(book, 201)["intake_per_second"] == 0  # nothing done before approval
    aid = pending[0]["id"]
    # Not done yet: cannot be reverted.
    assert_error(op_post(book, f"/v1/incidents/{inc2['id']}/actions/{aid}/revert"), 409, "ACTION_STATE_CONFLICT")

    r = op_post(book, f"/v1/incidents/{inc2['id']}/actions/{aid}/approve")
    assert r.status_code == 200, r.text
    a = next(x for x in r.json()["actions"] if x["id"] == aid)
    assert a["status"] == "done" and a["actor"] == "operator:trader", a
    assert market(book, 201)["intake_per_second"] == 50
    assert_error(op_post(book, f"/v1/incidents/{inc2['id']}/actions/{aid}/approve"), 409, "ACTION_STATE_CONFLICT")

    r = op_post(book, f"/v1/incidents/{inc2['id']}/actions/{aid}/revert")
    assert r.status_code == 200, r.text
    assert next(x for x in r.json()["actions"] if x["id"] == aid)["status"] == "reverted"
    assert market(book, 201)["intake_per_second"] == 0
    steps = [e["step"] for e in r.json()["timeline"]]
    assert steps[0] == "detect" and "recover" in steps

    wait_audit(book, lambda r: r["action"] == "playbook_pending_approval" and r["target"] == f"incident:{inc2['id']}"
               and r["actor"] == "playbook:accept_latency_fast_burn", "the action waiting for approval")
    wait_audit(book, lambda r: r["action"] == "action_approved" and r["actor"] == "operator:trader"
               and r["target"] == f"incident:{inc2['id']}", "the approval")
    wait_audit(book, control_set(201, "intake_per_second", 50, "operator:trader"), "the approved shed_load")
    wait_audit(book, control_set(201, "intake_per_second", 0, "operator:trader"), "its revert")


# --- deploy guard ---------------------------------------------------------------------------------------

def test_deploy_guard(book):
    g = op_get(book, "/v1/deploy-guard?within=30m")
    assert g["blocked"] is True and g["within_s"] == 1800
    assert [(m["event_id"], m["league"], m["reason"]) for m in g["matches"]] == [(1, "EPL", "in_play")]
    assert g["matches"][0]["name"] == "Arsenal v Chelsea"
    assert op_get(book, "/v1/deploy-guard")["within_s"] == 1800  # default 30m
    assert op_get(book, "/v1/deploy-guard?within=")["within_s"] == 1800
    assert op_get(book, "/v1/deploy-guard?within=7d")["within_s"] == 604800
    for bad in ("abc", "30", "8d", "-1m", "1.5h", "30M", "10080m1"):
        assert_error(book.get(f"/v1/deploy-guard?within={bad}", token="operator"), 422, "VALIDATION_FAILED")

    # Event 1 ends: nothing in play. Event 2 (EPL) kicks off at 17:30, 2.5 h after the start.
    r = op_post(book, "/v1/events/1/state", {"state": "ended"})
    assert r.status_code == 200, r.text
    g = op_get(book, "/v1/deploy-guard?within=30m")
    assert g == {"matches": [], "blocked": False, "within_s": 1800, "now": g["now"]}
    g = op_get(book, "/v1/deploy-guard?within=3h")
    assert g["blocked"] is True
    assert [(m["event_id"], m["reason"]) for m in g["matches"]] == [(2, "kicks_off_soon")]
    # Championship is not a top league: event 3 (19:45) never blocks.
    assert [m["event_id"] for m in op_get(book, "/v1/deploy-guard?within=1d")["matches"]] == [2]


# --- the Alertmanager webhook -------------------------------------------------------------------------------

def test_webhook_opens_an_incident_whose_playbook_freezes_epl_cashout(book):
    book.advance(1000)
    inc = open_incident(book)
    assert inc["status"] == "open" and inc["severity"] == "page"
    assert inc["group_labels"] == {"service": "odds", "league": "EPL"}
    # The alert named market 101; the league-wide freeze acted on every EPL market: the
    # incident concerns them all (one computation: playbook/incident_impact.h).
    assert inc["markets"] == sorted(EPL_MARKETS) and inc["alerts"] == ["odds_stale"]
    assert inc["currency"] == "GBP"
    assert inc["title"].startswith("EPL prices are stale")
    assert inc["fault_at"] == "2026-11-28T15:00:00.000Z" and inc["detected_at"] and inc["contained_at"]
    freeze = [a for a in inc["actions"] if a["action"] == "freeze_cashout"]
    assert len(freeze) == 1, inc["actions"]
    f = freeze[0]
    assert f["status"] == "done" and f["automatic"] is True, f
    assert f["playbook"] == "stale_prices_on_top_markets" and f["actor"] == "playbook:stale_prices_on_top_markets"
    assert f["target"] == "markets:" + ",".join(str(m) for m in EPL_MARKETS)
    # The playbook's switch_feed fails here: the default world has no feeds.
    switch = next(a for a in inc["actions"] if a["action"] == "switch_feed")
    assert switch["status"] == "failed"

    for m in EPL_MARKETS:
        c = market(book, m)["cashout"]
        assert c["frozen"] is True and c["actor"] == "playbook:stale_prices_on_top_markets", (m, c)
    assert market(book, 301)["cashout"]["frozen"] is False  # Championship untouched

    alerts = op_get(book, "/v1/alerts")
    assert [(a["name"], a["source"]) for a in alerts["alerts"]] == [("odds_stale", "alertmanager")]
    assert alerts["groups"][0]["key"] == "service=odds,league=EPL" and alerts["groups"][0]["markets"] == [101]

    detail = op_get(book, f"/v1/incidents/{inc['id']}")
    assert [e["step"] for e in detail["timeline"]][:2] == ["detect", "contain"]
    assert detail["postmortem"].startswith(f"# Post-mortem: incident {inc['id']}")
    pm = op_get(book, f"/v1/incidents/{inc['id']}/postmortem")
    assert pm == {"incident": inc["id"], "markdown": detail["postmortem"]}

    actor = "playbook:stale_prices_on_top_markets"
    for m in EPL_MARKETS:
        wait_audit(book, control_set(m, "cashout_frozen", 1, actor), f"playbook freeze of {m}")
    wait_audit(book, lambda r: r["action"] == "incident_opened" and r["target"] == f"incident:{inc['id']}",
               "the incident")

    # Resolved: the alert leaves at once.
    resolved = json.loads(json.dumps(ODDS_STALE))
    resolved["status"] = "resolved"
    resolved["alerts"][0]["status"] = "resolved"
    resolved["alerts"][0]["endsAt"] = "2026-11-28T15:00:04.000Z"
    r = op_post(book, "/v1/alerts/webhook", resolved)
    assert r.status_code == 200 and r.json() == {"received": 1}, r.text
    book.advance(1000)
    assert op_get(book, "/v1/alerts")["alerts"] == []
    assert op_get(book, f"/v1/incidents/{inc['id']}")["status"] == "recovering"


@pytest.mark.parametrize("data", [
    "nope",
    "[]",
    "{}",
    '{"alerts": {}}',
    '{"alerts": [5]}',
    '{"alerts": [{"startsAt": "2026-11-28T15:00:00Z"}]}',
    '{"alerts": [{"labels": {"service": "odds"}, "startsAt": "2026-11-28T15:00:00Z"}]}',
    '{"alerts": [{"labels": {"alertname": ""}, "startsAt": "2026-11-28T15:00:00Z"}]}',
    '{"alerts": [{"labels": {"alertname": "odds_stale", "market_id": 101}, "startsAt": "2026-11-28T15:00:00Z"}]}',
    '{"alerts": [{"labels": {"alertname": "odds_stale"}}]}',
    '{"alerts": [{"labels": {"alertname": "odds_stale"}, "startsAt": "yesterday"}]}',
    '{"alerts": [{"labels": {"alertname": "odds_stale"}, "startsAt": "2026-11-28T15:00:00Z", "status": "resolved"}]}',
    # One bad alert spoils the payload: the good one is not received either.
    '{"alerts": [{"labels": {"alertname": "odds_stale", "league": "EPL", "service": "odds"},'
    ' "startsAt": "2026-11-28T15:00:00Z"}, {"labels": {"alertname": "x"}, "startsAt": 1}]}',
])
def test_malformed_webhook_is_400_and_creates_nothing(book, data):
    r = book.post("/v1/alerts/webhook", data=data.encode(), token="operator")
    assert_error(r, 400, "MALFORMED_REQUEST")
    book.advance(3000)
    assert op_get(book, "/v1/alerts") == {"alerts": [], "groups": [], "inhibited": []}
    assert op_get(book, "/v1/incidents") == {"incidents": []}
    assert all(market(book, m)["cashout"]["frozen"] is False for m in EPL_MARKETS)


def test_revert_of_an_operators_suspension_reopens_the_market(book):
    r = op_post(book, "/v1/actions", {"action": "suspend_market", "markets": [301]})
    assert r.status_code == 200 and r.json()["actions"][-1]["status"] == "done", r.text
    assert market(book, 301)["status"] == "suspended"
    r = op_post(book, f"/v1/actions/{r.json()['actions'][-1]['id']}/revert")
    assert r.status_code == 200, r.text
    assert market(book, 301)["status"] == "open"
