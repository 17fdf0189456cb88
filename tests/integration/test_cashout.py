"""Cash-out (CO-1..CO-4) through the real binary.

The football feed is a provider the test controls (fake_provider.py) on the
simulated clock, as in test_settlement.py: it moves a selection's price, and
the test asks for quotes and takes them over HTTP. Every amount is computed
here independently: floor(stake x placed odds / current odds x (1 - 5 %)).
A cashed-out bet is never paid by a result, a rollback leaves it alone, a
partial cash-out leaves the rest riding, and every way an offer dies (a
suspension, a freeze, a stale price, expiry, a moved price under the
policy) refuses it with its stable code and changes nothing.
"""
import sqlite3
import threading
import uuid

import requests

from conftest import metric, wait_for
from test_settlement import payout, replayed_hash, result, world  # noqa: F401 (world: the fixture)

MARGIN_BP = 500


def value(stake, placed, now):
    """floor(stake x placed / now x (10000 - margin) / 10000), exact."""
    p, n = round(float(placed) * 10000), round(float(now) * 10000)
    return stake * p * (10000 - MARGIN_BP) // (n * 10000)


def move_price(w, market_id, sels):
    """The feed moves the market's prices; waits until the book shows the move
    (the book's own prices carry its margin over the feed's)."""
    before = {s: w.b.price(s) for s, _ in sels}
    w.p.price(2, market_id, sels)
    w.p.odds(market_id, ts=w.now_ms)
    wait_for(lambda: all(w.b.price(s) != o for s, o in before.items()))


def quote(w, bet_id, stake=None, token="channel"):
    path = f"/v1/bets/{bet_id}/cashout" + (f"?stake={stake}" if stake is not None else "")
    return w.b.get(path, token=token)


def take(w, bet_id, q, key="auto", policy="none", amount=None):
    body = {"quote_id": q["quote_id"], "amount": q["amount"] if amount is None else amount, "price_change": policy}
    return w.b.post(f"/v1/bets/{bet_id}/cashout", json=body, key=key)


