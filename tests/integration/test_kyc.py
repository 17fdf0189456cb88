"""KYC/AML screening (KYC-1) through the real binary and two simulated
vendors (real HTTP on loopback, fault hooks): a new account is screened and
withdraws only once cleared; a referred one is decided by an operator; a
withdrawal over the threshold is held — the money never leaves — until its
own screening clears; a vendor down fails over to the other vendor; bad
input is refused with stable codes and changes nothing; a kill -9 mid-
screening loses nothing and screens nothing twice (the vendor's own record).
"""
import json
import uuid

import pytest

from conftest import PAYMENTS, BookProcess, metric, wait_for

KYC = PAYMENTS + """kyc:
  vendors:
    - {name: kyc-a, url: sim, timeout_ms: 300, attempts: 2, retry_ms: 20, breaker_failures: 3, breaker_open_ms: 1500}
    - {name: kyc-b, url: sim, timeout_ms: 300, attempts: 2, retry_ms: 20, breaker_failures: 3, breaker_open_ms: 1500}
  active: kyc-a
  withdrawal_threshold: 5000
"""


def vendor(b, name, **faults):
    r = b.post(f"/v1/sim/kyc/{name}/faults", json=faults, token="operator")
    assert r.status_code == 200, r.text
    return r.json()


def vendor_record(b, name):
    r = b.get(f"/v1/sim/kyc/{name}/screenings", token="operator")
    assert r.status_code == 200, r.text
    return r.json()["screenings"]


def screening_of(b, sid):
    r = b.get(f"/v1/kyc/screenings/{sid}", token="operator")
    assert r.status_code == 200, r.text
    return r.json()


def account_screening(b, account):
    """The account's own screening, from the vendors' records and the book."""
    for s in reviews(b)["reviews"]:
        if s["account"] == account and s["subject"] == "account":
            return s
    return None


def reviews(b):
    r = b.get("/v1/kyc/reviews", token="operator")
    assert r.status_code == 200, r.text
    return r.json()


def deposit(b, account, amount):
    r = b.post(f"/v1/accounts/{account}/deposits", json={"amount": amount, "currency": "GBP"}, key=uuid.uuid4().hex)
    assert r.status_code == 201, r.text


def withdraw(b, account, amount, key=None):
    return b.post(f"/v1/accounts/{account}/withdrawals", json={"amount": amount, "currency": "GBP"},
                  key=key or uuid.uuid4().hex)


def balance(b, account):
    return b.get(f"/v1/accounts/{account}").json()["balance"]


def payouts(b):
    out = []
    for route in ("psp-a", "psp-b"):
        r = b.get(f"/v1/sim/psps/{route}/transactions", token="operator")
        out += [t for t in r.json()["transactions"] if t["kind"] == "payout"]
    return out


def all_screened(b):
    return vendor_record(b, "kyc-a") + vendor_record(b, "kyc-b")


@pytest.fixture
def book(tmp_path):
    b = BookProcess(tmp_path, payments=KYC).start()
    yield b
    b.stop()


def test_a_new_account_is_screened_and_withdraws_once_cleared(book):
    b = book
    vendor(b, "kyc-a", latency_ms=200, jitter_ms=0)  # slower than the first withdrawal below
    b.open_account("erin")
    deposit(b, "erin", 3000)
    r = withdraw(b, "erin", 100)
    assert r.status_code == 403 and r.json()["error"]["code"] == "KYC_NOT_CLEARED", r.text
    assert balance(b, "erin") == 3000 and payouts(b) == []
    wait_for(lambda: len(vendor_record(b, "kyc-a")) == 1 and reviews(b)["pending"] == 0)
    rec = vendor_record(b, "kyc-a")
    assert rec[0]["subject"] == "account" and rec[0]["result"] == "clear"
    assert "erin" not in json.dumps(rec), "the vendor must see a pseudonym, never the account id"
    wait_for(lambda: withdraw(b, "erin", 100).status_code == 201)
    assert balance(b, "erin") == 2900
    m = b.metrics()
    assert metric(m, 'kyc_screenings_total{vendor="kyc-a",result="clear"}') == 1
    assert metric(m, "kyc_backlog") == 0


