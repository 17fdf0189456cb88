"""API fuzzing: schemathesis against a running book, checked against docs/openapi.yaml.

Runs the schemathesis CLI (pinned in tests/requirements.txt) as a subprocess,
once with the channel token and once with the operator token, each against a
fresh `book` (tests/integration/conftest.py), bounded in examples and time.
Every response must be a documented status with a body of the documented
shape; nothing may be a 5xx, crash or hang the server. Afterwards the process
must still be alive, /healthz must answer and the double-entry ledger must
still sum to zero. The fuzzed book runs the simulated world, as `inplay demo`
does (three simulated providers as in-process TCP servers, the book connected
to all three), so the feed routes answer with real feeds behind them.

Reproduce a failure with the seed printed in the assertion message:
    INPLAY_FUZZ_SEED=<seed> pytest tests/integration/test_fuzz_api.py
or run the same CLI by hand against `inplay demo --clock sim` (see docs/api.md).
"""
import json
import os
import shutil
import subprocess
import sys
import threading

import pytest
import requests
import yaml  # PyYAML, installed with schemathesis

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SPEC = os.path.join(ROOT, "docs", "openapi.yaml")

MAX_EXAMPLES = int(os.environ.get("INPLAY_FUZZ_EXAMPLES", "50"))
SEED = os.environ.get("INPLAY_FUZZ_SEED", "20261128")
# Per role; the defaults keep the whole file well under 3 minutes.
RUN_TIMEOUT_S = int(os.environ.get("INPLAY_FUZZ_TIMEOUT_S", "180"))

EXCLUDED_CHECKS: list[str] = []  # none: every schemathesis check runs

# Operations the fuzzer must not drive with the operator token (the channel
# run still calls them and must get 403):
OPERATOR_EXCLUDED_PATHS = [
    # Busy-waits the engine thread for up to 10 s per call by design: a few
    # dozen schema-valid calls could stall the book for minutes. Exercised below
    # with a small value instead.
    "/v1/admin/faults/engine-stall",
    # Legal values go up to one simulated day per call; every simulated
    # price tick is journaled, so one such call writes hundreds of MB of
    # journal. Exercised below (and by the clock-advancer thread) instead.
    "/v1/clock/advance",
    # Server-Sent Events: the operator's stream never ends while the server
    # runs, so every call would hang until the request timeout. The channel
    # run still calls it (403 at once). Checked below by hand, and in
    # tests/integration/test_warroom.py.
    "/v1/warroom/stream",
]

# schemathesis.toml for the run. Status lists replace schemathesis' defaults,
# which tolerate 5xx in positive/negative cases: here a 5xx is always a failure
# (not_a_server_error also catches it).
CONFIG_TOML = r'''
[checks.positive_data_acceptance]
# Schema-valid requests may still be refused by the book's *state*: unknown
# ids are 404 (random ids rarely exist), the wrong role is 403, book-state
# conflicts are 409.
expected-statuses = ["2xx", "401", "403", "404", "409"]

[checks.negative_data_rejection]
# The book never answers schema-invalid data with 409/429 or a 5xx. 405 covers
# a path parameter like "." that HTTP clients normalise away (/v1/accounts/./deposits
# becomes /v1/accounts/deposits, a GET-only route).
expected-statuses = ["400", "401", "403", "404", "405", "413", "422"]

[[operations]]
# POST /v1/bets: a schema-valid bet may also be refused with
# 402 INSUFFICIENT_FUNDS (balance is state) and 422 when the generator reuses
# an Idempotency-Key with another body (IDEMPOTENCY_KEY_REUSED), sends a
# well-formed currency that is not the book's (CURRENCY_MISMATCH), or sends
# odds as a JSON number with more than 4 decimals (JSON Schema cannot express
# "at most 4 decimals" for a number literal).
include-path = "/v1/bets"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "402", "403", "404", "409", "422"]

[[operations]]
# Opening an account: 409 ACCOUNT_EXISTS for a taken id; 422 for a
# schema-valid id the caller's role may not use ("synthetic-..." for a
# channel: JSON Schema cannot say "not for this token").
include-path = "/v1/accounts"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "409", "422"]

[[operations]]
# Deposits: IDEMPOTENCY_KEY_REUSED and CURRENCY_MISMATCH as above.
include-path = "/v1/accounts/{id}/deposits"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "422"]

[[operations]]
# Withdrawals: as deposits, plus 402 INSUFFICIENT_FUNDS.
include-path = "/v1/accounts/{id}/withdrawals"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "402", "403", "404", "422"]

[[operations]]
# Odds as a JSON number with more than 4 decimals (see /v1/bets); 409
# MARKET_SETTLED once the simulated match has ended and its result came in.
include-path = "/v1/selections/{id}/price"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422"]

[[operations]]
# League names (1..64) and skew_version (1..32) are limited in bytes of UTF-8;
# the schema's maxLength counts characters (see /v1/markets/{id}/status).
include-path = "/v1/sim/feeds/{name}/faults"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "422"]

[[operations]]
# Support contacts: opened_at_ms may be at most 5 minutes ahead of the
# book's clock, which JSON Schema cannot express ("near now"): a
# schema-valid time further ahead is 422 VALIDATION_FAILED.
include-path = "/v1/support/events"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "422"]

[[operations]]
# `reason` is limited to 200 bytes of UTF-8; the schema's maxLength counts
# characters, so 200 multi-byte characters are schema-valid but refused.
# 409 MARKET_SETTLED as for prices.
include-path = "/v1/markets/{id}/status"
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422"]
'''


