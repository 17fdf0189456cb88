"""A hot standby on the Kafka journal (`inplay serve --standby`, docs/kafka.md)
against a real Kafka 4.4 cluster on loopback (three KRaft brokers, RF 3,
min.insync.replicas 2; kafka_cluster.py).

What is proven:
- a standby follows the leader's journal record by record (read_committed)
  and holds the leader's state: the same state hash at the same seq; it
  answers 503 NOT_LEADER to everything but its probes and metrics; the
  leader's war room shows it (its reports through Kafka) caught up at the
  leader's seq with the same state hash, then silent, then lost with the
  ticket alert standby_lost when it stops;
- kill -9 of the leader under load, ten rounds, the killed one coming back
  as the next standby: each time the standby takes over within its lease,
  every bet a client was told about is there, each client's retry of a key
  (sent to whichever book answers) gets the one bet, balances and the
  ledger agree;
- a leader paused (SIGSTOP) past its lease is fenced by the standby's
  takeover: woken (SIGCONT) it can append nothing more, says so in its log
  and exits 4; every bet it acknowledged is on the new leader.

The takeover time (kill -9 -> the first bet the new leader acknowledges)
is printed per round; bench/kafka_journal_bench.py measures it too.
"""
import json
import signal
import statistics
import threading
import time

import pytest
import requests

from conftest import BookProcess, wait_for
from kafka_books import bet_body, check_acknowledged, fund, kafka_book

LEASE = "2s"


def readyz(b):
    return requests.get(b.url + "/readyz", timeout=2)


def test_standby_without_a_kafka_journal_is_refused(tmp_path):
    b = BookProcess(tmp_path)
    with pytest.raises(RuntimeError, match=r"inplay exited 2: .*--standby follows a Kafka journal"):
        b.start(standby=True)


def test_a_standby_follows_the_leader_to_the_same_state_and_refuses_work(kafka, tmp_path):
    leader = kafka_book(tmp_path / "leader", kafka, lease="2s", refresh_ms=3_600_000).start(timeout=90)
    standby = kafka_book(tmp_path / "standby", kafka, topic=leader.topic, lease="2s", refresh_ms=3_600_000)
    try:
        for i in range(20):
            assert leader.bet(2011 + i % 3, stake=100 + i, odds=["1.5", "4.2", "6.5"][i % 3],
                              policy="any").status_code == 201
        standby.start(timeout=90, standby=True)
        # More while it follows: it applies them as they commit.
        for i in range(20):
            assert leader.bet(2011 + i % 3, stake=200 + i, odds=["1.5", "4.2", "6.5"][i % 3],
                              policy="any").status_code == 201
        assert leader.post("/v1/markets/202/status", token="operator",
                           json={"status": "suspended", "reason": "test"}).status_code == 200
        want = leader.quiet_state()

        def caught_up():
            r = readyz(standby)
            body = r.json()
            return r.status_code == 503 and body["applied_seq"] == want["events_applied"] and body["caught_up"] \
                and body
        got = wait_for(caught_up, timeout=30)
        assert got["role"] == "standby" and got["error"]["code"] == "NOT_LEADER"
        assert got["state_hash"] == want["state_hash"]

        # A standby serves nothing that needs the book: it says where to go.
        r = standby.bet(2011, stake=100, odds="1.5", policy="any")
        assert r.status_code == 503 and r.json()["error"]["code"] == "NOT_LEADER"
        assert r.headers["Retry-After"] == "1"
        assert standby.get("/v1/events").status_code == 503
        h = requests.get(standby.url + "/healthz", timeout=2)
        assert h.status_code == 200 and h.json()["role"] == "standby"
        metrics = requests.get(standby.url + "/metrics", timeout=2).text
        assert 'book_role{role="standby"} 1' in metrics
        assert "journal_standby_lag" in metrics and "journal_standby_applied_seq" in metrics
        # The idle leader's leases keep the standby a standby past its lease.
        time.sleep(3)
        assert readyz(standby).status_code == 503
        lm = requests.get(leader.url + "/metrics", timeout=2).text
        assert 'book_role{role="leader"} 1' in lm
        assert 'journal_kafka_commit_seconds_count{kind="lease"}' in lm

        # The leader sees its standby through Kafka (the standby's reports,
        # journal/kafka_standby_report.h): the war room's journal panel.
        def panel():
            leader.advance(1000)  # the war room builds a snapshot each second of book time
            return leader.get("/v1/warroom/snapshot", token="operator").json()["journal"]

        # Each advance is a second of book time, and the book may journal in
        # one (a timer's event): compare the panel with the leader as it is
        # once quiet, not with `want`, which was read some seconds earlier.
        def standby_seen():
            j = panel()
            sb = j["standby"]
            if not (sb and sb["status"] == "following" and sb["caught_up"]):
                return None
            now = leader.quiet_state()
            return sb["applied_seq"] == j["seq"] == now["events_applied"] and (j, now)
        j, now = wait_for(standby_seen, timeout=30)
        assert j["role"] == "leader" and j["journal"] == "kafka" and not j["fenced"] and j["watch_error"] is None
        assert j["seq"] >= want["events_applied"]
        assert j["standby"]["lag_records"] == 0
        assert j["standby"]["state_hash"] == now["state_hash"]
        lm = requests.get(leader.url + "/metrics", timeout=2).text
        assert "book_standby_live 1" in lm and "book_standby_lag_records 0" in lm and "book_standby_lost 0" in lm
        # A bet later the standby reports the new seq. The panel's rounds moved
        # book time past EPL's 1.5 s staleness with the feed's refresh off: a
        # trader sets the price first, as on a quiet feed.
        assert leader.put("/v1/selections/2011/price", json={"odds": "1.50"}).status_code == 200
        r = leader.bet(2011, stake=300, odds="1.5", policy="any")
        assert r.status_code == 201, r.text
        after = leader.quiet_state()
        assert after["events_applied"] > want["events_applied"]
        wait_for(lambda: panel()["standby"]["applied_seq"] >= after["events_applied"], timeout=15)

        # The standby gone: the leader sees it fall silent (lost after 30 s:
        # tests/unit/app/book_role_test.cpp).
        standby.stop()
        j = wait_for(lambda: panel()["standby"]["status"] == "silent" and panel(), timeout=15)
        assert j["standby"]["heard_ms_ago"] >= 5000
        assert "book_standby_live 0" in requests.get(leader.url + "/metrics", timeout=2).text
        # Silent for 30 s: lost, and the ticket alert standby_lost fires.
        j = wait_for(lambda: panel()["standby"]["status"] == "lost" and panel(), timeout=40, step=1)
        assert j["standby"]["heard_ms_ago"] >= 30_000

        def standby_lost_firing():
            leader.advance(1000)
            alerts = leader.get("/v1/alerts", token="operator").json()
            return "standby_lost" in json.dumps(alerts) and alerts
        wait_for(standby_lost_firing, timeout=15)
        assert "book_standby_lost 1" in requests.get(leader.url + "/metrics", timeout=2).text
    finally:
        standby.stop()
        leader.stop()


