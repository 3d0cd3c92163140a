"""How each claim type is drawn on the Claims tracker: a registry, and the points of its chart.

Pure pandas (no Streamlit), so dashboard/data.py can cache the prepared points and the tests can
check them. Adding a claim type is adding a row to ``CLAIM_VIEWS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from analysis.revisions import target_text
from dashboard import charts

UNIT_LABELS = MappingProxyType({"pct_gdp": "% of GDP", "eur": "Euros", "usd": "US dollars"})


def _deployment_label(value: object, details: object) -> str:
    """What was sent, with what the size counts ("2 helicopters", "4 battalions"); a force without a size by its unit."""
    place = charts.details_field(details, "place")
    counted = charts.details_field(details, "counted")
    if value is not None and not pd.isna(value) and counted:
        text = f"{float(value):,.0f} {counted}"
    else:
        text = charts.details_field(details, "unit") or "a force"
    return text + (f" in {place}" if place else "")


def _migration_label(value: object, details: object) -> str:
    counted = charts.details_field(details, "counted") or "people"
    period = charts.details_field(details, "period")
    text = f"{float(value):,.0f} {counted}" if value is not None and not pd.isna(value) else str(counted)
    return text + (f" {period}" if period else "")  # the period reads whole: "per day", "since August 2021"


def _actor(actor: object, details: object) -> str:
    return str(actor) if isinstance(actor, str) and actor else "unspecified"


def _place(actor: object, details: object) -> str:
    return str(charts.details_field(details, "place") or _actor(actor, details))


@dataclass(frozen=True, slots=True)
class ClaimView:
    """How one claim type is drawn: its tab, y axis, grouping and point label.

    ``label`` and ``group`` take a claim's value (or actor) and its JSON details; spending
    claims are labelled by :func:`analysis.revisions.target_text` (values in words).
    """

    claim_type: str
    tab: str
    title: str
    y_title: str
    label: Callable[[object, object], str] | None
    group: Callable[[object, object], str]
    connect: bool
    legend: str


CLAIM_VIEWS: tuple[ClaimView, ...] = (
    ClaimView("spending", "Spending", "Defence-spending claims by actor", "% of GDP",
              None, _actor, True, "Actor"),
    ClaimView("deployment", "Deployments", "Deployment claims by nation", "Size (people or units)",
              _deployment_label, _actor, False, "Nation"),
    ClaimView("migration", "Migration", "Border-crossing figures by place", "People",
              _migration_label, _place, False, "Place"),
)


def prepare(claims: pd.DataFrame, view: ClaimView, *, unit: str | None = None) -> pd.DataFrame:
    """The points of one claim chart: label, group, hover text and marker per claim."""
    rows = claims if unit is None else claims[claims["unit"] == unit]
    rows = rows[rows["value"].notna() & rows["stated"].notna()]
    if view.label is None:  # '2.5 % by 2030', '615 million EUR in 2019', '5–6 % for 2026–2030'
        columns = (rows[c].tolist() for c in ("value", "value_high", "year", "year_high", "unit", "kind"))
        labels = pd.Series([target_text(v, vh, y, yh, u, actual=k == "actual") for v, vh, y, yh, u, k in zip(*columns)],
                           index=rows.index, dtype=object)
    else:
        labels = pd.Series([view.label(v, d) for v, d in zip(rows["value"], rows["details"])],
                           index=rows.index, dtype=object)
    groups = pd.Series([view.group(a, d) for a, d in zip(rows["actor"], rows["details"])], index=rows.index,
                       dtype=object)
    symbols = np.where(rows["kind"].eq("actual").to_numpy(dtype=bool, na_value=False), "diamond", "circle")
    prepared = rows.assign(label=labels, group=groups, symbol=symbols)
    return prepared.assign(hover=charts.claim_hovers(prepared))


def claim_view(claim_type: str) -> ClaimView:
    for view in CLAIM_VIEWS:
        if view.claim_type == claim_type:
            return view
    raise KeyError(f"no claim view {claim_type!r}; known: {', '.join(v.claim_type for v in CLAIM_VIEWS)}")
