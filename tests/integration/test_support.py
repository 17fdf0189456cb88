"""Support signals and the public status page (SUP-1, issue 16 item 5),
against the real binary over HTTP.

The conftest book (simulated clock: time moves only through POST
/v1/clock/advance) with a `support` token for a CRM integration. Covered:
bad contacts refused with stable codes and nothing counted; a contact
counted once, its first reply once, its id pseudonymised in the log; the
support_first_reply SLO with data (in GET /v1/slos, the war room and
/metrics); a tag rising over 3x its baseline firing support_tag_spike, one
incident and no action on the book; the public status page (no token,
nothing internal), a note published from an incident, kept across a
kill -9, taken down by hand and by the incident's resolve.

Contact times are taken from the book's own clock (POST /v1/clock/advance
answers now_ms), never the wall clock: the tests pass under faketime +400d.
"""
import json
import re

import pytest

from conftest import BookProcess, CHANNEL_TOKEN, OPERATOR_TOKEN, metric, sha
from test_incident_api import audit_records, wait_audit

SUPPORT_TOKEN = "test-support-token-0123456789abcdef0"
# Short windows so that a spike is seen in minutes of book time.
SUPPORT_CONFIG = """
support:
  tags: [delay, cashout, payment]
  spike: {window: 1m, baseline: 10m, warmup: 2m, min_contacts: 5}
"""


def with_support_token(text):
    anchor = f"    - {{name: trader, role: operator, sha256: {sha(OPERATOR_TOKEN)}}}\n"
    assert anchor in text
    return text.replace(anchor, anchor + f"    - {{name: crm, role: support, sha256: {sha(SUPPORT_TOKEN)}}}\n")


@pytest.fixture
def sbook(tmp_path):
    b = BookProcess(tmp_path, extra_top=SUPPORT_CONFIG)
    b.config_path.write_text(with_support_token(b.config_path.read_text()))
    b.start()
    yield b
    b.stop()


def now_ms(b):
    return b.advance(0)["now_ms"]


def contact(b, cid, tags=("delay",), channel="chat", reply_ms=None, opened_ago_ms=0):
    c = {"contact_id": cid, "channel": channel, "tags": list(tags), "opened_at_ms": now_ms(b) - opened_ago_ms}
    if reply_ms is not None:
        c["first_reply_ms"] = reply_ms
    return c


def send(b, body, token=SUPPORT_TOKEN):
    return b.post("/v1/support/events", json=body, token=token)


def support_state(b):
    r = b.get("/v1/support", token=SUPPORT_TOKEN)
    assert r.status_code == 200, r.text
    return r.json()


def op_get(b, path):
    r = b.get(path, token="operator")
    assert r.status_code == 200, f"{path}: {r.status_code} {r.text}"
    return r.json()


def assert_error(r, status, code):
    assert r.status_code == status, f"expected {status} {code}, got {r.status_code} {r.text}"
    assert r.json()["error"]["code"] == code, r.text
    assert set(r.json()) == {"error"}


# --- contacts in -----------------------------------------------------------------------------------

