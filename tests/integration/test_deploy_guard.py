"""INC-4: block deploys near kick-off. `inplay deploy-guard` exits 1 while a
top-league match is in play or kicks off within the window, 0 when clear,
2 when it cannot tell; against a running book or from a config's fixtures."""
import datetime
import os
import subprocess

from conftest import BIN, make_config


def guard(*args):
    return subprocess.run([os.path.abspath(BIN), "deploy-guard", *args], capture_output=True, text=True, timeout=60)


def world(kickoff, state):
    return f"""
events:
  - id: 1
    league: EPL
    home: Arsenal
    away: Chelsea
    kickoff: "{kickoff}"
    state: {state}
    markets:
      - id: 101
        type: match_result
        selections:
          - {{id: 1011, name: home, odds: "2.10"}}
          - {{id: 1012, name: draw, odds: "3.40"}}
          - {{id: 1013, name: away, odds: "3.60"}}
"""


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_running_book_in_play_blocks(book):
    r = guard("--within", "30m", "--url", book.url, "--token", book.operator_token)
    assert r.returncode == 1, r.stdout + r.stderr
    assert '"blocked":true' in r.stdout and '"reason":"in_play"' in r.stdout
    r = guard("--within", "30m", "--url", book.url, "--token", "wrong")
    assert r.returncode == 2 and "401" in r.stderr


def test_config_fixtures_decide_at_real_time(tmp_path):
    now = datetime.datetime.now(datetime.timezone.utc)
    cfg = tmp_path / "book.yaml"
    cfg.write_text(make_config(str(tmp_path / "d"), world=world(iso(now + datetime.timedelta(minutes=20)), "pre_match")))
    r = guard("--within", "30m", "--config", str(cfg))
    assert r.returncode == 1 and "kicks off soon" in r.stdout, r.stdout + r.stderr
    r = guard("--within", "10m", "--config", str(cfg))
    assert r.returncode == 0 and "clear" in r.stdout, r.stdout + r.stderr
    cfg.write_text(make_config(str(tmp_path / "d"), world=world(iso(now + datetime.timedelta(days=2)), "pre_match")))
    assert guard("--within", "30m", "--config", str(cfg)).returncode == 0
    r = guard("--within", "soon", "--config", str(cfg))
    assert r.returncode == 2 and "duration" in r.stderr
    assert guard("--within", "30m").returncode == 2
