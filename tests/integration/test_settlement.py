"""Results in, money out (SET-1..6) through the real binary.

The book's football feed is a provider the test controls (fake_provider.py,
the feed protocol over TCP on loopback); it prices event 2 (Liverpool v
Everton: 201 match result, 202 total goals 2.5, 203 both teams to score) and
sends crafted results: a result pays every bet once, a duplicate changes
nothing, a later different result corrects, an earlier one is stale, a
rollback gives back exactly what was paid, a cancel voids a time range,
results that cannot be settled go to the dead-letter queue and can be
replayed or discarded, and a kill -9 around a result never pays twice.
Every money check is exact, in minor units, computed here independently
(floor(stake x odds) for a winner, 0 for a loser, the stake for a void).
"""
import calendar
import json
import sqlite3
import time

import pytest

from conftest import SIM_START, BookProcess, metric, wait_for
from fake_provider import FakeProvider

START_MS = calendar.timegm(time.strptime(SIM_START, "%Y-%m-%dT%H:%M:%SZ")) * 1000
DEPOSIT = {"alice": 100000, "bob": 5000}
FAIR = {201: [(2011, "1.60"), (2012, "4.00"), (2013, "6.00")],
        202: [(2021, "1.90"), (2022, "1.95")],
        203: [(2031, "1.75"), (2032, "2.05")]}


def result(*markets, certainty="confirmed", score=None):
    body = {"certainty": certainty, "markets": [
        {"market_id": mid, "outcomes": [{"selection_id": s, "result": "won" if s in winners else "lost"}
                                        for s, _ in FAIR[mid]]} for mid, winners in markets]}
    if score is not None:
        body["score"] = {"home": score[0], "away": score[1]}
    return body


def payout(stake, odds):
    """floor(stake x odds) in exact decimal arithmetic (odds have at most 4 decimals)."""
    return stake * round(float(odds) * 10000) // 10000


class World:
    def __init__(self, tmp_path, provider, extra_book="", extra_top=""):
        self.p = provider
        feeds = "feeds:\n" + provider.feed_config()
        self.b = BookProcess(tmp_path, extra_top=feeds + extra_top, extra_book=extra_book)
        self.now_ms = START_MS
        provider.now_ms = self.now_ms
        for mid, sels in FAIR.items():
            provider.price(2, mid, sels)
        # The world's other markets: priced too, so the feed owns every market.
        provider.price(1, 101, [(1011, "2.10"), (1012, "3.40"), (1013, "3.60")])
        provider.price(3, 301, [(3011, "1.90"), (3012, "3.30"), (3013, "4.00")], league="Championship")
        self.b.start()
        self.wait_open()
        self.bets = []  # (bet json)

    def wait_open(self):
        wait_for(lambda: all(self.b.get(f"/v1/markets/{m}").json()["bettable"] for m in FAIR), timeout=15)

    def advance(self, ms):
        self.now_ms = self.b.advance(ms)["now_ms"]
        self.p.now_ms = self.now_ms
        for mid in FAIR:  # keep the prices fresh on the book's clock
            self.p.odds(mid)
        wait_for(lambda: all((lambda x: x["bettable"] or x["status"] == "settled")(self.b.get(f"/v1/markets/{m}").json())
                             for m in FAIR))

    def bet(self, account, selection, stake):
        r = self.b.bet(selection, stake=stake, odds="1.01", account=account, policy="any")
        assert r.status_code == 201, r.text
        self.bets.append(r.json())
        return r.json()

    def send(self, type_, ts_offset_ms=1000, **body):
        return self.p.send(type_, 2, ts=self.now_ms + ts_offset_ms, **body)

    def bet_now(self, bet_id):
        return self.b.get(f"/v1/bets/{bet_id}").json()

    def balance(self, account):
        return self.b.get(f"/v1/accounts/{account}").json()

    def settled_all(self, market_ids):
        return all(self.bet_now(x["bet_id"])["status"] != "accepted"
                   for x in self.bets if x["market_id"] in market_ids)

    def expected_balances(self, returns):
        """returns: bet_id -> minor units paid back (None: still open)."""
        out = {}
        for a, d in DEPOSIT.items():
            free, reserved = d, 0
            for x in self.bets:
                if x["account"] != a:
                    continue
                free -= x["stake"]
                back = returns.get(x["bet_id"])
                if back is None:
                    reserved += x["stake"]
                else:
                    free += back
            out[a] = (free, reserved)
        return out

    def check_balances(self, returns):
        for a, (free, reserved) in self.expected_balances(returns).items():
            acct = self.balance(a)
            assert (acct["balance"], acct["reserved"]) == (free, reserved), (a, acct)
        assert self.b.state()["ledger_sum"] == 0


