"""Percolation: which saved queries an article matches, decided for one article at a time, in Python.

Alerts need this for the articles an update adds or changes: running every saved query against the
engine would cost a search over the whole index each. The rules are the query language's
(docs/query-language.md), written out independently of any engine:

- an article's words are analysed in its language; a word or phrase is analysed into indexed words in
  each language asked for (those of the query's ``lang:`` filters, else every language the index holds),
  and matches when any of those analyses does; several words are a phrase, each next word 1 to
  ``slop + 1`` positions after the previous one (exactly 1 for a plain word);
- ``lang:xx`` matches the articles in that language;
- no field means "headline or body";
- a dotted acronym (U.S., u.s.a) is its letters without the dots, in a prefix's pattern too;
- prefixes and wildcards match their unstemmed, folded pattern against the *indexed* (stemmed) words of
  the field, and the other words of their text must be in the field as they are;
- a fuzzy word is analysed, and its last word matches every indexed word sharing its first letter within
  its edits (:meth:`~searchkit.query.tree.Fuzzy.edits_for`); its other words must be there as they are;
- a child that analyses to nothing constrains nothing: it is dropped from AND and OR (an OR's minimum is
  scaled to the children left), a NOT of it matches everything, and a query of only such words matches
  nothing.

The engine contract suite's reference engine searches with this matcher, so every engine is checked to
agree with it, query kind by query kind (tests/engines/).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Sequence

from searchkit.articles import Article
from searchkit.errors import QuerySyntaxError
from searchkit.query import tree as t
from searchkit.text import analysis as shared
from searchkit.text.edits import edit_distance

FIELDS = ("headline", "body")


@dataclass(frozen=True)
class Analysis:
    """How text becomes indexed words (every engine indexes searchkit's one analysis)."""

    analyze: Callable[[str], list[str]]  # text -> its indexed words; a word's position is its index
    normalize: Callable[[str], str]  # one word as typed -> its indexed form
    fold: Callable[[str], str]  # lower case, accents stripped (prefixes and wildcards are not stemmed)
    word: "re.Pattern[str]"  # a word of folded text
    #: The analysis of another language's text (``None``: this one for every language).
    for_language: Optional[Callable[[Optional[str]], "Analysis"]] = None

    def of(self, language: Optional[str]) -> "Analysis":
        """The analysis of text in ``language``."""
        return self if self.for_language is None or language in (None, "en") else self.for_language(language)


_PER_LANGUAGE: dict[str, Analysis] = {}


def _shared_in(language: Optional[str]) -> Analysis:
    code = language or "en"
    found = _PER_LANGUAGE.get(code)
    if found is None:
        from searchkit.text.multilingual import analyzer_for

        analyzer = analyzer_for(code)
        found = _PER_LANGUAGE[code] = Analysis(analyzer.words, analyzer.normalize, shared.fold, shared.WORD)
    return found


#: searchkit's analysis (:mod:`searchkit.text.analysis`): words, lower case, accents folded, Snowball stems;
#: in each article's language (:mod:`searchkit.text.multilingual`).
SHARED_ANALYSIS = Analysis(shared.analyze, shared.STEMMED.normalize, shared.fold, shared.WORD, _shared_in)


@dataclass(frozen=True)
class Doc:
    """One article as the matcher sees it: each field's indexed words, and where each word is."""

    article: Article
    words: Mapping[str, Sequence[str]]
    positions: Mapping[str, Mapping[str, Sequence[int]]]

    @classmethod
    def of(cls, article: Article, analysis: Analysis) -> "Doc":
        analysis = analysis.of(article.language)
        words = {name: analysis.analyze(getattr(article, name)) for name in FIELDS}
        positions: dict[str, dict[str, list[int]]] = {name: {} for name in FIELDS}
        for name, found in words.items():
            for position, word in enumerate(found):
                positions[name].setdefault(word, []).append(position)
        return cls(article, words, positions)


Predicate = Callable[[Doc], bool]


class Matcher:
    """Turns a query tree into a predicate on one :class:`Doc`, or ``None`` when it analyses to nothing."""

    def __init__(self, analysis: Analysis, query_text: str = "", languages: Sequence[str] = ()) -> None:
        self.analysis = analysis
        self.query_text = query_text
        self.languages = tuple(languages)

    def analyses(self, text: str) -> list[list[str]]:
        """The indexed words of query ``text`` in each language asked for, the distinct ones."""
        found: list[list[str]] = []
        for language in self.languages or (None,):
            words = self.analysis.of(language).analyze(text)
            if words not in found:
                found.append(words)
        return found

    def compile(self, node: t.Node) -> Optional[Predicate]:
        if isinstance(node, t.Term):
            return self._in_fields(node.field, lambda name: _any_of(
                [_words(name, words, gap=1) for words in self.analyses(node.text)]))
        if isinstance(node, t.Phrase):
            return self._in_fields(node.field, lambda name: _any_of(
                [_words(name, words, gap=node.slop + 1) for words in self.analyses(node.text)]))
        if isinstance(node, t.Language):
            codes = frozenset(node.codes)
            return lambda doc: (doc.article.language or "en") in codes
        if isinstance(node, t.Prefix):
            return self._in_fields(node.field, lambda name: self._prefix(name, node.text))
        if isinstance(node, t.Wildcard):
            return self._in_fields(node.field, lambda name: self._wildcard(name, node.text))
        if isinstance(node, t.Fuzzy):
            return self._in_fields(node.field, lambda name: self._fuzzy(name, node))
        if isinstance(node, t.DateRange):
            start, end = node.start or dt.date.min, node.end or dt.date.max
            return lambda doc: start <= doc.article.date <= end
        if isinstance(node, t.MatchAll):
            return lambda doc: True
        if isinstance(node, t.Not):
            inner = self.compile(node.child)
            return (lambda doc: True) if inner is None else (lambda doc: not inner(doc))
        if isinstance(node, t.And):
            wanted = [p for c in node.children if not isinstance(c, t.Not) if (p := self._in_and(node, c))]
            unwanted = [p for c in node.children if isinstance(c, t.Not) if (p := self.compile(c.child))]
            if not wanted and not unwanted:
                return None
            return lambda doc: all(p(doc) for p in wanted) and not any(p(doc) for p in unwanted)
        if isinstance(node, t.Or):
            left = [p for c in node.children if (p := self.compile(c))]
            if not left:
                return None
            minimum = max(1, math.ceil(node.minimum * len(left) / len(node.children)))
            return lambda doc: sum(1 for p in left if p(doc)) >= minimum
        raise TypeError(f"not a query node: {node!r}")

    def _in_and(self, node: t.And, child: t.Node) -> Optional[Predicate]:
        """A word of an AND that is a stop word in some of the languages asked constrains nothing in them
        (docs/languages.md), unless every word of the AND is one there."""
        compiled = self.compile(child)
        languages = tuple(code for code in self.languages if code is not None)
        if not languages or not isinstance(child, (t.Term, t.Phrase)):
            return compiled
        from searchkit.text.multilingual import stopped_in

        words = [c for c in node.children if isinstance(c, (t.Term, t.Phrase))]
        everywhere = set(languages).intersection(*(stopped_in(c.text, languages) for c in words))
        passes = frozenset(stopped_in(child.text, languages)) - everywhere
        if not passes:
            return compiled
        if passes >= set(languages):
            return None
        return lambda doc: (doc.article.language or "en") in passes or bool(compiled and compiled(doc))

    def _in_fields(self, name: Optional[str],
                   make: Callable[[str], Optional[Predicate]]) -> Optional[Predicate]:
        if name is not None:
            return make(name)
        headline, body = make("headline"), make("body")
        if headline is None or body is None:
            return None
        return lambda doc: headline(doc) or body(doc)

    def _prefix(self, name: str, text: str) -> Optional[Predicate]:
        words = self.analysis.word.findall(self.analysis.fold(text))
        if not words:
            return None
        start = shared.undot(words[-1])  # as the index holds a dotted acronym
        return _also(name, [self.analysis.normalize(w) for w in words[:-1]],
                     lambda doc: any(w.startswith(start) for w in doc.words[name]))

    def _fuzzy(self, name: str, node: t.Fuzzy) -> Optional[Predicate]:
        words = self.analysis.analyze(node.text)
        if not words:
            return None
        word, distance = words[-1], node.edits_for(words[-1])
        return _also(name, words[:-1], lambda doc: any(
            w[:1] == word[:1] and edit_distance(w, word) <= distance for w in doc.words[name]))

    def _wildcard(self, name: str, text: str) -> Optional[Predicate]:
        pieces = re.findall(r"[\w?*]+(?:\.[\w?*]+)*", self.analysis.fold(text))
        patterns = [piece for piece in pieces if "?" in piece or "*" in piece]
        if not patterns:
            return None
        pattern = patterns[-1]
        if pattern[0] in "?*":
            at = self.query_text.find(text)
            raise QuerySyntaxError(self.query_text, max(at, 0),
                                   f"wildcard '{text}' needs a letter or digit before its first ? or *")
        regex = _wildcard_regex(pattern)
        others = [self.analysis.normalize(piece) for piece in pieces if piece != pattern]
        return _also(name, others, lambda doc: any(regex.fullmatch(w) for w in doc.words[name]))


def _wildcard_regex(pattern: str) -> "re.Pattern[str]":
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern),
                      re.DOTALL)


