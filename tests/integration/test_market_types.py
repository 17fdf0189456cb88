"""The market types of issue 14, end to end through the real binary: Asian
handicap on half, whole and quarter lines, totals on whole and quarter
lines, double chance, draw no bet, correct score and first-half markets —
configured, priced (the feed's fair odds under the book's margin), bettable
over POST /v1/bets, and settled by the feed's results (the full-time score
for full-time markets, the half-time score for first-half ones) with the
book's shadow check agreeing. Every return is computed here independently:
a quarter line as two half stakes, floor to the minor unit.
"""
import calendar
import time

import pytest

from conftest import SIM_START, BookProcess, wait_for
from fake_provider import FakeProvider

START_MS = calendar.timegm(time.strptime(SIM_START, "%Y-%m-%dT%H:%M:%SZ")) * 1000
CS = [f"{h}-{a}" for h in range(4) for a in range(4)] + ["other"]

# market id -> (type, line in goals or None, period, [(selection id, name, fair odds)])
MARKETS = {
    211: ("asian_handicap", "-1.25", "full_time", [(2111, "home", "1.95"), (2112, "away", "1.95")]),
    212: ("asian_handicap", "-1", "full_time", [(2121, "home", "2.60"), (2122, "away", "1.60")]),
    213: ("asian_handicap", "+0.5", "full_time", [(2131, "home", "1.45"), (2132, "away", "3.20")]),
    214: ("total_goals", "2.25", "full_time", [(2141, "over", "1.90"), (2142, "under", "2.00")]),
    215: ("total_goals", "3", "full_time", [(2151, "over", "2.40"), (2152, "under", "1.70")]),
    216: ("double_chance", None, "full_time",
          [(2161, "home_draw", "1.25"), (2162, "home_away", "1.30"), (2163, "draw_away", "2.00")]),
    217: ("draw_no_bet", None, "full_time", [(2171, "home", "1.45"), (2172, "away", "3.20")]),
    218: ("correct_score", None, "full_time", [(21800 + i + 1, n, "17.00") for i, n in enumerate(CS)]),
    219: ("match_result", None, "first_half", [(2191, "home", "3.00"), (2192, "draw", "2.20"), (2193, "away", "4.00")]),
    220: ("total_goals", "1.5", "first_half", [(2201, "over", "3.00"), (2202, "under", "1.50")]),
}
FULL_TIME, HALF_TIME = (2, 1), (1, 1)


def world_yaml():
    out = ["events:", "  - id: 2", "    league: EPL", "    home: Liverpool", "    away: Everton",
           "    kickoff_in: 150m", "    markets:"]
    for mid, (typ, line, period, sels) in MARKETS.items():
        out.append(f"      - id: {mid}")
        out.append(f"        type: {typ}")
        if line is not None:
            out.append(f'        line: "{line}"')
        if period != "full_time":
            out.append(f"        period: {period}")
        out.append("        selections:")
        for sid, name, odds in sels:
            out.append(f'          - {{id: {sid}, name: "{name}", odds: "{odds}"}}')
    out += ["accounts:", "  - {id: alice, deposit: 1000000}"]
    return "\n".join(out) + "\n"


def quarters(line):
    return round(float(line) * 4)


def two_way(v):
    return "win" if v > 0 else "push" if v == 0 else "lose"


def lined(margin_q, line_q):
    """A side that is `margin_q` quarter goals ahead of the line (0 = on it),
    with quarter lines as two half stakes on the neighbouring lines."""
    if line_q % 2 == 0:
        return two_way(margin_q + line_q)
    a, b = two_way(margin_q + line_q - 1), two_way(margin_q + line_q + 1)
    if a == b:
        return a
    return {("lose", "push"): "half_lose", ("push", "win"): "half_win"}[(a, b)]


def rule(typ, line, name, score):
    """The outcome of a selection on a score, written from the rules' text."""
    h, a = score
    if typ == "match_result":
        return "win" if name == ("home" if h > a else "draw" if h == a else "away") else "lose"
    if typ == "asian_handicap":
        q = quarters(line) if name == "home" else -quarters(line)
        diff = (h - a) if name == "home" else (a - h)
        return lined(diff * 4, q)
    if typ == "total_goals":
        total = (h + a) * 4
        return lined(total, -quarters(line)) if name == "over" else lined(-total, quarters(line))
    if typ == "double_chance":
        res = "home" if h > a else "draw" if h == a else "away"
        return "win" if res in name.split("_") else "lose"
    if typ == "draw_no_bet":
        if h == a:
            return "push"
        return "win" if (h > a) == (name == "home") else "lose"
    if typ == "correct_score":
        s = f"{h}-{a}"
        return "win" if (name == s or (name == "other" and s not in CS)) else "lose"
    raise AssertionError(typ)


