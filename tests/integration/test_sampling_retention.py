"""Telemetry that keeps what matters and stays cheap (issue 4): trace sampling
with tail rules, the per-call-site log rate limit, and the retention plan,
driven through the real binary on the simulated clock."""
import concurrent.futures
import re
import subprocess
import time

from conftest import BIN, make_config

IN_PLAY = 1011  # Arsenal v Chelsea, in play: 5 s delay on the book clock
PRE_MATCH = 2011  # Liverpool v Everton
OPENMETRICS = "application/openmetrics-text;version=1.0.0"


def trace_id_of(response):
    return response.headers["traceparent"].split("-")[1]


def has_trace(book, trace_id):
    r = book.get(f"/v1/traces/{trace_id}", token="operator")
    assert r.status_code in (200, 404), r.text
    return r.status_code == 200


def sampled_counts(book):
    counts = {}
    for line in book.get("/metrics").text.splitlines():
        m = re.match(r'traces_sampled_total\{decision="(\w+)",reason="(\w+)"\} (\d+)', line)
        if m:
            counts[(m.group(1), m.group(2))] = int(m.group(3))
    return counts


def metric(book, name):
    for line in book.get("/metrics").text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise KeyError(name)


def slow_inplay_bet(book):
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        f = pool.submit(book.bet, selection_id=IN_PLAY, stake=100, odds="2.1")
        time.sleep(0.3)
        book.advance(5000)
        r = f.result(timeout=10)
    assert r.status_code == 201, r.text
    return r


def test_ratio_zero_keeps_errors_slow_traces_and_exemplars_only(make_book):
    b = make_book(extra_telemetry="sample_ratio: 0\nslow_trace_ms: 1000\nslow_p99: false").start()
    # A rejected bet: kept as an error; being first, it is also the exemplar
    # of its accept-latency bucket.
    rejected = b.bet(PRE_MATCH, stake=10**9)
    assert rejected.status_code == 409, rejected.text
    rejected_id = trace_id_of(rejected)
    # Ordinary bets, in the same bucket while its exemplar is fresh: dropped.
    ordinary = []
    for _ in range(5):
        r = b.bet(PRE_MATCH, stake=100)
        assert r.status_code == 201, r.text
        ordinary.append(r.json()["trace_id"])
    # A slow trace: the in-play bet waits 5 s on the book clock (> 1000 ms).
    slow = slow_inplay_bet(b).json()["trace_id"]

    kept = b.get(f"/v1/traces/{rejected_id}", token="operator").json()
    names = {s["name"] for s in kept["spans"]}
    assert {"gateway", "risk", "journal"} <= names, kept
    assert any(s.get("error") for s in kept["spans"] if s["name"] == "risk"), kept
    slow_spans = b.get(f"/v1/traces/{slow}", token="operator").json()["spans"]
    assert {"gateway", "risk", "inplay_delay", "wallet", "journal"} <= {s["name"] for s in slow_spans}
    for t in ordinary:
        assert not has_trace(b, t), t

    # Every accept-latency exemplar resolves to a kept trace.
    om = b.get("/metrics", headers={"Accept": OPENMETRICS}).text
    exemplars = re.findall(r'^bet_accept_latency_seconds_bucket\{[^}]*\} \d+ # \{trace_id="([0-9a-f]{32})"\}',
                           om, re.M)
    assert exemplars and rejected_id in exemplars, om
    for t in exemplars:
        assert has_trace(b, t), t

    c = sampled_counts(b)
    assert c.get(("kept", "error"), 0) >= 1, c
    assert c.get(("kept", "slow"), 0) >= 1, c
    assert c.get(("dropped", "ratio"), 0) >= 5, c
    assert c.get(("kept", "ratio"), 0) == 0, c