def _words(name: str, words: list[str], *, gap: int) -> Optional[Predicate]:
    """The words in ``name`` in this order, each 1 to ``gap`` positions after the one before."""
    if not words:
        return None

    def holds(doc: Doc) -> bool:
        where = doc.positions[name]
        ends = set(where.get(words[0], ()))
        for word in words[1:]:
            ends = {p for p in where.get(word, ()) if any(e < p <= e + gap for e in ends)}
        return bool(ends)

    return holds


def _any_of(predicates: list[Optional[Predicate]]) -> Optional[Predicate]:
    """Any of ``predicates``; ``None`` when none is left (each analysed to nothing)."""
    left = [p for p in predicates if p is not None]
    if len(left) <= 1:
        return left[0] if left else None
    return lambda doc: any(p(doc) for p in left)


def _also(name: str, words: list[str], predicate: Predicate) -> Predicate:
    """``predicate``, with every one of ``words`` somewhere in field ``name``."""
    return lambda doc: all(w in doc.positions[name] for w in words) and predicate(doc)


class Percolator:
    """Named query trees, matched against one article at a time."""

    def __init__(self, queries: Mapping[str, t.Node], analysis: Analysis = SHARED_ANALYSIS) -> None:
        self.analysis = analysis
        self._queries = dict(queries)
        self._predicates: dict[str, dict[str, Optional[Predicate]]] = {}  # per article language

    def matches(self, article: Article) -> list[str]:
        """The names of the queries ``article`` matches, their words analysed in the article's language
        (a query that analyses to nothing matches none)."""
        doc = Doc.of(article, self.analysis)
        language = article.language or "en"
        predicates = self._predicates.get(language)
        if predicates is None:
            predicates = self._predicates[language] = {
                name: Matcher(self.analysis, languages=_asked(tree) or (language,)).compile(tree)
                for name, tree in self._queries.items()}
        return [name for name, holds in predicates.items() if holds is not None and holds(doc)]


