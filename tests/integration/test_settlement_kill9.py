"""kill -9 during the settlement of 100,000 bets: each bet settled exactly once
(issue 14, "Done when"; SET-3, SET-6).

The book's feed is a provider the test controls (fake_provider.py). The
project's own load generator (`inplay loadgen --mode bets --market 201`)
places 100,000 bets on one market (Liverpool v Everton, match result) from
100 accounts over keep-alive connections. Then three lives end in SIGKILL:

1. a result (home won) — killed while its postings are being made (the test
   polls GET /v1/settlement until some bets are paid and some are not);
2. its rollback — killed while the payouts are being reversed;
3. a new result (a draw) — killed right after it was sent, whatever point
   the book had reached.

After each restart on the same data dir the provider re-sends what it sent
last (as a provider does after a reconnect: a duplicate at most) and the test
checks, against a recomputation of its own from the bets the SQLite projection
holds (account, stake, accepted odds, selection): every bet's status, every
account's balance and reserved stake to the minor unit, the ledger summing to
zero, and the projection's settlement rows — exactly one row per bet for each
posting kind and result version, none twice. At the end the journal verifies
clean. A settlement that paid a bet twice, or left one unpaid, fails here.
"""
import sqlite3
import subprocess
import time

from conftest import wait_for
from fake_provider import FakeProvider
from test_settlement import World, result

BETS = 100_000
ACCOUNTS = 100
DEPOSIT = 1_000_000_000  # what `inplay loadgen --mode bets` deposits per account
STAKE = 10
MARKET = 201
HOME, DRAW, AWAY = 2011, 2012, 2013


def place_load(w):
    out = subprocess.run(
        [w.b.bin, "loadgen", "--url", w.b.url, "--token", w.b.channel_token, "--mode", "bets",
         "--market", str(MARKET), "--stake", str(STAKE), "--accounts", str(ACCOUNTS),
         "--max-requests", str(BETS), "--warmup", "0", "--duration", "120", "--connections", "32", "--json"],
        capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    return out.stdout


def settlement(w):
    return w.b.get("/v1/settlement", token="operator").json()


def kill_mid_way(w, done):
    """Polls the settlement desk until some of the market's bets have moved
    and some have not, then SIGKILLs the book. `done(open_bets)` says the
    work is over. Returns True when it caught the work half done (False: the
    work finished between two polls; the book is killed all the same)."""
    deadline = time.time() + 20
    caught = False
    while time.time() < deadline:
        n = settlement(w)["open_bets"]
        if done(n):
            break
        if 0 < n < BETS:
            caught = True
            break
    w.b.kill9()
    return caught


def restart(w, resend):
    w.b.start()
    time.sleep(0.2)  # the recovery snapshot goes first
    resend()


class Projection:
    def __init__(self, w):
        self.path = w.b.dir / "data" / "book.sqlite"

    def query(self, sql):
        con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=10)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def bets(self):
        rows = self.query(f"SELECT b.bet_id, b.account, b.selection_id, b.stake_minor, b.odds, b.status "
                          f"FROM bets b")
        return {r[0]: r[1:] for r in rows}


def payout(stake, odds):
    """floor(stake x odds), exact: odds have at most 4 decimals."""
    units, _, frac = odds.partition(".")
    scaled = int(units) * 10000 + int((frac + "0000")[:4])
    return stake * scaled // 10000


def expected_balances(bets, winner):
    """account -> (balance, reserved) from the bets alone. winner: the
    selection that won, None while the market is open."""
    out = {f"load-{i}": [DEPOSIT, 0] for i in range(ACCOUNTS)}
    for account, selection, stake, odds, _ in bets.values():
        acct = out[account]
        acct[0] -= stake
        if winner is None:
            acct[1] += stake
        elif selection == winner:
            acct[0] += payout(stake, odds)
    return {a: tuple(v) for a, v in out.items()}


def duplicates(proj):
    """(bet, kind, result version, rows) for bets posted twice, a few."""
    return proj.query("SELECT bet_id, kind, result_version, COUNT(*) FROM settlements "
                      "GROUP BY bet_id, kind, result_version, cancel_id HAVING COUNT(*) > 1 LIMIT 5")


