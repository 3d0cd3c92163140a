"""Bytes to text: detect the encoding from evidence, never guess silently into mojibake.

Order of evidence: a byte-order mark; the NUL pattern of BOM-less UTF-16; strict UTF-8; UTF-8 with a
few stray bytes (valid multi-byte sequences at least as many as invalid ones: the stray bytes are
replaced and reported, the rest is not misread); the charset a markup file declares (the XML
declaration, ``<meta charset>`` or ``http-equiv``), read with the superset browsers use for it; then
for undeclared legacy text the two Baltic code pages, Windows-1257 and ISO-8859-13, which agree on
every letter and differ in where they keep typographic quotes and dashes (0x80-0x9F is punctuation
in Windows-1257 and unused control codes in ISO-8859-13), when the letters they give are Baltic
ones; then charset-normalizer. charset-normalizer is not asked first because on short Latin text
it cannot tell the code pages apart (it reads a Lithuanian paragraph as French Windows-1252).
Anything else is refused with the offending byte's offset.
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


# Where a markup file declares its charset: the XML declaration, or a meta tag in the head.
_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_META_CHARSET = re.compile(rb"""<meta\b[^>]{0,500}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
_HEAD_BYTES = 131_072  # declarations sit in the head, sometimes after 60 KB of inline script

# Labels as browsers read them (WHATWG Encoding Standard): a declared Latin-1 page is Windows-1252,
# a declared GB2312 one GB18030, and so on; UTF-16 in a meta tag of an 8-bit file means UTF-8.
_LABEL_CODECS = {
    **dict.fromkeys(("iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii",
                     "cp819", "ibm819", "windows-1252", "x-cp1252", "cp1252"), "cp1252"),
    **dict.fromkeys(("iso-8859-9", "iso8859-9", "latin5", "windows-1254"), "cp1254"),
    **dict.fromkeys(("iso-8859-11", "tis-620", "windows-874"), "cp874"),
    **dict.fromkeys(("gb2312", "gb_2312-80", "gbk", "x-gbk", "chinese", "csgb2312", "gb18030"), "gb18030"),
    **dict.fromkeys(("big5", "big5-hkscs", "x-x-big5", "cn-big5", "csbig5"), "big5hkscs"),
    **dict.fromkeys(("shift_jis", "shift-jis", "sjis", "ms_kanji", "x-sjis", "windows-31j", "csshiftjis",
                     "ms932", "cp932"), "cp932"),
    **dict.fromkeys(("euc-kr", "ks_c_5601-1987", "windows-949", "cp949", "korean"), "cp949"),
    **dict.fromkeys(("utf-16", "utf-16le", "utf-16be", "utf-32", "unicode"), "utf-8"),
}

# Letters of the Lithuanian, Latvian and Estonian alphabets beyond ASCII, and the Western European
# ones Windows-1252 has: a legacy text is Baltic when its Baltic decoding gives Baltic letters at
# least as consistently as its Windows-1252 decoding gives Western ones.
_BALTIC_LETTERS = frozenset("ąčęėįšųūžāēģīķļņōŗõäöüĄČĘĖĮŠŲŪŽĀĒĢĪĶĻŅŌŖÕÄÖÜ")
_WESTERN_LETTERS = frozenset("àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßœÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŸŒ")
_LETTERS_AGREE = 0.8
# Below this many bytes beyond ASCII neither the alphabet test nor charset-normalizer has evidence to go
# on (it reads four stray bytes as two Japanese characters): the Baltic rule decides alone, or refuses.
_ENOUGH_EVIDENCE = 16
_NON_ASCII_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")
_NUL_SHARE = 1 / 1000  # a stray NUL or two in a long page is damage; more is a binary file


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


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
    warnings: tuple[str, ...] = ()
    if b"\x00" in data:
        offset, count = data.index(b"\x00"), data.count(b"\x00")
        if count > len(data) * _NUL_SHARE:
            raise ReadError(name, f"binary content (a NUL byte at offset {offset}); not a text article")
        data = data.replace(b"\x00", b"")
        warnings = (f"{count} NUL byte{'s' if count > 1 else ''} (first at offset {offset}) dropped",)
    decoded = _decode_text(data, name)
    return Decoded(decoded.text, decoded.encoding, warnings + decoded.warnings)


