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

from typing import Any, Mapping, Optional

from searchkit.engines.opensearch.schema import WORDS_FIELDS
from searchkit.engines.rules import (
    BONUS_BOOST,
    MAX_PREFIX_TERMS,
    literal_prefix,
    prose_words,
    split_prefix,
    split_wildcard,
)
from searchkit.engines.walk import TreeCompiler
from searchkit.query import tree as t
from searchkit.text.analysis import STEMMED

Query = dict[str, Any]
#: (kind, field, pattern): one prefix ("prefix") or wildcard ("wildcard") pattern in one field.
Key = tuple[str, str, str]
Expansions = Mapping[Key, list[str]]

NOTHING: Query = {"match_none": {}}


def every() -> Query:
    """Every article, scoring nothing."""
    return {"constant_score": {"filter": {"match_all": {}}, "boost": 0.0}}


def expansion_keys(node: t.Node) -> list[Key]:
    """The patterns of ``node`` whose words must be looked up, in the order the compiler meets them."""
    keys: list[Key] = []
    for leaf in t.walk(node):
        if isinstance(leaf, (t.Prefix, t.Wildcard)):
            kind = "prefix" if isinstance(leaf, t.Prefix) else "wildcard"
            split = split_prefix(leaf.text) if kind == "prefix" else split_wildcard(leaf.text)
            if split is None or (kind == "wildcard" and not literal_prefix(split.pattern)):
                continue
            for name in (leaf.field,) if leaf.field else ("headline", "body"):
                key = (kind, name, split.pattern)
                if key not in keys:
                    keys.append(key)
    return keys


def expansion_request(keys: list[Key]) -> Query:
    """One search whose aggregations list up to ``MAX_PREFIX_TERMS + 1`` indexed words per pattern."""
    aggs: dict[str, Any] = {}
    for number, (kind, name, pattern) in enumerate(keys):
        words = WORDS_FIELDS[name]
        match = {"prefix": {words: {"value": pattern}}} if kind == "prefix" else \
            {"wildcard": {words: {"value": pattern}}}
        regex = lucene_regex(pattern + "*" if kind == "prefix" else pattern)
        aggs[f"e{number}"] = {"filter": match, "aggs": {"words": {"terms": {
            "field": words, "include": regex, "size": MAX_PREFIX_TERMS + 1, "order": {"_key": "asc"}}}}}
    return {"size": 0, "track_total_hits": False, "aggs": aggs}


def read_expansions(keys: list[Key], answer: Mapping[str, Any]) -> dict[Key, list[str]]:
    aggregations = answer.get("aggregations", {})
    return {key: [bucket["key"] for bucket in aggregations[f"e{n}"]["words"]["buckets"]]
            for n, key in enumerate(keys)}


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
                  frequencies: Optional[Mapping[str, tuple[int, int]]] = None) -> Query:
    """The query that runs for ``node``: with the headline bonus when ``ranked``, filtered by date; a
    prose query's words weighed by ``frequencies`` (:func:`frequency_request`)."""
    return Compiler(query_text, expansions, frequencies).compile_search(node, ranked=ranked,
                                                                         date_filter=date_filter)


class Compiler(TreeCompiler[Query]):
    """Turns a query tree into a query DSL dict, with the words its patterns expand to looked up."""

    def __init__(self, query_text: str, expansions: Expansions,
                 frequencies: Optional[Mapping[str, tuple[int, int]]] = None) -> None:
        super().__init__(query_text)
        self.expansions = expansions
        self.frequencies = frequencies or {}

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


def body_words(node: t.Node, expansions: Expansions) -> frozenset[str]:
    """The indexed words ``node`` looks for in the body, prefixes and wildcards expanded (for snippets;
    negated words included, as on the other engines)."""
    words: set[str] = set()
    for leaf in t.walk(node):
        if leaf_field(leaf) not in (None, "body"):
            continue
        if isinstance(leaf, (t.Term, t.Phrase)):
            words.update(STEMMED.words(leaf.text))
        elif isinstance(leaf, (t.Prefix, t.Wildcard)):
            kind = "prefix" if isinstance(leaf, t.Prefix) else "wildcard"
            split = split_prefix(leaf.text) if kind == "prefix" else split_wildcard(leaf.text)
            if split is not None and (kind, "body", split.pattern) in expansions:
                words.update(split.others)
                words.update(expansions[(kind, "body", split.pattern)][:MAX_PREFIX_TERMS])
    return frozenset(words)


def leaf_field(leaf: t.Node) -> Optional[str]:
    value = getattr(leaf, "field", "")
    return value if value is None or isinstance(value, str) else ""


