"""Search results as plain, engine-free values: :class:`Hit`, :class:`Results` and :class:`Explanation`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterator, Optional


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
    """What a query means: the engine-neutral tree, the engine query that runs (for the given sort), and
    the ``since``/``until`` filter."""

    tree: str
    engine_query: str
    date_filter: Optional[str]
    engine: str = ""
