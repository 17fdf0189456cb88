"""Payments through PSP routes (WAL-1, WAL-5, WAL-6) through the real binary
and its simulated PSPs (two routes, real HTTP on loopback, fault hooks).

What a user of the book expects, proved against the PSP's own record (GET
/v1/sim/psps/{route}/transactions: the PSP's side, not the book's ledger):
no money enters without the PSP's authorisation; a decline moves nothing; a
timeout retried under the same key never charges twice; an open breaker
sends new payments to the other route; a callback (late, duplicated, out of
order) moves money once; a bad signature is refused; a slow PSP holds no
bet; a kill -9 with payments in flight loses nothing and charges nothing
twice; another channel cannot see a payment.
"""
import hashlib
import hmac
import json
import threading
import time
import uuid

import pytest
import requests

from conftest import BookProcess, metric, sha, wait_for

OTHER_TOKEN = "other-channel-token-" + "7" * 24


def psp(b, route, **faults):
    r = b.post(f"/v1/sim/psps/{route}/faults", json=faults, token="operator")
    assert r.status_code == 200, r.text
    return r.json()


def psp_transactions(b, route):
    r = b.get(f"/v1/sim/psps/{route}/transactions", token="operator")
    assert r.status_code == 200, r.text
    return r.json()["transactions"]


def deposit(b, account, amount, key=None, token="channel"):
    return b.post(f"/v1/accounts/{account}/deposits", json={"amount": amount, "currency": "GBP"},
                  key=key or uuid.uuid4().hex, token=token)


def withdraw(b, account, amount, key=None):
    return b.post(f"/v1/accounts/{account}/withdrawals", json={"amount": amount, "currency": "GBP"},
                  key=key or uuid.uuid4().hex)


def balance(b, account):
    r = b.get(f"/v1/accounts/{account}")
    assert r.status_code == 200, r.text
    return r.json()["balance"]


def charged(b):
    """payment_id -> [(route, status, amount)] from every PSP's own record."""
    out = {}
    for route in ("psp-a", "psp-b"):
        for t in psp_transactions(b, route):
            out.setdefault(t["payment_id"], []).append((route, t["status"], t["amount_minor"], t["kind"]))
    return out


def assert_psps_agree_with_the_book(b):
    """Every payment the PSPs hold is the book's, held once, and the book's
    final word matches the PSP's; money moved as authorised, no more."""
    held = charged(b)
    book = {p["payment_id"]: p for p in b.get("/v1/payments", token="operator").json()["payments"]}
    for pid, txs in held.items():
        assert len(txs) == 1, f"payment {pid} is charged {len(txs)} times at the PSPs: {txs}"
        assert pid in book, f"the PSPs hold payment {pid} the book does not know"
        route, status, amount, kind = txs[0]
        p = book[pid]
        assert p["route"] == route and p["amount"] == amount
        if status != "pending" and p["status"] != "timed_out":
            assert p["status"] == status, (pid, p, txs)
    return held


@pytest.fixture
def paying(tmp_path):
    b = BookProcess(tmp_path).start()
    yield b
    b.stop()


def test_no_money_enters_without_the_psps_authorisation(paying):
    b = paying
    b.open_account("erin")
    r = deposit(b, "erin", 2500)
    assert r.status_code == 201, r.text
    p = r.json()
    assert p["status"] == "authorised" and p["route"] == "psp-a" and p["psp_ref"].startswith("psp-a-")
    assert p["balance"] == 2500 and balance(b, "erin") == 2500
    tx = psp_transactions(b, "psp-a")
    assert [(t["payment_id"], t["status"], t["amount_minor"], t["kind"]) for t in tx] == \
        [(p["payment_id"], "authorised", 2500, "deposit")]
    assert "erin" not in json.dumps(tx), "the PSP must see a pseudonym, never the account id"

    # Declined: 402 with the payment, nothing credited.
    psp(b, "psp-a", decline_rate=1.0)
    r = deposit(b, "erin", 700)
    assert r.status_code == 402, r.text
    assert r.json()["error"]["code"] == "PAYMENT_DECLINED"
    assert r.json()["payment"]["status"] == "declined"
    assert balance(b, "erin") == 2500

    # A withdrawal is held from its request; declined, it comes back.
    r = withdraw(b, "erin", 1000)
    assert r.status_code == 402, r.text
    assert balance(b, "erin") == 2500
    psp(b, "psp-a", decline_rate=0.0)
    r = withdraw(b, "erin", 1000)
    assert r.status_code == 201, r.text
    assert balance(b, "erin") == 1500

    # The payment as its channel sees it; another channel gets 404, like an unknown one.
    pid = p["payment_id"]
    got = b.get(f"/v1/payments/{pid}")
    assert got.status_code == 200 and got.json()["status"] == "authorised"
    assert b.get(f"/v1/payments/{pid}", token=OTHER_TOKEN).status_code in (401, 404)
    assert b.get("/v1/payments/999999").json()["error"]["code"] == "PAYMENT_NOT_FOUND"
    m = b.metrics()
    assert metric(m, 'payment_answers_total{route="psp-a",result="authorised"}') >= 2
    assert metric(m, 'payment_answers_total{route="psp-a",result="declined"}') >= 2
    assert_psps_agree_with_the_book(b)


