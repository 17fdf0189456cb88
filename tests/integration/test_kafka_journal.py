"""The Kafka journal (journal: {kind: kafka}, docs/kafka.md) against a real
Kafka 4.4 cluster on loopback: three KRaft brokers, the journal's topic with
replication factor 3 and min.insync.replicas 2 (kafka_cluster.py). One
cluster per module, one topic per test.

What is proven: a bet is acknowledged only after its transaction committed
(every acknowledged bet survives kill -9 of the book, and a kill -9 of a
broker); replay reads the topic (the local segment files are deleted before
the restart and come back filled from the topic); what a killed book left
uncommitted is never replayed, nothing doubles.
"""
import os
import shutil
import threading
import uuid

import pytest

from conftest import BookProcess, wait_for
from kafka_books import bet_body, check_acknowledged, fund, kafka_book


def load(b, stop, acked, errors, w):
    """Pre-match bets of 100 as fast as the book acknowledges them."""
    import requests
    s = requests.Session()
    i = 0
    while not stop.is_set():
        key = f"w{w}-{i}"
        body = bet_body(w, i)
        try:
            r = s.post(b.url + "/v1/bets", json=body, timeout=30,
                       headers={"Authorization": f"Bearer {b.channel_token}", "Idempotency-Key": key})
        except Exception:
            return  # the book was killed under us: this request was never acknowledged
        if r.status_code == 201:
            acked.append((key, body, r.json()))
        elif not stop.is_set():
            errors.append((key, r.status_code, r.text))
            return
        i += 1


def replayed(b):
    """(records, state hash) of the book's last start, from its log line."""
    import json
    lines = [json.loads(line) for line in b.stderr_path.read_text().splitlines()
             if '"msg":"journal replayed"' in line]
    assert lines, "no 'journal replayed' line"
    return lines[-1]["records"], lines[-1]["state_hash"]


def test_replay_from_the_topic_after_kill_9_gives_the_same_state(kafka, tmp_path):
    b = kafka_book(tmp_path, kafka).start(timeout=90)
    try:
        acked = []
        for i in range(30):
            r = b.bet(2011 + (i % 3), stake=100 + i, odds=["1.5", "4.2", "6.5"][i % 3], policy="any")
            assert r.status_code == 201, r.text
            acked.append(r.json())
        b.post("/v1/markets/202/status", token="operator", json={"status": "suspended", "reason": "test"})
        before = b.quiet_state()
        assert before["bets"] == 30
        b.kill9()
        # The local segment files are only a mirror: without them the book
        # replays the topic, and writes the mirror again from it.
        shutil.rmtree(os.path.join(b.data_dir, "journal"))
        b.start(timeout=90)
        after = b.state()
        assert after["state_hash"] == before["state_hash"]
        assert after["bets"] == 30
        for bet in acked:
            got = b.get(f"/v1/bets/{bet['bet_id']}")
            assert got.status_code == 200 and got.json()["stake"] == bet["stake"]
        assert b.get("/v1/markets/202").json()["status"] == "suspended"
        assert any(f.endswith(".seg") for f in os.listdir(os.path.join(b.data_dir, "journal")))
        # And a clean restart over the refilled mirror: the same again.
        b.restart()
        assert b.state()["state_hash"] == before["state_hash"]
    finally:
        b.stop()


def test_kill_9_mid_load_replays_only_committed_transactions(kafka, tmp_path):
    """A book killed mid-load leaves a transaction open (produced, never
    committed); the next start fences it and reads read_committed: the bets
    never acknowledged may be absent, every acknowledged one is there, none
    twice (a replayed aborted record would break the seq order or double a
    reservation)."""
    b = kafka_book(tmp_path, kafka, clock="real").start(timeout=90)
    try:
        workers = 8
        fund(b, workers)
        stop = threading.Event()
        acked, errors = [], []
        threads = [threading.Thread(target=load, args=(b, stop, acked, errors, w)) for w in range(workers)]
        for t in threads:
            t.start()
        wait_for(lambda: len(acked) > 300 or errors, timeout=120)
        assert not errors, errors[:3]
        b.kill9()
        stop.set()
        for t in threads:
            t.join()
        assert len(acked) > 300
        b.start(timeout=90)
        check_acknowledged(b, acked, workers)
        b.stop()
        # The topic replays to the state the local mirror replays to: a copy
        # of the data dir started with the file journal, then the Kafka book
        # again, log the same records and state hash at start.
        copy = tmp_path / "file-book"
        copy.mkdir()
        shutil.copytree(b.data_dir, copy / "data")
        f = BookProcess(copy, clock="real")
        f.start()
        f.kill9()
        b.start(timeout=90)
        assert replayed(b) == replayed(f)
        assert replayed(b)[0] > len(acked)
    finally:
        b.stop()


def test_a_broker_killed_under_load_loses_no_acknowledged_bet(kafka, tmp_path):
    b = kafka_book(tmp_path, kafka, clock="real").start(timeout=90)
    try:
        workers = 4
        fund(b, workers)
        stop = threading.Event()
        acked, errors = [], []
        threads = [threading.Thread(target=load, args=(b, stop, acked, errors, w)) for w in range(workers)]
        for t in threads:
            t.start()
        try:
            wait_for(lambda: len(acked) > 100 or errors, timeout=120)
            kafka.kill_node(0)  # one of three: RF 3 with min.insync.replicas 2 still commits
            n = len(acked)
            wait_for(lambda: len(acked) > n + 100 or errors, timeout=120)  # throughput resumes
        finally:
            stop.set()
            for t in threads:
                t.join()
            kafka.start_node(0)
        assert not errors, errors[:3]
        b.kill9()
        b.start(timeout=90)
        check_acknowledged(b, acked, workers)
    finally:
        b.stop()


def test_a_missing_topic_or_a_mirror_ahead_of_the_topic_stops_start_up(kafka, tmp_path):
    # The topic is the operator's to create: the book names it and stops.
    (tmp_path / "missing").mkdir()
    b = kafka_book(tmp_path / "missing", kafka, topic=f"absent-{uuid.uuid4().hex[:8]}")
    with pytest.raises(RuntimeError, match=f"topic {b.topic} partition 0 does not exist"):
        b.start(timeout=90)
    b.stop()
    # Local segment files that hold records the topic does not (another
    # topic's mirror): refused, never replayed over.
    (tmp_path / "ahead").mkdir()
    a = kafka_book(tmp_path / "ahead", kafka).start(timeout=90)
    assert a.bet(2011, stake=100, odds="1.5", policy="any").status_code == 201
    a.stop()
    text = a.config_path.read_text()
    other = kafka.create_topic(f"journal-{uuid.uuid4().hex[:8]}")
    a.config_path.write_text(text.replace(f"topic: {a.topic}\n", f"topic: {other}\n")
                             .replace(f"transactional_id: book-{a.topic}\n", f"transactional_id: book-{other}\n"))
    with pytest.raises(RuntimeError, match=f"the local mirror holds seq \\d+ but topic {other} ends at seq 0"):
        a.start(timeout=90)
    a.stop()
