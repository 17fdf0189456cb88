"""A full disk is an outage with a clear answer, never a crash (issue 18,
finding 1; REL-3). The book's data dir sits on a small tmpfs of its own; a
filler file takes the rest of it. Before: ENOSPC aborted the process, and a
restart on the same disk said ready and aborted on the first bet.

Now: the journal holds what it cannot write, bets are refused 503
JOURNAL_UNAVAILABLE with Retry-After, /readyz says why, the alert fires, and
when space returns the book takes bets again without a restart; after a
kill -9 every acknowledged bet is there once and the ledger sums to zero.
The last free space is the journal's: followers pause below the reserve."""
import os
import subprocess
import threading
import uuid

import pytest
import requests

from conftest import BookProcess, metric, wait_for

MIB = 1 << 20


@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("mounting a tmpfs needs root (CI runs as root)")
        pytest.skip("mounting a tmpfs needs root")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mnt)], check=True)
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(path, leave=0):
    """Writes a filler file until the filesystem has at most `leave` bytes free."""
    filler = path / "filler"
    with open(filler, "ab", buffering=0) as f:
        chunk = b"\0" * (256 << 10)
        while True:
            st = os.statvfs(path)
            free = st.f_bavail * st.f_frsize
            if free <= leave:
                break
            try:
                f.write(chunk[: max(4096, min(len(chunk), free - leave))])
            except OSError:
                break
    return filler


def bet_body(i):
    return {"account": "alice", "selection_id": 2011, "stake": 100, "currency": "GBP", "odds": "1.5"}


def place(b, key):
    return b.post("/v1/bets", json=bet_body(0), key=key)


def book_on(tmp_path, disk, **kw):
    b = BookProcess(tmp_path, clock="real", refresh_ms=200, extra_top="", **kw)
    # The data dir on the small disk; the journal keeps the last 4 MiB.
    text = b.config_path.read_text().replace(f"data_dir: {b.data_dir}", f"data_dir: {disk / 'data'}")
    text = text.replace("journal:\n", "journal:\n  reserve_mb: 4\n")
    b.config_path.write_text(text)
    b.data_dir = str(disk / "data")
    return b


def start_unready(b, timeout=15):
    """Starts the process and returns once it listens, ready or not."""
    import re
    import time
    b.stderr = open(b.stderr_path, "ab")
    b.proc = subprocess.Popen([b.bin, "serve", "--config", str(b.config_path)],
                              stdout=subprocess.PIPE, stderr=b.stderr, text=True,
                              start_new_session=True)  # BookProcess signals its process group
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = b.proc.stdout.readline()
        m = re.match(r"inplay listening on (http://127\.0\.0\.1:\d+)", line)
        if m:
            b.url = m.group(1)
            return b
        assert b.proc.poll() is None, f"exited {b.proc.returncode}: {b.stderr_path.read_text()}"
    raise AssertionError("never listened")


