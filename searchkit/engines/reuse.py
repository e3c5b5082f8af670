"""The last ranking a reader computed, kept for a request that follows it on the same query.

searchkit often asks one reader for one query twice in a row: the recency blend asks for a window of the
best matches and then for the page's hits by position (:attr:`~searchkit.engines.base.SearchRequest.at`),
and collapsing asks for hits from the top and then for the page's snippets by position. A reader that
keeps its last ranking answers the second request without evaluating the query again. A reader serves
one committed state and one thread, so what it keeps never goes stale.
"""

from __future__ import annotations

import math
from typing import Generic, Optional, TypeVar

from searchkit.engines.base import SearchRequest

State = TypeVar("State")


def query_key(request: SearchRequest) -> tuple[object, ...]:
    """What makes two requests rank the same matches the same way (their pages may differ)."""
    return (request.tree, request.query_text, request.date_filter, request.sort)


class LastRanking(Generic[State]):
    """What a reader computed for its last request's ranking (the engine's own objects, as ``State``)."""

    def __init__(self) -> None:
        self._key: Optional[tuple[object, ...]] = None
        self._state: Optional[State] = None
        self._covers = 0.0  # how deep a request it answers: every depth once it holds every match

    def get(self, request: SearchRequest) -> Optional[State]:
        """The kept state if it answers ``request``: the same query, filter and sort, ranked deep enough,
        and nothing asked that needs every match again (day or language counts, found ids)."""
        if request.count_days or request.count_languages or request.find_ids:
            return None
        if self._key != query_key(request):
            return None
        return self._state if request.depth() <= self._covers else None

    def keep(self, request: SearchRequest, state: State, *, ranked: int, total: int) -> None:
        """Keep ``state``, a ranking of its first ``ranked`` matches out of ``total``."""
        self._key, self._state = query_key(request), state
        self._covers = ranked if ranked < total else math.inf