def test_a_referred_account_is_reviewed_by_an_operator(book):
    b = book
    vendor(b, "kyc-a", refer_rate=1.0)
    b.open_account("fred")
    wait_for(lambda: reviews(b)["referred"] == 1)
    rv = reviews(b)["reviews"]
    assert rv[0]["account"] == "fred" and rv[0]["status"] == "referred" and rv[0]["source"] == "vendor"
    sid = rv[0]["screening_id"]
    deposit(b, "fred", 2000)
    assert withdraw(b, "fred", 100).json()["error"]["code"] == "KYC_NOT_CLEARED"
    # Bad reviews: refused with stable codes, nothing changed.
    for body, code in [({"decision": "maybe"}, "VALIDATION_FAILED"), ({}, "VALIDATION_FAILED"),
                       ({"decision": "clear", "extra": 1}, "VALIDATION_FAILED")]:
        r = b.post(f"/v1/kyc/reviews/{sid}", json=body, token="operator")
        assert r.status_code == 422 and r.json()["error"]["code"] == code, r.text
    r = b.post(f"/v1/kyc/reviews/{sid}", data="not json", token="operator")
    assert r.status_code == 400, r.text
    r = b.post("/v1/kyc/reviews/99999", json={"decision": "clear"}, token="operator")
    assert r.status_code == 404 and r.json()["error"]["code"] == "SCREENING_NOT_FOUND"
    r = b.post(f"/v1/kyc/reviews/{sid}", json={"decision": "clear"})  # the channel may not review
    assert r.status_code in (401, 403)
    assert reviews(b)["referred"] == 1
    r = b.post(f"/v1/kyc/reviews/{sid}", json={"decision": "clear", "note": "same name, other person"},
               token="operator")
    assert r.status_code == 200 and r.json()["status"] == "cleared", r.text
    again = b.post(f"/v1/kyc/reviews/{sid}", json={"decision": "reject"}, token="operator")
    assert again.status_code == 409 and again.json()["error"]["code"] == "SCREENING_NOT_IN_REVIEW"
    assert screening_of(b, sid)["status"] == "cleared" and screening_of(b, sid)["source"] == "operator"
    assert withdraw(b, "fred", 100).status_code == 201
    assert metric(b.metrics(), "kyc_reviews_open") == 0


def test_a_big_withdrawal_is_held_until_cleared_and_no_money_leaves_before(book):
    b = book
    deposit(b, "alice", 1)  # alice: a config account (no screening of its own)
    vendor(b, "kyc-a", refer_rate=1.0)
    before = balance(b, "alice")
    key = uuid.uuid4().hex
    r = withdraw(b, "alice", 6000, key=key)
    assert r.status_code == 202 and r.json()["status"] == "in_review", r.text
    sid = r.json()["screening"]["screening_id"]
    wait_for(lambda: screening_of(b, sid)["status"] == "referred")
    assert balance(b, "alice") == before and payouts(b) == []
    again = withdraw(b, "alice", 6000, key=key)
    assert again.status_code == 202 and again.json()["screening"]["screening_id"] == sid
    # Below the threshold: no screening.
    assert withdraw(b, "alice", 100).status_code == 201
    r = b.post(f"/v1/kyc/reviews/{sid}", json={"decision": "clear"}, token="operator")
    assert r.status_code == 200, r.text
    wait_for(lambda: screening_of(b, sid)["payment_id"] is not None)
    wait_for(lambda: withdraw(b, "alice", 6000, key=key).status_code == 201)
    assert balance(b, "alice") == before - 6100
    assert sorted(t["amount_minor"] for t in payouts(b)) == [100, 6000]
    # A rejected one never pays.
    vendor(b, "kyc-a", refer_rate=0.0, reject_rate=1.0)
    r = withdraw(b, "alice", 7000)
    sid2 = r.json()["screening"]["screening_id"]
    wait_for(lambda: screening_of(b, sid2)["status"] == "rejected")
    r = withdraw(b, "alice", 7000, key=r.request.headers["Idempotency-Key"])
    assert r.status_code == 403 and r.json()["error"]["code"] == "KYC_REJECTED", r.text
    assert len(payouts(b)) == 2