def wire(outcome):
    """The UOF outcome of a settle result: result and void factor."""
    return {"win": ("won", None), "half_win": ("won", 0.5), "push": ("lost", 1),
            "half_lose": ("lost", 0.5), "lose": ("lost", None)}[outcome]


def odds_scaled(odds):
    units, _, frac = odds.partition(".")
    return int(units) * 10000 + int((frac + "0000")[:4])


def due(stake, odds, outcome):
    o = odds_scaled(odds)
    return {"win": stake * o // 10000, "half_win": stake * (10000 + o) // 20000, "push": stake,
            "half_lose": stake // 2, "lose": 0}[outcome]


@pytest.fixture
def book(tmp_path):
    p = FakeProvider()
    b = BookProcess(tmp_path, extra_top="feeds:\n" + p.feed_config(), world=world_yaml())
    p.now_ms = START_MS
    for mid, (_, _, _, sels) in MARKETS.items():
        p.price(2, mid, [(sid, odds) for sid, _, odds in sels])
    b.start()
    wait_for(lambda: all(b.get(f"/v1/markets/{m}").json()["bettable"] for m in MARKETS), timeout=15)
    yield b, p
    b.stop()
    p.close()


def test_each_new_market_type_is_priced_bettable_and_settled_with_the_right_return(book):
    b, p = book
    # Offered as configured: exact lines, periods, names.
    m = b.get("/v1/markets/211").json()
    assert (m["type"], m["line_quarters"], m["period"], m["name"]) == ("asian_handicap", -5, "full_time",
                                                                       "Asian handicap -1.25")
    assert "line" not in m
    assert b.get("/v1/markets/214").json()["line_quarters"] == 9
    assert b.get("/v1/markets/215").json()["line"] == 30
    m = b.get("/v1/markets/219").json()
    assert (m["period"], m["name"]) == ("first_half", "1st half match result")

    # Priced under the book's margin: every market's implied probabilities
    # sum to more than 1 (a double chance market's, covering two outcomes
    # per selection, to more than 2).
    for mid, (typ, _, _, _) in MARKETS.items():
        implied = sum(10000 / odds_scaled(s["odds"]) for s in b.get(f"/v1/markets/{mid}").json()["selections"])
        assert implied > (2.0 if typ == "double_chance" else 1.0) + 0.04, (mid, implied)

    # A bet on every selection of every market, at the book's price.
    bets = []
    for mid, (typ, line, period, sels) in MARKETS.items():
        for sid, name, _ in sels:
            r = b.bet(sid, stake=1001, odds="1.01", policy="any")
            assert r.status_code == 201, (mid, name, r.text)
            bets.append((mid, typ, line, period, name, r.json()))

    # The result: 1-1 at half time, 2-1 at full time, outcomes by our rules.
    markets = []
    for mid, (typ, line, period, sels) in MARKETS.items():
        score = HALF_TIME if period == "first_half" else FULL_TIME
        outs = []
        for sid, name, _ in sels:
            result, vf = wire(rule(typ, line, name, score))
            o = {"selection_id": sid, "result": result}
            if vf is not None:
                o["void_factor"] = vf
            outs.append(o)
        markets.append({"market_id": mid, "outcomes": outs})
    p.send("bet_settlement", 2, ts=START_MS + 1000, certainty="confirmed", markets=markets,
           score={"home": FULL_TIME[0], "away": FULL_TIME[1]},
           first_half_score={"home": HALF_TIME[0], "away": HALF_TIME[1]})
    wait_for(lambda: b.get("/v1/settlement", token="operator").json()["open_bets"] == 0, timeout=20)
    st = b.get("/v1/settlement", token="operator").json()
    assert st["shadow_checks"]["match"] == len(MARKETS) and st["shadow_checks"]["mismatch"] == 0, st
    assert st["dlq_depth"] == 0, st

    seen = set()
    total_back = 0
    for mid, typ, line, period, name, bet in bets:
        score = HALF_TIME if period == "first_half" else FULL_TIME
        want = rule(typ, line, name, score)
        got = b.get(f"/v1/bets/{bet['bet_id']}").json()
        assert got["status"] == "settled", got
        assert (got["outcome"], got["return"]) == (want, due(1001, bet["odds"], want)), (typ, line, name, got)
        seen.add(want)
        total_back += got["return"]
    # The card covers every kind of outcome a quarter line can have.
    assert seen == {"win", "half_win", "push", "half_lose", "lose"}, seen
    acct = b.get("/v1/accounts/alice").json()
    assert (acct["balance"], acct["reserved"]) == (1000000 - 1001 * len(bets) + total_back, 0)
    assert b.state()["ledger_sum"] == 0


def test_a_market_the_rules_cannot_settle_is_refused_at_start(tmp_path):
    bad = world_yaml().replace('name: "other"', 'name: "4-4"')
    b = BookProcess(tmp_path, world=bad)
    with pytest.raises(RuntimeError) as e:
        b.start()
    assert "selection '4-4' is not one a correct_score market settles" in str(e.value)
