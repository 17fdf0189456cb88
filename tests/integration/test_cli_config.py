"""The command line: help for every command, config errors with file, line
and reason, the demo's two tokens, and `serve` from the shipped example."""
import os
import re
import subprocess
import time

import pytest
import requests

from conftest import BIN, check_no_fixed_dates, make_config

ROOT = os.path.join(os.path.dirname(__file__), "../..")


def run(*args, timeout=20):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("cmd", [[], ["demo"], ["serve"], ["loadgen"], ["ceiling"], ["journal", "verify"],
                                 ["audit", "verify"], ["token"]])
def test_help_explains_every_command(cmd):
    r = run(*cmd, "--help")
    assert r.returncode == 0
    assert "Usage" in r.stdout or "usage" in r.stdout.lower()
    if cmd == ["demo"]:
        assert "--port" in r.stdout and "--clock" in r.stdout


@pytest.mark.parametrize("mutation,line_of,reason", [
    (("port: 0", "port: http"), "port:", "listen.port: must be an integer"),
    (("fsync: group", "fsync: sometimes"), "fsync:", "journal.fsync: must be group or none"),
    (("max_stake: 100000", "max_stake: -1"), "max_stake:", "book.limits.max_stake: must be between"),
    (("data_dir:", "colour: blue\ndata_dir:"), "colour:", "colour: unknown key"),
    (('odds: "2.10"', 'odds: "0.5"'), 'odds: "0.5"', "odds: must be decimal odds"),
    (("role: channel", "role: king"), "role: king", "role: must be channel, operator, synthetic or support"),
    (("chain_secret: test-audit-chain-secret-0123456789abcdef", "chain_secret: too-short-a-secret"),
     "chain_secret:", "audit.chain_secret: must be at least 32 characters"),
])
def test_bad_config_fails_at_start_with_file_line_and_reason(tmp_path, mutation, line_of, reason):
    text = make_config(str(tmp_path / "data"))
    assert mutation[0] in text, mutation
    text = text.replace(mutation[0], mutation[1], 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    expected_line = next(i + 1 for i, l in enumerate(text.splitlines()) if line_of in l)
    r = run("serve", "--config", str(path))
    assert r.returncode == 2
    assert f"{path}:{expected_line}:" in r.stderr, r.stderr
    assert reason in r.stderr, r.stderr
    assert not (tmp_path / "data").exists()  # nothing was started or written


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("listen:\n  port: 0\n  address: [oops\n")
    r = run("serve", "--config", str(path))
    assert r.returncode == 2 and f"{path}:" in r.stderr


def test_missing_config_file(tmp_path):
    r = run("serve", "--config", str(tmp_path / "nope.yaml"))
    assert r.returncode == 2 and "cannot open" in r.stderr


def test_shipped_example_config_serves(tmp_path):
    example = open(os.path.join(ROOT, "config/example.yaml")).read()
    example = example.replace("data_dir: inplay-data", f"data_dir: {tmp_path}/data")
    path = tmp_path / "example.yaml"
    path.write_text(example)
    p = subprocess.Popen([BIN, "serve", "--config", str(path), "--port", "0"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        m = re.match(r"inplay listening on (http://\S+)", line)
        assert m, line
        assert requests.get(m.group(1) + "/healthz", timeout=5).status_code == 200
    finally:
        p.terminate()
        p.wait(timeout=10)


def test_demo_prints_port_and_two_tokens_and_serves(tmp_path):
    p = subprocess.Popen([BIN, "demo", "--port", "0", "--data-dir", str(tmp_path / "d")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [p.stdout.readline() for _ in range(4)]
        url = re.match(r"inplay listening on (http://127\.0\.0\.1:\d+)", lines[0]).group(1)
        channel = re.match(r"channel token: (\S+)", lines[2]).group(1)
        operator = re.match(r"operator token: (\S+)", lines[3]).group(1)
        h = {"Authorization": f"Bearer {channel}"}
        deadline = time.time() + 10
        while requests.get(url + "/readyz").status_code != 200 and time.time() < deadline:
            time.sleep(0.05)
        events = requests.get(url + "/v1/events", headers=h).json()["events"]
        assert len(events) >= 5
        assert {m["type"] for e in events for m in e["markets"]} == {
            "match_result", "total_goals", "btts", "asian_handicap", "double_chance", "draw_no_bet", "correct_score"}
        assert {m["period"] for e in events for m in e["markets"]} == {"full_time", "first_half"}
        assert any(e["state"] == "in_play" for e in events)
        acct = requests.get(url + "/v1/accounts/alice", headers=h).json()
        assert acct["balance"] > 0
        # Prices are live from the simulated primary feed: within seconds every
        # open market is priced and bettable, and prices keep being confirmed.
        deadline = time.time() + 15
        while time.time() < deadline:
            markets = [m for e in requests.get(url + "/v1/events", headers=h).json()["events"]
                       for m in e["markets"]]
            open_markets = [m for m in markets if m["status"] == "open"]
            if open_markets and all(m["bettable"] for m in open_markets) and \
                    all(s["price_version"] > 0 for m in markets for s in m["selections"]):
                break
            time.sleep(0.2)
        assert len(open_markets) >= len(markets) // 2
        assert all(m["bettable"] for m in open_markets), [m for m in open_markets if not m["bettable"]]
        v1 = {s["selection_id"]: s["price_version"] for m in open_markets for s in m["selections"]}
        time.sleep(1.5)
        v2 = {s["selection_id"]: s["price_version"]
              for e in requests.get(url + "/v1/events", headers=h).json()["events"]
              for m in e["markets"] for s in m["selections"]}
        assert all(v2[k] > v for k, v in v1.items())
        r = requests.get(url + "/v1/admin/state", headers={"Authorization": f"Bearer {operator}"})
        assert r.status_code == 200 and r.json()["ledger_sum"] == 0
    finally:
        p.terminate()
        p.wait(timeout=10)
    assert p.returncode == 0
    # The demo keyed its audit log with a secret of its own, kept beside its tokens.
    assert "audit_chain_secret " in (tmp_path / "d" / "demo-tokens").read_text()
    r = run("audit", "verify", "--demo", "--data-dir", str(tmp_path / "d"), timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("audit ok: "), (r.stdout, r.stderr)


def test_token_command_hashes(tmp_path):
    r = run("token", "abc")
    assert "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" in r.stdout


def test_journal_verify(tmp_path):
    p = subprocess.Popen([BIN, "demo", "--port", "0", "--data-dir", str(tmp_path / "d")],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p.stdout.readline()
    time.sleep(0.5)
    p.terminate()
    p.wait(timeout=10)
    r = run("journal", "verify", str(tmp_path / "d" / "journal"))
    assert r.returncode == 0 and "journal ok" in r.stdout


def test_the_shipped_real_clock_config_names_no_fixed_date():
    """config/example.yaml runs on the real clock: its fixtures are relative
    to the book's start, so it still has live matches next year."""
    text = open(os.path.join(ROOT, "config", "example.yaml")).read()
    assert "clock: real" in text
    check_no_fixed_dates(text, "config/example.yaml")
