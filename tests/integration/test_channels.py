"""Accounts belong to a channel (SEC-1, issue 16 item 1), against the real binary.

One book with two channels: "web" (two tokens, `web` and `web-2`, sharing the
channel) and "app" (one token), and an operator. The seeded accounts (alice,
bob) are web's. Channel app tries every route of docs/openapi.yaml that takes
an account or a bet id against web's objects and must get exactly what it
gets for an id that does not exist — the same status and the same bytes — with
nothing changed in the book. The route table below is driven from the OpenAPI
file: a route there that the table does not classify fails the test, so a new
route must say here how channels are kept apart on it.

Also: a deposit to an account nobody opened is 404 and changes nothing;
liability is operator-only; a kill -9 and restart keep the owners (journal
replay).
"""
import re

import pytest
import yaml

from conftest import BookProcess, OPERATOR_TOKEN, CHANNEL_TOKEN, sha
from test_fuzz_api import SPEC

WEB2_TOKEN = "test-web2-token-0123456789abcdef0123"
APP_TOKEN = "test-app-token-0123456789abcdef01234"

# How each route of the OpenAPI file keeps channels apart.
#   account   an account id in the path: another channel's is ACCOUNT_NOT_FOUND
#   bet       a bet id in the path: another channel's is BET_NOT_FOUND
#   payment   a payment id in the path: another channel's is PAYMENT_NOT_FOUND
#   body      an account id in the body (POST /v1/bets): as `account`
#   open      opening an account: another channel's id is ACCOUNT_EXISTS,
#             which tells nothing about the account
#   catalogue no account or bet: the same for every channel, without liability
#   operator  not a channel's at all: 403 (404 where the route is only
#             registered in a simulated world)
#   support   customer contacts from chat and the CRM (support or operator
#             tokens): a channel's is 403, as on operator routes
#   public    probes, metrics and the status page: no token, nothing of any account
ROUTES = {
    ("GET", "/healthz"): "public",
    ("GET", "/readyz"): "public",
    ("GET", "/metrics"): "public",
    ("GET", "/v1/events"): "catalogue",
    ("POST", "/v1/events/{id}/state"): "operator",
    ("GET", "/v1/markets/{id}"): "catalogue",
    ("POST", "/v1/markets/{id}/status"): "operator",
    ("POST", "/v1/markets/{id}/stake-cap"): "operator",
    ("POST", "/v1/markets/{id}/cashout"): "operator",
    ("PUT", "/v1/selections/{id}/price"): "operator",
    ("POST", "/v1/bets"): "body",
    ("GET", "/v1/bets/{id}"): "bet",
    ("GET", "/v1/bets/{id}/cashout"): "bet",
    ("POST", "/v1/bets/{id}/cashout"): "bet",
    ("POST", "/v1/accounts"): "open",
    ("GET", "/v1/accounts/{id}"): "account",
    ("POST", "/v1/accounts/{id}/deposits"): "account",
    ("POST", "/v1/accounts/{id}/withdrawals"): "account",
    ("POST", "/v1/clock/advance"): "operator",
    ("GET", "/v1/feeds"): "operator",
    ("POST", "/v1/feeds/{sport}/switch"): "operator",
    ("POST", "/v1/sim/feeds/{name}/faults"): "operator",
    ("POST", "/v1/admin/faults/engine-stall"): "operator",
    ("GET", "/v1/admin/state"): "operator",
    ("GET", "/v1/traces"): "operator",
    ("GET", "/v1/traces/breakdown"): "operator",
    ("GET", "/v1/traces/{trace_id}"): "operator",
    ("GET", "/v1/slos"): "operator",
    ("GET", "/v1/alerts"): "operator",
    ("POST", "/v1/alerts/webhook"): "operator",
    ("GET", "/v1/incidents"): "operator",
    ("GET", "/v1/incidents/{id}"): "operator",
    ("GET", "/v1/incidents/{id}/postmortem"): "operator",
    ("POST", "/v1/incidents/{id}/actions/{action_id}/approve"): "operator",
    ("POST", "/v1/incidents/{id}/actions/{action_id}/revert"): "operator",
    ("GET", "/v1/actions"): "operator",
    ("POST", "/v1/actions"): "operator",
    ("POST", "/v1/actions/{action_id}/revert"): "operator",
    ("GET", "/v1/settlement"): "operator",
    ("GET", "/v1/settlement/dlq"): "operator",
    ("POST", "/v1/settlement/dlq/{id}/replay"): "operator",
    ("POST", "/v1/settlement/dlq/{id}/discard"): "operator",
    ("POST", "/v1/settlement/resettle"): "operator",
    ("GET", "/v1/deploy-guard"): "operator",
    ("GET", "/v1/warroom/snapshot"): "operator",
    ("GET", "/v1/warroom/stream"): "operator",
    ("GET", "/v1/hedges"): "operator",
    ("GET", "/v1/payments"): "operator",
    ("GET", "/v1/payments/{id}"): "payment",
    ("POST", "/v1/payments/reconcile"): "operator",
    ("GET", "/v1/payments/reconciliation"): "operator",
    ("POST", "/v1/payments/reconciliation/run"): "operator",
    ("POST", "/v1/support/events"): "support",
    ("GET", "/v1/support"): "support",
    ("GET", "/v1/status"): "public",
    ("POST", "/v1/incidents/{id}/status-note"): "operator",
    ("DELETE", "/v1/incidents/{id}/status-note"): "operator",
    ("GET", "/v1/kyc/reviews"): "operator",
    ("POST", "/v1/kyc/reviews/{id}"): "operator",
    ("GET", "/v1/kyc/screenings/{id}"): "operator",
    ("POST", "/v1/kyc/vendor"): "operator",
    ("POST", "/v1/kyc/rules/withdrawal"): "operator",
}
# Registered only when the book runs a simulated world: 404 NOT_FOUND here.
SIM_ONLY = {"/v1/sim/feeds/{name}/faults", "/v1/admin/faults/engine-stall"}

