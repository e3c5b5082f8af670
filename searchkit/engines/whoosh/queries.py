"""searchkit's own Whoosh query classes, for what Whoosh's classes get wrong or do slowly.

They are ``whoosh.query.Query`` objects so that a compiled query prints as one tree (``--explain``) and
``iter_all_terms`` finds its words (snippets), but only ``evaluate.py`` runs them: their ``matcher()``
refuses, so a stray call into Whoosh's document-at-a-time search fails loudly instead of answering wrong.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional, Sequence

from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.searching import Searcher


def _not_a_whoosh_matcher(self: wq.Query, searcher: Searcher, context: Any = None) -> Any:
    """searchkit's own query classes are evaluated by ``evaluate.py``, never by Whoosh's matchers."""
    raise TypeError(f"{type(self).__name__} is evaluated by searchkit, not by Whoosh's searcher")


class DateColumnRange(wq.Query):
    """Articles dated from ``start`` to ``end`` (inclusive ordinals; ``None`` is open), answered from
    the date column (:class:`~searchkit.engines.whoosh.columns.DateColumn`), not the inverted index.
    It scores nothing, so it filters without changing the ranking.
    """

    def __init__(self, start: Optional[int], end: Optional[int]) -> None:
        self.start = start
        self.end = end
        self.boost = 1.0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DateColumnRange) and (other.start, other.end) == (self.start, self.end)

    def __hash__(self) -> int:
        return hash((type(self), self.start, self.end))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.start!r}, {self.end!r})"

    def __str__(self) -> str:
        start = dt.date.fromordinal(self.start).isoformat() if self.start else "*"
        end = dt.date.fromordinal(self.end).isoformat() if self.end else "*"
        return f"date-column:[{start} TO {end}]"

    def is_leaf(self) -> bool:
        return True

    def estimate_size(self, ixreader: IndexReader) -> int:  # the column is read whole
        return ixreader.doc_count_all()

    matcher = _not_a_whoosh_matcher


class LanguageIs(wq.Query):
    """Articles in one of ``codes``, from the ``language`` field's postings; scores nothing."""

    def __init__(self, codes: Sequence[str]) -> None:
        self.codes = tuple(codes)
        self.boost = 1.0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LanguageIs) and other.codes == self.codes

    def __hash__(self) -> int:
        return hash((type(self), self.codes))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.codes!r})"

    def __str__(self) -> str:
        return "language:(" + " OR ".join(self.codes) + ")"

    def is_leaf(self) -> bool:
        return True

    def estimate_size(self, ixreader: IndexReader) -> int:
        return sum(ixreader.doc_frequency("language", code) for code in self.codes)

    matcher = _not_a_whoosh_matcher


class AtLeast(wq.CompoundQuery):
    """Documents matched by at least ``minimum`` of the subqueries, scored by the sum of their scores.

    Whoosh's ``Or(minmatch=...)`` accepts a minimum but ignores it. Subqueries are kept as given, never
    merged into their parent: ``Or(headline:w, body:w)`` is one word, counted once.
    """

    JOINT = " OR "

    def __init__(self, subqueries: Sequence[wq.Query], minimum: int, boost: float = 1.0) -> None:
        super().__init__(list(subqueries), boost=boost)
        self.minimum = minimum

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and self.minimum == other.minimum  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((super().__hash__(), self.minimum))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.subqueries!r}, minimum={self.minimum})"

    def __str__(self) -> str:
        return f"({self.JOINT.join(str(q) for q in self.subqueries)})@{self.minimum}"

    matcher = _not_a_whoosh_matcher


class Without(wq.AndNot):
    """``positive``'s matches less ``negative``'s.

    Not Whoosh's ``AndNot``, whose matcher checks its first match only when both lists start on the
    same document: ``bookings -an`` returned an article holding "an" (the first match in its segment).
    """

    matcher = _not_a_whoosh_matcher


class WithBonus(wq.CompoundQuery):
    """``query``'s matches, each scoring extra by what the optional ``bonus`` query scores on it (what
    Whoosh's ``AndMaybe`` means); the bonus is scored only on ``query``'s matches."""

    JOINT = " ANDMAYBE "

    def __init__(self, query: wq.Query, bonus: wq.Query, boost: float = 1.0) -> None:
        super().__init__([query, bonus], boost=boost)

    matcher = _not_a_whoosh_matcher


class Near(wq.Phrase):
    """Two words of ``fieldname``, the second 1 to ``slop`` positions after the first, scored as Lucene
    and Tantivy score a phrase (BM25 of how often the pair occurs so, with the sum of the words' idf),
    not as Whoosh's ``Phrase`` (the sum of its words' own scores): the proximity bonus of a long query
    (``walk.TreeCompiler.proximity``) then weighs the same on every engine."""

    matcher = _not_a_whoosh_matcher


class Constant(wq.ConstantScoreQuery):
    """``child``'s matches, each scoring ``score`` (the coverage reward of a long query's words); printed
    with its score, which Whoosh's own class leaves out."""

    def __str__(self) -> str:
        return f"{self.child}={self.score:.3g}"

    matcher = _not_a_whoosh_matcher


def boosted(query: wq.Query, boost: float) -> wq.Query:
    query = query.copy()
    query.boost = query.boost * boost  # nested boosts multiply, as on the other engines
    return query


def and_of(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.And(queries)


def or_of(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)
