"""One walk of searchkit's query tree, shared by every engine's query compiler.

:class:`TreeCompiler` holds what the rules (``engines/rules.py``) make the same on every engine: the
dispatch over node kinds; the field fan-out (a word without a field searches the headline, weighted
:data:`HEADLINE_BOOST`, or the body); AND with its exclusions (:func:`split_and`), OR with its scaled
minimum, NOT as all-but; the split, caps and leftover words of prefixes and wildcards; whether the
headline-phrase bonus applies; and where the date filter goes. A subclass only says how its engine builds
query objects, in the hooks: :meth:`~TreeCompiler.term`, :meth:`~TreeCompiler.phrase`,
:meth:`~TreeCompiler.any_of`, :meth:`~TreeCompiler.best_of`, :meth:`~TreeCompiler.constant`,
:meth:`~TreeCompiler.all_of`, :meth:`~TreeCompiler.exclude`,
:meth:`~TreeCompiler.boost`, :meth:`~TreeCompiler.range`, :meth:`~TreeCompiler.every`,
:meth:`~TreeCompiler.nothing`, :meth:`~TreeCompiler.expand_prefix`, :meth:`~TreeCompiler.expand_wildcard`,
:meth:`~TreeCompiler.expand_fuzzy`,
:meth:`~TreeCompiler.with_bonus` and :meth:`~TreeCompiler.filtered` (and :meth:`~TreeCompiler.bonus`,
whose default is the boosted exact headline phrase, and :meth:`~TreeCompiler.proximity`, whose default is
the boosted sloppy body phrases of a long query's neighbouring words).

What genuinely differs stays in an engine's hooks: Whoosh counts a phrase's slop from 1 and uses its own
query classes (``engines/whoosh/queries.py``: ``AtLeast``, ``Without``, ``WithBonus``, the date column);
Tantivy expands a sloppy phrase into the exact phrases of its gap patterns, expands prefixes and
wildcards into the words of its term dictionary, and carries explain's text beside each query; OpenSearch
builds JSON dicts, a sloppy phrase as ``span_near`` chains, looks expansions up before compiling, and
boosts its bonus phrase inside ``match_phrase``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable, Generic, Optional, TypeVar

from searchkit.engines.rules import (
    BONUS_BOOST,
    COVERAGE_BOOST,
    FIELD_TIE,
    HEADLINE_BOOST,
    PROXIMITY_BOOST,
    PROXIMITY_LEAST_WEIGHT,
    PROXIMITY_PAIRS,
    PROXIMITY_SLOP,
    ExpansionBudget,
    bonus_words,
    common_word_weight,
    coverage_words,
    is_long_prose,
    is_prose,
    lucene_idf,
    proximity_pairs,
    scaled_minimum,
    split_and,
    split_fuzzy,
    split_prefix,
    split_wildcard,
)
from searchkit.query import tree as t
from searchkit.text.multilingual import query_analyses, stopped_in

#: An engine's query type.
Q = TypeVar("Q")


class TreeCompiler(ABC, Generic[Q]):
    """Compiles a query tree into queries of type ``Q``; a subclass fills in the hooks below."""

    def __init__(self, query_text: str = "") -> None:
        self.budget = ExpansionBudget(query_text)
        self.weigh_words = False  # while compiling a prose query for a ranked search
        self.split_fields = False  # while compiling a long prose query for one: headline and body dis_max
        self._weights: dict[str, float] = {}
        #: The languages a query's words are analysed in (empty: the default analysis alone).
        self.analysis_languages: tuple[str, ...] = ()

    def compile_search(self, node: t.Node, *, ranked: bool = True,
                       date_filter: Optional[t.DateRange] = None) -> Q:
        """The query that runs for ``node``: when ``ranked`` (a relevance sort), a prose query's words
        weighted by how common they are, with the headline and proximity bonuses; filtered by
        ``date_filter``, which scores nothing."""
        node, codes = split_languages(node)
        self.analysis_languages = codes if codes is not None else query_languages(node, self.held_languages)
        self.weigh_words = ranked and is_prose(node)
        self.split_fields = ranked and is_long_prose(node)
        query = self.compile(node)
        self.weigh_words = self.split_fields = False
        if codes is not None:
            query = self.filtered(query, self.languages(codes)) if codes else self.nothing()
        if ranked:
            bonuses = [bonus for bonus in (self.headline_phrase_bonus(node), self.proximity_bonus(node),
                                           self.coverage_bonus(node)) if bonus is not None]
            if bonuses:
                query = self.with_bonus(query, bonuses[0] if len(bonuses) == 1 else self.any_of(bonuses, 1))
        if date_filter is not None:
            query = self.filtered(query, self.date_range(date_filter))
        return query

    def compile(self, node: t.Node) -> Q:
        """The query for ``node``; :meth:`nothing` when nothing can match."""
        compiled = self._compile(node)
        return self.nothing() if compiled is None else compiled

    def headline_phrase_bonus(self, node: t.Node) -> Optional[Q]:
        """An optional clause lifting articles whose headline holds a plain word query's words in order."""
        words = bonus_words(node)
        return self.bonus(words) if words else None

    def proximity_bonus(self, node: t.Node) -> Optional[Q]:
        """An optional clause lifting articles whose body holds neighbouring words of a long plain word
        query near each other (:func:`~searchkit.engines.rules.proximity_pairs`)."""
        pairs = proximity_pairs(node)
        weighed = self.weighed_pairs(pairs) if pairs else []
        return self.proximity(weighed) if weighed else None

    def coverage_bonus(self, node: t.Node) -> Optional[Q]:
        """An optional clause rewarding articles for each distinct word of a long prose query they hold,
        in the headline or the body (:func:`~searchkit.engines.rules.coverage_words`)."""
        words = coverage_words(node)
        if not words or not COVERAGE_BOOST:
            return None
        parts = []
        for word in words:
            counts = self.doc_frequency("body", word)
            idf = lucene_idf(*counts) if counts is not None else 1.0
            found = self.any_of([self.term("headline", word), self.term("body", word)], 1)
            parts.append(self.constant(found, COVERAGE_BOOST * self.word_weight(word) * idf))
        return parts[0] if len(parts) == 1 else self.any_of(parts, 1)

    def date_range(self, node: t.DateRange) -> Q:
        """Articles dated in ``node`` (both ends inclusive), scoring nothing."""
        if node.start is None and node.end is None:
            return self.every()
        return self.range(node)

    def _compile(self, node: t.Node) -> Optional[Q]:
        if isinstance(node, t.Term):
            return self._each_field(node.field, lambda f: self._words(f, node.text, 0))
        if isinstance(node, t.Phrase):
            return self._each_field(node.field, lambda f: self._words(f, node.text, node.slop))
        if isinstance(node, t.Prefix):
            return self._each_field(node.field, lambda f: self._pattern(f, node.text, wildcard=False))
        if isinstance(node, t.Wildcard):
            return self._each_field(node.field, lambda f: self._pattern(f, node.text, wildcard=True))
        if isinstance(node, t.Fuzzy):
            return self._each_field(node.field, lambda f: self._fuzzy(f, node))
        if isinstance(node, t.DateRange):
            return self.date_range(node)
        if isinstance(node, t.MatchAll):
            return self.every()
        if isinstance(node, t.Language):
            return self.languages(node.codes)
        if isinstance(node, t.Not):
            inner = self._compile(node.child)
            return self.every() if inner is None else self.exclude([self.every()], [inner])
        if isinstance(node, t.And):
            stopped = and_stop_words(node, self.analysis_languages)
            if stopped:
                return self._compile_and(node, stopped)
            required, excluded = split_and(node, self._compile)
            if not excluded:
                return self.all_of(required) if required else None
            return self.exclude(required or [self.every()], excluded)
        if isinstance(node, t.Or):
            compiled = [c for c in (self._compile(child) for child in node.children) if c is not None]
            if not compiled:
                return None
            # Children that analyse to nothing cannot match: scale the minimum to what is left.
            return self.any_of(compiled, scaled_minimum(node, len(compiled)))
        raise TypeError(f"not a query node: {node!r}")

    def _compile_and(self, node: t.And, stopped: dict[int, tuple[str, ...]]) -> Optional[Q]:
        """An AND some of whose words are stop words in some languages (:func:`and_stop_words`): each
        such word constrains nothing in those languages (their articles pass it, scoring nothing)."""
        def child(inner: t.Node) -> Optional[Q]:
            compiled = self._compile(inner)
            languages = stopped.get(id(inner))
            if not languages:
                return compiled
            if set(languages) >= set(self.analysis_languages):
                return None  # a stop word in every language asked: it constrains nothing
            passes = self.languages(languages)
            return passes if compiled is None else self.any_of([compiled, passes], 1)

        required, excluded = split_and(node, child)
        if not excluded:
            return self.all_of(required) if required else None
        return self.exclude(required or [self.every()], excluded)

    def _each_field(self, field: Optional[str], make: Callable[[str], Optional[Q]]) -> Optional[Q]:
        if field is not None:
            return make(field)
        headline, body = make("headline"), make("body")
        if headline is None or body is None:
            return None
        if self.split_fields:
            return self.best_of([self.boost(headline, HEADLINE_BOOST), body], FIELD_TIE)
        return self.any_of([self.boost(headline, HEADLINE_BOOST), body], 1)

    def _words(self, field: str, text: str, slop: int) -> Optional[Q]:
        analyses = query_analyses(text, self.analysis_languages)
        if len(analyses) > 1:  # the text analyses differently in the languages asked: any of them
            parts = [part for words in analyses if (part := self._analysed(field, words, slop, text))]
            return self.any_of(parts, 1) if parts else None
        return self._analysed(field, analyses[0], slop, text)

    def _analysed(self, field: str, words: list[str], slop: int, text: str) -> Optional[Q]:
        if not words:
            return None
        if len(words) == 1:
            term = self.term(field, words[0])
            weight = self.word_weight(words[0]) if self.weigh_words else 1.0
            return term if weight == 1.0 else self.boost(term, weight)
        return self.phrase(field, words, slop, text)

    def word_weight(self, word: str) -> float:
        """A prose query word's weight (:func:`~searchkit.engines.rules.common_word_weight`), from how
        many bodies hold it, in headline and body alike: a headline is too short to tell."""
        weight = self._weights.get(word)
        if weight is None:
            counts = self.doc_frequency("body", word)
            weight = self._weights[word] = 1.0 if counts is None else common_word_weight(*counts)
        return weight

    def doc_frequency(self, field: str, word: str) -> Optional[tuple[int, int]]:
        """How many articles hold ``word`` in ``field``, and how many articles there are; ``None`` when
        the engine cannot tell (its prose queries then weigh every word alike)."""
        return None

    def _pattern(self, field: str, text: str, *, wildcard: bool) -> Optional[Q]:
        split = split_wildcard(text) if wildcard else split_prefix(text)
        if split is None:
            return None
        if wildcard:
            self.budget.check_wildcard(text, split.pattern)
        found, query = (self.expand_wildcard if wildcard else self.expand_prefix)(field, split.pattern)
        self.budget.spend(text, f"wildcard '{text}'" if wildcard else f"prefix '{text}*'", found)
        if not split.others:
            return query
        # The other words of its text ("u.s-bo*": u.s) must match as they are.
        return self.all_of([*(self.term(field, w) for w in split.others), query])

    def _fuzzy(self, field: str, node: t.Fuzzy) -> Optional[Q]:
        split = split_fuzzy(node.text)
        if split is None:
            return None
        distance = node.edits_for(split.pattern)
        if distance == 0:
            query = self.term(field, split.pattern)
        else:
            found, query = self.expand_fuzzy(field, split.pattern, distance)
            self.budget.spend(node.text, f"fuzzy word '{node.text}~'", found)
        if not split.others:
            return query
        return self.all_of([*(self.term(field, w) for w in split.others), query])

    def bonus(self, words: list[str]) -> Q:
        """The bonus clause for ``words``: their exact phrase in the headline, boosted :data:`BONUS_BOOST`."""
        return self.boost(self.phrase("headline", words, 0, ""), BONUS_BOOST)

    def proximity(self, pairs: list[tuple[list[str], float]]) -> Q:
        """The proximity clause for ``pairs`` (each with its boost): each pair's phrase in the body within
        :data:`PROXIMITY_SLOP`, boosted, their scores summed."""
        near = [self.boost(self.phrase("body", pair, PROXIMITY_SLOP, ""), boost) for pair, boost in pairs]
        return near[0] if len(near) == 1 else self.any_of(near, 1)

    def weighed_pairs(self, pairs: list[list[str]]) -> list[tuple[list[str], float]]:
        """Each pair with its boost: :data:`PROXIMITY_BOOST`, shared out when there are more than
        :data:`PROXIMITY_PAIRS` pairs, times the weights of its two words; a pair whose words' weights
        multiply to less than :data:`PROXIMITY_LEAST_WEIGHT` is left out (common words, whose long
        postings are the costly ones to read positions from, would add next to nothing)."""
        share = PROXIMITY_BOOST * min(1.0, PROXIMITY_PAIRS / len(pairs))
        weighed = [(pair, self.word_weight(pair[0]) * self.word_weight(pair[1])) for pair in pairs]
        return [(pair, share * weight) for pair, weight in weighed if weight >= PROXIMITY_LEAST_WEIGHT]

    @abstractmethod
    def term(self, field: str, word: str) -> Q:
        """One analysed word in ``field``."""

    @abstractmethod
    def phrase(self, field: str, words: list[str], slop: int, text: str) -> Q:
        """Two or more analysed words in order, each at most ``slop`` positions after the one before
        (0: adjacent); ``text`` is the phrase as typed, for errors."""

    @abstractmethod
    def any_of(self, parts: list[Q], minimum: int) -> Q:
        """At least ``minimum`` of ``parts`` (one or more), their scores summed."""

    @abstractmethod
    def best_of(self, parts: list[Q], tie: float) -> Q:
        """Any of ``parts`` (one or more), scored as the best of their scores plus ``tie`` times the
        others' (a dis_max)."""

    @abstractmethod
    def constant(self, query: Q, score: float) -> Q:
        """``query``'s matches, each scoring ``score``."""

    @abstractmethod
    def all_of(self, parts: list[Q]) -> Q:
        """Every one of ``parts`` (one or more)."""

    @abstractmethod
    def exclude(self, required: list[Q], excluded: list[Q]) -> Q:
        """Every one of ``required`` (one or more) and none of ``excluded`` (one or more)."""

    @abstractmethod
    def boost(self, query: Q, boost: float) -> Q:
        """``query`` with its score multiplied by ``boost``."""

    @abstractmethod
    def range(self, node: t.DateRange) -> Q:
        """Articles dated in ``node``, which has at least one end and may be empty; scores nothing."""

    @abstractmethod
    def languages(self, codes: tuple[str, ...]) -> Q:
        """Articles in one of the languages ``codes``; scores nothing."""

    def held_languages(self) -> tuple[str, ...]:
        """The languages of the index's articles (what an unfielded query is analysed in); empty when
        the engine cannot tell (the default analysis alone)."""
        return ()

    @abstractmethod
    def every(self) -> Q:
        """Every article, scoring nothing."""

    @abstractmethod
    def nothing(self) -> Q:
        """No article."""

    @abstractmethod
    def expand_prefix(self, field: str, prefix: str) -> tuple[int, Q]:
        """How many indexed words of ``field`` start with ``prefix`` (counting at least to one past
        :data:`~searchkit.engines.rules.MAX_PREFIX_TERMS`), and the query matching them."""

    @abstractmethod
    def expand_wildcard(self, field: str, pattern: str) -> tuple[int, Q]:
        """How many indexed words of ``field`` the wildcard ``pattern`` matches (as for a prefix), and
        the query matching them."""

    @abstractmethod
    def expand_fuzzy(self, field: str, word: str, distance: int) -> tuple[int, Q]:
        """How many indexed words of ``field`` lie within ``distance`` edits of the analysed ``word``
        (:func:`~searchkit.engines.rules.within_edits`; counting as for a prefix), and the query
        matching any of them."""

    @abstractmethod
    def with_bonus(self, query: Q, bonus: Q) -> Q:
        """``query``'s matches, each scoring extra what the optional ``bonus`` scores on it."""

    @abstractmethod
    def filtered(self, query: Q, dates: Q) -> Q:
        """``query``'s matches that ``dates`` (which scores nothing) matches too."""


