"""The audit log (CMP-1): one keyed, chained record per key action in
<data_dir>/audit.jsonl (bets, money, settlements, feed switches, operator
changes), masked accounts, operator actors, the head anchored in the
journal, and `inplay audit verify --config` pointing at the first tampered
line: a rewritten line, a deleted line, a cut tail, the wrong key."""
import calendar
import json
import os
import shutil
import subprocess
import time

from conftest import AUDIT_CHAIN_SECRET, BIN, SIM_START, BookProcess, wait_for
from fake_provider import FakeProvider


def verify(book, path=None, config=None):
    args = [BIN, "audit", "verify", "--config", str(config or book.config_path)]
    if path is not None:
        args.append(str(path))
    return subprocess.run(args, capture_output=True, text=True, timeout=60)


def records(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def test_audit_records_key_actions_and_verifies(book):
    r = book.bet(2011, stake=1000, odds="1.5")
    assert r.status_code == 201, r.text
    bet_id = int(r.json()["bet_id"])  # a decimal string in the API
    # A rejection: a price far above the offer.
    r = book.bet(2011, stake=1000, odds="9.0")
    assert r.status_code >= 400, r.text
    r = book.post("/v1/accounts/alice/deposits", json={"amount": 5000, "currency": "GBP"}, key="dep-audit-1")
    assert r.status_code == 201, r.text
    r = book.post("/v1/markets/201/status", json={"status": "suspended", "reason": "audit test"}, token="operator")
    assert r.status_code == 200, r.text
    r = book.post("/v1/markets/202/stake-cap", json={"cap": 500}, token="operator")
    assert r.status_code == 200, r.text
    book.stop()

    path = os.path.join(book.data_dir, "audit.jsonl")
    v = verify(book)
    assert v.returncode == 0, v.stderr
    recs = records(path)
    assert v.stdout.startswith(f"audit ok: {len(recs)} records, key "), v.stdout
    assert [r["seq"] for r in recs] == list(range(1, len(recs) + 1))
    by_action = {}
    for rec in recs:
        by_action.setdefault(rec["action"], []).append(rec)
        assert rec["at"].endswith("Z") and len(rec["prev"]) == 64 and len(rec["mac"]) == 64
        assert len(rec["key"]) == 16 and AUDIT_CHAIN_SECRET not in json.dumps(rec)
    assert "PriceApplied" not in by_action and "price" not in " ".join(by_action)

    accepted = [b for b in by_action["bet_accepted"] if b["bet_id"] == bet_id]
    assert len(accepted) == 1
    assert accepted[0]["stake"] == 1000 and accepted[0]["account"].startswith("u_")
    assert by_action["bet_rejected"][0]["code"]
    deposits = by_action["deposit"]
    assert any(d["amount"] == 5000 for d in deposits)
    assert all(d["account"].startswith("u_") for d in deposits)
    status = [s for s in by_action["market_status_set"] if s["market_id"] == 201]
    assert status and status[-1]["status"] == "suspended"
    assert status[-1]["actor"] == "operator:trader" and status[-1]["reason"] == "audit test"
    caps = [c for c in by_action["stake_cap_set"] if c["market_id"] == 202]
    assert caps and caps[-1]["cap"] == 500 and caps[-1]["actor"] == "operator:trader"

    with open(path) as f:
        text = f.read()
    assert "alice" not in text and '"bob"' not in text

    # Tamper with one record: verify fails naming that line.
    lines = text.splitlines(keepends=True)
    k = next(i for i, rec in enumerate(recs) if rec["action"] == "deposit" and rec["amount"] == 5000)
    lines[k] = lines[k].replace('"amount":5000', '"amount":9000')
    with open(path, "w") as f:
        f.write("".join(lines))
    v = verify(book)
    assert v.returncode == 3
    assert f"line {k + 1}:" in v.stderr and "mac mismatch" in v.stderr, v.stderr


def test_restart_continues_the_chain_without_duplicates(book):
    assert book.bet(2011, stake=1000, odds="1.5").status_code == 201
    book.restart()
    assert book.bet(2011, stake=1000, odds="1.5").status_code == 201
    book.kill9()
    book.start()
    assert book.bet(2011, stake=1000, odds="1.5").status_code == 201
    book.stop()
    path = os.path.join(book.data_dir, "audit.jsonl")
    v = verify(book)
    assert v.returncode == 0, v.stderr
    recs = records(path)
    journal_seqs = [r["journal_seq"] for r in recs]
    assert len(journal_seqs) == len(set(journal_seqs))
    assert len([r for r in recs if r["action"] == "bet_accepted"]) == 3
    # The seeded deposits are audited once, not once per start.
    assert len([r for r in recs if r["action"] == "deposit"]) == 2


def test_verify_reports_missing_file(book):
    v = verify(book, path=book.dir / "nope.jsonl")
    assert v.returncode == 1 and "cannot open" in v.stderr, v.stderr


def test_verify_needs_the_books_key(tmp_path):
    v = subprocess.run([BIN, "audit", "verify", str(tmp_path / "audit.jsonl")], capture_output=True, text=True,
                       timeout=30)
    assert v.returncode == 2 and "--config" in v.stderr, v.stderr


START_MS = calendar.timegm(time.strptime(SIM_START, "%Y-%m-%dT%H:%M:%SZ")) * 1000
EVENT2 = {201: [(2011, "1.60"), (2012, "4.00"), (2013, "6.00")]}


def test_a_matchday_verifies_and_each_tampering_is_named(tmp_path):
    """Bets, a settlement, a feed switch and an operator's price, a clean stop
    (which anchors the audit's head in the journal), then the file tampered
    each way: every one fails naming the line."""
    primary, backup = FakeProvider(), FakeProvider(producer="fake-backup")
    for p in (primary, backup):
        p.now_ms = START_MS
        p.price(2, 201, EVENT2[201])
        p.price(3, 301, [(3011, "1.90"), (3012, "3.30"), (3013, "4.00")], league="Championship")
    feeds = "feeds:\n" + primary.feed_config() + backup.feed_config("football-backup", "backup")
    b = BookProcess(tmp_path, extra_top=feeds)
    try:
        b.start()
        wait_for(lambda: b.get("/v1/markets/201").json()["bettable"], timeout=15)
        bets = []
        for account, sel, stake in (("alice", 2011, 1000), ("bob", 2012, 700), ("alice", 2013, 300)):
            r = b.bet(sel, stake=stake, odds="1.01", account=account, policy="any")
            assert r.status_code == 201, r.text
            bets.append(r.json())
        # The result: home won.
        primary.send("bet_settlement", 2, ts=START_MS + 1000, certainty="confirmed", markets=[
            {"market_id": 201, "outcomes": [{"selection_id": s, "result": "won" if s == 2011 else "lost"}
                                            for s, _ in EVENT2[201]]}])
        wait_for(lambda: all(b.get(f"/v1/bets/{x['bet_id']}").json()["status"] == "settled" for x in bets))
        # The backup may still be recovering (409 FEED_UNAVAILABLE) just after the start.
        switched = []
        wait_for(lambda: switched.append(b.post("/v1/feeds/football/switch", json={"to": "backup"},
                                                token="operator")) or switched[-1].status_code == 200, timeout=15)
        assert switched[-1].json()["active"] == "football-backup", switched[-1].text
        r = b.put("/v1/selections/3011/price", json={"odds": "2.00"})
        assert r.status_code == 200, r.text
    finally:
        b.stop()
        primary.close()
        backup.close()

    path = tmp_path / "data" / "audit.jsonl"
    v = verify(b)
    assert v.returncode == 0, v.stderr
    recs = records(path)
    assert v.stdout.startswith(f"audit ok: {len(recs)} records, key "), v.stdout
    assert " 0 anchors" not in v.stdout, v.stdout  # a clean stop anchors the head
    actions = [r["action"] for r in recs]
    assert actions.count("bet_accepted") == 3
    assert "market_settled" in actions and "bets_posted" in actions
    posted = [r for r in recs if r["action"] == "bets_posted"]
    home_pays = 1000 * round(float(bets[0]["odds"]) * 10000) // 10000  # the winner; the others lost
    assert sum(r["bets"] for r in posted) == 3 and sum(r["amount"] for r in posted) == home_pays
    switched = [r for r in recs if r["action"] == "feed_switched" and r["actor"] == "operator:trader"]
    assert switched and switched[-1]["detail"] == "football-primary -> football-backup", switched
    priced = [r for r in recs if r["action"] == "price_set"]
    assert priced and priced[-1]["target"] == "selection:3011" and priced[-1]["detail"] == "odds 2", priced
    assert priced[-1]["actor"] == "operator:trader"

    lines = path.read_text().splitlines(keepends=True)
    n = len(lines)
    assert n >= 6

    def tampered(name, new_lines):
        t = tmp_path / name
        t.write_text("".join(new_lines))
        v = verify(b, path=t)
        assert v.returncode == 3, (name, v.stdout, v.stderr)
        return v.stderr

    # A rewritten line: the settlement's payout made larger.
    k = next(i for i, r in enumerate(recs) if r["action"] == "bets_posted" and r["amount"] > 0)
    rewritten = list(lines)
    rewritten[k] = rewritten[k].replace(f'"amount":{recs[k]["amount"]}', '"amount":999999')
    err = tampered("rewritten.jsonl", rewritten)
    assert f"line {k + 1}: mac mismatch" in err, err

    # A deleted middle line: the chain breaks at the next one.
    deleted = lines[:2] + lines[3:]
    err = tampered("deleted.jsonl", deleted)
    assert "line 3: broken chain: prev does not match line 2" in err, err

    # A cut tail: a valid chain, but shorter than the journal's anchor says.
    err = tampered("cut.jsonl", lines[:n - 2])
    assert f"line {n - 1}: cut tail" in err, err

    # The wrong key: named at line 1.
    other = tmp_path / "other.yaml"
    other.write_text(b.config_path.read_text().replace(AUDIT_CHAIN_SECRET, "another-audit-chain-secret-0123456789abcdef"))
    v = verify(b, config=other)
    assert v.returncode == 3 and "line 1:" in v.stderr and "wrong audit.chain_secret" in v.stderr, v.stderr

    # The untouched file still verifies.
    assert verify(b).returncode == 0
