"""The README's two-minute tour, run in order against `inplay demo` as a
newcomer would run it (issue 21, item 3), so that it stays true.

The shell block under "## A two-minute tour" is read from README.md and cut
into steps (a comment block and the commands under it); each step runs in
bash exactly as written, with only what a reader fills in replaced: the two
tokens, the demo's URL (port 0 here), the trace id of the first bet, the
settled bet's id, `build/inplay` and `scenarios/` (the demo's data dir is
linked as ./inplay-demo-data, its default). After each step the
test checks what the README says it shows — against the commands' output and
the API at that moment; a step `sleep N; ...` must show what it claims
within N s (the half-time incident fired, acted and said so; the bet
settled). A step added to the README runs
too; a claim changed in it fails here until the test says the same.
"""
import json
import os
import re
import subprocess
import time

import requests

from conftest import BIN
from test_warroom import Demo

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def tour_steps():
    """[(comments, commands)] of the README's tour block, in order."""
    text = open(os.path.join(ROOT, "README.md")).read()
    tour = text[text.index("## A two-minute tour"):]
    block = tour[tour.index("```sh\n") + 6:]
    block = block[:block.index("\n```")]
    lines, buf = [], ""
    for raw in block.splitlines():  # join continuation lines
        buf += raw + "\n" if raw.endswith("\\") else raw  # bash reads the backslash-newline as one line
        if not raw.endswith("\\"):
            lines.append(buf)
            buf = ""
    steps, comments, commands = [], [], []
    for line in lines:
        if line.startswith("#") or not line.strip():
            if commands:
                steps.append((comments, commands))
                comments, commands = [], []
            if line.strip():
                comments.append(line)
        else:
            commands.append(line)
    if commands:
        steps.append((comments, commands))
    return steps


class Tour:
    def __init__(self, demo, cwd):
        self.demo = demo
        self.cwd = cwd
        self.trace_id = None
        self.first_bet = None  # the tour-1 answer, as its repeat must be
        self.bet_id = None  # the tour-4 bet, whose settlement the tour shows
        self.outputs = []
        self.variables = []  # the tour's `C=...; O=...` and `B=...` lines: each step runs in its own bash

    def fill(self, command):
        d = self.demo
        out = (command.replace("<channel token>", d.channel).replace("<operator token>", d.operator)
               .replace("http://127.0.0.1:8080", d.url).replace("build/inplay", BIN)
               .replace("scenarios/", os.path.join(ROOT, "scenarios") + "/"))
        if "<trace_id>" in out:
            assert self.trace_id, "the tour shows a trace before any bet gave its id"
            out = out.replace("<trace_id>", self.trace_id)
        if "<bet_id>" in out:
            assert self.bet_id, "the tour shows a bet before placing it"
            out = out.replace("<bet_id>", self.bet_id)
        assert "<" not in re.sub(r"<<|<\(|'[^']*'", "", out), f"a placeholder is left: {out}"
        return out

    def run(self, commands):
        filled = [self.fill(c) for c in commands]
        self.variables += [c for c in filled if re.match(r"^[A-Z]\w*=[^$(]*$", c)]
        return self.bash(filled)

    def bash(self, lines):
        # As in a reader's shell: no pipefail (`| head -40` may cut a pipe short).
        script = "\n".join(self.variables + lines)
        return subprocess.run(["bash", "-c", script], cwd=self.cwd, capture_output=True, text=True, timeout=120)

    def run_and_check(self, comments, commands):
        """A step whose line starts `sleep N; ...` claims that after N s the
        rest shows something: the lines before it run once, then the rest
        (without the sleep) until the step's check holds, for at most N s —
        the README's claim, without always waiting all of it."""
        at = next((i for i, c in enumerate(commands) if re.match(r"sleep \d+; ", c)), None)
        if at is None:
            check_step(self, comments, commands, self.run(commands))
            return
        before = self.run(commands[:at])
        assert before.returncode == 0, (commands[:at], before.stdout, before.stderr)
        if any("Idempotency-Key: tour-4" in c for c in commands[:at]):  # the bet whose settlement the rest shows
            bet = outputs(before.stdout)[0]
            assert bet["status"] == "accepted" and bet["selection_id"] == 9012, bet
            self.bet_id = bet["bet_id"]
        n = int(re.match(r"sleep (\d+); ", commands[at]).group(1))
        rest = [re.sub(r"^sleep \d+; ", "", commands[at])] + commands[at + 1:]
        deadline = time.time() + n
        while True:
            r = self.bash([self.fill(c) for c in rest])
            r.stdout = before.stdout + r.stdout
            try:
                check_step(self, comments, commands, r)
                return
            except Exception:  # not yet: an assertion, or an error body where the step shows a result
                if time.time() > deadline:
                    raise
            time.sleep(1)

    def get(self, path):
        r = requests.get(self.demo.url + path, headers=self.demo.h(), timeout=10)
        assert r.status_code == 200, (path, r.status_code, r.text)
        return r.json()