MONEY = {"amount": 100, "currency": "GBP"}


def openapi_routes():
    spec = yaml.safe_load(open(SPEC))
    return {(m.upper(), p) for p, item in spec["paths"].items()
            for m in item if m in ("get", "post", "put", "patch", "delete")}


def two_channel_config(text):
    """The conftest config with web's second token and channel app's token."""
    extra = (f"    - {{name: web-2, channel: web, role: channel, sha256: {sha(WEB2_TOKEN)}}}\n"
             f"    - {{name: app, role: channel, sha256: {sha(APP_TOKEN)}}}\n")
    anchor = f"    - {{name: web, role: channel, sha256: {sha(CHANNEL_TOKEN)}}}\n"
    assert anchor in text
    return text.replace(anchor, anchor + extra)


@pytest.fixture
def two_channels(tmp_path):
    b = BookProcess(tmp_path)
    b.config_path.write_text(two_channel_config(b.config_path.read_text()))
    b.start()
    yield b
    b.stop()


def book_state(b):
    """What must not move when a channel is refused: the state hash (balances,
    owners, bets), the ledger's sum and web's accounts as web sees them."""
    s = b.state()
    return (s["state_hash"], s["ledger_sum"], s["bets"],
            b.get("/v1/accounts/alice").text, b.get("/v1/accounts/bob").text)


def fill(path, **ids):
    return re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)


def call(b, method, path, token, body=None, key=None):
    if method == "GET":
        return b.get(path, token=token)
    return b.post(path, json=body, token=token, key=key, method=method)


def test_every_route_in_the_openapi_file_is_classified():
    spec, table = openapi_routes(), set(ROUTES)
    assert not spec - table, f"routes without a channel rule in test_channels.ROUTES: {sorted(spec - table)}"
    assert not table - spec, f"routes in test_channels.ROUTES but not in the OpenAPI file: {sorted(table - spec)}"


