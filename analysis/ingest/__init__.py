"""Reading article files: pick the reader for a file, decode it, and return its items.

>>> from analysis.ingest import read_file  # doctest: +SKIP
>>> [item.kind for item in read_file(Path("page.txt"))]  # doctest: +SKIP
['article', 'headline', 'headline']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.ingest.decoding import decode_bytes
from analysis.ingest.errors import ReadError
from analysis.ingest.readers import READERS, file_suffix, reader_for, supported_suffixes, xml_head
from analysis.model import Item

__all__ = ["MAX_FILE_BYTES", "READERS", "FileRead", "ReadError", "describe_error", "load_bytes", "read_bytes",
           "file_suffix", "read_file", "read_path", "supported_suffixes"]

MAX_FILE_BYTES = 32_000_000


@dataclass(frozen=True, slots=True)
class FileRead:
    items: list[Item]
    reader: str
    encoding: str
    warnings: tuple[str, ...]


def load_bytes(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """A file's content, refused before reading when it is missing, not a file or too large."""
    name = str(path)
    try:
        if not path.exists():
            raise ReadError(name, "no such file or folder")
        if not path.is_file():
            raise ReadError(name, "not a regular file")
        size = path.stat().st_size
        if size > max_bytes:
            raise ReadError(
                name,
                f"the file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit for one file; "
                "split it into smaller files",
            )
        return path.read_bytes()
    except OSError as exc:
        raise ReadError(name, f"cannot read the file ({exc.strerror})") from exc


def read_path(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> FileRead:
    """Read one file from disk; every problem is a ReadError that names the file."""
    data = load_bytes(path, max_bytes=max_bytes)
    return read_bytes(data, name=str(path), suffix=file_suffix(path.name), max_bytes=max_bytes)


def read_bytes(data: bytes, *, name: str, suffix: str, max_bytes: int = MAX_FILE_BYTES) -> FileRead:
    """Read a file's content; ``suffix`` picks the reader, the content decides when it is ambiguous."""
    if len(data) > max_bytes:
        raise ReadError(name, f"the file is {len(data) / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
    try:
        decoded = decode_bytes(data, name=name)
    except ReadError as exc:
        decoded, undecodable = None, exc  # a feed may still be readable by XML's own encoding rules
    text = decoded.text.lstrip("\ufeff") if decoded else ""
    reader = reader_for(suffix, text[:65_536] if decoded else xml_head(data))  # a feed's root may follow a licence
    if reader is None:
        supported = " ".join(supported_suffixes())
        raise ReadError(name, f"unsupported file type {suffix or '(none)'!r}; supported: {supported}")
    if decoded is None and not reader.reads_bytes:
        raise undecodable
    try:
        items = reader.read(data, name) if reader.reads_bytes else reader.read(text, name)
    except ReadError:
        if decoded is None:  # refused by both the decoder and the reader: the decoding problem says more
            raise undecodable from None
        raise
    except Exception as exc:  # a bug or an input nobody foresaw: this file fails, the run goes on
        raise ReadError(name, f"unexpected error in the {reader.name} reader: {describe_error(exc)}") from exc
    if not items:
        raise ReadError(name, "no articles found in the file")
    warnings = tuple(w for item in items for w in item.warnings)
    if decoded is None or reader.reads_bytes:  # the reader decoded the bytes by its format's rules
        return FileRead(items=items, reader=reader.name, encoding="as the file declares", warnings=warnings)
    warnings = decoded.warnings + warnings  # which legacy charset was chosen, stray bytes replaced
    return FileRead(items=items, reader=reader.name, encoding=decoded.encoding, warnings=warnings)


def describe_error(exc: BaseException) -> str:
    """"Type: message", printable and storable whatever the message holds, cut to a readable length."""
    message = str(exc).encode("utf-8", "backslashreplace").decode("utf-8")
    message = message if len(message) <= 300 else message[:300] + "…"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def read_file(path: Path) -> list[Item]:
    return read_path(Path(path)).items