def json_at(dec, text, i):
    try:
        return dec.raw_decode(text, i)
    except json.JSONDecodeError:
        return None


def outputs(out):
    """The commands' outputs in order: each JSON value (the API's bodies end
    without a newline, so two curls print on one line) or line of text."""
    got, i, dec = [], 0, json.JSONDecoder()
    while i < len(out):
        if out[i].isspace():
            i += 1
        elif out[i] in "{[" and (value := json_at(dec, out, i)):
            got.append(value[0])
            i = value[1]
        else:  # text, or a fragment of JSON (a grep of a pretty-printed body)
            end = out.find("\n", i)
            end = len(out) if end < 0 else end
            got.append(out[i:end].strip())
            i = end
    return got


def check_step(tour, comments, commands, r):
    """What the README says this step shows, checked."""
    text = " ".join(commands)
    out = r.stdout
    if "v1/events" in text:
        assert '"events"' in out and '"markets"' in out, out
        events = tour.get("/v1/events")["events"]
        live = [e for e in events if e["state"] == "in_play"]
        assert live and all(e["score"] is not None and (e["minute"] is not None or e["period"] == "half_time")
                            for e in live), live
    elif "Idempotency-Key: tour-1" in text and tour.first_bet is None:
        bet = json.loads(out)
        assert bet["status"] == "accepted" and bet["selection_id"] == 3011, bet
        tour.first_bet = out
        tour.trace_id = bet["trace_id"]
    elif "Idempotency-Key: tour-1" in text:
        assert out == tour.first_bet, f"the repeat is not byte for byte the same:\n{out}\n{tour.first_bet}"
    elif "v1/settlement" in text:
        _, bet, *_ = outputs(out)  # the tour-4 bet as placed, then as settled
        assert bet["bet_id"] == tour.bet_id and bet["status"] == "settled" and bet["outcome"] in ("win", "lose"), bet
        assert '"certainty": "confirmed"' in out and '"settled"' in out, out
    elif "settle-check" in text:
        assert outputs(out)[0] == {"id": "b1", "outcome": "half_win", "return": 1475}, out
    elif "Idempotency-Key: tour-2" in text:
        assert json.loads(out)["status"] == "accepted", out
    elif "v1/admin/state" in text:
        account, state = outputs(out)
        assert account["reserved"] > 0 and state["ledger_sum"] == 0, out
    elif "Idempotency-Key: tour-3" in text:
        suspended, refused = outputs(out)
        assert suspended["status"] == "suspended" and refused["error"]["code"] == "MARKET_SUSPENDED", out
    elif '"stall":true' in text:
        assert outputs(out)[-1] == "suspended FEED_DOWN", out
    elif '"to":"backup"' in text:
        switched, market = outputs(out)
        assert switched["active"] == "football-backup" and market.startswith("open"), out
    elif '"to":"primary"' in text:
        assert outputs(out)[-1]["active"] == "football-primary", out
    elif "v1/traces/" in text:
        names = {s["name"] for s in json.loads(out)["spans"]}
        assert {"gateway", "risk", "wallet", "journal"} <= names, names
    elif "bets_total" in text:
        assert re.search(r"^bets_total\{", out, re.M) and "bet_accept_latency_seconds_count" in out, out
    elif "v1/slos" in text:
        assert '"slos"' in out and '"budget_judged"' in out, out
    elif "skew_leagues" in text:
        check_halftime(tour, out)
    elif "deploy-guard" in text:
        assert r.returncode == 1 and json.loads(out)["blocked"] is True, (r.returncode, out, r.stderr)
        return
    elif "synthetic_" in text:
        assert re.search(r"^synthetic_rounds_total \d+$", out, re.M) and "synthetic_failed_rounds 0" in out, out
    elif "halftime.yaml" in text:
        assert "gameday halftime: PASS" in out and "# Game day: halftime" in out, out + r.stderr
        assert "gameday kickoff-surge: PASS" in out, out + r.stderr
    elif "inplay replay" in text:
        at_seq, now = outputs(out)
        assert at_seq["seq"] == 600 and at_seq["ledger_sum"] == 0 and at_seq["state_hash"], at_seq
        assert now["seq"] > 600 and now["ledger_sum"] == 0 and now["bets"], now
    elif "sqlite3" in text:
        assert re.search(r"\|alice\|1000\|", out), out
    assert r.returncode == 0, f"{commands}: rc {r.returncode}\n{out}\n{r.stderr}"


