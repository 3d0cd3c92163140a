"""A longer fuzzing campaign for the readers than the property tests in `make test` (issue 7).

    python tests/fuzz/fuzz_readers.py [--inputs 20000] [--seed 7] [--workers 2] [--timeout 20]

Mutates the fixture files (tests/fixtures) and, when present, the real-world pages and feeds in
../shared/realworld (read in place, never copied), reads each input with ``read_bytes`` under a
suffix a reader claims, and counts what escapes. The property: nothing but ReadError leaves a
reader; a ReadError that wraps an unexpected exception ("unexpected error in the ... reader") is
a crash too; every item read can be printed as JSON and stored (UTF-8) and fingerprinted; no input
takes longer than --timeout seconds. Prints the number of inputs and the crashes by class (the
exception and the innermost frame in the project's code), with one example input per class saved
under --out. Exits 1 when anything crashed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
FIXTURES = PROJECT / "tests" / "fixtures"
REALWORLD = PROJECT.parent / "shared" / "realworld"
sys.path.insert(0, str(PROJECT))  # this checkout's code, also when another one is installed

# Tokens that once broke a reader, or that parsers treat specially: spliced into inputs.
TOKENS: tuple[bytes, ...] = (
    b"[" * 1200, b"{\"a\":" * 1200, b"7" * 5000, b"1" + b"0" * 400, b"1e400", b"-1e400", b"NaN", b"Infinity",
    b"\\udc00", b"\\ud800", b"\\ud83d\\ude00", b"&#xD800;", b"&#6;", b"&#0;", b"<![CDATA[ <!DOCTYPE ]]>",
    b"\x00", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\r", b"\r\n", b"\x85", "\u2028".encode(),
    b"<?xml version=\"1.0\" encoding=\"utf-16\"?>", b"<?xml version=\"1.0\" encoding=\"bogus\"?>",
    b"<meta charset=\"x-unknown\">", b"<html>", b"</html>", b"<rss version=\"2.0\"><channel>", b"<feed>",
    b"<item><title>t</title><description>&lt;p&gt;x</description></item>", b"<entry>", b"\"", b",", b"\t",
    b"\"published\": ", b"\"text\": ", b"\"title\": ", b"x" * 140_000, b" " * 20_000, b"\xe2\x80", b"\xc4",
    "• 2022-11-03\n".encode(), b"2021.06.14 16:26\n", b"#  a  #  b  ##", b"a@b.lt", b"1 h ago\n",
    "\n• a".encode() + b" " * 80_000 + b"b\n", b"\n" + b"#  a  b  " * 12 + b"##\n", b"a" * 80_000,
    b"99999-99-99", b"2021-13-45T25:61", b"<time datetime=\"0000-00-00\">", b"<!--", b"<script>", b"]]>",
)
SUFFIXES = (".txt", ".html", ".htm", ".xhtml", ".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".rss", ".atom",
            ".xml", ".text", "")


def seeds(rng: random.Random, *, realworld: int, folder: Path = REALWORLD) -> list[tuple[str, bytes]]:
    """(suffix, content) of the fixtures and a sample of the real-world files."""
    paths = sorted(p for p in FIXTURES.rglob("*") if p.is_file())
    if folder.is_dir():
        world = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".html", ".xml", ".json")
                       and p.stat().st_size < 400_000)
        paths += rng.sample(world, min(realworld, len(world)))
    return [(p.suffix.lower(), p.read_bytes()) for p in paths]


def mutate(rng: random.Random, data: bytes, pool: list[tuple[str, bytes]]) -> bytes:
    data = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3, 5, 8))):
        at = rng.randrange(len(data) + 1)
        choice = rng.random()
        if choice < 0.25 and data:
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif choice < 0.45:
            data[at:at] = rng.choice(TOKENS)
        elif choice < 0.55:
            data[at:at + rng.randint(1, 2000)] = b""
        elif choice < 0.65 and data:
            start = rng.randrange(len(data))
            data[at:at] = data[start:start + rng.randint(1, 500)] * rng.randint(1, 20)
        elif choice < 0.75:
            other = rng.choice(pool)[1]
            start = rng.randrange(len(other) + 1)
            data[at:at] = other[start:start + rng.randint(1, 4000)]
        elif choice < 0.85:
            del data[at:]
        elif choice < 0.88:
            data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        elif choice < 0.95:  # where a value starts: after a JSON key, a delimiter or a tag
            marks = [m for m in (b'": ', b'":', b",", b"\t", b">", b"\n") if m in data]
            if marks:
                mark = rng.choice(marks)
                spots = [i for i in range(len(data)) if data.startswith(mark, i)][:2000]
                spot = rng.choice(spots) + len(mark)
                data[spot:spot] = rng.choice(TOKENS)
        else:
            data[at:at] = rng.choice(("\\u%04x" % rng.randrange(0xD800, 0xE000), "&#x%X;" % rng.randrange(0x110000),
                                      "&#%d;" % rng.randrange(32))).encode()
    return bytes(data[:4_000_000])


def crash_class(exc: BaseException) -> str:
    """The exception's type and the innermost frame of the project's code that it passed through."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/analysis/" in f.filename]
    where = f"{Path(frames[-1].filename).relative_to(PROJECT)}:{frames[-1].name}" if frames else "outside analysis/"
    return f"{type(exc).__name__} in {where}"