def test_bad_contacts_are_refused_with_stable_codes_and_change_nothing(sbook):
    b = sbook
    good = contact(b, "crm-1", reply_ms=20000)
    before_state, before_metrics = support_state(b), b.metrics()
    bad = [
        ("{", None, 400, "MALFORMED_REQUEST"),
        (None, [good], 400, "MALFORMED_REQUEST"),
        (None, {}, 422, "VALIDATION_FAILED"),
        (None, dict(good, channel="fax"), 422, "VALIDATION_FAILED"),
        (None, dict(good, tags=[]), 422, "VALIDATION_FAILED"),
        (None, dict(good, tags=["delay", "delay"]), 422, "VALIDATION_FAILED"),
        (None, dict(good, tags=["My bet was not paid!"]), 422, "VALIDATION_FAILED"),
        (None, dict(good, contact_id="jane.doe@example.com"), 422, "VALIDATION_FAILED"),
        (None, dict(good, first_reply_ms=-5), 422, "VALIDATION_FAILED"),
        (None, dict(good, opened_at_ms="yesterday"), 422, "VALIDATION_FAILED"),
        (None, dict(good, opened_at_ms=good["opened_at_ms"] + 3600_000), 422, "VALIDATION_FAILED"),
        # Free text: what a customer wrote never comes in.
        (None, dict(good, note="Customer Jane Doe, card 4111 1111 1111 1111, is angry"), 422, "VALIDATION_FAILED"),
        # A batch is all or nothing: the first contact is good, the second is not.
        (None, {"events": [good, dict(good, contact_id="crm-2", channel="pigeon")]}, 422, "VALIDATION_FAILED"),
        (None, {"events": [good], "channel": "chat"}, 422, "VALIDATION_FAILED"),
    ]
    for data, body, status, code in bad:
        r = b.post("/v1/support/events", json=body, data=data, token=SUPPORT_TOKEN)
        assert_error(r, status, code)
        assert r.headers.get("traceparent")
    r = send(b, {"events": [good, dict(good, contact_id="crm-2", channel="pigeon")]})
    assert "events[1].channel" in r.json()["error"]["message"], r.text
    assert "no PII" in send(b, dict(good, note="x")).json()["error"]["message"]
    # Roles: no token, a channel's token.
    assert_error(b.post("/v1/support/events", json=good, token=None), 401, "UNAUTHORIZED")
    assert_error(b.post("/v1/support/events", json=good, token=CHANNEL_TOKEN), 403, "FORBIDDEN")
    assert_error(b.get("/v1/support", token=CHANNEL_TOKEN), 403, "FORBIDDEN")
    # Nothing was counted.
    after = support_state(b)
    assert (after["contacts"], after["replies"], after["duplicates"]) == (0, 0, 0), after
    assert after["tags"] == before_state["tags"]
    text = b.metrics()
    for series in ("support_contacts_total", "support_first_reply_seconds_count", "support_contacts_duplicate_total"):
        assert metric(text, series) == metric(before_metrics, series) == 0, series


def test_a_support_token_reports_contacts_and_touches_nothing_else(sbook):
    b = sbook
    assert send(b, contact(b, "crm-1")).status_code == 200
    for method, path, body in [("GET", "/v1/events", None), ("GET", "/v1/markets/101", None),
                               ("GET", "/v1/accounts/alice", None), ("GET", "/v1/slos", None),
                               ("POST", "/v1/bets", {"account": "alice", "selection_id": 2011, "stake": 100,
                                                     "currency": "GBP", "odds": "1.5"}),
                               ("POST", "/v1/incidents/1/status-note", {"message": "x", "status": "degraded"})]:
        r = b.post(path, json=body, token=SUPPORT_TOKEN, method=method, key="auto" if method == "POST" else None)
        assert_error(r, 403, "FORBIDDEN")
    # The operator may report contacts too.
    assert send(b, contact(b, "crm-2"), token=OPERATOR_TOKEN).status_code == 200


def test_a_contact_counts_once_and_its_id_is_pseudonymised(sbook):
    b = sbook
    raw = "crm-ticket-471100"
    opened = contact(b, raw, tags=["delay", "bonus"])  # "bonus" is not a configured tag: "other"
    r = send(b, opened)
    assert r.status_code == 200 and r.json() == {"contacts": 1, "replies": 0, "duplicates": 0}, r.text
    # The CRM retries; then the first reply comes (24 s after opening).
    assert send(b, opened).json() == {"contacts": 0, "replies": 0, "duplicates": 1}
    replied = dict(opened, first_reply_ms=24000)
    assert send(b, {"events": [replied, replied]}).json() == {"contacts": 0, "replies": 1, "duplicates": 1}
    text = b.metrics()
    assert metric(text, 'support_contacts_total{tag="delay",channel="chat"}') == 1
    assert metric(text, 'support_contacts_total{tag="other",channel="chat"}') == 1
    assert metric(text, 'support_contacts_total{tag="bonus",channel="chat"}') == 0
    assert metric(text, 'support_first_reply_seconds_count{channel="chat"}') == 1
    assert metric(text, 'support_first_reply_seconds_bucket{channel="chat",le="30"}') == 1
    assert metric(text, "support_contacts_duplicate_total") == 2
    state = support_state(b)
    assert (state["contacts"], state["replies"], state["duplicates"]) == (1, 1, 2)
    assert [t["tag"] for t in state["tags"]] == ["delay", "cashout", "payment", "other"]
    # The log names the contact by its pseudonym only.
    log = b.stderr_path.read_text()
    lines = [json.loads(line) for line in log.splitlines() if '"support contact"' in line]
    assert len(lines) == 1, log[-2000:]
    assert re.fullmatch(r"u_[0-9a-f]{16}", lines[0]["contact"]), lines[0]
    assert raw not in log


