"""A restart leaves the book as traders left it (issue 12).

The live demo (real clock, simulated feeds) is stopped the ways a book is
stopped — Ctrl-C (SIGINT), a deploy (SIGTERM) and a crash (kill -9) — and
started again on the same data dir. Afterwards: every market that was open
is open again within seconds of its feed being healthy, an operator's
suspension is kept, the sport is on the feed it was switched to, the open
incident is still there (journaled), and the demo's tokens and kick-offs
are the same.
"""
import signal
import time

import pytest
import requests

from conftest import wait_for
from test_warroom import Demo


def get(d, path, token=None):
    r = requests.get(d.url + path, headers=d.h(token), timeout=10)
    assert r.status_code == 200, f"{path}: {r.status_code} {r.text}"
    return r.json()


def post(d, path, body=None):
    return requests.post(d.url + path, json=body, headers=d.h(), timeout=10)


def markets(d):
    return {m["market_id"]: m for e in get(d, "/v1/events", d.channel)["events"] for m in e["markets"]}


def kickoffs(d):
    return {e["event_id"]: e["kickoff"] for e in get(d, "/v1/events", d.channel)["events"]}


def feeds(d):
    return get(d, "/v1/feeds")


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["sigint", "kill9"])
def test_a_restart_leaves_the_book_as_traders_left_it(tmp_path, how):
    d = Demo(tmp_path)
    try:
        wait_for(lambda: all(f["state"] == "up" for f in feeds(d)["feeds"]), timeout=15)
        tokens, ko = (d.channel, d.operator), kickoffs(d)
        # A trader suspends one market; then the primary feed stalls: the
        # feed_down alert opens an incident and its playbook switches
        # football to the backup feed.
        r = post(d, "/v1/markets/601/status", {"status": "suspended", "reason": "VAR check"})
        assert r.status_code == 200, r.text
        r = post(d, "/v1/sim/feeds/football-primary/faults", {"stall": True})
        assert r.status_code == 200, r.text
        inc = wait_for(lambda: [i for i in get(d, "/v1/incidents")["incidents"]
                                if "feed_down" in i["alerts"]], timeout=20)[0]
        wait_for(lambda: feeds(d)["sports"][0]["active"] == "football-backup")
        wait_for(lambda: not any(m["status_reason"] == "FEED_DOWN" for m in markets(d).values()))
        open_before = {mid for mid, m in markets(d).items() if m["status"] == "open"}
        assert len(open_before) >= len(markets(d)) // 2, markets(d)
    finally:
        d.stop(sig=how)

    d = Demo(tmp_path, fresh=False)
    try:
        assert (d.channel, d.operator) == tokens, "the demo's tokens changed with the restart"
        assert kickoffs(d) == ko, "the restart moved the kick-offs"
        # Within seconds of the feed being up again, every market that was
        # open is open again; the trader's suspension stays.
        # (A market the feed itself suspended or closed meanwhile — a goal
        # decides both-teams-to-score — follows the feed: "feed: ...".)
        t0 = time.time()

        def reopened():
            ms = markets(d)
            return all(ms[mid]["status"] == "open" or ms[mid]["status_reason"].startswith("feed:")
                       for mid in open_before) and not any(m["status_reason"] == "FEED_DOWN" for m in ms.values())
        wait_for(reopened, timeout=15)
        reopened_s = time.time() - t0
        assert sum(markets(d)[mid]["status"] == "open" for mid in open_before) >= len(open_before) - 2
        m = markets(d)[601]
        assert m["status"] == "suspended" and m["status_reason"] == "VAR check", m
        sport = feeds(d)["sports"][0]
        assert sport["active"] == "football-backup", sport
        assert sport["suspended_for_feed_down"] is False
        # The incident survived, with its actions.
        kept = get(d, f"/v1/incidents/{inc['id']}")
        assert kept["title"] == inc["title"]
        assert any(a["action"] == "switch_feed" and a["status"] == "done" for a in kept["actions"]), kept["actions"]
        assert any("restarted" in t["what"] for t in kept["timeline"]), kept["timeline"]
        # Bets are taken again on the reopened markets.
        mk = markets(d)[301]  # pre-match: no in-play delay
        sel = mk["selections"][0]
        r = requests.post(d.url + "/v1/bets", headers={**d.h(d.channel), "Idempotency-Key": f"after-{how}"},
                          json={"account": "alice", "selection_id": sel["selection_id"], "stake": 100,
                                "currency": "GBP", "odds": sel["odds"], "price_change": "any"}, timeout=10)
        assert r.status_code == 201, r.text
        print(f"restart ({signal.Signals(how).name}): markets open again {reopened_s:.1f} s after the book was ready")
    finally:
        d.stop()
