"""Compiling searchkit's query tree into a Tantivy query, with a readable description for explain.

The rules are shared with the Whoosh engine (``engines/rules.py``), so both find the same articles: a word
without a field searches the headline (weighted :data:`HEADLINE_BOOST`) and the body; prefixes and
wildcards are expanded here against the term dictionary, matched unstemmed against the indexed words,
under the same caps. Tantivy's own sloppy phrases follow another rule (one slop budget for the whole
phrase, transpositions allowed), so ``"a b c"~N`` becomes the exact phrases of every allowed gap pattern.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Optional

import tantivy
from tantivy import Occur, Query

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
from searchkit.errors import UnsupportedQueryError
from searchkit.query import tree as t
from searchkit.text.analysis import STEMMED

#: A sloppy phrase becomes one exact phrase per gap pattern: (slop + 1) ** (words - 1) of them.
MAX_PHRASE_PATTERNS = 256


@dataclass(frozen=True)
class Compiled:
    """A Tantivy query and what it means, in words (Tantivy's queries do not print)."""

    query: Query
    text: str


def compile_query(searcher: tantivy.Searcher, schema: tantivy.Schema, node: t.Node, query_text: str = "", *,
                  ranked: bool = True, date_filter: Optional[t.DateRange] = None) -> Compiled:
    """The query that runs for ``node``: with the headline bonus when ``ranked``, filtered by date."""
    compiler = Compiler(searcher, schema, query_text)
    compiled = compiler.compile(node)
    bonus = compiler.headline_phrase_bonus(node) if ranked else None
    if bonus is not None:
        compiled = Compiled(Query.boolean_query([(Occur.Must, compiled.query), (Occur.Should, bonus.query)]),
                            f"({compiled.text} ANDMAYBE {bonus.text})")
    if date_filter is not None:
        dates = compiler.date_range(date_filter)
        compiled = Compiled(Query.boolean_query([(Occur.Must, compiled.query), (Occur.Must, dates.query)]),
                            f"({compiled.text} AND {dates.text})")
    return compiled


class Compiler:
    """Turns a query tree into a Tantivy query against one searcher (expansion needs its terms)."""

    def __init__(self, searcher: tantivy.Searcher, schema: tantivy.Schema, query_text: str) -> None:
        self.searcher = searcher
        self.schema = schema
        self.budget = ExpansionBudget(query_text)

    def compile(self, node: t.Node) -> Compiled:
        return self._compile(node) or Compiled(Query.empty_query(), "<nothing>")

    def _compile(self, node: t.Node) -> Optional[Compiled]:
        if isinstance(node, t.Term):
            return self._each_field(node.field, lambda f: self._words(f, node.text, 0))
        if isinstance(node, t.Phrase):
            return self._each_field(node.field, lambda f: self._words(f, node.text, node.slop))
        if isinstance(node, t.Prefix):
            return self._each_field(node.field, lambda f: self._prefix(f, node.text))
        if isinstance(node, t.Wildcard):
            return self._each_field(node.field, lambda f: self._wildcard(f, node.text))
        if isinstance(node, t.DateRange):
            return self.date_range(node)
        if isinstance(node, t.MatchAll):
            return _every()
        if isinstance(node, t.Not):
            inner = self._compile(node.child)
            return _every() if inner is None else _without(_every(), [inner])
        if isinstance(node, t.And):
            return self._and(node)
        if isinstance(node, t.Or):
            return self._or(node)
        raise TypeError(f"not a query node: {node!r}")

    def _and(self, node: t.And) -> Optional[Compiled]:
        positives, negatives = split_and(node, self._compile)
        if not positives and not negatives:
            return None
        required = _all_of(positives) if positives else _every()
        return _without(required, negatives) if negatives else required

    def _or(self, node: t.Or) -> Optional[Compiled]:
        compiled = [c for c in (self._compile(child) for child in node.children) if c is not None]
        if not compiled:
            return None
        # Children that analyse to nothing cannot match: scale the minimum to what is left.
        minimum = scaled_minimum(node, len(compiled))
        return _any_of(compiled, minimum)

    def _each_field(
        self, field: Optional[str], make: Callable[[str], Optional[Compiled]]
    ) -> Optional[Compiled]:
        if field is not None:
            return make(field)
        headline, body = make("headline"), make("body")
        if headline is None or body is None:
            return None
        return _any_of([_boosted(headline, HEADLINE_BOOST), body], 1)

    def _words(self, field: str, text: str, slop: int) -> Optional[Compiled]:
        words = STEMMED.words(text)
        if not words:
            return None
        if len(words) == 1:
            return self._term(field, words[0])
        return self._phrase(field, words, slop, text)

    def _term(self, field: str, word: str) -> Compiled:
        return Compiled(Query.term_query(self.schema, field, word), f"{field}:{word}")

    def _phrase(self, field: str, words: list[str], slop: int, text: str) -> Compiled:
        shown = f'{field}:"{" ".join(words)}"' + (f"~{slop}" if slop else "")
        if slop == 0:
            return Compiled(Query.phrase_query(self.schema, field, list[str | tuple[int, str]](words)), shown)
        patterns = (slop + 1) ** (len(words) - 1)
        if patterns > MAX_PHRASE_PATTERNS:
            raise UnsupportedQueryError(
                "tantivy", f"the phrase '{text}'~{slop}: {len(words)} words with that slop can be arranged "
                           f"{patterns:,} ways, and it runs at most {MAX_PHRASE_PATTERNS:,} (use fewer words "
                           "or a smaller slop)")
        exact = [Query.phrase_query(self.schema, field,
                                    list(zip([0, *itertools.accumulate(gaps)], words, strict=True)))
                 for gaps in itertools.product(range(1, slop + 2), repeat=len(words) - 1)]
        return Compiled(Query.boolean_query([(Occur.Should, q) for q in exact]), shown)

    def _prefix(self, field: str, text: str) -> Optional[Compiled]:
        split = split_prefix(text)
        if split is None:
            return None
        found = prefix_terms(self.searcher, field, split.pattern, limit=MAX_PREFIX_TERMS + 1)
        self.budget.spend(text, f"prefix '{text}*'", len(found))
        expansion = self._expansion(field, found, f"{field}:{split.pattern}*")
        return self._after_words(field, split.others, expansion)

    def _wildcard(self, field: str, text: str) -> Optional[Compiled]:
        split = split_wildcard(text)
        if split is None:
            return None
        self.budget.check_wildcard(text, split.pattern)
        found = wildcard_terms(self.searcher, field, split.pattern)
        self.budget.spend(text, f"wildcard '{text}'", len(found))
        expansion = self._expansion(field, found, f"{field}:{split.pattern}")
        return self._after_words(field, split.others, expansion)

    def _expansion(self, field: str, words: list[str], shown: str) -> Compiled:
        if not words:
            return Compiled(Query.empty_query(), shown)
        return Compiled(Query.boolean_query([(Occur.Should, Query.term_query(self.schema, field, w))
                                             for w in sorted(words)]), shown)

    def _after_words(self, field: str, words: list[str], pattern: Compiled) -> Compiled:
        if not words:
            return pattern
        return _all_of([*(self._term(field, w) for w in words), pattern])

    def date_range(self, node: t.DateRange) -> Compiled:
        """Articles dated in ``node`` (inclusive); scores nothing, so it filters."""
        if node.is_empty:
            return Compiled(Query.empty_query(), f"{node} (empty)")
        if node.start is None and node.end is None:
            return _every()
        start = node.start.toordinal() if node.start else None
        end = node.end.toordinal() if node.end else None
        dates = Query.range_query(self.schema, "date", tantivy.FieldType.Integer, start, end)
        return Compiled(Query.const_score_query(dates, 0.0), str(node))

    def headline_phrase_bonus(self, node: t.Node) -> Optional[Compiled]:
        """An optional clause lifting articles whose headline holds a plain word query's words in order."""
        words = bonus_words(node)
        return _boosted(self._phrase("headline", words, 0, ""), BONUS_BOOST) if words else None


def _every() -> Compiled:
    return Compiled(Query.const_score_query(Query.all_query(), 0.0), "*")


def _boosted(compiled: Compiled, boost: float) -> Compiled:
    return Compiled(Query.boost_query(compiled.query, boost), f"{compiled.text}^{boost:g}")


def _all_of(parts: list[Compiled]) -> Compiled:
    if len(parts) == 1:
        return parts[0]
    return Compiled(Query.boolean_query([(Occur.Must, p.query) for p in parts]),
                    "(" + " AND ".join(p.text for p in parts) + ")")


def _any_of(parts: list[Compiled], minimum: int) -> Compiled:
    if len(parts) == 1:
        return parts[0]
    clauses = [(Occur.Should, p.query) for p in parts]
    text = "(" + " OR ".join(p.text for p in parts) + ")"
    if minimum <= 1:
        return Compiled(Query.boolean_query(clauses), text)
    return Compiled(Query.boolean_query(clauses, minimum), f"{text}@{minimum}")


def _without(required: Compiled, excluded: list[Compiled]) -> Compiled:
    clauses = [(Occur.Must, required.query), *((Occur.MustNot, e.query) for e in excluded)]
    return Compiled(Query.boolean_query(clauses),
                    f"({required.text} " + " ".join(f"-{e.text}" for e in excluded) + ")")


def body_words(searcher: tantivy.Searcher, node: t.Node) -> frozenset[str]:
    """The indexed words ``node`` looks for in the body, prefixes and wildcards expanded (for snippets;
    negated words included, as on Whoosh)."""
    words: set[str] = set()
    for leaf in t.walk(node):
        if isinstance(leaf, (t.Term, t.Phrase)) and leaf.field in (None, "body"):
            words.update(STEMMED.words(leaf.text))
        elif isinstance(leaf, t.Prefix) and leaf.field in (None, "body"):
            split = split_prefix(leaf.text)
            if split is not None:  # "u.s-bo*": u.s is looked for as it is, bo* expanded
                words.update(split.others)
                words.update(prefix_terms(searcher, "body", split.pattern, limit=MAX_PREFIX_TERMS))
        elif isinstance(leaf, t.Wildcard) and leaf.field in (None, "body"):
            split = split_wildcard(leaf.text)
            if split is not None and literal_prefix(split.pattern):
                words.update(split.others)
                words.update(wildcard_terms(searcher, "body", split.pattern))
    return frozenset(words)


def prefix_terms(searcher: tantivy.Searcher, field: str, prefix: str, *, limit: int) -> list[str]:
    """Up to ``limit`` indexed words of ``field`` that start with ``prefix``."""
    return [term for term, _ in searcher.terms_with_prefix(field, prefix, limit=limit)]


def wildcard_terms(searcher: tantivy.Searcher, field: str, pattern: str) -> list[str]:
    """The indexed words of ``field`` that ``pattern`` matches."""
    matcher = wildcard_matcher(pattern)
    return sorted(term for term, _ in searcher.terms_with_prefix(field, literal_prefix(pattern))
                  if matcher.match(term))
