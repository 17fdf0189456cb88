"""`inplay settle-check` as a user runs it: the 47 published Asian-line cases
and bets generated over every football-data match, checked against an
independent settlement written here in exact fractions."""
import csv
import json
import os
import random
import subprocess
from fractions import Fraction

from conftest import BIN

DATA = os.path.join(os.path.dirname(__file__), "../../../shared/data")


def settle_py(market, line, selection, fthg, ftag, stake, odds):
    """Outcome and gross return, computed from the two half-stakes."""
    if market == "1X2":
        won = {"H": fthg > ftag, "D": fthg == ftag, "A": fthg < ftag}[selection]
        halves = ["win" if won else "lose"] * 2
    elif market == "BTTS":
        won = (fthg > 0 and ftag > 0) == (selection == "yes")
        halves = ["win" if won else "lose"] * 2
    else:
        line = Fraction(line)
        if market == "AH":
            margin = (fthg - ftag) if selection == "home" else (ftag - fthg)
        else:  # TOTAL: over is "total - line", under "line - total"
            margin, line = (fthg + ftag, -line) if selection == "over" else (-(fthg + ftag), line)
        quarter = (line * 4) % 2 == 1
        parts = [line - Fraction(1, 4), line + Fraction(1, 4)] if quarter else [line, line]
        halves = []
        for part in parts:
            x = margin + part
            halves.append("win" if x > 0 else "push" if x == 0 else "lose")
    names = {("win", "win"): "win", ("push", "win"): "half_win", ("push", "push"): "push",
             ("lose", "push"): "half_lose", ("lose", "lose"): "lose"}
    outcome = names[tuple(sorted(halves))]
    ret = sum(Fraction(stake, 2) * (Fraction(odds) if h == "win" else 1 if h == "push" else 0) for h in halves)
    return outcome, int(ret)  # floor: returns are never negative


def run(path_or_stdin, input_text=None):
    args = [BIN, "settle-check", path_or_stdin]
    return subprocess.run(args, input=input_text, capture_output=True, text=True, timeout=120)


def test_published_cases(tmp_path):
    bets = []
    with open(os.path.join(DATA, "settlement/asian-lines-published-examples.csv")) as f:
        for i, row in enumerate(csv.DictReader(f)):
            m = int(row["example_margin_or_total"])
            if row["market"] == "AH":
                bet = {"market": "AH", "line": row["backed_line"], "selection": "home",
                       "fthg": max(m, 0), "ftag": max(-m, 0)}
            else:
                bet = {"market": "TOTAL", "line": float(row["backed_line"]),
                       "selection": "over" if row["market"] == "TOTAL_OVER" else "under", "fthg": m, "ftag": 0}
            bet.update(id=f"case-{i + 2}", stake=1000, odds="1.90")
            bets.append((bet, row["normalized_outcome"].lower()))
    assert len(bets) == 47
    path = tmp_path / "published.jsonl"
    path.write_text("".join(json.dumps(b) + "\n" for b, _ in bets))
    r = run(str(path))
    assert r.returncode == 0, r.stderr
    out = [json.loads(x) for x in r.stdout.splitlines()]
    assert [o["id"] for o in out] == [b["id"] for b, _ in bets]
    for o, (b, want) in zip(out, bets):
        assert o["outcome"] == want, (b, o)
        assert o["return"] == settle_py(b["market"], str(b["line"]), b["selection"], b["fthg"], b["ftag"],
                                        1000, "1.90")[1]


def test_football_data_seasons(tmp_path):
    """Every match, every market the command knows, odds from the files."""
    rng = random.Random(7)
    bets = []
    for name in sorted(os.listdir(os.path.join(DATA, "football-data"))):
        with open(os.path.join(DATA, "football-data", name), newline="") as f:
            rows = csv.DictReader(line for line in f if line.strip())
            for row in rows:
                if not row.get("FTHG"):
                    continue
                h, a = int(row["FTHG"]), int(row["FTAG"])
                base = {"fthg": h, "ftag": a}
                cands = [("1X2", None, s, row.get(c)) for s, c in (("H", "B365H"), ("D", "B365D"), ("A", "B365A"))]
                cands += [("TOTAL", "2.5", "over", row.get("B365>2.5")), ("TOTAL", "2.5", "under", row.get("B365<2.5"))]
                if row.get("AHh"):
                    ahh = Fraction(row["AHh"])
                    cands += [("AH", row["AHh"], "home", row.get("B365AHH")),
                              ("AH", f"{float(-ahh) + 0.0:g}", "away", row.get("B365AHA"))]
                for q in ("2.25", "2.75", "3", "1.75"):
                    cands.append(("TOTAL", q, rng.choice(["over", "under"]), "1.95"))
                cands.append(("BTTS", None, rng.choice(["yes", "no"]), "1.85"))
                for market, line, sel, odds in cands:
                    if not odds:
                        continue
                    bet = dict(base, id=len(bets), market=market, selection=sel,
                               stake=rng.randint(1, 1_000_000), odds=odds)
                    if line is not None:
                        bet["line"] = float(Fraction(line)) if rng.random() < 0.5 else line
                    bets.append(bet)
    assert len(bets) > 20000
    path = tmp_path / "seasons.jsonl"
    path.write_text("".join(json.dumps(b) + "\n" for b in bets))
    r = run("-", input_text=path.read_text())  # stdin too
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert len(out) == len(bets)
    seen = set()
    for line, b in zip(out, bets):
        o = json.loads(line)
        want = settle_py(b["market"], str(b.get("line")), b["selection"], b["fthg"], b["ftag"], b["stake"], b["odds"])
        assert (o["id"], o["outcome"], o["return"]) == (b["id"], *want), b
        seen.add(o["outcome"])
    assert seen == {"win", "half_win", "push", "half_lose", "lose"}


def test_bad_lines_are_named_and_the_rest_settle(tmp_path):
    text = ('{"id":"ok1","market":"1X2","selection":"H","stake":100,"odds":"2.5","fthg":1,"ftag":0}\n'
            '{"id":"bad","market":"1X2","selection":"H","stake":100,"odds":"2.5","fthg":1}\n'
            'garbage\n'
            '{"id":"ok2","market":"AH","line":"-0.25","selection":"home","stake":100,"odds":"2","fthg":0,"ftag":0}\n')
    r = run("-", input_text=text)
    assert r.returncode == 1
    out = [json.loads(x) for x in r.stdout.splitlines()]
    assert out[0] == {"id": "ok1", "outcome": "win", "return": 250}
    assert out[1]["error"] == "missing_field" and out[1]["line"] == 2 and out[1]["id"] == "bad"
    assert out[2]["error"] == "invalid_json" and out[2]["line"] == 3
    assert out[3] == {"id": "ok2", "outcome": "half_lose", "return": 50}
    assert "2 lines refused" in r.stderr
    missing = run(str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2 and "nope.jsonl" in missing.stderr