class FailoverClient(threading.Thread):
    """One client placing bets with unique Idempotency-Keys through a load
    balancer's eyes: it sends to the book whose /readyz says 200, and when
    that book fails it (connection refused or reset, a 503) it sends the
    same request with the same key to whichever book is ready next, until
    one acknowledges it: a key, once sent, is always seen through. Records
    (key, body, bet) and when each was acknowledged and by which book."""

    def __init__(self, books, w, stop):
        super().__init__(daemon=True)
        self.books, self.w, self.stop_event = books, w, stop
        self.acked, self.errors, self.i = [], [], 0
        self.acked_at = []  # (monotonic time, url)
        self.session = requests.Session()
        self.target = books[0]

    def ready_book(self, deadline):
        while time.monotonic() < deadline:
            for b in list(self.books):
                try:
                    if requests.get(b.url + "/readyz", timeout=2).status_code == 200:
                        return b
                except requests.RequestException:
                    pass
            time.sleep(0.05)
        return None

    def place(self, key, body):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            b = self.target
            try:
                r = self.session.post(b.url + "/v1/bets", json=body, timeout=10, headers={
                    "Authorization": f"Bearer {b.channel_token}", "Idempotency-Key": key})
            except requests.RequestException:
                r = None
                self.session = requests.Session()
            if r is not None and r.status_code == 201:
                return r.json(), b.url
            if r is not None and r.status_code != 503:
                self.errors.append((key, r.status_code, r.text))
                return None, None
            self.target = self.ready_book(deadline) or self.target
        self.errors.append((key, "no book acknowledged it in 60 s"))
        return None, None

    def run(self):
        while not self.stop_event.is_set() and not self.errors:
            key = f"w{self.w}-{self.i}"
            body = bet_body(self.w, self.i)
            self.i += 1
            bet, url = self.place(key, body)
            if bet:
                self.acked.append((key, body, bet))
                self.acked_at.append((time.monotonic(), url))