def test_an_unsampled_caller_is_a_head_drop_but_errors_are_still_kept(make_book):
    b = make_book().start()  # sample_ratio 1.0: everything else is kept
    first = b.bet(PRE_MATCH, stake=100)  # kept by the ratio; the bucket's exemplar
    assert first.status_code == 201 and has_trace(b, first.json()["trace_id"])
    parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"
    body = {"account": "alice", "selection_id": PRE_MATCH, "stake": 100, "currency": "GBP",
            "odds": "1.5", "price_change": "none"}
    r = b.post("/v1/bets", json=body, key="unsampled-1", headers={"traceparent": parent})
    assert r.status_code == 201, r.text
    assert r.headers["traceparent"].endswith("-00")  # the flag is propagated, not overridden
    assert r.json()["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert not has_trace(b, "4bf92f3577b34da6a3ce929d0e0e4736")
    parent2 = "00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"
    body["stake"] = 10**9
    r = b.post("/v1/bets", json=body, key="unsampled-2", headers={"traceparent": parent2})
    assert r.status_code == 409, r.text  # STAKE_ABOVE_MAX
    assert has_trace(b, "5bf92f3577b34da6a3ce929d0e0e4736")
    c = sampled_counts(b)
    assert c.get(("dropped", "parent_unsampled"), 0) >= 1 and c.get(("kept", "error"), 0) >= 1, c


def test_traces_older_than_the_max_age_leave_the_store(make_book):
    b = make_book(extra_telemetry="retention:\n  traces: {max_age_s: 60}").start()
    r = b.bet(PRE_MATCH, stake=100)
    assert r.status_code == 201
    t = r.json()["trace_id"]
    assert has_trace(b, t)
    b.advance(61000)
    deadline = time.time() + 10  # the sweep runs every second
    while has_trace(b, t) and time.time() < deadline:
        time.sleep(0.2)
    assert not has_trace(b, t)
    assert metric(b, "trace_spans_expired_total") >= 5


def test_a_log_storm_from_one_call_site_is_rate_limited(make_book):
    b = make_book().start()
    for i in range(40):  # one log call site: "market status set"
        r = b.post("/v1/markets/301/status", json={"status": "suspended" if i % 2 == 0 else "open",
                                                   "reason": "storm"}, token="operator")
        assert r.status_code == 200, r.text
    assert metric(b, "log_lines_suppressed_total") == 20
    b.advance(1000)  # earns 10 lines back
    r = b.post("/v1/markets/301/status", json={"status": "open", "reason": "calm"}, token="operator")
    assert r.status_code == 200
    lines = [l for l in open(b.stderr_path).read().splitlines() if '"market status set"' in l]
    assert len(lines) == 21
    assert '"suppressed":20' in lines[-1]
    assert metric(b, "log_lines_suppressed_total") == 20


def test_logs_go_to_the_configured_file(make_book, tmp_path):
    log_file = tmp_path / "logs" / "inplay.log"
    b = make_book(extra_telemetry=f"log_file: {log_file}\nretention:\n  logs: {{max_mb: 1, keep: 2}}").start()
    assert b.bet(PRE_MATCH, stake=100).status_code == 201
    text = log_file.read_text()
    assert '"msg":"listening"' in text and '"msg":"journal replayed"' in text
    assert '"msg":"listening"' not in open(b.stderr_path).read()


def run_with(tmp_path, extra):
    text = make_config(str(tmp_path / "data"), extra_telemetry=extra)
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    r = subprocess.run([BIN, "serve", "--config", str(path)], capture_output=True, text=True, timeout=20)
    return r, path, text


def test_bad_telemetry_config_names_file_line_and_reason(tmp_path):
    cases = [
        ("sample_ratio: 1.5", "sample_ratio:", "telemetry.sample_ratio: must be between 0 and 1"),
        ("retention:\n  audit: {min_days: 365}", "audit:",
         "telemetry.retention.audit.min_days: must be at least 1825"),
        ("retention:\n  logs: {max_mb: 10}", "logs:", "telemetry.retention.logs: needs telemetry.log_file"),
        ("retention:\n  traces: {max_age_s: 5}", "traces:",
         "telemetry.retention.traces.max_age_s: must be 0 (count cap only) or at least 60"),
        ("log_rate: {burst: 0}", "log_rate:", "telemetry.log_rate.burst: must be between 1"),
        ("retention:\n  audit: {keep_days: 9000}", "audit:", "telemetry.retention.audit.keep_days: unknown key"),
    ]
    for extra, line_of, reason in cases:
        r, path, text = run_with(tmp_path, extra)
        expected_line = next(i + 1 for i, l in enumerate(text.splitlines()) if line_of in l)
        assert r.returncode == 2, (extra, r.stderr)
        assert f"{path}:{expected_line}:" in r.stderr and reason in r.stderr, (extra, r.stderr)
        assert not (tmp_path / "data").exists()
