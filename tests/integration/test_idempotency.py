"""BET-6 / WAL-5: one key, one effect; the first response byte for byte."""
import concurrent.futures
import threading

import requests

from conftest import metric, wait_for

BET = {"account": "alice", "selection_id": 2011, "stake": 100, "currency": "GBP", "odds": "1.5"}


def test_retry_returns_the_first_response_byte_for_byte(book):
    r1 = book.post("/v1/bets", json=BET, key="same-key")
    r2 = book.post("/v1/bets", json=BET, key="same-key")
    assert r1.status_code == r2.status_code == 201
    assert r1.content == r2.content
    assert book.state()["bets"] == 1
    assert book.get("/v1/accounts/alice").json()["reserved"] == 100


def test_retry_of_a_rejection_returns_the_same_rejection(book):
    body = dict(BET, odds="1.7")
    r1 = book.post("/v1/bets", json=body, key="rej-key")
    assert r1.status_code == 409
    # The price moves to 1.7: the retry must still answer as the first time.
    book.put("/v1/selections/2011/price", json={"odds": "1.7"})
    r2 = book.post("/v1/bets", json=body, key="rej-key")
    assert r2.status_code == 409 and r2.content == r1.content


def test_same_key_different_body_is_422_and_changes_nothing(book):
    assert book.post("/v1/bets", json=BET, key="k").status_code == 201
    before = book.state()["state_hash"]
    r = book.post("/v1/bets", json=dict(BET, stake=200), key="k")
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert book.state()["state_hash"] == before
    assert book.state()["bets"] == 1


def test_keys_are_shared_by_bets_and_wallet_calls(book):
    assert book.post("/v1/accounts/alice/deposits", json={"amount": 10, "currency": "GBP"}, key="shared").status_code == 201
    r = book.post("/v1/bets", json=BET, key="shared")
    assert r.status_code == 422 and r.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_wallet_retry_moves_money_once(book):
    body = {"amount": 2500, "currency": "GBP"}
    book.open_account("carl")
    rs = [book.post("/v1/accounts/carl/deposits", json=body, key="dep-carl") for _ in range(3)]
    assert all(r.status_code == 201 for r in rs)
    assert len({r.content for r in rs}) == 1
    assert book.get("/v1/accounts/carl").json()["balance"] == 2500


def test_a_thousand_concurrent_retries_give_one_bet(book):
    n = 1000
    barrier = threading.Barrier(50)
    local = threading.local()

    def send(_):
        s = getattr(local, "s", None)
        if s is None:
            s = local.s = requests.Session()
            barrier.wait()
        return s.post(book.url + "/v1/bets", json=BET, timeout=60,
                      headers={"Authorization": f"Bearer {book.channel_token}",
                               "Idempotency-Key": "storm"})

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(send, range(n)))
    assert all(r.status_code == 201 for r in results), {r.status_code for r in results}
    assert len({r.content for r in results}) == 1
    assert book.state()["bets"] == 1
    assert book.get("/v1/accounts/alice").json()["reserved"] == 100


def test_concurrent_retries_during_the_in_play_delay_wait_for_the_one_decision(book):
    body = dict(BET, selection_id=1011, odds="2.1")
    joined = 'idempotency_repeats_total{answer="joined"}'
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        futures = [pool.submit(book.post, "/v1/bets", json=body, key="inplay-storm") for _ in range(20)]
        # All twenty are in the engine before the clock moves: one bet in its
        # delay, nineteen repeats joined to it (none decided yet).
        wait_for(lambda: metric(book.metrics(), joined) >= 19, timeout=30)
        text = book.metrics()
        assert metric(text, joined) == 19 and metric(text, "bets_pending") == 1, text
        assert not any(f.done() for f in futures)
        book.advance(5000)
        results = [f.result(timeout=30) for f in futures]
    assert {r.status_code for r in results} == {201}
    assert len({r.content for r in results}) == 1
    assert book.state()["bets"] == 1
    # Every one got the one decision as it was made, none a stored copy later.
    assert metric(book.metrics(), 'idempotency_repeats_total{answer="stored"}') == 0


def test_idempotent_response_survives_a_restart(book):
    r1 = book.post("/v1/bets", json=BET, key="durable-key")
    book.restart()
    r2 = book.post("/v1/bets", json=BET, key="durable-key")
    assert r2.status_code == 201 and r2.content == r1.content
    assert book.state()["bets"] == 1
