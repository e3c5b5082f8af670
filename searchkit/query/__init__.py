"""The engine-neutral query layer: a tree of nodes, a strict parser with error positions, date parsing."""

from searchkit.query.dates import parse_date_bound
from searchkit.query.parser import MAX_DEPTH, MAX_QUERY_LENGTH, parse
from searchkit.query.tree import (
    TEXT_FIELDS,
    And,
    DateRange,
    Fuzzy,
    Language,
    MatchAll,
    Node,
    Not,
    Or,
    Phrase,
    Prefix,
    Term,
    Wildcard,
    walk,
)

__all__ = [
    "TEXT_FIELDS", "And", "DateRange", "Fuzzy", "Language", "MatchAll", "Node", "Not", "Or", "Phrase",
    "Prefix", "Term", "Wildcard", "walk", "parse", "parse_date_bound", "MAX_DEPTH", "MAX_QUERY_LENGTH",
]
