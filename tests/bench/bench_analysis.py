"""Analysis throughput on real-length articles: themes and claims per second, topics apart, memory.

    python tests/bench/bench_analysis.py [--items 20000] [--generated]

By default the items cycle the real labelled articles of ../shared/corpus (about 1,650 characters
each; read at run time); ``--generated`` uses short generated snippets from the templates below
instead. The items are loaded into an in-memory store, then, in this order:

  1. the shipped model is loaded (start-up, reported, not counted),
  2. themes + claims for every item, written to the store batch by batch (the `analyze` path,
     in as many processes as `flankwatch analyze` would use; one-process rates on a sample too),
  3. topics: the topic model is fitted on first use, then new items are assigned (reported apart),

and the process's peak resident memory. Target: at least 2,000 items/s for step 2 on the 2-core
reference machine.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))

import pandas as pd  # noqa: E402
import psutil  # noqa: E402

TARGET_ITEMS_PER_SECOND = 2000

COUNTRIES = ["Lithuania", "Latvia", "Estonia", "Poland", "Finland", "Germany", "Sweden", "Denmark"]
CITIES = ["Vilnius", "Riga", "Tallinn", "Kaunas", "Klaipėda", "Daugavpils", "Tartu", "Narva", "Šiauliai", "Rukla"]
PEOPLE = ["the defence minister", "the prime minister", "the president", "the army commander",
          "the interior minister", "the finance minister", "a government spokesperson", "the foreign minister"]
AIRCRAFT = ["Su-27", "Su-30", "Il-20", "An-26", "Tu-22M3", "MiG-31"]
JETS = ["Eurofighters", "F-16s", "Gripens", "Rafales", "F-35s"]

SENTENCES = {
    "deterrence": [
        "About {n} allied troops arrived in {city} for the NATO battlegroup rotation.",
        "{country} will host a German brigade of {n} soldiers by {year}, {person} said.",
        "The exercise brought together {n} soldiers from {k} allied countries near {city}.",
        "{country} reintroduced conscription and plans to call up {n} young men next year.",
        "Allies agreed to strengthen deterrence and collective defence on the eastern flank.",
    ],
    "spending": [
        "{country} will raise defence spending to {pct} percent of GDP by {year}, {person} said.",
        "The {year} budget allocates {bn} billion euros to defence, about {pct}% of GDP.",
        "{country} spent {pct} percent of its GDP on defence last year, NATO figures show.",
        "The government plans to buy {n} howitzers and {k} air defence launchers.",
    ],
    "air_defence": [
        "NATO fighter jets were scrambled {k} times last week to escort Russian {aircraft} aircraft.",
        "{jets} of the Baltic air policing mission took off from {city}.",
        "A drone entered {country}'s airspace and crashed near {city}, the army said.",
        "{country} signed a contract for {k} NASAMS batteries worth {bn} billion euros.",
    ],
    "migration": [
        "Border guards turned back {n} migrants who tried to cross from Belarus overnight.",
        "{country} completed {n} kilometres of the border fence, {person} said.",
        "{n} asylum seekers are housed in a camp near {city} after irregular crossings.",
        "Police detained {k} people smugglers near the border on {day}.",
    ],
    "belarus": [
        "The Lukashenko regime released {k} political prisoners ahead of talks.",
        "Sviatlana Tsikhanouskaya met ministers in {city} to discuss sanctions on Belarus.",
        "Belarus's authorities accused {country} of provocations on the border.",
        "Russian troops stationed in Belarus held drills near Grodno.",
    ],
    "other_security": [
        "A cyber attack took down government websites in {country} for {k} hours.",
        "The undersea cable between {country} and Finland was damaged, the grid operator said.",
        "Russian warships were spotted near Kaliningrad during the Zapad exercise.",
        "{country} will send {n} rounds of ammunition to Ukraine as part of a new aid package.",
        "The LNG terminal in Klaipėda supplied {pct} percent of the region's gas.",
    ],
    "off_topic": [
        "The national basketball team beat Latvia {n} to {k} in {city}.",
        "Inflation slowed to {pct} percent in {month}, the statistics office said.",
        "The budget deficit is expected at {pct}% of GDP and public debt at {n}% of GDP.",
        "A new tram line opened in {city} on {day}, carrying {n} passengers on its first day.",
        "Bars and restaurants in {city} may stay open until midnight from Monday.",
        "The song festival in {city} drew {n} singers and dancers.",
        "Labour migrants now make up {pct} percent of truck drivers, employers said.",
        "Coronavirus cases rose to {n} on {day}, health officials said.",
        "{country} is a member of NATO and the euro area, which keeps investors confident.",
        "Farmers in {country} expect a record grain harvest of {n} thousand tonnes.",
    ],
}
TOPIC_WEIGHTS = {"deterrence": 3, "spending": 2, "air_defence": 2, "migration": 2, "belarus": 2,
                 "other_security": 2, "off_topic": 5}
MONTHS = ["January", "March", "May", "July", "September", "November"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        n=rng.randint(20, 5000), k=rng.randint(2, 12), year=rng.randint(2024, 2032),
        pct=round(rng.uniform(0.8, 5.0), 1), bn=round(rng.uniform(0.3, 4.0), 2), country=rng.choice(COUNTRIES),
        city=rng.choice(CITIES), person=rng.choice(PEOPLE), aircraft=rng.choice(AIRCRAFT), jets=rng.choice(JETS),
        day=rng.choice(DAYS), month=rng.choice(MONTHS),
    )


def generate_items(n: int, *, seed: int) -> pd.DataFrame:
    """Items in the store's layout: 90% articles (a main topic, a second one, off-topic filler)."""
    rng = random.Random(seed)
    topics = list(TOPIC_WEIGHTS)
    weights = list(TOPIC_WEIGHTS.values())
    now = datetime.now(timezone.utc)
    rows = []
    for i in range(n):
        main, second = rng.choices(topics, weights=weights, k=2)
        title = _fill(rng.choice(SENTENCES[main]), rng).rstrip(".")
        published = date(rng.randint(2014, 2025), rng.randint(1, 12), rng.randint(1, 28))
        if i % 10 == 9:
            kind, text = "headline", title
        else:
            kind = "article"
            count = rng.randint(3, 12)
            sentences = [_fill(rng.choice(SENTENCES[main if j < count // 2 else rng.choice((second, "off_topic"))]), rng)
                         for j in range(count)]
            text = " ".join(sentences) if rng.random() < 0.5 else "\n\n".join(sentences)
        rows.append({
            "id": f"bench-{i:06d}", "kind": kind, "title": title, "text": text, "published_at": None,
            "published_date": published, "published_approximate": False, "outlet": "Bench Wire", "byline": None,
            "dateline": None, "section": None, "tags": [], "url": f"https://bench.example.org/{i}",
            "parent_id": None, "source_path": "bench", "simhash": None, "duplicate_of": None, "run_id": 1,
            "ingested_at": now,
        })
    return pd.DataFrame(rows)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def corpus_items(n: int, *, files: list[Path]) -> pd.DataFrame:
    """``n`` store rows cycling the real labelled articles (read at run time, never stored in the project)."""
    import json

    records = [json.loads(line) for path in files for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = []
    now = datetime.now(timezone.utc)
    for i in range(n):
        r = records[i % len(records)]
        published = date.fromisoformat(r["published"][:10]) if r.get("published") else None
        rows.append({"id": f"c{i:08d}", "kind": "article", "title": r.get("title") or "", "text": r["text"],
                     "published_at": None, "published_date": published, "published_approximate": False,
                     "outlet": r.get("source"), "tags": [], "run_id": 1, "ingested_at": now})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--generated", action="store_true",
                        help="generated snippets instead of the real labelled articles of ../shared/corpus")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: as `flankwatch analyze`)")
    parser.add_argument("--target", type=float, default=TARGET_ITEMS_PER_SECOND, help="items/s to meet")
    args = parser.parse_args(argv)

    from analysis import pipeline
    from analysis.claims import extract_item_claims
    from analysis.paths import training_files
    from analysis.store import Store
    from analysis.themes import load_taxonomy
    from analysis.topics import update_topics

    started = time.perf_counter()
    files = training_files()
    if args.generated or not files:
        if not args.generated:
            print("no labelled corpus found (../shared/corpus or $FLANKWATCH_TRAINING): using generated snippets")
        items = generate_items(args.items, seed=args.seed)
        what = "generated snippets"
    else:
        items = corpus_items(args.items, files=files)
        what = f"real articles cycled from {', '.join(p.name for p in files)}"
    chars = int(items["text"].str.len().sum() + items["title"].str.len().sum())
    print(f"{len(items):,} items: {what} ({(items['kind'] == 'headline').sum():,} headlines, "
          f"{chars / len(items):,.0f} characters per item on average) in {time.perf_counter() - started:.1f}s")

    store = Store.open(":memory:")
    store.write_ingest_batch(items, pd.DataFrame())
    taxonomy = load_taxonomy()
    rss_before = peak_rss_mb()

    t0 = time.perf_counter()
    bundle = pipeline.load_model(taxonomy=taxonomy)
    load_seconds = time.perf_counter() - t0

    todo = store.items_to_analyse()
    sample = todo.head(min(len(todo), 2000))
    documents = [pipeline._item_document(k, ti, te) for k, ti, te in zip(sample["kind"], sample["title"], sample["text"])]
    a = time.perf_counter()
    bundle.themes.predict(documents)
    b = time.perf_counter()
    for kind, title, text, d, at in zip(sample["kind"], sample["title"], sample["text"], sample["published_date"],
                                        sample["published_at"]):
        extract_item_claims(title=title if kind == "article" else None, text=text,
                            published=pipeline._published(d, at), spending_model=bundle.spending)
    c = time.perf_counter()
    theme_rate, claim_rate = len(sample) / (b - a), len(sample) / (c - b)

    workers = args.workers or (min(os.cpu_count() or 1, 4) if len(todo) >= pipeline.PARALLEL_FROM else 1)
    t1 = time.perf_counter()
    assigned = claims_found = 0
    worker_peak = 0.0
    me = psutil.Process()
    first_batch_at = None
    after_first = 0
    for _, ids, themes, claims_df in pipeline._analysed_batches(bundle, todo, workers=workers):
        if first_batch_at is None:
            first_batch_at = time.perf_counter()  # the workers are up: steady state from here
        else:
            after_first += len(ids)
        store.write_analysis(ids, themes, claims_df, model_version=bundle.version)
        for child in me.children(recursive=True):  # sampled once per batch
            try:
                worker_peak = max(worker_peak, child.memory_info().rss / 2**20)
            except psutil.Error:
                pass
        assigned += int(themes["assigned"].sum())
        claims_found += len(claims_df)
    analyse_seconds = time.perf_counter() - t1
    rss_analysis = peak_rss_mb()

    t2 = time.perf_counter()
    topics_note = update_topics(store, store.all_items_for_topics(), taxonomy=taxonomy, refit=False)
    topic_seconds = time.perf_counter() - t2

    n = len(items)
    steady = after_first / (t1 + analyse_seconds - first_batch_at) if after_first else n / analyse_seconds
    rate = steady
    print(f"model load ({bundle.version}, start-up, not counted):  {load_seconds:7.2f}s")
    print(f"themes + claims + store writes, {n:,} items:     {analyse_seconds:7.1f}s  = {n / analyse_seconds:,.0f} items/s "
          f"with start-up; {steady:,.0f} items/s once the first batch is back (target >= {args.target:,.0f}, "
          "start-up excluded)")
    print(f"  in {workers} process(es); one process alone on {len(sample):,} items: "
          f"themes {theme_rate:,.0f}/s, claims {claim_rate:,.0f}/s")
    print(f"  {assigned:,} theme assignments, {claims_found:,} claims")
    print(f"topics (fit on first use, reported separately): {topic_seconds:7.1f}s: {topics_note}")
    print(f"peak RSS of this process: {rss_before:,.0f} MB after loading the items, "
          f"{rss_analysis:,.0f} MB after analysis, {peak_rss_mb():,.0f} MB after topics; each worker "
          f"process up to {worker_peak:,.0f} MB (sampled per batch)")
    store.close()
    return 0 if rate >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
