"""In-play delay on the simulated clock (no thread sleeps), price-change
policies, staleness (fail closed) and the price confirmation wait (RISK-2)."""
import concurrent.futures

import pytest

from conftest import Histogram, metric, wait_for

IN_PLAY = 1011  # Arsenal v Chelsea, in play, football delay 5 s


def place_async(book, pool, **kw):
    f = pool.submit(book.bet, **kw)
    # The engine has it: the bet waits in its delay (nothing else is pending).
    wait_for(lambda: metric(book.metrics(), "bets_pending") == 1 or f.done(), timeout=30)
    assert not f.done(), f.result().text
    return f


def assert_undecided(book, why):
    """The bet is still pending and no decision was made. An advance returns
    once the engine has run every timer due by then, so this holds for the
    book's time the advance reached, not only for the moment we look."""
    text = book.metrics()
    assert metric(text, "bets_pending") == 1 and metric(text, "bets_total") == 0, why


def test_in_play_bet_waits_for_the_delay_then_is_accepted(book):
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        f = place_async(book, pool, selection_id=IN_PLAY, odds="2.1")
        book.advance(4000)
        assert_undecided(book, "decided before the 5 s delay ran out")
        book.advance(1000)
        r = f.result(timeout=30)
    assert r.status_code == 201, r.text
    bet = r.json()
    # placed_at to accepted_at spans the simulated delay.
    assert bet["placed_at"] < bet["accepted_at"]
    spans = book.get(f"/v1/traces/{bet['trace_id']}", token="operator").json()["spans"]
    delay = [s for s in spans if s["name"] == "inplay_delay"][0]
    assert delay["end_ns"] - delay["start_ns"] >= 5_000_000_000
    # The deliberate delay is not accept latency (BET-3): the book's clock
    # moved only by the 5 s delay, so what is left of it is ~0, far below 1 s
    # (a latency that kept the delay would be 5 s).
    metrics = book.metrics()
    accept = Histogram(metrics, "bet_accept_latency_seconds")
    assert accept.count == 1, accept
    assert accept.sum < 1 and accept.at_most(1.0) == 1, f"accept latency kept the in-play delay: {accept}"
    delay = Histogram(metrics, "bet_inplay_delay_seconds")
    assert delay.count == 1 and delay.sum >= 5, delay


def test_in_play_bet_is_rechecked_against_the_price_after_the_delay(book):
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        f = place_async(book, pool, selection_id=IN_PLAY, odds="2.1", policy="none")
        book.put(f"/v1/selections/{IN_PLAY}/price", json={"odds": "1.9"})  # a goal: price shortens
        book.advance(5000)
        r = f.result(timeout=30)
    assert r.status_code == 409 and r.json()["error"]["code"] == "PRICE_CHANGED"
    assert book.state()["bets"] == 0


def test_in_play_suspension_during_the_delay_rejects(book):
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        f = place_async(book, pool, selection_id=IN_PLAY, odds="2.1")
        book.post("/v1/markets/101/status", token="operator", json={"status": "suspended", "reason": "goal"})
        book.advance(5000)
        r = f.result(timeout=30)
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
        f = place_async(b, pool, selection_id=IN_PLAY, odds="2.1")
        # The delay runs out with no price newer than the bet: it waits up to
        # 2 s for one, then is rejected (fail closed).
        b.advance(5000)
        assert_undecided(b, "decided at the end of the delay without a price newer than the bet")
        b.advance(1999)
        assert_undecided(b, "gave up before the 2 s confirmation wait ran out")
        b.advance(1)
        r = f.result(timeout=30)
    assert r.status_code == 409 and r.json()["error"]["code"] == "PRICE_STALE"


def test_price_confirmation_releases_the_bet_on_a_fresh_price(make_book):
    b = make_book(refresh_ms=0).start()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        f = place_async(b, pool, selection_id=IN_PLAY, odds="2.1")
        b.advance(5000)  # delay over; no price newer than the bet yet: it waits
        assert_undecided(b, "decided at the end of the delay without a price newer than the bet")
        b.advance(500)
        b.put(f"/v1/selections/{IN_PLAY}/price", json={"odds": "2.1"})  # confirmation
        r = f.result(timeout=30)
    assert r.status_code == 201, r.text


def test_pre_match_bets_have_no_delay(book):
    # Nothing moves the simulated clock here: a delayed bet would never be
    # answered (the request would time out), and its trace would show the wait.
    r = book.bet(2011, odds="1.5")
    assert r.status_code == 201, r.text
    bet = r.json()
    assert bet["placed_at"] == bet["accepted_at"]
    spans = book.get(f"/v1/traces/{bet['trace_id']}", token="operator").json()["spans"]
    assert "inplay_delay" not in [s["name"] for s in spans], spans
    assert Histogram(book.metrics(), "bet_inplay_delay_seconds").count == 0
