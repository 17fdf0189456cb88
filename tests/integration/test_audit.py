"""The audit log (CMP-1): one hash-chained record per key action in
<data_dir>/audit.jsonl, masked accounts, operator actors, and
`inplay audit verify` pointing at the first tampered line."""
import json
import os
import subprocess

from conftest import BIN


def verify(path):
    return subprocess.run([BIN, "audit", "verify", str(path)], capture_output=True, text=True, timeout=30)


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
    v = verify(path)
    assert v.returncode == 0, v.stderr
    recs = records(path)
    assert v.stdout.strip() == f"audit ok: {len(recs)} records"
    assert [r["seq"] for r in recs] == list(range(1, len(recs) + 1))
    by_action = {}
    for rec in recs:
        by_action.setdefault(rec["action"], []).append(rec)
        assert rec["at"].endswith("Z") and len(rec["prev"]) == 64 and len(rec["hash"]) == 64
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
    v = verify(path)
    assert v.returncode != 0
    assert f"line {k + 1}:" in v.stderr and "hash mismatch" in v.stderr, v.stderr


def test_restart_continues_the_chain_without_duplicates(book):
    assert book.bet(2011, stake=1000, odds="1.5").status_code == 201
    book.restart()
    assert book.bet(2011, stake=1000, odds="1.5").status_code == 201
    book.kill9()
    book.start()
    assert book.bet(2011, stake=1000, odds="1.5").status_code == 201
    book.stop()
    path = os.path.join(book.data_dir, "audit.jsonl")
    v = verify(path)
    assert v.returncode == 0, v.stderr
    recs = records(path)
    journal_seqs = [r["journal_seq"] for r in recs]
    assert len(journal_seqs) == len(set(journal_seqs))
    assert len([r for r in recs if r["action"] == "bet_accepted"]) == 3
    # The seeded deposits are audited once, not once per start.
    assert len([r for r in recs if r["action"] == "deposit"]) == 2


def test_verify_reports_missing_file(tmp_path):
    v = verify(tmp_path / "nope.jsonl")
    assert v.returncode == 1 and "cannot open" in v.stderr
