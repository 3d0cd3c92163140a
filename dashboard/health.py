"""The Sources page's table: each source's health as an analyst reads it ("5 min ago", "in 10 min")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd


def _ago(value: Any, now: datetime) -> str:
    if value is None or pd.isna(value):
        return ""
    seconds = (now - value).total_seconds()
    if seconds < 0:
        return f"in {_span(-seconds)}"
    return f"{_span(seconds)} ago"


def _span(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} d"


def health_frame(rows: list[dict[str, Any]], *, now: datetime) -> pd.DataFrame:
    """The table as shown: times as "5 min ago" / "in 10 min", the error with its kind."""
    frame = pd.DataFrame(rows, columns=["name", "status", "outlet", "last_success", "last_error_kind", "last_error",
                                        "last_error_at", "items", "per_day", "next_poll", "interval_min", "url"])
    return frame.assign(
        last_success=[_ago(v, now) for v in frame["last_success"]],
        last_error=[f"{kind}: {error} ({_ago(at, now)})" if error else ""
                    for kind, error, at in zip(frame["last_error_kind"], frame["last_error"], frame["last_error_at"])],
        next_poll=[_ago(v, now) if v is not None and not pd.isna(v) else ("now" if s in ("ok", "not polled yet", "failing") else "")
                   for v, s in zip(frame["next_poll"], frame["status"])],
    ).drop(columns=["last_error_kind", "last_error_at"])
