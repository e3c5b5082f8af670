"""Edit distance between words, for fuzzy words (``petrolium~``) and "did you mean".

The distance is the optimal string alignment one: insertions, deletions, substitutions and swaps of two
neighbours each count one edit (``"teh"`` is one edit from ``"the"``), as Lucene's fuzzy queries count
them. It comes from RapidFuzz, whose C++ loops over a vocabulary are two orders of magnitude faster than
Python's: a fuzzy word compares itself with every indexed word of its first letter.
"""

from __future__ import annotations

from typing import Iterable

# RapidFuzz is imported on first use: a cold query without fuzzy words or suggestions never needs it.


def edit_distance(a: str, b: str) -> int:
    """The edits (insert, delete, substitute, swap neighbours) turning ``a`` into ``b``."""
    from rapidfuzz.distance import OSA

    return int(OSA.distance(a, b))


def within_edits(word: str, distance: int, candidates: Iterable[str]) -> list[str]:
    """The ``candidates`` at most ``distance`` edits from ``word`` that share its first letter, sorted
    (engines list candidates by that first letter, as a prefix's words)."""
    from rapidfuzz.distance import OSA

    return sorted(c for c in candidates if c[:1] == word[:1] and abs(len(c) - len(word)) <= distance
                  and OSA.distance(word, c, score_cutoff=distance) <= distance)
