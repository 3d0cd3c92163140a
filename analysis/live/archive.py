"""Every fetched document, kept by content hash so a better reader can read it again later.

Layout under the root: ``objects/ab/<sha256>.gz`` (the exact bytes received, gzip-compressed) and
``index.jsonl``, one JSON line per (document, URL) pair first seen: sha256, url, fetched_at,
content_type, source, size. Objects are written to a temporary file and renamed into place, so a
reader never sees half of one and a second write of the same content finds it there and stops.
The index is only appended to; a process killed mid-line leaves a torn last line, which reading
skips and the next append starts after, so one torn line never damages the next.

>>> archive = Archive(Path("data/archive"))  # doctest: +SKIP
>>> sha256 = archive.store(body, url="https://news.err.ee/rss", source="ERR News")  # doctest: +SKIP
>>> archive.read(sha256) == body  # doctest: +SKIP
True
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

INDEX = "index.jsonl"


@dataclass(frozen=True, slots=True)
class ArchiveEntry:
    """One line of the index: a document and where and when it was fetched first from that URL."""

    sha256: str
    url: str
    fetched_at: datetime
    content_type: str | None
    source: str | None
    size: int


class Archive:
    """A content-addressed store of fetched documents; safe to share between threads of one process."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._seen: set[tuple[str, str]] | None = None  # (sha256, url) pairs in the index, read on first write

    def store(self, body: bytes, *, url: str, content_type: str | None = None, source: str | None = None,
              fetched_at: datetime | None = None) -> str:
        """Keep ``body`` (once, whatever the number of calls) and index it under ``url``; its sha256."""
        sha256 = hashlib.sha256(body).hexdigest()
        path = self.path_for(sha256)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            _write_atomically(path, gzip.compress(body, mtime=0))
        entry = {
            "sha256": sha256, "url": url,
            "fetched_at": (fetched_at or datetime.now(timezone.utc)).isoformat(),
            "content_type": content_type, "source": source, "size": len(body),
        }
        with self._lock:
            indexed = self._seen_pairs()
            if (sha256, url) not in indexed:
                self._append(json.dumps(entry, ensure_ascii=False))
                indexed.add((sha256, url))
        return sha256

    def read(self, sha256: str) -> bytes:
        """The bytes stored under ``sha256``; KeyError when there are none."""
        path = self.path_for(sha256)
        try:
            return gzip.decompress(path.read_bytes())
        except FileNotFoundError:
            raise KeyError(f"{sha256}: not in the archive at {self.root}") from None

    def __contains__(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def entries(self) -> Iterator[ArchiveEntry]:
        """The index in the order it was written; torn or foreign lines are skipped."""
        try:
            handle = open(self.root / INDEX, "rb")
        except FileNotFoundError:
            return
        with handle:
            for line in handle:
                if not line.endswith(b"\n"):
                    continue  # the last line of a process killed while writing it
                try:
                    record = json.loads(line)
                    yield ArchiveEntry(
                        sha256=record["sha256"], url=record["url"],
                        fetched_at=datetime.fromisoformat(record["fetched_at"]),
                        content_type=record.get("content_type"), source=record.get("source"),
                        size=int(record.get("size", 0)),
                    )
                except (ValueError, KeyError, TypeError):
                    continue

    def path_for(self, sha256: str) -> Path:
        return self.root / "objects" / sha256[:2] / f"{sha256}.gz"

    def _seen_pairs(self) -> set[tuple[str, str]]:
        if self._seen is None:
            self._seen = {(entry.sha256, entry.url) for entry in self.entries()}
        return self._seen

    def _append(self, line: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / INDEX
        data = (line + "\n").encode("utf-8")
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            size = os.fstat(fd).st_size
            if size and _last_byte(path) != b"\n":
                data = b"\n" + data  # end a torn line first, so this one stays whole
            os.write(fd, data)
        finally:
            os.close(fd)


def _last_byte(path: Path) -> bytes:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1)


def _write_atomically(path: Path, data: bytes) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