def test_another_channel_cannot_see_or_touch_accounts_or_bets_on_any_route(two_channels):
    b = two_channels
    # web's bet, on a pre-match market (no in-play delay).
    r = b.bet(2011, stake=1000, odds="1.5", account="alice", policy="any")
    assert r.status_code == 201, r.text
    bet_id = r.json()["bet_id"]
    # web's payment (a deposit through a PSP route).
    r = b.post("/v1/accounts/alice/deposits", json=MONEY, key="auto")
    assert r.status_code == 201, r.text
    payment_id = r.json()["payment_id"]
    before = book_state(b)

    checked = set()
    for (method, path), kind in sorted(ROUTES.items()):
        key = "auto" if method == "POST" else None
        if kind == "account":
            body = MONEY if method == "POST" else None
            theirs = call(b, method, fill(path, id="alice"), APP_TOKEN, body, key)
            nobody = call(b, method, fill(path, id="nobody-at-all"), APP_TOKEN, body, key)
            assert theirs.status_code == 404, (method, path, theirs.text)
            assert theirs.json()["error"]["code"] == "ACCOUNT_NOT_FOUND", (method, path, theirs.text)
            assert theirs.text == nobody.text, (method, path)
        elif kind == "bet":
            body = {"quote_id": "1", "amount": 1} if method == "POST" else None
            theirs = call(b, method, fill(path, id=bet_id), APP_TOKEN, body, key)
            nobody = call(b, method, fill(path, id=987654321), APP_TOKEN, body, key)
            assert theirs.status_code == 404, (method, path, theirs.text)
            assert theirs.json()["error"]["code"] == "BET_NOT_FOUND", (method, path, theirs.text)
            assert theirs.text == nobody.text, (method, path)
            assert "alice" not in theirs.text
        elif kind == "payment":
            theirs = call(b, method, fill(path, id=payment_id), APP_TOKEN)
            nobody = call(b, method, fill(path, id=987654321), APP_TOKEN)
            assert theirs.status_code == 404, (method, path, theirs.text)
            assert theirs.json()["error"]["code"] == "PAYMENT_NOT_FOUND", (method, path, theirs.text)
            assert theirs.text == nobody.text, (method, path)
            assert "alice" not in theirs.text
            assert call(b, method, fill(path, id=payment_id), "channel").json()["account"] == "alice"
        elif kind == "body":
            bet = {"selection_id": 2011, "stake": 100, "currency": "GBP", "odds": "1.5", "price_change": "any"}
            theirs = call(b, method, path, APP_TOKEN, dict(bet, account="alice"), key)
            nobody = call(b, method, path, APP_TOKEN, dict(bet, account="nobody-at-all"), key)
            assert theirs.status_code == 404, theirs.text
            assert theirs.json()["error"]["code"] == "ACCOUNT_NOT_FOUND"
            assert theirs.text == nobody.text
        elif kind == "open":
            alice = call(b, method, path, APP_TOKEN, {"account": "alice"})
            bob = call(b, method, path, APP_TOKEN, {"account": "bob"})
            assert alice.status_code == 409, alice.text
            assert alice.json()["error"]["code"] == "ACCOUNT_EXISTS"
            # Nothing of the account or its owner in the answer.
            assert alice.text == bob.text
            assert "web" not in alice.text and "alice" not in alice.text
        elif kind == "catalogue":
            theirs = call(b, method, fill(path, id=201), APP_TOKEN)
            assert theirs.status_code == 200, theirs.text
            assert "liability" not in theirs.text, path
            assert "liability" in call(b, method, fill(path, id=201), "operator").text, path
        elif kind in ("operator", "support"):
            body = {} if method in ("POST", "PUT") else None
            r = call(b, method, fill(path, trace_id="0af7651916cd43dd8448eb211c80319c"), APP_TOKEN, body, key)
            if path in SIM_ONLY:
                assert r.status_code in (403, 404), (method, path, r.status_code)
            else:
                assert r.status_code == 403, (method, path, r.status_code, r.text)
                assert r.json()["error"]["code"] == "FORBIDDEN"
        elif kind == "public":
            assert call(b, method, path, None).status_code in (200, 503), path
        else:
            pytest.fail(f"unknown kind {kind} for {method} {path}")
        checked.add((method, path))
    assert checked == set(ROUTES)

    assert book_state(b) == before, "a refused channel changed the book"

    # The owning channel, through either of its tokens, still sees and moves
    # them; operators read them.
    for token in ("channel", WEB2_TOKEN, "operator"):
        got = b.get(f"/v1/bets/{bet_id}", token=token)
        assert got.status_code == 200 and got.json()["account"] == "alice", (token, got.text)
        acct = b.get("/v1/accounts/alice", token=token)
        assert acct.status_code == 200 and acct.json()["channel"] == "web", (token, acct.text)
    r = b.post("/v1/accounts/alice/deposits", json=MONEY, token=WEB2_TOKEN, key="auto")
    assert r.status_code == 201, r.text


