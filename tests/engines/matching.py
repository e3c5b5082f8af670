"""What a query tree matches, decided one article at a time: the reference engine's whole search.

The matcher is the library's percolator (:mod:`searchkit.news.percolate`), written out from
docs/query-language.md independently of every engine; this module adds the reference's scoring.
"""

from __future__ import annotations

from typing import Callable, Iterator

from searchkit.news.percolate import FIELDS, SHARED_ANALYSIS, Analysis, Doc, Matcher
from searchkit.query import tree as t

__all__ = ["Analysis", "Doc", "Matcher", "score", "whoosh_analysis", "FIELDS", "HEADLINE_WEIGHT"]

HEADLINE_WEIGHT = 0.75  # as the engines weigh a headline match (searchkit.engines.rules)


def whoosh_analysis() -> Analysis:
    """searchkit's one analysis, which every engine indexes (the name is historical)."""
    return SHARED_ANALYSIS


def score(analysis: Analysis, node: t.Node, doc: Doc) -> float:
    """How often the query's words (not those under a NOT) occur, a headline occurrence weighted as the
    engines weigh it."""
    total = 0.0
    for leaf in _scored_leaves(node):
        if isinstance(leaf, (t.Term, t.Phrase)):
            words = analysis.analyze(leaf.text)
            hit: Callable[[str], bool] = lambda w, words=words: w in words  # noqa: E731
        elif isinstance(leaf, t.Prefix):
            start = (analysis.word.findall(analysis.fold(leaf.text)) or [""])[-1]
            hit = lambda w, start=start: bool(start) and w.startswith(start)  # noqa: E731
        else:
            continue
        for name in (leaf.field,) if leaf.field else FIELDS:
            weight = HEADLINE_WEIGHT if name == "headline" else 1.0
            total += weight * sum(1 for w in doc.words[name] if hit(w))
    return total


def _scored_leaves(node: t.Node) -> Iterator[t.Node]:
    if isinstance(node, (t.And, t.Or)):
        for child in node.children:
            yield from _scored_leaves(child)
    elif not isinstance(node, t.Not):
        yield node