def test_kill_9_the_leader_under_load_ten_rounds_the_standby_takes_over(kafka, tmp_path):
    workers, rounds = 4, 10
    a = kafka_book(tmp_path / "a", kafka, lease=LEASE, clock="real")
    b = kafka_book(tmp_path / "b", kafka, topic=a.topic, lease=LEASE, clock="real")
    a.start(timeout=90)
    fund(a, workers)
    # The standby places its matches against the leader's first start.
    (tmp_path / "b" / "data").mkdir(parents=True, exist_ok=True)
    (tmp_path / "b" / "data" / "book-start").write_bytes((tmp_path / "a" / "data" / "book-start").read_bytes())
    b.start(timeout=90, standby=True)
    leader, standby = a, b
    books = [a, b]
    stop = threading.Event()
    clients = [FailoverClient(books, w, stop) for w in range(workers)]
    takeovers = []
    try:
        for c in clients:
            c.start()
        for rnd in range(rounds):
            n = sum(len(c.acked) for c in clients)
            wait_for(lambda: sum(len(c.acked) for c in clients) > n + 40 or any(c.errors for c in clients),
                     timeout=120)
            assert not any(c.errors for c in clients), [c.errors[:2] for c in clients]
            killed_at = time.monotonic()
            leader.kill9()
            standby.wait_leading(timeout=60)

            def first_on_new_leader():
                assert not any(c.errors for c in clients), [c.errors[:2] for c in clients]
                times = [t for c in clients for (t, url) in c.acked_at if t > killed_at and url == standby.url]
                return min(times) if times else None
            first = wait_for(first_on_new_leader, timeout=60)
            takeovers.append(first - killed_at)
            print(f"round {rnd + 1}: takeover {takeovers[-1]:.2f} s (kill -9 -> first bet acknowledged)")
            # The killed one comes back as the next standby.
            leader.start(timeout=90, standby=True)
            leader, standby = standby, leader
        stop.set()
        for c in clients:
            c.join(timeout=90)
        assert not any(c.errors for c in clients), [c.errors[:2] for c in clients]
        acked = [x for c in clients for x in c.acked]
        state = check_acknowledged(leader, acked, workers)
        # Every key a client sent was seen through to one acknowledgement:
        # no bet is missing, none is doubled by the retries.
        assert state["bets"] == len(acked), (state["bets"], len(acked))
        assert len({bet["bet_id"] for _, _, bet in acked}) == len(acked)
        print(f"takeover over {rounds} rounds (lease {LEASE}): median {statistics.median(takeovers):.2f} s, "
              f"max {max(takeovers):.2f} s; {len(acked)} bets acknowledged")
        assert len(takeovers) == rounds
    finally:
        stop.set()
        a.stop()
        b.stop()


def test_a_paused_leader_is_fenced_and_steps_down(kafka, tmp_path):
    workers = 2
    old = kafka_book(tmp_path / "old", kafka, lease=LEASE).start(timeout=90)
    new = kafka_book(tmp_path / "new", kafka, topic=old.topic, lease=LEASE)
    try:
        fund(old, workers)
        new.start(timeout=90, standby=True)
        acked_by_old = []
        for i in range(10):
            r = old.post("/v1/bets", json=bet_body(0, i), key=f"old-{i}")
            assert r.status_code == 201, r.text
            acked_by_old.append((f"old-{i}", bet_body(0, i), r.json()))

        old.proc.send_signal(signal.SIGSTOP)
        new.wait_leading(timeout=30)  # past the lease: the standby fenced the paused one
        acked_by_new = []
        for i in range(10):
            r = new.post("/v1/bets", json=bet_body(1, i), key=f"new-{i}")
            assert r.status_code == 201, r.text
            acked_by_new.append((f"new-{i}", bet_body(1, i), r.json()))

        # A client still talking to the old leader: sent before it wakes.
        late = {}

        def late_bet():
            try:
                late["r"] = requests.post(old.url + "/v1/bets", json=bet_body(0, 99), timeout=20, headers={
                    "Authorization": f"Bearer {old.channel_token}", "Idempotency-Key": "late-99"})
            except requests.RequestException as e:
                late["error"] = e
        t = threading.Thread(target=late_bet)
        t.start()
        time.sleep(0.3)
        old.proc.send_signal(signal.SIGCONT)
        code = old.proc.wait(timeout=30)
        t.join(timeout=30)
        assert code == 4, code
        log = old.stderr_path.read_text()
        assert "fenced: another book took the journal" in log
        assert "r" not in late or late["r"].status_code != 201, late["r"].text
        old.proc = None

        # Nothing the old leader did after the fence exists; everything it
        # acknowledged before does.
        state = check_acknowledged(new, acked_by_old + acked_by_new, workers)
        assert state["bets"] == 20
        m = requests.get(new.url + "/metrics", timeout=2).text
        assert 'book_role{role="leader"} 1' in m and "book_takeovers_total 1" in m
        # The takeover is an incident (ticket) on the new leader, with its timeline.
        new.advance(3000)

        def takeover_incident():
            for i in new.get("/v1/incidents", token="operator").json()["incidents"]:
                inc = new.get(f"/v1/incidents/{i['id']}", token="operator").json()
                if "leader_takeover" in json.dumps(inc.get("alerts", [])):
                    return inc
            new.advance(1000)
            return None
        inc = wait_for(takeover_incident, timeout=30)
        assert inc["group_labels"].get("service") == "journal", inc
        assert inc["timeline"] and inc["timeline"][0]["step"] == "detect", inc["timeline"]
    finally:
        new.stop()
        old.stop()
