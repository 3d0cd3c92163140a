"""Past one machine: the store's tables as Parquet, and the analysis as a Spark job over them.

The layout (a "lake" folder) is the same whether `flankwatch export --parquet` wrote it from a
store or the distributed job (`flankwatch analyze --engine spark`) wrote it from a lake of items:

    DIR/items/month=YYYY-MM/*.parquet          the store's items columns (see analysis/store.py)
    DIR/item_themes/month=YYYY-MM/*.parquet    item_themes columns
    DIR/claims/month=YYYY-MM/*.parquet         claims columns
    DIR/analysed/month=YYYY-MM/*.parquet       analysed columns (item_id, analysed_at, model_version)
    DIR/topics/*.parquet, DIR/item_topics/month=YYYY-MM/*.parquet
    DIR/rollups/<name>/*.parquet               the dashboard's rollups, the tables and columns that
                                               analysis/queries.py build_rollups makes in memory:
                                               facts, theme_bits, day_total, day_theme, day_topic;
                                               and cards (analysis/lake/rollups.py CARDS_SELECT)
    DIR/_lake.json                              what wrote it: format version, tables, model version

``month`` is the item's published month (``unknown`` when it has no date); the rows of the other
tables carry their item's month, so one month's partitions hold one month's items and everything
about them. Hive-style partition folders: DuckDB reads them with ``hive_partitioning``, Spark with
its partition discovery.
"""

from __future__ import annotations

LAKE_FORMAT = 1
MANIFEST = "_lake.json"
UNKNOWN_MONTH = "unknown"
ITEM_TABLES = ("items", "item_themes", "claims", "analysed", "item_topics")
TABLES = ITEM_TABLES + ("topics",)
ROLLUPS = ("facts", "theme_bits", "day_total", "day_theme", "day_topic")
# A lake's own rollup besides the dashboard's: each item as an item list shows it, in date order.
CARDS = "cards"
