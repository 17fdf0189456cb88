"""OTLP/HTTP JSON trace export: a receiver on loopback takes the exporter's
POSTs; every body must parse as the real ExportTraceServiceRequest
(opentelemetry-proto from PyPI), ids must be lower-case hex of 16/8 bytes
(OTLP/JSON; protobuf's JSON mapping wants base64, so they are converted
first - see ../shared/TOOLING.md), and a bet's trace must arrive whole:
the gateway span the parent of risk, wallet and journal, with bet_id,
market_id and the masked user."""
import base64
import http.server
import json
import re
import threading
import time

import pytest
from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

HEX_ID = {"traceId": 32, "spanId": 16, "parentSpanId": 16}


class Receiver:
    """An OTLP/HTTP endpoint on 127.0.0.1: records each POST; the first
    `fail_first` requests are answered 503 (to exercise the retry)."""

    def __init__(self, fail_first=0):
        self.bodies, self.paths, self.content_types = [], [], []
        self.attempts = 0
        self.fail_first = fail_first
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                with outer.lock:
                    outer.attempts += 1
                    fail = outer.attempts <= outer.fail_first
                    if not fail:
                        outer.bodies.append(body)
                        outer.paths.append(self.path)
                        outer.content_types.append(self.headers.get("Content-Type"))
                self.send_response(503 if fail else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}/v1/traces"

    def spans(self):
        with self.lock:
            bodies = list(self.bodies)
        out = []
        for b in bodies:
            for rs in json.loads(b)["resourceSpans"]:
                for ss in rs["scopeSpans"]:
                    out.extend(ss["spans"])
        return out

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def validate(body):
    """Parses one OTLP/JSON body against the real schema; returns the message."""
    doc = json.loads(body)
    for rs in doc["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            for s in ss["spans"]:
                for field, hex_len in HEX_ID.items():
                    if field not in s:
                        assert field == "parentSpanId", s
                        continue
                    assert re.fullmatch(f"[0-9a-f]{{{hex_len}}}", s[field]), (field, s[field])
                    s[field] = base64.b64encode(bytes.fromhex(s[field])).decode()
                assert isinstance(s["startTimeUnixNano"], str) and isinstance(s["endTimeUnixNano"], str)
    msg = json_format.Parse(json.dumps(doc), ExportTraceServiceRequest())
    for rs in msg.resource_spans:
        names = {a.key: a.value.string_value for a in rs.resource.attributes}
        assert names.get("service.name") == "inplay"
        for ss in rs.scope_spans:
            for s in ss.spans:
                assert len(s.trace_id) == 16 and len(s.span_id) == 8
                assert len(s.parent_span_id) in (0, 8)
                assert s.end_time_unix_nano >= s.start_time_unix_nano > 0
                assert s.kind in (1, 2)
    return msg


def wait_for_trace(receiver, trace_id, names, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = [s for s in receiver.spans() if s["traceId"] == trace_id]
        if names <= {s["name"] for s in got}:
            return got
        time.sleep(0.1)
    raise AssertionError(f"trace {trace_id} not exported whole: {[s['name'] for s in receiver.spans()]}")


def attrs(span):
    out = {}
    for a in span["attributes"]:
        v = a["value"]
        assert len(v) == 1 and set(v) <= {"stringValue", "intValue"}, a
        out[a["key"]] = v.get("stringValue", v.get("intValue"))
    return out


def test_a_bets_trace_is_exported_as_valid_otlp_json(make_book, receiver):
    book = make_book(extra_telemetry=f"otlp_endpoint: {receiver.endpoint}").start()
    r = book.bet(2011, stake=100, odds="1.5")
    assert r.status_code == 201, r.text
    bet = r.json()
    spans = wait_for_trace(receiver, bet["trace_id"], {"gateway", "risk", "wallet", "journal"})

    assert receiver.bodies and set(receiver.paths) == {"/v1/traces"}
    assert all(ct.startswith("application/json") for ct in receiver.content_types)
    for body in list(receiver.bodies):
        validate(body)
        assert b"alice" not in body  # CMP-2: never the raw account id

    by_name = {s["name"]: s for s in spans}
    gw = by_name["gateway"]
    assert "parentSpanId" not in gw and gw["kind"] == 2  # SERVER, root of the bet
    for name in ("risk", "wallet", "journal"):
        assert by_name[name]["parentSpanId"] == gw["spanId"], name
        assert by_name[name]["kind"] == 1  # INTERNAL
    assert attrs(by_name["wallet"])["bet_id"] == bet["bet_id"]
    assert attrs(by_name["journal"])["bet_id"] == bet["bet_id"]
    assert attrs(by_name["risk"])["market_id"] == "201"
    assert "intValue" in [a for a in by_name["risk"]["attributes"] if a["key"] == "market_id"][0]["value"]
    for name in ("gateway", "risk", "wallet"):
        user = attrs(by_name[name])["user"]
        assert user.startswith("u_") and "alice" not in user, (name, user)
    # The same ids as the book's own trace store.
    stored = book.get(f"/v1/traces/{bet['trace_id']}", token="operator").json()["spans"]
    assert {s["span_id"] for s in stored} >= {s["spanId"] for s in spans}

    deadline = time.time() + 10
    while time.time() < deadline:
        metrics = book.get("/metrics", token=None).text
        m = re.search(r"^otlp_exported_spans_total (\d+)", metrics, re.M)
        if m and int(m.group(1)) >= 4:
            break
        time.sleep(0.1)
    assert m and int(m.group(1)) >= 4, metrics
    assert re.search(r"^otlp_dropped_spans_total 0$", metrics, re.M)
    assert re.search(r"^otlp_failed_spans_total 0$", metrics, re.M)


def test_export_retries_with_backoff_after_server_errors(make_book):
    receiver = Receiver(fail_first=2)
    try:
        book = make_book(extra_telemetry=f"otlp_endpoint: {receiver.endpoint}").start()
        r = book.bet(2011, stake=100, odds="1.5")
        assert r.status_code == 201, r.text
        wait_for_trace(receiver, r.json()["trace_id"], {"gateway", "risk", "wallet", "journal"})
        assert receiver.attempts >= 3
        for body in list(receiver.bodies):
            validate(body)
        metrics = book.get("/metrics", token=None).text
        assert re.search(r"^otlp_failed_spans_total 0$", metrics, re.M), metrics
    finally:
        receiver.close()


def test_export_is_off_by_default_and_a_bad_endpoint_is_a_config_error(make_book):
    book = make_book().start()
    assert book.bet(2011, stake=100, odds="1.5").status_code == 201
    assert "otlp_exported_spans_total" not in book.get("/metrics", token=None).text
    bad = make_book(extra_telemetry="otlp_endpoint: https://collector:4318/v1/traces")
    with pytest.raises(RuntimeError, match="otlp_endpoint"):
        bad.start()
