"""Compiling searchkit's query tree into a Tantivy query, with a readable description for explain.

The rules are the Whoosh engine's (``engines/whoosh/compile.py``), so both find the same articles: a word
without a field searches the headline (weighted :data:`HEADLINE_BOOST`) and the body; prefixes and
wildcards are expanded here against the term dictionary, matched unstemmed against the indexed words,
under the same caps. Tantivy's own sloppy phrases follow another rule (one slop budget for the whole
phrase, transpositions allowed), so ``"a b c"~N`` becomes the exact phrases of every allowed gap pattern.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from typing import Callable, Optional

import tantivy
from tantivy import Occur, Query

from searchkit.analysis import STEMMED, WORD, fold
from searchkit.errors import QuerySyntaxError, UnsupportedQueryError
from searchkit.query import tree as t

HEADLINE_BOOST = 1.5
MAX_PREFIX_TERMS = 512
MAX_QUERY_PREFIX_TERMS = 2048
#: A sloppy phrase becomes one exact phrase per gap pattern: (slop + 1) ** (words - 1) of them.
MAX_PHRASE_PATTERNS = 256
WILDCARD_PIECE = re.compile(r"[\w?*]+(?:\.[\w?*]+)*", re.UNICODE)


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
        self.query_text = query_text
        self.expanded = 0

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
        positives: list[Compiled] = []
        negatives: list[Compiled] = []
        for child in node.children:
            target = negatives if isinstance(child, t.Not) else positives
            compiled = self._compile(child.child if isinstance(child, t.Not) else child)
            if compiled is not None:  # a word with no indexable characters constrains nothing
                target.append(compiled)
        if not positives and not negatives:
            return None
        required = _all_of(positives) if positives else _every()
        return _without(required, negatives) if negatives else required

    def _or(self, node: t.Or) -> Optional[Compiled]:
        compiled = [c for c in (self._compile(child) for child in node.children) if c is not None]
        if not compiled:
            return None
        # Children that analyse to nothing cannot match: scale the minimum to what is left.
        minimum = math.ceil(node.minimum * len(compiled) / len(node.children))
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
        words = WORD.findall(fold(text))
        if not words:
            return None
        prefix = words[-1]  # matched unstemmed against the indexed words: "hurt*" finds hurt, hurts
        found = [term for term, _ in self.searcher.terms_with_prefix(field, prefix,
                                                                     limit=MAX_PREFIX_TERMS + 1)]
        self._count(text, f"prefix '{text}*'", len(found))
        return self._after_words(field, words[:-1], self._expansion(field, found, f"{field}:{prefix}*"))

    def _wildcard(self, field: str, text: str) -> Optional[Compiled]:
        pieces = WILDCARD_PIECE.findall(fold(text))
        patterns = [piece for piece in pieces if "?" in piece or "*" in piece]
        if not patterns:
            return None
        if not re.split(r"[?*]", patterns[-1], maxsplit=1)[0]:
            raise self._too_broad(text, f"wildcard '{text}' needs a letter or digit before its first ? or *")
        pattern = patterns[-1]
        found = sorted(_wildcard_terms(self.searcher, field, text))
        self._count(text, f"wildcard '{text}'", len(found))
        words = [piece for piece in pieces if piece != pattern]
        return self._after_words(field, words, self._expansion(field, found, f"{field}:{pattern}"))

    def _expansion(self, field: str, words: list[str], shown: str) -> Compiled:
        if not words:
            return Compiled(Query.empty_query(), shown)
        return Compiled(Query.boolean_query([(Occur.Should, Query.term_query(self.schema, field, w))
                                             for w in sorted(words)]), shown)

    def _after_words(self, field: str, words: list[str], pattern: Compiled) -> Compiled:
        if not words:
            return pattern
        return _all_of([*(self._term(field, STEMMED.normalize(w)) for w in words), pattern])

    def _count(self, text: str, what: str, expansions: int) -> None:
        self.expanded += expansions
        if expansions > MAX_PREFIX_TERMS:
            raise self._too_broad(text, f"{what} matches more than {MAX_PREFIX_TERMS} words; make it longer")
        if self.expanded > MAX_QUERY_PREFIX_TERMS:
            raise self._too_broad(text, "the prefixes in this query match more than "
                                        f"{MAX_QUERY_PREFIX_TERMS} words in all; use fewer or longer ones")

    def _too_broad(self, text: str, message: str) -> QuerySyntaxError:
        at = self.query_text.find(text)
        return QuerySyntaxError(self.query_text, at if at >= 0 else 0, message)

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
        if isinstance(node, (t.And, t.Or)) and all(
            isinstance(child, t.Term) and child.field is None for child in node.children
        ):
            words = [w for child in node.children for w in STEMMED.words(child.text)]  # type: ignore[union-attr]
            if len(words) >= 2:
                return _boosted(self._phrase("headline", words, 0, ""), HEADLINE_BOOST * 3)
        return None


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
            found = WORD.findall(fold(leaf.text))
            if found:  # "u.s-bo*": u.s is looked for as it is, bo* expanded
                words.update(STEMMED.normalize(word) for word in found[:-1])
                words.update(term for term, _ in searcher.terms_with_prefix("body", found[-1],
                                                                            limit=MAX_PREFIX_TERMS))
        elif isinstance(leaf, t.Wildcard) and leaf.field in (None, "body"):
            pieces = WILDCARD_PIECE.findall(fold(leaf.text))
            words.update(STEMMED.normalize(piece) for piece in pieces
                         if "?" not in piece and "*" not in piece)
            words.update(_wildcard_terms(searcher, "body", leaf.text))
    return frozenset(words)


def _wildcard_terms(searcher: tantivy.Searcher, field: str, text: str) -> list[str]:
    patterns = [piece for piece in WILDCARD_PIECE.findall(fold(text)) if "?" in piece or "*" in piece]
    if not patterns:
        return []
    literal = re.split(r"[?*]", patterns[-1], maxsplit=1)[0]
    regex = re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in patterns[-1])
                       + r"\Z", re.DOTALL)
    return [term for term, _ in searcher.terms_with_prefix(field, literal) if literal and regex.match(term)]
