"""The half-time incident (REQUIREMENTS "The half-time incident"), as a test.

On the simulated clock and the simulated world: steady bets on two EPL
matches and a Championship match near half-time; then the primary feed's
parser gets a schema skew on EPL only (a silent deploy), EPL prices stop,
and the risk check waits for prices that never come. Inplay must detect it
(an alert naming league=EPL), group it into ONE incident (not one page per
market), tag it High Exposure, freeze cash-out on the affected markets and
switch football to the backup feed before the first waiting bet's in-play
delay ends, so accept p99 never leaves 250 ms (without the playbooks the same
fault drives it to ~2 s), with no bet accepted on a stale price at any time.
The times (fault to alert, alert to action, fault to switch) are printed and
asserted (at most 10 s, 5 s and 10 s).
"""
import concurrent.futures
import datetime
import json
import os

import requests

from conftest import BookProcess, SIM_START, wait_for

FEEDS = """
sim_world: true
sim_seed: 11
feeds:
  - {name: football-primary, sport: football, role: primary, alive_timeout_ms: 3000}
  - {name: football-backup, sport: football, role: backup, alive_timeout_ms: 3000}
  - {name: football-reference, sport: football, role: reference, alive_timeout_ms: 3000}
incidents:
  playbook_file: playbooks.yaml
"""

PLAYBOOKS = """
version: 1
routing:
  group_by: [service, league]
  group_wait: 1s
  high_exposure_minor: 50000
guards:
  revert_after: 10m
  dry_run: {dry_run}
playbooks:
  - name: stale_prices_on_top_markets
    when: {alertname: odds_stale}
    actions:
      - {do: freeze_cashout, scope: league}
      - {do: switch_feed}
"""

# Two EPL matches and one Championship match, 44 minutes in at 15:00.
WORLD = """
events:
""" + "".join(f"""  - id: {eid}
    league: {league}
    home: {home}
    away: {away}
    kickoff: "2026-11-28T14:16:00Z"
    state: in_play
    markets:
      - id: {eid}01
        type: match_result
        selections:
          - {{id: {eid}011, name: home, odds: "2.10"}}
          - {{id: {eid}012, name: draw, odds: "3.40"}}
          - {{id: {eid}013, name: away, odds: "3.60"}}
      - id: {eid}02
        type: total_goals
        line: 2.5
        selections:
          - {{id: {eid}021, name: over, odds: "1.90"}}
          - {{id: {eid}022, name: under, odds: "1.90"}}
""" for eid, league, home, away in [(1, "EPL", "Arsenal", "Chelsea"), (2, "EPL", "Liverpool", "Everton"),
                                   (3, "Championship", "Leeds", "Sunderland")]) + """
accounts:
""" + "".join(f"  - {{id: punter{i}, deposit: 10000000}}\n" for i in range(12))

AIM_P99_S = 0.25  # accept p99 (over 10 s) the book must hold through the fault

EPL_SELECTIONS = [1011, 1012, 1013, 1021, 2011, 2012, 2013, 2021]
CHAMP_SELECTIONS = [3011, 3012, 3021]


def ts(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def place(url, token, body, key):
    r = requests.post(url + "/v1/bets", json=body, timeout=60,
                      headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})
    return r.status_code, r.json()


def test_halftime_incident_detected_grouped_and_fixed(tmp_path):
    """Playbooks on: Inplay acts by itself within seconds."""
    _play(tmp_path, act=True)


def test_halftime_incident_without_playbooks_names_the_slice_from_traces(tmp_path):
    """The same fault with the playbooks in dry run: nothing is switched, EPL
    bets wait for prices and are refused, accept p99 rises, and the slice
    finder names league=EPL and the skewed parser schema from the traces."""
    _play(tmp_path, act=False)


def _play(tmp_path, act):
    (tmp_path / "playbooks.yaml").write_text(PLAYBOOKS.replace("{dry_run}", "false" if act else "true"))
    b = BookProcess(tmp_path, extra_top=FEEDS, world=WORLD)
    b.start()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=32)
    try:
        _run(b, pool, act)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        b.stop()


