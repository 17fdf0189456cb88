"""T+0 reconciliation of the book's payments against each PSP's settlement
report (WAL-2, WAL-4), through the real binary and its simulated PSPs (two
routes, real HTTP on loopback).

Covered: a clean day reconciles with zero mismatches; a duplicate charge
made on purpose straight at the PSP (another Idempotency-Key for a payment
the book already holds) is found as `duplicate`, counted in the metrics and
fires the wallet_duplicate_tx alert; a kill -9 and a restart re-run
reconciliation once the journal is replayed; PSP failures over their
baseline raise psp_timeouts; bad calls change nothing.
"""
import json
import re
import time
import uuid

import pytest
import requests

from conftest import BookProcess, metric, wait_for


def deposit(b, account, amount):
    return b.post(f"/v1/accounts/{account}/deposits", json={"amount": amount, "currency": "GBP"}, key=uuid.uuid4().hex)


def withdraw(b, account, amount):
    return b.post(f"/v1/accounts/{account}/withdrawals", json={"amount": amount, "currency": "GBP"},
                  key=uuid.uuid4().hex)


def psp_faults(b, route, **faults):
    r = b.post(f"/v1/sim/psps/{route}/faults", json=faults, token="operator")
    assert r.status_code == 200, r.text


def psp_url(b, route):
    """The route's PSP, from the book's "payment route" log line."""
    for line in b.stderr_path.read_text().splitlines():
        if '"payment route"' in line and f'"route":"{route}"' in line:
            return re.search(r'"url":"(http://127\.0\.0\.1:\d+)"', line).group(1)
    raise AssertionError(f"no payment route line for {route}")


def run(b):
    r = b.post("/v1/payments/reconciliation/run", token="operator")
    assert r.status_code == 200, r.text
    return {x["route"]: x for x in r.json()["routes"]}


def alerts(b, name):
    return [a for a in b.get("/v1/alerts", token="operator").json()["alerts"] if a["name"] == name]


@pytest.fixture
def rbook(tmp_path):
    b = BookProcess(tmp_path).start()
    yield b
    b.stop()


def test_a_clean_day_reconciles_with_no_mismatch(rbook):
    b = rbook
    # It ran at the start already (nothing to reconcile yet).
    got = b.get("/v1/payments/reconciliation", token="operator")
    assert got.status_code == 200, got.text
    wait_for(lambda: all(r["runs_ok"] >= 1 for r in b.get("/v1/payments/reconciliation", token="operator").json()["routes"]))
    b.open_account("erin")
    for amount in (2500, 1200, 800):
        assert deposit(b, "erin", amount).status_code == 201
    assert withdraw(b, "erin", 1000).status_code == 201
    psp_faults(b, "psp-a", decline_rate=1.0)
    assert deposit(b, "erin", 700).status_code == 402
    psp_faults(b, "psp-a", decline_rate=0.0)
    routes = run(b)
    a = routes["psp-a"]
    assert a["error"] is None and a["mismatches"] == [] and a["mismatches_total"] == 0, a
    assert a["book_payments"] == 5 and a["rows"] == 5 and a["matched"] == 5, a
    assert a["held"] == a["held_once"] == 5 and a["duplicates"] == 0, a
    assert all(v == 0 for v in a["counts"].values()), a
    assert a["runs_ok"] >= 2 and isinstance(a["ran_at_ms"], int)
    assert routes["psp-b"]["book_payments"] == 0 and routes["psp-b"]["mismatches"] == []
    text = b.metrics()
    assert metric(text, 'payment_duplicate_tx') == 0
    assert metric(text, 'payment_reconciliation_mismatches{route="psp-a",kind="duplicate"}') == 0
    assert metric(text, 'payment_reconciliation_runs_total{route="psp-a",result="ok"}') >= 2
    b.advance(2000)
    assert alerts(b, "wallet_duplicate_tx") == [] and alerts(b, "payment_reconciliation_mismatches") == []
    # Operators only.
    assert b.get("/v1/payments/reconciliation").status_code == 403
    assert b.post("/v1/payments/reconciliation/run").status_code == 403


