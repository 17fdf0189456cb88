"""Every error code of the API, with its status, stable code and JSON shape,
and proof that a rejected request changes nothing."""
import json

import pytest
import requests


def assert_error(r, status, code):
    assert r.status_code == status, f"{r.status_code} {r.text}"
    body = r.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


def snapshot(book):
    return book.state()["state_hash"], book.get("/v1/accounts/alice").json()


def test_unauthorized_without_or_with_a_bad_token(book):
    before = snapshot(book)
    assert_error(book.get("/v1/events", token=None), 401, "UNAUTHORIZED")
    assert_error(book.get("/v1/events", token="nope"), 401, "UNAUTHORIZED")
    assert_error(book.bet(2011, key="k") if False else
                 book.post("/v1/bets", token="wrong", key="k1",
                           json={"account": "alice", "selection_id": 2011, "stake": 100,
                                 "currency": "GBP", "odds": "1.5"}), 401, "UNAUTHORIZED")
    r = requests.get(book.url + "/v1/events", headers={"Authorization": "Basic abc"})
    assert_error(r, 401, "UNAUTHORIZED")
    assert snapshot(book) == before


def test_forbidden_for_the_wrong_role(book):
    before = snapshot(book)
    # Operators do not place bets or move money; channels do not use controls.
    r = book.post("/v1/bets", token="operator", key="k1",
                  json={"account": "alice", "selection_id": 2011, "stake": 100, "currency": "GBP", "odds": "1.5"})
    assert_error(r, 403, "FORBIDDEN")
    assert_error(book.post("/v1/accounts/alice/deposits", token="operator", key="k2",
                           json={"amount": 100, "currency": "GBP"}), 403, "FORBIDDEN")
    assert_error(book.post("/v1/markets/201/status", token="channel", json={"status": "suspended"}),
                 403, "FORBIDDEN")
    assert_error(book.post("/v1/markets/201/stake-cap", token="channel", json={"cap": 1}), 403, "FORBIDDEN")
    assert_error(book.get("/v1/admin/state", token="channel"), 403, "FORBIDDEN")
    assert snapshot(book) == before


def test_malformed_body_is_400(book):
    before = snapshot(book)
    for data in ["not json", "[1,2]", '{"account": "alice",', "", "null"]:
        r = book.post("/v1/bets", data=data, key="k-mal", headers={"Content-Type": "application/json"})
        assert_error(r, 400, "MALFORMED_REQUEST")
    assert snapshot(book) == before


def test_missing_idempotency_key_is_400(book):
    r = book.post("/v1/bets", json={"account": "alice", "selection_id": 2011, "stake": 100,
                                    "currency": "GBP", "odds": "1.5"})
    assert_error(r, 400, "IDEMPOTENCY_KEY_MISSING")


@pytest.mark.parametrize("body,field", [
    ({"selection_id": 2011, "stake": 100, "currency": "GBP", "odds": "1.5"}, "account"),
    ({"account": "alice", "stake": 100, "currency": "GBP", "odds": "1.5"}, "selection_id"),
    ({"account": "alice", "selection_id": 2011, "currency": "GBP", "odds": "1.5"}, "stake"),
    ({"account": "alice", "selection_id": 2011, "stake": 0, "currency": "GBP", "odds": "1.5"}, "stake"),
    ({"account": "alice", "selection_id": 2011, "stake": -5, "currency": "GBP", "odds": "1.5"}, "stake"),
    ({"account": "alice", "selection_id": 2011, "stake": 1.5, "currency": "GBP", "odds": "1.5"}, "stake"),
    ({"account": "alice", "selection_id": 2011, "stake": "100", "currency": "GBP", "odds": "1.5"}, "stake"),
    ({"account": "alice", "selection_id": 2011, "stake": 100, "currency": "gbp", "odds": "1.5"}, "currency"),
    ({"account": "alice", "selection_id": 2011, "stake": 100, "currency": "GBP", "odds": "0.9"}, "odds"),
    ({"account": "alice", "selection_id": 2011, "stake": 100, "currency": "GBP", "odds": "1.23456"}, "odds"),
    ({"account": "alice", "selection_id": 2011, "stake": 100, "currency": "GBP", "odds": "NaN"}, "odds"),
    ({"account": "alice", "selection_id": 2011, "stake": 100, "currency": "GBP", "odds": True}, "odds"),
    ({"account": "al ice", "selection_id": 2011, "stake": 100, "currency": "GBP", "odds": "1.5"}, "account"),
    ({"account": "alice", "selection_id": 2011, "stake": 100, "currency": "GBP", "odds": "1.5",
      "price_change": "sometimes"}, "price_change"),
])
def test_validation_is_422_naming_the_field(book, body, field):
    before = snapshot(book)
    r = book.post("/v1/bets", json=body, key="auto")
    assert_error(r, 422, "VALIDATION_FAILED")
    assert r.json()["error"]["message"].startswith(field)
    assert snapshot(book) == before


def test_odds_as_json_number_are_read_exactly(book):
    r = book.post("/v1/bets", key="auto", json={"account": "alice", "selection_id": 2011, "stake": 100,
                                                "currency": "GBP", "odds": 1.5})
    assert r.status_code == 201, r.text