def _run(b, pool, act):
    sim0 = ts(SIM_START)
    now = sim0
    futures = []
    n = 0

    def bets_this_second(big=False):
        nonlocal n
        for sels in (EPL_SELECTIONS, EPL_SELECTIONS, CHAMP_SELECTIONS):
            sel = sels[n % len(sels)]
            stake = 40000 if big else 200
            body = {"account": f"punter{n % 12}", "selection_id": sel, "stake": stake, "currency": "GBP",
                    "odds": "1.01", "price_change": "any"}
            futures.append((sel, pool.submit(place, b.url, b.channel_token, body, f"ht-{n}")))
            n += 1

    def enqueued():
        # Bets the engine has seen: decided (a response) or waiting in their
        # in-play delay. The clock must not move while a bet is still on its
        # way in, or its accept latency would include the jump.
        text = b.get("/metrics").text
        pending = 0
        for line in text.splitlines():
            if line.startswith("bets_pending "):
                pending = float(line.split()[1])
        return sum(1 for _, f in futures if f.done()) + pending

    def step(ms=1000):
        nonlocal now
        try:
            wait_for(lambda: enqueued() >= len(futures), timeout=60, step=0.005)
        except AssertionError:
            raise AssertionError(f"{len(futures) - enqueued():.0f} of {len(futures)} bets never reached the "
                                 f"engine; moving the clock now would put the jump in their latency") from None
        now = b.advance(ms)["now_ms"] / 1000.0

    # Feeds up and prices flowing.
    for _ in range(5):
        step()
    feeds = {f["name"]: f for f in b.get("/v1/feeds", token="operator").json()["feeds"]}
    assert feeds["football-primary"]["state"] == "up", feeds

    # Steady load: 30 s at 3 bets per second (a few big EPL stakes for exposure).
    for i in range(30):
        bets_this_second(big=(i % 10 == 0))
        step()
    baseline = b.get("/v1/slos", token="operator").json()
    assert b.get("/v1/incidents", token="operator").json()["incidents"] == [], \
        json.dumps(b.get("/v1/incidents", token="operator").json(), indent=1)

    # Half-time: a silent deploy gives the primary's parser a schema skew on EPL.
    r = b.post("/v1/sim/feeds/football-primary/faults", token="operator",
               json={"skew_leagues": ["EPL"], "skew_mode": "version", "skew_version": "2.0"})
    assert r.status_code == 200, r.text
    fault = now
    p99_series = []  # (book seconds since the fault, accept p99 over the last 10 s)
    for _ in range(45):
        bets_this_second()
        step()
        slos = b.get("/v1/slos", token="operator").json()
        p99_series.append((round(now - fault, 1), slos["accept_p99_10s_seconds"]))
    for _ in range(8):  # the last bets' in-play delay runs out
        step()
    for sel, f in futures:
        f.result(timeout=60)

    incidents = b.get("/v1/incidents", token="operator").json()["incidents"]
    # One odds incident for the league, not one page per market. (Without the
    # playbooks, the waiting EPL bets also burn the bets service's accept
    # latency SLO: a second service, a second group.)
    odds = [i for i in incidents if i["group_labels"].get("service") == "odds"]
    assert len(odds) == 1, json.dumps(incidents, indent=1)
    if act:
        assert len(incidents) == 1, json.dumps(incidents, indent=1)
    inc = b.get(f"/v1/incidents/{odds[0]['id']}", token="operator").json()
    assert inc["group_labels"] == {"service": "odds", "league": "EPL"}, inc
    # The markets its alerts named (those that went stale before the switch).
    assert inc["markets"] and set(inc["markets"]) <= {101, 102, 201, 202}, inc["markets"]
    assert inc["high_exposure"], inc
    assert "league=EPL" in inc["slice"], inc["slice"]
    steps = [e["step"] for e in inc["timeline"]]
    assert steps[0] == "detect" and "contain" in steps
    detected = ts(inc["detected_at"])
    fault_to_alert = detected - fault
    peak = max(p for _, p in p99_series)
    if not act:
        _check_without_playbooks(b, inc, futures, fault, fault_to_alert, peak, p99_series)
        return
    done = {a["action"]: a for a in inc["actions"] if a["status"] == "done"}
    assert set(done) == {"freeze_cashout", "switch_feed"}, inc["actions"]
    assert "football-backup" in done["switch_feed"]["detail"]

    # The book agrees: backup active, cash-out frozen on every EPL market
    # (the playbook's scope is the league), not on the Championship, audited.
    assert b.get("/v1/feeds", token="operator").json()["sports"][0]["active"] == "football-backup"
    for mid in (101, 102, 201, 202):
        m = b.get(f"/v1/markets/{mid}").json()
        assert m["cashout"]["frozen"] and m["cashout"]["actor"] == "playbook:stale_prices_on_top_markets", m
    assert not b.get("/v1/markets/301").json()["cashout"]["frozen"]

    contained = ts(inc["contained_at"])
    switched = ts(done["switch_feed"]["at"])
    # No bet accepted on a stale price: between the moment EPL prices went
    # past their 1.5 s limit and the switch, no EPL bet was accepted.
    stale_from = fault + 1.5
    accepted = 0
    for sel, f in futures:
        status, body = f.result()
        if status != 201:
            continue
        accepted += 1
        if sel in EPL_SELECTIONS:
            at = ts(body["accepted_at"])
            assert not (stale_from < at < switched), (sel, body)
    assert accepted > 50

    # Accept p99 covers EPL bets after the fault, not only Championship ones.
    epl_after_switch = sum(1 for sel, f in futures if sel in EPL_SELECTIONS and f.result()[0] == 201
                           and ts(f.result()[1]["accepted_at"]) > switched)
    assert epl_after_switch > 10, epl_after_switch

    alert_to_action = contained - detected
    above_aim = [(t, p) for t, p in p99_series if p > AIM_P99_S]
    report = {
        "playbooks": "on",
        "fault_to_alert_s": round(fault_to_alert, 2),
        "alert_to_action_s": round(alert_to_action, 2),
        "fault_to_switch_s": round(switched - fault, 2),
        "p99_seconds_above_aim": len(above_aim),
        "baseline_accept_p99_s": baseline["accept_p99_seconds"],
        "peak_accept_p99_10s_s": peak,
        "slice": inc["slice"],
    }
    _report(report)
    assert fault_to_alert <= 10, report
    assert alert_to_action <= 5, report
    assert switched - fault <= 10, report
    # The shape of accept p99 (10 s window) over the 45 s after the fault. The
    # same fault without the playbooks (the dry-run test) drives it to ~2 s
    # once the first EPL bets' in-play delay ends: they find no price newer
    # than themselves and wait for one until refused. It falls back under the
    # aim by itself within ~20 s, once every EPL bet is refused at once as
    # stale (fail closed) — so "rose, then recovered within 30 s" holds with or
    # without a playbook and cannot tell them apart. What the playbook buys is
    # that p99 never rises: its switch comes before the first delay ends, so
    # no bet waits for a price. A playbook that acts late, or not at all,
    # fails here.
    assert not above_aim, (f"accept p99 rose above {AIM_P99_S}s after the fault (the playbook did not "
                           f"act before the bets' in-play delay ended): {p99_series}")


