"""Compiling searchkit's query tree into a Whoosh query.

The walk is the shared one (:class:`~searchkit.engines.walk.TreeCompiler`, the rules of
``engines/rules.py``): a word or phrase without a field searches the headline (weighted
:data:`HEADLINE_BOOST`) and the body. Prefixes and wildcards are expanded against the reader here, under
per-pattern and per-query caps, so a query that would expand to thousands of words fails at once with the
position of the culprit. For relevance sorts, plain word queries get an optional headline-phrase bonus;
date sorts never run it, and explain says so. Whoosh counts a phrase's slop from 1 (exact), and the
groups it gets wrong or runs slowly are searchkit's own classes (``queries.py``).
"""

from __future__ import annotations

import itertools
from typing import Iterable, Iterator, Optional

from whoosh import query as wq
from whoosh.reading import IndexReader

from searchkit.engines.rules import MAX_PREFIX_TERMS, PROXIMITY_SLOP, literal_prefix, wildcard_matcher
from searchkit.engines.walk import TreeCompiler
from searchkit.engines.whoosh.queries import (
    AtLeast,
    Constant,
    DateColumnRange,
    LanguageIs,
    Near,
    WithBonus,
    Without,
    and_of,
    boosted,
    or_of,
)
from searchkit.query import tree as t
from searchkit.text.edits import within_edits


def compile_query(reader: IndexReader, node: t.Node, query_text: str = "", *, ranked: bool = True,
                  date_filter: Optional[t.DateRange] = None) -> wq.Query:
    """The Whoosh query that runs for ``node``: with the headline bonus when ``ranked`` (a relevance
    sort), and AND-ed with ``date_filter``, which scores nothing."""
    return Compiler(reader, query_text).compile_search(node, ranked=ranked, date_filter=date_filter)


class Compiler(TreeCompiler[wq.Query]):
    """Turns a query tree into a Whoosh query against one reader (prefix expansion needs it)."""

    def __init__(self, reader: IndexReader, query_text: str = "") -> None:
        super().__init__(query_text)
        self.reader = reader

    def term(self, field: str, word: str) -> wq.Query:
        return wq.Term(field, word)

    def doc_frequency(self, field: str, word: str) -> Optional[tuple[int, int]]:
        return self.reader.doc_frequency(field, word), self.reader.doc_count()

    def phrase(self, field: str, words: list[str], slop: int, text: str) -> wq.Query:
        return wq.Phrase(field, words, slop=slop + 1)

    def proximity(self, pairs: list[tuple[list[str], float]]) -> wq.Query:
        # Near, not Phrase: scored as Tantivy and OpenSearch score a phrase (queries.py).
        near = [boosted(Near("body", pair, slop=PROXIMITY_SLOP + 1), boost)
                for pair, boost in pairs]
        return or_of(near)

    def any_of(self, parts: list[wq.Query], minimum: int) -> wq.Query:
        return or_of(parts) if minimum <= 1 else AtLeast(parts, minimum)

    def best_of(self, parts: list[wq.Query], tie: float) -> wq.Query:
        return parts[0] if len(parts) == 1 else wq.DisjunctionMax(parts, tiebreak=tie)

    def constant(self, query: wq.Query, score: float) -> wq.Query:
        return Constant(query, score)

    def all_of(self, parts: list[wq.Query]) -> wq.Query:
        return and_of(parts)

    def exclude(self, required: list[wq.Query], excluded: list[wq.Query]) -> wq.Query:
        return Without(and_of(required), or_of(excluded))

    def boost(self, query: wq.Query, boost: float) -> wq.Query:
        return boosted(query, boost)

    def range(self, node: t.DateRange) -> wq.Query:
        if node.is_empty:
            return wq.NullQuery
        return DateColumnRange(node.start.toordinal() if node.start else None,
                               node.end.toordinal() if node.end else None)

    def languages(self, codes: tuple[str, ...]) -> wq.Query:
        return LanguageIs(codes)

    def held_languages(self) -> tuple[str, ...]:
        return tuple(sorted(_held_languages(self.reader)))

    def every(self) -> wq.Query:
        return wq.Every()

    def nothing(self) -> wq.Query:
        return wq.NullQuery

    def expand_prefix(self, field: str, prefix: str) -> tuple[int, wq.Query]:
        return _counted(self.reader.expand_prefix(field, prefix)), wq.Prefix(field, prefix)

    def expand_wildcard(self, field: str, pattern: str) -> tuple[int, wq.Query]:
        return _counted(wildcard_words(self.reader, field, pattern)), wq.Wildcard(field, pattern)

    def expand_fuzzy(self, field: str, word: str, distance: int) -> tuple[int, wq.Query]:
        found = within_edits(word, distance, _texts(self.reader.expand_prefix(field, word[0])))
        return len(found), or_of([wq.Term(field, w) for w in found]) if found else wq.NullQuery

    def with_bonus(self, query: wq.Query, bonus: wq.Query) -> wq.Query:
        return WithBonus(query, bonus)

    def filtered(self, query: wq.Query, dates: wq.Query) -> wq.Query:
        return wq.And([query, dates])


def language_counts(reader: IndexReader, *, exact: bool = True) -> dict[str, int]:
    """The live articles per language of ``reader`` (with ``exact=False``, 1 for each language that
    has one: enough to know which languages a query is analysed in)."""
    counts: dict[str, int] = {}
    if "language" not in reader.indexed_field_names():
        return counts
    for code in _texts(reader.lexicon("language")):
        live = (d for d in reader.postings("language", code).all_ids() if not reader.is_deleted(d))
        count = sum(1 for _ in live) if exact else int(next(live, None) is not None)
        if count:
            counts[code] = count
    return counts


def _held_languages(reader: IndexReader) -> set[str]:
    """The languages of the reader's articles, worked out once per reader."""
    held: Optional[set[str]] = getattr(reader, "_searchkit_languages", None)
    if held is None:
        held = set(language_counts(reader, exact=False))
        reader._searchkit_languages = held
    return held


def _counted(words: Iterable[object]) -> int:
    """How many ``words`` there are, counting no further than one past the cap."""
    return sum(1 for _ in itertools.islice(words, MAX_PREFIX_TERMS + 1))


def wildcard_words(reader: IndexReader, field: str, pattern: str) -> Iterator[str]:
    """The indexed words of ``field`` that ``pattern`` matches (``?`` one character, ``*`` any run)."""
    matcher = wildcard_matcher(pattern)
    for text in _texts(reader.expand_prefix(field, literal_prefix(pattern))):
        if matcher.match(text):
            yield text


def _texts(words: Iterable[str | bytes]) -> Iterator[str]:
    for word in words:
        yield word.decode("utf-8") if isinstance(word, bytes) else word
