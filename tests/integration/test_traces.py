"""Trace search and breakdown (OBS-2): GET /v1/traces and GET /v1/traces/breakdown
over the book's in-memory trace store, on the simulated clock (the in-play
delay makes one bet's trace exactly 5 s slower than the others)."""
import concurrent.futures
import time

IN_PLAY = 1011  # Arsenal v Chelsea (market 101, EPL), in play, 5 s delay
PRE_MATCH = 2011  # Liverpool v Everton (market 201, EPL)


def slow_and_fast_bets(book):
    fast = [book.bet(PRE_MATCH, stake=100, odds="1.5") for _ in range(3)]
    for r in fast:
        assert r.status_code == 201, r.text
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        f = pool.submit(book.bet, selection_id=IN_PLAY, stake=100, odds="2.1")
        time.sleep(0.3)
        book.advance(5000)
        slow = f.result(timeout=10)
    assert slow.status_code == 201, slow.text
    return slow.json(), [r.json() for r in fast]


def test_search_finds_the_slowest_trace_with_time_by_span_name(book):
    slow, fast = slow_and_fast_bets(book)
    r = book.get("/v1/traces?limit=5", token="operator")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["matched"] >= 4 and body["scanned"] >= body["matched"]
    # The slowest are the delayed bet and the clock advance that released it
    # (both 5 s on the simulated clock); the fast bets come after them.
    ids = [t["trace_id"] for t in body["traces"]]
    assert slow["trace_id"] in ids[:2], ids
    top = body["traces"][ids.index(slow["trace_id"])]
    assert top["root"] == "gateway"
    assert top["duration_ns"] >= 5_000_000_000
    assert top["duration_ms"] >= 5000
    assert top["spans"] >= 4 and top["error"] is False
    names = {n["name"]: n for n in top["by_name"]}
    assert {"gateway", "risk", "inplay_delay", "wallet", "journal"} <= set(names)
    assert names["inplay_delay"]["total_ns"] >= 5_000_000_000
    assert len(body["traces"]) <= 5
    durations = [t["duration_ns"] for t in body["traces"]]
    assert durations == sorted(durations, reverse=True)


def test_search_filters_by_attribute_duration_and_window(book):
    slow, fast = slow_and_fast_bets(book)
    one = fast[1]
    r = book.get(f"/v1/traces?attr.bet_id={one['bet_id']}", token="operator").json()
    assert [t["trace_id"] for t in r["traces"]] == [one["trace_id"]]
    # Two filters must both match.
    r = book.get(f"/v1/traces?attr.bet_id={one['bet_id']}&attr.market_id=101", token="operator").json()
    assert r["matched"] == 0 and r["traces"] == []
    r = book.get("/v1/traces?attr.market_id=201", token="operator").json()
    assert {t["trace_id"] for t in r["traces"]} == {b["trace_id"] for b in fast}
    # Percent-encoded values are decoded.
    r = book.get("/v1/traces?attr.market_id=%32%301", token="operator").json()
    assert r["matched"] == 3
    r = book.get("/v1/traces?min_ms=4000", token="operator").json()
    ids = {t["trace_id"] for t in r["traces"]}
    assert slow["trace_id"] in ids and not ids & {b["trace_id"] for b in fast}
    r = book.get("/v1/traces?max_ms=4000&attr.market_id=101", token="operator").json()
    assert r["matched"] == 0
    # since: Unix ms; far in the future matches nothing, 0 everything.
    assert book.get("/v1/traces?since=9000000000000", token="operator").json()["matched"] == 0
    assert book.get("/v1/traces?since=0&attr.market_id=201", token="operator").json()["matched"] == 3


def test_breakdown_by_attribute_points_at_the_slow_value(book):
    slow, fast = slow_and_fast_bets(book)
    r = book.get("/v1/traces/breakdown?by=market_id", token="operator")
    assert r.status_code == 200, r.text
    b = r.json()
    assert b["by"] == "market_id"
    groups = {g["value"]: g for g in b["groups"]}
    assert groups["201"]["count"] == 3 and groups["101"]["count"] == 1
    assert b["without_attribute"] >= 1  # the GET requests' own gateway traces
    # Default threshold: the p99 of everything matched, i.e. the slow bet.
    assert b["slow_threshold_ms"] >= 5000
    assert b["groups"][0]["value"] == "101"
    assert groups["101"]["slow"] == 1 and groups["101"]["slow_share"] == 1.0
    assert b["slow"] >= 1 and groups["101"]["share_of_slow"] == round(1 / b["slow"], 4)
    assert groups["101"]["p99_ms"] >= 5000 and groups["201"]["p99_ms"] < 5000
    # An explicit threshold, a filter and a limit.
    b = book.get("/v1/traces/breakdown?by=market_id&min_ms=0&attr.market_id=201&limit=1",
                 token="operator").json()
    assert b["matched"] == 3 and b["slow"] == 3 and b["groups_total"] == 1
    assert len(b["groups"]) == 1 and b["groups"][0]["slow_share"] == 1.0
    # Users are grouped by their masked pseudonym only.
    b = book.get("/v1/traces/breakdown?by=user", token="operator")
    assert "alice" not in b.text
    # (the seed deposits at start-up carry an empty user)
    assert all(g["value"].startswith("u_") for g in b.json()["groups"] if g["value"]), b.text


def test_trace_queries_are_operator_only_and_validated(book):
    for path in ("/v1/traces", "/v1/traces/breakdown?by=league"):
        assert book.get(path).status_code == 403
        assert book.post(path, json={}, token="operator").status_code == 405
    bad = ["/v1/traces?min_ms=abc", "/v1/traces?min_ms=-1", "/v1/traces?max_ms=1e20",
           "/v1/traces?limit=0", "/v1/traces?limit=1001", "/v1/traces?since=1.5",
           "/v1/traces?since=-5", "/v1/traces?nope=1", "/v1/traces?attr.=x",
           "/v1/traces/breakdown",
           "/v1/traces/breakdown?by=", "/v1/traces/breakdown?by=" + "k" * 65,
           "/v1/traces/breakdown?by=league&max_ms=3", "/v1/traces?limit=1&limit=2",
           "/v1/traces?attr.league=EPL&attr.league=MLS"]
    for path in bad:
        r = book.get(path, token="operator")
        assert r.status_code == 422, (path, r.status_code, r.text)
        assert r.json()["error"]["code"] == "VALIDATION_FAILED", path
    # The per-trace route still works next to the new ones.
    assert book.get("/v1/traces/" + "0" * 31 + "1", token="operator").status_code == 404
