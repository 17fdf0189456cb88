#!/usr/bin/env python3
"""The sharded book in simulation (issue 20, item 4; docs/scale-out.md).

A small, deterministic model of the design in docs/scale-out.md: market
shards (each a set of competitions, one Kafka partition, one transactional
id, one leader) and one wallet shard. A bet is committed on its market shard
(round 1: one group-commit transaction); a bet whose stake is not covered by
the account's allowance on that shard also needs a reservation on the wallet
shard (round 2: a consume-transform-produce transaction there) before it is
acknowledged. Cash-outs and settlements add credits to the wallet shard.

Two parts:
  * analytic: offered load per shard, utilisation = load / capacity, the
    cross-shard transaction rate, and the load multiplier at which each shard
    saturates (so: which shard saturates first);
  * discrete-event: every shard is a group-commit server. While bets wait,
    the journal runs one transaction after another, each taking everything
    waiting (up to B = capacity x mean commit time bets) and lasting one
    commit time drawn from U(commit_lo, commit_hi). Arrivals are Poisson.
    The wallet shard's arrivals are the market shards' commits (so it sees
    their batches), plus Poisson credits. All randomness comes from one
    random.Random(seed): the same arguments give the same output.

Inputs default to figures measured on this project's machine kind
(docs/benchmarks.md, docs/kafka.md, docs/storage.md); the load profile is an
assumption, not a published figure (docs/scale-out.md says which).

Python 3 standard library only. `python3 bench/shard_model.py --help`.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
from dataclasses import dataclass, field

# Measured here (docs/benchmarks.md and docs/kafka.md, commands there).
MEASURED = {
    # build/engine_bench --benchmark_filter=EnginePlaceBet (headline)
    "engine_placements_per_s": 271_800,
    # bench/http_bench.sh 3 10 32 64: accepted bets/s at 64 connections, file journal
    "http_bets_per_s_c64": 10_192,
    # bench/kafka_journal_bench.py 512 10: file journal / Kafka journal
    "file_journal_bets_per_s_c512": 14_174,
    "kafka_journal_bets_per_s_c512": 3_822,
    # docs/kafka.md: one transaction commit on the 3-broker loopback cluster
    "kafka_commit_ms": (60.0, 110.0),
    # build/history_bench: PostgreSQL, pipelined, audit rows included
    "pg_history_records_per_s": 15_000,
}

WALLET = "wallet"


@dataclass
class Profile:
    name: str
    duration_s: float
    reservation_share: float          # share of bets needing a wallet reservation
    credits_per_bet: float            # wallet credits (cash-outs, settlements) per bet
    competitions: dict                # competition -> bets/s at peak
    shards: dict                      # market shard -> [competitions]


def derby_day() -> Profile:
    """The peak minute of a derby Saturday (an assumption, see docs/scale-out.md):
    10,000 bets/s across the operator, a third of them on the derby's league."""
    return Profile(
        name="derby-day",
        duration_s=20.0,
        reservation_share=0.30,
        credits_per_bet=0.05,
        competitions={
            "EPL": 3_000,            # the derby's league: the hottest competition
            "Championship": 600,
            "LaLiga": 1_200,
            "SerieA": 900,
            "Bundesliga": 800,
            "Ligue1": 500,
            "UCL": 0,                # not playing on a Saturday
            "Tennis-ATP": 900,
            "Tennis-WTA": 400,
            "NBA": 700,
            "Cricket-IPL": 600,
            "Horse-racing-UK": 400,
        },
        shards={
            "m1": ["EPL"],
            "m2": ["Championship", "LaLiga"],
            "m3": ["SerieA", "Bundesliga", "Ligue1", "UCL"],
            "m4": ["Tennis-ATP", "Tennis-WTA"],
            "m5": ["NBA", "Cricket-IPL", "Horse-racing-UK"],
        },
    )


def load_profile(path: str) -> Profile:
    with open(path) as f:
        d = json.load(f)
    return Profile(d["name"], float(d["duration_s"]), float(d["reservation_share"]),
                   float(d.get("credits_per_bet", 0.0)), dict(d["competitions"]), dict(d["shards"]))


@dataclass
class Capacity:
    market_bets_per_s: float = float(MEASURED["kafka_journal_bets_per_s_c512"])
    wallet_ops_per_s: float = float(MEASURED["kafka_journal_bets_per_s_c512"])
    commit_ms: tuple = MEASURED["kafka_commit_ms"]

    def batch(self, per_s: float) -> int:
        """Bets per transaction that give `per_s` at the mean commit time."""
        mean_s = (self.commit_ms[0] + self.commit_ms[1]) / 2000.0
        return max(1, int(round(per_s * mean_s)))


