"""Property-based tests of every reader (issue 7): whatever the bytes, only ReadError leaves
``read_bytes``, and every item read can be printed, stored and fingerprinted.

Bounded (a few dozen examples per property, derandomized) so `make test` stays quick; `make fuzz`
runs the longer campaign of tests/fuzz/fuzz_readers.py.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.ingest import ReadError, read_bytes, supported_suffixes
from analysis.ingest.dedup import fingerprint
from analysis.ingest.records import FIELD_COLUMNS

FIXTURES = sorted(p for p in (Path(__file__).parent / "fixtures").rglob("*") if p.is_file())
SUFFIXES = (*supported_suffixes(), "")
BOUNDED = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Bytes that once broke a reader or that parsers treat specially.
TOKENS = [b"[" * 1100, b"7" * 4400, b"1" + b"0" * 400, b"1e400", b"NaN", b"\\udc00", b"\\ud800", b"&#xD800;",
          b"&#6;", b"<![CDATA[ <!DOCTYPE ]]>", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\r", "\u2028".encode(),
          b"<?xml version=\"1.0\" encoding=\"utf-16\"?>", b"<html>", b"</html>", b"<rss version=\"2.0\">",
          b"\"", b",", b"\t", b"\n", "• 2022-11-03\n".encode(), b"2021.06.14 16:26\n", b"#  a  #  b  ##",
          b"a@b.lt", b"1 h ago\n", b"2021-13-45T25:61"]


def assert_reads_or_refuses(data: bytes, suffix: str) -> None:
    try:
        read = read_bytes(data, name=f"input{suffix}", suffix=suffix)
    except ReadError as exc:
        assert exc.path == f"input{suffix}" and exc.problem
        assert not exc.problem.startswith("unexpected error"), exc.problem  # a crash the reader turned into text
        str(exc).encode("utf-8")
        return
    assert read.items
    for item in read.items:
        json.dumps(item.to_json_dict(), ensure_ascii=False).encode("utf-8")  # `flankwatch parse`, the store
        if item.kind == "article":
            fingerprint(item.text)


@st.composite
def mutated_fixture(draw) -> tuple[bytes, str]:
    path = draw(st.sampled_from(FIXTURES))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["token", "bytes", "delete", "truncate", "flip"]))
        if action == "token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif action == "bytes":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif action == "delete":
            del data[at:at + draw(st.integers(1, 200))]
        elif action == "truncate":
            del data[at:]
        elif data:
            data[min(at, len(data) - 1)] = draw(st.integers(0, 255))
    suffix = draw(st.one_of(st.just(path.suffix), st.sampled_from(SUFFIXES)))
    return bytes(data), suffix


@pytest.mark.parametrize("suffix", SUFFIXES)
@BOUNDED
@given(data=st.binary(max_size=600))
def test_random_bytes(suffix, data):
    assert_reads_or_refuses(data, suffix)


@settings(BOUNDED, max_examples=150)
@given(case=mutated_fixture())
def test_mutated_fixtures(case):
    assert_reads_or_refuses(*case)


_COLUMNS = st.sampled_from([name for names in FIELD_COLUMNS.values() for name in names] + ["other"])
# Any text, lone UTF-16 surrogates included (JSON writes them as "\\udc00" escapes).
_TEXT = st.text(st.characters(exclude_categories=()) | st.characters(categories=["Cs"]), max_size=40)
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from([10**400, -(10**400)]) | st.floats() | _TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_TEXT, children, max_size=3),
    max_leaves=8,
)
_RECORDS = st.lists(st.dictionaries(_COLUMNS, _JSON_VALUES, max_size=6), min_size=1, max_size=4)
# Raw JSON that json.dumps does not write: spliced in where a value goes.
_RAW_VALUES = st.sampled_from(["[" * 1100 + "]" * 1100, "{\"a\":" * 1100 + "1" + "}" * 1100, "7" * 4400,
                               "1" + "0" * 400, "1e400", "-1e400", "NaN", '"\\udc00"', '"\\ud800x"'])
_SPOT = "\x00spot\x00"


@settings(BOUNDED, max_examples=100)
@given(records=_RECORDS, shape=st.sampled_from(["list", "object", "lines"]), raw=st.none() | _RAW_VALUES,
       spot=st.sampled_from(["text", "title", "published", "tags", "url"]))
def test_json_exports_of_any_values(records, shape, raw, spot):
    if raw is not None:
        records[0] = {**records[0], spot: _SPOT}
    if shape == "lines":
        text, suffix = "\n".join(json.dumps(r) for r in records), ".jsonl"
    else:
        text, suffix = json.dumps(records if shape == "list" else {"items": records}), ".json"
    if raw is not None:
        text = text.replace(json.dumps(_SPOT), raw, 1)
    assert_reads_or_refuses(text.encode("utf-8", "surrogatepass"), suffix)


@settings(BOUNDED, max_examples=100)
@given(header=st.lists(_COLUMNS | st.just("x" * 140_000), min_size=1, max_size=5),
       rows=st.lists(st.lists(_TEXT | st.just("y" * 140_000), max_size=6), max_size=4),
       delimiter=st.sampled_from([",", ";", "\t", "|"]))
def test_csv_exports_of_any_cells(header, rows, delimiter):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    suffix = ".tsv" if delimiter == "\t" else ".csv"
    assert_reads_or_refuses(out.getvalue().encode("utf-8", "surrogatepass"), suffix)


@settings(BOUNDED, max_examples=100)
@given(lines=st.lists(st.one_of(st.text(max_size=60), st.sampled_from([t.decode("utf-8", "replace") for t in TOKENS])),
                      min_size=1, max_size=12))
def test_text_pages_of_any_lines(lines):
    assert_reads_or_refuses("\n".join(lines).encode("utf-8", "surrogatepass"), ".txt")
