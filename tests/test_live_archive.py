"""The archive of fetched documents: by content hash, written atomically, its index surviving a torn line."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from analysis.live.archive import INDEX, Archive

NOW = datetime(2025, 6, 2, 12, 0, tzinfo=timezone.utc)


def test_content_round_trips_and_is_listed(tmp_path):
    archive = Archive(tmp_path)
    body = "<rss><channel><title>Žinios</title></channel></rss>".encode()
    sha256 = archive.store(body, url="https://example.org/rss", content_type="application/rss+xml",
                           source="Example", fetched_at=NOW)
    assert sha256 == hashlib.sha256(body).hexdigest()
    assert archive.read(sha256) == body and sha256 in archive
    [entry] = archive.entries()
    assert (entry.sha256, entry.url, entry.fetched_at, entry.content_type, entry.source, entry.size) == (
        sha256, "https://example.org/rss", NOW, "application/rss+xml", "Example", len(body))
    assert Archive(tmp_path).read(sha256) == body  # another process reads what this one wrote


def test_identical_content_is_stored_once_and_indexed_once_per_url(tmp_path):
    archive = Archive(tmp_path)
    for _ in range(3):
        archive.store(b"same bytes", url="https://example.org/a")
    archive.store(b"same bytes", url="https://example.org/b")
    assert len(list((tmp_path / "objects").rglob("*.gz"))) == 1
    assert [entry.url for entry in archive.entries()] == ["https://example.org/a", "https://example.org/b"]
    Archive(tmp_path).store(b"same bytes", url="https://example.org/a")  # a restarted process knows it too
    assert len(list(archive.entries())) == 2
    assert not list(tmp_path.rglob(".tmp-*"))  # no temporary files left behind


def test_a_torn_last_line_is_skipped_and_the_next_write_stays_whole(tmp_path):
    archive = Archive(tmp_path)
    first = archive.store(b"one", url="https://example.org/1")
    index = tmp_path / INDEX
    line = json.dumps({"sha256": "f" * 64, "url": "https://example.org/torn", "fetched_at": NOW.isoformat()})
    with open(index, "ab") as handle:  # a process killed half-way through its line
        handle.write(line[: len(line) // 2].encode())
    assert [entry.sha256 for entry in archive.entries()] == [first]
    second = Archive(tmp_path).store(b"two", url="https://example.org/2")
    assert [entry.sha256 for entry in archive.entries()] == [first, second]
    assert index.read_bytes().count(b"\n") == 3  # the torn line was ended, not joined to the new one


def test_a_missing_document_is_a_key_error(tmp_path):
    import pytest

    with pytest.raises(KeyError, match="not in the archive"):
        Archive(tmp_path).read("0" * 64)
    assert list(Archive(tmp_path / "never-written").entries()) == []
