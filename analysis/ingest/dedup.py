"""Near-duplicate stories: MinHash LSH bands find candidates, a SimHash distance confirms them.

The same wire story in two outlets, or a page saved twice with an edited line, keeps most of its
word 3-shingles. MinHash (32 values in 8 bands of 4) makes such pairs share at least one band with
high probability (Jaccard 0.7 -> 0.89, 0.85 -> 0.996) while articles written from one template
(Jaccard ~0.2) almost never do; a 64-bit SimHash within MAX_DISTANCE bits then confirms the pair
(measured: near-duplicates 9-12 bits apart, template-alike articles 22, unrelated ones ~32).

Which copy a story is counted and shown by (its canonical item, ``duplicate_of IS NULL``) is the
richest one, not the first ingested: see :func:`richness`.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from analysis.model import normalise_text

MIN_WORDS = 40
MAX_DISTANCE = 16
BANDS = 8
_ROWS = 4
_SEEDS = np.random.default_rng(20240601)
_A = _SEEDS.integers(1, 2**63, size=BANDS * _ROWS, dtype=np.uint64) | np.uint64(1)
_B = _SEEDS.integers(0, 2**63, size=BANDS * _ROWS, dtype=np.uint64)
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5],
                dtype=np.uint64)
del _SEEDS


# (precise published time, UTF-8 bytes of text, related headlines), compared in that order
Richness = tuple[bool, int, int]


def richness(*, precise_time: bool, text: str, headlines: int) -> Richness:
    """How much a copy of a story tells the analyst; the richest copy is the story's canonical item.

    A published time beats a date only (the page with "14:26" over the feed entry with its day),
    then more text, then more related headlines linked to the page. Copies that tie keep the
    earlier one. The store computes the same from its columns (``published_at``,
    ``published_approximate``, ``strlen(text)``, items whose ``parent_id`` is the copy).
    """
    return (precise_time, len(text.encode("utf-8")), headlines)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    simhash: int
    bands: tuple[int, ...]


def fingerprint(text: str) -> Fingerprint | None:
    """The fingerprint of a text, or None for texts too short to fingerprint reliably."""
    words = normalise_text(text).split()
    if len(words) < MIN_WORDS:
        return None
    hashes = _shingle_hashes(words)
    bits = np.unpackbits(hashes.view(np.uint8)).reshape(-1, 64)
    simhash = int(np.packbits(bits.sum(axis=0) * 2 > len(hashes)).view(">u8")[0])
    with np.errstate(over="ignore"):
        signature = (np.multiply.outer(_A, hashes) + _B[:, None]).min(axis=1)
        bands = (signature.reshape(BANDS, _ROWS) * _MIX).sum(axis=1)
    return Fingerprint(simhash, tuple(int(b) for b in bands))


def _shingle_hashes(words: list[str]) -> np.ndarray:
    """64-bit hashes of word 3-shingles: each word hashed once, shingles mixed in numpy (splitmix64)."""
    w = np.fromiter((zlib.crc32(word.encode("utf-8")) for word in words), dtype=np.uint64, count=len(words))
    with np.errstate(over="ignore"):
        z = w[:-2] * _MIX[0] + w[1:-1] * _MIX[1] + w[2:] * _MIX[2]
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


class NearDuplicateIndex:
    """Fingerprints already stored (numpy arrays sorted per band) plus those added during a run."""

    def __init__(self, ids: list[str], simhashes: np.ndarray, bands: np.ndarray | list[list[int]]):
        self.ids_ = list(ids)
        self.simhashes_ = np.asarray(simhashes, dtype=np.uint64)
        bands = np.asarray(bands, dtype=np.uint64).reshape(len(self.ids_), BANDS)
        self.sorted_bands_ = []
        for band in range(BANDS):
            order = np.argsort(bands[:, band], kind="stable")
            self.sorted_bands_.append((bands[order, band], order))
        self.added_: list[defaultdict[int, list[tuple[int, str, int]]]] = [defaultdict(list) for _ in range(BANDS)]
        self.added_count_ = 0
        self.retired_: set[str] = set()

    def find(self, print_: Fingerprint) -> str | None:
        """The id of the earliest stored (else added) story copy that is a near-duplicate, if any."""
        best: int | None = None
        for band, key in enumerate(print_.bands):
            keys, order = self.sorted_bands_[band]
            lo, hi = np.searchsorted(keys, np.uint64(key), "left"), np.searchsorted(keys, np.uint64(key), "right")
            for position in order[lo:hi]:
                if self.retired_ and self.ids_[position] in self.retired_:
                    continue
                if distance(int(self.simhashes_[position]), print_.simhash) <= MAX_DISTANCE:
                    best = int(position) if best is None else min(best, int(position))
        if best is not None:
            return self.ids_[best]
        earliest: tuple[int, str] | None = None  # the first added, as it would be once stored
        for band, key in enumerate(print_.bands):
            for order, item_id, other in self.added_[band].get(key, ()):
                if item_id in self.retired_:
                    continue
                if distance(other, print_.simhash) <= MAX_DISTANCE and (earliest is None or order < earliest[0]):
                    earliest = (order, item_id)
        return earliest[1] if earliest else None

    def add(self, item_id: str, print_: Fingerprint) -> None:
        order = self.added_count_
        self.added_count_ += 1
        for band, key in enumerate(print_.bands):
            self.added_[band][key].append((order, item_id, print_.simhash))

    def retire(self, item_id: str) -> None:
        """``item_id`` no longer stands for its story (a richer copy took over): never found again.

        The store agrees: only items with ``duplicate_of IS NULL`` are loaded into a new index.
        """
        self.retired_.add(item_id)