def test_first_replies_feed_the_support_slo(sbook):
    b = sbook
    b.advance(1000)  # one evaluation
    slo = {s["name"]: s for s in op_get(b, "/v1/slos")["slos"]}["support_first_reply"]
    assert slo["wired"] and not slo["has_data"] and slo["status"] == "no data", json.dumps(slo)
    events = [contact(b, f"crm-{i}", reply_ms=15000 + i * 1000) for i in range(19)]
    events.append(contact(b, "crm-slow", reply_ms=90000))  # over 60 s: bad
    events.append(contact(b, "crm-mail", channel="email", reply_ms=3 * 3600_000))  # e-mail: not judged
    assert send(b, {"events": events}).json() == {"contacts": 21, "replies": 21, "duplicates": 0}
    b.advance(1000)
    slo = {s["name"]: s for s in op_get(b, "/v1/slos")["slos"]}["support_first_reply"]
    assert slo["has_data"] and slo["status"] == "ok", slo
    assert slo["valid_events"] == 20 and slo["sli"] == 0.95, slo
    assert slo["service"] == "support" and slo["runbook"] == "docs/runbooks.md#support-first-reply"
    text = b.metrics()
    assert 'slo_has_data{slo="support_first_reply"} 1' in text
    assert 'slo_sli_ppm{slo="support_first_reply"} 950000' in text
    assert metric(text, 'slo_events_total{slo="support_first_reply",kind="valid"}') == 20
    # The war room's SLO list shows it with its data.
    snap = op_get(b, "/v1/warroom/snapshot")
    listed = {s["name"]: s for s in snap["slos"]["slos"]}
    assert listed["support_first_reply"]["has_data"], listed["support_first_reply"]


# --- the spike alert -------------------------------------------------------------------------------

def test_a_tag_over_three_times_its_baseline_fires_one_alert_and_the_book_is_not_touched(sbook):
    b = sbook
    markets_before = {m: b.get(f"/v1/markets/{m}").json() for m in (101, 201, 301)}
    # Ten minutes of normal: two "delay" and one "payment" contact a minute.
    n = 0
    for _ in range(20):
        n += 1
        events = [contact(b, f"d-{n}", reply_ms=20000)]
        if n % 2 == 0:
            events.append(contact(b, f"p-{n}", tags=["payment"], reply_ms=20000))
        assert send(b, {"events": events}).status_code == 200
        b.advance(30_000)
    state = {t["tag"]: t for t in support_state(b)["tags"]}
    assert state["delay"]["warm"] and abs(state["delay"]["baseline_per_minute"] - 2.0) < 0.3, state["delay"]
    assert op_get(b, "/v1/alerts")["alerts"] == []
    # Something customers see breaks: 24 "delay" contacts a minute.
    fired = None
    for step in range(18):  # 3 minutes, 10 s at a time
        batch = [contact(b, f"s-{step}-{k}") for k in range(4)]
        assert send(b, {"events": batch}).status_code == 200
        b.advance(10_000)
        alerts = [a for a in op_get(b, "/v1/alerts")["alerts"] if a["name"] == "support_tag_spike"]
        if alerts:
            fired = alerts
            break
    assert fired, support_state(b)
    assert len(fired) == 1 and fired[0]["labels"]["tag"] == "delay", fired
    assert fired[0]["labels"]["service"] == "support" and fired[0]["labels"]["severity"] == "ticket"
    assert fired[0]["annotations"]["runbook"] == "docs/runbooks.md#support-spike"
    assert 60 <= step * 10 + 10 <= 120, step  # the 1 m `for` after the ratio passed 3
    state = {t["tag"]: t for t in support_state(b)["tags"]}
    assert state["delay"]["ratio"] > 3 and state["payment"]["ratio"] == 0, state
    assert metric(b.metrics(), 'support_tag_rate_ratio_permille{tag="delay"}') > 3000
    b.advance(2000)
    incidents = op_get(b, "/v1/incidents")["incidents"]
    assert len(incidents) == 1, incidents
    inc = incidents[0]
    assert inc["alerts"] == ["support_tag_spike"] and inc["group_labels"]["service"] == "support", inc
    # A signal, not a remedy: no action, no market touched.
    assert inc["actions"] == [] and inc["markets"] == []
    assert op_get(b, "/v1/actions")["actions"] == []
    for m, before in markets_before.items():
        after = b.get(f"/v1/markets/{m}").json()
        for k in ("status", "stake_cap", "cashout", "extra_delay_ms", "intake_per_second"):
            assert after[k] == before[k], (m, k)


