"""Search results as plain, engine-free values: :class:`Hit` and :class:`Results`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterator, Optional, Union

from searchkit.errors import InvalidOptionError
from searchkit.query import DateRange, Node, parse, parse_date_bound

SORTS = ("relevance", "newest", "oldest")
MAX_LIMIT = 1_000_000

DateLike = Union[str, dt.date, dt.datetime, None]


@dataclass(frozen=True)
class Hit:
    """One matching article.

    ``snippet`` is the body's best fragments with matches marked ``**like this**`` (the body's start
    when only the headline matched); ``score`` is the relevance score, 0.0 when sorted by date.
    """

    id: str
    date: dt.date
    headline: str
    score: float
    snippet: str
    path: Optional[str]


@dataclass(frozen=True)
class Results:
    """A page of hits, the exact ``total`` that matched, and a spelling ``suggestion`` on zero hits."""

    query: str
    total: int
    offset: int
    hits: tuple[Hit, ...]
    suggestion: Optional[str] = None

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, index: int) -> Hit:
        return self.hits[index]


@dataclass(frozen=True)
class Explanation:
    """What a query means: the engine-neutral tree and the engine query that runs."""

    tree: str
    engine_query: str
    date_filter: Optional[str]


def to_tree(query: Union[str, Node], *, plain: bool) -> Node:
    """Parse a query string, or pass a tree built in code through."""
    if isinstance(query, str):
        return parse(query, plain=plain)
    return query


def date_filter(since: DateLike, until: DateLike) -> Optional[DateRange]:
    """The ``since``/``until`` options as one inclusive range, or ``None`` when neither is given."""
    if since is None and until is None:
        return None
    start = parse_date_bound(since, end=False) if since is not None else None
    end = parse_date_bound(until, end=True) if until is not None else None
    return DateRange(start, end)


def check_page(limit: int, offset: int, sort: str) -> None:
    """Reject nonsense paging and sort options with :class:`InvalidOptionError`."""
    if sort not in SORTS:
        raise InvalidOptionError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    if not 0 <= limit <= MAX_LIMIT:
        raise InvalidOptionError(f"limit must be between 0 and {MAX_LIMIT:,}")
    if offset < 0:
        raise InvalidOptionError("offset must be >= 0")