def _asked(node: t.Node) -> tuple[str, ...]:
    """The languages of ``node``'s ``lang:`` filters."""
    return tuple(dict.fromkeys(code for n in t.walk(node) if isinstance(n, t.Language) for code in n.codes))


def words_sought(node: t.Node, article: Article,
                 analysis: Analysis = SHARED_ANALYSIS) -> dict[str, frozenset[str]]:
    """Per field, the indexed words of ``article`` that the words of ``node`` look for, by the rules
    above (prefixes and wildcards matched against the article's own words); words under a NOT are
    left out: they are what the reader did not ask for. What an article page marks."""
    doc = Doc.of(article, analysis)
    analysis = analysis.of(article.language)
    found: dict[str, set[str]] = {name: set() for name in FIELDS}
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, (t.And, t.Or)):
            pending.extend(current.children)
        elif isinstance(current, (t.Term, t.Phrase, t.Prefix, t.Wildcard)):
            for name in (current.field,) if current.field else FIELDS:
                found[name] |= _leaf_words(current, set(doc.words[name]), analysis)
    return {name: frozenset(words) for name, words in found.items()}


def _leaf_words(leaf: t.Term | t.Phrase | t.Prefix | t.Wildcard, present: set[str],
                analysis: Analysis) -> set[str]:
    if isinstance(leaf, (t.Term, t.Phrase)):
        return set(analysis.analyze(leaf.text)) & present
    words = analysis.word.findall(analysis.fold(leaf.text))
    if isinstance(leaf, t.Prefix):
        if not words:
            return set()
        start = words[-1]
        others = {analysis.normalize(w) for w in words[:-1]}
        return {w for w in present if w.startswith(start)} | (others & present)
    patterns = [piece for piece in re.findall(r"[\w?*]+(?:\.[\w?*]+)*", analysis.fold(leaf.text))
                if "?" in piece or "*" in piece]
    if not patterns or patterns[-1][0] in "?*":
        return set()
    regex = _wildcard_regex(patterns[-1])
    return {w for w in present if regex.fullmatch(w)} | ({analysis.normalize(w) for w in words} & present)