def validate(p: Profile) -> None:
    placed = [c for cs in p.shards.values() for c in cs]
    dup = sorted({c for c in placed if placed.count(c) > 1})
    if dup:
        raise ValueError(f"competition on more than one shard: {', '.join(dup)}")
    missing = sorted(set(p.competitions) - set(placed))
    if missing:
        raise ValueError(f"competition on no shard: {', '.join(missing)}")
    unknown = sorted(set(placed) - set(p.competitions))
    if unknown:
        raise ValueError(f"shard lists an unknown competition: {', '.join(unknown)}")
    if WALLET in p.shards:
        raise ValueError(f"'{WALLET}' is the wallet shard's name")
    if not 0.0 <= p.reservation_share <= 1.0:
        raise ValueError("reservation_share must be in [0, 1]")


def analytic(p: Profile, cap: Capacity) -> dict:
    """Offered load, utilisation and saturation point per shard."""
    validate(p)
    shards = {}
    total = 0.0
    for s, comps in p.shards.items():
        lam = float(sum(p.competitions[c] for c in comps))
        total += lam
        shards[s] = {"offered_per_s": lam, "capacity_per_s": cap.market_bets_per_s}
    reservations = total * p.reservation_share
    credits = total * p.credits_per_bet
    shards[WALLET] = {"offered_per_s": reservations + credits, "capacity_per_s": cap.wallet_ops_per_s}
    for v in shards.values():
        v["utilisation"] = v["offered_per_s"] / v["capacity_per_s"]
        v["saturates_at_x"] = math.inf if v["offered_per_s"] == 0 else v["capacity_per_s"] / v["offered_per_s"]
    order = sorted(shards, key=lambda s: (-shards[s]["utilisation"], s))
    return {
        "total_bets_per_s": total,
        "cross_shard_bets_per_s": reservations,
        "wallet_credits_per_s": credits,
        "shards": shards,
        "saturation_order": order,
    }


def poisson_arrivals(rng: random.Random, rate: float, duration: float) -> list:
    out, t = [], 0.0
    if rate <= 0:
        return out
    while True:
        t += rng.expovariate(rate)
        if t >= duration:
            return out
        out.append(t)


def group_commit(arrivals: list, batch: int, rng: random.Random, commit_ms: tuple) -> tuple:
    """One shard's journal: transactions back to back while anything waits,
    each taking up to `batch` of the waiting items. arrivals sorted.
    Returns (commit time of each item, number of transactions)."""
    lo, hi = commit_ms[0] / 1000.0, commit_ms[1] / 1000.0
    done = [0.0] * len(arrivals)
    i, t, txns, n = 0, 0.0, 0, len(arrivals)
    while i < n:
        if t < arrivals[i]:
            t = arrivals[i]  # idle: the next transaction starts when an item is appended
        j = i
        while j < n and j - i < batch and arrivals[j] <= t:
            j += 1
        t += rng.uniform(lo, hi)
        for k in range(i, j):
            done[k] = t
        i, txns = j, txns + 1
    return done, txns


def pct(xs: list, q: float) -> float:
    """Nearest-rank percentile (q in [0, 100]); 0.0 for an empty list."""
    if not xs:
        return 0.0
    s = sorted(xs)
    k = max(0, min(len(s) - 1, math.ceil(q / 100.0 * len(s)) - 1))
    return s[k]


def simulate(p: Profile, cap: Capacity, seed: int = 20) -> dict:
    """The discrete-event run: per-shard latencies, the wallet round's added
    latency, backlog at the end of the window and the bet counts."""
    validate(p)
    rng = random.Random(seed)
    shards = {}
    wallet_in = []          # (arrival at the wallet, market round-1 arrival time)
    total = local = cross = 0
    round1_all = []
    for s in sorted(p.shards):
        lam = float(sum(p.competitions[c] for c in p.shards[s]))
        arr = poisson_arrivals(rng, lam, p.duration_s)
        done, txns = group_commit(arr, cap.batch(cap.market_bets_per_s), rng, cap.commit_ms)
        needs = [rng.random() < p.reservation_share for _ in arr]
        lat = [d - a for a, d in zip(arr, done)]
        round1_all += lat
        n_cross = sum(needs)
        for a, d, x in zip(arr, done, needs):
            if x:
                wallet_in.append((d, a))
        shards[s] = {
            "bets": len(arr), "cross": n_cross, "local": len(arr) - n_cross,
            "transactions": txns,
            "committed_in_window": sum(1 for d in done if d <= p.duration_s),
            "backlog_at_end": sum(1 for a, d in zip(arr, done) if d > p.duration_s),
            "p50_ms": pct(lat, 50) * 1000, "p99_ms": pct(lat, 99) * 1000,
        }
        total += len(arr)
        cross += n_cross
        local += len(arr) - n_cross
    # Credits (cash-outs, settlements) reach the wallet as their own Poisson stream.
    credits = poisson_arrivals(rng, total / p.duration_s * p.credits_per_bet if p.duration_s else 0, p.duration_s)
    items = sorted([(t, "r", a) for t, a in wallet_in] + [(t, "c", t) for t in credits])
    w_arr = [t for t, _, _ in items]
    w_done, w_txns = group_commit(w_arr, cap.batch(cap.wallet_ops_per_s), rng, cap.commit_ms)
    added, end_to_end = [], []
    for (t, kind, first), d in zip(items, w_done):
        if kind == "r":
            added.append(d - t)
            end_to_end.append(d - first)
    wlat = [d - t for t, d in zip(w_arr, w_done)]
    shards[WALLET] = {
        "bets": len(wallet_in), "cross": len(wallet_in), "local": 0, "credits": len(credits),
        "transactions": w_txns,
        "committed_in_window": sum(1 for d in w_done if d <= p.duration_s),
        "backlog_at_end": sum(1 for d in w_done if d > p.duration_s),
        "p50_ms": pct(wlat, 50) * 1000, "p99_ms": pct(wlat, 99) * 1000,
    }
    return {
        "seed": seed,
        "bets": total, "local": local, "cross": cross, "credits": len(credits),
        "cross_shard_txns_per_s": w_txns / p.duration_s if p.duration_s else 0.0,
        "round1_p50_ms": pct(round1_all, 50) * 1000,
        "round1_p99_ms": pct(round1_all, 99) * 1000,
        "added_p50_ms": pct(added, 50) * 1000,
        "added_p99_ms": pct(added, 99) * 1000,
        "cross_end_to_end_p99_ms": pct(end_to_end, 99) * 1000,
        "shards": shards,
    }