def test_a_timeout_retried_under_the_same_key_never_charges_twice(paying):
    b = paying
    b.open_account("erin")
    # Every new payment's first answer hangs past the client's 400 ms: the
    # PSP has recorded (and authorised) it. Its signed callback brings the
    # word first (the client's answer goes then); the client's call times
    # out and its retry under the same key gets the recorded status — one
    # transaction per payment, asked twice.
    psp(b, "psp-a", timeout_rate=1.0, hang_ms=3000)
    # One at a time: three first calls timing out together would open the
    # route's breaker (3 failures) and its retries would not go.
    keys = [uuid.uuid4().hex for _ in range(3)]
    for i, k in enumerate(keys):
        r = deposit(b, "erin", 1000, key=k)
        assert r.status_code == 201, r.text
        wait_for(lambda: psp_transactions(b, "psp-a")[i]["requests"] == 2)
    assert balance(b, "erin") == 3000
    tx = psp_transactions(b, "psp-a")
    assert len(tx) == 3 and all(t["status"] == "authorised" for t in tx), tx
    # The client's own retry of a key: the same payment, nothing sent to charge again.
    r = deposit(b, "erin", 1000, key=keys[0])
    assert r.status_code == 201 and balance(b, "erin") == 3000
    assert len(psp_transactions(b, "psp-a")) == 3
    assert_psps_agree_with_the_book(b)


def test_an_outage_opens_the_breaker_and_payments_take_the_other_route(paying):
    b = paying
    b.open_account("erin")
    psp(b, "psp-a", down=True)
    # 3 failed calls open psp-a's breaker (2 attempts per payment): the first
    # payments time out (202, nothing credited), the next go to psp-b.
    answers = [deposit(b, "erin", 1000) for _ in range(4)]
    codes = [r.status_code for r in answers]
    assert codes[0] == 202 and answers[0].json()["status"] == "timed_out", answers[0].text
    assert 201 in codes, codes
    assert all(r.json()["route"] == "psp-b" for r in answers if r.status_code == 201)
    m = b.metrics()
    assert metric(m, 'psp_breaker_open{route="psp-a"}') == 1
    assert metric(m, 'psp_breaker_opened_total{route="psp-a"}') >= 1
    timed_out = [r.json()["payment_id"] for r in answers if r.status_code == 202]
    credited = 1000 * codes.count(201)
    assert balance(b, "erin") == credited
    # psp-a comes back; reconciliation asks it (never asks it to charge):
    # it has no record of them, so they are declined and nothing was charged.
    psp(b, "psp-a", down=False)
    time.sleep(1.6)  # the breaker's open time
    r = b.post("/v1/payments/reconcile", token="operator")
    assert r.status_code == 200 and r.json()["asked"] == len(timed_out), r.text

    def settled():
        # A half-open breaker lets one look-up through; the rest go at the next pass.
        if any(b.get(f"/v1/payments/{p}").json()["status"] == "timed_out" for p in timed_out):
            b.post("/v1/payments/reconcile", token="operator")
            return False
        return True
    wait_for(settled)
    assert all(b.get(f"/v1/payments/{p}").json()["status"] == "declined" for p in timed_out)
    assert all(b.get(f"/v1/payments/{p}").json()["reconciled"] for p in timed_out)
    assert balance(b, "erin") == credited
    held = assert_psps_agree_with_the_book(b)
    assert not any(p in held for p in timed_out)
    # With both routes down and open, a deposit is refused at once with nothing journaled.
    psp(b, "psp-a", down=True)
    psp(b, "psp-b", down=True)
    for _ in range(4):
        deposit(b, "erin", 1000)
    r = deposit(b, "erin", 1000)
    assert r.status_code == 503 and r.json()["error"]["code"] == "PAYMENT_ROUTE_UNAVAILABLE", r.text
    assert r.headers.get("Retry-After")


