"""Fixtures that start the real `inplay` binary on an ephemeral port.

`book` starts `inplay serve --config` with a small known world on the
simulated clock (time moves only through POST /v1/clock/advance), known
tokens, and a fresh data dir; tests drive it over HTTP like a channel or an
operator would. `BookProcess` can also kill -9 and restart the same book.
"""
import glob
import hashlib
import os
import re
import shutil
import signal
import subprocess
import time
import uuid

import pytest
import requests

BIN = os.environ.get("INPLAY_BIN", os.path.join(os.path.dirname(__file__), "../../build/inplay"))
CHANNEL_TOKEN = "test-channel-token-0123456789abcdef"
OPERATOR_TOKEN = "test-operator-token-0123456789abcdef"
# Keys the audit chain (audit.chain_secret); `inplay audit verify --config` needs the same.
AUDIT_CHAIN_SECRET = "test-audit-chain-secret-0123456789abcdef"
SIM_START = "2026-11-28T15:00:00Z"

# Event 1: EPL, in play (football has a 5 s in-play delay).
# Event 2: EPL, pre-match.  Event 3: Championship, pre-match.
# Kick-offs are relative to the book's start (sim_start on the simulated
# clock, the first start on the real one): a fixed date on the real clock is
# a date bomb — a week later every match is over and no price moves.
WORLD = """
events:
  - id: 1
    league: EPL
    home: Arsenal
    away: Chelsea
    kickoff_in: -30m
    state: in_play
    markets:
      - id: 101
        type: match_result
        selections:
          - {id: 1011, name: home, odds: "2.10"}
          - {id: 1012, name: draw, odds: "3.40"}
          - {id: 1013, name: away, odds: "3.60"}
  - id: 2
    league: EPL
    home: Liverpool
    away: Everton
    kickoff_in: 150m
    markets:
      - id: 201
        type: match_result
        selections:
          - {id: 2011, name: home, odds: "1.50"}
          - {id: 2012, name: draw, odds: "4.20"}
          - {id: 2013, name: away, odds: "6.50"}
      - id: 202
        type: total_goals
        line: 2.5
        selections:
          - {id: 2021, name: over, odds: "1.80"}
          - {id: 2022, name: under, odds: "2.00"}
      - id: 203
        type: btts
        selections:
          - {id: 2031, name: "yes", odds: "1.70"}
          - {id: 2032, name: "no", odds: "2.10"}
  - id: 3
    league: Championship
    home: Leeds
    away: Sunderland
    kickoff_in: 285m
    markets:
      - id: 301
        type: match_result
        selections:
          - {id: 3011, name: home, odds: "1.90"}
          - {id: 3012, name: draw, odds: "3.30"}
          - {id: 3013, name: away, odds: "4.00"}
accounts:
  - {id: alice, deposit: 100000}
  - {id: bob, deposit: 5000}
"""


def sha(s):
    return hashlib.sha256(s.encode()).hexdigest()


# Two simulated PSP routes (docs/payments.md): deposits and withdrawals of a
# channel's accounts go through them, over HTTP on loopback. Short timeouts
# so a fault shows within a test's patience.
PAYMENTS = """payments:
  routes:
    - {name: psp-a, url: sim, timeout_ms: 400, attempts: 2, retry_ms: 20, breaker_failures: 3, breaker_open_ms: 1500}
    - {name: psp-b, url: sim, timeout_ms: 400, attempts: 2, retry_ms: 20, breaker_failures: 3, breaker_open_ms: 1500}
  active: psp-a
"""


def make_config(data_dir, clock="sim", extra_book="", refresh_ms=500, fsync="group", extra_top="",
                extra_telemetry="", world=None, payments=PAYMENTS):
    # world: the events/accounts YAML instead of WORLD.
    # extra_telemetry: more `telemetry:` keys, e.g. "otlp_endpoint: http://127.0.0.1:4318/v1/traces".
    extra_telemetry = "".join(f"  {line}\n" for line in extra_telemetry.splitlines() if line.strip())
    sim_start = f'sim_start: "{SIM_START}"\n' if clock == "sim" else ""
    text = f"""{extra_top}
listen:
  address: 127.0.0.1
  port: 0
data_dir: {data_dir}
clock: {clock}
{sim_start}journal:
  fsync: {fsync}
book:
  currency: GBP
  limits:
    min_stake: 10
    max_stake: 100000
    max_account_market: 200000
    max_market_liability: 50000000
  inplay_delay_ms:
    football: 5000
  price_confirm_timeout_ms: 2000
{extra_book}
prices:
  refresh_ms: {refresh_ms}
  jitter: 0
auth:
  tokens:
    - {{name: web, role: channel, sha256: {sha(CHANNEL_TOKEN)}}}
    - {{name: trader, role: operator, sha256: {sha(OPERATOR_TOKEN)}}}
telemetry:
  pseudonym_secret: test-secret-0123456789
  metrics_max_age_ms: 0
  metrics_scrapes_per_s: 0
{extra_telemetry}audit:
  chain_secret: {AUDIT_CHAIN_SECRET}
{payments}
{WORLD if world is None else world}
"""
    if clock == "real":
        check_no_fixed_dates(text, "a real-clock book's config")
    return text


