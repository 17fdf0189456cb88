"""The history in PostgreSQL (issue 20 item 3): the real binary with
`history: {kind: postgres, dsn: ...}` against a real PostgreSQL 15 that this
test starts on 127.0.0.1 (Debian's initdb and pg_ctl, as the postgres user
when run as root: TOOLING.md) and stops.

The book takes bets from two accounts, settles a result, and is killed -9
twice (once around the settlement, once right after more bets); the database
itself is stopped hard while bets keep coming (the book must not care: the
history follows the journal, never leads it) and started again. At the end
the PostgreSQL tables agree with the book: every placed bet once, every
ledger record's legs summing to zero and the whole ledger to zero, each
account's cash and reserved stake equal to the book's, one settlement row
per bet, the audit table equal to the keyed audit log entry for entry, and
no SQLite file written. Outside CI a missing PostgreSQL skips
the test; under CI=true it fails.
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import require_tool, wait_for
from fake_provider import FakeProvider
from test_settlement import World, payout, result

PG_BIN = os.environ.get("INPLAY_PG_BIN", "/usr/lib/postgresql/15/bin")
WINNERS = {2012, 2022, 2032}
SELECTIONS = [2011, 2012, 2013, 2021, 2022, 2031, 2032]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A throwaway server: data dir under a temp dir owned by postgres."""

    def __init__(self):
        require_tool("initdb", os.path.join(PG_BIN, "initdb"), hint="scripts/setup.sh installs postgresql-15")
        self.as_postgres = os.geteuid() == 0
        self.dir = tempfile.mkdtemp(prefix="inplay_pg_it_")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        if self.as_postgres:
            shutil.chown(self.dir, user="postgres")
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync", "--no-locale",
                  "-E", "UTF8")
        self.start()

    def _run(self, tool, *args):
        cmd = [os.path.join(PG_BIN, tool), *args]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, (cmd, out.stdout, out.stderr)

    def start(self):
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "server.log"), "-w", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "start")

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    @property
    def dsn(self):
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def query(self, sql):
        """Rows as tuples of strings (psql unaligned, unit separators between fields)."""
        out = subprocess.run([os.path.join(PG_BIN, "psql"), "-X", "-At", "-F", "\x1f", "-h", "127.0.0.1",
                              "-p", str(self.port), "-U", "postgres", "-d", "postgres", "-c", sql],
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, (sql, out.stderr)
        return [tuple(line.split("\x1f")) for line in out.stdout.splitlines()]

    def scalar(self, sql):
        return int(self.query(sql)[0][0])

    def close(self):
        try:
            self.stop("immediate")
        except AssertionError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def postgres():
    pg = Postgres()
    yield pg
    pg.close()


CHAIN_KEYS = {"seq", "at", "action", "journal_seq", "key", "prev", "mac"}


def audit_log(w):
    """journal seq -> (action, at, fields) from the keyed audit log file."""
    out = {}
    with open(os.path.join(w.b.data_dir, "audit.jsonl")) as f:
        for line in f:
            e = json.loads(line)
            out[e["journal_seq"]] = (e["action"], e["at"], {k: v for k, v in e.items() if k not in CHAIN_KEYS})
    return out


def audit_rows(pg):
    return {int(seq): (action, at, json.loads(fields))
            for seq, action, at, fields in pg.query("SELECT seq, action, at, fields FROM audit")}


def place(w, n, first):
    for i in range(first, first + n):
        w.bet("alice" if i % 3 else "bob", SELECTIONS[i % len(SELECTIONS)], 10 + (i * 37) % 40)


def caught_up(pg, w):
    """Whether PostgreSQL holds every bet placed and every settlement posted."""
    settled = sum(1 for x in w.bets if x["market_id"] in (201, 202, 203) and x["settled"])
    return (pg.scalar("SELECT COUNT(*) FROM bets") == len(w.bets)
            and pg.scalar("SELECT COUNT(*) FROM settlements") == settled)


def test_postgres_history_agrees_with_the_ledger_across_kill9_and_a_database_restart(tmp_path, postgres):
    pg = postgres
    p = FakeProvider()
    w = World(tmp_path, p, extra_top=f'history:\n  kind: postgres\n  dsn: "{pg.dsn}"\n')
    try:
        place(w, 120, 0)
        # A result, and the book killed somewhere before, during or after its postings.
        final = result((201, {2012}), (202, {2022}), (203, {2032}), score=(0, 0))
        w.send("bet_settlement", **final)
        asked = len(p.requests)
        w.b.kill9()
        w.b.start()
        wait_for(lambda: len(p.requests) > asked)
        time.sleep(0.2)  # the recovery snapshot goes first
        w.send("bet_settlement", **final)  # as a provider would after a reconnect: a duplicate at most
        wait_for(lambda: w.b.get("/v1/settlement", token="operator").json()["open_bets"] == 0, timeout=20)
        for x in w.bets:
            x["settled"] = True

        # The database goes away hard; the book keeps taking bets (event 3, pre-match).
        pg.stop("immediate")
        for i in range(30):
            r = w.b.bet(3011, stake=20 + i, odds="1.01", account="alice" if i % 2 else "bob", policy="any")
            assert r.status_code == 201, r.text
            w.bets.append(dict(r.json(), settled=False))
        log = lambda: open(w.b.stderr_path).read()  # noqa: E731
        wait_for(lambda: "history store error, projection stalled" in log(), timeout=20)
        pg.start()
        wait_for(lambda: "projection recovered" in log(), timeout=20)

        # Killed right after the last bets, the history perhaps behind.
        w.b.kill9()
        w.b.start()
        wait_for(lambda: caught_up(pg, w), timeout=30)

        # Every bet once, as the book has it.
        rows = pg.query("SELECT bet_id, account, stake_minor, status FROM bets ORDER BY bet_id")
        assert len(rows) == len(w.bets) == 150
        for (bet_id, account, stake, status), x in zip(rows, sorted(w.bets, key=lambda x: int(x["bet_id"]))):
            assert (bet_id, account, int(stake)) == (x["bet_id"], x["account"], x["stake"])
            assert status == ("settled" if x["settled"] else "accepted"), (bet_id, status)
        assert pg.query("SELECT account FROM bets GROUP BY seq, account HAVING COUNT(*) > 1") == []

        # The ledger: each record's legs sum to zero, the whole to zero, one
        # stake reserve per bet, and each account's cash and reserved stake
        # what the book says.
        assert pg.query("SELECT seq FROM ledger_entries GROUP BY seq HAVING SUM(amount_minor) != 0") == []
        assert pg.scalar("SELECT SUM(amount_minor) FROM ledger_entries") == 0
        assert pg.scalar("SELECT COUNT(*) FROM ledger_entries WHERE reason = 'stake_reserve'") == 2 * len(w.bets)
        by_account = {a: int(v) for a, v in pg.query("SELECT account, SUM(amount_minor) FROM ledger_entries "
                                                     "GROUP BY account")}
        for account in ("alice", "bob"):
            acct = w.balance(account)
            assert (by_account[account], by_account.get(account + "/reserved", 0)) == \
                (acct["balance"], acct["reserved"]), (account, acct)

        # One settlement row per settled bet, each paid as the rule says.
        assert pg.query("SELECT bet_id FROM settlements GROUP BY bet_id, kind, result_version "
                        "HAVING COUNT(*) > 1") == []
        paid = {b: int(a) for b, a in pg.query("SELECT bet_id, amount_minor FROM settlements "
                                                    "WHERE kind = 'pay'")}
        want = {x["bet_id"]: (payout(x["stake"], x["odds"]) if x["selection_id"] in WINNERS else 0)
                for x in w.bets if x["settled"]}
        assert paid == want
        assert w.b.state()["ledger_sum"] == 0
        assert not os.path.exists(os.path.join(w.b.data_dir, "book.sqlite"))

        # The audit table holds the audit log's entries, record for record,
        # accounts masked as there.
        assert pg.scalar("SELECT COUNT(*) FROM audit WHERE action = 'bet_accepted'") == len(w.bets)
        assert pg.scalar("SELECT COUNT(*) FROM audit WHERE fields LIKE '%\"alice\"%'") == 0
        wait_for(lambda: audit_rows(pg) == audit_log(w), timeout=20)
        # The high-water mark reaches the journal's last record once the book is quiet.
        applied = w.b.quiet_state()["events_applied"]
        wait_for(lambda: pg.scalar("SELECT value FROM meta WHERE key = 'last_seq'") >= applied, timeout=20)
    finally:
        w.b.stop()
        p.close()