# --- the status page -------------------------------------------------------------------------------

SPIKE_WEBHOOK = {
    "version": "4",
    "groupKey": '{}:{alertname="support_tag_spike"}',
    "status": "firing",
    "receiver": "inplay",
    "groupLabels": {"alertname": "support_tag_spike"},
    "commonLabels": {"alertname": "support_tag_spike", "service": "support"},
    "commonAnnotations": {},
    "externalURL": "http://alertmanager.example:9093",
    "truncatedAlerts": 0,
    "alerts": [{
        "status": "firing",
        "labels": {"alertname": "support_tag_spike", "service": "support", "tag": "delay", "severity": "ticket"},
        "annotations": {"summary": "customers write in about delays"},
        "startsAt": "2026-11-28T15:00:00.000Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus.example:9090/graph",
        "fingerprint": "5e3a0c1d2e5b6a70",
    }],
}

NOTE = {"message": "Some in-play bets are taking longer than usual to confirm. We are on it.", "status": "degraded"}


def public_status(b):
    r = b.get("/v1/status", token=None)
    assert r.status_code == 200, r.text
    assert r.headers.get("traceparent")
    return r.json()


def open_support_incident(b):
    r = b.post("/v1/alerts/webhook", json=SPIKE_WEBHOOK, token="operator")
    assert r.status_code == 200, r.text
    for _ in range(3):
        b.advance(1000)
        incidents = op_get(b, "/v1/incidents")["incidents"]
        if incidents:
            return incidents[0]["id"]
    pytest.fail("no incident from the webhook")


def assert_nothing_internal(page_text, b):
    page = json.loads(page_text)
    assert set(page) == {"status", "notes"}
    for n in page["notes"]:
        assert set(n) == {"status", "message", "published_at", "updated_at"}, n
    for internal in ("incident", "market", "127.0.0.1", "localhost", "trader", "operator", "crm",
                     "support_tag_spike", "error", b.url):
        assert internal not in page_text, internal


