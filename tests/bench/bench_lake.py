"""The lake's analysis on one machine's processes vs Spark: items/s, Spark's overhead, peak memory.

    python tests/bench/bench_lake.py [--items 1000000] [--workers 2] [--master local[2]]

The input lake holds ``--items`` articles of real length: the texts of ../shared/corpus/*.jsonl
(read at run time, never stored in the project) cycled, the first pass verbatim and later passes
with each sentence swapped for one drawn from the pooled corpus (so texts stay distinct, as real
ones are, instead of every 385th item being a copy); every 50th item is a near-duplicate of the
one before (a sentence cut). Each item has its own id, url and date, spread over 2014-2025, and a
fingerprint as ingest computes it. The lake is generated once per size and kept in .bench/
(git-ignored).

Then the same lake is analysed twice (themes, claims, near-duplicate links, every table written
as a lake; rollups too when analysis/lake/rollups.py is there):

  1. the local engine in ``--workers`` spawned processes (analysis/lake/local.py),
  2. Spark on ``--master`` (analysis/lake/spark.py), its session start-up timed apart,

and prints rows/s for each, Spark's overhead over the processes (target <= 15 %, start-up
excluded), and the peak resident memory of this process's whole tree (workers, Spark's JVM and
its Python workers) and its CPU seconds (telling apart an engine's cost from other work on the
machine), sampled every 0.2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
import threading
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
import psutil  # noqa: E402

TARGET_OVERHEAD = 15.0  # percent
GENERATOR_VERSION = 1  # bump when the generated lake changes, so the cache is rebuilt
CHUNK = 20_000
FIRST_DAY, DAYS = date(2014, 1, 1), 4383  # 2014-01-01 .. 2025-12-31
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")


def corpus_texts(files: list[Path]) -> list[dict]:
    return [json.loads(line) for path in files for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def generated_rows(start: int, stop: int, records: list[dict], pool: list[str]) -> list[dict]:
    """Items ``start``..``stop`` of the bench lake, in the store's items columns."""
    from analysis.ingest.dedup import fingerprint

    ingested_at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    rows, previous = [], ""
    for i in range(start, stop):
        record = records[i % len(records)]
        if i % 50 == 49 and previous:  # a near-duplicate of the item before: its last sentence cut
            sentences = _SENTENCE_END.split(previous)
            text = " ".join(sentences[:-1]) if len(sentences) > 2 else previous[: int(len(previous) * 0.9)]
        elif i < len(records):
            text = record["text"]
        else:
            rng = random.Random(i)
            text = " ".join(rng.choice(pool) for _ in _SENTENCE_END.split(record["text"]))
        previous = text
        print_ = fingerprint(text)
        day = FIRST_DAY + timedelta(days=(i * 7919) % DAYS)
        rows.append({
            "id": f"bench-{i:08d}", "kind": "article", "title": record.get("title") or f"Bench article {i}",
            "text": text, "published_at": None, "published_date": day, "published_approximate": False,
            "outlet": record.get("source") or "Bench Wire", "byline": None, "dateline": None, "section": None,
            "tags": [], "url": f"https://bench.example.org/{i}", "parent_id": None, "source_path": "bench",
            "simhash": print_.simhash if print_ else None, "lsh_bands": list(print_.bands) if print_ else None,
            "duplicate_of": None, "run_id": 1, "ingested_at": ingested_at + timedelta(microseconds=i),
            "source_name": None, "month": day.strftime("%Y-%m"),
        })
    return rows


