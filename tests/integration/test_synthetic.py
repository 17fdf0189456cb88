"""Synthetic checks (issue 7, REL-1, BEY-3): scripted in-play bets on the top
markets through the real HTTP API, from a synthetic account, every `every` of
book time. Their money and exposure never mix with real accounts' (also after
a crash and replay), their traces carry synthetic=true, their decisions feed
only the synthetic_checks SLO, and a failing check pages."""
import re
import time

import pytest

SYNTHETIC = "synthetic: {enabled: true, every: 2s, markets: 1}"


def metric(book, name):
    text = book.session.get(book.url + "/metrics").text
    total = 0.0
    seen = False
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
            seen = True
    return total if seen else None


def run_until(book, cond, seconds=30):
    """Advances book time one second at a time (the checks' bets wait out the
    in-play delay in book time) until cond() holds."""
    for _ in range(seconds):
        book.advance(1000)
        time.sleep(0.15)
        if cond():
            return True
    return cond()


def real_money(book):
    return {a: book.get(f"/v1/accounts/{a}").json()["balance"] for a in ("alice", "bob")}


@pytest.fixture
def synthetic_book(make_book):
    return make_book(extra_top=SYNTHETIC).start()


def test_synthetic_bets_never_touch_real_money_or_exposure(synthetic_book):
    b = synthetic_book
    money, liability = real_money(b), b.get("/v1/markets/101", token="operator").json()["liability"]
    bets_before = metric(b, "bet_accept_latency_seconds_count") or 0
    assert run_until(b, lambda: (metric(b, 'synthetic_checks_total{check="bet_accepted",result="pass"}') or 0) >= 2)
    assert metric(b, 'synthetic_checks_total{check="odds_fresh",result="pass"}') >= 2
    # REL-1: each scripted bet is also quoted for cash-out (never taken), out of the cash-out SLO.
    assert run_until(b, lambda: (metric(b, 'synthetic_checks_total{check="cashout_quoted",result="pass"}') or 0) >= 2)
    assert metric(b, 'cashout_quotes_total{result="offered"}') >= 2
    assert metric(b, "synthetic_failed_rounds") == 0

    # The bets exist and hold their stake, on the synthetic account only.
    acct = b.get("/v1/accounts/synthetic-checks", token="operator").json()
    assert acct["reserved"] >= 200, acct
    assert real_money(b) == money
    assert b.get("/v1/markets/101", token="operator").json()["liability"] == liability
    assert b.state()["ledger_sum"] == 0
    # Out of the business latency histogram, in their own.
    assert (metric(b, "bet_accept_latency_seconds_count") or 0) == bets_before
    assert metric(b, "synthetic_accept_latency_seconds_count") >= 2
    # Their traces stand out and are kept.
    traces = b.get("/v1/traces?attr.synthetic=true&limit=10", token="operator").json()["traces"]
    assert traces, "no synthetic trace kept"
    # Their own SLO has events; they are in no business SLO.
    slos = {s["name"]: s for s in b.get("/v1/slos", token="operator").json()["slos"]}
    assert slos["synthetic_checks"]["has_data"], slos["synthetic_checks"]
    assert not slos["cashout_freshness"]["has_data"], slos["cashout_freshness"]

    # A crash and a replay keep them apart: the liability is rebuilt the same.
    b.kill9()
    b.restart()
    assert b.get("/v1/markets/101", token="operator").json()["liability"] == liability
    assert real_money(b) == money
    assert b.get("/v1/accounts/synthetic-checks", token="operator").json()["reserved"] == acct["reserved"]


def test_channels_cannot_use_synthetic_accounts(synthetic_book):
    b = synthetic_book
    assert run_until(b, lambda: (metric(b, 'synthetic_checks_total{check="bet_accepted",result="pass"}') or 0) >= 1)
    before = b.state()
    r = b.bet(1011, stake=100, odds=b.price(1011), account="synthetic-checks", policy="any")
    assert r.status_code == 404 and r.json()["error"]["code"] == "ACCOUNT_NOT_FOUND", r.text
    r = b.post("/v1/accounts/synthetic-mine/deposits", json={"amount": 100, "currency": "GBP"}, key="auto")
    assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_FAILED", r.text
    assert "synthetic" in r.json()["error"]["message"]
    assert b.get("/v1/accounts/synthetic-checks").status_code == 404
    assert b.state()["state_hash"] == before["state_hash"]


def test_a_failing_check_fires_its_alert(synthetic_book):
    b = synthetic_book
    assert run_until(b, lambda: (metric(b, "synthetic_rounds_total") or 0) >= 1)
    assert metric(b, "synthetic_failed_rounds") == 0
    # A stake cap under the checks' stake (100): their bets are refused, as a
    # customer's would be. Two failed rounds in a row page.
    r = b.post("/v1/markets/101/stake-cap", json={"cap": 50}, token="operator")
    assert r.status_code == 200, r.text
    assert run_until(b, lambda: (metric(b, "synthetic_failed_rounds") or 0) >= 2)
    assert metric(b, 'synthetic_checks_total{check="bet_accepted",result="fail"}') >= 2

    def firing():
        alerts = b.get("/v1/alerts", token="operator").json()["alerts"]
        return [a for a in alerts if a["name"] == "synthetic_check_failing"]
    assert run_until(b, lambda: bool(firing()), seconds=5), b.get("/v1/alerts", token="operator").text
    # Lifting the cap heals it: the next round passes and the alert resolves.
    r = b.post("/v1/markets/101/stake-cap", json={"cap": 0}, token="operator")
    assert r.status_code == 200, r.text
    assert run_until(b, lambda: metric(b, "synthetic_failed_rounds") == 0)
    assert run_until(b, lambda: not firing(), seconds=5)
