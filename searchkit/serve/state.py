"""What every request handler shares: the index, the time budget, and the checks on what a URL asks for."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from starlette.requests import Request

from searchkit.articles import Article
from searchkit.errors import (
    AlertStateError,
    ArticleNotFoundError,
    EngineNotAvailableError,
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    InvalidDateError,
    InvalidOptionError,
    QuerySyntaxError,
    SearchkitError,
    SearchTimeoutError,
    UnsupportedQueryError,
)
from searchkit.index.facade import Index
from searchkit.serve.budget import TimeBudget
from searchkit.serve.paths import ShownPaths

#: Hits past this depth are not served (as Elasticsearch's max_result_window): deep pages cost the
#: engine offset + limit hits each; narrowing the query or sorting by date reaches old articles instead.
MAX_DEPTH = 10_000
#: An id longer than this is not looked up: no article has one.
MAX_ID_CHARS = 512


@dataclass
class ServerState:
    """The server's index, its read budget, the seeds folder it watches (if any), and how the API shows
    file paths."""

    index: Index
    budget: TimeBudget
    seeds_dir: Optional[Path] = None
    show_paths: bool = False  # the API shows whole server paths
    paths: ShownPaths = field(init=False)

    def __post_init__(self) -> None:
        self.paths = ShownPaths(self.index, absolute=self.show_paths)

    @staticmethod
    def of(request: Request) -> "ServerState":
        state: ServerState = request.app.state.searchkit
        return state


def check_depth(offset: int, limit: int) -> None:
    """Refuse a page that reaches past :data:`MAX_DEPTH` hits."""
    if offset + limit > MAX_DEPTH:
        raise InvalidOptionError(
            f"pages past hit {MAX_DEPTH:,} are not served: narrow the query or sort by date")


def article_or_404(index: Index, article_id: str) -> Article:
    """The article ``article_id``, or the one article whose id starts with it; :class:`ArticleNotFoundError`
    for an unknown or ambiguous id, and without a lookup for one no article can have (too long, or
    holding NUL or other control characters)."""
    if len(article_id) > MAX_ID_CHARS or not article_id.isprintable():
        raise ArticleNotFoundError(article_id[:40] + ("..." if len(article_id) > 40 else ""))
    return index.get(article_id, prefix=True)


def status_for(error: SearchkitError) -> int:
    """The HTTP status of a library error: 400 the request's fault, 404 no such article, 503 the index's
    state (unusable, missing, over the time budget)."""
    if isinstance(error, ArticleNotFoundError):
        return 404
    if isinstance(error, (QuerySyntaxError, InvalidOptionError, InvalidDateError, UnsupportedQueryError)):
        return 400
    if isinstance(error, (IndexNotFoundError, IndexCorruptError, IndexLockedError, SearchTimeoutError,
                          EngineNotAvailableError, AlertStateError)):
        return 503
    return 500