def split_languages(node: t.Node) -> tuple[t.Node, Optional[tuple[str, ...]]]:
    """``node`` without the language filters AND-ed at its top, and the languages they allow (``None``
    when there are none; empty when they contradict, as ``lang:de AND lang:fr``)."""
    if isinstance(node, t.Language):
        return t.MatchAll(), node.codes
    if not isinstance(node, t.And) or not any(isinstance(c, t.Language) for c in node.children):
        return node, None
    allowed: Optional[list[str]] = None
    for child in node.children:
        if isinstance(child, t.Language):
            allowed = list(child.codes) if allowed is None else [c for c in allowed if c in child.codes]
    rest = [child for child in node.children if not isinstance(child, t.Language)]
    return (rest[0] if len(rest) == 1 else t.And(*rest)) if rest else t.MatchAll(), tuple(allowed or ())


def and_stop_words(node: t.And, languages: tuple[str, ...]) -> dict[int, tuple[str, ...]]:
    """For the words (terms and phrases) of an AND that are only stop words in some of ``languages``,
    by ``id`` of the child: those languages, less any in which every word of the AND is a stop word (a
    query of stop words alone matches nothing in their language). Empty for most queries."""
    if not languages:
        return {}
    words = [child for child in node.children if isinstance(child, (t.Term, t.Phrase))]
    stopped = {id(child): stopped_in(child.text, languages) for child in words}
    if not any(stopped.values()):
        return {}
    everywhere = set(languages).intersection(*map(set, stopped.values()))
    return {key: tuple(code for code in codes if code not in everywhere)
            for key, codes in stopped.items() if set(codes) - everywhere}


def query_languages(node: t.Node, held: Callable[[], tuple[str, ...]]) -> tuple[str, ...]:
    """The languages ``node``'s words are analysed in: those of its language filters when it has some
    (``lang:de OR lang:fr`` inside it), else every language the index holds (``held()``, asked only when
    the query has words)."""
    asked = [code for n in t.walk(node) if isinstance(n, t.Language) for code in n.codes]
    if asked:
        return tuple(dict.fromkeys(asked))
    if not any(isinstance(n, (t.Term, t.Phrase)) for n in t.walk(node)):
        return ()
    return held()
