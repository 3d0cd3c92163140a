"""Read-only queries behind the dashboard: parameterised SQL, aggregated inside DuckDB.

Every public function takes a DuckDB connection (a cursor on the store's connection) and, where
it makes sense, a :class:`Filters` value; it returns a small tidy DataFrame. Counting, grouping,
zero-filling, rolling averages and spike scores all happen in SQL, so pandas only ever holds
what a chart draws or a table shows, even on a store of a million items.

Counting rules (the store notes): near-duplicates (``duplicate_of`` set) are never counted;
headline-only items count unless ``Filters.include_headlines`` is false; the date range applies
to ``published_date``, and an open range (``None``) also keeps undated items.

Speed: :func:`build_rollups` puts a compact copy of what the filters look at (one row per
counted item, its themes as a bit mask, its topic and map position) and per-day counts into an
in-memory database attached to the connection. Functions called with ``rollups=True`` read those
whenever they exist, and give the same answers as the plain tables (the tests compare both).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from types import MappingProxyType
from typing import Any, Literal

import duckdb
import pandas as pd
import pyarrow as pa

Freq = Literal["day", "week", "month", "quarter", "year"]
FREQS: tuple[Freq, ...] = ("day", "week", "month", "quarter", "year")
ClaimType = Literal["spending", "deployment", "migration"]
CLAIM_TYPES: tuple[ClaimType, ...] = ("spending", "deployment", "migration")
DimensionName = Literal["theme", "topic"]
SortKey = Literal["newest", "oldest", "claims", "title"]

ROLLUP_DB = "fw_rollups"
FACTS = f"{ROLLUP_DB}.facts"
MAX_MASK_THEMES = 63

_FREQ_INTERVAL: Mapping[str, str] = MappingProxyType({
    "day": "INTERVAL 1 DAY", "week": "INTERVAL 7 DAY", "month": "INTERVAL 1 MONTH",
    "quarter": "INTERVAL 3 MONTH", "year": "INTERVAL 1 YEAR",
})
# the mean length of each period in days: how many periods a span makes
FREQ_DAYS: Mapping[str, float] = MappingProxyType(
    {"day": 1.0, "week": 7.0, "month": 30.44, "quarter": 91.31, "year": 365.25})
AUTO_MAX_PERIODS = 60
AUTO_MIN_PERIODS = 4
AUTO_MIN_ITEMS_PER_PERIOD = 2.0


@dataclass(frozen=True, slots=True)
class Filters:
    """What the analyst narrowed the store to; the one value every query and cache key shares.

    ``actors`` narrows claims to those actors, and items to those carrying a claim by one of
    them. Empty tuples mean "no restriction". Frozen and hashable so it can key a cache.
    """

    start: date | None = None
    end: date | None = None
    themes: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    include_headlines: bool = True

    def __post_init__(self) -> None:
        for name in ("themes", "outlets", "actors"):
            value = getattr(self, name)
            if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
                raise TypeError(f"Filters.{name} must be a tuple of strings, got {value!r}")
        for name in ("start", "end"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, date):
                raise TypeError(f"Filters.{name} must be a datetime.date or None, got {value!r}")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError(f"Filters: start {self.start} is after end {self.end}")

    def without_themes(self) -> "Filters":
        return Filters(self.start, self.end, (), self.outlets, self.actors, self.include_headlines)

    def without_dates(self) -> "Filters":
        return Filters(None, None, self.themes, self.outlets, self.actors, self.include_headlines)

    def describe(self, *, theme_labels: Mapping[str, str] | None = None, span: str | None = None) -> str:
        """One line an exported chart carries, so it stands alone in a briefing.

        ``span`` replaces the date range part, for charts that choose their own periods.
        """
        labels = theme_labels or {}
        if span is None:
            if self.start is None and self.end is None:
                span = "all dates"
            else:
                span = f"{self.start or 'first item'} to {self.end or 'latest item'}"
        parts = [span]
        if self.themes:
            parts.append("themes: " + ", ".join(labels.get(t, t) for t in self.themes))
        if self.outlets:
            parts.append("sources: " + ", ".join(self.outlets))
        if self.actors:
            parts.append("actors: " + ", ".join(self.actors))
        parts.append("headlines counted" if self.include_headlines else "articles only")
        return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class Dimension:
    """A way of grouping items over time: the join that gives each item its key (``{item}`` is
    the items alias), the key, the label, and how the items behind a spike are ranked."""

    name: DimensionName
    join: str
    key: str
    label: str
    rank: str


DIMENSIONS: Mapping[str, Dimension] = MappingProxyType({
    "theme": Dimension(
        "theme", "JOIN item_themes d ON d.item_id = {item}.id AND d.assigned", "d.theme", "d.theme",
        "d.score DESC",
    ),
    "topic": Dimension(
        "topic",
        "JOIN item_topics d ON d.item_id = {item}.id LEFT JOIN topics tp ON tp.topic_id = d.topic_id",
        "CAST(d.topic_id AS VARCHAR)",
        "coalesce(any_value(tp.label), 'Topic ' || CAST(any_value(d.topic_id) AS VARCHAR))",
        "c.published_date",
    ),
})

_SORTS: Mapping[str, str] = MappingProxyType({
    "newest": "published_date DESC NULLS LAST, published_at DESC NULLS LAST, id",
    "oldest": "published_date ASC NULLS LAST, published_at ASC NULLS LAST, id",
    "claims": "claims DESC, published_date DESC NULLS LAST, id",
    "title": "lower(title), id",
})
SORTS: tuple[str, ...] = tuple(_SORTS)


@dataclass(frozen=True, slots=True)
class _Where:
    sql: str
    params: list[Any] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Source:
    """Where filtered items are looked up: the items table, or the in-memory facts."""

    table: str
    facts: bool
    cards: bool = False  # a lake's item cards (fw_rollups.cards): item lists read them, not the item tables


def _source(con: duckdb.DuckDBPyConnection, rollups: bool) -> _Source:
    if rollups and has_rollups(con):
        return _Source(FACTS, True, has_cards(con))
    return _Source("items", False)


def has_cards(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a lake's item cards are attached (analysis/lake/rollups.py writes them; a store has none)."""
    (found,) = con.execute(
        "SELECT count(*) FROM duckdb_views() WHERE database_name = ? AND view_name = 'cards'", [ROLLUP_DB]
    ).fetchone()
    return bool(found)


def item_where(filters: Filters, *, alias: str = "i", dated: bool = False, facts: bool = False) -> _Where:
    """The WHERE clause (and its parameters) that applies ``filters`` to items (or to the facts)."""
    conditions = [f"{alias}.duplicate_of IS NULL"]
    params: list[Any] = []
    if not filters.include_headlines:
        conditions.append(f"{alias}.kind = 'article'")
    if dated:
        conditions.append(f"{alias}.published_date IS NOT NULL")
    if filters.start is not None:
        conditions.append(f"{alias}.published_date >= ?")
        params.append(filters.start)
    if filters.end is not None:
        conditions.append(f"{alias}.published_date <= ?")
        params.append(filters.end)
    if filters.outlets:
        conditions.append(f"list_contains(?::VARCHAR[], {alias}.outlet)")
        params.append(list(filters.outlets))
    if filters.themes and facts:
        conditions.append(
            f"{alias}.theme_mask & (SELECT coalesce(bit_or(b.bit), CAST(0 AS UBIGINT)) FROM {ROLLUP_DB}.theme_bits b "
            "WHERE list_contains(?::VARCHAR[], b.theme)) <> 0"
        )
        params.append(list(filters.themes))
    elif filters.themes:
        conditions.append(
            f"{alias}.id IN (SELECT ft.item_id FROM item_themes ft "
            "WHERE ft.assigned AND list_contains(?::VARCHAR[], ft.theme))"
        )
        params.append(list(filters.themes))
    if filters.actors:
        conditions.append(
            f"{alias}.id IN (SELECT fc.item_id FROM claims fc WHERE list_contains(?::VARCHAR[], fc.actor))"
        )
        params.append(list(filters.actors))
    return _Where(" AND ".join(conditions), params)


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    return con.execute(sql, list(params)).df()