def _decode_text(data: bytes, name: str) -> Decoded:
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    mostly_utf8 = _mostly_utf8(data, utf8_error)
    if mostly_utf8 is not None:
        return mostly_utf8
    declared = _declared_charset(data)
    if declared is not None:
        label, codec = declared
        try:
            return Decoded(data.decode(codec), label, (f"decoded as {label} (declared in the file)",))
        except UnicodeDecodeError:
            pass  # the declaration is wrong or the file damaged: the bytes decide
    baltic = _baltic(data)
    if baltic is not None:
        return Decoded(baltic[0], baltic[1], (f"decoded as {baltic[1]}",))
    detected = _detected(data)
    if detected is not None:
        return detected
    if declared is not None:
        label, codec = declared
        text = data.decode(codec, errors="replace")
        return Decoded(text, label, (f"decoded as {label} (declared in the file) with undecodable bytes replaced",))
    bad = data[utf8_error.start:utf8_error.start + 4]
    raise ReadError(
        name,
        f"cannot decode the text: byte {bad[:1].hex(' ')} at offset {utf8_error.start} is not valid "
        "UTF-8, UTF-16, Windows-1257 or ISO-8859-13, declares no charset and none was detected; "
        "re-save the file as UTF-8",
    )


def _mostly_utf8(data: bytes, error: UnicodeDecodeError) -> Decoded | None:
    """UTF-8 with a few stray legacy bytes: replace those, report where, keep every other letter."""
    text = data.decode("utf-8", errors="replace")
    # A stray byte inside a letter's sequence breaks that letter too: the warning counts places.
    genuine = data.count("\ufffd".encode("utf-8"))
    replaced = max(len(_REPLACED_RUN.findall(text)) - genuine, 1)
    multibyte = len(_NON_UTF8_SINGLE.sub("", text)) - text.count("\ufffd") + genuine
    # Letters decoded must outnumber the damage; one stray byte breaks at most the letter it sits in
    # (up to three replacement characters), which is allowed for however short a text.
    if multibyte < 1 or multibyte + _ONE_STRAY_BYTE < text.count("\ufffd") - genuine:
        return None
    byte = data[error.start:error.start + 1].hex()
    where = f"at offset {error.start} (byte {byte})"
    if replaced == 1:
        warning = f"not valid UTF-8 {where}; read as UTF-8 with that byte replaced"
    else:
        more = f"{replaced - 1} more place{'s' if replaced > 2 else ''}"
        warning = f"not valid UTF-8 {where} and {more}; read as UTF-8 with those bytes replaced"
    return Decoded(text, "utf-8", (warning,))


_ONE_STRAY_BYTE = 2
_REPLACED_RUN = re.compile("\ufffd+")
_NON_UTF8_SINGLE = re.compile(r"[\x00-\x7f]+")


def _declared_charset(data: bytes) -> tuple[str, str] | None:
    """The charset a markup file declares, as (the label written, the codec to read it with)."""
    if not data.lstrip()[:1] == b"<":
        return None
    head = data[:_HEAD_BYTES]
    found = _XML_DECLARATION.match(head) or _META_CHARSET.search(head)
    if found is None:
        return None
    label = found.group(1).decode("ascii").lower()
    codec = _LABEL_CODECS.get(label)
    if codec is None:
        try:
            codec = codecs.lookup(label).name
        except LookupError:
            return None
    if codec == "utf-8":
        return None  # already tried; a declared UTF-8 file that is not UTF-8 is decided by its bytes
    return label, codec


def _baltic(data: bytes) -> tuple[str, str] | None:
    """Undeclared legacy text read by the Baltic rule, when its letters are Baltic ones."""
    # The two code pages agree on every letter. Bytes 0x80-0x9F are punctuation in Windows-1257
    # and unused control codes in ISO-8859-13; without them ISO-8859-13 is right about quotes.
    encoding = "windows-1257" if re.search(rb"[\x80-\x9f]", data) else "iso-8859-13"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if _CONTROL.search(text):
        return None
    letters = _NON_ASCII_LETTER.findall(text)
    if not letters or _non_ascii_bytes(data) < _ENOUGH_EVIDENCE:
        return text, encoding  # only quotes and dashes beyond ASCII, or too little to weigh
    baltic = sum(letter in _BALTIC_LETTERS for letter in letters) / len(letters)
    try:
        western_letters = _NON_ASCII_LETTER.findall(data.decode("cp1252"))
    except UnicodeDecodeError:
        western_letters = []
    western = sum(letter in _WESTERN_LETTERS for letter in western_letters) / max(len(western_letters), 1)
    if baltic < _LETTERS_AGREE or baltic < western:
        return None
    from charset_normalizer import from_bytes

    # Cyrillic in a single-byte page also decodes to Baltic capitals; the mess detector tells.
    if from_bytes(data, cp_isolation=[codecs.lookup(encoding).name]).best() is None:
        return None
    return text, encoding


def _non_ascii_bytes(data: bytes) -> int:
    return len(_ASCII_BYTES.sub(b"", data))


_ASCII_BYTES = re.compile(rb"[\x00-\x7f]+")


def _detected(data: bytes) -> Decoded | None:
    from charset_normalizer import from_bytes

    if _non_ascii_bytes(data) < _ENOUGH_EVIDENCE:
        return None
    best = from_bytes(data).best()
    if best is None:
        return None
    text = str(best)
    if _CONTROL.search(text):
        return None
    return Decoded(text, best.encoding, (f"decoded as {best.encoding} (detected)",))


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
