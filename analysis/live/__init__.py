"""Following sources as they publish: the fetch and poll layer under the live monitor.

Nothing here writes to the store. ``poll_source`` fetches one source and returns its new items as
groups, one per fetched feed body, with the source's next state; the store's owner writes them.

>>> sources = load_sources(Path("data/sources.toml"))  # doctest: +SKIP
>>> with Fetcher() as fetcher:  # doctest: +SKIP
...     result = poll_source(sources[0], SourceState(), fetcher, archive=Archive(Path("archive")),
...                          known_ids=store_known_ids)
"""

from analysis.live.archive import Archive, ArchiveEntry
from analysis.live.fetch import FETCH_ERROR_KINDS, Fetched, Fetcher, FetchError, default_user_agent
from analysis.live.poll import ItemGroup, PollError, PollResult, SourceState, due, poll_source
from analysis.live.sources import Source, SourcesError, load_sources, parse_sources

__all__ = [
    "FETCH_ERROR_KINDS", "Archive", "ArchiveEntry", "Fetched", "FetchError", "Fetcher", "ItemGroup", "PollError",
    "PollResult", "Source", "SourceState", "SourcesError", "default_user_agent", "due", "load_sources",
    "parse_sources", "poll_source",
]