def test_a_channel_opens_its_own_accounts(two_channels):
    b = two_channels
    r = b.post("/v1/accounts", json={"account": "carol"}, token=APP_TOKEN)
    assert r.status_code == 201, r.text
    assert r.json() == {"account": "carol", "currency": "GBP", "balance": 0, "reserved": 0, "channel": "app"}
    again = b.post("/v1/accounts", json={"account": "carol"}, token=APP_TOKEN)
    assert again.status_code == 200 and again.json() == r.json()
    # The book names one when asked to.
    named = b.post("/v1/accounts", json={}, token=APP_TOKEN)
    assert named.status_code == 201, named.text
    assert re.fullmatch(r"acct-[A-Za-z0-9]{24}", named.json()["account"]), named.text
    # web cannot see app's accounts; app funds and bets from its own.
    assert b.get("/v1/accounts/carol").status_code == 404
    assert b.post("/v1/accounts/carol/deposits", json=MONEY, token=APP_TOKEN, key="auto").status_code == 201
    assert b.get("/v1/accounts/carol", token=APP_TOKEN).json()["balance"] == 100
    # A channel may not open a synthetic account.
    r = b.post("/v1/accounts", json={"account": "synthetic-x"}, token=APP_TOKEN)
    assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_FAILED", r.text


def test_a_deposit_to_an_account_nobody_opened_is_refused_and_changes_nothing(two_channels):
    b = two_channels
    before = book_state(b)
    r = b.post("/v1/accounts/zed/deposits", json={"amount": 5000, "currency": "GBP"}, key="auto")
    assert r.status_code == 404, r.text
    assert r.json() == {"error": {"code": "ACCOUNT_NOT_FOUND", "message": "unknown account"}}
    assert book_state(b) == before
    assert b.get("/v1/accounts/zed", token="operator").status_code == 404


def test_owners_survive_kill9_and_restart(two_channels):
    b = two_channels
    assert b.post("/v1/accounts", json={"account": "carol"}, token=APP_TOKEN).status_code == 201
    assert b.post("/v1/accounts/carol/deposits", json={"amount": 5000, "currency": "GBP"}, token=APP_TOKEN,
                  key="auto").status_code == 201
    r = b.bet(2011, stake=1000, odds="1.5", account="alice", policy="any")
    assert r.status_code == 201, r.text
    bet_id = r.json()["bet_id"]
    before = book_state(b)

    b.kill9()
    b.start()

    assert book_state(b) == before
    assert b.get("/v1/accounts/carol", token=APP_TOKEN).json()["channel"] == "app"
    assert b.get("/v1/accounts/carol").status_code == 404
    assert b.get("/v1/accounts/alice", token=APP_TOKEN).status_code == 404
    assert b.get(f"/v1/bets/{bet_id}", token=APP_TOKEN).status_code == 404
    assert b.get(f"/v1/bets/{bet_id}").status_code == 200
    assert b.post("/v1/accounts", json={"account": "carol"}).status_code == 409
    assert b.post("/v1/accounts", json={"account": "carol"}, token=APP_TOKEN).status_code == 200