def check(data: bytes, suffix: str) -> str | None:
    """None when the readers behave; else the crash class."""
    import json

    from analysis.ingest import ReadError, read_bytes
    from analysis.ingest.dedup import fingerprint

    try:
        read = read_bytes(data, name=f"fuzz{suffix}", suffix=suffix)
    except ReadError as exc:
        if exc.__cause__ is not None and exc.problem.startswith("unexpected error"):
            return crash_class(exc.__cause__)
        return None
    except Exception as exc:  # noqa: BLE001 - what we are counting
        return crash_class(exc)
    try:
        for item in read.items:
            json.dumps(item.to_json_dict(), ensure_ascii=False).encode("utf-8")
            if item.kind == "article":
                fingerprint(item.text)
    except Exception as exc:  # noqa: BLE001
        return "unstorable item: " + crash_class(exc)
    return None


def _worker(tasks, results) -> None:
    import analysis.ingest  # noqa: F401  (imported before the clock starts)

    results.put(("ready", None, None))
    for index, suffix, data in iter(tasks.get, None):
        results.put(("done", index, check(data, suffix)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds one input may take")
    parser.add_argument("--realworld", type=int, default=400, help="real-world files to sample as seeds")
    parser.add_argument("--realworld-dir", type=Path, default=REALWORLD, help=f"default {REALWORLD}")
    parser.add_argument("--out", type=Path, default=PROJECT / ".fuzz", help="one example input per crash class")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pool = seeds(rng, realworld=args.realworld, folder=args.realworld_dir)
    print(f"{len(pool)} seed files ({'with' if args.realworld_dir.is_dir() else 'without'} {args.realworld_dir})",
          flush=True)

    by_format: dict[str, list[tuple[str, bytes]]] = {}
    for suffix, data in pool:
        by_format.setdefault(suffix, []).append((suffix, data))
    formats = sorted(by_format)  # every format as often, however many seed files it has

    def next_input(index: int) -> tuple[int, str, bytes]:
        suffix, data = rng.choice(by_format[rng.choice(formats)])
        if rng.random() < 0.25:
            suffix = rng.choice(SUFFIXES)
        return index, suffix, mutate(rng, data, pool) if rng.random() < 0.97 else data

    context = multiprocessing.get_context("spawn")
    crashes: Counter[str] = Counter()
    examples: dict[str, tuple[str, bytes]] = {}
    workers: list[dict] = []

    def start_worker() -> dict:
        tasks, results = context.Queue(), context.Queue()
        process = context.Process(target=_worker, args=(tasks, results), daemon=True)
        process.start()
        assert results.get(timeout=120)[0] == "ready"
        return {"process": process, "tasks": tasks, "results": results, "task": None, "since": 0.0}

    workers = [start_worker() for _ in range(args.workers)]
    sent = done = 0
    started = time.perf_counter()
    while done < args.inputs:
        for slot, worker in enumerate(workers):
            if worker["task"] is None and sent < args.inputs:
                worker["task"] = next_input(sent)
                worker["since"] = time.perf_counter()
                worker["tasks"].put(worker["task"])
                sent += 1
            if worker["task"] is None:
                continue
            try:
                _, index, problem = worker["results"].get(timeout=0.01)
            except Exception:  # queue.Empty: still working
                if time.perf_counter() - worker["since"] > args.timeout or not worker["process"].is_alive():
                    problem = "Timeout" if worker["process"].is_alive() else "worker process died"
                    worker["process"].kill()
                    task = worker["task"]
                    workers[slot] = start_worker()
                    worker, index = workers[slot], task[0]
                    worker["task"] = task
                else:
                    continue
            if problem:
                crashes[problem] += 1
                examples.setdefault(problem, worker["task"][1:])
            worker["task"] = None
            done += 1
            if done % 1000 == 0:
                print(f"  {done} inputs, {sum(crashes.values())} crashes, {time.perf_counter() - started:.0f} s",
                      flush=True)
    for worker in workers:
        worker["tasks"].put(None)
        worker["process"].join(timeout=5)
        worker["process"].kill()
    print(f"inputs: {done}, crashes: {sum(crashes.values())} in {len(crashes)} classes, "
          f"{time.perf_counter() - started:.0f} s")
    args.out.mkdir(parents=True, exist_ok=True)
    for number, (problem, count) in enumerate(crashes.most_common(), start=1):
        suffix, data = examples[problem]
        example = args.out / f"crash-{number:02d}{suffix or '.none'}"
        example.write_bytes(data)
        print(f"{count:>6}  {problem}  (e.g. {example.relative_to(PROJECT) if example.is_relative_to(PROJECT) else example})")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