def test_callbacks_late_duplicated_and_out_of_order_move_money_once(paying):
    b = paying
    b.open_account("erin")
    psp(b, "psp-a", async_rate=1.0, callback_delay_ms=150, duplicate_callback_rate=1.0, out_of_order_rate=1.0)
    r = deposit(b, "erin", 1200)
    assert r.status_code == 202 and r.json()["status"] == "pending", r.text
    pid = r.json()["payment_id"]
    assert balance(b, "erin") == 0
    wait_for(lambda: b.get(f"/v1/payments/{pid}").json()["status"] == "authorised")
    time.sleep(0.5)  # the duplicate and the stale notes arrive too
    assert balance(b, "erin") == 1200
    m = b.metrics()
    assert metric(m, 'payment_callbacks_total{route="psp-a",result="applied"}') == 1
    assert metric(m, 'payment_callbacks_total{route="psp-a",result="duplicate"}') >= 1
    assert metric(m, 'payment_callbacks_total{route="psp-a",result="stale"}') >= 1
    # The client's retry of its key now sees the final word.
    assert_psps_agree_with_the_book(b)


def test_a_callback_must_be_signed_by_the_routes_secret(paying):
    b = paying
    body = json.dumps({"payment_id": "1", "psp_ref": "x", "status": "authorised", "reason": "", "event_seq": 1})
    for sig in (None, "sha256=" + "0" * 64, "sha256=" + hmac.new(b"guess", body.encode(), hashlib.sha256).hexdigest()):
        h = {"Content-Type": "application/json"}
        if sig:
            h["X-Psp-Signature"] = sig
        r = requests.post(b.url + "/psp/callbacks/psp-a", data=body, headers=h, timeout=5)
        assert r.status_code == 401, r.text
    r = requests.post(b.url + "/psp/callbacks/nope", data=body, timeout=5)
    assert r.status_code == 404
    assert requests.get(b.url + "/psp/callbacks/psp-a", timeout=5).status_code == 405


def test_a_slow_psp_holds_no_bet(paying):
    b = paying
    b.open_account("erin")
    psp(b, "psp-a", latency_ms=1500)
    done = {}

    def slow_deposit():
        # Its own connection: the book's session belongs to the test thread.
        r = requests.post(b.url + "/v1/accounts/erin/deposits", json={"amount": 1000, "currency": "GBP"},
                          headers=b.headers(b.channel_token, uuid.uuid4().hex), timeout=30)
        done["deposit"] = (time.monotonic(), r)
    t = threading.Thread(target=slow_deposit)
    t.start()
    wait_for(lambda: b.get("/v1/payments", token="operator").json()["pending"] == 1)
    r = b.bet(3011, stake=100, policy="any")  # a pre-match market: no in-play delay
    done["bet"] = time.monotonic()
    assert r.status_code == 201, r.text
    t.join()
    # Ordering, not speed: the bet was decided while the deposit was still at
    # its 1.5 s PSP — neither the engine nor an HTTP thread waited for it.
    assert done["bet"] < done["deposit"][0], done
    # 1.5 s is past the route's 2 x 400 ms: the client is told "timed out"
    # (202, nothing credited yet); the PSP's callback settles it.
    dep = done["deposit"][1]
    assert dep.status_code == 202 and dep.json()["status"] == "timed_out", dep.text
    pid = dep.json()["payment_id"]
    wait_for(lambda: b.get(f"/v1/payments/{pid}").json()["status"] == "authorised")
    assert b.get(f"/v1/payments/{pid}").json()["reconciled"] is True
    assert balance(b, "erin") == 1000