@pytest.fixture
def world(tmp_path):
    p = FakeProvider()
    w = World(tmp_path, p)
    yield w
    w.b.stop()
    p.close()


def place_the_card(w):
    a1 = w.bet("alice", 2011, 1000)   # home
    a2 = w.bet("alice", 2021, 2500)   # over 2.5
    b1 = w.bet("bob", 2012, 777)      # draw
    b2 = w.bet("bob", 2031, 1234)     # btts yes
    b3 = w.bet("bob", 2013, 500)      # away
    return a1, a2, b1, b2, b3


def test_a_confirmed_result_pays_every_bet_once_and_a_duplicate_changes_nothing(world):
    w = world
    a1, a2, b1, b2, b3 = place_the_card(w)
    w.check_balances({})
    # 2-1: home won, over won, both scored.
    body = result((201, {2011}), (202, {2021}), (203, {2031}), score=(2, 1))
    w.send("bet_settlement", **body)
    wait_for(lambda: w.settled_all({201, 202, 203}))
    want = {a1["bet_id"]: payout(1000, a1["odds"]), a2["bet_id"]: payout(2500, a2["odds"]),
            b1["bet_id"]: 0, b2["bet_id"]: payout(1234, b2["odds"]), b3["bet_id"]: 0}
    for x in (a1, a2, b1, b2, b3):
        now = w.bet_now(x["bet_id"])
        assert now["status"] == "settled" and now["return"] == want[x["bet_id"]], now
        assert now["outcome"] == ("win" if want[x["bet_id"]] else "lose") and now["result_version"] == 1
        assert now["settled_at"] is not None
    w.check_balances(want)
    m = w.b.get("/v1/markets/201").json()
    assert m["status"] == "settled" and m["result"]["version"] == 1 and m["result"]["certainty"] == "confirmed"
    assert m["result"]["score"] == {"home": 2, "away": 1}
    assert {o["selection_id"]: o["outcome"] for o in m["result"]["outcomes"]} == {2011: "win", 2012: "lose", 2013: "lose"}
    # The shadow check agreed on every market; nothing dead-lettered.
    st = w.b.get("/v1/settlement", token="operator").json()
    assert st["shadow_checks"]["match"] == 3 and st["shadow_checks"]["mismatch"] == 0, st
    assert st["dlq_depth"] == 0 and st["results"] == 3 and st["open_bets"] == 0, st

    # The same result again (a re-send, a recovery) changes nothing.
    before = w.b.state()["state_hash"]
    w.send("bet_settlement", **body)
    wait_for(lambda: 'settlement_results_total{kind="settlement",verdict="duplicate"} 3' in w.b.metrics())
    assert w.b.state()["state_hash"] == before
    w.check_balances(want)

    # A settled market takes no price, no status change, no bet.
    r = w.b.put("/v1/selections/2011/price", json={"odds": "2.00"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "MARKET_SETTLED", r.text
    r = w.b.post("/v1/markets/201/status", json={"status": "open", "reason": "x"}, token="operator")
    assert r.status_code == 409 and r.json()["error"]["code"] == "MARKET_SETTLED", r.text
    r = w.b.bet(2011, stake=100, odds="1.01", policy="any")
    assert r.status_code == 409, r.text

    # Metrics: results by verdict, postings by kind, payouts, lag.
    text = w.b.metrics()
    assert metric(text, 'settlement_results_total{kind="settlement",verdict="settled"}') == 3
    assert metric(text, 'settlement_postings_total{kind="pay"}') == 5
    assert metric(text, 'settlement_payouts_minor_total{market_type="match_result"}') == want[a1["bet_id"]]
    assert metric(text, "settlement_lag_seconds_count") == 3

    # The settlement SLOs are fed for real (the loop samples once a second of book time).
    w.advance(2000)
    slos = {s["name"]: s for s in w.b.get("/v1/slos", token="operator").json()["slos"]}
    for name in ("settlement_lag", "settlement_correctness"):
        assert slos[name]["wired"] and slos[name]["has_data"] and slos[name]["sli"] == 1, slos[name]
    # Three markets settled; six results checked (the duplicate was checked again).
    assert slos["settlement_lag"]["valid_events"] == 3 and slos["settlement_correctness"]["valid_events"] == 6

    # Audited from the journal: the result and its postings, no raw account id.
    audit_path = w.b.dir / "data" / "audit.jsonl"

    def audited():
        if not audit_path.exists():
            return None
        lines = [json.loads(x) for x in audit_path.read_text().splitlines()]
        return lines if any(x["action"] == "bets_posted" for x in lines) else None

    lines = wait_for(audited)
    settled = [x for x in lines if x["action"] == "market_settled"]
    assert sorted(x["market_id"] for x in settled) == [201, 202, 203], settled
    posted = [x for x in lines if x["action"] == "bets_posted"]
    assert sum(x["bets"] for x in posted) == 5 and sum(x["amount"] for x in posted) == sum(want.values())
    assert "alice" not in audit_path.read_text() and "bob" not in audit_path.read_text()

    # The SQLite read model: each bet's status and posting, ledger legs summing to zero,
    # every account's legs adding up to its balance.
    db_path = w.b.dir / "data" / "book.sqlite"

    def projected():
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            n = con.execute("SELECT COUNT(*) FROM settlements").fetchone()[0]
            if n < 5:
                return None
            return (dict(con.execute("SELECT bet_id, status FROM bets")),
                    dict(con.execute("SELECT bet_id, amount_minor FROM settlements WHERE kind = 'pay'")),
                    con.execute("SELECT SUM(amount_minor) FROM ledger_entries").fetchone()[0],
                    dict(con.execute("SELECT account, SUM(amount_minor) FROM ledger_entries GROUP BY account")))
        finally:
            con.close()

    statuses, pays, total, by_account = wait_for(projected)
    assert set(statuses.values()) == {"settled"} and total == 0
    assert {str(k): v for k, v in pays.items()} == want
    for a, (free, reserved) in w.expected_balances(want).items():
        assert (by_account[a], by_account.get(a + "/reserved", 0)) == (free, reserved), a

    # A bet's settlement is a span in the bet's own trace.
    t = w.b.get(f"/v1/traces/{a1['trace_id']}", token="operator").json()
    assert any(s["name"] == "settle.bet" for s in t["spans"]), [s["name"] for s in t["spans"]]

    # The money survives a restart and a kill -9. A kill -9 leaves the journal
    # as it was: the replay gives the very state hash. (A graceful stop adds
    # its own records — the feed going down suspends its markets — so across
    # it the bets, results and balances are compared.)
    views = [w.bet_now(x["bet_id"]) for x in w.bets]
    results = {m: w.b.get(f"/v1/markets/{m}").json()["result"] for m in FAIR}
    w.b.restart()
    assert [w.bet_now(x["bet_id"]) for x in w.bets] == views
    assert {m: w.b.get(f"/v1/markets/{m}").json()["result"] for m in FAIR} == results
    w.check_balances(want)
    before = w.b.quiet_state()["state_hash"]
    w.b.kill9()
    w.b.start()
    assert replayed_hash(w.b) == before
    assert [w.bet_now(x["bet_id"]) for x in w.bets] == views
    w.check_balances(want)


def replayed_hash(b):
    """The state hash the last start logged after replaying the journal."""
    lines = [json.loads(line) for line in b.stderr_path.read_text().splitlines()
             if '"journal replayed"' in line]
    return lines[-1]["state_hash"]


def test_a_later_result_corrects_an_earlier_one_is_stale_and_a_rollback_gives_back_exactly(world):
    w = world
    a1, a2, b1, b2, b3 = place_the_card(w)
    w.send("bet_settlement", ts_offset_ms=1000, **result((201, {2011})))
    wait_for(lambda: w.settled_all({201}))
    paid_home = {a1["bet_id"]: payout(1000, a1["odds"]), b1["bet_id"]: 0, b3["bet_id"]: 0}
    w.check_balances(paid_home)

    # Stamped later and different: a correction (VAR gave the away goal).
    w.send("bet_settlement", ts_offset_ms=5000, **result((201, {2013})))
    wait_for(lambda: w.bet_now(b3["bet_id"])["result_version"] == 2)
    paid_away = {a1["bet_id"]: 0, b1["bet_id"]: 0, b3["bet_id"]: payout(500, b3["odds"])}
    w.check_balances(paid_away)
    assert w.bet_now(a1["bet_id"])["outcome"] == "lose"

    # The first result again, stamped before the correction: stale, ignored.
    hash_before = w.b.state()["state_hash"]
    w.send("bet_settlement", ts_offset_ms=1000, **result((201, {2011})))
    wait_for(lambda: 'verdict="stale"} 1' in w.b.metrics())
    assert w.b.state()["state_hash"] == hash_before

    # A rollback: every bet open again, every balance as after placement.
    w.send("rollback_bet_settlement", ts_offset_ms=6000, market_ids=[201])
    wait_for(lambda: w.bet_now(b3["bet_id"])["status"] == "accepted")
    w.check_balances({})
    m = w.b.get("/v1/markets/201").json()
    assert m["status"] == "closed" and m["result"] is None
    text = w.b.metrics()
    assert metric(text, 'settlement_postings_total{kind="reverse"}') >= 4


def test_a_live_result_waits_for_the_confirmed_one_under_pay_on_confirmed(world):
    w = world
    a1, a2, b1, b2, b3 = place_the_card(w)
    w.send("bet_settlement", ts_offset_ms=1000, **result((202, {2022}), certainty="live"))
    wait_for(lambda: 'verdict="held"} 1' in w.b.metrics())
    assert w.bet_now(a2["bet_id"])["status"] == "accepted"
    w.check_balances({})
    w.send("bet_settlement", ts_offset_ms=2000, **result((202, {2022}), certainty="confirmed"))
    wait_for(lambda: w.bet_now(a2["bet_id"])["status"] == "settled")
    w.check_balances({a2["bet_id"]: 0})


def test_a_cancel_voids_its_time_range_and_its_rollback_restores_the_bets(world):
    w = world
    early = w.bet("alice", 2011, 1000)
    w.advance(60_000)
    t_from = w.now_ms
    inside = w.bet("bob", 2011, 800)
    w.advance(60_000)
    t_to = w.now_ms
    late = w.bet("alice", 2012, 300)
    w.send("bet_settlement", **result((201, {2011})))
    wait_for(lambda: w.settled_all({201}))
    # The goal at [t_from, t_to) was missed: bets placed then are void, paid or not.
    w.send("bet_cancel", ts_offset_ms=2000, market_ids=[201], start_time=t_from, end_time=t_to,
           reason="goal missed by the feed")
    wait_for(lambda: w.bet_now(inside["bet_id"])["status"] == "cancelled")
    v = w.bet_now(inside["bet_id"])
    assert v["outcome"] == "void" and v["return"] == 800
    assert w.bet_now(early["bet_id"])["status"] == "settled"
    paid = {early["bet_id"]: payout(1000, early["odds"]), inside["bet_id"]: 800, late["bet_id"]: 0}
    w.check_balances(paid)
    # Withdrawn: the bet is settled under the result again.
    w.send("rollback_bet_cancel", ts_offset_ms=3000, market_ids=[201], start_time=t_from, end_time=t_to)
    wait_for(lambda: w.bet_now(inside["bet_id"])["status"] == "settled")
    paid[inside["bet_id"]] = payout(800, inside["odds"])
    w.check_balances(paid)


def test_results_that_cannot_be_settled_go_to_the_dead_letter_queue(world):
    w = world
    a1, a2, b1, b2, b3 = place_the_card(w)
    # Unknown market; a market with a selection left out; a score the result disagrees with;
    # a rollback of a result the book has not got.
    w.send("bet_settlement", **{"certainty": "confirmed", "markets": [
        {"market_id": 999, "outcomes": [{"selection_id": 9991, "result": "won"}]}]})
    w.send("bet_settlement", **{"certainty": "confirmed", "markets": [
        {"market_id": 202, "outcomes": [{"selection_id": 2021, "result": "won"}]}]})
    w.send("bet_settlement", **result((203, {2032}), score=(1, 1)))  # both scored, yet "no" won
    rollback = w.send("rollback_bet_settlement", market_ids=[201])
    dlq = wait_for(lambda: (lambda d: d if len(d["dead_letters"]) == 4 else None)(
        w.b.get("/v1/settlement/dlq", token="operator").json()))
    reasons = sorted(d["reason"] for d in dlq["dead_letters"])
    assert reasons == ["incomplete_result", "nothing_to_roll_back", "shadow_mismatch", "unknown_market"], dlq
    # Nothing moved: every bet open, every balance as placed.
    w.check_balances({})
    assert metric(w.b.metrics(), "settlement_dlq_depth") == 4
    # The shadow mismatch pages; the correctness SLI counts it bad.
    w.advance(2000)
    alerts = wait_for(lambda: (lambda a: a if "settlement_mismatch" in {x["name"] for x in a} else None)(
        w.b.get("/v1/alerts", token="operator").json()["alerts"]))
    mismatch = next(x for x in alerts if x["name"] == "settlement_mismatch")
    assert mismatch["labels"]["severity"] == "page" and mismatch["labels"]["service"] == "settlement", mismatch
    slo = next(s for s in w.b.get("/v1/slos", token="operator").json()["slos"] if s["name"] == "settlement_correctness")
    assert slo["has_data"] and slo["sli"] < 1, slo
    by_reason = {d["reason"]: d for d in dlq["dead_letters"]}

    # A dead letter that still fails stays; after the result it waited for, its replay applies.
    rb = by_reason["nothing_to_roll_back"]["dlq_id"]
    r = w.b.post(f"/v1/settlement/dlq/{rb}/replay", token="operator")
    assert r.status_code == 422 and "still fails" in r.json()["error"]["message"], r.text
    # The result the rollback overtook: stamped before it.
    w.p.send("bet_settlement", 2, ts=rollback["ts"] - 500, **result((201, {2011})))
    wait_for(lambda: w.settled_all({201}))
    r = w.b.post(f"/v1/settlement/dlq/{rb}/replay", token="operator")
    assert r.status_code == 200 and r.json() == {"dlq_id": rb, "verdict": "rolled_back"}, r.text
    assert w.bet_now(a1["bet_id"])["status"] == "accepted"
    w.check_balances({})

    # Discarded with a reason; an unknown id is 404; a discard needs a reason.
    um = by_reason["unknown_market"]["dlq_id"]
    r = w.b.post(f"/v1/settlement/dlq/{um}/discard", json={}, token="operator")
    assert r.status_code == 422, r.text
    r = w.b.post(f"/v1/settlement/dlq/{um}/discard", json={"reason": "not our market"}, token="operator")
    assert r.status_code == 200 and r.json() == {"dlq_id": um, "discarded": True}, r.text
    r = w.b.post(f"/v1/settlement/dlq/{um}/discard", json={"reason": "again"}, token="operator")
    assert r.status_code == 404 and r.json()["error"]["code"] == "DEAD_LETTER_NOT_FOUND"
    r = w.b.post("/v1/settlement/dlq/abc/replay", token="operator")
    assert r.status_code == 404
    # Channel tokens cannot see or act on settlement.
    assert w.b.get("/v1/settlement/dlq").status_code == 403
    dlq = w.b.get("/v1/settlement/dlq", token="operator").json()
    assert len(dlq["dead_letters"]) == 2 and dlq["resolved"] == 2
    # The queue survives a restart (it is journaled).
    w.b.restart()
    assert len(w.b.get("/v1/settlement/dlq", token="operator").json()["dead_letters"]) == 2


def test_resettle_on_a_score_reports_the_difference_per_account(world):
    w = world
    a1, a2, b1, b2, b3 = place_the_card(w)
    w.send("bet_settlement", **result((201, {2011}), score=(2, 1)))
    wait_for(lambda: w.settled_all({201}))
    # On its own result: every bet settled again, nobody's money changes.
    r = w.b.post("/v1/settlement/resettle", json={"market_id": 201, "reason": "check"}, token="operator")
    assert r.status_code == 200, r.text
    assert r.json()["difference"] == 0 and r.json()["accounts"] == [] and r.json()["to_version"] == 2
    r = w.b.post("/v1/settlement/resettle", json={"market_id": 201, "score": {"home": 2, "away": 2},
                                                  "reason": "late VAR: 2-2"}, token="operator")
    assert r.status_code == 200, r.text
    rep = r.json()
    won_home, won_draw = payout(1000, a1["odds"]), payout(777, b1["odds"])
    assert rep["from_version"] == 2 and rep["to_version"] == 3 and rep["bets"] == 3
    assert rep["returns_before"] == won_home and rep["returns_after"] == won_draw
    assert {a["account"]: a["difference"] for a in rep["accounts"]} == {"alice": -won_home, "bob": won_draw}
    w.check_balances({a1["bet_id"]: 0, b1["bet_id"]: won_draw, b3["bet_id"]: 0})
    # Audited as an operator action.
    r = w.b.post("/v1/settlement/resettle", json={"market_id": 424242, "reason": "x"}, token="operator")
    assert r.status_code == 404


def test_a_kill9_around_a_result_never_pays_twice(tmp_path):
    p = FakeProvider()
    w = World(tmp_path, p)
    try:
        sels = [2011, 2012, 2013, 2021, 2022, 2031, 2032]
        for i in range(300):
            w.bet("alice" if i % 3 else "bob", sels[i % len(sels)], 10 + (i * 37) % 40)
        w.send("bet_settlement", **result((201, {2012}), (202, {2022}), (203, {2032}), score=(0, 0)))
        asked = len(p.requests)
        w.b.kill9()   # somewhere before, during or after the postings
        w.b.start()
        # The restarted book asks for recovery on its new connection. This
        # provider's snapshot carries prices only; send the result again as a
        # provider would after a reconnect: at most a duplicate.
        wait_for(lambda: len(p.requests) > asked)
        time.sleep(0.2)  # the snapshot answer goes first
        w.send("bet_settlement", **result((201, {2012}), (202, {2022}), (203, {2032}), score=(0, 0)))
        wait_for(lambda: w.b.get("/v1/settlement", token="operator").json()["open_bets"] == 0, timeout=20)
        winners = {2012, 2022, 2032}
        want = {x["bet_id"]: (payout(x["stake"], x["odds"]) if x["selection_id"] in winners else 0) for x in w.bets}
        w.check_balances(want)
        text = w.b.metrics()
        # Each bet was paid once over both lives: the restarted process paid what
        # the first had not, and nothing twice (balances above are exact).
        assert metric(text, 'settlement_postings_total{kind="reverse"}') == 0
    finally:
        w.b.stop()
        p.close()
