"""PII never leaves the edge (CMP-2, CMP-3): run a book on the real clock,
place bets and deposits for accounts with recognisable ids, then scan every
log line on stderr, the /metrics text (both formats), every trace of those
bets and the audit file. The raw account ids must not appear, nor any
13-19 digit card-like number."""
import json
import os
import re

from conftest import wait_for

ACCOUNTS = ["alice.smith-77", "bob_jones.1984", "carol-o.reilly"]
CARD = "4111111111111111"  # a test Visa number, sent where a careless edge might echo it
DIGITS = re.compile(r"(?<![0-9A-Za-z])[0-9]{13,19}(?![0-9A-Za-z])")
# Numbers under these keys are times (ns/ms since the epoch) and hex ids or
# hashes (which can be all digits by chance), not cards.
NOT_CARD_KEY = re.compile(r"(^|_)(ns|ms|ts|time|start|end|at|created|id|hash|prev)($|_)|_unix|timestamp"
                          r"|span|trace|parent", re.I)


def luhn_ok(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_like(text):
    return [m for m in DIGITS.findall(text) if luhn_ok(m)]


def walk(value, key=""):
    """Yields (key, string) for every scalar in a JSON document."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, k
            yield from walk(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v, key)
    else:
        yield key, str(value)


def json_findings(where, doc):
    found = []
    for key, s in walk(doc):
        for acct in ACCOUNTS:
            if acct in s:
                found.append(f"{where}: raw account {acct!r} under {key!r}")
        if not NOT_CARD_KEY.search(key):
            for c in card_like(s):
                found.append(f"{where}: card-like number {c} under {key!r}")
    return found


def text_findings(where, text):
    found = []
    for acct in ACCOUNTS:
        if acct in text:
            found.append(f"{where}: raw account {acct!r}")
    if CARD in text:
        found.append(f"{where}: the probe card number")
    return found


def metrics_findings(where, text):
    found = text_findings(where, text)
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        # Sample values, exemplar values and timestamps are numbers after the
        # label set; only label values could carry a card number.
        for k, v in re.findall(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"', line):
            if NOT_CARD_KEY.search(k):
                continue
            for c in card_like(v):
                found.append(f"{where}: card-like label value {c} in {line!r}")
    return found


def audit_holds(path, trace_ids, deposits):
    """True once the audit file has a bet_accepted record for each trace id
    and `deposits` deposit records (a line still being written is not yet)."""
    if not os.path.exists(path):
        return False
    bets, deps = set(), 0
    with open(path) as f:
        for line in f:
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec["action"] == "bet_accepted":
                bets.add(rec["trace_id"])
            # A channel's deposit is a payment through a PSP route: audited
            # when the PSP's word is in.
            deps += rec["action"] == "deposit" or (rec["action"] == "payment_answered"
                                                   and rec.get("movement") == "deposit")
    return trace_ids <= bets and deps >= deposits


def test_no_raw_ids_or_card_numbers_anywhere(make_book):
    b = make_book(clock="real").start()
    trace_ids = []
    for i, acct in enumerate(ACCOUNTS):
        b.open_account(acct)
        r = b.post(f"/v1/accounts/{acct}/deposits", json={"amount": 50000, "currency": "GBP"},
                   key=f"dep-{i}-{CARD}")
        assert r.status_code == 201, r.text
        for n in range(3):
            r = b.post("/v1/bets", key=f"bet-{i}-{n}",
                       headers={"User-Agent": f"probe {acct} {CARD}"},
                       json={"account": acct, "selection_id": 2011, "stake": 1000, "currency": "GBP",
                             "odds": "1.5", "price_change": "none"})
            assert r.status_code == 201, r.text
            trace_ids.append(r.json()["trace_id"])
        # A rejected bet and a failed withdrawal touch the error paths too.
        r = b.bet(2011, stake=1000, odds="50.0", account=acct)
        assert r.status_code >= 400
        r = b.post(f"/v1/accounts/{acct}/withdrawals", json={"amount": 10 ** 9, "currency": "GBP"}, key="auto")
        assert r.status_code >= 400
        # An unknown account read (the id travels in the path).
        b.get(f"/v1/accounts/{acct}-unknown")

    found = []
    for accept in ("text/plain", "application/openmetrics-text; version=1.0.0"):
        m = b.get("/metrics", token=None, headers={"Accept": accept})
        assert m.status_code == 200
        found += metrics_findings(f"/metrics ({accept})", m.text)
    for tid in trace_ids:
        t = b.get(f"/v1/traces/{tid}", token="operator")
        assert t.status_code == 200, t.text
        found += json_findings(f"trace {tid}", t.json())
        found += text_findings(f"trace {tid}", t.text)

    # The audit projection follows the journal: wait until it has written
    # every bet and deposit above, or the scan of it below could pass on a
    # file that does not hold them yet.
    audit = os.path.join(b.data_dir, "audit.jsonl")
    wait_for(lambda: audit_holds(audit, set(trace_ids), deposits=len(ACCOUNTS)), timeout=30)
    b.stop()

    with open(b.stderr_path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            found += text_findings(f"stderr line {n}", line)
            try:
                found += json_findings(f"stderr line {n}", json.loads(line))
            except ValueError:
                found += [f"stderr line {n}: card-like {c}" for c in card_like(line)]

    with open(audit) as f:
        lines = f.readlines()
    assert len(lines) >= 3 * 4  # deposits and bets of every account at least
    for n, line in enumerate(lines, 1):
        found += text_findings(f"audit line {n}", line)
        found += json_findings(f"audit line {n}", json.loads(line))

    assert not found, "\n".join(found)
