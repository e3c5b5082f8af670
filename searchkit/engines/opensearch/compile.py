"""Compiling searchkit's query tree into OpenSearch's query DSL (a dict, shown as JSON by explain).

The rules are the other engines' (``engines/rules.py``): a word without a field searches the headline
(boosted :data:`HEADLINE_BOOST`) and the body; a group keeps its minimum (``minimum_should_match``),
scaled when children analyse to nothing; prefixes and wildcards match the unstemmed pattern against the
indexed words, under the same caps. The words a prefix or wildcard expands to are looked up first (one
terms aggregation per pattern and field, :func:`expansion_request`), so the caps raise the same errors
as elsewhere and snippets mark the same words; the query itself then uses OpenSearch's ``prefix`` and
``wildcard`` queries, which match exactly those words (constant score per match, as OpenSearch does).

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
    HEADLINE_BOOST,
    MAX_PREFIX_TERMS,
    ExpansionBudget,
    Pattern,
    bonus_words,
    literal_prefix,
    scaled_minimum,
    split_and,
    split_prefix,
    split_wildcard,
)
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


def compile_query(node: t.Node, query_text: str, expansions: Expansions, *, ranked: bool = True,
                  date_filter: Optional[t.DateRange] = None) -> Query:
    """The query that runs for ``node``: with the headline bonus when ``ranked``, filtered by date."""
    compiler = Compiler(query_text, expansions)
    query = compiler.compile(node)
    if ranked:
        words = bonus_words(node)
        if words:
            bonus = {"match_phrase": {"headline": {"query": " ".join(words), "boost": BONUS_BOOST}}}
            query = {"bool": {"must": [query], "should": [bonus]}}
    if date_filter is not None:
        query = {"bool": {"must": [query], "filter": [date_range(date_filter)]}}
    return query


def date_range(node: t.DateRange) -> Query:
    """Articles dated in ``node`` (both ends inclusive), scoring nothing."""
    if node.is_empty:
        return NOTHING
    if node.start is None and node.end is None:
        return every()
    bounds: dict[str, str] = {"format": "strict_date"}
    if node.start is not None:
        bounds["gte"] = node.start.isoformat()
    if node.end is not None:
        bounds["lte"] = node.end.isoformat()
    return {"constant_score": {"filter": {"range": {"date": bounds}}, "boost": 0.0}}


class Compiler:
    def __init__(self, query_text: str, expansions: Expansions) -> None:
        self.budget = ExpansionBudget(query_text)
        self.expansions = expansions

    def compile(self, node: t.Node) -> Query:
        return self._compile(node) or NOTHING

    def _compile(self, node: t.Node) -> Optional[Query]:
        if isinstance(node, t.Term):
            return self._each_field(node.field, lambda f: self._words(f, node.text, 0))
        if isinstance(node, t.Phrase):
            return self._each_field(node.field, lambda f: self._words(f, node.text, node.slop))
        if isinstance(node, t.Prefix):
            return self._each_field(node.field, lambda f: self._prefix(f, node.text))
        if isinstance(node, t.Wildcard):
            return self._each_field(node.field, lambda f: self._wildcard(f, node.text))
        if isinstance(node, t.DateRange):
            return date_range(node)
        if isinstance(node, t.MatchAll):
            return every()
        if isinstance(node, t.Not):
            inner = self._compile(node.child)
            return every() if inner is None else {"bool": {"must": [every()], "must_not": [inner]}}
        if isinstance(node, t.And):
            return self._and(node)
        if isinstance(node, t.Or):
            return self._or(node)
        raise TypeError(f"not a query node: {node!r}")

    def _and(self, node: t.And) -> Optional[Query]:
        positives, negatives = split_and(node, self._compile)
        if not positives and not negatives:
            return None
        if not negatives and len(positives) == 1:
            return positives[0]
        query: dict[str, Any] = {"must": positives or [every()]}
        if negatives:
            query["must_not"] = negatives
        return {"bool": query}

    def _or(self, node: t.Or) -> Optional[Query]:
        compiled = [c for c in (self._compile(child) for child in node.children) if c is not None]
        if not compiled:
            return None
        return _any_of(compiled, scaled_minimum(node, len(compiled)))

    def _each_field(self, field: Optional[str], make: Callable[[str], Optional[Query]]) -> Optional[Query]:
        if field is not None:
            return make(field)
        headline, body = make("headline"), make("body")
        if headline is None or body is None:
            return None
        return _any_of([_boosted(headline, HEADLINE_BOOST), body], 1)

    def _words(self, field: str, text: str, slop: int) -> Optional[Query]:
        words = STEMMED.words(text)
        if not words:
            return None
        if len(words) == 1:
            return {"term": {field: {"value": words[0]}}}
        if slop == 0:
            return {"match_phrase": {field: {"query": " ".join(words)}}}
        return _span_chain(field, words, slop)

    def _prefix(self, field: str, text: str) -> Optional[Query]:
        split = split_prefix(text)
        if split is None:
            return None
        found = self.expansions[("prefix", field, split.pattern)]
        self.budget.spend(text, f"prefix '{text}*'", len(found))
        matching = {"prefix": {field: {"value": split.pattern}}} if found else NOTHING
        return self._after_words(field, split, matching)

    def _wildcard(self, field: str, text: str) -> Optional[Query]:
        split = split_wildcard(text)
        if split is None:
            return None
        self.budget.check_wildcard(text, split.pattern)
        found = self.expansions[("wildcard", field, split.pattern)]
        self.budget.spend(text, f"wildcard '{text}'", len(found))
        matching = {"wildcard": {field: {"value": split.pattern}}} if found else NOTHING
        return self._after_words(field, split, matching)

    def _after_words(self, field: str, split: Pattern, pattern: Query) -> Query:
        if not split.others:
            return pattern
        return {"bool": {"must": [*({"term": {field: {"value": w}}} for w in split.others), pattern]}}


def _span_chain(field: str, words: list[str], slop: int) -> Query:
    """``words`` in order, each 1 to ``slop + 1`` positions after the one before (right-deep spans)."""
    rest: Query = {"span_term": {field: {"value": words[-1]}}}
    for word in reversed(words[:-1]):
        rest = {"span_near": {"clauses": [{"span_term": {field: {"value": word}}}, rest],
                              "slop": slop, "in_order": True}}
    return rest


def _boosted(query: Query, boost: float) -> Query:
    return {"bool": {"must": [query], "boost": boost}}


def _any_of(parts: list[Query], minimum: int) -> Query:
    if len(parts) == 1:
        return parts[0]
    return {"bool": {"should": parts, "minimum_should_match": minimum}}


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