DATE = re.compile(r"\b(19|20|21)\d\d-[01]\d-[0-3]\d")


def check_no_fixed_dates(text, what):
    """A fixture on the real clock must place its matches relative to the
    book's start (kickoff_in, minute): a fixed date is long past a week later."""
    bad = [line.strip() for line in text.splitlines() if DATE.search(line)]
    assert not bad, f"{what} names fixed dates (use kickoff_in / minute): {bad[:3]} ({len(bad)} lines)"


def wait_for(fn, timeout=10, step=0.1):
    """Polls fn until it returns something true (returned); fails with fn's
    last answer after `timeout` seconds."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(step)
    raise AssertionError(f"condition not met in {timeout}s; last={last!r}")


def metric(text, series):
    """A sample of a /metrics text (Prometheus format): `series` is a name with
    its labels as /metrics prints them (that one sample) or a bare name (the
    sum over its label sets). 0 when absent: counters start there."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line[len(series):].split()[0])
        if "{" not in series and line.startswith(series + "{"):
            total += float(line[line.rindex("}") + 1:].split()[0])
    return total


class Histogram:
    """A histogram without labels, read from a /metrics text."""

    def __init__(self, text, name):
        self.name = name
        self.count = metric(text, name + "_count")
        self.sum = metric(text, name + "_sum")
        self.buckets = []  # (le, cumulative count), ascending
        for m in re.finditer(rf'^{name}_bucket{{le="([^"]+)"}} (\S+)', text, re.M):
            self.buckets.append((float(m.group(1)), float(m.group(2))))  # float("+Inf") is inf

    def at_most(self, le):
        """Observations <= le (a bucket bound of the family)."""
        return dict(self.buckets)[le]

    def quantile_bound(self, q):
        """The upper bound of the bucket that holds quantile q (None: no data)."""
        for le, n in self.buckets:
            if self.count and n >= q * self.count:
                return le
        return None

    def __repr__(self):
        return f"{self.name}(count={self.count}, sum={self.sum}, buckets={self.buckets})"


def require_tool(name, path=None, hint="scripts/setup.sh installs it"):
    """The path of a tool a test needs. Outside CI a missing tool skips the
    test; under CI=true (set by .ci/run) it fails it, naming the tool."""
    found = path if path and os.access(path, os.X_OK) else shutil.which(path or name)
    if found:
        return found
    msg = f"{name} is missing ({hint})"
    if os.environ.get("CI") == "true":
        pytest.fail(msg)
    pytest.skip(msg)


