"""bench/shard_model.py: the sharded book in simulation (docs/scale-out.md).

Pure Python, no binary, no server: the model's bookkeeping (every bet counted
once), its saturation ordering, its latency floor and its determinism.
"""
import copy
import importlib.util
import math
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "../../bench/shard_model.py")
_spec = importlib.util.spec_from_file_location("shard_model", MODEL)
sm = importlib.util.module_from_spec(_spec)
sys.modules["shard_model"] = sm
_spec.loader.exec_module(sm)


def derby(duration=4.0, share=None, scale=1.0):
    p = sm.derby_day()
    p.duration_s = duration
    if share is not None:
        p.reservation_share = share
    p.competitions = {c: v * scale for c, v in p.competitions.items()}
    return p


CAP = sm.Capacity()


def test_every_bet_is_counted_once():
    p = derby()
    s = sm.simulate(p, CAP, seed=7)
    shards = s["shards"]
    markets = [n for n in shards if n != sm.WALLET]
    assert sorted(markets) == sorted(p.shards)
    assert s["bets"] == sum(shards[n]["bets"] for n in markets) > 0
    assert s["bets"] == s["local"] + s["cross"]
    for n in markets:
        v = shards[n]
        assert v["bets"] == v["local"] + v["cross"]
        assert v["bets"] == v["committed_in_window"] + v["backlog_at_end"]
    w = shards[sm.WALLET]
    # The wallet sees exactly the market shards' cross-shard bets, plus credits.
    assert w["bets"] == s["cross"] == sum(shards[n]["cross"] for n in markets)
    assert w["credits"] == s["credits"]
    assert w["bets"] + w["credits"] == w["committed_in_window"] + w["backlog_at_end"]
    # Offered load matches the profile within Poisson noise (4 s x 10,000/s).
    assert abs(s["bets"] - 10_000 * p.duration_s) < 5 * math.sqrt(10_000 * p.duration_s)
    assert abs(s["cross"] / s["bets"] - p.reservation_share) < 0.01


def test_analytic_load_is_conserved():
    p = derby()
    a = sm.analytic(p, CAP)
    markets = {n: v for n, v in a["shards"].items() if n != sm.WALLET}
    assert sum(v["offered_per_s"] for v in markets.values()) == a["total_bets_per_s"] == 10_000
    assert a["cross_shard_bets_per_s"] == pytest.approx(3_000)
    assert a["shards"][sm.WALLET]["offered_per_s"] == pytest.approx(3_000 + 500)


def test_saturation_order_follows_the_reservation_share():
    # Most bets covered by allowances: the derby's league (EPL, alone on m1) saturates first.
    low = sm.analytic(derby(share=0.10), CAP)
    assert low["saturation_order"][0] == "m1"
    assert low["saturation_order"][-1] == "m4"
    # At the derby-day share the wallet shard goes first, then m1.
    mid = sm.analytic(derby(share=0.30), CAP)
    assert mid["saturation_order"][:2] == [sm.WALLET, "m1"]
    assert mid["shards"][sm.WALLET]["saturates_at_x"] == pytest.approx(3822 / 3500)
    # Every bet through the wallet: the wallet carries the whole book's load.
    full = sm.analytic(derby(share=1.0), CAP)
    assert full["saturation_order"][0] == sm.WALLET
    assert full["shards"][sm.WALLET]["utilisation"] > 2.5
    # Only the wallet's load moves with the share.
    for n in derby().shards:
        assert low["shards"][n]["utilisation"] == full["shards"][n]["utilisation"]


def test_a_saturated_shard_backs_up_and_the_others_do_not():
    # At 1.2x the derby load the wallet is over capacity (4,200/s > 3,822/s):
    # its backlog grows with the window; m4 (0.41) keeps only the transaction in flight.
    short = sm.simulate(derby(duration=3.0, scale=1.2), CAP, seed=3)["shards"]
    long = sm.simulate(derby(duration=6.0, scale=1.2), CAP, seed=3)["shards"]
    # (4,200 - 3,822)/s over 3 more seconds: ~1,100 more waiting, less the noise.
    grown = long[sm.WALLET]["backlog_at_end"] - short[sm.WALLET]["backlog_at_end"]
    assert grown > 500
    bound = 1_560 * 0.110 * 2  # m4's offered/s x the longest commit x 2
    assert short["m4"]["backlog_at_end"] < bound and long["m4"]["backlog_at_end"] < bound
    assert abs(long["m4"]["backlog_at_end"] - short["m4"]["backlog_at_end"]) < 200
    assert long[sm.WALLET]["p99_ms"] > 3 * long["m4"]["p99_ms"]


def test_a_lone_bet_pays_exactly_one_commit_per_round():
    # One bet every ~2 s, fixed 80 ms commits: round 1 is 80 ms, the wallet adds 80 ms.
    p = sm.Profile("trickle", 60.0, 1.0, 0.0, {"x": 0.5}, {"m1": ["x"]})
    s = sm.simulate(p, sm.Capacity(1000, 1000, (80.0, 80.0)), seed=1)
    assert s["bets"] > 10
    assert s["round1_p50_ms"] == pytest.approx(80.0)
    assert s["added_p50_ms"] == pytest.approx(80.0)
    assert s["shards"]["m1"]["p50_ms"] == pytest.approx(80.0)
    # A bet that arrives while another's commit runs waits for it: at most one more commit each round.
    assert 160.0 <= s["cross_end_to_end_p99_ms"] <= 320.0


def test_the_extra_round_costs_one_to_two_commits_below_saturation():
    s = sm.simulate(derby(), CAP, seed=11)
    lo, hi = CAP.commit_ms
    assert lo <= s["added_p50_ms"] <= 2 * hi
    assert hi <= s["added_p99_ms"] <= 2 * hi
    assert s["cross_end_to_end_p99_ms"] > s["round1_p99_ms"] + lo


def test_deterministic_by_seed():
    a = sm.simulate(derby(), CAP, seed=20)
    b = sm.simulate(derby(), CAP, seed=20)
    c = sm.simulate(derby(), CAP, seed=21)
    assert a == b
    assert a != c


def test_a_competition_on_two_shards_is_refused():
    p = derby()
    p.shards = copy.deepcopy(p.shards)
    p.shards["m2"].append("EPL")
    with pytest.raises(ValueError, match="EPL"):
        sm.analytic(p, CAP)
    p = derby()
    p.shards = {k: v for k, v in p.shards.items() if k != "m4"}
    with pytest.raises(ValueError, match="Tennis-ATP"):
        sm.simulate(p, CAP)


def test_command_line_prints_the_first_to_saturate():
    out = subprocess.run([sys.executable, MODEL, "--duration", "2"], capture_output=True, text=True,
                         check=True).stdout
    assert "saturates first: wallet (at 1.09x this load)" in out
    assert "cross-shard bets/s 3,000 (analytic)" in out
