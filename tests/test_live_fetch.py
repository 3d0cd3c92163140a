"""The fetcher against a local server: conditional GET, deadlines, retries, robots.txt, size limits."""

from __future__ import annotations

import gzip
import threading
import time

import pytest
from live_server import LiveServer, Reply, conditional, endless, gzipped

from analysis.live.fetch import FETCH_ERROR_KINDS, Fetcher, FetchError, default_user_agent

FEED = b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title></channel></rss>'


@pytest.fixture()
def server():
    with LiveServer() as running:
        yield running


@pytest.fixture()
def fetcher():
    with Fetcher(timeout=1.0, retries=2, backoff=0.01, host_delay=0.0, max_bytes=1_000_000) as client:
        yield client


def _error(fetcher: Fetcher, url: str, **kwargs) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(url, **kwargs)
    assert caught.value.kind in FETCH_ERROR_KINDS
    assert url in str(caught.value)  # every message names the URL
    return caught.value


def test_a_body_comes_back_with_its_validators_and_the_user_agent_names_the_tool(server, fetcher):
    server.route("/feed", Reply(200, FEED, {"Content-Type": "application/rss+xml", "ETag": '"v1"',
                                            "Last-Modified": "Mon, 02 Jun 2025 10:00:00 GMT"}))
    fetched = fetcher.fetch(server.url("/feed"))
    assert (fetched.status, fetched.body, fetched.etag) == (200, FEED, '"v1"')
    assert fetched.last_modified == "Mon, 02 Jun 2025 10:00:00 GMT"
    assert fetched.content_type == "application/rss+xml" and not fetched.not_modified
    agent = server.requests[0].headers["User-Agent"]
    assert agent == default_user_agent() and agent.startswith("Flankwatch/") and "(news monitor" in agent


def test_the_user_agent_names_the_operators_contact_when_given(monkeypatch):
    monkeypatch.setenv("FLANKWATCH_CONTACT", "+https://institute.example/monitor")
    assert default_user_agent().endswith("(news monitor; +https://institute.example/monitor)")
    monkeypatch.delenv("FLANKWATCH_CONTACT")
    assert default_user_agent().endswith("(news monitor)")