def test_a_duplicate_charge_at_the_psp_is_found_and_alerted(rbook):
    b = rbook
    b.open_account("erin")
    r = deposit(b, "erin", 2500)
    assert r.status_code == 201, r.text
    pid = r.json()["payment_id"]
    # The PSP charges the same payment again under another key (a bug at the
    # PSP or a replayed request): the book's ledger cannot see it, the PSP's
    # own record does.
    url = psp_url(b, "psp-a")
    body = {"payment_id": str(pid), "kind": "deposit", "amount_minor": 2500, "currency": "GBP", "account_ref": "x"}
    dup = requests.post(url + "/v1/payments", json=body, headers={"Idempotency-Key": "not-the-books-key"}, timeout=5)
    assert dup.status_code == 200 and dup.json()["status"] == "authorised", dup.text
    # And a payment the book never asked for.
    stray = dict(body, payment_id="stray-1")
    assert requests.post(url + "/v1/payments", json=stray, headers={"Idempotency-Key": "stray"}, timeout=5).status_code == 200
    a = run(b)["psp-a"]
    kinds = sorted((m["kind"], m["payment_id"]) for m in a["mismatches"])
    assert kinds == [("duplicate", str(pid)), ("unknown_at_book", "stray-1")], a
    d = next(m for m in a["mismatches"] if m["kind"] == "duplicate")
    assert len(d["psp_refs"]) == 2 and "2 times" in d["detail"], d
    assert a["duplicates"] == 1 and a["held"] == 1 and a["held_once"] == 0
    text = b.metrics()
    assert metric(text, "payment_duplicate_tx") == 1
    assert metric(text, 'payment_reconciliation_mismatches{route="psp-a",kind="duplicate"}') == 1
    assert metric(text, 'payment_reconciliation_mismatches{route="psp-a",kind="unknown_at_book"}') == 1
    # The alert fires at the incident loop's next tick (book clock).
    fired = []
    for _ in range(10):
        b.advance(1000)
        fired = alerts(b, "wallet_duplicate_tx")
        if fired:
            break
    assert fired and fired[0]["labels"]["psp_route"] == "psp-a", fired
    assert fired[0]["labels"]["service"] == "wallet"
    ticket = alerts(b, "payment_reconciliation_mismatches")
    assert ticket and ticket[0]["labels"]["severity"] == "ticket", ticket
    # The war room shows it.
    wait_for(lambda: (b.get("/v1/warroom/snapshot", token="operator").json().get("payments") or {}).get("duplicates") == 1)


def test_a_kill9_and_restart_reconciles_again_after_replay(tmp_path):
    # The PSP must outlive the book: a first book runs the simulated PSP
    # (with a known callback secret); the book under test pays through it.
    secret = "s" * 40
    (tmp_path / "host").mkdir()
    (tmp_path / "book").mkdir()
    host = BookProcess(tmp_path / "host", payments=f"""payments:
  routes:
    - {{name: psp-a, url: sim, callback_secret: {secret}}}
""")
    host.start()
    try:
        url = psp_url(host, "psp-a")
        b = BookProcess(tmp_path / "book", payments=f"""payments:
  routes:
    - {{name: psp-a, url: "{url}", callback_secret: {secret}, timeout_ms: 400, attempts: 2, retry_ms: 20}}
""").start()
        try:
            b.open_account("erin")
            pids = [deposit(b, "erin", 1000 + i).json()["payment_id"] for i in range(3)]
            requests.post(url + "/v1/payments", headers={"Idempotency-Key": "again"}, timeout=5,
                          json={"payment_id": str(pids[0]), "kind": "deposit", "amount_minor": 1000,
                                "currency": "GBP", "account_ref": "x"})
            assert run(b)["psp-a"]["duplicates"] == 1
            b.kill9()
            b.start()
            # The start's run reads the replayed book: the same duplicate, the
            # others matched, without being asked.
            wait_for(lambda: b.get("/v1/payments/reconciliation", token="operator").json()["routes"][0]["runs_ok"] >= 1)
            a = b.get("/v1/payments/reconciliation", token="operator").json()["routes"][0]
            assert a["book_payments"] == 3 and a["matched"] == 2 and a["duplicates"] == 1, a
            assert [m["kind"] for m in a["mismatches"]] == ["duplicate"], a
            log = b.stderr_path.read_text()
            assert log.index('"journal replayed"') < log.rindex('"reconciliation ran"')
        finally:
            b.stop()
    finally:
        host.stop()


def test_psp_failures_over_their_baseline_raise_psp_timeouts(rbook):
    b = rbook
    b.open_account("erin")
    assert deposit(b, "erin", 1000).status_code == 201
    b.advance(1000)
    assert alerts(b, "psp_timeouts") == []
    # psp-a answers 503 to everything: its calls fail (its breaker opens, a
    # trial call fails again every 1.5 s); deposits go to psp-b meanwhile.
    psp_faults(b, "psp-a", error_rate=1.0)
    for _ in range(20):  # 4 s: 3 failed calls open the breaker, then a failed trial every 1.5 s
        deposit(b, "erin", 1000)
        time.sleep(0.2)
    wait_for(lambda: metric(b.metrics(), 'psp_calls_total{route="psp-a",result="failed"}') >= 5)
    fired = []
    for step in range(90):  # the alert holds for 1 m of the book's clock
        b.advance(1000)
        fired = alerts(b, "psp_timeouts")
        if fired:
            break
    assert fired and fired[0]["labels"]["psp_route"] == "psp-a", fired
    assert 55 <= step <= 80, step
    assert alerts(b, "psp_timeouts") and all(a["labels"]["psp_route"] == "psp-a" for a in alerts(b, "psp_timeouts"))


def test_bad_calls_change_nothing(tmp_path):
    b = BookProcess(tmp_path, payments="").start()
    try:
        for method, path in (("GET", "/v1/payments/reconciliation"), ("POST", "/v1/payments/reconciliation/run")):
            r = b.post(path, token="operator", method=method)
            assert r.status_code == 503 and r.json()["error"]["code"] == "PAYMENT_ROUTE_UNAVAILABLE", r.text
        r = b.post("/v1/payments/reconciliation", token="operator")
        assert r.status_code == 405
    finally:
        b.stop()
