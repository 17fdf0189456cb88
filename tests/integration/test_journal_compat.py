"""A journal written before the journal stopped storing HTTP (issue 13) still
replays, and its idempotent repeats answer the same bytes.

tests/data/journal-v1/ was written by the binary of commit ed18d14 (record
types 2-4 carried each request's status and body): a deposit, accepted and
refused bets (price changed, unknown account, insufficient funds, a market an
operator suspended), a refused and an accepted withdrawal. answers.json holds
what that binary answered and its state hash. Today's binary replays the
journal to the same state hash, and every request sent again with its
Idempotency-Key gets the same status and body, byte for byte.
"""
import json
import os
import shutil

from conftest import BookProcess

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "data", "journal-v1")


def test_a_journal_from_before_the_reshape_replays_and_repeats_byte_for_byte(tmp_path):
    answers = json.load(open(os.path.join(FIXTURE, "answers.json")))
    data = tmp_path / "data"
    (data / "journal").mkdir(parents=True)
    shutil.copy(os.path.join(FIXTURE, "00000000000000000001.seg"), data / "journal")
    b = BookProcess(tmp_path)
    b.config_path.write_text(open(os.path.join(FIXTURE, "book.yaml")).read().replace("@DATA_DIR@", str(data)))
    b.start()
    try:
        state = b.state()
        assert state["state_hash"] == answers["state_hash"]
        assert state["bets"] == answers["bets"]
        for c in answers["calls"]:
            r = b.post(c["path"], json=c["body"], key=c["key"])
            assert (r.status_code, r.text) == (c["status"], c["response"]), c["key"]
        assert b.state()["state_hash"] == answers["state_hash"], "a repeat changed the book"
    finally:
        b.stop()
