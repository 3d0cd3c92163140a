"""Inputs that once escaped a reader as something other than ReadError (issue 7).

Each case is a file a user could have: the only acceptable outcomes are items or a ReadError
that names the file; nothing else may leave ``read_bytes``.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analysis.ingest import ReadError, read_bytes
from analysis.model import Item

TEXT = "Lithuania moved a battalion closer to the border, the ministry said on Tuesday."


def _read(data: str | bytes, suffix: str):
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        return read_bytes(raw, name=f"case{suffix}", suffix=suffix)
    except ReadError as exc:
        assert exc.path == f"case{suffix}" and exc.problem
        return exc


def _storable(item: Item) -> None:
    """What the store and `flankwatch parse` need of every item: UTF-8-encodable strings."""
    json.dumps(item.to_json_dict(), ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_deeply_nested_json_is_refused(suffix):
    result = _read("[" * 100_000 + "]" * 100_000, suffix)
    assert isinstance(result, ReadError) and "nested" in result.problem


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_nested_values_in_a_record_are_read_or_refused(suffix):
    deep = "[" * 900 + '"x"' + "]" * 900
    result = _read('{"text": "%s", "title": %s}' % (TEXT, deep), suffix)
    assert isinstance(result, ReadError) or result.items[0].text == TEXT


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_a_huge_integer_is_read_as_digits(suffix):
    digits = "7" * 5000
    result = _read('{"text": "%s", "published": %s, "title": %s}' % (TEXT, digits, digits), suffix)
    [item] = result.items
    assert item.published is None and item.title == digits
    assert any("unparseable date" in w for w in result.warnings)


@pytest.mark.parametrize("value", ["1" + "0" * 400, "-1" + "0" * 400, "1e400", "-1e400", "NaN", "Infinity"])
def test_an_out_of_range_number_as_date_keeps_the_item_without_a_date(value):
    result = _read('[{"text": "%s", "published": %s}]' % (TEXT, value), ".json")
    [item] = result.items
    assert item.published is None
    assert any("date" in w for w in result.warnings)


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
@pytest.mark.parametrize("escape", [r"\udc00", r"\ud800", r"\ud800x", r"\udc00\ud800"])
def test_a_lone_surrogate_becomes_a_replacement_character(suffix, escape):
    record = '{"title": "A%sB", "text": "%s %s", "url%s": "x", "tags": ["%s"]}' % (escape, TEXT, escape, escape, escape)
    result = _read(record, suffix)
    [item] = result.items
    assert item.title.startswith("A\ufffd") and "\ufffd" in item.text and item.tags[0].startswith("\ufffd")
    _storable(item)


def test_a_lone_surrogate_in_column_names_gives_a_printable_refusal():
    result = _read('{"he\\udc00ad": "A", "b\\udc00": "B"}', ".json")
    assert isinstance(result, ReadError)
    str(result).encode("utf-8")


def test_a_surrogate_pair_is_kept():
    [item] = _read('{"text": "%s \\ud83d\\ude00"}' % TEXT, ".json").items
    assert item.text.endswith("\U0001F600")


def test_parse_prints_an_export_with_a_lone_surrogate(tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text('{"title": "A\\udc00", "text": "%s"}\n' % TEXT, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "analysis.cli", "parse", str(path)], capture_output=True, text=True,
                          encoding="utf-8")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["title"] == "A\ufffd"


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
@pytest.mark.parametrize("where", ["header", "cell"])
def test_an_oversized_csv_field_is_refused_with_its_line(suffix, where):
    sep = "\t" if suffix == ".tsv" else ","
    huge = "x" * 140_000
    header = sep.join(["title", "text", huge if where == "header" else "url"])
    row = sep.join(["A", huge if where == "cell" else TEXT, "u"])
    result = _read(f"{header}\n{row}\n", suffix)
    assert isinstance(result, ReadError)
    assert f"line {1 if where == 'header' else 2}" in result.problem and "131,072" in result.problem


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_a_nul_in_the_csv_header_is_refused(suffix):
    result = _read("title,te\0xt\nA,B\n", suffix)
    assert isinstance(result, ReadError)
