"""In-play delay on the simulated clock (no thread sleeps), price-change
policies, staleness (fail closed) and the price confirmation wait (RISK-2)."""
import concurrent.futures
import time

import pytest

IN_PLAY = 1011  # Arsenal v Chelsea, in play, football delay 5 s


def place_async(book, pool, **kw):
    f = pool.submit(book.bet, **kw)
    time.sleep(0.3)  # let it reach the engine and start its delay
    return f


def test_in_play_bet_waits_for_the_delay_then_is_accepted(book):
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        f = place_async(book, pool, selection_id=IN_PLAY, odds="2.1")
        book.advance(4000)
        time.sleep(0.2)
        assert not f.done(), "decided before the 5 s delay ran out"
        book.advance(1000)
        r = f.result(timeout=10)
    assert r.status_code == 201, r.text
    bet = r.json()
    # placed_at to accepted_at spans the simulated delay.
    assert bet["placed_at"] < bet["accepted_at"]
    spans = book.get(f"/v1/traces/{bet['trace_id']}", token="operator").json()["spans"]
    delay = [s for s in spans if s["name"] == "inplay_delay"][0]
    assert delay["end_ns"] - delay["start_ns"] >= 5_000_000_000
    # The deliberate delay is not accept latency (BET-3).
    metrics = book.get("/metrics", token=None).text
    assert "bet_accept_latency_seconds_bucket{le=\"5\"} 1" in metrics
    assert 'bet_inplay_delay_seconds_bucket{le="5"} 0' in metrics or 'bet_inplay_delay_seconds_bucket{le="6"} 1' in metrics


def test_in_play_bet_is_rechecked_against_the_price_after_the_delay(book):
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        f = place_async(book, pool, selection_id=IN_PLAY, odds="2.1", policy="none")
        book.put(f"/v1/selections/{IN_PLAY}/price", json={"odds": "1.9"})  # a goal: price shortens
        book.advance(5000)
        r = f.result(timeout=10)
    assert r.status_code == 409 and r.json()["error"]["code"] == "PRICE_CHANGED"
    assert book.state()["bets"] == 0


def test_in_play_suspension_during_the_delay_rejects(book):
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        f = place_async(book, pool, selection_id=IN_PLAY, odds="2.1")
        book.post("/v1/markets/101/status", token="operator", json={"status": "suspended", "reason": "goal"})
        book.advance(5000)
        r = f.result(timeout=10)
    assert r.status_code == 409 and r.json()["error"]["code"] == "MARKET_SUSPENDED"


@pytest.mark.parametrize("policy,new_price,status,odds", [
    ("none", "1.6", 409, None),
    ("none", "1.4", 409, None),
    ("better", "1.6", 201, "1.6"),
    ("better", "1.4", 409, None),
    ("any", "1.4", 201, "1.4"),
    ("any", "1.6", 201, "1.6"),
])
def test_price_change_policy(book, policy, new_price, status, odds):
    book.put("/v1/selections/2011/price", json={"odds": new_price})
    r = book.bet(2011, odds="1.5", policy=policy)
    assert r.status_code == status, r.text
    if status == 201:
        assert r.json()["odds"] == odds
        assert r.json()["odds_requested"] == "1.5"
    else:
        assert r.json()["error"]["code"] == "PRICE_CHANGED"


def test_stale_price_makes_the_market_unbettable(make_book):
    b = make_book(refresh_ms=0).start()  # prices change only by hand
    assert b.bet(2011, odds="1.5").status_code == 201
    b.advance(1600)  # EPL staleness limit is 1.5 s
    r = b.bet(2011, odds="1.5")
    assert r.status_code == 409 and r.json()["error"]["code"] == "PRICE_STALE"
    m = b.get("/v1/markets/201").json()
    assert m["bettable"] is False and m["staleness_ms"] >= 1600
    # Championship allows 3 s by default: still fine at 1.6 s.
    assert b.bet(3011, odds="1.9").status_code == 201
    # A fresh price makes it bettable again.
    b.put("/v1/selections/2011/price", json={"odds": "1.5"})
    assert b.bet(2011, odds="1.5").status_code == 201


def test_price_confirmation_wait_is_bounded(make_book):
    b = make_book(refresh_ms=0).start()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        f = pool.submit(b.bet, selection_id=IN_PLAY, odds="2.1")
        time.sleep(0.3)
        # The delay runs out with no price newer than the bet: it waits up to
        # 2 s for one, then is rejected (fail closed).
        b.advance(5000)
        time.sleep(0.2)
        assert not f.done()
        b.advance(2000)
        r = f.result(timeout=10)
    assert r.status_code == 409 and r.json()["error"]["code"] == "PRICE_STALE"


def test_price_confirmation_releases_the_bet_on_a_fresh_price(make_book):
    b = make_book(refresh_ms=0).start()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        f = pool.submit(b.bet, selection_id=IN_PLAY, odds="2.1")
        time.sleep(0.3)
        b.advance(5000)  # delay over; no price newer than the bet yet: it waits
        time.sleep(0.2)
        assert not f.done()
        b.advance(500)
        b.put(f"/v1/selections/{IN_PLAY}/price", json={"odds": "2.1"})  # confirmation
        r = f.result(timeout=10)
    assert r.status_code == 201, r.text


def test_pre_match_bets_have_no_delay(book):
    t0 = time.time()
    assert book.bet(2011, odds="1.5").status_code == 201
    assert time.time() - t0 < 2
