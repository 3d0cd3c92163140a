"""The `flankwatch` command's own contract: parse output and store errors."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from analysis.cli import main
from analysis.store import Store

PARSE_FIELDS = {"id", "kind", "title", "published", "published_approximate", "outlet", "byline", "dateline",
                "section", "tags", "text", "parent_id", "url", "source_path", "warnings"}


def test_parse_prints_one_json_line_per_item(fixtures_dir, capsys):
    page = fixtures_dir / "pages" / "wire_layout_b.txt"
    assert main(["parse", str(page)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["kind"] for line in lines] == ["article", "headline", "headline", "headline"]
    assert all(set(line) == PARSE_FIELDS for line in lines)
    assert lines[0]["published"] == "2023-07-11T18:05:00+03:00"
    assert lines[0]["source_path"] == str(page)
    assert {line["parent_id"] for line in lines[1:]} == {lines[0]["id"]}
    assert [line["published_approximate"] for line in lines[1:]] == [False, True, False]


def test_parse_reports_bad_files_and_goes_on(fixtures_dir, tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert main(["parse", str(empty), str(fixtures_dir / "feeds" / "news.atom")]) == 1
    out, err = capsys.readouterr()
    assert err.strip() == f"error: {empty}: the file is empty"
    assert json.loads(out)["title"] == "Lithuania declares a state of emergency at the border"


def test_a_store_held_by_another_process_gives_a_clear_error(tmp_path, fixtures_dir, capsys):
    db = tmp_path / "held.duckdb"
    Store.open(db).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); time.sleep(60)",
         str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        assert main(["ingest", str(fixtures_dir / "feeds"), "--db", str(db), "-q", "--wait", "0.5"]) == 2
        err = capsys.readouterr().err.splitlines()
        assert err[0].startswith(f"waiting: {db.resolve()}: another process holds the store (PID {holder.pid}, ")
        assert err[-1].startswith(f"error: {db.resolve()}: another process holds the store (PID {holder.pid}, ")
        assert err[-1].endswith("and takes no work from other commands; waited 0.5 s (--wait). "
                                "Stop that process, or pass another --db.")
    finally:
        holder.kill()
        holder.wait()


def test_a_command_waits_for_a_store_another_process_lets_go(tmp_path, fixtures_dir, capsys):
    db = tmp_path / "held.duckdb"
    Store.open(db).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); "
         "time.sleep(1.5); c.close()", str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        assert main(["ingest", str(fixtures_dir / "feeds"), "--db", str(db), "-q", "--wait", "30"]) == 0
        out, err = capsys.readouterr()
        assert err.startswith("waiting: ")
        assert out.startswith("run 1: ")
    finally:
        holder.kill()
        holder.wait()


def test_bad_gold_and_taxonomy_files_are_errors_not_tracebacks(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "x", "text": "a"}\n', encoding="utf-8")
    assert main(["evaluate", str(gold)]) == 2
    assert capsys.readouterr().err.strip() == f"error: {gold}, line 1: field 'themes' must be a list of theme keys ([] for none)"
    themes = tmp_path / "themes.toml"
    themes.write_text('[[themes]]\nkey = "x"\n', encoding="utf-8")
    items = tmp_path / "in.jsonl"
    items.write_text('{"text": "hello"}\n', encoding="utf-8")
    assert main(["analyze", str(items), "-o", str(tmp_path / "out.jsonl"), "--themes", str(themes)]) == 2
    assert capsys.readouterr().err.strip() == f"error: {themes}: theme 'x': missing field 'label'"
