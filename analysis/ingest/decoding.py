"""Bytes to text: detect the encoding from evidence, never guess silently into mojibake.

Order of evidence: a byte-order mark; the NUL pattern of BOM-less UTF-16; strict UTF-8; then the
two Baltic legacy code pages, Windows-1257 and ISO-8859-13, which agree on every letter and differ
in where they keep typographic quotes and dashes (0x80-0x9F is punctuation in Windows-1257 and
unused control codes in ISO-8859-13). Anything else is refused with the offending byte's offset.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from analysis.ingest.errors import ReadError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/Excel file)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"SQLite format 3", "an SQLite database"),
)

# Control characters that never occur in a real text file once decoded.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str


def decode_bytes(data: bytes, *, name: str) -> Decoded:
    """Decode a file's bytes; ``name`` is used in error messages."""
    if not data.strip():
        raise ReadError(name, "the file is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(_strict(data[len(bom):], encoding, name), encoding + " (BOM)")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ReadError(name, f"this is {what}, not a text article; export it as text, HTML, JSON or CSV")
    utf16 = _bomless_utf16(data)
    if utf16:
        return Decoded(_strict(data, utf16, name), utf16)
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise ReadError(name, f"binary content (a NUL byte at offset {offset}); not a text article")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # The two code pages agree on every letter. Bytes 0x80-0x9F are punctuation in Windows-1257
    # and unused control codes in ISO-8859-13; without them ISO-8859-13 is right about quotes.
    encoding = "windows-1257" if re.search(rb"[\x80-\x9f]", data) else "iso-8859-13"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        text = None
    if text is not None and not _CONTROL.search(text):
        return Decoded(text, encoding)
    bad = data[utf8_error.start:utf8_error.start + 4]
    raise ReadError(
        name,
        f"cannot decode the text: byte {bad[:1].hex(' ')} at offset {utf8_error.start} is not valid "
        "UTF-8, UTF-16, Windows-1257 or ISO-8859-13; re-save the file as UTF-8",
    )


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(
            name, f"not valid {encoding}: undecodable bytes at offset {exc.start}; re-save the file as UTF-8"
        ) from exc


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM shows as NULs in every other byte of mostly-Latin text."""
    sample = data[:4096]
    if len(sample) < 8 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.6 * half and even_nuls < 0.1 * half:
        return "utf-16-le"
    if even_nuls > 0.6 * half and odd_nuls < 0.1 * half:
        return "utf-16-be"
    return None
