"""`inplay replay --until <seq|time>` rebuilds the book's exact state (BEY-2).

A book with a feed the test controls (test_settlement.World: event 2's
markets priced by fake_provider.py) takes bets, settles them on a result, is
restarted and takes one more; at each step the test records GET
/v1/admin/state (state hash and events_applied, read together on the engine
thread). After the book is stopped, `inplay replay --until <events_applied>`
must print the very hash the live book had at each step, and --until the
instant of a step (RFC 3339) must stop at that step. Bad input gets a clear
error and a non-zero exit, and the data dir is byte-identical afterwards.
The book runs on the simulated clock (its fixed start is conftest's).
"""
import hashlib
import json
import os
import subprocess
import time

from conftest import BIN, wait_for
from fake_provider import FakeProvider
from test_settlement import FAIR, World, place_the_card, result


def replay(*args):
    return subprocess.run([os.path.abspath(BIN), "replay", *args], capture_output=True, text=True, timeout=120)


def replay_json(*args):
    r = replay(*args)
    assert r.returncode == 0, (args, r.returncode, r.stderr)
    return json.loads(r.stdout)


def tree_digest(root):
    """Every file under root, by relative path: its bytes' SHA-256."""
    out = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = hashlib.sha256(fh.read()).hexdigest()
    return out


def rfc3339_ns(ns):
    s, frac = divmod(ns, 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + f".{frac:09d}Z"


def snap(w, label):
    st = w.b.state()
    return {"label": label, "seq": st["events_applied"], "hash": st["state_hash"], "ledger_sum": st["ledger_sum"]}


def test_replay_until_reproduces_the_live_state_hash(tmp_path):
    p = FakeProvider()
    w = World(tmp_path, p)
    points = []
    try:
        points.append(snap(w, "started"))
        a1, a2, b1, b2, b3 = place_the_card(w)
        points.append(snap(w, "card placed"))  # the next records come after the clock moves
        w.advance(1000)
        w.send("bet_settlement", **result((201, {2011}), (202, {2021}), (203, {2031}), score=(2, 1)))
        wait_for(lambda: w.settled_all(set(FAIR)), timeout=15)
        points.append(snap(w, "settled"))
        w.b.restart()
        wait_for(lambda: w.b.get("/v1/markets/301").json()["bettable"], timeout=15)
        w.bet("alice", 3011, 300)
        points.append(snap(w, "after a restart"))
        live_accounts = {a: w.balance(a) for a in ("alice", "bob")}
    finally:
        w.b.stop()
        p.close()

    data_dir, config = w.b.data_dir, str(w.b.config_path)
    before = tree_digest(data_dir)
    assert [pt["seq"] for pt in points] == sorted({pt["seq"] for pt in points}), points

    for pt in points:
        got = replay_json("--until", str(pt["seq"]), "--data-dir", data_dir, "--config", config)
        assert got["seq"] == pt["seq"] == got["events_applied"], (pt, got)
        assert got["state_hash"] == pt["hash"], (pt["label"], pt, got)
        assert got["ledger_sum"] == pt["ledger_sum"] == 0

    # The step after the card: its bets open; after the result: all settled.
    card = replay_json("--until", str(points[1]["seq"]), "--config", config)  # data dir from the config
    assert card["bets"] == {"total": 5, "open": 5, "settled": 0, "cancelled": 0}, card
    done = replay_json("--until", str(points[3]["seq"]), "--data-dir", data_dir, "--config", config)
    assert done["bets"] == {"total": 6, "open": 1, "settled": 5, "cancelled": 0}, done
    accounts = {a["account"]: (a["balance"], a["reserved"]) for a in done["accounts"]}
    for a, live in live_accounts.items():
        assert accounts[a] == (live["balance"], live["reserved"]), (a, live, accounts)
    assert done["accounts_masked"] is False

    # --until an instant: the records up to the newest time of the card's
    # step are exactly that step (the clock moved before the next record).
    t = card["at_ns"]
    at = replay_json("--until", rfc3339_ns(t), "--data-dir", data_dir, "--config", config)
    assert (at["seq"], at["at_ns"], at["state_hash"]) == (points[1]["seq"], t, points[1]["hash"]), at
    # An instant after the last record: the whole journal.
    end = replay_json("--until", rfc3339_ns(done["at_ns"] + 3_600_000_000_000), "--data-dir", data_dir,
                      "--config", config)
    assert end["seq"] == end["last_seq"] >= points[3]["seq"], end

    # Pseudonyms as the audit log has them, never the raw ids.
    masked = replay_json("--until", str(points[3]["seq"]), "--data-dir", data_dir, "--config", config, "--mask")
    names = {a["account"] for a in masked["accounts"]}
    assert masked["accounts_masked"] is True and not names & {"alice", "bob"}, names
    assert sorted(a["balance"] for a in masked["accounts"]) == sorted(a["balance"] for a in done["accounts"])

    # Bad input: a clear error, a non-zero exit.
    last = end["last_seq"]
    cases = [
        (["--until", "1", "--data-dir", data_dir, "--bogus"], "--bogus"),
        (["--until", str(last + 1), "--data-dir", data_dir, "--config", config], "past the journal's end"),
        (["--until", "2026-11-28 15:00", "--data-dir", data_dir, "--config", config], "RFC 3339"),
        (["--until", "yesterday", "--data-dir", data_dir, "--config", config], "RFC 3339"),
        (["--until", "1", "--data-dir", str(tmp_path / "no-such-dir"), "--config", config], "no such data directory"),
        (["--until", "1"], "--data-dir"),
        (["--until", str(last), "--data-dir", data_dir], "--config"),  # bets on markets it was not told of
        (["--data-dir", data_dir], "--until"),
        (["--until", "1", "--data-dir", data_dir, "--config", config, "--demo"], "excludes"),
    ]
    for args, says in cases:
        r = replay(*args)
        assert r.returncode != 0 and says in r.stderr, (args, r.returncode, r.stderr)
        assert r.stdout.strip() == "" or "{" not in r.stdout, (args, r.stdout)

    assert tree_digest(data_dir) == before, "inplay replay wrote to the data dir"


def test_replay_help_names_its_options():
    r = subprocess.run([os.path.abspath(BIN), "replay", "--help"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    for opt in ("--until", "--data-dir", "--config", "--demo", "--mask"):
        assert opt in r.stdout, r.stdout