def input_lake(items: int, files: list[Path]) -> Path:
    """The generated lake of ``items`` articles, made once and kept in .bench/."""
    from analysis.lake import LAKE_FORMAT, MANIFEST
    from analysis.store import ADDED_COLUMNS, SCHEMA

    lake = PROJECT / ".bench" / f"lake-input-{items}-v{GENERATOR_VERSION}"
    if (lake / MANIFEST).is_file():
        return lake
    shutil.rmtree(lake, ignore_errors=True)
    staging = lake.with_name(lake.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    records = corpus_texts(files)
    pool = [s for r in records for s in _SENTENCE_END.split(r["text"]) if len(s) > 20]
    con = duckdb.connect(str(staging / "staging.duckdb"))
    con.execute(SCHEMA)
    for table, column, kind in ADDED_COLUMNS:
        con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")
    con.execute("ALTER TABLE items ADD COLUMN month VARCHAR")
    started = time.perf_counter()
    for start in range(0, items, CHUNK):
        rows = generated_rows(start, min(items, start + CHUNK), records, pool)
        frame = pd.DataFrame.from_records(rows)
        frame["simhash"] = pd.array([row["simhash"] for row in rows], dtype="UInt64")
        con.register("fw_rows", frame)
        con.execute("INSERT INTO items BY NAME SELECT * FROM fw_rows")
        con.unregister("fw_rows")
        print(f"\r  generating the input lake: {min(items, start + CHUNK):,} / {items:,} items "
              f"({time.perf_counter() - started:.0f}s)", end="", flush=True)
    print()
    con.execute(f"""COPY (SELECT * FROM items ORDER BY month, id) TO '{staging / "items"}'
                    (FORMAT parquet, PARTITION_BY (month), FILENAME_PATTERN 'part-{{i}}')""")
    con.close()
    (staging / "staging.duckdb").unlink()
    (staging / MANIFEST).write_text(json.dumps({"format": LAKE_FORMAT, "written_by": "tests/bench/bench_lake.py",
                                                "items": items, "generator": GENERATOR_VERSION}), encoding="utf-8")
    staging.rename(lake)
    return lake


class PeakMemory:
    """The peak RSS of this process and all its descendants, and their CPU seconds, sampled in a thread.

    CPU seconds say what each engine cost even when other work shares the machine (wall time
    does not); a process that ends between two samples loses at most ``every`` seconds of them.
    """

    def __init__(self, every: float = 0.2):
        self.every = every
        self.peak_mb = 0.0
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def cpu_seconds(self) -> float:
        return sum(self._cpu.values())

    def __enter__(self) -> "PeakMemory":
        me = psutil.Process()
        self._start = sum(me.cpu_times()[:2])
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.every)

    def _sample(self) -> None:
        me = psutil.Process()
        total = 0
        for process in [me, *me.children(recursive=True)]:
            try:
                with process.oneshot():
                    total += process.memory_info().rss
                    times = process.cpu_times()
                    spent = times.user + times.system - (self._start if process.pid == me.pid else 0)
                    self._cpu[process.pid] = max(self._cpu.get(process.pid, 0.0), spent)
            except psutil.Error:
                pass
        self.peak_mb = max(self.peak_mb, total / 2**20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2, help="processes of the local engine")
    parser.add_argument("--master", default="local[2]", help="Spark master")
    parser.add_argument("--target", type=float, default=TARGET_OVERHEAD, help="Spark overhead to meet, in %%")
    args = parser.parse_args(argv)

    from analysis.lake.local import analyze_lake_local
    from analysis.lake.spark import analyze_lake_spark
    from analysis.lake.sparkenv import spark_missing, spark_session
    from analysis.paths import training_files

    files = training_files()
    if not files:
        print("no labelled corpus found (../shared/corpus or $FLANKWATCH_TRAINING): nothing to cycle")
        return 2
    t0 = time.perf_counter()
    lake = input_lake(args.items, files)
    size = sum(p.stat().st_size for p in (lake / "items").rglob("*.parquet"))
    print(f"input lake {lake.relative_to(PROJECT)}: {args.items:,} articles of real length cycled from "
          f"{', '.join(p.name for p in files)}, {size / 2**20:,.0f} MB of Parquet "
          f"(ready in {time.perf_counter() - t0:.1f}s)")
    print(f"machine: {os.cpu_count()} cores, load average {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
          "before the runs")

    out = PROJECT / ".bench" / "lake-output"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with PeakMemory() as local_memory:
        t1 = time.perf_counter()
        local_summary = analyze_lake_local(lake, out / "local", workers=args.workers)
        local_seconds = time.perf_counter() - t1
    print(f"local, {args.workers} processes: {local_seconds:8.1f}s = {args.items / local_seconds:8,.0f} rows/s; "
          f"{local_memory.cpu_seconds:,.0f} CPU-s; peak RSS of the process tree {local_memory.peak_mb:,.0f} MB"
          f"\n  {local_summary}")

    problem = spark_missing()
    if problem:
        print(f"Spark: not run ({problem})")
        return 2
    with PeakMemory() as spark_memory:
        t2 = time.perf_counter()
        with spark_session(args.master, app="flankwatch bench") as spark:
            startup = time.perf_counter() - t2
            t3 = time.perf_counter()
            spark_summary = analyze_lake_spark(lake, out / "spark", spark=spark)
            spark_seconds = time.perf_counter() - t3
    overhead = (spark_seconds / local_seconds - 1) * 100
    with_startup = ((spark_seconds + startup) / local_seconds - 1) * 100
    print(f"Spark {args.master}:      {spark_seconds:8.1f}s = {args.items / spark_seconds:8,.0f} rows/s "
          f"(+ {startup:.1f}s session start-up); {spark_memory.cpu_seconds:,.0f} CPU-s with it; "
          f"peak RSS of the process tree {spark_memory.peak_mb:,.0f} MB"
          f"\n  {spark_summary}")
    print(f"Spark overhead vs the processes: {overhead:+.1f} % start-up excluded (target <= {args.target:.0f} %), "
          f"{with_startup:+.1f} % with it")
    print(f"machine load average after the runs: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    local_manifest = json.loads((out / "local" / "_lake.json").read_text(encoding="utf-8"))
    spark_manifest = json.loads((out / "spark" / "_lake.json").read_text(encoding="utf-8"))
    if local_manifest["tables"] != spark_manifest["tables"]:
        print(f"the engines disagree: local {local_manifest['tables']}, Spark {spark_manifest['tables']}")
        return 1
    return 0 if overhead <= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
