"""Word shingles: how much two texts are the same text, for telling a rewrite of a story from another one.

A text's shingles are its runs of :data:`SHINGLE_WORDS` consecutive indexed words (folded and stemmed, so
"Prices rose" and "prices rising" agree); two texts' resemblance is the Jaccard index of their shingle
sets (Broder, 1997). Wire rewrites of one story share most shingles; two stories on one subject share
few, even with the same vocabulary.

A :func:`sketch` keeps a text's :data:`SKETCH_SIZE` smallest shingle hashes (Broder's bottom-k sketch):
small and fixed in size, it estimates the resemblance of two texts without their shingles
(:func:`resemblance`), exactly for texts shorter than the sketch. Computing it costs a C-level
selection over the shingles, so every article gets one at index time (see :mod:`searchkit.news.stories`).
"""

from __future__ import annotations

import array
import sys
from typing import NamedTuple

from searchkit.articles import Article
from searchkit.text.analysis import analyze
from searchkit.text.facts import Facts, facts, word_codes

SHINGLE_WORDS = 4
#: Texts at least this alike are near-duplicates (the same story rewritten).
NEAR_DUPLICATE = 0.4
#: How many hashes a sketch keeps: the estimate's standard error is about 0.06 at a resemblance of 0.6.
SKETCH_SIZE = 64

#: A text's smallest shingle hashes, ascending, packed as unsigned 32-bit integers (machine order): a
#: million of them must fit in memory during a build.
Sketch = bytes


def shingles(text: str) -> frozenset[int]:
    """The hashed shingles of ``text`` (a text shorter than one shingle is one shingle of its words)."""
    return shingles_of(analyze(text))


def shingles_of(words: list[str]) -> frozenset[int]:
    """The hashed shingles of a text analysed into ``words``."""
    return frozenset(_shingle_hashes(words))


def _shingle_hashes(words: list[str]) -> list[int]:
    """Each shingle's hash, in order (repeated shingles repeat).

    A shingle's hash is Python's hash of its words' CRC-32s as a tuple: unlike the hash of a string, it
    is the same in every process (:data:`HASHING` names it, so stories made by a Python that hashes
    otherwise are made again), and every step is a C-level map. An article is shingled at index time,
    where a Python loop per shingle cost more than analysing the text.
    """
    codes = word_codes(words)
    if 0 < len(codes) < SHINGLE_WORDS:
        codes += [0] * (SHINGLE_WORDS - len(codes))  # a text shorter than a shingle is one shingle
    return list(map(hash, zip(*(codes[start:] for start in range(SHINGLE_WORDS)), strict=False)))


#: Names the shingle hashing (see :func:`_shingle_hashes`): part of the stories' settings.
HASHING = f"crc32 tuple hash {hash((1, 2, 3, 4)) & 0xFFFFFFFF:08x}/{sys.hash_info.width}"


def jaccard(left: frozenset[int], right: frozenset[int]) -> float:
    """How alike two shingle sets are: shared over all, 0.0 to 1.0 (0.0 when both are empty)."""
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def article_text(article: Article) -> str:
    """The text of an article that its shingles are taken from: headline and body."""
    return article.headline + "\n" + article.body


def article_sketch(article: Article) -> Sketch:
    """:func:`sketch` of :func:`article_text`, from the headline's and body's words (which the engine
    has usually just analysed: see ``Analyzer.words``)."""
    return _smallest(_shingle_hashes(analyze(article.headline) + analyze(article.body)))


def sketch(text: str) -> Sketch:
    """The :data:`SKETCH_SIZE` smallest shingle hashes of ``text`` (all of them for a short text)."""
    return _smallest(_shingle_hashes(analyze(text)))


_HASH_MIN = -(2 ** (sys.hash_info.width - 1))
_TO_32_BITS = sys.hash_info.width - 32


def _smallest(hashed: list[int]) -> Sketch:
    """The :data:`SKETCH_SIZE` smallest distinct values of ``hashed``, ascending, each cut to its top 32
    bits (an order-keeping cut: the selection is the same, and a sketch half the size)."""
    chosen = None
    if len(hashed) > 2 * SKETCH_SIZE:
        # The smallest of n uniform values almost surely lie in the lowest 2 * SKETCH_SIZE / n of the
        # range (fewer than half the expected number there: 6 standard deviations below), so those are
        # kept first (a C-level filter), leaving a short sort instead of one over all.
        limit = _HASH_MIN + (2 * SKETCH_SIZE << sys.hash_info.width) // len(hashed)
        likely = sorted(set(filter(limit.__gt__, hashed)))
        if len(likely) >= SKETCH_SIZE:
            chosen = likely[:SKETCH_SIZE]
    if chosen is None:
        chosen = sorted(set(hashed))[:SKETCH_SIZE]
    return array.array("I", [(value - _HASH_MIN) >> _TO_32_BITS for value in chosen]).tobytes()


def hashes(packed: Sketch) -> array.array[int]:
    """The hashes of a sketch, ascending."""
    values = array.array("I")
    values.frombytes(packed)
    return values


def resemblance(left: Sketch, right: Sketch) -> float:
    """Estimated Jaccard index of the two texts sketched: the share of the union's smallest hashes that
    both sketches hold (exact when both texts have fewer shingles than a sketch keeps)."""
    if not left or not right:
        return 0.0
    mine, theirs = set(hashes(left)), set(hashes(right))
    both = mine.intersection(theirs)
    union = sorted(mine.union(theirs))[:SKETCH_SIZE]  # at most twice a sketch: a C sort beats a heap
    return sum(1 for value in union if value in both) / len(union)


class Signature(NamedTuple):
    """What stories are told apart by: an article's date (as an ordinal), its text's sketch, and the
    figures and names it states (:mod:`searchkit.text.facts`)."""

    day: int
    sketch: Sketch
    facts: Facts


def signature(article: Article) -> Signature:
    """The signature of ``article`` (its headline and body, sketched, and their facts)."""
    return Signature(article.date.toordinal(), article_sketch(article), facts(article.headline, article.body))
