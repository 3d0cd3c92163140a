"""Counts in words, for the command line's summaries and the dashboard: "1 item", "2,000 items"."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None, *, thousands: bool = True) -> str:
    """``count`` and the noun in the number it needs: plural(1, "item") -> "1 item",
    plural(2, "copy", "copies") -> "2 copies", plural(1500, "file") -> "1,500 files"."""
    noun = singular if count == 1 else (plural_form or singular + "s")
    return f"{count:,} {noun}" if thousands else f"{count} {noun}"