def test_a_full_disk_refuses_with_503_alerts_and_recovers_without_a_restart(tmp_path, small_disk):
    b = book_on(tmp_path, small_disk).start()
    try:
        acked = {}
        for i in range(20):
            r = place(b, f"before-{i}")
            assert r.status_code == 201, r.text
            acked[f"before-{i}"] = r.json()["bet_id"]

        filler = fill(small_disk)
        # The price refreshes hit the full disk within a second.
        wait_for(lambda: metric(b.metrics(), "journal_writable") == 0, timeout=20)
        assert b.proc.poll() is None, "the book died on ENOSPC"

        r = place(b, "during")
        assert r.status_code == 503, r.text
        assert r.json()["error"]["code"] == "JOURNAL_UNAVAILABLE"
        assert "No space left on device" in r.json()["error"]["message"]
        assert r.headers["Retry-After"] == "5"
        ready = requests.get(b.url + "/readyz", timeout=5)
        assert ready.status_code == 503 and "journal" in ready.json()["error"]["message"], ready.text
        wait_for(lambda: metric(b.metrics(), 'alerts_firing{alertname="journal_unavailable",service="journal"}') == 1,
                 timeout=20)
        m = b.metrics()
        assert metric(m, "journal_write_failures_total") >= 1
        assert metric(m, "journal_outages_total") == 1
        assert metric(m, "disk_free_bytes") < 1 * MIB
        log = b.stderr_path.read_text(errors="replace")
        assert '"msg":"journal cannot write: acknowledgements stop until it can"' in log
        assert '"errno":28' in log  # ENOSPC

        os.remove(filler)  # space returns
        wait_for(lambda: metric(b.metrics(), "journal_writable") == 1, timeout=20)
        wait_for(lambda: requests.get(b.url + "/readyz", timeout=5).status_code == 200, timeout=20)
        for i in range(20):
            r = place(b, f"after-{i}")
            assert r.status_code == 201, r.text
            acked[f"after-{i}"] = r.json()["bet_id"]
        r = place(b, "during")  # the refused key changed nothing: it is new now
        assert r.status_code == 201, r.text
        acked["during"] = r.json()["bet_id"]

        b.kill9()
        b.start()
        for key, bet_id in acked.items():
            again = place(b, key)
            assert again.status_code == 201 and again.json()["bet_id"] == bet_id, (key, again.text)
        state = b.state()
        assert state["ledger_sum"] == 0
        assert b.get("/v1/accounts/alice").json()["reserved"] == 100 * len(acked)
        verify = subprocess.run([b.bin, "journal", "verify", os.path.join(b.data_dir, "journal")],
                                capture_output=True, text=True)
        assert verify.returncode == 0, verify.stderr
    finally:
        b.stop()


def test_a_restart_on_a_full_disk_is_not_ready_and_recovers_when_space_returns(tmp_path, small_disk):
    b = book_on(tmp_path, small_disk).start()
    assert place(b, "one").status_code == 201
    b.kill9()
    filler = fill(small_disk)
    start_unready(b)
    try:
        # It listens, says why it is not ready, refuses bets, and does not die.
        wait_for(lambda: requests.get(b.url + "/readyz", timeout=5).status_code == 503
                 and "journal" in requests.get(b.url + "/readyz", timeout=5).text, timeout=20)
        r = place(b, "two")
        assert r.status_code == 503 and r.json()["error"]["code"] == "JOURNAL_UNAVAILABLE", r.text
        assert b.proc.poll() is None
        os.remove(filler)
        wait_for(lambda: requests.get(b.url + "/readyz", timeout=5).status_code == 200, timeout=20)
        r = place(b, "two")
        assert r.status_code == 201, r.text
        assert place(b, "one").json()["bet_id"] == "1"
    finally:
        b.stop()


def test_followers_pause_below_the_reserve_while_the_journal_writes_on(tmp_path, small_disk):
    b = book_on(tmp_path, small_disk).start()
    try:
        assert place(b, "first").status_code == 201
        audit = small_disk / "data" / "audit.jsonl"
        wait_for(lambda: audit.exists() and audit.read_text().count("\n") >= 2, timeout=20)
        filler = fill(small_disk, leave=2 * MIB)  # under the 4 MiB reserve, above zero
        wait_for(lambda: metric(b.metrics(), "disk_free_bytes") < 4 * MIB, timeout=20)
        lines = audit.read_text().count("\n")
        for i in range(10):  # the journal still takes bets: the last space is its
            r = place(b, f"reserve-{i}")
            assert r.status_code == 201, r.text
        log = b.stderr_path.read_text(errors="replace")
        wait_for(lambda: "paused: the disk's last free space is kept for the journal" in
                 b.stderr_path.read_text(errors="replace"), timeout=20)
        assert audit.read_text().count("\n") == lines, "the audit follower wrote into the reserve"
        os.remove(filler)
        wait_for(lambda: audit.read_text().count("\n") >= lines + 10, timeout=30)  # it catches up
        assert log is not None
    finally:
        b.stop()