def pytest_sessionfinish(session, exitstatus):
    """CI never skips: a skipped test there is a test that did not run."""
    if os.environ.get("CI") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        for rep in skipped:
            reporter.write_line(f"CI=true: skipped {rep.nodeid}: {rep.longrepr}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


class BookProcess:
    def __init__(self, tmp_path, wrapper=(), **config_args):
        self.bin = os.path.abspath(BIN)
        self.dir = tmp_path
        self.data_dir = str(tmp_path / "data")
        self.config_path = tmp_path / "book.yaml"
        self.config_path.write_text(make_config(self.data_dir, **config_args))
        self.channel_token = CHANNEL_TOKEN
        self.operator_token = OPERATOR_TOKEN
        self.proc = None
        self.url = None
        self.session = requests.Session()
        self.stderr_path = tmp_path / "stderr.log"
        self.wrapper = list(wrapper)  # e.g. ["faketime", "-f", "+400d"]

    def start(self, timeout=15, standby=False):
        """Starts the book and waits until /readyz says ready. standby: runs
        `inplay serve --standby` (a Kafka journal's follower) and returns as
        soon as it serves its standby answers (wait_leading() waits for the
        takeover)."""
        self.stderr = open(self.stderr_path, "ab")
        args = ["serve", "--config", str(self.config_path)] + (["--standby"] if standby else [])
        # Its own process group: a wrapper (faketime) may run the book as a
        # child, and a signal must reach the book, not only the wrapper.
        self.proc = subprocess.Popen(self.wrapper + [self.bin] + args,
                                     stdout=subprocess.PIPE, stderr=self.stderr, text=True,
                                     start_new_session=True)
        deadline = time.time() + timeout
        line = ""
        self.url = None
        first = r"inplay standby on" if standby else r"inplay listening on"
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            m = re.match(first + r" (http://127\.0\.0\.1:\d+)", line)
            if m:
                self.url = m.group(1)
                break
            if self.proc.poll() is not None:
                raise RuntimeError(f"inplay exited {self.proc.returncode}: {self.stderr_path.read_text()}")
        assert self.url, f"no listening line; last: {line!r}"
        if standby:
            return self
        return self.wait_leading(deadline - time.time())

    def wait_leading(self, timeout=15):
        """Waits until /readyz answers 200: the book serves (a standby: has
        taken over)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if requests.get(self.url + "/readyz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"inplay exited {self.proc.returncode}: {self.stderr_path.read_text()[-3000:]}")
            time.sleep(0.05)
        raise RuntimeError("book never became ready")

    def _signal_group(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def _group_alive(self):
        """Whether any live (not zombie) process is left in the book's group:
        a wrapper (faketime) may exit at SIGTERM before the book it runs has
        finished its clean stop."""
        pgid = self.proc.pid
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                text = open(stat).read()
            except OSError:
                continue
            fields = text[text.rfind(")") + 2:].split()
            if fields[0] != "Z" and int(fields[2]) == pgid:
                return True
        return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self._signal_group(signal.SIGTERM)
            deadline = time.time() + 15
            try:
                self.proc.wait(timeout=15)
                # The wrapper is gone; the book may still be stopping cleanly.
                while self._group_alive() and time.time() < deadline:
                    time.sleep(0.02)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.proc.wait()
        if self.proc:
            self._signal_group(signal.SIGKILL)  # whatever the wrapper left behind
        self.proc = None

    def kill9(self):
        self._signal_group(signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def restart(self):
        self.stop()
        self.session = requests.Session()
        return self.start()

    def headers(self, token, key=None, extra=None):
        h = {}
        if token:
            h["Authorization"] = f"Bearer {token}"
        if key:
            h["Idempotency-Key"] = key
        if extra:
            h.update(extra)
        return h

    def get(self, path, token="channel", headers=None):
        return self.session.get(self.url + path, headers=self.headers(self._tok(token), extra=headers), timeout=30)

    def post(self, path, json=None, token="channel", key=None, data=None, headers=None, method="POST"):
        if key == "auto":
            key = uuid.uuid4().hex
        return self.session.request(method, self.url + path, json=json, data=data,
                                    headers=self.headers(self._tok(token), key, headers), timeout=30)

    def put(self, path, json=None, token="operator"):
        return self.post(path, json=json, token=token, method="PUT")

    def _tok(self, token):
        return {"channel": self.channel_token, "operator": self.operator_token}.get(token, token)

    def metrics(self):
        return self.get("/metrics", token=None).text

    # Conveniences for the bet path.
    def bet(self, selection_id, stake=1000, odds="1.5", account="alice", policy="none", key="auto", **kw):
        body = {"account": account, "selection_id": selection_id, "stake": stake,
                "currency": "GBP", "odds": odds, "price_change": policy}
        body.update(kw)
        return self.post("/v1/bets", json=body, key=key)

    def open_account(self, account, token="channel"):
        """Opens `account` for the token's channel (SEC-1: a deposit needs an
        open account); a repeat by the same channel is fine."""
        r = self.post("/v1/accounts", json={"account": account}, token=token)
        assert r.status_code in (200, 201), r.text
        return r.json()

    def advance(self, ms):
        r = self.post("/v1/clock/advance", json={"ms": ms}, token="operator")
        assert r.status_code == 200, r.text
        return r.json()

    def state(self):
        r = self.get("/v1/admin/state", token="operator")
        assert r.status_code == 200, r.text
        return r.json()

    def quiet_state(self, quiet_s=0.5, timeout=15):
        """The state once nothing has been journaled for quiet_s: after a start the
        feed's snapshot and reopenings are still landing, and a hash read among
        them is not the one a kill -9 right after leaves in the journal."""
        last = self.state()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(quiet_s)
            now = self.state()
            if now["events_applied"] == last["events_applied"]:
                return now
            last = now
        raise AssertionError(f"the book kept journaling for {timeout} s: {last}")

    def price(self, selection_id):
        for ev in self.get("/v1/events").json()["events"]:
            for m in ev["markets"]:
                for s in m["selections"]:
                    if s["selection_id"] == selection_id:
                        return s["odds"]
        raise KeyError(selection_id)


@pytest.fixture
def book(tmp_path):
    b = BookProcess(tmp_path).start()
    yield b
    b.stop()


@pytest.fixture
def make_book(tmp_path):
    """Factory for books with other settings: make_book(clock="real", ...)."""
    made = []

    def factory(**kw):
        sub = tmp_path / f"book{len(made)}"
        sub.mkdir()
        b = BookProcess(sub, **kw)
        made.append(b)
        return b

    yield factory
    for b in made:
        b.stop()


@pytest.fixture(scope="module")
def kafka(tmp_path_factory):
    """A real Kafka 4.4 cluster (three KRaft brokers on loopback,
    kafka_cluster.py) for one test module."""
    from kafka_cluster import KafkaCluster
    java = require_tool("java", hint="openjdk-17-jre-headless; scripts/setup.sh --test installs it")
    mvn = require_tool("mvn", hint="maven; scripts/setup.sh --test installs it")
    c = KafkaCluster(tmp_path_factory.mktemp("kafka"), java=java, mvn=mvn)
    try:
        c.start()
        yield c
    finally:
        c.stop()
