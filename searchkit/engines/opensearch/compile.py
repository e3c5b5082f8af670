"""Compiling searchkit's query tree into OpenSearch's query DSL (a dict, shown as JSON by explain).

The walk and its rules are the other engines' (:class:`~searchkit.engines.walk.TreeCompiler`,
``engines/rules.py``): a word without a field searches the headline (boosted :data:`HEADLINE_BOOST`) and
the body; a group keeps its minimum (``minimum_should_match``), scaled when children analyse to nothing;
prefixes and wildcards match the unstemmed pattern against the indexed words, under the same caps. The
words a prefix or wildcard expands to are looked up first (one terms aggregation per pattern and field,
:func:`expansion_request`), so the caps raise the same errors as elsewhere and snippets mark the same
words; the query itself then uses OpenSearch's ``prefix`` and ``wildcard`` queries, which match exactly
those words (constant score per match, as OpenSearch does).

Phrases: an exact phrase is ``match_phrase`` on the words joined by spaces. A sloppy phrase means here
"each next word 1 to slop+1 positions after the one before"; Lucene's ``match_phrase`` slop is an edit
distance over the whole phrase (transpositions allowed), so it becomes nested ordered ``span_near``
queries instead, right-deep: ``span_near([w1, span_near([w2, w3], slop)], slop)``. An ordered span_near
of two clauses bounds the gap between them, and a right-deep nesting finds every chain, because for each
position of a word the nearest following start of a valid rest is the one to check.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

from searchkit.engines.opensearch.schema import WORDS_FIELDS
from searchkit.engines.rules import (
    BONUS_BOOST,
    MAX_PREFIX_TERMS,
    Pattern,
    literal_prefix,
    prose_words,
    split_fuzzy,
    split_prefix,
    split_wildcard,
)
from searchkit.engines.walk import TreeCompiler, query_languages
from searchkit.query import tree as t
from searchkit.text.analysis import STEMMED
from searchkit.text.edits import within_edits
from searchkit.text.multilingual import query_analyses

Query = dict[str, Any]
#: (kind, field, pattern): one prefix ("prefix") or wildcard ("wildcard") pattern in one field.
Key = tuple[str, str, str]
Expansions = Mapping[Key, list[str]]

NOTHING: Query = {"match_none": {}}
#: The most words of one first letter and length window a fuzzy word's lookup lists before keeping those
#: in reach (a vocabulary's words per first letter are fewer).
MAX_FUZZY_CANDIDATES = 65_536


def every() -> Query:
    """Every article, scoring nothing."""
    return {"constant_score": {"filter": {"match_all": {}}, "boost": 0.0}}


def expansion_keys(node: t.Node) -> list[Key]:
    """The patterns of ``node`` whose words must be looked up, in the order the compiler meets them."""
    keys: list[Key] = []
    for leaf in t.walk(node):
        pattern = _pattern_of(leaf)
        if pattern is None:
            continue
        for name in (leaf.field,) if leaf.field else ("headline", "body"):
            key = (pattern[0], name, pattern[1])  # (kind, field, pattern)
            if key not in keys:
                keys.append(key)
    return keys


def _pattern_of(leaf: t.Node) -> Optional[tuple[str, str, Pattern]]:
    """The (kind, pattern, split) a leaf's words are looked up by: a prefix, a wildcard, or a fuzzy word
    as ``word~distance``; ``None`` when there is nothing to look up."""
    if isinstance(leaf, t.Fuzzy):
        split = split_fuzzy(leaf.text)
        distance = leaf.edits_for(split.pattern) if split is not None else 0
        return ("fuzzy", f"{split.pattern}~{distance}", split) if split is not None and distance else None
    if isinstance(leaf, (t.Prefix, t.Wildcard)):
        kind = "prefix" if isinstance(leaf, t.Prefix) else "wildcard"
        split = split_prefix(leaf.text) if kind == "prefix" else split_wildcard(leaf.text)
        if split is None or (kind == "wildcard" and not literal_prefix(split.pattern)):
            return None
        return kind, split.pattern, split
    return None


def expansion_request(keys: list[Key]) -> Query:
    """One search whose aggregations list up to ``MAX_PREFIX_TERMS + 1`` indexed words per pattern."""
    aggs: dict[str, Any] = {}
    for number, (kind, name, pattern) in enumerate(keys):
        words = WORDS_FIELDS[name]
        size = MAX_PREFIX_TERMS + 1
        if kind == "fuzzy":  # every word of the first letter and lengths in reach, kept in read_expansions
            word, distance = _fuzzy_key(pattern)
            lowest, highest = max(0, len(word) - 1 - distance), len(word) - 1 + distance
            regex = f"{lucene_regex(word[0])}.{{{lowest},{highest}}}"
            match: Query = {"regexp": {words: {"value": regex}}}
            size = MAX_FUZZY_CANDIDATES
        elif kind == "prefix":
            match, regex = {"prefix": {words: {"value": pattern}}}, lucene_regex(pattern + "*")
        else:
            match, regex = {"wildcard": {words: {"value": pattern}}}, lucene_regex(pattern)
        aggs[f"e{number}"] = {"filter": match, "aggs": {"words": {"terms": {
            "field": words, "include": regex, "size": size, "order": {"_key": "asc"}}}}}
    return {"size": 0, "track_total_hits": False, "aggs": aggs}


def read_expansions(keys: list[Key], answer: Mapping[str, Any]) -> dict[Key, list[str]]:
    aggregations = answer.get("aggregations", {})
    found = {key: [bucket["key"] for bucket in aggregations[f"e{n}"]["words"]["buckets"]]
             for n, key in enumerate(keys)}
    for key in keys:
        if key[0] == "fuzzy":
            found[key] = within_edits(*_fuzzy_key(key[2]), found[key])
    return found


def _fuzzy_key(pattern: str) -> tuple[str, int]:
    word, _, distance = pattern.rpartition("~")
    return word, int(distance)


def lucene_regex(pattern: str) -> str:
    """A wildcard pattern (``?`` one character, ``*`` any run) as a Lucene regular expression."""
    return "".join(".*" if c == "*" else "." if c == "?" else c if c.isalnum() else "\\" + c for c in pattern)


def frequency_words(node: t.Node) -> list[str]:
    """The words of a prose query whose body document frequencies weigh them (none for other queries)."""
    return sorted(set(prose_words(node) or ()))


def frequency_request(words: list[str]) -> Query:
    """One search counting the articles, and those whose body holds each of ``words``."""
    aggs = {f"w{n}": {"filter": {"term": {"body": {"value": word}}}} for n, word in enumerate(words)}
    return {"size": 0, "track_total_hits": True, "aggs": aggs}


def read_frequencies(words: list[str], answer: Mapping[str, Any]) -> dict[str, tuple[int, int]]:
    total = int(answer["hits"]["total"]["value"])
    return {word: (int(answer["aggregations"][f"w{n}"]["doc_count"]), total) for n, word in enumerate(words)}


def compile_query(node: t.Node, query_text: str, expansions: Expansions, *, ranked: bool = True,
                  date_filter: Optional[t.DateRange] = None,
                  frequencies: Optional[Mapping[str, tuple[int, int]]] = None,
                  held: Callable[[], tuple[str, ...]] = tuple) -> Query:
    """The query that runs for ``node``: with the headline bonus when ``ranked``, filtered by date; a
    prose query's words weighed by ``frequencies`` (:func:`frequency_request`), analysed in the languages
    ``held()`` names (the index's)."""
    return Compiler(query_text, expansions, frequencies, held).compile_search(node, ranked=ranked,
                                                                               date_filter=date_filter)


class Compiler(TreeCompiler[Query]):
    """Turns a query tree into a query DSL dict, with the words its patterns expand to looked up."""

    def __init__(self, query_text: str, expansions: Expansions,
                 frequencies: Optional[Mapping[str, tuple[int, int]]] = None,
                 held: Callable[[], tuple[str, ...]] = tuple) -> None:
        super().__init__(query_text)
        self.expansions = expansions
        self.frequencies = frequencies or {}
        self._held = held

    def held_languages(self) -> tuple[str, ...]:
        return self._held()

    def languages(self, codes: tuple[str, ...]) -> Query:
        return {"constant_score": {"filter": {"terms": {"language": list(codes)}}, "boost": 0.0}}

    def doc_frequency(self, field: str, word: str) -> Optional[tuple[int, int]]:
        return self.frequencies.get(word) if field == "body" else None

    def term(self, field: str, word: str) -> Query:
        return {"term": {field: {"value": word}}}

    def phrase(self, field: str, words: list[str], slop: int, text: str) -> Query:
        if slop == 0:
            return {"match_phrase": {field: {"query": " ".join(words)}}}
        return _span_chain(field, words, slop)

    def any_of(self, parts: list[Query], minimum: int) -> Query:
        if len(parts) == 1:
            return parts[0]
        return {"bool": {"should": parts, "minimum_should_match": minimum}}

    def best_of(self, parts: list[Query], tie: float) -> Query:
        return parts[0] if len(parts) == 1 else {"dis_max": {"queries": parts, "tie_breaker": tie}}

    def constant(self, query: Query, score: float) -> Query:
        return {"constant_score": {"filter": query, "boost": score}}

    def all_of(self, parts: list[Query]) -> Query:
        return parts[0] if len(parts) == 1 else {"bool": {"must": parts}}

    def exclude(self, required: list[Query], excluded: list[Query]) -> Query:
        return {"bool": {"must": required, "must_not": excluded}}

    def boost(self, query: Query, boost: float) -> Query:
        return {"bool": {"must": [query], "boost": boost}}

    def range(self, node: t.DateRange) -> Query:
        if node.is_empty:
            return NOTHING
        bounds: dict[str, str] = {"format": "strict_date"}
        if node.start is not None:
            bounds["gte"] = node.start.isoformat()
        if node.end is not None:
            bounds["lte"] = node.end.isoformat()
        return {"constant_score": {"filter": {"range": {"date": bounds}}, "boost": 0.0}}

    def every(self) -> Query:
        return every()

    def nothing(self) -> Query:
        return NOTHING

    def expand_prefix(self, field: str, prefix: str) -> tuple[int, Query]:
        found = self.expansions[("prefix", field, prefix)]
        return len(found), {"prefix": {field: {"value": prefix}}} if found else NOTHING

    def expand_wildcard(self, field: str, pattern: str) -> tuple[int, Query]:
        found = self.expansions[("wildcard", field, pattern)]
        return len(found), {"wildcard": {field: {"value": pattern}}} if found else NOTHING

    def expand_fuzzy(self, field: str, word: str, distance: int) -> tuple[int, Query]:
        found = self.expansions[("fuzzy", field, f"{word}~{distance}")]
        return len(found), self.any_of([self.term(field, w) for w in found[:MAX_PREFIX_TERMS]], 1) \
            if found else NOTHING

    def bonus(self, words: list[str]) -> Query:
        # The boost goes inside match_phrase, not around it.
        return {"match_phrase": {"headline": {"query": " ".join(words), "boost": BONUS_BOOST}}}

    def with_bonus(self, query: Query, bonus: Query) -> Query:
        return {"bool": {"must": [query], "should": [bonus]}}

    def filtered(self, query: Query, dates: Query) -> Query:
        return {"bool": {"must": [query], "filter": [dates]}}


def _span_chain(field: str, words: list[str], slop: int) -> Query:
    """``words`` in order, each 1 to ``slop + 1`` positions after the one before (right-deep spans)."""
    rest: Query = {"span_term": {field: {"value": words[-1]}}}
    for word in reversed(words[:-1]):
        rest = {"span_near": {"clauses": [{"span_term": {field: {"value": word}}}, rest],
                              "slop": slop, "in_order": True}}
    return rest


def body_words(node: t.Node, expansions: Expansions,
               held: Callable[[], tuple[str, ...]] = tuple) -> frozenset[str]:
    """The indexed words ``node`` looks for in the body, prefixes and wildcards expanded (for snippets;
    negated words included, as on the other engines), in each language it is analysed in."""
    words: set[str] = set()
    languages = query_languages(node, held)
    for leaf in t.walk(node):
        if leaf_field(leaf) not in (None, "body"):
            continue
        if isinstance(leaf, (t.Term, t.Phrase)):
            words.update(w for analysis in query_analyses(leaf.text, languages) for w in analysis)
        elif (found := _pattern_of(leaf)) is not None and (found[0], "body", found[1]) in expansions:
            kind, pattern, split = found
            words.update(split.others)
            words.update(expansions[(kind, "body", pattern)][:MAX_PREFIX_TERMS])
        elif isinstance(leaf, t.Fuzzy):  # distance 0: the word itself
            words.update(STEMMED.words(leaf.text))
    return frozenset(words)


def leaf_field(leaf: t.Node) -> Optional[str]:
    value = getattr(leaf, "field", "")
    return value if value is None or isinstance(value, str) else ""


