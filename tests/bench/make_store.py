"""Generate a realistic synthetic Flankwatch store of N items, fast enough for a million.

Everything is generated inside DuckDB from ``range(n)`` with hash-based pseudo-random numbers,
so the same (n, seed) always gives the same store and a million items take seconds, not
minutes. The store has what the dashboard draws: articles and related headlines (with
``parent_id``), near-duplicates (``duplicate_of``), theme scores with driving sentences, claims of
all three types (and one scripted revision story: Lithuania's 2 % -> 2.5 % by 2030 -> 5-6 % for
2026-2030), discovered topics with 2-D positions, bursts of coverage that make spikes, and a
handful of hostile titles (HTML, Markdown, spreadsheet formulas) the dashboard must show as text.

    python tests/bench/make_store.py --items 1000000 --db .bench/store-1m.duckdb
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from analysis.store import Store  # noqa: E402

FIRST_DAY = date(2018, 1, 1)
LAST_DAY = date(2025, 6, 30)

OUTLETS = (
    "LRT", "ERR News", "LSM", "The Baltic Times", "Delfi", "BNS", "Notes from Poland", "Yle News",
)
PLACES = (
    "Vilnius", "Riga", "Tallinn", "Warsaw", "Helsinki", "Rukla", "Adazi", "Tapa", "Suwalki",
    "Narva", "Daugavpils", "Klaipeda",
)
ACTORS = ("Lithuania", "Latvia", "Estonia", "Poland", "Finland", "NATO", "Germany", "Sweden")
NATIONS = ("Germany", "United States", "United Kingdom", "Canada", "Netherlands", "France", "Norway")
SPEAKERS = (
    "the defence minister", "the president", "the prime minister", "the chief of defence",
    "the finance minister", None,
)
SUBJECTS = (
    "Lithuania", "Latvia", "Estonia", "Poland", "NATO allies", "The defence ministry", "Border guards",
    "The government", "The Baltic states", "Finland", "The army", "Parliament",
)
VERBS = (
    "boosts", "plans", "discusses", "warns about", "approves", "reviews", "steps up", "questions",
    "prepares", "announces",
)
OBJECTS = (
    "air defence near the border", "brigade deployment", "defence budget for next year",
    "irregular crossings from Belarus", "new radar sites", "joint exercises", "cyber resilience",
    "energy links with the Nordics", "support package for Ukraine", "drone incursions",
    "conscription reform", "border fence works", "Russian military activity in Kaliningrad",
    "sanctions on Minsk",
)
# One theme per object above, by position in the taxonomy's keys (modulo their count).
OBJECT_THEME = (1, 0, 4, 2, 1, 0, 8, 7, 6, 1, 0, 2, 5, 3)

HOSTILE_TITLES = (
    "<script>alert('flank')</script> Minister visits Tapa",
    "[Click here](javascript:alert(1)) to read the **full** budget",
    "=HYPERLINK(\"http://example.invalid\",\"budget\") debate in Seimas",
    "-2 % growth? @analysts disagree on +0.5 % defence rise",
)


def _uniform(expr: str, salt: int) -> str:
    """SQL for a deterministic uniform number in [0, 1) from an integer expression."""
    return f"((hash({expr} * 7919 + {salt}) % 1000003) / 1000003.0)"


def _list_literal(values: Sequence[str | None]) -> str:
    def quote(value: str | None) -> str:
        return "NULL" if value is None else "'" + value.replace("'", "''") + "'"
    return "[" + ", ".join(quote(v) for v in values) + "]"


def _pick(values: Sequence[str | None], expr: str, salt: int) -> str:
    return f"{_list_literal(values)}[1 + CAST(floor({_uniform(expr, salt)} * {len(values)}) AS INTEGER)]"


def build_store(path: str | Path, *, n_items: int, seed: int = 1, theme_keys: Sequence[str] | None = None) -> Path:
    """Write a fresh synthetic store of ``n_items`` items to ``path`` (replacing any file there)."""
    if n_items < 100:
        raise ValueError(f"n_items must be at least 100 (got {n_items}); smaller stores have no story")
    if theme_keys is None:
        from analysis.themes import load_taxonomy

        theme_keys = load_taxonomy().keys
    keys = tuple(theme_keys)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    with Store.open(path) as store:
        con = store.connection
        con.execute("SET preserve_insertion_order = false")
        _items(con, n_items, seed)
        _hostile_and_scripted_items(con, seed)
        _themes(con, seed, keys)
        _claims(con, seed)
        _topics(con, seed, keys)
        con.execute("INSERT INTO analysed (item_id, analysed_at) SELECT id, now() FROM items")
        con.execute("CHECKPOINT")
    return path


def _items(con, n: int, seed: int) -> None:
    span = (LAST_DAY - FIRST_DAY).days
    u = lambda salt: _uniform("i", seed * 1000 + salt)  # noqa: E731
    # Coverage grows towards the present (u ** 0.6), and one item in twenty lands in one of
    # 40 "event weeks", which is what makes spikes for the trend page to find.
    day_offset = (
        f"CASE WHEN {u(1)} < 0.05 THEN (CAST(floor({u(2)} * 40) AS INTEGER) * 67 + 30) % {span} "
        f"+ CAST(floor({u(3)} * 6) AS INTEGER) "
        f"ELSE CAST(floor(pow({u(4)}, 0.6) * {span}) AS INTEGER) END"
    )
    object_index = f"CAST(floor({u(5)} * {len(OBJECTS)}) AS INTEGER)"
    con.execute(f"""
    CREATE TEMP TABLE gen AS
    SELECT i,
        substr(md5('{seed}:' || i), 1, 16) AS id,
        CASE WHEN {u(6)} < 0.2 AND i % 10 <> 0 THEN 'headline' ELSE 'article' END AS kind,
        least(DATE '{FIRST_DAY}' + CAST({day_offset} AS INTEGER), DATE '{LAST_DAY}') AS published_date,
        {object_index} AS object_index,
        {_pick(SUBJECTS, 'i', seed * 1000 + 7)} AS subject,
        {_pick(VERBS, 'i', seed * 1000 + 8)} AS verb,
        {_pick(PLACES, 'i', seed * 1000 + 9)} AS place,
        {_pick(OUTLETS, 'i', seed * 1000 + 10)} AS outlet,
        {u(11)} AS r_time, {u(12)} AS r_dup
    FROM range({n}) t(i)
    """)
    objects = _list_literal(OBJECTS)
    con.execute(f"""
    INSERT INTO items BY NAME
    SELECT g.id AS id, g.kind AS kind,
        g.subject || ' ' || g.verb || ' ' || {objects}[g.object_index + 1] AS title,
        CASE WHEN g.kind = 'headline' THEN '' ELSE
            upper(g.place) || ' - ' || g.subject || ' ' || g.verb || ' ' || {objects}[g.object_index + 1]
            || ', officials said on ' || strftime(g.published_date, '%A') || '. '
            || 'The talks in ' || g.place || ' also covered the timetable, the costs and the allies involved. '
            || 'Analysts expect a decision before the end of the year, according to people briefed on the plans. '
            || 'Further details were not disclosed.' END AS text,
        CASE WHEN g.r_time < 0.7 THEN CAST(g.published_date AS TIMESTAMP) + to_seconds(CAST(floor(g.r_time * 86400 / 0.7) AS BIGINT)) END AS published_at,
        g.published_date,
        false AS published_approximate,
        g.outlet AS outlet, 'Staff' AS byline, upper(g.place) AS dateline, 'News' AS section, ['News'] AS tags,
        'https://news.example/' || g.id AS url,
        -- a headline belongs to the page of the first item of its block of ten (always an article)
        CASE WHEN g.kind = 'headline' THEN substr(md5('{seed}:' || (g.i - (g.i % 10))), 1, 16) END AS parent_id,
        'synthetic/' || g.outlet || '.txt' AS source_path,
        hash(g.id) AS simhash,
        CASE WHEN g.kind = 'article' AND g.i % 33 = 5 THEN substr(md5('{seed}:' || (g.i - 1)), 1, 16) END AS duplicate_of,
        1 AS run_id, now() AS ingested_at
    FROM gen g
    """)


def _hostile_and_scripted_items(con, seed: int) -> None:
    """Titles that must render as text, and the pages of the scripted Lithuania revision story."""
    rows = [
        (f"hostile-{n}", "article", title, f"{title}. The body repeats the title on purpose.",
         date(2025, 6, 20 + n), "The Baltic Times")
        for n, title in enumerate(HOSTILE_TITLES)
    ]
    rows += [
        ("lt-2018", "article", "Lithuania keeps defence spending at 2 % of GDP",
         "VILNIUS - Lithuania will keep defence spending at 2 % of GDP, the defence minister said.",
         date(2018, 2, 15), "LRT"),
        ("lt-2021", "headline", "Lithuania to raise defence spending to 2.5 percent by 2030 - president",
         "", date(2021, 6, 14), "LRT"),
        ("lt-2025", "article", "Lithuania plans 5-6 % of GDP for defence in 2026-2030",
         "VILNIUS - Lithuania will spend 5-6 % of GDP on defence in 2026-2030, the president said after the council met.",
         date(2025, 1, 10), "LRT"),
    ]
    for item_id, kind, title, text, day, outlet in rows:
        con.execute(
            """INSERT INTO items (id, kind, title, text, published_at, published_date, published_approximate,
                   outlet, url, parent_id, duplicate_of, run_id, ingested_at)
               VALUES (?, ?, ?, ?, NULL, ?, false, ?, ?, NULL, NULL, 1, now())""",
            [item_id, kind, title, text, day, outlet, f"https://news.example/{item_id}"],
        )


def _themes(con, seed: int, keys: Sequence[str]) -> None:
    k = len(keys)
    key_list = _list_literal(keys)
    object_theme = "[" + ", ".join(str(t % k) for t in OBJECT_THEME) + "]"
    # Like the real pipeline, every item gets a score for every theme. The object's theme is
    # assigned; a second theme is assigned half the time; the rest score low. The sentences
    # that drove an assigned theme are the item's opening sentences.
    con.execute(f"""
    INSERT INTO item_themes BY NAME
    WITH base AS (
        SELECT i.id, coalesce(g.object_index, 0) AS object_index, coalesce(g.i, 0) AS n, i.title, i.text
        FROM items i LEFT JOIN gen g ON g.id = i.id WHERE i.duplicate_of IS NULL
    ),
    picks AS (
        SELECT id, n, title, text,
            {object_theme}[object_index + 1] AS first_theme,
            ({object_theme}[object_index + 1] + 1 + CAST(floor({_uniform('n', seed * 1000 + 20)} * {k - 1}) AS INTEGER)) % {k} AS second_theme,
            {_uniform('n', seed * 1000 + 22)} AS r1, {_uniform('n', seed * 1000 + 23)} AS r2
        FROM base
    ),
    scored AS (
        SELECT p.*, t.theme_index,
            CASE WHEN t.theme_index = first_theme THEN 0.55 + 0.4 * r1
                 WHEN t.theme_index = second_theme THEN 0.2 + 0.5 * r2
                 ELSE 0.02 + 0.1 * {_uniform('n * 16 + t.theme_index', seed * 1000 + 24)} END AS score,
            t.theme_index = first_theme OR (t.theme_index = second_theme AND r2 > 0.5) AS assigned
        FROM picks p CROSS JOIN range({k}) t(theme_index)
    )
    SELECT id AS item_id, {key_list}[theme_index + 1] AS theme, score, assigned,
           CASE WHEN assigned THEN ['term'] ELSE []::VARCHAR[] END AS terms,
           CASE WHEN NOT assigned THEN []::VARCHAR[]
                WHEN text = '' THEN [title]
                ELSE [split_part(text, '. ', CASE WHEN theme_index = first_theme THEN 1 ELSE 2 END) || '.'] END AS sentences
    FROM scored
    """)


def _claims(con, seed: int) -> None:
    u = lambda salt: _uniform("g.i", seed * 1000 + salt)  # noqa: E731
    actors, nations, places, speakers = (_list_literal(v) for v in (ACTORS, NATIONS, PLACES, SPEAKERS))
    # Two articles in a hundred carry a claim: a sentence stating it is put after the article's
    # first sentence, and the claim's offsets point at that sentence.
    con.execute(f"""
    CREATE TEMP TABLE claim_gen AS
    WITH chosen AS (
        SELECT g.i, i.id, i.text, i.published_date,
            {u(30)} AS r_type, {u(31)} AS r_value, {u(32)} AS r_range, {u(33)} AS r_year
        FROM gen g JOIN items i ON i.id = g.id
        WHERE i.kind = 'article' AND i.duplicate_of IS NULL AND {u(34)} < 0.02
    ),
    typed AS (
        SELECT *,
            CASE WHEN r_type < 0.6 THEN 'spending' WHEN r_type < 0.85 THEN 'deployment' ELSE 'migration' END AS type,
            {actors}[1 + CAST(floor(r_value * {len(ACTORS)}) AS INTEGER)] AS country,
            {nations}[1 + CAST(floor(r_range * {len(NATIONS)}) AS INTEGER)] AS nation,
            {places}[1 + CAST(floor(r_year * {len(PLACES)}) AS INTEGER)] AS place,
            {speakers}[1 + CAST(floor(r_year * {len(SPEAKERS)}) AS INTEGER)] AS speaker,
            round(1.5 + 4.5 * r_value * r_year, 1) AS pct,
            r_range < 0.15 AS is_range,
            year(published_date) + 1 + CAST(floor(r_year * 8) AS INTEGER) AS target_year,
            100 * (1 + CAST(floor(r_value * 50) AS INTEGER)) AS troops,
            10 * (1 + CAST(floor(r_range * 300) AS INTEGER)) AS people,
            instr(text, '. ') + 1 AS start_offset
        FROM chosen
    ),
    sentences AS (
        SELECT *, CASE type
            WHEN 'spending' THEN country || ' will spend ' || pct || CASE WHEN is_range THEN '-' || (pct + 1) ELSE '' END
                 || ' % of GDP on defence ' || CASE WHEN is_range THEN 'in ' || target_year || '-' || (target_year + 4)
                 ELSE 'by ' || target_year END || coalesce(', ' || speaker || ' said', '') || '.'
            WHEN 'deployment' THEN nation || ' will station ' || troops || ' troops in ' || place || '.'
            ELSE 'Border guards stopped ' || people || ' people trying to cross near ' || place || ' in one day.'
            END AS evidence
        FROM typed
    )
    SELECT * FROM sentences
    """)
    con.execute("""
    UPDATE items SET text = substr(items.text, 1, c.start_offset) || c.evidence || ' ' || substr(items.text, c.start_offset + 1)
    FROM claim_gen c WHERE items.id = c.id
    """)
    con.execute("""
    INSERT INTO claims BY NAME
    SELECT 'c-' || id AS claim_id, id AS item_id, type,
        CASE type WHEN 'deployment' THEN nation ELSE country END AS actor,
        CASE WHEN type = 'spending' THEN CASE WHEN r_year < 0.7 THEN 'target' ELSE 'actual' END END AS kind,
        CASE type WHEN 'spending' THEN pct WHEN 'deployment' THEN troops ELSE people END AS value,
        CASE WHEN type = 'spending' AND is_range THEN pct + 1 END AS value_high,
        CASE type WHEN 'spending' THEN 'pct_gdp' WHEN 'deployment' THEN 'troops' ELSE 'people' END AS unit,
        CASE WHEN type = 'spending' THEN target_year END AS year,
        CASE WHEN type = 'spending' AND is_range THEN target_year + 4 END AS year_high,
        false AS year_relative,
        CASE WHEN type = 'spending' THEN speaker END AS speaker,
        evidence, start_offset, start_offset + length(evidence) AS end_offset,
        CASE type WHEN 'deployment' THEN json_object('nation', nation, 'size', troops, 'place', place)
                  WHEN 'migration' THEN json_object('count', people, 'counted', 'prevented crossings',
                                                    'period', 'day', 'place', place)
                  ELSE json_object() END AS details
    FROM claim_gen
    """)
    scripted = [
        ("claim-lt-2018", "lt-2018", 2.0, None, None, None, "the defence minister",
         "Lithuania will keep defence spending at 2 % of GDP", "actual"),
        ("claim-lt-2021", "lt-2021", 2.5, None, 2030, None, "the president",
         "Lithuania to raise defence spending to 2.5 percent by 2030", "target"),
        ("claim-lt-2025", "lt-2025", 5.0, 6.0, 2026, 2030, "the president",
         "Lithuania will spend 5-6 % of GDP on defence in 2026-2030", "target"),
    ]
    for claim_id, item_id, value, high, year, year_high, speaker, evidence, kind in scripted:
        (text,) = con.execute(
            "SELECT CASE WHEN text = '' THEN title ELSE text END FROM items WHERE id = ?", [item_id]
        ).fetchone()
        start = text.find(evidence)
        con.execute(
            "INSERT INTO claims (claim_id, item_id, type, actor, kind, value, value_high, unit, year, year_high, "
            "year_relative, speaker, evidence, start_offset, end_offset, details) "
            "VALUES (?, ?, 'spending', 'Lithuania', ?, ?, ?, 'pct_gdp', ?, ?, false, ?, ?, ?, ?, '{}')",
            [claim_id, item_id, kind, value, high, year, year_high, speaker, evidence, start, start + len(evidence)],
        )


def _topics(con, seed: int, keys: Sequence[str]) -> None:
    n_topics = 24
    words = ("border", "brigade", "drone", "budget", "radar", "fence", "exercise", "sanctions",
             "pipeline", "cyber", "conscripts", "airspace", "summit", "Kaliningrad", "Minsk", "Ukraine")
    rows = []
    for t in range(n_topics):
        terms = [words[(t * 3 + j) % len(words)] for j in range(5)]
        rows.append((t, ", ".join(terms[:3]), terms, keys[t % len(keys)], 0.3 + (t % 5) / 10, t % 7 == 0,))
    con.execute("CREATE TEMP TABLE topic_seed (topic_id INTEGER, label VARCHAR, top_terms VARCHAR[], "
                "nearest_theme VARCHAR, theme_similarity DOUBLE, emerging BOOLEAN)")
    con.executemany("INSERT INTO topic_seed VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.execute(f"""
    INSERT INTO item_topics (item_id, topic_id)
    SELECT i.id, CAST(floor({_uniform('hash(i.id) % 100000007', seed * 1000 + 40)} * {n_topics}) AS INTEGER) AS topic_id
    FROM items i WHERE i.duplicate_of IS NULL
    """)
    # Each topic sits on a ring; its items scatter around the centre (a sum of uniforms).
    con.execute(f"""
    UPDATE item_topics SET
        x = 10 * cos(topic_id * 2 * pi() / {n_topics}) + 3 * ({_uniform('hash(item_id) % 100000007', 41)} + {_uniform('hash(item_id) % 100000007', 42)} - 1),
        y = 10 * sin(topic_id * 2 * pi() / {n_topics}) + 3 * ({_uniform('hash(item_id) % 100000007', 43)} + {_uniform('hash(item_id) % 100000007', 44)} - 1)
    """)
    con.execute("""
    INSERT INTO topics BY NAME
    SELECT s.topic_id, s.label, s.top_terms, []::VARCHAR[] AS representative_ids, s.nearest_theme,
           s.theme_similarity, s.emerging, count(it.item_id) AS size, now() AS fitted_at
    FROM topic_seed s LEFT JOIN item_topics it USING (topic_id) GROUP BY ALL
    """)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", type=Path, default=PROJECT_DIR / ".bench" / "store-1m.duckdb")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    build_store(args.db, n_items=args.items, seed=args.seed)
    with Store.open(args.db, read_only=True) as store:
        counts = {table: store.connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in ("items", "item_themes", "claims", "topics", "item_topics")}
    print(f"wrote {args.db} in {time.perf_counter() - started:.1f} s: "
          + ", ".join(f"{table} {count:,}" for table, count in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