def test_a_vendor_down_fails_over_to_the_other_vendor(book):
    b = book
    vendor(b, "kyc-a", down=True)
    for name in ("gil", "hal"):
        b.open_account(name)
    wait_for(lambda: len(vendor_record(b, "kyc-b")) == 2)
    assert vendor_record(b, "kyc-a") == []
    assert all(s["result"] == "clear" for s in vendor_record(b, "kyc-b"))
    wait_for(lambda: reviews(b)["pending"] == 0)
    m = b.metrics()
    assert metric(m, 'kyc_screenings_total{vendor="kyc-a",result="failed"}') >= 1
    assert metric(m, 'kyc_screenings_total{vendor="kyc-b",result="clear"}') == 2
    # Both down: referred to manual review by the book, nothing cleared unasked.
    vendor(b, "kyc-b", down=True)
    b.open_account("ivy")
    wait_for(lambda: reviews(b)["referred"] == 1)
    assert reviews(b)["reviews"][0]["source"] == "book"


def test_kill9_mid_screening_loses_nothing_and_screens_nothing_twice(book):
    b = book
    vendor(b, "kyc-a", latency_ms=2500, jitter_ms=0)
    b.open_account("jo")
    wait_for(lambda: len(vendor_record(b, "kyc-a")) == 1)  # recorded, its answer still held
    b.kill9()
    b.restart()
    wait_for(lambda: reviews(b)["pending"] == 0, timeout=20)
    rec = vendor_record(b, "kyc-a") + vendor_record(b, "kyc-b")
    # A fresh simulated vendor after the restart: the screening is there once.
    ids = [s["screening_id"] for s in rec]
    assert len(ids) == len(set(ids)), rec
    deposit(b, "jo", 500)
    assert withdraw(b, "jo", 100).status_code == 201


def test_a_failing_vendor_is_switched_away_by_the_playbook_and_a_restart_keeps_it(book):
    b = book
    vendor(b, "kyc-a", error_rate=1.0)  # answers 503 to every call
    for i in range(3):
        b.open_account(f"kim{i}")  # each fails at kyc-a, then kyc-b clears it
    wait_for(lambda: reviews(b)["pending"] == 0 and len(vendor_record(b, "kyc-b")) == 3)

    def switched():
        b.advance(1000)  # the incident loop ticks on the book's clock
        return reviews(b)["kyc"]["active"] == "kyc-b"
    wait_for(switched, timeout=30)
    alerts = b.get("/v1/alerts", token="operator").json()["alerts"]
    # Blamed by name: kyc-a fails, kyc-b (answering every screening) does not.
    assert any(a["name"] == "kyc_vendor_errors" and a["labels"].get("kyc_vendor") == "kyc-a" for a in alerts), alerts
    assert not any(a["name"] == "kyc_vendor_errors" and a["labels"].get("kyc_vendor") == "kyc-b" for a in alerts)
    text = json.dumps(b.get("/v1/incidents", token="operator").json())
    assert "switch_kyc_vendor" in text and "switched new screenings from kyc-a to kyc-b" in text, text[:2000]
    # The withdrawal rule is not paused by any of it (that waits for an operator).
    assert reviews(b)["kyc"]["withdrawal_rule_paused"] is False
    # New accounts go straight to kyc-b now; nothing more reaches kyc-a.
    b.open_account("kim9")
    wait_for(lambda: len(vendor_record(b, "kyc-b")) == 4)
    assert vendor_record(b, "kyc-a") == []
    # The switch is journaled: a kill -9 and a restart come back on kyc-b,
    # and an operator's pause of the rule is kept the same way.
    r = b.post("/v1/kyc/rules/withdrawal", json={"paused": True, "reason": "vendors down"}, token="operator")
    assert r.status_code == 200, r.text
    b.kill9()
    b.start()
    kyc = reviews(b)["kyc"]
    assert kyc["active"] == "kyc-b" and kyc["withdrawal_rule_paused"] is True, kyc
    assert metric(b.metrics(), "kyc_withdrawal_rule_paused") == 1
