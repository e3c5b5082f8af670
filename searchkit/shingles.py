"""Word shingles: how much two texts are the same text, for telling a rewrite of a story from another one.

A text's shingles are its runs of :data:`SHINGLE_WORDS` consecutive indexed words (folded and stemmed, so
"Prices rose" and "prices rising" agree); two texts' resemblance is the Jaccard index of their shingle
sets (Broder, 1997). Wire rewrites of one story share most shingles; two stories on one subject share
few, even with the same vocabulary.

A :func:`sketch` keeps a text's :data:`SKETCH_SIZE` smallest shingle hashes (Broder's bottom-k sketch):
small and fixed in size, it estimates the resemblance of two texts without their shingles
(:func:`resemblance`), exactly for texts shorter than the sketch. Computing it costs a C-level
selection over the shingles, so every article gets one at index time (see :mod:`searchkit.stories`).
"""

from __future__ import annotations

import array
import heapq
import zlib

from searchkit.analysis import analyze
from searchkit.articles import Article

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
    if len(words) < SHINGLE_WORDS:
        return frozenset([_hash(words)]) if words else frozenset()
    # Every step a C-level map over bytes encoded once: an article is shingled at index time, and a
    # Python loop per shingle cost more than analysing the text.
    encoded = " ".join(words).encode("utf-8").split(b" ")
    runs = zip(*(encoded[start:] for start in range(SHINGLE_WORDS)), strict=False)  # the shorter ones end it
    return frozenset(map(zlib.crc32, map(b" ".join, runs)))


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
    return _smallest(shingles_of(analyze(article.headline) + analyze(article.body)))


def sketch(text: str) -> Sketch:
    """The :data:`SKETCH_SIZE` smallest shingle hashes of ``text`` (all of them for a short text)."""
    return _smallest(shingles(text))


def _smallest(hashed: frozenset[int]) -> Sketch:
    return array.array("I", heapq.nsmallest(SKETCH_SIZE, hashed)).tobytes()  # ascending


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


def _hash(words: list[str]) -> int:
    return zlib.crc32(" ".join(words).encode("utf-8"))