def check_exact(w, proj, winner, kinds):
    """Every balance, the ledger and the projection's settlement rows as
    they must be. kinds: the posting kinds each bet must have exactly once
    by now, e.g. {"pay": 1, "reverse": 1}."""
    want_open = BETS if winner is None else 0
    try:
        wait_for(lambda: settlement(w)["open_bets"] == want_open, timeout=30)
    except AssertionError:
        time.sleep(2)  # let the projection follow, then say what went wrong
        raise AssertionError(f"open bets {settlement(w)['open_bets']}, want {want_open}; "
                             f"posted twice: {duplicates(proj)}") from None
    st = settlement(w)
    assert st["dlq_depth"] == 0, st

    # The projection follows the journal: wait until it holds every row.
    total = BETS * sum(kinds.values())
    wait_for(lambda: proj.query("SELECT COUNT(*) FROM settlements")[0][0] >= total, timeout=30)
    bets = proj.bets()
    assert len(bets) == BETS
    want_status = "accepted" if winner is None else "settled"
    wait_for(lambda: proj.query(f"SELECT COUNT(*) FROM bets WHERE status = '{want_status}'")[0][0] == BETS,
             timeout=30)
    bets = proj.bets()

    # Exactly once: one row per bet for each kind and result version, and
    # for each kind as many bets as the rounds so far made of it.
    dup = duplicates(proj)
    assert dup == [], f"a bet posted twice: {dup}"
    per_kind = dict(proj.query("SELECT kind, COUNT(*) FROM settlements GROUP BY kind"))
    assert per_kind == {k: BETS * n for k, n in kinds.items()}, per_kind
    per_bet = proj.query("SELECT COUNT(DISTINCT bet_id) FROM settlements WHERE kind = 'pay'")[0][0]
    assert per_bet == BETS * (1 if "pay" in kinds else 0)

    # Each return as the rule computes it (floor(stake x odds) for a winner),
    # for the postings of the current result.
    if winner is not None:
        version = proj.query("SELECT MAX(result_version) FROM settlements WHERE kind = 'pay'")[0][0]
        paid = dict(proj.query(f"SELECT bet_id, amount_minor FROM settlements "
                               f"WHERE kind = 'pay' AND result_version = {version}"))
        assert len(paid) == BETS
        wrong = [(b, paid[b]) for b, (_, sel, stake, odds, _) in bets.items()
                 if paid[b] != (payout(stake, odds) if sel == winner else 0)]
        assert wrong == [], wrong[:5]

    # Balances: the live book and the projection's ledger, both against the
    # recomputation; the ledger sums to zero.
    want = expected_balances(bets, winner)
    for account, (free, reserved) in want.items():
        acct = w.balance(account)
        assert (acct["balance"], acct["reserved"]) == (free, reserved), (account, acct, free, reserved)
    assert w.b.state()["ledger_sum"] == 0
    by_account = dict(proj.query("SELECT account, SUM(amount_minor) FROM ledger_entries GROUP BY account"))
    for account, (free, reserved) in want.items():
        assert (by_account[account], by_account.get(account + "/reserved", 0)) == (free, reserved), account
    assert proj.query("SELECT SUM(amount_minor) FROM ledger_entries")[0][0] == 0


def test_kill9_during_the_settlement_of_100k_bets_settles_each_exactly_once(tmp_path):
    p = FakeProvider()
    w = World(tmp_path, p)
    proj = Projection(w)
    caught = []
    try:
        started = time.time()
        place_load(w)
        wait_for(lambda: settlement(w)["open_bets"] == BETS, timeout=30)
        placed_s = time.time() - started

        # 1. A result, killed while its postings are made.
        home_won = result((MARKET, {HOME}), score=(2, 1))
        w.send("bet_settlement", ts_offset_ms=1000, **home_won)
        caught.append(kill_mid_way(w, lambda n: n == 0))
        restart(w, lambda: w.send("bet_settlement", ts_offset_ms=1000, **home_won))
        check_exact(w, proj, HOME, {"pay": 1})

        # 2. Its rollback, killed while the payouts are reversed. Re-sent only
        # if the first life did not journal it (a second rollback of nothing
        # would rightly be a dead letter).
        w.send("rollback_bet_settlement", ts_offset_ms=2000, market_ids=[MARKET])
        caught.append(kill_mid_way(w, lambda n: n == BETS))

        def resend_rollback():
            if w.b.get(f"/v1/markets/{MARKET}").json()["result"] is not None:
                w.send("rollback_bet_settlement", ts_offset_ms=2000, market_ids=[MARKET])

        restart(w, resend_rollback)
        check_exact(w, proj, None, {"pay": 1, "reverse": 1})

        # 3. A new result, killed right after it was sent.
        draw = result((MARKET, {DRAW}), score=(1, 1))
        w.send("bet_settlement", ts_offset_ms=3000, **draw)
        w.b.kill9()
        restart(w, lambda: w.send("bet_settlement", ts_offset_ms=3000, **draw))
        check_exact(w, proj, DRAW, {"pay": 2, "reverse": 1})

        # At least one kill landed half-way through the money (the polls see
        # each batch of 8,192 bets; a loaded machine may miss one window).
        assert any(caught), caught
        print(f"placed {BETS} bets in {placed_s:.1f}s; kills half-way: {caught}")
    finally:
        w.b.stop()
        p.close()
    verify = subprocess.run([w.b.bin, "journal", "verify", str(tmp_path / "data" / "journal")],
                            capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stdout + verify.stderr