def test_the_status_page_is_public_and_says_only_what_operators_publish(sbook):
    b = sbook
    assert public_status(b) == {"status": "operational", "notes": []}
    assert b.get("/v1/status").status_code == 200  # a token is not needed, nor refused
    assert_error(b.post("/v1/status", json={}, token=None), 405, "METHOD_NOT_ALLOWED")
    iid = open_support_incident(b)
    # Bad notes change nothing.
    path = f"/v1/incidents/{iid}/status-note"
    for body, code in [({"message": "feed host 10.20.1.7 is down", "status": "degraded"}, "VALIDATION_FAILED"),
                       ({"message": "<script>x</script>", "status": "degraded"}, "VALIDATION_FAILED"),
                       ({"message": "see https://grafana.internal/d/odds", "status": "degraded"}, "VALIDATION_FAILED"),
                       ({"message": "ok", "status": "on_fire"}, "VALIDATION_FAILED"),
                       ({"message": "ok", "status": "degraded", "market_id": 101}, "VALIDATION_FAILED"),
                       ({"status": "degraded"}, "VALIDATION_FAILED")]:
        assert_error(b.post(path, json=body, token="operator"), 422, code)
    assert_error(b.post(path, json=NOTE, token=CHANNEL_TOKEN), 403, "FORBIDDEN")
    assert_error(b.post("/v1/incidents/999/status-note", json=NOTE, token="operator"), 404, "INCIDENT_NOT_FOUND")
    assert_error(b.post("/v1/incidents/abc/status-note", json=NOTE, token="operator"), 404, "INCIDENT_NOT_FOUND")
    assert public_status(b) == {"status": "operational", "notes": []}
    assert op_get(b, f"/v1/incidents/{iid}")["status_note"] is None

    # Published: on the page at once, nothing internal with it.
    r = b.post(path, json=NOTE, token="operator")
    assert r.status_code == 200, r.text
    note = r.json()["status_note"]
    assert note["message"] == NOTE["message"] and note["status"] == "degraded" and note["actor"] == "operator:trader"
    assert any("status-page note published" in e["what"] for e in r.json()["timeline"])
    page = b.get("/v1/status", token=None)
    assert page.json()["status"] == "degraded"
    assert [n["message"] for n in page.json()["notes"]] == [NOTE["message"]]
    assert_nothing_internal(page.text, b)
    # Replaced with a worse status: still one note, published_at kept.
    worse = {"message": "In-play betting is paused while we fix a fault.", "status": "major_outage"}
    first = page.json()["notes"][0]["published_at"]
    b.advance(5000)
    assert b.post(path, json=worse, token="operator").status_code == 200
    page = public_status(b)
    assert page["status"] == "major_outage" and len(page["notes"]) == 1
    assert page["notes"][0]["published_at"] == first and page["notes"][0]["updated_at"] > first

    # The journal keeps it: a kill -9 and a restart show the same page.
    b.kill9()
    b.start()
    assert public_status(b) == page
    assert op_get(b, f"/v1/incidents/{iid}")["status_note"]["status"] == "major_outage"

    # Taken down by hand (a second time is no error).
    r = b.post(path, token="operator", method="DELETE")
    assert r.status_code == 200 and r.json()["status_note"] is None, r.text
    assert b.post(path, token="operator", method="DELETE").status_code == 200
    assert public_status(b) == {"status": "operational", "notes": []}
    # Who published and took it down is in the audit log.
    records = wait_audit(b, lambda r: r.get("action") == "status_note_cleared", "the note taken down")
    assert records[0]["target"] == f"incident:{iid}" and records[0]["actor"] == "operator:trader"
    published = [r for r in audit_records(b) if r.get("action") == "status_note_published"]
    assert len(published) == 2 and published[0]["detail"] == f"degraded: {NOTE['message']}", published


def test_a_resolved_incident_takes_its_note_down(sbook):
    b = sbook
    iid = open_support_incident(b)
    path = f"/v1/incidents/{iid}/status-note"
    assert b.post(path, json=NOTE, token="operator").status_code == 200
    assert public_status(b)["status"] == "degraded"
    # The alert resolves; after the playbooks' revert_after (60 s) the incident does.
    resolved = json.loads(json.dumps(SPIKE_WEBHOOK))
    resolved["status"] = "resolved"
    resolved["alerts"][0]["status"] = "resolved"
    resolved["alerts"][0]["endsAt"] = "2026-11-28T15:05:00.000Z"
    assert b.post("/v1/alerts/webhook", json=resolved, token="operator").status_code == 200
    for _ in range(20):
        b.advance(10_000)
        if op_get(b, f"/v1/incidents/{iid}")["status"] == "resolved":
            break
    inc = op_get(b, f"/v1/incidents/{iid}")
    assert inc["status"] == "resolved" and inc["status_note"] is None, inc
    assert any(e["what"] == "status-page note taken down: the incident resolved" for e in inc["timeline"])
    assert public_status(b) == {"status": "operational", "notes": []}
    assert_error(b.post(path, json=NOTE, token="operator"), 409, "INCIDENT_RESOLVED")
    assert public_status(b) == {"status": "operational", "notes": []}