def _check_freq(freq: str) -> str:
    if freq not in _FREQ_INTERVAL:
        raise ValueError(f"freq must be one of {', '.join(FREQS)}, got {freq!r}")
    return freq


def _dimension(name: str) -> Dimension:
    try:
        return DIMENSIONS[name]
    except KeyError:
        raise ValueError(f"dimension must be one of {', '.join(DIMENSIONS)}, got {name!r}") from None


# -- rollups ------------------------------------------------------------------------------------


def build_rollups(con: duckdb.DuckDBPyConnection) -> bool:
    """(Re)build the facts and per-day counts in an in-memory database attached to ``con``.

    Filtering a million items by theme means a semi-join with several million theme rows, and
    counting them per theme per week a join; the facts (one row per counted item: day, kind,
    outlet, theme bit mask, topic, map position, claims) and the per-day rollups (day x kind x outlet x
    theme or topic) answer both in milliseconds. They live in memory, are visible to every
    cursor of the connection, and must be rebuilt after the store changes (the dashboard does
    so after an upload). Returns False, and builds nothing, when the store has more themes than
    a bit mask holds; the plain tables then answer everything.
    """
    con.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {ROLLUP_DB} (READ_WRITE)")
    # One transaction: a page reading on another cursor meanwhile sees the old rollups, never none.
    con.execute("BEGIN TRANSACTION")
    try:
        built = _build_rollups_in_transaction(con)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    return built


def _build_rollups_in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    for table in ("facts", "theme_bits", "day_total", "day_theme", "day_topic"):
        con.execute(f"DROP TABLE IF EXISTS {ROLLUP_DB}.{table}")
    (themes,) = con.execute("SELECT count(DISTINCT theme) FROM item_themes WHERE assigned").fetchone()
    if themes > MAX_MASK_THEMES:
        return False
    con.execute(f"""
    CREATE TABLE {ROLLUP_DB}.theme_bits AS
    SELECT theme, CAST(1 AS UBIGINT) << CAST(row_number() OVER (ORDER BY theme) - 1 AS UBIGINT) AS bit
    FROM (SELECT DISTINCT theme FROM item_themes WHERE assigned);

    CREATE TABLE {ROLLUP_DB}.facts AS {facts_select()};
    CREATE TABLE {ROLLUP_DB}.day_total AS {DAY_ROLLUPS["day_total"].format(where="true")};
    CREATE TABLE {ROLLUP_DB}.day_theme AS {DAY_ROLLUPS["day_theme"].format(where="true")};
    CREATE TABLE {ROLLUP_DB}.day_topic AS {DAY_ROLLUPS["day_topic"].format(where="true")};
    """)
    return True


def facts_select(where: str = "true") -> str:
    """The rollups' facts: one row per counted item (no near-duplicates), for items matching ``where`` (on i)."""
    return f"""
    WITH masks AS (
        SELECT t.item_id, bit_or(b.bit) AS theme_mask
        FROM item_themes t JOIN {ROLLUP_DB}.theme_bits b ON b.theme = t.theme
        WHERE t.assigned GROUP BY t.item_id
    ),
    places AS (
        SELECT item_id, min(topic_id) AS topic_id, arg_min(x, topic_id) AS x, arg_min(y, topic_id) AS y
        FROM item_topics GROUP BY item_id
    )
    SELECT i.id, i.kind, i.published_date, i.published_at, i.outlet, CAST(NULL AS VARCHAR) AS duplicate_of,
           coalesce(m.theme_mask, CAST(0 AS UBIGINT)) AS theme_mask, p.topic_id, p.x, p.y,
           coalesce(cl.claims, 0) AS claims
    FROM items i LEFT JOIN masks m ON m.item_id = i.id LEFT JOIN places p ON p.item_id = i.id
    LEFT JOIN (SELECT item_id, count(*) AS claims FROM claims GROUP BY item_id) cl ON cl.item_id = i.id
    WHERE i.duplicate_of IS NULL AND ({where})"""


# The per-day rollups, each a SELECT over the facts ``f`` restricted by ``{where}`` (on f).
DAY_ROLLUPS = {
    "day_total": f"""
    SELECT f.published_date AS day, f.kind, f.outlet, count(*) AS items FROM {FACTS} f
    WHERE f.published_date IS NOT NULL AND ({{where}}) GROUP BY ALL""",
    "day_theme": f"""
    SELECT f.published_date AS day, f.kind, f.outlet, b.theme AS key, b.theme AS label, count(*) AS items
    FROM {FACTS} f JOIN {ROLLUP_DB}.theme_bits b ON f.theme_mask & b.bit <> 0
    WHERE f.published_date IS NOT NULL AND ({{where}}) GROUP BY ALL""",
    "day_topic": f"""
    SELECT f.published_date AS day, f.kind, f.outlet, CAST(f.topic_id AS VARCHAR) AS key,
           coalesce(any_value(tp.label), 'Topic ' || CAST(f.topic_id AS VARCHAR)) AS label, count(*) AS items
    FROM {FACTS} f LEFT JOIN topics tp ON tp.topic_id = f.topic_id
    WHERE f.published_date IS NOT NULL AND f.topic_id IS NOT NULL AND ({{where}})
    GROUP BY f.published_date, f.kind, f.outlet, f.topic_id""",
}


