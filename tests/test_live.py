"""The live monitor end to end: polls through the store's owner, the background poller, kills.

Feeds are served by tests/live_server.py on 127.0.0.1 (no internet here); the texts are ours.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from analysis.live import Fetcher
from analysis.owner import JobOutput, Owner
from analysis.polling import Poller, set_paused, states
from analysis.store import Store
from live_server import LiveServer, Reply

PROJECT = Path(__file__).resolve().parents[1]
BODY = ("The defence ministry said the new air-defence battery would be placed near the border with Belarus "
        "after a month of drills. Officials described the move as part of the allied deterrence posture on the "
        "eastern flank and promised more exercises in the spring, with troops from three allies taking part. ")


WORDS = ("radar brigade corridor drone frigate harbour pipeline sanctions cyber exercise logistics airspace "
         "militia volunteers railway bridge ammunition budget parliament minister garrison patrol coastline "
         "interceptor satellite jamming refinery grain ferry customs checkpoint wetlands forest village "
         "airbase runway hangar convoy artillery training cadets reserve mobilisation shelter siren").split()


def distinct_text(n: int) -> str:
    """A text of its own for item ``n``: near-duplicate detection must not link the test's items."""
    picks = random.Random(n).choices(WORDS, k=90)
    return f"Report {n} covers " + " ".join(picks) + "."


def feed(numbers, *, summary_only=False) -> bytes:
    entries = "".join(
        f"<item><title>Border report {n}</title><link>{{base}}/news/{n}</link>"
        f"<guid>{{base}}/news/{n}</guid><pubDate>Mon, 0{1 + n % 8} Dec 2025 10:00:00 +0200</pubDate>"
        f"<description>{'Short note on report ' + str(n) if summary_only else distinct_text(n)}</description></item>"
        for n in numbers)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test Wire</title>'
            f"<link>{{base}}</link>{entries}</channel></rss>").encode()


def page(n: int) -> bytes:
    return (f"<html><head><title>Border report {n}</title></head><body><article><h1>Border report {n}</h1>"
            f"<p>{distinct_text(n)}</p><p>{BODY} Report {n} in full.</p></article></body></html>").encode()


def _serve_feed(server: LiveServer, path: str, body: bytes) -> None:
    server.route(path, Reply(body=body.replace(b"{base}", server.url("").rstrip("/").encode()),
                             headers={"Content-Type": "application/rss+xml"}))


def _sources(tmp_path: Path, server: LiveServer, *names: str) -> Path:
    file = tmp_path / "sources.toml"
    file.write_text("".join(
        f'[[sources]]\nname = "{name}"\nurl = "{server.url("/" + name + ".rss")}"\noutlet = "Test Wire"\ninterval = 60\n\n'
        for name in names), encoding="utf-8")
    return file


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "analysis.cli", *args], cwd=PROJECT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _items(con) -> list[tuple]:
    return con.execute("SELECT title, source_name FROM items ORDER BY title").fetchall()


def test_poll_once_hands_over_to_the_owner_and_adds_only_new_entries(tmp_path):
    db = tmp_path / "store.duckdb"
    owner = Owner(db, command="flankwatch serve")
    assert owner.open()
    with LiveServer() as server:
        _serve_feed(server, "/wire.rss", feed([1, 2]))
        sources = _sources(tmp_path, server, "wire")
        first = _cli("poll", "--once", "--sources", str(sources), "--db", str(db))
        out, err = first.communicate(timeout=120)
        assert first.returncode == 0, err
        assert "wire: 2 entries, 2 new items" in out
        assert out.strip().endswith("polled 1 source: 2 new items, 0 failed")

        _serve_feed(server, "/wire.rss", feed([1, 2, 3]))
        second = _cli("poll", "--once", "--sources", str(sources), "--db", str(db))
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
        assert "wire: 3 entries, 1 new item" in out
    try:
        with owner.cursor() as con:
            assert _items(con) == [(f"Border report {n}", "wire") for n in (1, 2, 3)]
            assert con.execute("SELECT count(*) FROM analysed").fetchone()[0] == 3
        saved = states(owner)["wire"]
        assert saved.last_success is not None and saved.last_error is None and saved.items_seen == 3
        assert owner.new_items == 3
    finally:
        owner.stop()


