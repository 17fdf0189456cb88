"""The bet path end to end over HTTP: accept, read back, money, traces, metrics."""


def test_bet_accepted_end_to_end(book):
    before = book.get("/v1/accounts/alice").json()
    r = book.bet(2011, stake=1000, odds="1.5")
    assert r.status_code == 201, r.text
    bet = r.json()
    assert bet["status"] == "accepted"
    assert bet["odds"] == "1.5" and bet["stake"] == 1000 and bet["currency"] == "GBP"
    assert bet["potential_payout"] == 1500
    assert bet["market_id"] == 201 and bet["event_id"] == 2
    # Readable afterwards: the same bet, and what settlement did (nothing yet).
    got = book.get(f"/v1/bets/{bet['bet_id']}")
    assert got.status_code == 200 and got.json() == dict(
        bet, outcome=None, result_version=None, settled_at=None, cashout=None, **{"return": None})
    # Stake reserved on acceptance: cash down, reserved up, same total.
    after = book.get("/v1/accounts/alice").json()
    assert after["balance"] == before["balance"] - 1000
    assert after["reserved"] == before["reserved"] + 1000
    # Liability moved on the market and selection (operators see it; a
    # channel's view has none, SEC-1).
    assert "liability" not in book.get("/v1/markets/201").json()
    m = book.get("/v1/markets/201", token="operator").json()
    assert m["liability"] == 500
    sel = [s for s in m["selections"] if s["selection_id"] == 2011][0]
    assert sel["liability"] == 500
    assert book.state()["ledger_sum"] == 0


def test_one_trace_per_bet_with_gateway_risk_wallet_journal(book):
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    r = book.post("/v1/bets", key="trace-1", headers={"traceparent": parent},
                  json={"account": "alice", "selection_id": 2011, "stake": 100, "currency": "GBP",
                        "odds": "1.5"})
    assert r.status_code == 201, r.text
    tp = r.headers["traceparent"]
    assert tp.startswith("00-0af7651916cd43dd8448eb211c80319c-")
    assert r.json()["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    t = book.get("/v1/traces/0af7651916cd43dd8448eb211c80319c", token="operator")
    assert t.status_code == 200, t.text
    spans = {s["name"]: s for s in t.json()["spans"]}
    assert {"gateway", "risk", "wallet", "journal"} <= set(spans)
    gw = spans["gateway"]
    assert gw["parent_span_id"] == "b7ad6b7169203331"
    for name in ("risk", "wallet", "journal"):
        assert spans[name]["parent_span_id"] == gw["span_id"], name
    bet_id = r.json()["bet_id"]
    assert spans["wallet"]["attributes"]["bet_id"] == bet_id
    assert spans["risk"]["attributes"]["market_id"] == "201"
    assert spans["risk"]["attributes"]["event_id"] == "2"
    user = spans["risk"]["attributes"]["user"]
    assert user.startswith("u_") and "alice" not in user
    assert "alice" not in t.text


def test_metrics_exposition(book):
    book.bet(2011, stake=100, odds="1.5")
    book.bet(2011, stake=100, odds="9.9")  # PRICE_CHANGED
    text = book.get("/metrics", token=None).text
    assert "# TYPE bet_accept_latency_seconds histogram" in text
    assert 'bets_total{outcome="accepted",code=""} 1' in text
    assert 'bets_total{outcome="rejected",code="PRICE_CHANGED"} 1' in text
    assert 'http_requests_total{route="/v1/bets",code="201"} 1' in text
    assert "engine_queue_depth" in text
    assert "journal_fsync_seconds_count" in text
    assert "ledger_sum_minor 0" in text


def test_open_endpoints_need_no_token(book):
    assert book.get("/healthz", token=None).status_code == 200
    assert book.get("/readyz", token=None).json() == {"status": "ready"}
    assert book.get("/metrics", token=None).status_code == 200


def test_deposit_and_withdrawal(book):
    book.open_account("zoe")
    r = book.post("/v1/accounts/zoe/deposits", json={"amount": 5000, "currency": "GBP"}, key="dep-1")
    assert r.status_code == 201, r.text
    assert r.json()["balance"] == 5000
    r = book.post("/v1/accounts/zoe/withdrawals", json={"amount": 2000, "currency": "GBP"}, key="wd-1")
    assert r.status_code == 201, r.text
    assert r.json()["balance"] == 3000
    assert book.get("/v1/accounts/zoe").json() == {"account": "zoe", "currency": "GBP",
                                                   "balance": 3000, "reserved": 0, "channel": "web"}
    assert book.state()["ledger_sum"] == 0


def test_events_list_markets_and_prices(book):
    events = book.get("/v1/events").json()["events"]
    assert [e["event_id"] for e in events] == [1, 2, 3]
    e2 = events[1]
    assert e2["league"] == "EPL" and e2["state"] == "pre_match"
    types = [m["type"] for m in e2["markets"]]
    assert types == ["match_result", "total_goals", "btts"]
    assert e2["markets"][1]["line"] == 25
    assert e2["markets"][0]["selections"][0]["odds"] == "1.5"
    assert all(m["bettable"] for m in e2["markets"])


def test_sqlite_projection_follows_the_journal(book):
    import sqlite3
    import time
    ids = [book.bet(2011, stake=100 + i, odds="1.5").json()["bet_id"] for i in range(5)]
    db = f"{book.data_dir}/book.sqlite"
    deadline = time.time() + 10
    rows = []
    while time.time() < deadline:
        try:
            con = sqlite3.connect(db)
            rows = con.execute("select bet_id, stake_minor from bets order by bet_id").fetchall()
            total = con.execute("select sum(amount_minor) from ledger_entries").fetchone()[0]
            con.close()
            if len(rows) == 5:
                break
        except sqlite3.OperationalError:
            pass
        time.sleep(0.1)
    assert [str(r[0]) for r in rows] == ids
    assert [r[1] for r in rows] == [100, 101, 102, 103, 104]
    assert total == 0
