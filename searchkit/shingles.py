"""Word shingles: how much two texts are the same text, for telling a rewrite of a story from another one.

A text's shingles are its runs of :data:`SHINGLE_WORDS` consecutive indexed words (folded and stemmed, so
"Prices rose" and "prices rising" agree); two texts' resemblance is the Jaccard index of their shingle
sets (Broder, 1997). Wire rewrites of one story share most shingles; two stories on one subject share
few, even with the same vocabulary.
"""

from __future__ import annotations

import zlib

from searchkit.analysis import analyze

SHINGLE_WORDS = 4
#: Texts at least this alike are near-duplicates (the same story rewritten).
NEAR_DUPLICATE = 0.6


def shingles(text: str) -> frozenset[int]:
    """The hashed shingles of ``text`` (a text shorter than one shingle is one shingle of its words)."""
    words = analyze(text)
    if len(words) < SHINGLE_WORDS:
        return frozenset([_hash(words)]) if words else frozenset()
    return frozenset(_hash(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1))


def jaccard(left: frozenset[int], right: frozenset[int]) -> float:
    """How alike two shingle sets are: shared over all, 0.0 to 1.0 (0.0 when both are empty)."""
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def _hash(words: list[str]) -> int:
    return zlib.crc32(" ".join(words).encode("utf-8"))
