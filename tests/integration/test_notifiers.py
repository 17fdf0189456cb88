"""Notifiers: a grouped alert leaves the book as Alertmanager's webhook JSON
(to any receiver) and as POST /api/v2/alerts to a real Alertmanager, which
then holds the alert with the book's labels."""
import http.server
import json
import os
import subprocess
import threading
import time

import requests

from test_prometheus import free_port, wait_for
from test_rules import FEEDS, tool


class Receiver(http.server.BaseHTTPRequestHandler):
    bodies = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Receiver.bodies.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhook_and_alertmanager_notifiers(make_book, tmp_path):
    alertmanager = tool("prometheus-alertmanager")
    hook_port, am_port = free_port(), free_port()
    server = http.server.HTTPServer(("127.0.0.1", hook_port), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    am_cfg = tmp_path / "am.yml"
    am_cfg.write_text("route:\n  receiver: none\nreceivers:\n  - name: none\n")
    log = open(tmp_path / "am.log", "wb")
    am = subprocess.Popen([alertmanager, f"--config.file={am_cfg}", f"--storage.path={tmp_path / 'am'}",
                           f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address="],
                          stdout=log, stderr=subprocess.STDOUT)
    (tmp_path / "playbooks.yaml").write_text(f"""version: 1
routing:
  group_wait: 1s
  high_exposure_minor: 1
notifiers:
  - {{type: webhook, url: "http://127.0.0.1:{hook_port}/hook"}}
  - {{type: alertmanager, url: "http://127.0.0.1:{am_port}"}}
playbooks:
  - name: stale
    when: {{alertname: odds_stale}}
    actions:
      - {{do: freeze_cashout}}
""")
    extra = FEEDS.replace("builtin_alerts: false", f"playbook_file: {tmp_path / 'playbooks.yaml'}")
    try:
        b = make_book(clock="real", extra_top=extra).start()
        wait_for(lambda: requests.get(f"http://127.0.0.1:{am_port}/-/ready", timeout=1).status_code == 200,
                 what="alertmanager ready")
        wait_for(lambda: all(f["state"] == "up" for f in b.get("/v1/feeds", token="operator").json()["feeds"]),
                 what="feeds up")
        r = b.bet(1011, stake=500, odds="1.01", policy="any")  # some liability on EPL market 101
        assert r.status_code in (201, 409), r.text
        r = b.post("/v1/sim/feeds/football-primary/faults", token="operator",
                   json={"skew_leagues": ["EPL"], "skew_mode": "version", "skew_version": "2.0"})
        assert r.status_code == 200, r.text

        def webhook():
            return [x for x in Receiver.bodies if x["status"] == "firing" and x["groupLabels"].get("league") == "EPL"]
        got = wait_for(webhook, timeout=30, what="the webhook notification")[0]
        assert got["version"] == "4" and got["receiver"] == "inplay"
        assert got["groupKey"] == "service=odds,league=EPL"
        assert got["commonLabels"]["service"] == "odds"
        names = {a["labels"]["alertname"] for a in got["alerts"]}
        assert names & {"odds_stale", "feed_schema_skew", "slo_burn"}, names
        assert all(a["status"] == "firing" and a["startsAt"].endswith("Z") for a in got["alerts"])
        assert isinstance(got["high_exposure"], bool) and isinstance(got["markets"], list)

        def in_alertmanager():
            alerts = requests.get(f"http://127.0.0.1:{am_port}/api/v2/alerts", timeout=2).json()
            return [a for a in alerts if a["labels"].get("league") == "EPL"]
        held = wait_for(in_alertmanager, timeout=30, what="the alert in Alertmanager")
        assert all(a["labels"]["service"] == "odds" and a["labels"]["match_day"] == "true" for a in held), held
        assert {a["labels"]["high_exposure"] for a in held} <= {"true", "false"}
        assert all(a["generatorURL"].startswith("http://127.0.0.1:") for a in held)
        text = b.get("/metrics").text
        assert 'alert_deliveries_total{result="sent"}' in text
    finally:
        am.terminate()
        am.wait(timeout=10)
        log.close()
        server.shutdown()