def test_a_failing_source_is_recorded_and_the_others_are_still_polled(tmp_path):
    db = tmp_path / "store.duckdb"
    with LiveServer() as server:
        _serve_feed(server, "/good.rss", feed([7]))
        server.route("/broken.rss", Reply(status=503))
        server.route("/page.rss", Reply(body=b"<html><body><p>Not a feed</p></body></html>",
                                        headers={"Content-Type": "text/html"}))
        sources = _sources(tmp_path, server, "broken", "page", "good")
        run = _cli("poll", "--once", "--sources", str(sources), "--db", str(db))
        out, err = run.communicate(timeout=180)
    assert run.returncode == 1
    assert "broken: failed (http): " in err and "HTTP 503" in err
    assert "page: failed (not-a-feed): " in err
    assert "good: 1 entry, 1 new item" in out
    with Store.open(db, read_only=True) as store:
        saved = store.source_states()
        assert _items(store.connection) == [("Border report 7", "good")]
    assert saved["broken"]["last_error_kind"] == "http" and saved["broken"]["consecutive_failures"] == 1
    assert saved["page"]["last_error_kind"] == "not-a-feed"
    assert saved["good"]["last_error"] is None


def test_summary_only_entries_are_read_from_their_pages(tmp_path):
    db = tmp_path / "store.duckdb"
    owner = Owner(db, listen=False)
    assert owner.open()
    try:
        with LiveServer() as server:
            _serve_feed(server, "/wire.rss", feed([4, 5], summary_only=True))
            for n in (4, 5):
                server.route(f"/news/{n}", Reply(body=page(n), headers={"Content-Type": "text/html"}))
            sources = _sources(tmp_path, server, "wire")
            from analysis.polling import poll_job

            out = Collect()
            assert poll_job(owner, {"sources": str(sources)}, out) == 0, out.lines
            assert out.lines[0] == ("wire: 2 entries, 2 new items, 2 pages fetched", False)
        with owner.cursor() as con:
            texts = con.execute("SELECT text FROM items ORDER BY title").fetchall()
        assert [t[0].count("air-defence battery") for t in texts] == [1, 1]
        assert texts[0][0].startswith("Report 4 covers")
        assert texts[0][0].endswith("Report 4 in full.")
    finally:
        owner.stop()


def test_the_background_poller_follows_the_file_and_respects_a_pause(tmp_path):
    db = tmp_path / "store.duckdb"
    owner = Owner(db, listen=False)
    assert owner.open()
    with LiveServer() as server:
        _serve_feed(server, "/alpha.rss", feed([1]))
        _serve_feed(server, "/beta.rss", feed([2]))
        sources = _sources(tmp_path, server, "alpha")
        poller = Poller(owner, sources, every=0.1, fetcher=Fetcher(host_delay=0)).start()
        try:
            _until(lambda: owner.new_items == 1)
            from analysis.live import load_sources

            time.sleep(0.05)
            _sources(tmp_path, server, "alpha", "beta")  # a source added while serving
            _until(lambda: owner.new_items == 2)
            beta = [s for s in load_sources(sources) if s.name == "beta"][0]
            set_paused(owner, beta, True)
            assert states(owner)["beta"].paused
            assert server.count("/alpha.rss") == 1  # not due again for 60 s
        finally:
            poller.stop()
    try:
        with owner.cursor() as con:
            assert _items(con) == [("Border report 1", "alpha"), ("Border report 2", "beta")]
    finally:
        owner.stop()


class Collect(JobOutput):
    def __init__(self):
        self.lines = []

    def line(self, text: str, *, err: bool = False) -> None:
        self.lines.append((text, err))


def _until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_kill_9_of_the_owner_mid_poll_then_a_second_poll_loses_and_doubles_nothing(tmp_path):
    db = tmp_path / "store.duckdb"
    with LiveServer() as server:
        numbers = list(range(1, 9))
        _serve_feed(server, "/wire.rss", feed(numbers, summary_only=True))
        for n in numbers:
            server.route(f"/news/{n}", Reply(body=page(n), headers={"Content-Type": "text/html"}, delay=0.2))
        sources = _sources(tmp_path, server, "wire")
        run = _cli("poll", "--once", "--sources", str(sources), "--db", str(db))
        _until(lambda: server.count("/news/4") > 0, timeout=120)  # mid-way through the pages
        run.send_signal(signal.SIGKILL)
        run.wait(30)
        again = _cli("poll", "--once", "--sources", str(sources), "--db", str(db))
        out, err = again.communicate(timeout=180)
        assert again.returncode == 0, err
        third = _cli("poll", "--once", "--sources", str(sources), "--db", str(db))
        out, err = third.communicate(timeout=180)
        assert third.returncode == 0, err
        assert "0 new items" in out
    with Store.open(db, read_only=True) as store:
        titles = [t for t, _ in _items(store.connection)]
        unanalysed = store.items_to_analyse()
    assert titles == sorted(f"Border report {n}" for n in numbers)
    assert len(unanalysed) == 0
