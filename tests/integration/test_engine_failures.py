"""Failures on the engine thread (issue 18, finding 5): an exception while the
engine handles a command refuses that command with a log line and a counter;
the process lives on and nothing changes. Before, it terminated the book."""
from conftest import metric


def test_a_task_that_throws_is_refused_and_the_book_lives_on(book):
    before = book.state()
    r = book.post("/v1/admin/faults/engine-throw", json={}, token="operator")
    assert r.status_code == 500, r.text
    assert r.json()["error"]["code"] == "INTERNAL"
    assert "engine-throw" in r.json()["error"]["message"]
    assert book.proc.poll() is None, "the book died"
    # It carries on: a bet is taken, and the refused task changed nothing.
    assert book.state()["state_hash"] == before["state_hash"]
    r = book.bet(2011, stake=100, odds="1.5")
    assert r.status_code == 201, r.text
    m = book.metrics()
    assert metric(m, 'engine_failures_total{where="task"}') == 1
    log = book.stderr_path.read_text(errors="replace")
    assert '"msg":"engine work failed; its command is refused and the engine carries on"' in log
    assert '"error":"fault hook: engine-throw"' in log
