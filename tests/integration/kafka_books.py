"""Books on a Kafka journal for the tests (docs/kafka.md): the module-scoped
cluster fixture's helpers, shared by test_kafka_journal.py and
test_kafka_standby.py.

kafka_book() writes the journal block into a BookProcess's config: every
book made for the same topic has the same transactional id, so a second one
(a standby) fences the first when it takes over. fund() opens and funds one
account per load worker; check_acknowledged() proves what the load's
clients were told survived."""
import uuid

from conftest import BookProcess


def kafka_book(tmp_path, kafka, topic=None, lease=None, **kw):
    topic = topic or kafka.create_topic(f"journal-{uuid.uuid4().hex[:8]}")
    tmp_path.mkdir(parents=True, exist_ok=True)
    b = BookProcess(tmp_path, **kw)
    text = b.config_path.read_text()
    block = (f"journal:\n  kind: kafka\n  brokers: {kafka.bootstrap}\n  topic: {topic}\n"
             f"  transactional_id: book-{topic}\n")
    if lease:
        block += f"  lease: {lease}\n"
    assert "journal:\n" in text
    b.config_path.write_text(text.replace("journal:\n", block, 1))
    b.topic = topic
    return b


def fund(b, workers):
    for w in range(workers):
        b.open_account(f"c{w}")
        assert b.post(f"/v1/accounts/c{w}/deposits", json={"amount": 10**9, "currency": "GBP"},
                      key=f"fund-{w}").status_code == 201


def bet_body(w, i):
    """The i-th pre-match bet of 100 of worker w."""
    return {"account": f"c{w}", "selection_id": 2011 + i % 3, "stake": 100, "currency": "GBP",
            "odds": ["1.5", "4.2", "6.5"][i % 3], "price_change": "any"}


def check_acknowledged(b, acked, workers):
    """Every acknowledged bet is there as acknowledged; none doubled, none
    half applied (each account's reserved money is exactly its bets).
    acked: (key, body, bet) in the order they were acknowledged."""
    state = b.state()
    assert state["ledger_sum"] == 0
    for key, body, bet in acked:
        got = b.get(f"/v1/bets/{bet['bet_id']}")
        assert got.status_code == 200, (key, got.text)
        assert got.json()["bet_id"] == bet["bet_id"] and got.json()["stake"] == bet["stake"]
    key, body, bet = acked[-1]
    r = b.post("/v1/bets", json=body, key=key)  # a client's retry gets the same bet
    assert r.status_code == 201 and r.json() == bet
    reserved = 0
    for w in range(workers):
        a = b.get(f"/v1/accounts/c{w}").json()
        assert a["balance"] + a["reserved"] == 10**9
        reserved += a["reserved"]
    assert reserved == 100 * state["bets"]
    assert state["bets"] >= len(acked)
    return state
