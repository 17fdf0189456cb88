"""GET /metrics in both formats, and a real Prometheus scraping the book.

The Prometheus test starts the Debian `prometheus` binary (2.42) on
127.0.0.1 with exemplar storage on, lets it scrape a real-clock book every
second, then asks its HTTP API for the accept-latency exemplars and checks
that an exemplar's trace id resolves in the book's trace store. It skips when
the binary is missing, unless CI=true (then a missing binary fails).
"""
import os
import shutil
import socket
import subprocess
import time

import pytest
import requests

from conftest import require_tool

# Prometheus 2.42's scrape Accept header, verbatim.
PROMETHEUS_ACCEPT = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
                     "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8"
TEXT = "text/plain; version=0.0.4; charset=utf-8"


def test_metrics_negotiates_openmetrics(book):
    r = book.session.get(book.url + "/metrics", headers={"Accept": PROMETHEUS_ACCEPT}, timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == OPENMETRICS
    body = r.text
    assert body.endswith("# EOF\n")
    assert "# TYPE bets counter\n" in body
    assert "# TYPE bet_accept_latency_seconds histogram\n# UNIT bet_accept_latency_seconds seconds\n" in body
    assert "\nprocess_cpu_seconds_total " in body and "\nprocess_resident_memory_bytes " in body
    assert "\nprocess_threads " in body and "\nprocess_start_time_seconds " in body

    for accept in (None, "text/plain;version=0.0.4", "*/*",
                   "application/openmetrics-text;q=0.4,text/plain;q=0.5"):
        h = {"Accept": accept} if accept else {}
        r = book.session.get(book.url + "/metrics", headers=h, timeout=10)
        assert r.headers["Content-Type"] == TEXT, accept
        assert "# EOF" not in r.text and "# TYPE bets_total counter\n" in r.text


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(fn, timeout=30, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = fn()
            if last:
                return last
        except requests.RequestException as e:
            last = e
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


@pytest.fixture
def prometheus_bin():
    return require_tool("prometheus")


def test_real_prometheus_ingests_exemplars(prometheus_bin, make_book, tmp_path):
    b = make_book(clock="real").start()
    for i in range(5):
        r = b.bet(2011, stake=100, odds="1.5")
        assert r.status_code == 201, r.text

    port = free_port()
    prom_url = f"http://127.0.0.1:{port}"
    target = b.url.removeprefix("http://")
    cfg = tmp_path / "prometheus.yml"
    cfg.write_text(f"""global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: inplay
    metrics_path: /metrics
    static_configs:
      - targets: ["{target}"]
""")
    storage = tmp_path / "tsdb"
    log = open(tmp_path / "prometheus.log", "wb")
    proc = subprocess.Popen([prometheus_bin, f"--config.file={cfg}", f"--storage.tsdb.path={storage}",
                             f"--web.listen-address=127.0.0.1:{port}", "--enable-feature=exemplar-storage"],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: requests.get(prom_url + "/-/ready", timeout=1).status_code == 200,
                 what="prometheus /-/ready")

        def scraped():
            t = requests.get(prom_url + "/api/v1/targets", timeout=2).json()["data"]["activeTargets"]
            if t and t[0]["health"] == "down":
                raise AssertionError(f"scrape failed: {t[0]['lastError']}")
            return t and t[0]["health"] == "up" and t[0]
        wait_for(scraped, what="a successful scrape")

        def accepted():
            res = requests.get(prom_url + "/api/v1/query", params={"query": 'bets_total{outcome="accepted"}'},
                               timeout=2).json()["data"]["result"]
            return res and float(res[0]["value"][1]) == 5.0 and res
        res = wait_for(accepted, what="bets_total in Prometheus")
        assert res[0]["metric"]["job"] == "inplay"

        def exemplars():
            now = time.time()
            data = requests.get(prom_url + "/api/v1/query_exemplars",
                                params={"query": "bet_accept_latency_seconds_bucket",
                                        "start": now - 600, "end": now + 60}, timeout=2).json()["data"]
            return [e for s in data for e in s["exemplars"]]
        found = wait_for(exemplars, what="exemplars of bet_accept_latency_seconds_bucket")
        trace_ids = {e["labels"]["trace_id"] for e in found}
        for tid in trace_ids:
            assert len(tid) == 32 and int(tid, 16) >= 0
        for e in found:
            assert 0 < float(e["value"]) < 10 and abs(e["timestamp"] - time.time()) < 600
        resolved = [tid for tid in trace_ids if b.get(f"/v1/traces/{tid}", token="operator").status_code == 200]
        assert resolved, f"no exemplar trace id resolves in the book's trace store: {trace_ids}"
        spans = b.get(f"/v1/traces/{resolved[0]}", token="operator").json()["spans"]
        assert any(s.get("name") == "gateway" for s in spans), spans
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
