"""One colour per thing, on every chart and in every export.

A colour depends only on the thing it stands for, never on what else is in the frame, so two
charts exported for one briefing agree. Themes take the taxonomy's colour (data/themes.toml,
Paul Tol's muted scheme by default). Actors and outlets come from :data:`PALETTE`: its first
eight slots are Okabe and Ito's colour-blind-safe set, held by the actors Baltic and NATO news
names most (:data:`FIXED`); any other name is hashed (a stable hash, not Python's salted one)
into the slots nobody holds. Discovered topics take the palette in the order of their ids.

:func:`too_close` is the check: the Lab distance between two colours, as people with normal
vision and the two common red-green deficiencies see them (Machado, Oliveira and Fernandes,
2009, severity 1).
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Literal

Vision = Literal["normal", "deuteranopia", "protanopia"]

# The first eight: Okabe-Ito (its yellow, unreadable on white, swapped for Tol's wine). After
# them, distinct for normal vision but not guaranteed apart under colour-vision deficiency.
SAFE_SLOTS = 8
PALETTE: tuple[str, ...] = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#882255",
    "#332288", "#999933", "#8C564B", "#DDCC77", "#225555", "#EE8866",
)
FALLBACK = "#8C99A6"  # things with no name ("unspecified"), never a palette colour

# Who holds which colour-blind-safe slot: a row per actor, names as the claim extractors write them.
FIXED: Mapping[str, str] = MappingProxyType({
    "Lithuania": "#E69F00",
    "Latvia": "#882255",
    "Estonia": "#0072B2",
    "Poland": "#D55E00",
    "NATO": "#000000",
    "United States": "#56B4E9",
    "Germany": "#009E73",
    "United Kingdom": "#CC79A7",
})
FREE: tuple[str, ...] = tuple(c for c in PALETTE if c not in set(FIXED.values()))
UNNAMED = frozenset({"", "unspecified", "unknown", "none", "nan"})

# linear-RGB matrices simulating each vision (Machado et al. 2009, severity 1.0)
_VISION: Mapping[str, tuple[tuple[float, float, float], ...] | None] = MappingProxyType({
    "normal": None,
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
})


def _stable_index(name: str, slots: int) -> int:
    digest = hashlib.blake2b(name.casefold().encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % slots


def colour(name: object) -> str:
    """The colour of an actor, outlet or place: its fixed slot, else a stable hash into the free ones."""
    text = "" if name is None else " ".join(str(name).split())
    if text.casefold() in UNNAMED:
        return FALLBACK
    fixed = FIXED.get(text)
    if fixed is not None:
        return fixed
    return FREE[_stable_index(text, len(FREE))]


def colours(names: Iterable[object], *, known: Mapping[str, str] | None = None) -> dict[str, str]:
    """A colour per name: ``known`` (the taxonomy's) where it has one, else :func:`colour`."""
    known = known or {}
    return {str(name): known.get(str(name)) or colour(name) for name in names}


def topic_colour(topic_id: object) -> str:
    """A discovered topic's colour: by its id, which the store keeps across refits."""
    try:
        index = int(str(topic_id))
    except ValueError:
        return colour(topic_id)
    return PALETTE[index % len(PALETTE)]


def theme_colours(keys: Iterable[str], taxonomy_colours: Mapping[str, str]) -> dict[str, str]:
    """Themes in the taxonomy's colours; a stored theme the taxonomy lacks gets a stable one."""
    return colours(keys, known=taxonomy_colours)


def _lab(hex_colour: str, vision: Vision = "normal") -> tuple[float, float, float]:
    value = hex_colour.lstrip("#")
    srgb = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in srgb]
    matrix = _VISION[vision]
    if matrix is not None:
        r, g, b = [min(1.0, max(0.0, row[0] * r + row[1] * g + row[2] * b)) for row in matrix]
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def distance(first: str, second: str, *, vision: Vision = "normal") -> float:
    """How far apart two colours look (CIE76 Delta E: about 2.3 is just noticeable, 20 plainly apart)."""
    return math.dist(_lab(first, vision), _lab(second, vision))


def too_close(named: Mapping[str, str], *, min_distance: float = 20.0,
              vision: Vision = "normal") -> list[tuple[str, str, float]]:
    """The pairs of ``named`` colours closer than ``min_distance``: what a legend could not tell apart."""
    return [(a, b, round(d, 1)) for (a, ca), (b, cb) in itertools.combinations(named.items(), 2)
            if (d := distance(ca, cb, vision=vision)) < min_distance]