def report(p: Profile, cap: Capacity, seed: int) -> tuple:
    a = analytic(p, cap)
    s = simulate(p, cap, seed)
    lines = [
        f"profile {p.name}: {a['total_bets_per_s']:,.0f} bets/s for {p.duration_s:g} s, "
        f"reservation share {p.reservation_share:.2f}, credits per bet {p.credits_per_bet:.2f}, seed {seed}",
        f"capacity per market shard {cap.market_bets_per_s:,.0f}/s, wallet {cap.wallet_ops_per_s:,.0f}/s, "
        f"commit U({cap.commit_ms[0]:g}, {cap.commit_ms[1]:g}) ms, "
        f"batch <= {cap.batch(cap.market_bets_per_s)} / {cap.batch(cap.wallet_ops_per_s)}",
        "",
        f"{'shard':<7} {'offered/s':>10} {'util':>6} {'sat at':>7} {'items':>8} {'txns':>6} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'backlog':>8}",
    ]
    for name in a["saturation_order"]:
        v, r = a["shards"][name], s["shards"][name]
        sat = "never" if math.isinf(v["saturates_at_x"]) else f"{v['saturates_at_x']:.2f}x"
        lines.append(f"{name:<7} {v['offered_per_s']:>10,.0f} {v['utilisation']:>6.2f} {sat:>7} "
                     f"{r['bets'] + r.get('credits', 0):>8,} {r['transactions']:>6,} "
                     f"{r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['backlog_at_end']:>8,}")
    first = a["saturation_order"][0]
    lines += [
        "",
        f"bets {s['bets']:,} = local {s['local']:,} + cross-shard {s['cross']:,}; wallet credits {s['credits']:,}",
        f"cross-shard bets/s {a['cross_shard_bets_per_s']:,.0f} (analytic), "
        f"wallet transactions/s {s['cross_shard_txns_per_s']:.1f} (simulated)",
        f"round 1 (market shard) p50 / p99: {s['round1_p50_ms']:.1f} / {s['round1_p99_ms']:.1f} ms",
        f"added by the wallet round, p50 / p99: {s['added_p50_ms']:.1f} / {s['added_p99_ms']:.1f} ms; "
        f"cross-shard bet end to end p99 {s['cross_end_to_end_p99_ms']:.1f} ms",
        f"saturates first: {first} (at {a['shards'][first]['saturates_at_x']:.2f}x this load)",
    ]
    return "\n".join(lines), a, s


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--profile", default="derby-day", help="derby-day or a JSON file (keys: see Profile)")
    ap.add_argument("--seed", type=int, default=20)
    ap.add_argument("--duration", type=float, help="seconds of peak simulated (profile's otherwise)")
    ap.add_argument("--share", type=float, help="share of bets needing a wallet reservation")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every competition's bets/s")
    ap.add_argument("--market-capacity", type=float, default=MEASURED["kafka_journal_bets_per_s_c512"])
    ap.add_argument("--wallet-capacity", type=float, default=MEASURED["kafka_journal_bets_per_s_c512"])
    ap.add_argument("--commit-ms", default="60,110", help="commit time range lo,hi in ms")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    p = derby_day() if args.profile == "derby-day" else load_profile(args.profile)
    if args.duration is not None:
        p.duration_s = args.duration
    if args.share is not None:
        p.reservation_share = args.share
    p.competitions = {c: v * args.scale for c, v in p.competitions.items()}
    lo, hi = (float(x) for x in args.commit_ms.split(","))
    cap = Capacity(args.market_capacity, args.wallet_capacity, (lo, hi))
    try:
        text, a, s = report(p, cap, args.seed)
    except ValueError as e:
        print(f"shard_model: {e}", file=sys.stderr)
        return 2
    if args.json:
        json.dump({"analytic": a, "simulation": s}, sys.stdout, indent=1, default=str)
        print()
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
