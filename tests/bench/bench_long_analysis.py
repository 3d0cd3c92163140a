"""Analysis time of one long item per hostile shape: it must grow linearly with the text.

    python tests/bench/bench_long_analysis.py [--chars 400000] [--limit 30]

Each shape repeats one phrase into a single item (most into one "sentence"): the worst case of a
step that once scanned a list per match (subordinate clauses in the theme lexicon, the subject
countries before a figure, every year of a sentence per figure). Each item is analysed (themes
and claims, as `analyze` does) at half and at full length; a step that is quadratic shows as a
ratio near 4 instead of 2. Exits 1 when a ratio is over --max-ratio or an item takes longer than
--limit seconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

SHAPES = {
    "dated list items in one sentence": "in {year} – PLN 61 billion (2.7% of GDP), ",
    "sums and clauses in one sentence": "EUR 5 million and USD 7 billion for defence, ",
    "countries and a share, one sentence": "Estonia, Latvia, Lithuania, Poland and Finland spend 3% of GDP on defence, ",
    "quotes with a speaker": '"We will spend 3% of GDP on defence," said the minister, ',
    "relative years": "next year and this year and last year defence budget 2% of GDP, ",
    "many short sentences": "Latvia will spend 3% of GDP on defence by 2027, the minister said. ",
    "deployments in one sentence": "Germany will deploy 5,000 troops and 40 tanks to Lithuania by 2027, ",
    "migration counts in one sentence": "Border guards turned back 312 migrants at the Belarus border on Tuesday, ",
}


def item_text(phrase: str, chars: int) -> str:
    parts, size, year = [], 0, 1950
    while size < chars:
        part = phrase.format(year=year)
        parts.append(part)
        size += len(part)
        year = 1950 + (year - 1949) % 150
    return "".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chars", type=int, default=400_000, help="length of the full item (400,000)")
    parser.add_argument("--limit", type=float, default=30.0, help="seconds allowed per item")
    parser.add_argument("--max-ratio", type=float, default=3.0, help="full / half time allowed (linear: 2)")
    args = parser.parse_args()

    from analysis.pipeline import analyse_documents, load_model
    from analysis.themes import load_taxonomy

    bundle = load_model(taxonomy=load_taxonomy())
    analyse_documents(bundle, ["article"], ["Warm-up"], ["Latvia spends 3% of GDP on defence."], [None])
    print(f"{'shape':<38} {'half':>7} {'full':>7} {'ratio':>6}  ({args.chars // 2:,} / {args.chars:,} characters)")
    failed = 0
    for name, phrase in SHAPES.items():
        times = []
        for chars in (args.chars // 2, args.chars):
            text = item_text(phrase, chars)
            started = time.perf_counter()
            analyse_documents(bundle, ["article"], ["A title"], [text], [None])
            times.append(time.perf_counter() - started)
        ratio = times[1] / max(times[0], 1e-9)
        bad = ratio > args.max_ratio or times[1] > args.limit
        failed += bad
        print(f"{name:<38} {times[0]:>6.2f}s {times[1]:>6.2f}s {ratio:>6.1f}{'  SLOW' if bad else ''}")
    print(f"{failed} of {len(SHAPES)} shapes over a ratio of {args.max_ratio} or {args.limit:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
