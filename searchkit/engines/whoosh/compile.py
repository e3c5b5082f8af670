"""Compiling searchkit's query tree into a Whoosh query.

A word or phrase without a field searches the headline (weighted :data:`HEADLINE_BOOST`) and the body.
Prefixes and wildcards are expanded against the reader here, under per-pattern and per-query caps, so a
query that would expand to thousands of words fails at once with the position of the culprit. For
relevance sorts, plain word queries get an optional headline-phrase bonus; date sorts never run it, and
explain says so.
"""

from __future__ import annotations

import itertools
from typing import Callable, Iterable, Iterator, Optional

from whoosh import query as wq
from whoosh.reading import IndexReader

from searchkit.engines.rules import (
    BONUS_BOOST,
    HEADLINE_BOOST,
    MAX_PREFIX_TERMS,
    ExpansionBudget,
    bonus_words,
    literal_prefix,
    scaled_minimum,
    split_and,
    split_prefix,
    split_wildcard,
    wildcard_matcher,
)
from searchkit.engines.whoosh.analysis import analyze
from searchkit.engines.whoosh.queries import (
    AtLeast,
    DateColumnRange,
    WithBonus,
    Without,
    and_of,
    boosted,
    or_of,
)
from searchkit.query import tree as t


def compile_query(reader: IndexReader, node: t.Node, query_text: str = "", *, ranked: bool = True,
                  date_filter: Optional[t.DateRange] = None) -> wq.Query:
    """The Whoosh query that runs for ``node``: with the headline bonus when ``ranked`` (a relevance
    sort), and AND-ed with ``date_filter``, which scores nothing."""
    query = Compiler(reader, query_text).compile(node)
    bonus = headline_phrase_bonus(node) if ranked else None
    if bonus is not None:
        query = WithBonus(query, bonus)
    if date_filter is not None:
        query = wq.And([query, date_range(date_filter)])
    return query


class Compiler:
    """Turns a query tree into a Whoosh query against one reader (prefix expansion needs it)."""

    def __init__(self, reader: IndexReader, query_text: str = "") -> None:
        self.reader = reader
        self.budget = ExpansionBudget(query_text)

    def compile(self, node: t.Node) -> wq.Query:
        """The Whoosh query for ``node``; :class:`whoosh.query.NullQuery` when nothing can match."""
        compiled = self._compile(node)
        if compiled is None:
            return wq.NullQuery
        return compiled

    def _compile(self, node: t.Node) -> Optional[wq.Query]:
        if isinstance(node, t.Term):
            return self._each_field(node.field, lambda f: self._words(f, node.text, slop=1))
        if isinstance(node, t.Phrase):
            return self._each_field(node.field, lambda f: self._words(f, node.text, slop=node.slop + 1))
        if isinstance(node, t.Prefix):
            return self._each_field(node.field, lambda f: self._prefix(f, node.text))
        if isinstance(node, t.Wildcard):
            return self._each_field(node.field, lambda f: self._wildcard(f, node.text))
        if isinstance(node, t.DateRange):
            return date_range(node)
        if isinstance(node, t.MatchAll):
            return wq.Every()
        if isinstance(node, t.Not):
            inner = self._compile(node.child)
            return wq.Every() if inner is None else Without(wq.Every(), inner)
        if isinstance(node, t.And):
            return self._and(node)
        if isinstance(node, t.Or):
            return self._or(node)
        raise TypeError(f"not a query node: {node!r}")

    def _and(self, node: t.And) -> Optional[wq.Query]:
        positives, negatives = split_and(node, self._compile)
        required = and_of(positives) if positives else wq.Every()
        if not negatives:
            return required if positives else None
        return Without(required, or_of(negatives))

    def _or(self, node: t.Or) -> Optional[wq.Query]:
        compiled = [c for c in (self._compile(child) for child in node.children) if c is not None]
        if not compiled:
            return None
        minimum = scaled_minimum(node, len(compiled))
        if minimum <= 1:
            return or_of(compiled)
        return AtLeast(compiled, minimum)

    def _each_field(
        self, field: Optional[str], make: Callable[[str], Optional[wq.Query]]
    ) -> Optional[wq.Query]:
        if field is not None:
            return make(field)
        headline, body = make("headline"), make("body")
        if headline is None:
            return None
        return wq.Or([boosted(headline, HEADLINE_BOOST), body])

    def _words(self, field: str, text: str, *, slop: int) -> Optional[wq.Query]:
        words = analyze(text)
        if not words:
            return None
        if len(words) == 1:
            return wq.Term(field, words[0])
        return wq.Phrase(field, words, slop=slop)

    def _prefix(self, field: str, text: str) -> Optional[wq.Query]:
        split = split_prefix(text)
        if split is None:
            return None
        expansion = self.reader.expand_prefix(field, split.pattern)
        self.budget.spend(text, f"prefix '{text}*'", _counted(expansion))
        return self._after_words(field, split.others, wq.Prefix(field, split.pattern))

    def _wildcard(self, field: str, text: str) -> Optional[wq.Query]:
        split = split_wildcard(text)
        if split is None:
            return None
        self.budget.check_wildcard(text, split.pattern)
        words = wildcard_words(self.reader, field, split.pattern)
        self.budget.spend(text, f"wildcard '{text}'", _counted(words))
        return self._after_words(field, split.others, wq.Wildcard(field, split.pattern))

    def _after_words(self, field: str, words: list[str], query: wq.Query) -> wq.Query:
        """``query`` AND-ed with the other words of its text ("u.s-bo*": u.s must match as it is)."""
        if not words:
            return query
        return wq.And([*(wq.Term(field, w) for w in words), query])


def _counted(words: Iterable[object]) -> int:
    """How many ``words`` there are, counting no further than one past the cap."""
    return sum(1 for _ in itertools.islice(words, MAX_PREFIX_TERMS + 1))


def wildcard_words(reader: IndexReader, field: str, pattern: str) -> Iterator[str]:
    """The indexed words of ``field`` that ``pattern`` matches (``?`` one character, ``*`` any run)."""
    matcher = wildcard_matcher(pattern)
    for word in reader.expand_prefix(field, literal_prefix(pattern)):
        text = word.decode("utf-8") if isinstance(word, bytes) else word
        if matcher.match(text):
            yield text


def date_range(node: t.DateRange) -> wq.Query:
    """The Whoosh query for an inclusive date range."""
    if node.is_empty:
        return wq.NullQuery
    if node.start is None and node.end is None:
        return wq.Every()
    return DateColumnRange(
        node.start.toordinal() if node.start else None,
        node.end.toordinal() if node.end else None,
    )


def headline_phrase_bonus(node: t.Node) -> Optional[wq.Query]:
    """An optional clause lifting articles whose headline holds a plain word query's words in order."""
    words = bonus_words(node)
    return boosted(wq.Phrase("headline", words), BONUS_BOOST) if words else None
