"""`inplay loadgen --mode bets` counts only the bets the book accepted (issue 19,
item 3): a load on a book that refuses most of it must print, as accepted,
the number of bets the book itself holds, and list the refusals by status
and code in its mix.

The book's limit per account per market is 200,000 (make_config); each bet
stakes 50,000 on market 201 from 2 accounts, so each account is refused
USER_MARKET_LIMIT once its total reaches the limit, and most of the 60
requests are refused. A load generator that counted answers, or every 2xx,
as bets would print 60 where the book holds a handful.
"""
import json
import subprocess

REQUESTS = 60


def run_load(b, *extra):
    out = subprocess.run(
        [b.bin, "loadgen", "--url", b.url, "--token", b.channel_token, "--mode", "bets",
         "--market", "201", "--stake", "50000", "--accounts", "2", "--max-requests", str(REQUESTS),
         "--warmup", "0", "--duration", "30", "--connections", "4", *extra],
        capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_accepted_is_what_the_book_holds_and_refusals_are_in_the_mix(book):
    before = book.state()["bets"]
    r = json.loads(run_load(book, "--json"))["result"]
    held = book.state()["bets"] - before

    assert r["requests"] == REQUESTS and r["errors"] == 0
    assert 0 < held < REQUESTS, held
    assert r["accepted"] == held
    assert r["mix"].get("201") == held
    refused = {k: n for k, n in r["mix"].items() if k != "201"}
    assert all(len(k.split(" ")) == 2 for k in refused), refused  # each refusal names its code
    assert sum(refused.values()) == REQUESTS - held
    assert any(k.endswith(" USER_MARKET_LIMIT") for k in refused), refused


def test_text_output_prints_accepted_the_mix_and_the_server_cpu(book):
    before = book.state()["bets"]
    text = run_load(book, "--server-pid", str(book.proc.pid))
    held = book.state()["bets"] - before
    assert f"accepted  {held} =" in text, text
    mix = next(line for line in text.splitlines() if line.startswith("mix"))
    assert f"201 {held} (" in mix and "USER_MARKET_LIMIT" in mix, mix
    assert f"server CPU per accepted bet, per thread (pid {book.proc.pid}): total " in text, text


def test_prepare_only_funds_the_accounts_and_places_no_bet(book):
    before = book.state()["bets"]
    text = run_load(book, "--prepare-only")
    assert book.state()["bets"] == before
    lines = dict(line.split(" ", 1) for line in text.strip().splitlines())
    sels = [s.split(":") for s in lines["selections"].split(",")]
    assert [int(i) for i, _ in sels] == [2011, 2012, 2013], text
    assert all(float(odds) > 1 for _, odds in sels), text
    assert lines["accounts"] == "load- 2", text