def test_a_kill9_with_payments_in_flight_loses_nothing_and_charges_nothing_twice(tmp_path):
    b = BookProcess(tmp_path).start()
    try:
        b.open_account("erin")
        psp(b, "psp-a", latency_ms=300)
        results = []
        threads = [threading.Thread(target=lambda: results.append(_quiet_deposit(b))) for _ in range(12)]
        for th in threads:
            th.start()
        time.sleep(0.35)
        b.kill9()
        for th in threads:
            th.join()
        # The simulated PSPs died with the book: their record is gone with
        # them, so a restart's reconciliation finds no record of whatever was
        # in flight and declines it (nothing charged) — what was acknowledged
        # 201 before the kill stays credited.
        acknowledged = sum(1 for r in results if r is not None and r.status_code == 201)
        b.start()
        wait_for(lambda: b.get("/v1/payments", token="operator").json()["pending"] == 0, timeout=15)
        assert balance(b, "erin") >= 1000 * acknowledged
        payments = b.get("/v1/payments", token="operator").json()["payments"]
        authorised = [p for p in payments if p["status"] == "authorised"]
        assert balance(b, "erin") == 1000 * len(authorised)
        assert all(p["status"] in ("authorised", "declined") for p in payments), payments
    finally:
        b.stop()


def _quiet_deposit(b):
    try:
        return deposit(b, "erin", 1000)
    except requests.RequestException:
        return None


def test_without_routes_deposits_are_refused_and_nothing_changes(tmp_path):
    b = BookProcess(tmp_path, payments="").start()
    try:
        b.open_account("erin")
        r = deposit(b, "erin", 1000)
        assert r.status_code == 503 and r.json()["error"]["code"] == "PAYMENT_ROUTE_UNAVAILABLE", r.text
        assert balance(b, "erin") == 0
        assert b.get("/v1/payments", token="operator").json()["payments"] == []
    finally:
        b.stop()


def test_an_operator_switches_the_route_and_a_restart_keeps_it(paying):
    b = paying
    b.open_account("erin")
    for body, code in (({}, 422), ({"to": "psp-x"}, 422), ({"to": 5}, 422), ({"to": "a b"}, 422)):
        r = b.post("/v1/payments/routes/switch", json=body, token="operator")
        assert r.status_code == code, (body, r.text)
    assert b.post("/v1/payments/routes/switch", json={"to": "psp-b"}).status_code == 403  # a channel may not
    r = b.post("/v1/payments/routes/switch", json={"to": "psp-b"}, token="operator")
    assert r.status_code == 200 and r.json() == {"active": "psp-b", "previous": "psp-a", "changed": True}, r.text
    assert deposit(b, "erin", 1000).json()["route"] == "psp-b"
    b.kill9()
    b.start()
    assert b.get("/v1/payments", token="operator").json()["routes"]["active"] == "psp-b"
    assert deposit(b, "erin", 1000).json()["route"] == "psp-b"


def test_a_route_whose_breaker_opens_is_switched_away_by_the_playbook(paying):
    b = paying
    b.open_account("erin")
    psp(b, "psp-a", down=True)
    for _ in range(2):
        deposit(b, "erin", 1000)  # 4 failed calls: psp-a's breaker opens
    assert metric(b.metrics(), 'psp_breaker_open{route="psp-a"}') == 1

    def switched():
        b.advance(1000)  # the incident loop ticks on the book's clock
        return b.get("/v1/payments", token="operator").json()["routes"]["active"] == "psp-b"
    wait_for(switched, timeout=20)
    alerts = b.get("/v1/alerts", token="operator").json()
    assert any(a["name"] == "psp_route_down" and a["labels"].get("psp_route") == "psp-a" for a in alerts["alerts"]), alerts
    incidents = b.get("/v1/incidents", token="operator").json()
    text = json.dumps(incidents)
    assert "switch_psp_route" in text and "switched new payments from psp-a to psp-b" in text, text[:2000]
    # Deposits go on through psp-b meanwhile.
    assert deposit(b, "erin", 1000).json()["route"] == "psp-b"