def test_not_found_codes(book):
    before = snapshot(book)
    assert_error(book.get("/v1/markets/999"), 404, "MARKET_NOT_FOUND")
    assert_error(book.get("/v1/markets/abc"), 404, "MARKET_NOT_FOUND")
    assert_error(book.get("/v1/bets/424242"), 404, "BET_NOT_FOUND")
    assert_error(book.get("/v1/accounts/nobody"), 404, "ACCOUNT_NOT_FOUND")
    assert_error(book.get("/v1/nothing-here"), 404, "NOT_FOUND")
    assert_error(book.get("/nope", token=None), 404, "NOT_FOUND")
    assert_error(book.bet(99999), 404, "SELECTION_NOT_FOUND")
    assert_error(book.bet(2011, account="ghost"), 404, "ACCOUNT_NOT_FOUND")
    assert_error(book.post("/v1/accounts/ghost/withdrawals", json={"amount": 1, "currency": "GBP"}, key="auto"),
                 404, "ACCOUNT_NOT_FOUND")
    assert snapshot(book)[1] == before[1]


def test_method_not_allowed(book):
    assert_error(book.post("/v1/events", json={}), 405, "METHOD_NOT_ALLOWED")
    assert_error(book.get("/v1/bets"), 405, "METHOD_NOT_ALLOWED")


def test_suspended_and_closed_markets_are_409(book):
    r = book.post("/v1/markets/201/status", token="operator", json={"status": "suspended", "reason": "VAR check"})
    assert r.status_code == 200 and r.json()["status"] == "suspended"
    before = snapshot(book)
    r = book.bet(2011)
    assert_error(r, 409, "MARKET_SUSPENDED")
    assert "VAR check" in r.json()["error"]["message"]
    assert snapshot(book)[1] == before[1]
    book.post("/v1/markets/201/status", token="operator", json={"status": "closed"})
    assert_error(book.bet(2011), 409, "MARKET_CLOSED")
    book.post("/v1/markets/201/status", token="operator", json={"status": "open"})
    assert book.bet(2011, odds="1.5").status_code == 201


def test_price_changed_is_409(book):
    before = snapshot(book)
    assert_error(book.bet(2011, odds="1.6"), 409, "PRICE_CHANGED")
    assert snapshot(book)[1] == before[1]


def test_insufficient_funds_is_402(book):
    before = book.get("/v1/accounts/bob").json()
    assert_error(book.bet(2011, stake=6000, account="bob", odds="1.5"), 402, "INSUFFICIENT_FUNDS")
    assert_error(book.post("/v1/accounts/bob/withdrawals", json={"amount": 999999, "currency": "GBP"}, key="auto"),
                 402, "INSUFFICIENT_FUNDS")
    assert book.get("/v1/accounts/bob").json() == before


def test_currency_mismatch_is_422(book):
    assert_error(book.bet(2011, currency="EUR"), 422, "CURRENCY_MISMATCH")
    assert_error(book.post("/v1/accounts/alice/deposits", json={"amount": 10, "currency": "USD"}, key="auto"),
                 422, "CURRENCY_MISMATCH")


def test_stake_limits_and_caps_are_409(book):
    assert_error(book.bet(2011, stake=100001), 409, "STAKE_ABOVE_MAX")
    r = book.post("/v1/markets/201/stake-cap", token="operator", json={"cap": 500})
    assert r.status_code == 200 and r.json()["stake_cap"] == 500
    assert_error(book.bet(2011, stake=501), 409, "STAKE_CAP_EXCEEDED")
    assert book.bet(2011, stake=500, odds="1.5").status_code == 201
    book.post("/v1/markets/201/stake-cap", token="operator", json={"cap": 0})
    # Per account per market: 200000 minor units in this book.
    book.post("/v1/accounts/alice/deposits", json={"amount": 1000000, "currency": "GBP"}, key="auto")
    assert book.bet(2012, stake=100000, odds="4.2").status_code == 201
    assert book.bet(2012, stake=99500, odds="4.2").status_code == 201
    assert_error(book.bet(2013, stake=1000, odds="6.5"), 409, "USER_MARKET_LIMIT")


def test_liability_limit_is_409(make_book):
    b = make_book(extra_book="").start()
    b.open_account("whale")
    b.post("/v1/accounts/whale/deposits", json={"amount": 10**11, "currency": "GBP"}, key="auto")
    # Market liability limit is 50,000,000: many accounts each below their own limit.
    accepted = 0
    code = None
    for i in range(400):
        acct = f"w{i}"
        b.open_account(acct)
        b.post(f"/v1/accounts/{acct}/deposits", json={"amount": 200000, "currency": "GBP"}, key="auto")
        r = b.bet(2013, stake=100000, odds="6.5", account=acct)
        if r.status_code != 201:
            code = r.json()["error"]["code"]
            break
        accepted += 1
    assert code == "LIABILITY_LIMIT"
    assert accepted * 100000 * 5.5 <= 50000000 + 100000 * 5.5
    assert b.get("/v1/markets/201", token="operator").json()["liability"] <= 50000000


def test_body_too_large_is_413(book):
    big = json.dumps({"account": "alice", "pad": "x" * 100000})
    r = book.post("/v1/bets", data=big, key="auto", headers={"Content-Type": "application/json"})
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")


def test_idempotency_key_validation(book):
    r = book.post("/v1/bets", key="x" * 129, json={"account": "alice", "selection_id": 2011, "stake": 100,
                                                    "currency": "GBP", "odds": "1.5"})
    assert_error(r, 422, "VALIDATION_FAILED")
