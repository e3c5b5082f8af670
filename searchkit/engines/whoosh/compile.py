"""Compiling searchkit's query tree into a Whoosh query.

A word or phrase without a field searches the headline (weighted :data:`HEADLINE_BOOST`) and the body.
Prefixes and wildcards are expanded against the reader here, under per-pattern and per-query caps, so a
query that would expand to thousands of words fails at once with the position of the culprit. For
relevance sorts, plain word queries get an optional headline-phrase bonus; date sorts never run it, and
explain says so.
"""

from __future__ import annotations

import math
import re
from typing import Callable, Iterable, Iterator, Optional

from whoosh import query as wq
from whoosh.reading import IndexReader

from searchkit.engines.whoosh.analysis import ANALYZER, WORD, analyze, fold
from searchkit.engines.whoosh.queries import (
    AtLeast,
    DateColumnRange,
    WithBonus,
    Without,
    and_of,
    boosted,
    or_of,
)
from searchkit.errors import QuerySyntaxError
from searchkit.query import tree as t

#: How much more a headline match counts than a body match.
HEADLINE_BOOST = 1.5
#: A prefix (``hurt*``) may expand to at most this many indexed words.
MAX_PREFIX_TERMS = 512
#: All the prefixes of one query together may expand to at most this many words (counted per field).
MAX_QUERY_PREFIX_TERMS = 2048


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
        self.query_text = query_text
        self.expanded = 0  # words all prefixes so far expanded to

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
        positives, negatives = [], []
        for child in node.children:
            if isinstance(child, t.Not):
                compiled = self._compile(child.child)
                if compiled is not None:
                    negatives.append(compiled)
            else:
                compiled = self._compile(child)
                if compiled is not None:  # a word with no indexable characters constrains nothing
                    positives.append(compiled)
        required = and_of(positives) if positives else wq.Every()
        if not negatives:
            return required if positives else None
        return Without(required, or_of(negatives))

    def _or(self, node: t.Or) -> Optional[wq.Query]:
        compiled = [c for c in (self._compile(child) for child in node.children) if c is not None]
        if not compiled:
            return None
        # Children that analyse to nothing cannot match: scale the minimum to what is left.
        minimum = math.ceil(node.minimum * len(compiled) / len(node.children))
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

    def _too_broad(self, text: str, message: str) -> QuerySyntaxError:
        at = self.query_text.find(text)
        return QuerySyntaxError(self.query_text, at if at >= 0 else 0, message)

    def _prefix(self, field: str, text: str) -> Optional[wq.Query]:
        words = WORD.findall(fold(text))
        if not words:
            return None
        prefix = words[-1]  # prefixes are matched unstemmed: "hurt*" finds hurt, hurts, hurting
        self._count(text, f"prefix '{text}*'", self.reader.expand_prefix(field, prefix))
        return self._after_words(field, words[:-1], wq.Prefix(field, prefix))

    def _wildcard(self, field: str, text: str) -> Optional[wq.Query]:
        pieces = WILDCARD_PIECE.findall(fold(text))
        if not pieces or not any(WILDCARD_CHARS.intersection(piece) for piece in pieces):
            return None
        pattern = next(piece for piece in reversed(pieces) if WILDCARD_CHARS.intersection(piece))
        if not literal_prefix(pattern):  # "e-?x": the pattern after the dash would scan every word
            raise self._too_broad(text, f"wildcard '{text}' needs a letter or digit before its first ? or *")
        self._count(text, f"wildcard '{text}'", wildcard_words(self.reader, field, pattern))
        # Like a prefix, a wildcard is matched unstemmed; the words around it must match as they are.
        words = [piece for piece in pieces if piece != pattern]
        return self._after_words(field, words, wq.Wildcard(field, pattern))

    def _after_words(self, field: str, words: list[str], query: wq.Query) -> wq.Query:
        """``query`` AND-ed with the other words of its text ("u.s-bo*": u.s must match as it is)."""
        if not words:
            return query
        return wq.And([*(wq.Term(field, ANALYZER.normalize(w)) for w in words), query])

    def _count(self, text: str, what: str, expansion: Iterable[object]) -> None:
        """Enforce the per-pattern and per-query caps on the words a prefix or wildcard expands to."""
        expansions = 0
        for _ in expansion:
            expansions += 1
            self.expanded += 1
            if expansions > MAX_PREFIX_TERMS:
                raise self._too_broad(text, f"{what} matches more than {MAX_PREFIX_TERMS} words; "
                                            "make it longer")
            if self.expanded > MAX_QUERY_PREFIX_TERMS:
                raise self._too_broad(text, f"the prefixes in this query match more than "
                                            f"{MAX_QUERY_PREFIX_TERMS} words in all; "
                                            "use fewer or longer ones")


#: A wildcard's word-like pieces: letters, digits, ``?`` and ``*``, with inner dots.
WILDCARD_PIECE = re.compile(r"[\w?*]+(?:\.[\w?*]+)*", re.UNICODE)
WILDCARD_CHARS = frozenset("?*")


def literal_prefix(pattern: str) -> str:
    """The characters of a wildcard pattern before its first ``?`` or ``*``."""
    return re.split(r"[?*]", pattern, maxsplit=1)[0]


def wildcard_words(reader: IndexReader, field: str, pattern: str) -> Iterator[str]:
    """The indexed words of ``field`` that ``pattern`` matches (``?`` one character, ``*`` any run)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    matcher = re.compile(regex + r"\Z", re.DOTALL)
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
    """An optional clause that lifts articles whose headline holds all the query's words in order.

    Applies to plain word queries (``everybody hurts``), so an exact phrase match in the headline ranks
    first. (A body-phrase bonus was measured too: it doubled the cost of two-word queries.)
    """
    if isinstance(node, (t.And, t.Or)) and all(
        isinstance(child, t.Term) and child.field is None for child in node.children
    ):
        words = [w for child in node.children for w in analyze(child.text)]  # type: ignore[union-attr]
        if len(words) >= 2:
            return boosted(wq.Phrase("headline", words), HEADLINE_BOOST * 3)
    return None