def check_halftime(tour, out):
    """At the end of the README's sleep: the half-time incident has fired,
    is High Exposure, froze cash-out on EPL and switched football to the
    backup, and its post-mortem says so, in money with a currency."""
    skewed = [i for i in tour.get("/v1/incidents")["incidents"] if "feed_schema_skew" in i["alerts"]]
    assert len(skewed) == 1, skewed
    inc = skewed[0]
    assert inc["group_labels"].get("league") == "EPL", inc
    assert inc["high_exposure"] is True, inc
    done = {a["action"] for a in inc["actions"] if a["status"] == "done"}
    assert {"freeze_cashout", "switch_feed"} <= done, inc["actions"]
    assert inc["markets"] and inc["exposure_minor"] > 0, inc
    assert tour.get("/v1/feeds")["sports"][0]["active"] == "football-backup"
    pm = out[out.index(f"# Post-mortem: incident {inc['id']} "):]
    assert f"- Markets: {len(inc['markets'])} (" in pm, pm
    assert re.search(r"- Liability on them: £[\d,]+\.\d\d ", pm) and "£0.00" not in pm, pm
    assert "High Exposure" in pm and "| freeze_cashout |" in pm and "| switch_feed |" in pm, pm
    assert "minor units" not in pm, pm


def feeds_have_spoken(demo):
    events = requests.get(demo.url + "/v1/events", headers=demo.h(demo.channel), timeout=5).json()["events"]
    live = [e for e in events if e["state"] == "in_play"]
    return live and all(e["score"] is not None for e in live)


def test_the_readme_tour_in_order(tmp_path):
    demo = Demo(tmp_path)
    try:
        # "Open the war room at http://127.0.0.1:8080/"
        page = requests.get(demo.url + "/", timeout=5)
        assert page.status_code == 200 and "Inplay war room" in page.text
        # ...and paste the token: by then the feeds have priced the matches in
        # play and said their score (bounded: a demo that never does fails).
        deadline = time.time() + 30
        while not feeds_have_spoken(demo) and time.time() < deadline:
            time.sleep(0.2)
        # The reader runs the demo where the tour runs, with its default data
        # dir (inplay-demo-data: the replay and SQL steps read it).
        os.symlink(demo.dir / "data", tmp_path / "inplay-demo-data")
        tour = Tour(demo, tmp_path)
        steps = tour_steps()
        assert len(steps) >= 15, steps
        for comments, commands in steps:
            tour.run_and_check(comments, commands)
    finally:
        demo.stop()
