"""A /metrics flood cannot starve bets (issue 18, item 4): scrapes within
telemetry.metrics_max_age_ms of a render get its body without rendering, and
past telemetry.metrics_scrapes_per_s they are refused 503 OVERLOADED at once.
Before, every scrape rendered every family (8 scrapers cut bets/s by 86 %).
The conftest books render every scrape; this one keeps the shipped shape."""
import requests

from conftest import BookProcess, metric


def cached_book(tmp_path, max_age_ms, per_s):
    b = BookProcess(tmp_path)
    text = b.config_path.read_text()
    text = text.replace("metrics_max_age_ms: 0", f"metrics_max_age_ms: {max_age_ms}")
    text = text.replace("metrics_scrapes_per_s: 0", f"metrics_scrapes_per_s: {per_s}")
    b.config_path.write_text(text)
    return b.start()


def test_scrapes_within_the_max_age_share_one_render(tmp_path):
    b = cached_book(tmp_path, max_age_ms=60000, per_s=0)
    try:
        first = b.metrics()
        assert b.bet(2011, stake=100).status_code == 201
        for _ in range(50):
            assert b.metrics() == first  # the bet is not in it yet: the body is the cached one
        assert metric(first, "metrics_renders_total") == 1
    finally:
        b.stop()


def test_scrapes_past_the_limit_are_refused_fast_and_bets_go_on(tmp_path):
    b = cached_book(tmp_path, max_age_ms=1000, per_s=3)
    try:
        answers = [requests.get(b.url + "/metrics", timeout=5) for _ in range(12)]
        codes = [r.status_code for r in answers]
        # 12 scrapes span at most a few second boundaries: most are refused.
        assert codes.count(503) >= 3, codes
        refused = next(r for r in answers if r.status_code == 503)
        assert refused.json()["error"]["code"] == "OVERLOADED"
        assert refused.headers["Retry-After"] == "1"
        assert b.bet(2011, stake=100).status_code == 201
    finally:
        b.stop()
