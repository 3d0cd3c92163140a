"""Ingest throughput, end to end into DuckDB, per format, with peak memory.

    python tests/bench/bench_ingest.py [--pages 100000] [--out .bench/ingest]

Generates a corpus (100,000 text-page files by default, in both seed layouts and the generic one,
each with related headlines; smaller sets of the other formats), then ingests each format in a
fresh process into a fresh store and reports articles per second and the process's peak RSS.
Target: at least 2,000 text-page articles/s on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
TARGET_PAGES_PER_SECOND = 2000

PLACES = ["Vilnius", "Riga", "Tallinn", "Kaunas", "Klaipėda", "Daugavpils", "Tartu", "Narva", "Warsaw", "Helsinki"]
ACTORS = ["The defence ministry", "The border guard service", "The prime minister", "Parliament", "The army",
          "The interior ministry", "City officials", "The port authority", "The energy regulator", "Analysts"]
VERBS = ["announced", "confirmed", "rejected", "discussed", "postponed", "welcomed", "questioned", "approved"]
OBJECTS = ["a new procurement plan", "the border barrier budget", "an air defence upgrade", "a cyber drill",
           "the conscription reform", "a ferry timetable", "the school year calendar", "a grid connection",
           "a joint exercise with allies", "new rules for drones", "a housing programme", "the choir festival"]


def _sentence(rng: random.Random) -> str:
    return (f"{rng.choice(ACTORS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} in {rng.choice(PLACES)} on "
            f"day {rng.randint(1, 28)}, citing {rng.randint(2, 900)} cases and {rng.randint(1, 60)} percent support.")


def _body(rng: random.Random, n: int) -> list[str]:
    return [" ".join(_sentence(rng) for _ in range(rng.randint(2, 4))) + f" Ref {n}-{i}." for i in range(rng.randint(3, 6))]


def _page(rng: random.Random, n: int) -> str:
    year, month, day = rng.randint(2014, 2025), rng.randint(1, 12), rng.randint(1, 28)
    title = f"{rng.choice(ACTORS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} ({n})"
    body = _body(rng, n)
    layout = n % 3
    if layout == 0:
        return (f"{title}\n\n  • {year}-{month:02d}-{day:02d}\n  • Bench Wire/BW Staff\n\n"
                f"{rng.choice(PLACES).upper()} - " + "\n\n".join(body) + "\n")
    if layout == 1:
        stamp = f"{year}.{month:02d}.{day:02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
        related = []
        for k in range(6):
            headline = f"{rng.choice(ACTORS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} ({rng.randint(1, 5000)})"
            related.append(f"Photo caption {k}\n{k + 1} h ago\n\n{headline}\n")
            related.append(f"Photo caption {k}\n{stamp}\n\n{headline}\n")
        return (f"News\n\n{stamp}\n\n{title}\n\nBench Wire{stamp}\nA caption\nA caption / Bench Photo\n\n"
                + "\n\n".join(body) + "\n\nA caption\n1 / 2Bench Photo\n# News# Defence\n"
                "Mums svarbus tikslumas ir sklandi tekstų kalba. Jei pastebėjote klaidų, praneškite desk@bench.example.org.\n"
                + "\n".join(related))
    return f"{title}\nPublished {day} March {year}\n\n" + "\n\n".join(body) + "\n"


def _record(rng: random.Random, n: int) -> dict:
    year, month, day = rng.randint(2014, 2025), rng.randint(1, 12), rng.randint(1, 28)
    return {"title": f"{rng.choice(ACTORS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} ({n})",
            "text": "\n\n".join(_body(rng, n)), "published": f"{year}-{month:02d}-{day:02d}T10:00:00+02:00",
            "url": f"https://bench.example.org/{n}", "source": "Bench Wire (demo)", "author": "Desk"}


def generate(out: Path, *, pages: int, records: int, html: int, seed: int = 7) -> dict[str, Path]:
    rng = random.Random(seed)
    folders = {name: out / name for name in ("pages", "jsonl", "csv", "json", "feed", "html")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    for n in range(pages):
        sub = folders["pages"] / f"{n // 1000:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"page{n:06d}.txt").write_text(_page(rng, n), encoding="utf-8")
    per_file = 1000
    import csv
    for f in range(records // per_file):
        rows = [_record(rng, f * per_file + i) for i in range(per_file)]
        (folders["jsonl"] / f"export{f:03d}.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
        rows = [_record(rng, 10**7 + f * per_file + i) for i in range(per_file)]
        with (folders["csv"] / f"export{f:03d}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        rows = [_record(rng, 2 * 10**7 + f * per_file + i) for i in range(per_file)]
        (folders["json"] / f"export{f:03d}.json").write_text(json.dumps(rows), encoding="utf-8")
    for f in range(max(1, records // 10000)):
        entries = []
        for i in range(500):
            r = _record(rng, 3 * 10**7 + f * 500 + i)
            entries.append(f"<item><title>{r['title']}</title><link>{r['url']}</link>"
                           f"<pubDate>Mon, 0{i % 9 + 1} Jun 2020 10:00:00 +0300</pubDate>"
                           f"<description>{r['text']}</description></item>")
        (folders["feed"] / f"feed{f:03d}.rss").write_text(
            "<?xml version='1.0'?><rss version='2.0'><channel><title>Bench (demo)</title>" + "".join(entries)
            + "</channel></rss>", encoding="utf-8")
    for n in range(html):
        r = _record(rng, 4 * 10**7 + n)
        paragraphs = "".join(f"<p>{p}</p>" for p in r["text"].split("\n\n"))
        (folders["html"] / f"page{n:05d}.html").write_text(
            f"<!DOCTYPE html><html><head><title>{r['title']}</title><meta property='og:title' content='{r['title']}'>"
            f"<meta property='article:published_time' content='{r['published']}'></head><body><nav>Home | News</nav>"
            f"<article><h1>{r['title']}</h1>{paragraphs}</article><footer>Footer</footer></body></html>",
            encoding="utf-8")
    return folders


_CHILD = """
import json, resource, sys, time
from analysis.store import Store
from analysis.ingest.runner import ingest_paths
start = time.perf_counter()
with Store.open(sys.argv[1]) as store:
    report = ingest_paths(store, [sys.argv[2]])
    articles = store.count_items(kind="article")
    headlines = store.count_items(kind="headline")
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "articles": articles, "headlines": headlines,
                  "failed": len(report.failures), "files": len(report.outcomes),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(folder: Path, db: Path) -> dict:
    db.unlink(missing_ok=True)
    result = subprocess.run([sys.executable, "-c", _CHILD, str(db), str(folder)], cwd=PROJECT,
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=20_000, help="records per export format")
    parser.add_argument("--html", type=int, default=2_000)
    parser.add_argument("--out", type=Path, default=PROJECT / ".bench" / "ingest")
    parser.add_argument("--keep", action="store_true", help="keep the generated corpus")
    parser.add_argument("--target", type=float, default=TARGET_PAGES_PER_SECOND, help="text-page articles/s to meet")
    args = parser.parse_args()

    shutil.rmtree(args.out, ignore_errors=True)
    start = time.perf_counter()
    folders = generate(args.out / "corpus", pages=args.pages, records=args.records, html=args.html)
    print(f"generated corpus in {time.perf_counter() - start:.1f} s")
    print(f"{'format':<8} {'files':>7} {'articles':>9} {'headlines':>9} {'seconds':>8} {'articles/s':>10} {'peak MB':>8}")
    results = {}
    for name, folder in folders.items():
        r = measure(folder, args.out / f"{name}.duckdb")
        rate = r["articles"] / r["seconds"]
        results[name] = rate
        print(f"{name:<8} {r['files']:>7} {r['articles']:>9} {r['headlines']:>9} {r['seconds']:>8.1f} "
              f"{rate:>10.0f} {r['peak_rss_mb']:>8.0f}" + (f"  ({r['failed']} failed)" if r["failed"] else ""))
    if not args.keep:
        shutil.rmtree(args.out, ignore_errors=True)
    ok = results["pages"] >= args.target
    print(f"text pages: {results['pages']:.0f} articles/s, target {args.target:.0f}: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
