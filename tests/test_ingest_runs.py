"""Ingest runs and the folders they read (issue 7): near-duplicate links do not depend on how a
corpus is split into runs, unreadable folders are reported, symlinks do not lead out of the
given folder, and the summary says what each count is."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.ingest.dedup import fingerprint
from analysis.ingest.runner import expand_paths, ingest_paths
from analysis.paths import DEMO_DIR
from analysis.store import Store

STORY = (
    "Lithuania's parliament voted on Thursday to extend the state of emergency along the border with "
    "Belarus for another three months, citing continued attempts by groups of migrants to cross into "
    "the country through the forests. Border guards said they had turned back more than two hundred "
    "people over the past week, most of them at night and in small groups. The interior minister told "
    "lawmakers that the physical barrier would be completed before winter and that patrols would be "
    "reinforced with officers from other regions."
)


def _links(store: Store) -> list[tuple]:
    return store.connection.execute("SELECT id, duplicate_of FROM items ORDER BY id").fetchall()


def test_stored_simhashes_keep_every_bit(tmp_path):
    """A batch that mixes fingerprinted articles and headlines (no fingerprint) once went through float64."""
    records = [{"title": f"Story {n}", "text": f"{STORY} Variant {n} with its own words {n * 7}."} for n in range(6)]
    export = tmp_path / "export.jsonl"
    export.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text("Lietuvoje\n2021.06.14 16:26\nA page title\n\n" + STORY + "\n\n# Tag\n\n"
                    "Pastebėjote klaidą?\n\n2 h ago\n\nA related headline\n", encoding="utf-8")
    with Store.open(tmp_path / "store.duckdb") as store:
        ingest_paths(store, [export, page])
        rows = store.connection.execute("SELECT text, simhash FROM items WHERE kind = 'article'").fetchall()
        assert store.count_items(kind="headline") == 1
    assert len(rows) == 7
    assert [simhash for _, simhash in rows] == [fingerprint(text).simhash for text, _ in rows]


def test_near_duplicate_links_are_the_same_in_one_run_or_two(tmp_path):
    files, _ = expand_paths([DEMO_DIR])
    with Store.open(tmp_path / "one.duckdb") as store:
        ingest_paths(store, [DEMO_DIR])
        one_run = _links(store)
    half = len(files) // 2
    with Store.open(tmp_path / "two.duckdb") as store:
        ingest_paths(store, files[:half])
        ingest_paths(store, files[half:])
        two_runs = _links(store)
    assert sum(d is not None for _, d in one_run) > 0
    assert two_runs == one_run


def test_a_story_added_in_this_run_links_to_its_first_copy():
    """As the stored index does: the earliest match wins, whichever band finds it first."""
    import numpy as np

    from analysis.ingest.dedup import BANDS, Fingerprint, NearDuplicateIndex

    index = NearDuplicateIndex([], np.array([], dtype=np.uint64), np.zeros((0, BANDS), dtype=np.uint64))
    first = Fingerprint(0, tuple(range(100, 100 + BANDS)))
    second = Fingerprint(1, tuple(range(200, 200 + BANDS)))
    index.add("first", first)
    index.add("second", second)
    third = Fingerprint(3, (200, 101) + tuple(range(300, 300 + BANDS - 2)))  # band 0 as second's, band 1 as first's
    assert index.find(third) == "first"


# -- folders ------------------------------------------------------------------------------------


def _export(path: Path, title: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"title": title, "text": f"{title}. {STORY}"}) + "\n", encoding="utf-8")
    return path


def test_an_unreadable_sub_folder_is_reported_by_name(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "in"
    _export(folder / "a.jsonl", "Readable one")
    locked = folder / "locked"
    _export(locked / "b.jsonl", "Behind a lock")
    real_scandir = os.scandir

    def scandir(path="."):  # as chmod 000 does for a user other than root
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    status = main(["ingest", str(folder), "--db", str(tmp_path / "store.duckdb"), "-q"])
    err = capsys.readouterr().err
    assert status == 1
    assert f"failed: {locked}: cannot read this folder (Permission denied); the files in it were not read" in err
    with Store.open(tmp_path / "store.duckdb") as store:
        assert store.count_items() == 1


def test_a_link_out_of_the_folder_is_not_followed(tmp_path, capsys):
    outside = _export(tmp_path / "elsewhere" / "secret.jsonl", "Outside the folder")
    outside_dir = outside.parent
    folder = tmp_path / "in"
    _export(folder / "a.jsonl", "Inside the folder")
    (folder / "link.jsonl").symlink_to(outside)
    (folder / "dirlink").symlink_to(outside_dir, target_is_directory=True)
    (folder / "inner.jsonl").symlink_to(folder / "a.jsonl")  # inside: the same file, read once
    files, outcomes = expand_paths([folder])
    assert files == [folder / "a.jsonl"]
    assert [(o.path, o.status) for o in outcomes] == [(str(folder / "dirlink"), "skipped"),
                                                      (str(folder / "link.jsonl"), "skipped")]
    assert outcomes[1].error == (f"a link to {outside}, outside {folder}: not followed "
                                 "(name the file itself to read it)")
    assert main(["ingest", str(folder), "--db", str(tmp_path / "store.duckdb"), "-q"]) == 0
    out, err = capsys.readouterr()
    assert f"skipped: {folder / 'link.jsonl'}: a link to {outside}" in err
    assert out.strip().endswith("2 skipped")
    with Store.open(tmp_path / "store.duckdb") as store:
        assert store.count_items() == 1
    # named explicitly, a link is read
    assert main(["ingest", str(folder / "link.jsonl"), "--db", str(tmp_path / "store.duckdb"), "-q"]) == 0


def test_the_summary_tells_copies_in_this_run_from_files_of_an_earlier_run(tmp_path):
    first = _export(tmp_path / "a.jsonl", "A story")
    copy = tmp_path / "copy.jsonl"
    copy.write_bytes(first.read_bytes())
    with Store.open(tmp_path / "store.duckdb") as store:
        report = ingest_paths(store, [first, copy])
        assert report.summary().endswith(
            "0 files unchanged since an earlier run, 1 copy of a file read earlier in this run, 0 failed")
        assert report.outcomes[1].warnings == (f"the same content as {first}, read earlier in this run",)
        again = ingest_paths(store, [first])
        assert again.summary().endswith(
            "1 file unchanged since an earlier run, 0 copies of a file read earlier in this run, 0 failed")