@pytest.mark.parametrize("validator", ["etag", "last_modified"])
def test_a_conditional_get_with_the_validators_is_not_modified(server, fetcher, validator):
    values = {"etag": '"abc"', "last_modified": "Tue, 03 Jun 2025 08:00:00 GMT"}
    server.route("/feed", conditional(FEED, **{validator: values[validator]}))
    first = fetcher.fetch(server.url("/feed"))
    again = fetcher.fetch(server.url("/feed"), etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.status == 304 and again.body == b""
    assert getattr(again, validator) == values[validator]  # kept for the next poll


def test_gzip_is_decoded(server, fetcher):
    server.route("/feed", gzipped(FEED))
    assert fetcher.fetch(server.url("/feed")).body == FEED
    assert "gzip" in server.requests[0].headers.get("Accept-Encoding", "")


@pytest.mark.parametrize("status", [404, 500, 403])
def test_an_error_status_is_named_and_not_retried(server, fetcher, status):
    server.route("/feed", Reply(status, b"nope"))
    error = _error(fetcher, server.url("/feed"))
    assert (error.kind, error.status) == ("http", status)
    assert error.problem.startswith(f"HTTP {status}")
    assert server.count("/feed") == 1


def test_503_is_retried_with_backoff_until_it_succeeds(server):
    server.route("/feed", Reply(503), Reply(503), Reply(200, FEED))
    with Fetcher(timeout=1.0, retries=2, backoff=0.1, host_delay=0.0) as fetcher:
        fetched = fetcher.fetch(server.url("/feed"))
    assert fetched.body == FEED and fetched.attempts == 3
    assert server.count("/feed") == 3
    first, second, third = (r.at for r in server.requests)
    assert 0.1 <= second - first < 0.4 and 0.2 <= third - second < 0.6  # 0.1 s, then 0.2 s, plus jitter


def test_503_retries_run_out_and_say_how_many_attempts(server, fetcher):
    server.route("/feed", Reply(503))
    error = _error(fetcher, server.url("/feed"))
    assert (error.kind, error.status) == ("http", 503)
    assert error.problem == "HTTP 503 Service Unavailable after 3 attempts"
    assert server.count("/feed") == 3


def test_retry_after_is_honoured_within_the_cap_and_past_it_the_fetch_gives_up(server):
    server.route("/soon", Reply(429, headers={"Retry-After": "1"}), Reply(200, FEED))
    server.route("/later", Reply(503, headers={"Retry-After": "3600"}))
    with Fetcher(timeout=1.0, retries=2, backoff=0.01, host_delay=0.0, max_retry_after=2.0) as fetcher:
        started = time.monotonic()
        assert fetcher.fetch(server.url("/soon")).body == FEED
        assert time.monotonic() - started >= 0.9
        error = _error(fetcher, server.url("/later"))
    assert "retry after 3600 s" in error.problem and server.count("/later") == 1


def test_a_hang_past_the_timeout_is_a_timeout_and_is_retried(server):
    server.route("/feed", Reply(200, FEED, delay=3.0))
    with Fetcher(timeout=0.5, retries=1, backoff=0.01, host_delay=0.0) as fetcher:
        started = time.monotonic()
        error = _error(fetcher, server.url("/feed"))
    assert error.kind == "timeout" and error.problem == "no complete answer within 0.5 s"
    assert server.count("/feed") == 2
    assert time.monotonic() - started < 1.5


def test_a_server_that_drips_bytes_is_cut_off_at_the_deadline(server):
    """Each byte arrives well within the per-read timeout; only a deadline for the whole answer stops it."""
    server.route("/feed", Reply(200, FEED, drip=0.1))  # ~10 s in all
    with Fetcher(timeout=1.0, retries=0, host_delay=0.0) as fetcher:
        started = time.monotonic()
        error = _error(fetcher, server.url("/feed"))
    assert error.kind == "timeout"
    assert time.monotonic() - started < 2.0
    assert server.sent["/feed"] < len(FEED)


def test_a_redirect_is_followed_and_a_loop_is_refused(server, fetcher):
    server.route("/old", Reply(301, headers={"Location": "/feed"}))
    server.route("/feed", Reply(200, FEED))
    server.route("/loop", Reply(302, headers={"Location": "/loop"}))
    fetched = fetcher.fetch(server.url("/old"))
    assert fetched.final_url == server.url("/feed") and fetched.body == FEED
    error = _error(fetcher, server.url("/loop"))
    assert error.kind == "redirects" and "loop" in error.problem
    assert server.count("/loop") == fetcher.max_redirects + 1


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_100_mb_answer_is_cut_off_early(server, declared):
    size = 100_000_000
    server.route("/feed", Reply(200, endless(size), length=size if declared else None))
    with Fetcher(timeout=10.0, retries=0, host_delay=0.0, max_bytes=2_000_000) as fetcher:
        started = time.monotonic()
        error = _error(fetcher, server.url("/feed"))
    assert error.kind == "too-large" and "2 MB limit" in error.problem
    assert time.monotonic() - started < 3.0
    assert server.sent.get("/feed", 0) < 20_000_000  # the server was stopped far short of 100 MB


def test_a_gzip_bomb_is_cut_off_after_decoding(server):
    bomb = gzip.compress(b"\0" * 50_000_000)  # 50 KB on the wire
    server.route("/feed", Reply(200, bomb, {"Content-Encoding": "gzip"}))
    with Fetcher(timeout=5.0, retries=0, host_delay=0.0, max_bytes=1_000_000) as fetcher:
        assert _error(fetcher, server.url("/feed")).kind == "too-large"


def test_https_to_a_plain_http_server_is_a_tls_error(server, fetcher):
    server.route("/feed", Reply(200, FEED))
    error = _error(fetcher, server.url("/feed", scheme="https"))
    assert error.kind == "tls" and error.problem.startswith("TLS failed")


def test_nothing_listening_is_a_connection_error(fetcher):
    error = _error(fetcher, "http://127.0.0.1:9/feed")
    assert error.kind == "connection" and "refused" in error.problem.lower()


def test_robots_txt_is_read_once_per_host_and_decides_for_pages_only(server, fetcher):
    server.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /private/\n"))
    server.route("/private/story", Reply(200, b"<html></html>"))
    server.route("/news/story", Reply(200, b"<html></html>"))
    error = _error(fetcher, server.url("/private/story"), page=True)
    assert error.kind == "robots" and "robots.txt" in error.problem
    assert server.count("/private/story") == 0
    assert fetcher.fetch(server.url("/news/story"), page=True).status == 200
    assert fetcher.fetch(server.url("/private/story")).status == 200  # a feed or sitemap: robots.txt not asked
    assert server.count("/robots.txt") == 1


@pytest.mark.parametrize(("status", "allowed"), [(404, True), (410, True), (500, False), (503, False)])
def test_a_missing_robots_txt_allows_and_an_unreachable_one_disallows(server, status, allowed):
    server.route("/robots.txt", Reply(status))
    server.route("/news/story", Reply(200, b"<html></html>"))
    with Fetcher(timeout=1.0, retries=0, host_delay=0.0) as fetcher:
        if allowed:
            assert fetcher.fetch(server.url("/news/story"), page=True).status == 200
        else:
            assert _error(fetcher, server.url("/news/story"), page=True).kind == "robots"


def test_requests_to_one_host_are_spaced_by_the_host_delay_across_threads(server):
    server.route("/feed", Reply(200, FEED))
    with Fetcher(timeout=2.0, host_delay=0.2) as fetcher:
        threads = [threading.Thread(target=fetcher.fetch, args=(server.url("/feed"),)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    times = sorted(r.at for r in server.requests)
    assert len(times) == 4
    assert all(later - earlier >= 0.18 for earlier, later in zip(times, times[1:]))


def test_a_robots_crawl_delay_spaces_page_requests(server):
    server.route("/robots.txt", Reply(200, b"User-agent: *\nCrawl-delay: 1\n"))
    server.route("/a", Reply(200, b"<html></html>"))
    with Fetcher(timeout=2.0, host_delay=0.0) as fetcher:
        fetcher.fetch(server.url("/a"), page=True)
        fetcher.fetch(server.url("/a"), page=True)
    times = [r.at for r in server.requests if r.path == "/a"]
    assert times[1] - times[0] >= 0.95
