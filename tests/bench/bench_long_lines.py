"""Reading time of files at the size limit made of one long line, per shape (issue 7).

    python tests/bench/bench_long_lines.py [--mb 32] [--limit 60]

Patterns that backtrack over a line took time quadratic in its length (an 80 KB line: 22-49 s);
every shape here must read (or be refused) in time linear in its size. Each shape is the worst
case of a pattern that once was quadratic or exponential, or an ordinary file of one line.
Exits 1 when a file takes longer than --limit seconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from analysis.ingest import MAX_FILE_BYTES, ReadError, read_bytes  # noqa: E402

LRT_HEAD = "Lietuvoje\n2021.06.14 16:26\nA title for the long-line case\n"


def shapes(size: int) -> dict[str, tuple[str, str]]:
    """name -> (suffix, content of about ``size`` characters, one long line)."""
    return {
        "page: bullet, run of spaces": (".txt", "Title\n• a" + " " * size + "b\n"),
        "page: glued byline, no stamp": (".txt", LRT_HEAD + "a" + " " * size + "b\n\nBody of the article.\n"),
        "page: footer, no address": (".txt", LRT_HEAD + "Body.\n\nPastebėjote klaidą? " + "a" * size + "\n"),
        "page: tag line of many tags": (".txt", LRT_HEAD + "Body.\n\n" + "#  a  b  c  " * (size // 12) + "##\n"),
        "page: dateline, run of spaces": (".txt", "Title\n\nA" + " " * size + "b - c\n"),
        "page: one line of prose": (".txt", "Title\n\n" + "Word and words. " * (size // 16)),
        "json: one long text": (".json", '{"title": "T", "text": "' + "word " * (size // 5) + '"}'),
        "jsonl: one long text": (".jsonl", '{"title": "T", "text": "' + "word " * (size // 5) + '"}\n'),
        "csv: one long header": (".csv", "title,text," + "x" * size + "\nA,B,C\n"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=MAX_FILE_BYTES / 1e6, help="size of each file in MB (32)")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds allowed per file")
    args = parser.parse_args()
    size = int(args.mb * 1e6) - 200
    print(f"{'shape':<32} {'MB':>6} {'seconds':>8}  outcome")
    slow = 0
    for name, (suffix, text) in shapes(size).items():
        data = text.encode("utf-8")[:MAX_FILE_BYTES]
        started = time.perf_counter()
        try:
            outcome = f"{len(read_bytes(data, name='long' + suffix, suffix=suffix).items)} items"
        except ReadError as exc:
            outcome = f"refused: {exc.problem[:60]}"
        seconds = time.perf_counter() - started
        slow += seconds > args.limit
        print(f"{name:<32} {len(data) / 1e6:>6.1f} {seconds:>8.2f}  {outcome}")
    print(f"{slow} of {len(shapes(0))} over {args.limit:.0f} s")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
