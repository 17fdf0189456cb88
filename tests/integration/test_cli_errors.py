"""The command line as a person mistypes it (issue 21, item 10): a wrong
command is named with the one meant, `--version` answers, `gameday --quiet`
leaves the terminal to the verdict, and a scenario or config with a typo, a
league no match plays, an alert or SLO its SLO file lacks, or a key given
twice is refused at load with file:line at the mistake itself."""
import subprocess

import pytest

from conftest import BIN, make_config


def run(*args, timeout=60, cwd=None):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd)


@pytest.mark.parametrize("argv,word,meant,level", [
    (["demi"], "demi", "demo", "inplay"),
    (["gamedya", "x.yaml"], "gamedya", "gameday", "inplay"),
    (["journal", "verfy", "/tmp"], "verfy", "verify", "inplay journal"),
    (["launch"], "launch", None, "inplay"),
])
def test_an_unknown_command_is_named_with_the_one_meant(argv, word, meant, level):
    r = run(*argv)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"{level}: unknown command '{word}'" in r.stderr, r.stderr
    assert (f"did you mean '{meant}'?" in r.stderr) if meant else "did you mean" not in r.stderr, r.stderr
    assert "commands: " in r.stderr and "A subcommand is required" not in r.stderr


def test_version():
    r = run("--version")
    assert r.returncode == 0 and r.stdout.strip().startswith("inplay "), r.stdout + r.stderr
    assert r.stdout.strip().split()[1][0].isdigit()


SCENARIO = """name: tiny
duration: 12s
matches:
  - {league: EPL, home: Arsenal, away: Chelsea, minute: 30}
faults:
  - {at: 2s, feed: football-primary, stall: true}
expect:
  - {alert: feed_down, within: 8s}
"""


def test_gameday_quiet_is_quiet_and_the_log_goes_beside_the_report(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text(SCENARIO)
    quiet = run("gameday", str(f), "--out", str(tmp_path / "q"), "--quiet")
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert quiet.stderr == "", quiet.stderr
    assert quiet.stdout.startswith("gameday tiny: PASS") and quiet.stdout.count("\n") == 1, quiet.stdout
    loud = run("gameday", str(f), "--out", str(tmp_path / "l"))
    assert loud.returncode == 0
    # Only the progress line: no JSON log line breaks it.
    assert '{"ts"' not in loud.stderr and "%  book" in loud.stderr, loud.stderr
    log = (tmp_path / "l" / "book.log").read_text()
    assert '"msg":"stopped"' in log


@pytest.mark.parametrize("body,where", [
    # A misspelt required key is reported at the typo, not at the file's start.
    ("name: x\nduratoin: 10s\nmatches:\n  - {league: EPL, home: A, away: B, minute: 1}\n",
     ":2: duratoin: unknown key (did you mean 'duration'?)"),
    ("name: x\nduration: 10s\nmatches:\n  - {league: EPL, home: A, away: B,\n     kickof_in: 10m}\n",
     ":5: matches[0].kickof_in: unknown key (did you mean 'kickoff_in'?)"),
    # An unknown optional key says what was meant too.
    ("name: x\nduration: 10s\nseeed: 3\nmatches:\n  - {league: EPL, home: A, away: B, minute: 1}\n",
     ":3: seeed: unknown key (did you mean 'seed'?)"),
    # An alert or SLO the SLO file does not define: at load, not "never fired" at the end.
    ("name: x\nduration: 10s\nmatches:\n  - {league: EPL, home: A, away: B, minute: 1}\n"
     "faults:\n  - {at: 1s, feed: football-primary, stall: true}\n"
     "expect:\n  - {no_alert: accept_p99_high}\n  - {alert: odds_stael, within: 5s}\n",
     ":9: expect[1].alert: no alert named 'odds_stael' in the shipped SLO file (did you mean 'odds_stale'?)"),
    ("name: x\nduration: 10s\nmatches:\n  - {league: EPL, home: A, away: B, minute: 1}\nexpect:\n  - {sli: happiness}\n",
     ":6: expect[0].sli: no SLO named 'happiness'"),
    # A league no match plays.
    ("name: x\nduration: 10s\nmatches:\n  - {league: EPL, home: A, away: B, minute: 1}\n"
     "faults:\n  - {at: 1s, feed: football-primary, skew_leagues: [EPL, Premier League]}\n",
     ":6: faults[0].skew_leagues: no match plays league 'Premier League' (the scenario's leagues: EPL)"),
    ("name: x\nduration: 10s\nmatches:\n  - {league: EPL, home: A, away: B, minute: 1}\n"
     "faults:\n  - {at: 1s, feed: football-primary, stall: true}\n"
     "expect:\n  - alert: odds_stale\n    within: 5s\n    labels:\n      league: EPl\n",
     ":11: expect[0].labels.league: no match plays league 'EPl' (did you mean 'EPL'?)"),
    # A key given twice.
    ("name: x\nduration: 10s\nmatches:\n  - {league: EPL, home: A, away: B, minute: 1}\nduration: 20s\n",
     ":5: duration: duplicate key (first at line 2)"),
])
def test_scenario_mistakes_fail_at_load_at_the_mistake(tmp_path, body, where):
    f = tmp_path / "s.yaml"
    f.write_text(body)
    r = run("gameday", str(f), "--out", str(tmp_path / "report"))
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"{f}{where}" in r.stderr, r.stderr
    assert not (tmp_path / "report").exists(), "a refused scenario ran"


def test_a_config_key_given_twice_is_refused_at_its_second_place(tmp_path):
    text = make_config(str(tmp_path / "data")).replace("  port: 0\n", "  port: 0\n  port: 8080\n", 1)
    path = tmp_path / "book.yaml"
    path.write_text(text)
    line = text.splitlines().index("  port: 8080") + 1
    r = run("serve", "--config", str(path), timeout=15)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"{path}:{line}: listen.port: duplicate key (first at line {line - 1})" in r.stderr, r.stderr
    assert not (tmp_path / "data").exists()