def test_a_bet_cashed_out_in_full_is_never_paid_again(world):
    w = world
    bet = w.bet("alice", 2011, 1000)  # home at 1.60
    other = w.bet("bob", 2012, 500)   # draw at 4.00, left to the result
    move_price(w, 201, [(2011, "1.30"), (2012, "5.00"), (2013, "8.00")])

    r = quote(w, bet["bet_id"])
    assert r.status_code == 200, r.text
    q = r.json()
    # The book's prices carry its margin over the feed's: the quote names both prices it used.
    cash = value(1000, bet["odds"], q["odds"])
    assert q["amount"] == cash and q["odds"] == w.b.price(2011) and q["placed_odds"] == bet["odds"]
    assert q["stake"] == 1000 and q["currency"] == "GBP" and cash > 1000
    assert q["price_version"] >= 2 and q["expires_in_ms"] == 2000 and q["freshness_ms"] >= 0

    key = "cash-1"
    r = take(w, bet["bet_id"], q, key=key)
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "cashed_out" and done["amount"] == cash and done["remaining_stake"] == 0
    assert done["cashed_out_stake"] == 1000 and done["odds"] == q["odds"]
    # The same key again: the same answer, byte for byte, and nothing moves twice.
    again = take(w, bet["bet_id"], q, key=key)
    assert again.status_code == 200 and again.text == r.text
    # The quote was one use; a cashed-out bet gets no more quotes.
    r = take(w, bet["bet_id"], q)
    assert r.status_code == 409 and r.json()["error"]["code"] == "QUOTE_EXPIRED", r.text
    r = quote(w, bet["bet_id"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "CASHOUT_UNAVAILABLE", r.text

    now = w.bet_now(bet["bet_id"])
    assert now["status"] == "cashed_out" and now["cashout"]["stake"] == 1000 and now["cashout"]["amount"] == cash
    assert now["stake"] == 0
    w.check_balances({bet["bet_id"]: cash})

    # The home win settles the market: the cashed-out bet is left alone.
    w.send("bet_settlement", **result((201, {2011}), score=(1, 0)))
    wait_for(lambda: w.bet_now(other["bet_id"])["status"] == "settled")
    assert w.bet_now(bet["bet_id"])["status"] == "cashed_out"
    w.check_balances({bet["bet_id"]: cash, other["bet_id"]: 0})
    # A rollback reverses only what settlement paid.
    w.send("rollback_bet_settlement", markets=[{"market_id": 201}], ts_offset_ms=2000)
    wait_for(lambda: w.bet_now(other["bet_id"])["status"] == "accepted")
    assert w.bet_now(bet["bet_id"])["status"] == "cashed_out"
    w.check_balances({bet["bet_id"]: cash})

    # Seen: metrics, the bet's own trace, the request's trace, the ledger projection.
    text = w.b.metrics()
    assert metric(text, 'cashout_quotes_total{result="offered"}') == 1
    assert metric(text, 'cashout_quotes_total{result="CASHOUT_UNAVAILABLE"}') == 1
    assert metric(text, 'cashout_decisions_total{result="accepted"}') == 1
    assert metric(text, 'cashout_decisions_total{result="QUOTE_EXPIRED"}') == 1
    assert metric(text, "cashout_paid_minor_total") == cash
    assert metric(text, "cashout_quote_freshness_seconds_count") == 1
    # CO-2: the freshness SLO is fed for real (the quote's price was under 300 ms old on the provider's clock).
    w.b.advance(2000)  # the loop samples once a second of book time
    slo = {s["name"]: s for s in w.b.get("/v1/slos", token="operator").json()["slos"]}["cashout_freshness"]
    assert slo["wired"] and slo["has_data"] and slo["valid_events"] == 1 and slo["sli"] == 1, slo

    def spans(trace_id):
        r = w.b.get(f"/v1/traces/{trace_id}", token="operator")
        return [s["name"] for s in r.json()["spans"]] if r.status_code == 200 else []

    assert "cashout" in wait_for(lambda: spans(bet["trace_id"]) if "cashout" in spans(bet["trace_id"]) else None)
    names = wait_for(lambda: spans(done["trace_id"]) if "journal" in spans(done["trace_id"]) else None)
    assert {"cashout.check", "cashout.recheck", "journal"} <= set(names), names

    def projected():
        db = sqlite3.connect(f"file:{w.b.dir / 'data' / 'book.sqlite'}?mode=ro", uri=True)
        try:
            return db.execute("SELECT account, amount_minor FROM ledger_entries WHERE reason='cashout'").fetchall()
        finally:
            db.close()

    assert sorted(wait_for(lambda: projected() or None)) == [("alice", cash), ("house/revenue", -cash)]

    # A kill -9 and a restart: the journal replays to the same state (the hash
    # the start logs before the feed moves anything), the bet still cashed out.
    before = w.b.quiet_state()["state_hash"]
    w.b.kill9()
    w.b.start()
    assert replayed_hash(w.b) == before
    assert w.bet_now(bet["bet_id"])["status"] == "cashed_out"


def test_a_partial_cash_out_leaves_the_rest_riding(world):
    w = world
    bet = w.bet("alice", 2021, 2500)  # over 2.5 at 1.90
    move_price(w, 202, [(2021, "1.50"), (2022, "2.60")])
    q = quote(w, bet["bet_id"], stake=1000).json()
    cash = value(1000, bet["odds"], q["odds"])
    assert q["stake"] == 1000 and q["amount"] == cash
    r = take(w, bet["bet_id"], q)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted" and r.json()["remaining_stake"] == 1500
    now = w.bet_now(bet["bet_id"])
    assert now["status"] == "accepted" and now["stake"] == 1500 and now["potential_payout"] == payout(1500, bet["odds"])
    assert now["cashout"] == {"stake": 1000, "amount": cash, "at": now["cashout"]["at"]}
    # More than is left, or nothing: refused, nothing changes.
    before = w.b.state()["state_hash"]
    r = quote(w, bet["bet_id"], stake=1501)
    assert r.status_code == 409 and r.json()["error"]["code"] == "CASHOUT_UNAVAILABLE", r.text
    for stake in (0, -3, "x"):
        r = quote(w, bet["bet_id"], stake=stake)
        assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_FAILED", r.text
    assert w.b.state()["state_hash"] == before
    # Over won: the rest is paid on its 1500, the cashed part was paid already.
    w.send("bet_settlement", **result((202, {2021}), score=(2, 1)))
    wait_for(lambda: w.bet_now(bet["bet_id"])["status"] == "settled")
    assert w.bet_now(bet["bet_id"])["return"] == payout(1500, bet["odds"])
    acct = w.balance("alice")
    assert acct["balance"] == 100000 - 2500 + cash + payout(1500, bet["odds"]) and acct["reserved"] == 0
    assert w.b.state()["ledger_sum"] == 0


def test_every_way_an_offer_dies_refuses_it_and_changes_nothing(world):
    w = world
    bet = w.bet("alice", 2011, 1000)

    def refused(r, code, status=409):
        assert r.status_code == status and r.json()["error"]["code"] == code, r.text

    # A suspension withdraws the live quote; the suspended market quotes nothing.
    q = quote(w, bet["bet_id"]).json()
    before = w.b.state()["state_hash"]
    r = w.b.post("/v1/markets/201/status", json={"status": "suspended", "reason": "var check"}, token="operator")
    assert r.status_code == 200, r.text
    refused(take(w, bet["bet_id"], q), "QUOTE_EXPIRED")
    refused(quote(w, bet["bet_id"]), "MARKET_SUSPENDED")
    w.b.post("/v1/markets/201/status", json={"status": "open", "reason": "var done"}, token="operator")
    # Reopened: the old quote stays dead.
    refused(take(w, bet["bet_id"], q), "QUOTE_EXPIRED")

    # A freeze (CO-4) withdraws and refuses, by hand; lifting it quotes again.
    q = quote(w, bet["bet_id"]).json()
    r = w.b.post("/v1/markets/201/cashout", json={"frozen": True, "reason": "trader"}, token="operator")
    assert r.status_code == 200, r.text
    refused(take(w, bet["bet_id"], q), "QUOTE_EXPIRED")
    refused(quote(w, bet["bet_id"]), "CASHOUT_FROZEN")
    w.b.post("/v1/markets/201/cashout", json={"frozen": False}, token="operator")
    assert quote(w, bet["bet_id"]).status_code == 200

    # A quote expires after 2 s of book time.
    q = quote(w, bet["bet_id"]).json()
    w.advance(2100)
    refused(take(w, bet["bet_id"], q), "QUOTE_EXPIRED")

    # A price older than the market's limit (EPL 1.5 s on the provider's clock): no offer.
    w.b.advance(1600)
    w.now_ms += 1600
    refused(quote(w, bet["bet_id"]), "PRICE_STALE")
    w.p.now_ms = w.now_ms
    w.p.odds(201, ts=w.now_ms)
    wait_for(lambda: quote(w, bet["bet_id"]).status_code == 200)

    # The price moves between the quote and the accept: none refuses, better takes a higher amount.
    q = quote(w, bet["bet_id"]).json()
    move_price(w, 201, [(2011, "1.40"), (2012, "4.50"), (2013, "7.00")])
    refused(take(w, bet["bet_id"], q), "PRICE_CHANGED")
    q = quote(w, bet["bet_id"]).json()
    move_price(w, 201, [(2011, "1.60"), (2012, "4.00"), (2013, "6.00")])
    refused(take(w, bet["bet_id"], q, policy="better"), "PRICE_CHANGED")  # it fell
    # Bad requests: a clear error, nothing changed.
    refused(take(w, bet["bet_id"], q, amount=q["amount"] + 1), "QUOTE_EXPIRED")
    r = w.b.post(f"/v1/bets/{bet['bet_id']}/cashout", json={"amount": 5}, key="auto")
    refused(r, "VALIDATION_FAILED", 422)
    r = w.b.post(f"/v1/bets/{bet['bet_id']}/cashout", json={"quote_id": "x1", "amount": 5}, key="auto")
    refused(r, "VALIDATION_FAILED", 422)
    r = w.b.post(f"/v1/bets/{bet['bet_id']}/cashout", data="{nope", key="auto",
                 headers={"Content-Type": "application/json"})
    refused(r, "MALFORMED_REQUEST", 400)
    r = w.b.post(f"/v1/bets/{bet['bet_id']}/cashout", json={"quote_id": q["quote_id"], "amount": 1})
    refused(r, "IDEMPOTENCY_KEY_MISSING", 400)
    refused(quote(w, 987654), "BET_NOT_FOUND", 404)
    refused(quote(w, bet["bet_id"], token="operator"), "FORBIDDEN", 403)
    # Nothing of it moved money.
    w.check_balances({})
    assert w.bet_now(bet["bet_id"])["cashout"] is None
    text = w.b.metrics()
    for code in ("MARKET_SUSPENDED", "CASHOUT_FROZEN", "PRICE_STALE"):
        assert metric(text, f'cashout_quotes_total{{result="{code}"}}') >= 1, code
    assert metric(text, 'cashout_decisions_total{result="PRICE_CHANGED"}') == 2
    assert metric(text, 'cashout_decisions_total{result="accepted"}') is None or \
        metric(text, 'cashout_decisions_total{result="accepted"}') == 0
    del before


def test_in_play_a_cash_out_waits_the_delay_and_a_suspension_inside_it_refuses(world):
    w = world
    # Event 1 is in play (5 s football delay); its market is priced by the provider.
    w.p.now_ms = w.now_ms
    w.p.odds(101, ts=w.now_ms)
    wait_for(lambda: w.b.get("/v1/markets/101").json()["bettable"])
    placed = {}

    def own_session_post(path, body):
        # requests.Session is not thread-safe: a request that waits for the
        # book's clock gets its own connection while this thread advances it.
        return requests.post(w.b.url + path, json=body, timeout=30,
                             headers=w.b.headers(w.b.channel_token, uuid.uuid4().hex))

    def place():
        placed["r"] = own_session_post("/v1/bets", {"account": "alice", "selection_id": 1011, "stake": 1000,
                                                    "currency": "GBP", "odds": "1.01", "price_change": "any"})

    def advance_until_answered(th):
        # Book time passes a second at a time, the market priced fresh each
        # second, until the answer comes: the football delay (5 s) plus any
        # extra delay a playbook's budget guard put on the market meanwhile.
        for _ in range(20):
            w.b.advance(1000)
            w.now_ms += 1000
            w.p.now_ms = w.now_ms
            w.p.odds(101, ts=w.now_ms)
            th.join(0.3)
            if not th.is_alive():
                break
        th.join(10)

    t = threading.Thread(target=place)
    t.start()
    advance_until_answered(t)
    assert placed["r"].status_code == 201, placed["r"].text
    bet = placed["r"].json()

    def accept_during(q, during):
        out = {}
        body = {"quote_id": q["quote_id"], "amount": q["amount"], "price_change": "none"}
        th = threading.Thread(target=lambda: out.setdefault(
            "r", own_session_post(f"/v1/bets/{bet['bet_id']}/cashout", body)))
        th.start()
        wait_for(lambda: metric(w.b.metrics(), "cashout_pending") == 1)
        during()
        advance_until_answered(th)
        return out["r"]

    q = quote(w, bet["bet_id"]).json()
    r = accept_during(q, lambda: w.b.post("/v1/markets/101/status", json={"status": "suspended", "reason": "goal?"},
                                          token="operator"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "MARKET_SUSPENDED", r.text
    w.b.post("/v1/markets/101/status", json={"status": "open", "reason": "no goal"}, token="operator")
    wait_for(lambda: quote(w, bet["bet_id"]).status_code == 200)
    q = quote(w, bet["bet_id"]).json()
    r = accept_during(q, lambda: None)
    assert r.status_code == 200 and r.json()["status"] == "cashed_out", r.text
    # The delay was on the engine clock: the inplay_delay span spans 5 s of book time.
    trace = w.b.get(f"/v1/traces/{r.json()['trace_id']}", token="operator")
    delay = [s for s in wait_for(lambda: trace.json()["spans"] if trace.status_code == 200 else None)
             if s["name"] == "inplay_delay"]
    assert delay and delay[0]["end_ns"] - delay[0]["start_ns"] >= 5_000_000_000, delay