# A schemathesis hooks module, written next to the config for the run. The
# generator draws Idempotency-Key values from a small space ("0", "00", the
# same few strings over and over), so most schema-valid bets and wallet calls
# would come back 422 IDEMPOTENCY_KEY_REUSED and never reach the engine. A
# *valid* key is replaced by a fresh one; invalid keys (negative cases) are
# sent as generated. Idempotent replay itself is tested elsewhere
# (same key + same body must return the same bytes).
HOOKS_PY = r'''
import re
import uuid

import schemathesis

VALID_KEY = re.compile(r"^[!-~]{1,128}$")


def _negative_header_case(case):
    # A case whose point is a missing or invalid *header* is left alone: editing
    # its headers makes schemathesis revalidate it as positive and send the
    # header it meant to leave out (e.g. Authorization), then blame the server.
    meta = getattr(case, "meta", None)
    if meta is None:
        return False
    data = meta.phase.data
    location = getattr(data, "parameter_location", None)
    return meta.generation.mode.is_negative and getattr(location, "value", location) == "header"


@schemathesis.hook
def before_call(context, case, kwargs):
    if _negative_header_case(case):
        return
    headers = case.headers or {}
    for name, value in list(headers.items()):
        if name.lower() == "idempotency-key" and isinstance(value, str) and VALID_KEY.match(value):
            headers[name] = "fuzz-" + uuid.uuid4().hex
        # The book here runs on the simulated clock, which the advancer moves
        # 1 s of book time at a time: a schema-valid deadline shorter than a
        # few of those is exceeded by design (503 DEADLINE_EXCEEDED, which
        # test_admission.py checks); here it is lengthened, still in range.
        if name.lower() == "x-request-deadline-ms" and str(value).isdigit() and int(value) < 5000:
            headers[name] = str(5000 + int(value))
'''


# The simulated world of `inplay demo`: a primary, a backup and a reference
# provider for football, run in-process. On the simulated clock they tick
# when the ClockAdvancer below moves the clock; its 1 s steps stay under the
# feeds' 3 s alive timeout, so the feeds stay up unless the fuzzer's own
# fault-hook calls (stall, disconnect, latency...) take them down - which
# only suspends markets (409s the checks allow).
SIM_FEEDS = """
sim_world: true
feeds:
  - {name: football-primary, sport: football, role: primary}
  - {name: football-backup, sport: football, role: backup}
  - {name: football-reference, sport: football, role: reference}
"""


@pytest.fixture
def book(make_book):
    """The conftest book (sim clock, known world and tokens) with the simulated feeds."""
    return make_book(extra_top=SIM_FEEDS).start()


def st_binary():
    candidate = os.path.join(os.path.dirname(sys.executable), "st")
    if os.path.exists(candidate):
        return candidate
    found = shutil.which("st")
    assert found, "schemathesis CLI `st` not found: pip install -r tests/requirements.txt"
    return found


class ClockAdvancer:
    """Moves the simulated clock forward while the fuzzer runs.

    On the simulated clock time only moves through POST /v1/clock/advance,
    so a bet on an in-play event (5 s in-play delay) would never be answered
    and the fuzzer would hang on it. This plays the part of passing time.
    """

    def __init__(self, book, step_ms=1000, period_s=0.2):
        self.book, self.step_ms, self.period_s = book, step_ms, period_s
        self.stop_event = threading.Event()
        self.errors = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        s = requests.Session()
        headers = {"Authorization": f"Bearer {self.book.operator_token}"}
        while not self.stop_event.wait(self.period_s):
            try:
                r = s.post(self.book.url + "/v1/clock/advance", json={"ms": self.step_ms},
                           headers=headers, timeout=30)
                if r.status_code != 200:
                    self.errors.append(f"{r.status_code} {r.text}")
            except requests.RequestException as e:
                self.errors.append(repr(e))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join(timeout=35)