def has_rollups(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the rollups exist: tables built in memory, or views over a lake's Parquet (analysis/lake/serve.py)."""
    (found,) = con.execute(
        "SELECT (SELECT count(*) FROM duckdb_tables() WHERE database_name = $1 AND table_name = 'day_topic')"
        " + (SELECT count(*) FROM duckdb_views() WHERE database_name = $1 AND view_name = 'day_topic')", [ROLLUP_DB]
    ).fetchone()
    return bool(found)


def _rollup_usable(filters: Filters, dimension: DimensionName) -> bool:
    """Per-day rollups answer every filter except actors, and the theme filter only for theme series."""
    return not filters.actors and (dimension == "theme" or not filters.themes)


def _rollup_where(filters: Filters, *, dimension: DimensionName | None) -> _Where:
    conditions = ["true"]
    params: list[Any] = []
    if not filters.include_headlines:
        conditions.append("kind = 'article'")
    if filters.start is not None:
        conditions.append("day >= ?")
        params.append(filters.start)
    if filters.end is not None:
        conditions.append("day <= ?")
        params.append(filters.end)
    if filters.outlets:
        conditions.append("list_contains(?::VARCHAR[], outlet)")
        params.append(list(filters.outlets))
    if dimension == "theme" and filters.themes:
        conditions.append("list_contains(?::VARCHAR[], key)")
        params.append(list(filters.themes))
    return _Where(" AND ".join(conditions), params)


def _daily_counts(
    con: duckdb.DuckDBPyConnection, filters: Filters, dim: Dimension, *, rollups: bool
) -> tuple[str, list[Any], str, list[Any]]:
    """SQL for (day, key, label, items) and for (day, total): from the rollups or the raw tables."""
    if rollups and _rollup_usable(filters, dim.name) and has_rollups(con):
        where = _rollup_where(filters, dimension=dim.name)
        total_where = _rollup_where(filters, dimension=None)
        counts = (f"SELECT day, key, any_value(label) AS label, sum(items) AS items "
                  f"FROM {ROLLUP_DB}.day_{dim.name} WHERE {where.sql} GROUP BY day, key")
        totals = f"SELECT day, sum(items) AS total FROM {ROLLUP_DB}.day_total WHERE {total_where.sql} GROUP BY day"
        return counts, where.params, totals, total_where.params
    key_sql, key_params = "", []
    if dim.name == "theme" and filters.themes:
        # theme series: only the chosen themes, not every theme their items also carry
        key_sql, key_params = " AND list_contains(?::VARCHAR[], d.theme)", [list(filters.themes)]
    if rollups and has_rollups(con):
        # the facts answer what the per-day rollups cannot (actors; topics within themes)
        where = item_where(filters, alias="i", dated=True, facts=True)
        total_where = item_where(filters.without_themes(), alias="i", dated=True, facts=True)
        if dim.name == "theme":
            join, key, label = f"JOIN {ROLLUP_DB}.theme_bits d ON i.theme_mask & d.bit <> 0", "d.theme", "d.theme"
        else:
            join = "LEFT JOIN topics tp ON tp.topic_id = i.topic_id"
            key = "CAST(i.topic_id AS VARCHAR)"
            label = "coalesce(any_value(tp.label), 'Topic ' || CAST(i.topic_id AS VARCHAR))"
            key_sql = " AND i.topic_id IS NOT NULL"
        counts = (f"SELECT i.published_date AS day, {key} AS key, {label} AS label, count(*) AS items "
                  f"FROM {FACTS} i {join} WHERE {where.sql}{key_sql} "
                  + ("GROUP BY ALL" if dim.name == "theme" else "GROUP BY i.published_date, i.topic_id"))
        totals = (f"SELECT i.published_date AS day, count(*) AS total FROM {FACTS} i "
                  f"WHERE {total_where.sql} GROUP BY ALL")
        return counts, [*where.params, *key_params], totals, total_where.params
    where = item_where(filters, alias="i", dated=True)
    total_where = item_where(filters.without_themes(), alias="i", dated=True)
    join = dim.join.format(item="i")
    counts = (f"SELECT i.published_date AS day, {dim.key} AS key, {dim.label} AS label, "
              f"count(DISTINCT i.id) AS items FROM items i {join} WHERE {where.sql}{key_sql} GROUP BY ALL")
    totals = (f"SELECT i.published_date AS day, count(*) AS total FROM items i "
              f"WHERE {total_where.sql} GROUP BY ALL")
    return counts, [*where.params, *key_params], totals, total_where.params


# -- the store at a glance ----------------------------------------------------------------------


def store_bounds(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """First and last published day and the item count of the whole store (no filters).

    The date widgets use these: "last 30 days" counts back from the newest item, not from today.
    """
    row = con.execute(
        "SELECT min(published_date), max(published_date), count(*) FROM items WHERE duplicate_of IS NULL"
    ).fetchone()
    return {"first": row[0], "last": row[1], "items": int(row[2])}


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """What the sidebar offers: themes, outlets and claim actors present, with how many items."""
    themes = _df(con, """
        SELECT theme AS value, count(*) AS items FROM item_themes
        WHERE assigned GROUP BY theme ORDER BY items DESC, value""")
    outlets = _df(con, """
        SELECT outlet AS value, count(*) AS items FROM items
        WHERE outlet IS NOT NULL AND duplicate_of IS NULL GROUP BY outlet ORDER BY items DESC, value""")
    actors = _df(con, """
        SELECT actor AS value, count(*) AS claims FROM claims
        WHERE actor IS NOT NULL GROUP BY actor ORDER BY claims DESC, value""")
    return {"themes": themes, "outlets": outlets, "actors": actors}


def summary(con: duckdb.DuckDBPyConnection, filters: Filters, *, rollups: bool = False) -> dict[str, Any]:
    """The Overview's headline figures for the filtered store."""
    source = _source(con, rollups)
    where = item_where(filters, facts=source.facts)
    # The facts count each item's claims; by actor, the claims themselves are read.
    counted = source.facts and not filters.actors
    row = con.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE kind = 'article'), count(*) FILTER (WHERE kind = 'headline'),
               count(DISTINCT outlet), min(published_date), max(published_date),
               count(*) FILTER (WHERE published_date IS NULL){", coalesce(sum(claims), 0)" if counted else ""}
        FROM {source.table} i WHERE {where.sql}""", where.params).fetchone()
    if counted:
        claims_count = row[7]
    else:
        claims_where = _claim_where(filters, facts=source.facts)
        (claims_count,) = con.execute(
            f"SELECT count(*) FROM claims c JOIN {source.table} i ON i.id = c.item_id WHERE {claims_where.sql}",
            claims_where.params,
        ).fetchone()
    return {
        "items": int(row[0]), "articles": int(row[1]), "headlines": int(row[2]), "sources": int(row[3]),
        "first": row[4], "last": row[5], "undated": int(row[6]), "claims": int(claims_count),
    }


# -- volume over time ---------------------------------------------------------------------------


def volume(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    dimension: DimensionName = "theme",
    freq: Freq = "week",
    window: int = 4,
    z_threshold: float = 3.0,
    min_items: int = 3,
    rollups: bool = False,
) -> pd.DataFrame:
    """Items per period and theme (or topic), zero-filled, with a rolling mean and spike flags.

    Columns: period, key, label, items, total (all filtered coverage in the period, ignoring the
    theme filter), share, rolling (trailing mean over ``window`` periods), zscore (against the
    ``window`` periods before), spike. A spike needs a full window of history, at least
    ``min_items`` items and a z-score of ``z_threshold``; the spread is floored at one item so a
    quiet series does not flag its first few items.
    """
    freq = _check_freq(freq)
    dim = _dimension(dimension)
    if window < 2:
        raise ValueError(f"window must be at least 2 periods, got {window}")
    counts_sql, counts_params, totals_sql, totals_params = _daily_counts(con, filters, dim, rollups=rollups)
    interval = _FREQ_INTERVAL[freq]
    sql = f"""
    WITH daily AS ({counts_sql}),
    daily_totals AS ({totals_sql}),
    counts AS (
        SELECT CAST(date_trunc('{freq}', day) AS DATE) AS period, key, sum(items) AS items
        FROM daily GROUP BY ALL
    ),
    totals AS (
        SELECT CAST(date_trunc('{freq}', day) AS DATE) AS period, sum(total) AS total
        FROM daily_totals GROUP BY ALL
    ),
    periods AS (
        SELECT CAST(unnest(range(CAST(min(period) AS TIMESTAMP),
                                 CAST(max(period) AS TIMESTAMP) + {interval}, {interval})) AS DATE) AS period
        FROM totals
    ),
    keys AS (SELECT key, any_value(label) AS label FROM daily GROUP BY key),
    grid AS (
        SELECT p.period, k.key, k.label, coalesce(c.items, 0) AS items, coalesce(t.total, 0) AS total
        FROM periods p CROSS JOIN keys k
        LEFT JOIN counts c ON c.period = p.period AND c.key = k.key
        LEFT JOIN totals t ON t.period = p.period
    ),
    scored AS (
        SELECT *,
            avg(items) OVER (PARTITION BY key ORDER BY period
                             ROWS BETWEEN {window - 1} PRECEDING AND CURRENT ROW) AS rolling,
            avg(items) OVER prev AS prev_mean,
            stddev_samp(items) OVER prev AS prev_std,
            count(*) OVER prev AS prev_n
        FROM grid
        WINDOW prev AS (PARTITION BY key ORDER BY period ROWS BETWEEN {window} PRECEDING AND 1 PRECEDING)
    )
    SELECT period, key, label, CAST(items AS BIGINT) AS items, CAST(total AS BIGINT) AS total,
        CASE WHEN total > 0 THEN items / total ELSE 0 END AS share,
        rolling,
        (items - prev_mean) / greatest(coalesce(prev_std, 0), 1.0) AS zscore,
        coalesce(prev_n >= {window} AND items >= ? AND
                 (items - prev_mean) / greatest(coalesce(prev_std, 0), 1.0) >= ?, false) AS spike
    FROM scored ORDER BY key, period
    """
    return _df(con, sql, [*counts_params, *totals_params, min_items, z_threshold])


def spike_headlines(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    spikes: pd.DataFrame,
    *,
    dimension: DimensionName = "theme",
    freq: Freq = "week",
    per_spike: int = 3,
    rollups: bool = False,
) -> pd.DataFrame:
    """The items that made each spike: for every (key, period) row of ``spikes``, the top titles.

    Themes rank their items by theme score; topics by date. Columns: key, period, id, title,
    outlet, published_date, rank.
    """
    freq = _check_freq(freq)
    dim = _dimension(dimension)
    if spikes.empty:
        return pd.DataFrame(columns=["key", "period", "id", "title", "outlet", "published_date", "rank"])
    source = _source(con, rollups)
    where = item_where(filters, alias="i", dated=True, facts=source.facts)
    keys = [str(k) for k in spikes["key"]]
    periods = [pd.Timestamp(p).date() for p in spikes["period"]]
    if source.cards:
        return _df(con, _spike_cards_sql(dim.name, freq, where, sorted(set(periods))),
                   [keys, periods, *where.params, per_spike])
    join = dim.join.format(item="c")
    sql = f"""
    WITH wanted AS (
        SELECT unnest(?::VARCHAR[]) AS key, unnest(?::DATE[]) AS period
    ),
    candidates AS MATERIALIZED (
        SELECT i.id, i.kind, i.published_date, w.key, w.period FROM {source.table} i
        JOIN wanted w ON CAST(date_trunc('{freq}', i.published_date) AS DATE) = w.period
        WHERE {where.sql} AND ({_period_days(sorted(set(periods)), freq, column="i.published_date")})
    ),
    ranked AS (
        SELECT c.key, c.period, c.id, c.published_date,
               row_number() OVER (PARTITION BY c.key, c.period
                                  ORDER BY {dim.rank}, c.kind, c.published_date, c.id) AS rank
        FROM candidates c {join}
        WHERE {dim.key} = c.key
    )
    SELECT r.key, r.period, r.id, t.title, t.outlet, r.published_date, r.rank
    FROM ranked r JOIN items t ON t.id = r.id
    WHERE r.rank <= ? ORDER BY r.key, r.period, r.rank
    """
    return _df(con, sql, [keys, periods, *where.params, per_spike])


def _period_days(periods: list[date], freq: Freq, *, column: str = "published_date") -> str:
    """A condition that keeps the days of these periods (dates as literals: a scan skips the blocks
    of every other day)."""
    return " OR ".join(f"({column} >= DATE '{p.isoformat()}' AND {column} < DATE '{p.isoformat()}' "
                       f"+ {_FREQ_INTERVAL[freq]})" for p in periods) or "false"


def _spike_cards_sql(dimension: DimensionName, freq: Freq, where: _Where, periods: list[date]) -> str:
    """spike_headlines on a lake: the facts give each item its themes (bits) or topic, the cards by
    id and date its theme scores and title, so no item table is read by id. The spikes' periods,
    written out as date ranges, let both scans skip the row groups of every other day."""
    days = _period_days(periods, freq)
    if dimension == "theme":
        keyed = f"JOIN {ROLLUP_DB}.theme_bits b ON i.theme_mask & b.bit <> 0 AND b.theme = w.key"
        rank = "t.scores[list_position(t.themes, c.key)] DESC"
    else:
        keyed = "AND CAST(i.topic_id AS VARCHAR) = w.key"
        rank = "c.published_date"
    return f"""
    WITH wanted AS (
        SELECT unnest(?::VARCHAR[]) AS key, unnest(?::DATE[]) AS period
    ),
    candidates AS MATERIALIZED (
        SELECT i.id, i.kind, i.published_date, w.key, w.period FROM (SELECT * FROM {FACTS} WHERE {days}) i
        JOIN wanted w ON CAST(date_trunc('{freq}', i.published_date) AS DATE) = w.period
        {keyed}
        WHERE {where.sql}
    ),
    ranked AS (
        SELECT c.key, c.period, c.id, c.published_date, t.title, t.outlet,
               row_number() OVER (PARTITION BY c.key, c.period ORDER BY {rank}, c.kind, c.published_date, c.id) AS rank
        FROM candidates c JOIN (SELECT * FROM {ROLLUP_DB}.cards WHERE {days}) t
             ON t.id = c.id AND t.published_date = c.published_date
    )
    SELECT key, period, id, title, outlet, published_date, rank FROM ranked
    WHERE rank <= ? ORDER BY key, period, rank
    """


def compare_periods(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    first: tuple[date, date],
    second: tuple[date, date],
    dimension: DimensionName = "theme",
    rollups: bool = False,
) -> pd.DataFrame:
    """Items per theme (or topic) in two periods, with each one's share of that period's coverage.

    The sidebar's date range does not apply here: the two periods are the ranges compared.
    Columns: key, label, items_first, items_second, share_first, share_second, change (in
    percentage points of share), total_first, total_second.
    """
    dim = _dimension(dimension)
    for name, (start, end) in (("first", first), ("second", second)):
        if start > end:
            raise ValueError(f"compare_periods: the {name} period starts ({start}) after it ends ({end})")
    counts_sql, counts_params, totals_sql, totals_params = _daily_counts(
        con, filters.without_dates(), dim, rollups=rollups)
    sql = f"""
    WITH daily AS ({counts_sql}),
    daily_totals AS ({totals_sql}),
    totals AS (
        SELECT coalesce(sum(total) FILTER (WHERE day BETWEEN ? AND ?), 0) AS total_first,
               coalesce(sum(total) FILTER (WHERE day BETWEEN ? AND ?), 0) AS total_second
        FROM daily_totals
    ),
    counts AS (
        SELECT key, any_value(label) AS label,
               coalesce(sum(items) FILTER (WHERE day BETWEEN ? AND ?), 0) AS items_first,
               coalesce(sum(items) FILTER (WHERE day BETWEEN ? AND ?), 0) AS items_second
        FROM daily GROUP BY key
    )
    SELECT key, label, CAST(items_first AS BIGINT) AS items_first, CAST(items_second AS BIGINT) AS items_second,
           CASE WHEN total_first > 0 THEN items_first / total_first ELSE 0 END AS share_first,
           CASE WHEN total_second > 0 THEN items_second / total_second ELSE 0 END AS share_second,
           100 * (share_second - share_first) AS change,
           CAST(total_first AS BIGINT) AS total_first, CAST(total_second AS BIGINT) AS total_second
    FROM counts CROSS JOIN totals
    WHERE items_first > 0 OR items_second > 0
    ORDER BY greatest(items_first, items_second) DESC, key
    """
    periods = [first[0], first[1], second[0], second[1]]
    return _df(con, sql, [*counts_params, *totals_params, *periods, *periods])


# -- items --------------------------------------------------------------------------------------

def _item_list(extra: str = "", *, cards: bool = False) -> str:
    """The columns of an item list (and ``extra`` ones of ``p``), for the ids in a CTE named ``page`` (with a ``position``).

    On a lake, from its item cards, found by id and date: the date lets the Parquet scan skip every
    row group of other days (a lookup by id alone reads all of them).
    """
    if cards:
        return f"""
    SELECT p.id, p.published_date, p.published_at, t.title, t.outlet, p.kind, t.themes, t.claims{extra}
    FROM page p JOIN {ROLLUP_DB}.cards t ON t.id = p.id AND t.published_date IS NOT DISTINCT FROM p.published_date
    ORDER BY p.position
    """
    return f"""
    SELECT p.id, p.published_date, p.published_at, t.title, t.outlet, p.kind,
           coalesce(th.themes, []) AS themes, coalesce(cl.claims, 0) AS claims{extra}
    FROM page p JOIN items t ON t.id = p.id
    LEFT JOIN (SELECT it.item_id, list(it.theme ORDER BY it.score DESC, it.theme) AS themes FROM item_themes it
               WHERE it.assigned AND it.item_id IN (SELECT id FROM page) GROUP BY it.item_id) th ON th.item_id = p.id
    LEFT JOIN (SELECT c.item_id, count(*) AS claims FROM claims c
               WHERE c.item_id IN (SELECT id FROM page) GROUP BY c.item_id) cl ON cl.item_id = p.id
    ORDER BY p.position
    """


def latest_items(con: duckdb.DuckDBPyConnection, filters: Filters, *, limit: int = 10,
                 rollups: bool = False) -> pd.DataFrame:
    """The newest notable items: those with at least one claim or an assigned theme.

    Columns: id, published_date, published_at, title, outlet, kind, themes (assigned keys,
    strongest first), claims. Looks among the newest ``50 * limit`` items first, which is exact
    whenever they hold ``limit`` notable ones (they almost always do), and only then scans all.
    """
    source = _source(con, rollups)
    where = item_where(filters, alias="i", dated=True, facts=source.facts)
    order = "published_date DESC, published_at DESC NULLS LAST, kind, id"
    themed = ("c.theme_mask <> 0" if source.facts else
              "c.id IN (SELECT item_id FROM item_themes WHERE assigned AND item_id IN (SELECT id FROM candidates))")
    frame = pd.DataFrame()
    # The newest month first (on a lake its row groups alone are read), then the newest 50 * limit
    # items of any date, then all: each step is exact when it finds ``limit`` notable items.
    steps: list[tuple[int | None, str]] = [(50 * limit, ""), (None, "")]
    if source.cards:  # no item matching the filters is newer than their end, nor than the newest item
        newest = filters.end or con.execute(f"SELECT max(published_date) FROM {source.table}").fetchone()[0]
        if newest is not None:  # a literal: the scan skips the row groups of older days
            steps.insert(0, (50 * limit, f" AND i.published_date >= DATE '{newest.isoformat()}' - INTERVAL 31 DAY"))
    for candidates, recent in steps:
        cap = "" if candidates is None else f"ORDER BY {order} LIMIT {int(candidates)}"
        params = where.params
        sql = f"""
        WITH candidates AS MATERIALIZED (
            SELECT i.id, i.kind, i.published_date, i.published_at{", i.theme_mask" if source.facts else ""}
            FROM {source.table} i WHERE {where.sql}{recent} {cap}
        ),
        chosen AS MATERIALIZED (
            SELECT * FROM candidates c
            WHERE {themed} OR c.id IN (SELECT item_id FROM claims WHERE item_id IN (SELECT id FROM candidates))
            ORDER BY {order} LIMIT ?
        ),
        page AS (SELECT *, row_number() OVER (ORDER BY {order}) AS position FROM chosen)
        {_item_list(cards=source.cards)}
        """
        frame = _df(con, sql, [*params, limit])
        if len(frame) >= limit:
            break
    return frame


def search_terms(text: str) -> list[str]:
    """Words of a search; "double quotes" keep a phrase together. Every term must match."""
    terms: list[str] = []
    for index, chunk in enumerate(text.split('"')):
        if index % 2:
            if chunk.strip():
                terms.append(chunk.strip())
        else:
            terms.extend(chunk.split())
    return terms


_REGEX_SPECIAL = set("\\.^$|?*+()[]{}")
# Latin letters that carry a mark without decomposing into letter + mark (NFD leaves them whole).
_UNDECOMPOSED = MappingProxyType({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "ŧ": "t", "ƀ": "b", "ɨ": "i"})
# Where a word starts: not after a letter, a mark or a digit, in any script (RE2's \b is ASCII-only).
_WORD_START = r"(?:^|[^\pL\pM\pN_])"


def fold_accents(text: str) -> str:
    """``text`` in lower case without its accents: "Nausėda" -> "nauseda", "Łukašenka" -> "lukasenka"."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(_UNDECOMPOSED.get(ch, ch) for ch in decomposed if not unicodedata.combining(ch))


@cache
def _letter_variants() -> Mapping[str, str]:
    """Each ASCII letter and every Latin letter that folds to it, as the inside of an RE2 class."""
    variants: dict[str, set[str]] = {}
    for code in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        letter = chr(code)
        base = fold_accents(letter)
        if len(base) == 1 and base.isascii() and base.isalpha():
            variants.setdefault(base, set()).update(c for c in (letter, letter.lower(), letter.upper()) if len(c) == 1)
    return MappingProxyType({base: base + base.upper() + "".join(sorted(found - {base, base.upper()}))
                             for base, found in variants.items()})


def search_pattern(term: str) -> str:
    """A case- and accent-insensitive RE2 pattern for one search term, matched at the start of a word.

    "fence" finds "fence" and "fences" but not "defence"; "Nauseda" finds "Nausėda" and "nausėda"
    finds "Nauseda" (each letter matches its accented forms, and the combining marks of
    decomposed text); every other character is literal ("3.5" does not find "3,5"). A term that
    begins with neither a letter, a digit nor "_" ("%") is matched anywhere. The text itself is
    never folded: a class per letter keeps the scan as fast as a plain pattern.
    """
    folded = fold_accents(term)
    variants = _letter_variants()
    pieces = []
    for ch in folded:
        if ch in variants:
            pieces.append(f"[{variants[ch]}]\\pM*")
        else:
            pieces.append("\\" + ch if ch in _REGEX_SPECIAL else ch)
    first = folded[:1]
    start = _WORD_START if first.isalnum() or first == "_" else ""
    return "(?i)" + start + "".join(pieces)


# The search's first pass reads the title and text lower-cased with their marks removed
# (strip_accents). There every character a term's pattern lets stand for an ASCII letter is that
# letter, except the letters that carry a mark without decomposing (and the long s, which RE2
# folds into "s"): in the first pass these ASCII letters match any one character. So a text the
# pattern matches always passes it (tests/test_queries.py checks every character of the BMP).
_ANY_OF = frozenset(_UNDECOMPOSED.values()) | {"s"}


def _first_pass(folded: str) -> str | None:
    """A LIKE pattern (escape character \\) that every text the folded term's pattern matches fits,
    or None when it would fit nearly every text (the term is all such letters).

    Any-one-character places at either end are left out: a wider net, and twice as fast.
    """
    tokens = [None if ch in _ANY_OF else "\\" + ch if ch in "%_\\" else ch for ch in folded]
    while tokens and tokens[0] is None:
        tokens.pop(0)
    while tokens and tokens[-1] is None:
        tokens.pop()
    if not tokens:
        return None
    return "%" + "".join("_" if token is None else token for token in tokens) + "%"


def _term_conditions(terms: Sequence[str], alias: str) -> tuple[list[str], list[Any]]:
    """One condition per search term on ``alias``'s title and text, and their parameters.

    A term that folds to ASCII (nearly every search) is first looked for with LIKE in the folded
    title and text, a pass two to three times as fast as the pattern's; only the texts that pass
    are matched against the pattern (a word's start, the exact letters).
    """
    sql: list[str] = []
    params: list[Any] = []
    for term in terms:
        pattern = search_pattern(term)
        condition = f"(regexp_matches({alias}.title, ?) OR regexp_matches({alias}.text, ?))"
        folded = fold_accents(term)
        like = _first_pass(folded) if folded.isascii() else None
        if like is not None:
            sql.append(f"((strip_accents(lower({alias}.title)) LIKE ? ESCAPE '\\' OR "
                       f"strip_accents(lower({alias}.text)) LIKE ? ESCAPE '\\') AND {condition})")
            params.extend([like, like, pattern, pattern])
        else:
            sql.append(condition)
            params.extend([pattern, pattern])
    return sql, params


def _search_where(filters: Filters, text: str, *, facts: bool, matched: str | None = None) -> tuple[_Where, bool]:
    """The filter and search conditions, and whether they need the items table joined as ``t``.

    On the plain items table (alias ``i``) title and text are at hand; on the facts they come
    from ``items`` joined as ``t``. ``matched`` names a relation (an ``id`` column) holding the
    items the search matches, found before by :func:`search_ids`: then no text is read.
    """
    where = item_where(filters, alias="i", facts=facts)
    terms = search_terms(text)
    if terms and matched is not None:
        return _Where(f"{where.sql} AND i.id IN (SELECT id FROM {matched})", list(where.params)), False
    sql, params = _term_conditions(terms, "t" if facts else "i")
    return _Where(" AND ".join([where.sql, *sql]), [*where.params, *params]), bool(terms) and facts


def search_items(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    text: str = "",
    sort: SortKey = "newest",
    limit: int = 200,
    offset: int = 0,
    rollups: bool = False,
) -> pd.DataFrame:
    """One page of the filtered items whose title or text contains every search term.

    Columns: id, published_date, published_at, title, outlet, kind, themes, claims.
    """
    sql, params = _search_sql(con, filters, text=text, sort=sort, limit=limit, offset=offset, rollups=rollups)
    return _df(con, sql, params)


def search_ids(con: duckdb.DuckDBPyConnection, text: str) -> pa.Table:
    """The ids (one ``id`` column) of every item whose title or text contains every search term.

    No other filter applies, so one scan of the texts serves every filter change that follows
    while the search stays the same (``search_with_count``'s ``matched``).
    """
    terms = search_terms(text)
    if not terms:
        raise ValueError("search_ids needs at least one search term")
    sql, params = _term_conditions(terms, "i")
    return con.sql(f"SELECT i.id FROM items i WHERE {' AND '.join(sql)}", params=params).to_arrow_table()


def search_with_count(con: duckdb.DuckDBPyConnection, filters: Filters, *, text: str = "", sort: SortKey = "newest",
                      limit: int = 200, rollups: bool = False, matched: str | None = None) -> tuple[pd.DataFrame, int]:
    """The first page of :func:`search_items` and :func:`count_items`, with one pass over the texts.

    Matching a search reads every title and text (seconds on a million items); the count comes
    from the same pass, as a window over the matches. Without search terms the two cheap
    queries answer instead. ``matched`` names a relation with the ids :func:`search_ids` found
    for ``text``: then no text is read at all.
    """
    if not search_terms(text):
        return (search_items(con, filters, text=text, sort=sort, limit=limit, rollups=rollups),
                count_items(con, filters, text=text, rollups=rollups))
    sql, params = _search_sql(con, filters, text=text, sort=sort, limit=limit, offset=0, rollups=rollups, total=True,
                              matched=matched)
    frame = _df(con, sql, params)
    total = int(frame["total"].iloc[0]) if len(frame) else 0
    return frame.drop(columns="total"), total


def _search_sql(con: duckdb.DuckDBPyConnection, filters: Filters, *, text: str, sort: str, limit: int, offset: int,
                rollups: bool, total: bool = False, matched: str | None = None) -> tuple[str, list[Any]]:
    if sort not in _SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    source = _source(con, rollups)
    where, needs_text = _search_where(filters, text, facts=source.facts, matched=matched)
    order = _SORTS[sort]
    joins, columns = "", ""
    if not source.facts:
        columns += ", i.title"
    elif needs_text or sort == "title":
        joins += " JOIN items t ON t.id = i.id"
        columns += ", t.title"
    if sort == "claims":
        joins += " LEFT JOIN (SELECT item_id, count(*) AS claims FROM claims GROUP BY item_id) cc ON cc.item_id = i.id"
        columns += ", coalesce(cc.claims, 0) AS claims"
    if total:  # a window runs before ORDER BY and LIMIT: every match counted
        columns += ", count(*) OVER () AS total"
    sql = f"""
    WITH chosen AS MATERIALIZED (
        SELECT i.id, i.published_date, i.published_at, i.kind{columns}
        FROM {source.table} i{joins} WHERE {where.sql}
        ORDER BY {order} LIMIT ? OFFSET ?
    ),
    page AS (SELECT *, row_number() OVER (ORDER BY {order}) AS position FROM chosen)
    {_item_list(", p.total" if total else "", cards=source.cards)}
    """
    return sql, [*where.params, limit, offset]


def count_items(con: duckdb.DuckDBPyConnection, filters: Filters, *, text: str = "", rollups: bool = False) -> int:
    source = _source(con, rollups)
    where, needs_text = _search_where(filters, text, facts=source.facts)
    join = " JOIN items t ON t.id = i.id" if needs_text else ""
    return int(con.execute(f"SELECT count(*) FROM {source.table} i{join} WHERE {where.sql}",
                           where.params).fetchone()[0])


def item(con: duckdb.DuckDBPyConnection, item_id: str) -> dict[str, Any] | None:
    """Every stored field of one item, or None when there is no such item."""
    frame = _df(con, "SELECT * FROM items WHERE id = ?", [item_id])
    if frame.empty:
        return None
    return frame.iloc[0].to_dict()


def item_themes(con: duckdb.DuckDBPyConnection, item_id: str) -> pd.DataFrame:
    """One item's theme scores, strongest first, with the terms and sentences that drove them."""
    return _df(con, """
        SELECT theme, score, assigned, coalesce(terms, []) AS terms, coalesce(sentences, []) AS sentences
        FROM item_themes WHERE item_id = ? ORDER BY assigned DESC, score DESC, theme""", [item_id])


def item_claims(con: duckdb.DuckDBPyConnection, item_id: str) -> pd.DataFrame:
    return _df(con, """
        SELECT claim_id, type, actor, kind, value, value_high, unit, year, year_high, speaker,
               evidence, start_offset, end_offset, CAST(details AS VARCHAR) AS details
        FROM claims WHERE item_id = ? ORDER BY start_offset NULLS LAST, claim_id""", [item_id])


def related_headlines(con: duckdb.DuckDBPyConnection, item_id: str) -> pd.DataFrame:
    """Headlines listed on this item's page (their parent_id is this item)."""
    return _df(con, """
        SELECT id, published_date, published_approximate, title, outlet FROM items
        WHERE parent_id = ? ORDER BY published_date DESC NULLS LAST, published_at DESC NULLS LAST, title""",
        [item_id])


def near_duplicates(con: duckdb.DuckDBPyConnection, item_id: str) -> pd.DataFrame:
    """The other members of this item's story: its original and every near-duplicate of it.

    Columns: id, relation ('original' or 'near-duplicate'), published_date, title, outlet, url.
    """
    return _df(con, """
        WITH me AS (SELECT id, coalesce(duplicate_of, id) AS story FROM items WHERE id = ?)
        SELECT i.id, CASE WHEN i.duplicate_of IS NULL THEN 'original' ELSE 'near-duplicate' END AS relation,
               i.published_date, i.title, i.outlet, i.url
        FROM items i JOIN me ON (i.id = me.story OR i.duplicate_of = me.story) AND i.id <> me.id
        ORDER BY relation DESC, i.published_date NULLS LAST, i.id""", [item_id])


EXPORT_COLUMNS: tuple[str, ...] = ("id", "kind", "published_date", "published_at", "title", "outlet", "byline", "url",
                                   "parent_id", "themes", "claims")
_EXPORT_TEXT_COLUMNS = ("id", "kind", "title", "outlet", "byline", "url", "parent_id", "themes")


def _items_export_sql(con: duckdb.DuckDBPyConnection, filters: Filters, *, text: str, rollups: bool,
                      part: str = "true", part_params: Sequence[Any] = ()) -> tuple[str, list[Any]]:
    """The export query; ``part`` (SQL on ``i``: a span of days) narrows it to one part of the file."""
    source = _source(con, rollups)
    where, needs_text = _search_where(filters, text, facts=source.facts)
    return f"""
        WITH chosen AS MATERIALIZED (
            SELECT i.id FROM {source.table} i{" JOIN items t ON t.id = i.id" if needs_text else ""}
            WHERE {where.sql} AND ({part})
        ),
        themes AS (
            SELECT it.item_id, string_agg(it.theme, '; ' ORDER BY it.score DESC, it.theme) AS themes FROM item_themes it
            WHERE it.assigned AND it.item_id IN (SELECT id FROM chosen) GROUP BY it.item_id
        ),
        claim_counts AS (SELECT item_id, count(*) AS claims FROM claims GROUP BY item_id)
        SELECT t.id, t.kind, t.published_date, t.published_at, t.title, t.outlet, t.byline, t.url, t.parent_id,
               th.themes, coalesce(cc.claims, 0) AS claims
        FROM chosen c JOIN items t ON t.id = c.id
        LEFT JOIN themes th ON th.item_id = c.id LEFT JOIN claim_counts cc ON cc.item_id = c.id
        ORDER BY t.published_date DESC NULLS LAST, t.id""", [*where.params, *part_params]


def items_export(con: duckdb.DuckDBPyConnection, filters: Filters, *, text: str = "",
                 rollups: bool = False) -> pd.DataFrame:
    """Every filtered item (search applied), for the CSV download: metadata and themes, no body.

    Columns: ``EXPORT_COLUMNS``. A million rows make a DataFrame of gigabytes: the dashboard
    streams them as CSV with :func:`items_csv` instead.
    """
    sql, params = _items_export_sql(con, filters, text=text, rollups=rollups)
    return _df(con, sql, params)


def _export_parts(con: duckdb.DuckDBPyConnection, filters: Filters, *, rollups: bool,
                  part_rows: int) -> list[tuple[str, list[Any]]]:
    """Spans of days (SQL on ``i``, and its parameters) that split the export into parts of about
    ``part_rows`` items: whole months, newest first, then the undated."""
    source = _source(con, rollups)
    where, _ = _search_where(filters, "", facts=source.facts)  # the parts: from the filters, before the search
    months = con.execute(f"""
        SELECT date_trunc('month', i.published_date)::DATE AS month, count(*) AS items FROM {source.table} i
        WHERE {where.sql} GROUP BY month ORDER BY month DESC NULLS LAST""", where.params).fetchall()
    parts: list[tuple[str, list[Any]]] = []
    span: list[date] = []
    rows = 0
    for index, (month, items) in enumerate(months):
        if month is not None:
            span.append(month)
            rows += items
        last = index + 1 == len(months) or months[index + 1][0] is None
        if span and (rows >= part_rows or last):
            end = span[0] + timedelta(days=32)
            parts.append(("i.published_date >= ? AND i.published_date < ?",
                          [span[-1], date(end.year, end.month, 1)]))
            span, rows = [], 0
        if month is None:
            parts.append(("i.published_date IS NULL", []))
    return parts or [("true", [])]


def _csv_field(value: str) -> str:
    """SQL writing ``value`` (text or NULL) as a CSV field the way Python's csv module does (the
    minimal quoting pandas' to_csv uses): NULL as nothing, in double quotes when it holds a comma,
    a double quote (doubled) or a line break."""
    return (f"""CASE WHEN regexp_matches({value}, '[",\\r\\n]') THEN '"' || replace({value}, '"', '""') || '"' """
            f"ELSE coalesce({value}, '') END")


def items_csv(con: duckdb.DuckDBPyConnection, filters: Filters, *, text: str = "", rollups: bool = False,
              formula_prefixes: Sequence[str] = (), bom: bool = False,
              constants: Mapping[str, str] = MappingProxyType({}), part_rows: int = 150_000,
              batch_rows: int = 4096) -> Iterator[bytes]:
    """What :func:`items_export` returns, as CSV in pieces: the header, then a piece per batch of rows.

    The bytes are those of pandas' ``to_csv`` of that frame, but no frame is built: DuckDB writes
    each row as a line of CSV, sorting one part of about ``part_rows`` items at a time (whole
    months, newest first, then the undated), and hands the lines over in Arrow batches of
    ``batch_rows``; memory stays bounded by a part and a batch whatever the number of items, and
    the first pieces go out before the later parts are read. ``constants`` are more columns, one
    value on every row (the view's filters). A text cell starting with one of ``formula_prefixes``
    gets a leading single quote (a spreadsheet would run it as a formula); ``bom`` starts the file
    with a UTF-8 byte-order mark (Excel then reads Nausėda correctly).
    """
    names = [*EXPORT_COLUMNS, *constants]
    if not all(name.isidentifier() for name in names):
        raise ValueError(f"items_csv: the columns' names are plain words (the header is not quoted), got {names}")
    prefixes = ", ".join("'" + p.replace("'", "''") + "'" for p in formula_prefixes)
    fields = []
    for index, name in enumerate(names):
        value = f"e.{name}" if index < len(EXPORT_COLUMNS) else f"e.c{index}"
        if name == "published_at":  # as pandas writes it: 2025-01-16 10:42:07+00:00
            value = f"strftime({value} AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') || '+00:00'"
        elif prefixes and (name in _EXPORT_TEXT_COLUMNS or index >= len(EXPORT_COLUMNS)):
            value = f"CASE WHEN left({value}, 1) IN ({prefixes}) THEN '''' || {value} ELSE {value} END"
        fields.append(_csv_field(f"CAST({value} AS VARCHAR)"))
    line = " || ',' || ".join(fields)
    given = "".join(f", ?::VARCHAR AS c{len(EXPORT_COLUMNS) + n}" for n in range(len(constants)))
    yield (("\ufeff" if bom else "") + ",".join(names) + "\n").encode("utf-8")
    reading = con.cursor()  # a streamed result holds its connection until it is read out
    try:
        for part, part_params in _export_parts(con, filters, rollups=rollups, part_rows=part_rows):
            sql, params = _items_export_sql(con, filters, text=text, rollups=rollups, part=part,
                                            part_params=part_params)
            # the row order is the export's: a projection keeps it
            query = f"SELECT {line} || chr(10) FROM (SELECT *{given} FROM ({sql}) x) e"
            for batch in reading.sql(query, params=[*constants.values(), *params]).to_arrow_reader(batch_rows):
                yield "".join(batch.column(0).to_pylist()).encode("utf-8")
    finally:
        reading.close()


# -- claims -------------------------------------------------------------------------------------


def _claim_where(filters: Filters, claim_type: str | None = None, *, facts: bool = False) -> _Where:
    item_filters = Filters(filters.start, filters.end, filters.themes, filters.outlets, (),
                           filters.include_headlines)
    where = item_where(item_filters, alias="i", facts=facts)
    sql = [where.sql]
    params = list(where.params)
    if filters.actors:
        sql.append("list_contains(?::VARCHAR[], c.actor)")
        params.append(list(filters.actors))
    if claim_type is not None:
        sql.append("c.type = ?")
        params.append(claim_type)
    return _Where(" AND ".join(sql), params)


def claims(con: duckdb.DuckDBPyConnection, filters: Filters, *, claim_type: ClaimType | None = None,
           rollups: bool = False, newest: int | None = None) -> pd.DataFrame:
    """Claims of the filtered items, with the date they were stated and the article they came from.

    Columns: claim_id, item_id, type, actor, kind, value, value_high, unit, year, year_high,
    year_relative, speaker, evidence, details, stated (the item's published day), title, outlet,
    url, item_kind. ``newest``: only that many, the most recently stated.
    """
    if claim_type is not None and claim_type not in CLAIM_TYPES:
        raise ValueError(f"claim_type must be one of {', '.join(CLAIM_TYPES)}, got {claim_type!r}")
    source = _source(con, rollups)
    where = _claim_where(filters, claim_type, facts=source.facts)
    cap = "" if newest is None else f"ORDER BY i.published_date DESC NULLS LAST, c.claim_id LIMIT {int(newest)}"
    # The claims first, then their articles by id and day (on a lake the day skips other days' files).
    return _df(con, f"""
        WITH chosen AS MATERIALIZED (
            SELECT c.*, i.published_date AS stated FROM claims c JOIN {source.table} i ON i.id = c.item_id
            WHERE {where.sql} {cap}
        )
        SELECT c.claim_id, c.item_id, c.type, c.actor, c.kind, c.value, c.value_high, c.unit, c.year,
               c.year_high, c.year_relative, c.speaker, c.evidence, CAST(c.details AS VARCHAR) AS details,
               c.stated, t.title, t.outlet, t.url, t.kind AS item_kind
        FROM chosen c JOIN items t ON t.id = c.item_id AND t.published_date IS NOT DISTINCT FROM c.stated
        ORDER BY c.type, c.actor NULLS LAST, c.stated NULLS LAST, c.claim_id""", where.params)


def count_claims(con: duckdb.DuckDBPyConnection, filters: Filters, *, claim_type: ClaimType | None = None,
                 rollups: bool = False) -> int:
    """How many claims :func:`claims` finds for these filters (without ``newest``)."""
    source = _source(con, rollups)
    where = _claim_where(filters, claim_type, facts=source.facts)
    (count,) = con.execute(f"SELECT count(*) FROM claims c JOIN {source.table} i ON i.id = c.item_id "
                           f"WHERE {where.sql}", where.params).fetchone()
    return int(count)


# -- topics -------------------------------------------------------------------------------------


def topics(con: duckdb.DuckDBPyConnection, filters: Filters, *, rollups: bool = False) -> pd.DataFrame:
    """Discovered topics with their terms, and how many of the filtered items each holds."""
    source = _source(con, rollups)
    where = item_where(filters, alias="i", facts=source.facts)
    members = (f"SELECT i.topic_id, count(*) AS items FROM {FACTS} i WHERE {where.sql} AND i.topic_id IS NOT NULL "
               "GROUP BY i.topic_id" if source.facts else
               "SELECT it.topic_id, count(DISTINCT i.id) AS items "
               f"FROM item_topics it JOIN items i ON i.id = it.item_id "
               f"WHERE {where.sql} GROUP BY it.topic_id")
    return _df(con, f"""
        WITH members AS ({members})
        SELECT t.topic_id, t.label, coalesce(t.top_terms, []) AS top_terms, t.nearest_theme,
               t.theme_similarity, t.emerging, t.size, coalesce(m.items, 0) AS items
        FROM topics t LEFT JOIN members m USING (topic_id)
        ORDER BY items DESC, t.size DESC, t.topic_id""", where.params)


def topic_map(con: duckdb.DuckDBPyConnection, filters: Filters, *, limit: int = 4000,
              rollups: bool = False) -> pd.DataFrame:
    """A fixed sample of the filtered items' 2-D positions (the same items on every rerun).

    Columns: id, x, y, topic_id, label, title, published_date.
    """
    source = _source(con, rollups)
    where = item_where(filters, alias="i", facts=source.facts)
    placed = (f"SELECT i.id, i.x, i.y, i.topic_id, i.published_date FROM {FACTS} i WHERE {where.sql}"
              if source.facts else
              f"SELECT i.id, it.x, it.y, it.topic_id, i.published_date FROM item_topics it "
              f"JOIN items i ON i.id = it.item_id WHERE {where.sql}")
    return _df(con, f"""
        WITH sample AS MATERIALIZED (
            SELECT * FROM ({placed}) p WHERE p.x IS NOT NULL AND p.y IS NOT NULL ORDER BY hash(p.id), p.id LIMIT ?
        )
        SELECT s.id, s.x, s.y, s.topic_id, coalesce(tp.label, 'Topic ' || s.topic_id) AS label, t.title,
               s.published_date
        FROM sample s JOIN items t ON t.id = s.id LEFT JOIN topics tp ON tp.topic_id = s.topic_id
        ORDER BY hash(s.id), s.id""", [*where.params, limit])


def period_count(first: date, last: date, freq: Freq) -> int:
    """How many ``freq`` periods the days ``first`` to ``last`` touch (roughly, for choosing one)."""
    return 1 + int(((last - first).days + 1) / FREQ_DAYS[_check_freq(freq)])


def auto_freq(first: date | None, last: date | None, *, items: int) -> Freq:
    """The period a time chart of ``items`` items between ``first`` and ``last`` reads best in.

    The finest period that gives at most 60 periods and, on average, two items or more in each;
    when even the coarsest that still gives four periods is sparser than that, that one (a month
    of a few items: weeks, not one bar). A year of a busy store is weeks, a decade quarters or
    years, a sparse decade years.
    """
    if first is None or last is None:
        return "month"
    first, last = sorted((first, last))
    fitting = [f for f in FREQS if period_count(first, last, f) <= AUTO_MAX_PERIODS] or ["year"]
    several = [f for f in fitting if period_count(first, last, f) >= AUTO_MIN_PERIODS] or fitting[:1]
    for freq in several:
        if items / period_count(first, last, freq) >= AUTO_MIN_ITEMS_PER_PERIOD:
            return freq
    return several[-1]


def default_range(last: date, *, days: int) -> tuple[date, date]:
    """The last ``days`` days up to and including ``last`` (the newest item's day)."""
    return last - timedelta(days=days - 1), last