def _check_without_playbooks(b, inc, futures, fault, fault_to_alert, peak, p99_series):
    statuses = {a["status"] for a in inc["actions"]}
    assert statuses == {"dry_run"}, inc["actions"]
    assert b.get("/v1/feeds", token="operator").json()["sports"][0]["active"] == "football-primary"
    # Traces name the slice: EPL bets and the skewed schema are over-represented.
    assert "(" in inc["slice"] and not inc["slice"].startswith("alert labels"), inc["slice"]
    assert "league=EPL" in inc["slice"] and "parser_schema=2.0" in inc["slice"], inc["slice"]
    assert inc["trace_ids"], inc
    refused = 0
    for sel, f in futures:
        status, body = f.result()
        if sel in EPL_SELECTIONS and status == 409 and body["error"]["code"] in ("PRICE_STALE", "PRICE_CHANGED"):
            refused += 1
    assert refused > 10
    assert peak > AIM_P99_S, p99_series
    _report({"playbooks": "dry run", "fault_to_alert_s": round(fault_to_alert, 2),
             "peak_accept_p99_10s_s": peak, "p99_10s_at_end_s": p99_series[-1][1],
             "epl_bets_refused": refused, "slice": inc["slice"]})


def _report(report):
    print("HALF-TIME INCIDENT:", json.dumps(report))
    out = os.environ.get("INPLAY_HALFTIME_REPORT")
    if out:
        with open(out, "a") as fh:
            fh.write(json.dumps(report) + "\n")
