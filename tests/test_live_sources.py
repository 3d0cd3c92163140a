"""The sources file: what it accepts, and a refusal naming the file, the source and the problem for everything else."""

from __future__ import annotations

import pytest

from analysis.live.sources import DEFAULT_INTERVAL, Source, SourcesError, load_sources
from analysis.paths import DATA_DIR


def _write(tmp_path, text: str):
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_and_a_minimal_source_load_with_their_defaults(tmp_path):
    path = _write(tmp_path, """
[[sources]]
name = "ERR News"
url = "https://news.err.ee/rss"
kind = "feed"
outlet = "ERR News"
country = "EE"
language = "en"
interval = 600
enabled = false

[[sources]]
name = " Minimal "
url = "http://example.org/sitemap.xml"
""")
    assert load_sources(path) == [
        Source("ERR News", "https://news.err.ee/rss", kind="feed", outlet="ERR News", country="EE", language="en",
               interval=600, enabled=False),
        Source("Minimal", "http://example.org/sitemap.xml", kind="auto", interval=DEFAULT_INTERVAL, enabled=True),
    ]


A = '[[sources]]\nname = "A"\nurl = "https://a.example/rss"\n'

REFUSALS = [
    # (file content, words the message must hold besides the file's name)
    ("[[sources]]\nname = 'A'\nurl = https://a.example/rss\n", ["not valid TOML", "line 3, column 7"]),
    ("", ["no [[sources]] tables"]),
    ("[source]\nname = 'A'\n", ["unknown top-level key(s) source"]),
    ("[[sources]]\nurl = 'https://a.example/rss'\n", ["source #1", "missing field 'name'"]),
    ("[[sources]]\nname = 'A'\n", ["source #1 'A'", "missing field 'url'"]),
    (A + A.replace("a.example", "b.example"), ["source #2 'A'", "duplicate name", "source #1"]),
    (A + A.replace('"A"', '"B"'), ["source #2 'B'", "the same url as source 'A'"]),
    ("[[sources]]\nname = 'A'\nurl = 'ftp://a.example/rss'\n", ["'A'", "must start with http:// or https://"]),
    ("[[sources]]\nname = 'A'\nurl = 'news.err.ee/rss'\n", ["'A'", "must start with http:// or https://"]),
    ("[[sources]]\nname = 'A'\nurl = 'https:///rss'\n", ["'A'", "has no host name"]),
    (A + "intervall = 600\n", ["'A'", "unknown field(s) intervall", "known fields: name, url"]),
    (A + "interval = 5\n", ["'A'", "field 'interval' = 5", "from 60"]),
    (A + "interval = '15m'\n", ["'A'", "field 'interval' = '15m'", "whole number of seconds"]),
    (A + "interval = 900.5\n", ["'A'", "field 'interval' = 900.5"]),
    (A + "interval = true\n", ["'A'", "field 'interval' = True"]),
    (A + "kind = 'atom'\n", ["'A'", "field 'kind' = 'atom'", "auto, feed, sitemap"]),
    (A + "enabled = 'yes'\n", ["'A'", "field 'enabled' must be true or false"]),
    (A + "outlet = ''\n", ["'A'", "field 'outlet' must be a non-empty string"]),
    (A + "country = 'Lithuania'\n", ["'A'", "field 'country' = 'Lithuania'", "two-letter code"]),
    (A + "language = 'English'\n", ["'A'", "field 'language' = 'English'"]),
    ("sources = ['https://a.example/rss']\n", ["source #1", "expected a [[sources]] table"]),
]


@pytest.mark.parametrize(("text", "words"), REFUSALS, ids=[words[-1][:40] for _, words in REFUSALS])
def test_every_refusal_names_the_file_and_the_problem(tmp_path, text, words):
    path = _write(tmp_path, text)
    with pytest.raises(SourcesError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for word in words:
        assert word in message


def test_a_missing_file_says_which_and_what_to_do(tmp_path):
    with pytest.raises(SourcesError, match=r"nowhere\.toml: sources file not found; pass an existing file with --sources"):
        load_sources(tmp_path / "nowhere.toml")


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_bytes(b'[[sources]]\nname = "\xe0"\n')
    with pytest.raises(SourcesError, match="cannot read the sources file"):
        load_sources(path)


def test_the_shipped_sources_file_loads():
    sources = load_sources(DATA_DIR / "sources.toml")
    names = {source.name for source in sources}
    assert {"LRT English", "ERR News", "LSM English", "The Baltic Times"} <= names
    assert all(source.url.startswith("https://") for source in sources)
    assert sum(source.enabled for source in sources) >= 4
