"""Compiling searchkit's query tree into a Tantivy query, with a readable description for explain.

The walk and its rules are shared with the other engines (:class:`~searchkit.engines.walk.TreeCompiler`,
``engines/rules.py``), so all find the same articles: a word without a field searches the headline
(weighted :data:`HEADLINE_BOOST`) and the body; prefixes and wildcards are expanded here against the term
dictionary, matched unstemmed against the indexed words, under the same caps. Tantivy's own sloppy
phrases follow another rule (one slop budget for the whole phrase, transpositions allowed), so
``"a b c"~N`` becomes the exact phrases of every allowed gap pattern (in :meth:`Compiler.phrase`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Callable, Optional

import tantivy
from tantivy import Occur, Query

from searchkit.engines.rules import (
    MAX_PREFIX_TERMS,
    PROXIMITY_SLOP,
    literal_prefix,
    split_fuzzy,
    split_prefix,
    split_wildcard,
    wildcard_matcher,
)
from searchkit.engines.tantivy.schema import LANGUAGE_FIELD
from searchkit.engines.walk import TreeCompiler, query_languages
from searchkit.errors import UnsupportedQueryError
from searchkit.query import tree as t
from searchkit.text.edits import within_edits
from searchkit.text.multilingual import query_analyses

#: A sloppy phrase becomes one exact phrase per gap pattern: (slop + 1) ** (words - 1) of them.
MAX_PHRASE_PATTERNS = 256


@dataclass(frozen=True)
class Compiled:
    """A Tantivy query and what it means, in words (Tantivy's queries do not print); ``any_word`` when it
    matches exactly the documents holding one of its terms (no phrase, AND, NOT, date or language: what
    counting the stories' whole-story documents needs, see ``stories.py``)."""

    query: Query
    text: str
    any_word: bool = False


def compile_query(searcher: tantivy.Searcher, schema: tantivy.Schema, node: t.Node, query_text: str = "", *,
                  ranked: bool = True, date_filter: Optional[t.DateRange] = None,
                  held: Callable[[], tuple[str, ...]] = tuple) -> Compiled:
    """The query that runs for ``node``: with the headline bonus when ``ranked``, filtered by date; its
    words analysed in the languages ``held()`` names (the index's)."""
    return Compiler(searcher, schema, query_text, held).compile_search(node, ranked=ranked,
                                                                         date_filter=date_filter)


class Compiler(TreeCompiler[Compiled]):
    """Turns a query tree into a Tantivy query against one searcher (expansion needs its terms)."""

    def __init__(self, searcher: tantivy.Searcher, schema: tantivy.Schema, query_text: str,
                 held: Callable[[], tuple[str, ...]] = tuple) -> None:
        super().__init__(query_text)
        self.searcher = searcher
        self.schema = schema
        self._held = held

    def held_languages(self) -> tuple[str, ...]:
        return self._held()

    def term(self, field: str, word: str) -> Compiled:
        return Compiled(Query.term_query(self.schema, field, word), f"{field}:{word}", any_word=True)

    def doc_frequency(self, field: str, word: str) -> Optional[tuple[int, int]]:
        return self.searcher.doc_freq(field, word), self.searcher.num_docs

    def proximity(self, pairs: list[tuple[list[str], float]]) -> Compiled:
        # One sloppy phrase per pair, not PROXIMITY_SLOP + 1 exact ones: for two words Tantivy's own slop
        # is the same window, and a bonus need not match its order rule exactly.
        clauses, shown = [], []
        for pair, boost in pairs:
            words = list[str | tuple[int, str]](pair)
            phrase = Query.phrase_query(self.schema, "body", words, slop=PROXIMITY_SLOP)
            clauses.append((Occur.Should, Query.boost_query(phrase, boost)))
            shown.append(f'body:"{" ".join(pair)}"~{PROXIMITY_SLOP}^{boost:.3g}')
        return Compiled(Query.boolean_query(clauses), "(" + " OR ".join(shown) + ")")

    def phrase(self, field: str, words: list[str], slop: int, text: str) -> Compiled:
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

    def any_of(self, parts: list[Compiled], minimum: int) -> Compiled:
        if len(parts) == 1:
            return parts[0]
        clauses = [(Occur.Should, p.query) for p in parts]
        text = "(" + " OR ".join(p.text for p in parts) + ")"
        if minimum <= 1:
            return Compiled(Query.boolean_query(clauses), text, any_word=all(p.any_word for p in parts))
        return Compiled(Query.boolean_query(clauses, minimum), f"{text}@{minimum}")

    def best_of(self, parts: list[Compiled], tie: float) -> Compiled:
        if len(parts) == 1:
            return parts[0]
        return Compiled(Query.disjunction_max_query([p.query for p in parts], tie),
                        "max(" + ", ".join(p.text for p in parts) + f")~{tie:g}",
                        any_word=all(p.any_word for p in parts))

    def constant(self, query: Compiled, score: float) -> Compiled:
        return Compiled(Query.const_score_query(query.query, score), f"{query.text}={score:.3g}",
                        query.any_word)

    def all_of(self, parts: list[Compiled]) -> Compiled:
        if len(parts) == 1:
            return parts[0]
        return Compiled(Query.boolean_query([(Occur.Must, p.query) for p in parts]),
                        "(" + " AND ".join(p.text for p in parts) + ")")

    def exclude(self, required: list[Compiled], excluded: list[Compiled]) -> Compiled:
        kept = self.all_of(required)
        clauses = [(Occur.Must, kept.query), *((Occur.MustNot, e.query) for e in excluded)]
        return Compiled(Query.boolean_query(clauses),
                        f"({kept.text} " + " ".join(f"-{e.text}" for e in excluded) + ")")

    def boost(self, query: Compiled, boost: float) -> Compiled:
        return Compiled(Query.boost_query(query.query, boost), f"{query.text}^{boost:g}", query.any_word)

    def range(self, node: t.DateRange) -> Compiled:
        if node.is_empty:
            return Compiled(Query.empty_query(), f"{node} (empty)")
        start = node.start.toordinal() if node.start else None
        end = node.end.toordinal() if node.end else None
        dates = Query.range_query(self.schema, "date", tantivy.FieldType.Integer, start, end)
        return Compiled(Query.const_score_query(dates, 0.0), str(node))

    def languages(self, codes: tuple[str, ...]) -> Compiled:
        terms = [(Occur.Should, Query.term_query(self.schema, LANGUAGE_FIELD, code)) for code in codes]
        return Compiled(Query.const_score_query(Query.boolean_query(terms), 0.0),
                        "language:(" + " OR ".join(codes) + ")")

    def every(self) -> Compiled:
        return Compiled(Query.const_score_query(Query.all_query(), 0.0), "*")

    def nothing(self) -> Compiled:
        return Compiled(Query.empty_query(), "<nothing>", any_word=True)

    def expand_prefix(self, field: str, prefix: str) -> tuple[int, Compiled]:
        found = prefix_terms(self.searcher, field, prefix, limit=MAX_PREFIX_TERMS + 1)
        return len(found), self._expansion(field, found, f"{field}:{prefix}*")

    def expand_wildcard(self, field: str, pattern: str) -> tuple[int, Compiled]:
        found = wildcard_terms(self.searcher, field, pattern)
        return len(found), self._expansion(field, found, f"{field}:{pattern}")

    def expand_fuzzy(self, field: str, word: str, distance: int) -> tuple[int, Compiled]:
        found = fuzzy_terms(self.searcher, field, word, distance)
        return len(found), self._expansion(field, found, f"{field}:{word}~{distance}")

    def _expansion(self, field: str, words: list[str], shown: str) -> Compiled:
        if not words:
            return Compiled(Query.empty_query(), shown, any_word=True)
        return Compiled(Query.boolean_query([(Occur.Should, Query.term_query(self.schema, field, w))
                                             for w in sorted(words)]), shown, any_word=True)

    def with_bonus(self, query: Compiled, bonus: Compiled) -> Compiled:
        return Compiled(Query.boolean_query([(Occur.Must, query.query), (Occur.Should, bonus.query)]),
                        f"({query.text} ANDMAYBE {bonus.text})", query.any_word)  # the bonus only scores

    def filtered(self, query: Compiled, dates: Compiled) -> Compiled:
        return Compiled(Query.boolean_query([(Occur.Must, query.query), (Occur.Must, dates.query)]),
                        f"({query.text} AND {dates.text})")


def body_words(searcher: tantivy.Searcher, node: t.Node,
               held: Callable[[], tuple[str, ...]] = tuple) -> frozenset[str]:
    """The indexed words ``node`` looks for in the body, prefixes and wildcards expanded (for snippets;
    negated words included, as on Whoosh), in each language it is analysed in."""
    words: set[str] = set()
    languages = query_languages(node, held)
    for leaf in t.walk(node):
        if isinstance(leaf, (t.Term, t.Phrase)) and leaf.field in (None, "body"):
            words.update(w for analysis in query_analyses(leaf.text, languages) for w in analysis)
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
        elif isinstance(leaf, t.Fuzzy) and leaf.field in (None, "body"):
            split = split_fuzzy(leaf.text)
            if split is not None:
                words.update(split.others)
                distance = leaf.edits_for(split.pattern)
                words.update(fuzzy_terms(searcher, "body", split.pattern, distance)[:MAX_PREFIX_TERMS])
    return frozenset(words)


def prefix_terms(searcher: tantivy.Searcher, field: str, prefix: str, *, limit: int) -> list[str]:
    """Up to ``limit`` indexed words of ``field`` that start with ``prefix``."""
    return [term for term, _ in searcher.terms_with_prefix(field, prefix, limit=limit)]


def wildcard_terms(searcher: tantivy.Searcher, field: str, pattern: str) -> list[str]:
    """The indexed words of ``field`` that ``pattern`` matches."""
    matcher = wildcard_matcher(pattern)
    return sorted(term for term, _ in searcher.terms_with_prefix(field, literal_prefix(pattern))
                  if matcher.match(term))


def fuzzy_terms(searcher: tantivy.Searcher, field: str, word: str, distance: int) -> list[str]:
    """The indexed words of ``field`` within ``distance`` edits of ``word`` (sharing its first letter)."""
    if distance == 0:
        return [word] if searcher.doc_freq(field, word) > 0 else []
    return within_edits(word, distance, (term for term, _ in searcher.terms_with_prefix(field, word[0])))
