"""One SLO file, the real tools (BEY-4).

`inplay rules --out DIR` writes Prometheus recording and alerting rules,
promtool unit tests and an Alertmanager config from the shipped SLO and
playbook files. CI checks them with the real `promtool check rules`,
`promtool test rules` and `amtool check-config`, then proves the outside
path end to end: Inplay's metrics -> Prometheus's alert -> Alertmanager's
grouped webhook -> Inplay's playbook acting (with the built-in alerts off,
so only Alertmanager's webhook can drive it).
"""
import json
import os
import shutil
import subprocess
import time

import pytest
import requests
import yaml

from conftest import BIN, require_tool
from test_prometheus import free_port, wait_for

FEEDS = """
sim_world: true
sim_seed: 5
feeds:
  - {name: football-primary, sport: football, role: primary, alive_timeout_ms: 3000}
  - {name: football-backup, sport: football, role: backup, alive_timeout_ms: 3000}
  - {name: football-reference, sport: football, role: reference, alive_timeout_ms: 3000}
incidents:
  builtin_alerts: false
"""


def tool(name):
    return require_tool(name)


def run(args, cwd=None):
    r = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"{args}: rc {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r.stdout


def test_generated_rules_pass_promtool_and_amtool(tmp_path):
    promtool, amtool = tool("promtool"), tool("amtool")
    out = tmp_path / "rules"
    text = run([os.path.abspath(BIN), "rules", "--out", str(out)])
    assert "inplay-rules.yml" in text
    run([promtool, "check", "rules", str(out / "inplay-rules.yml")])
    run([promtool, "test", "rules", "inplay-rules-tests.yml"], cwd=out)
    run([amtool, "check-config", str(out / "alertmanager.yml")])
    rules = (out / "inplay-rules.yml").read_text()
    # One alert per SLO and severity: tiers are OR'ed, never one rule per tier.
    seen = set()
    for group in yaml.safe_load(rules)["groups"]:
        for rule in group["rules"]:
            if rule.get("alert") == "slo_burn":
                key = (rule["labels"]["slo"], rule["labels"]["severity"])
                assert key not in seen, key
                seen.add(key)
    assert ("accept_latency", "page") in seen and ("accept_latency", "ticket") in seen
    am = (out / "alertmanager.yml").read_text()
    assert "group_by: [service, league]" in am and 'high_exposure="true"' in am
    # Same catalogue, same bytes.
    again = tmp_path / "again"
    run([os.path.abspath(BIN), "rules", "--out", str(again)])
    assert (again / "inplay-rules.yml").read_text() == rules


def test_a_bad_slo_file_fails_with_its_line(tmp_path):
    bad = tmp_path / "slos.yaml"
    bad.write_text("version: 1\nslos:\n  - name: x\n    path: p\n    service: bets\n    runbook: r\n"
                   "    target: 0.99\n    sli: {kind: latency, source: bet_accept, threshold: fast}\n")
    cfg = tmp_path / "book.yaml"
    from conftest import make_config
    cfg.write_text(make_config(str(tmp_path / "data"), extra_top=f"incidents:\n  slo_file: {bad}\n"))
    r = subprocess.run([os.path.abspath(BIN), "rules", "--out", str(tmp_path / "o"), "--config", str(cfg)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert f"{bad}:8: slos[0].sli.threshold: must be a duration" in r.stderr, r.stderr
    r = subprocess.run([os.path.abspath(BIN), "serve", "--config", str(cfg)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2 and f"{bad}:8:" in r.stderr, r.stderr


def test_prometheus_alert_through_alertmanager_drives_the_playbook(make_book, tmp_path):
    prometheus, alertmanager = tool("prometheus"), tool("prometheus-alertmanager")
    b = make_book(clock="real", extra_top=FEEDS).start()
    token_file = tmp_path / "operator.token"
    token_file.write_text(b.operator_token)
    out = tmp_path / "rules"
    run([os.path.abspath(BIN), "rules", "--out", str(out), "--webhook-url", b.url + "/v1/alerts/webhook",
         "--token-file", str(token_file)])

    am_port, prom_port = free_port(), free_port()
    procs = []
    logs = []
    try:
        log = open(tmp_path / "alertmanager.log", "wb")
        logs.append(log)
        procs.append(subprocess.Popen(
            [alertmanager, f"--config.file={out / 'alertmanager.yml'}", f"--storage.path={tmp_path / 'am'}",
             f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address="],
            stdout=log, stderr=subprocess.STDOUT))
        prom_cfg = tmp_path / "prometheus.yml"
        prom_cfg.write_text(f"""global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: ["{out / 'inplay-rules.yml'}"]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:{am_port}"]
scrape_configs:
  - job_name: inplay
    static_configs:
      - targets: ["{b.url.removeprefix('http://')}"]
""")
        log = open(tmp_path / "prometheus.log", "wb")
        logs.append(log)
        procs.append(subprocess.Popen(
            [prometheus, f"--config.file={prom_cfg}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{prom_port}"], stdout=log, stderr=subprocess.STDOUT))
        prom = f"http://127.0.0.1:{prom_port}"
        wait_for(lambda: requests.get(prom + "/-/ready", timeout=1).status_code == 200, what="prometheus ready")
        wait_for(lambda: requests.get(f"http://127.0.0.1:{am_port}/-/ready", timeout=1).status_code == 200,
                 what="alertmanager ready")

        def staleness_scraped():
            res = requests.get(prom + "/api/v1/query", params={"query": "odds_staleness_ratio_permille"},
                               timeout=2).json()["data"]["result"]
            return len(res) > 0 and res
        wait_for(staleness_scraped, what="odds_staleness_ratio_permille in Prometheus")
        assert b.get("/v1/incidents", token="operator").json()["incidents"] == []

        # The half-time fault: EPL prices stop on the primary feed.
        r = b.post("/v1/sim/feeds/football-primary/faults", token="operator",
                   json={"skew_leagues": ["EPL"], "skew_mode": "version", "skew_version": "2.0"})
        assert r.status_code == 200, r.text
        t0 = time.time()

        # The EPL incident: Prometheus may also page the odds_freshness burn
        # (its recording rules carry no league), a second incident without
        # actions; which comes first is a race, so pick the EPL one.
        def incident():
            incs = b.get("/v1/incidents", token="operator").json()["incidents"]
            epl = [i for i in incs if i["group_labels"].get("league") == "EPL"]
            return epl and epl[0]["actions"] and all(a["status"] == "done" for a in epl[0]["actions"]) and epl
        incs = wait_for(incident, timeout=60, what="an incident acted on from Alertmanager's webhook")
        elapsed = time.time() - t0
        inc = incs[0]
        assert inc["group_labels"]["league"] == "EPL", inc
        assert {a["action"] for a in inc["actions"]} >= {"freeze_cashout", "switch_feed"}, inc["actions"]
        alerts = b.get("/v1/alerts", token="operator").json()["alerts"]
        assert alerts and all(a["source"] == "alertmanager" for a in alerts), alerts
        assert any(a["name"] == "odds_stale" and a["labels"].get("job") == "inplay" for a in alerts), alerts
        assert b.get("/v1/feeds", token="operator").json()["sports"][0]["active"] == "football-backup"
        print("PROMETHEUS PATH:", json.dumps({"fault_to_playbook_s": round(elapsed, 1)}))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for log in logs:
            log.close()