def run_schemathesis(book, token, tmp_path, exclude_paths=()):
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG_TOML)
    hooks = tmp_path / "fuzz_hooks.py"
    hooks.write_text(HOOKS_PY)
    env = dict(os.environ, SCHEMATHESIS_HOOKS=str(hooks))
    cmd = [
        st_binary(), "--config-file", str(config),
        "run", SPEC,
        "--url", book.url,
        "--header", f"Authorization: Bearer {token}",
        "--checks", "all",
        *(["--exclude-checks", ",".join(EXCLUDED_CHECKS)] if EXCLUDED_CHECKS else []),
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", SEED,
        # One worker: with several, schemathesis' coverage phase calls
        # ast.parse from threads and trips a CPython 3.11 bug ("AST constructor
        # recursion depth mismatch"), failing the run for no server reason.
        "--workers", "1",
        "--request-timeout", "20",
        "--generation-database", "none",
        "--no-color",
        "--output-truncate", "false",
        # Every request and response, for post-mortems: <tmp_path>/report/*.ndjson
        "--report", "ndjson", "--report-dir", str(tmp_path / "report"),
    ]
    for p in exclude_paths:
        cmd += ["--exclude-path", p]
    try:
        proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"")
        out = out.decode(errors="replace") if isinstance(out, bytes) else out
        pytest.fail(f"schemathesis did not finish within {RUN_TIMEOUT_S}s (hang?); "
                    f"seed {SEED}\n{out[-20000:]}")
    return proc


def assert_book_healthy(book):
    proc = getattr(book, "proc", None)
    if proc is not None:
        assert proc.poll() is None, f"inplay exited with {proc.returncode} during fuzzing"
    r = requests.get(book.url + "/healthz", timeout=5)
    assert r.status_code == 200 and r.json() == {"status": "ok"}, r.text
    r = requests.get(book.url + "/v1/admin/state",
                     headers={"Authorization": f"Bearer {book.operator_token}"}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["ledger_sum"] == 0, f"ledger no longer sums to zero: {r.text}"


@pytest.mark.parametrize("role", ["channel", "operator"])
def test_fuzz_api(book, tmp_path, role):
    token = book.channel_token if role == "channel" else book.operator_token
    exclude = OPERATOR_EXCLUDED_PATHS if role == "operator" else []
    with ClockAdvancer(book) as clock:
        result = run_schemathesis(book, token, tmp_path, exclude)
    out = result.stdout + result.stderr
    assert result.returncode == 0, (
        f"schemathesis ({role} token, seed {SEED}) found problems:\n{out[-30000:]}")
    assert not clock.errors, f"clock advance failed during fuzzing: {clock.errors[:5]}"
    assert_book_healthy(book)

    if role == "operator":
        # The two operations kept out of the operator fuzz run, by hand.
        hdr = {"Authorization": f"Bearer {book.operator_token}"}
        r = requests.post(book.url + "/v1/admin/faults/engine-stall", json={"ms": 1},
                          headers=hdr, timeout=10)
        assert r.status_code == 200 and r.json() == {"stalled_ms": 1}, r.text
        for body in ({"ms": 0}, {"ms": 10001}, {"ms": "5"}, {}):
            r = requests.post(book.url + "/v1/admin/faults/engine-stall", json=body,
                              headers=hdr, timeout=10)
            assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_FAILED", r.text
        r = requests.post(book.url + "/v1/admin/faults/engine-stall", data="{",
                          headers=hdr, timeout=10)
        assert r.status_code == 400 and r.json()["error"]["code"] == "MALFORMED_REQUEST", r.text

        before = requests.post(book.url + "/v1/clock/advance", json={"ms": 0},
                               headers=hdr, timeout=10).json()["now_ms"]
        r = requests.post(book.url + "/v1/clock/advance", json={"ms": 1500},
                          headers=hdr, timeout=10)
        assert r.status_code == 200 and r.json() == {"now_ms": before + 1500}, r.text
        for body in ({"ms": -1}, {"ms": 86400001}, {"ms": 1.5}, {}):
            r = requests.post(book.url + "/v1/clock/advance", json=body, headers=hdr, timeout=10)
            assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_FAILED", r.text
        check_warroom_stream(book, hdr)
        assert_book_healthy(book)


def check_warroom_stream(book, hdr):
    """The stream the operator fuzz run leaves out: its head as documented, then
    `retry: 1000` and a snapshot frame with the documented keys."""
    from test_warroom import Sse  # a raw-socket SSE client

    spec = yaml.safe_load(open(SPEC))
    required = spec["components"]["schemas"]["WarRoomSnapshot"]["required"]
    s = Sse(int(book.url.rsplit(":", 1)[1]), hdr["Authorization"].split(" ", 1)[1])
    try:
        assert s.status == 200 and s.headers["content-type"] == "text/event-stream", s.headers
        assert "traceparent" in s.headers
        s.sock.settimeout(10)
        while b"\n\n" not in s.buf:
            s.buf += s.sock.recv(65536)
        assert s.buf.startswith(b"retry: 1000\n\n"), s.buf[:100]
        snap = s.snapshot(timeout=10)
    finally:
        s.close()
    assert snap is not None, "the stream ended"
    assert set(required) == set(snap), sorted(set(required) ^ set(snap))
