#!/usr/bin/env python3
"""Bets/s over HTTP with the Kafka journal beside the file journal, one run.

    bench/kafka_journal_bench.py [connections] [seconds]

Starts a real 3-broker Kafka 4.4 cluster on loopback
(tests/integration/kafka_cluster.py; jars fetched by maven once), then, one
after the other on fresh data dirs, the test world's book
(tests/integration/conftest.make_config, real clock) with
`journal: {fsync: group}` and with `journal: {kind: kafka}` (topic RF 3,
min.insync.replicas 2), and drives each with `inplay loadgen --mode bets`
(keep-alive connections, one request in flight each, a fresh
Idempotency-Key per bet). Prints one JSON line per journal and a table.
Everything it starts it stops.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

from conftest import CHANNEL_TOKEN, make_config  # noqa: E402
from kafka_cluster import KafkaCluster  # noqa: E402

BIN = os.environ.get("INPLAY_BIN", os.path.join(REPO, "build", "inplay"))


def run_book(config_text, workdir, conns, secs):
    cfg = os.path.join(workdir, "book.yaml")
    with open(cfg, "w") as f:
        f.write(config_text)
    err = open(os.path.join(workdir, "stderr.log"), "w")
    p = subprocess.Popen([BIN, "serve", "--config", cfg], stdout=subprocess.PIPE, stderr=err, text=True)
    try:
        url = None
        deadline = time.time() + 120
        while time.time() < deadline and url is None:
            line = p.stdout.readline()
            m = re.match(r"inplay listening on (http://127\.0\.0\.1:\d+)", line)
            if m:
                url = m.group(1)
            elif p.poll() is not None:
                raise RuntimeError(f"inplay exited {p.returncode}")
        r = subprocess.run([BIN, "loadgen", "--url", url, "--token", CHANNEL_TOKEN, "--mode", "bets",
                            "--connections", str(conns), "--duration", str(secs), "--warmup", "2", "--json"],
                           capture_output=True, text=True, timeout=secs + 120)
        if r.returncode != 0:
            raise RuntimeError(f"loadgen failed: {r.stderr}")
        return json.loads(r.stdout.strip().splitlines()[-1])["result"]
    finally:
        p.terminate()
        p.wait(timeout=30)
        err.close()


def main():
    conns = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    secs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    root = tempfile.mkdtemp(prefix="inplay-kafka-bench.")
    cluster = KafkaCluster(os.path.join(root, "cluster"))
    rows = []
    try:
        cluster.start()
        topic = cluster.create_topic("bench-journal")
        for kind in ("file", "kafka"):
            d = os.path.join(root, kind)
            os.makedirs(d)
            text = make_config(os.path.join(d, "data"), clock="real")
            if kind == "kafka":
                text = text.replace("journal:\n", f"journal:\n  kind: kafka\n  brokers: {cluster.bootstrap}\n"
                                                  f"  topic: {topic}\n  transactional_id: bench-book\n", 1)
            res = run_book(text, d, conns, secs)
            created = res["by_status"].get("201", 0)
            row = {"journal": kind, "connections": conns, "seconds": res["seconds"],
                   "bets_accepted_per_s": round(created / res["seconds"], 1), "by_status": res["by_status"],
                   "p50_ms": res["latency_ns"]["p50"] / 1e6, "p99_ms": res["latency_ns"]["p99"] / 1e6}
            print(json.dumps(row), flush=True)
            rows.append(row)
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
    print(f"\n| journal | connections | bets accepted/s | p50 ms | p99 ms |\n|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['journal']} | {r['connections']} | {r['bets_accepted_per_s']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} |")


if __name__ == "__main__":
    main()
