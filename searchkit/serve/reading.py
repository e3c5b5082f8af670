"""The reading pages: one article at ``/articles/{id}`` and one story's versions at ``/stories/{id}``.

An article opened from the results carries the search in its URL (``?q=...&page=2&at=13``, ``at`` being
its rank): the page then marks the query's words, links the results before and after it, and leads back
to the page of results it came from. An unknown id is a 404 page that names the ids it may have meant.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Optional
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from searchkit.articles import Article
from searchkit.errors import ArticleNotFoundError, InvalidOptionError, SearchkitError
from searchkit.index.facade import Index
from searchkit.query import parse
from searchkit.query.matching import words_sought
from searchkit.results import Hit, Results, Story, Version
from searchkit.serve import markup
from searchkit.serve.api_news import story_or_404
from searchkit.serve.pages import templates
from searchkit.serve.search_page import SearchForm
from searchkit.serve.state import MAX_DEPTH, MAX_ID_CHARS, ServerState, article_or_404

router = APIRouter(include_in_schema=False)

#: Related stories listed under an article.
RELATED_SHOWN = 5
#: Versions named under a hit's "+N similar" (the story page lists them all).
SIMILAR_SHOWN = 10
#: Ids offered on a 404 page.
SUGGESTED_IDS = 5


@dataclass(frozen=True)
class Came:
    """The search an article or story page was opened from (``form`` empty when none) and the rank."""

    form: SearchForm
    at: Optional[int]

    @classmethod
    def from_request(cls, request: Request) -> "Came":
        try:
            form = SearchForm.from_request(request)
        except InvalidOptionError:  # a hand-made link: the page is still worth showing
            form = SearchForm()
        at = request.query_params.get("at", "")
        return cls(form, int(at) if at.isdigit() and 0 < int(at) <= MAX_DEPTH else None)

    @property
    def results_url(self) -> str:
        """The page of results the article was on (the search page when none)."""
        if not self.form.q:
            return "/"
        return self.form.url(page=self.page_of(self.at) if self.at else self.form.page)

    def page_of(self, at: int) -> int:
        return math.ceil(at / self.form.limit)

    def article_url(self, article_id: str, at: Optional[int] = None) -> str:
        return "/articles/" + quote(article_id, safe="") + self._query(at)

    def story_url(self, article_id: str) -> str:
        return "/stories/" + quote(article_id, safe="") + self._query(self.at)

    def _query(self, at: Optional[int]) -> str:
        if not self.form.q:
            return ""
        search = self.form.url(page=self.page_of(at) if at else self.form.page)[1:]  # "?q=..."
        return search + (f"&at={at}" if at else "")


@dataclass
class ArticleView:
    """Everything the article page shows besides the article."""

    headline: Markup
    paragraphs: list[Markup]
    story: Story
    related: Optional[Results]
    previous: Optional[Hit] = None
    next: Optional[Hit] = None
    problems: list[str] = field(default_factory=list)


def article_view(index: Index, article: Article, came: Came) -> ArticleView:
    """The article's marked text, its story, related stories and neighbours in the results it came from."""
    terms: dict[str, frozenset[str]] = {"headline": frozenset(), "body": frozenset()}
    if came.form.q:
        try:
            terms = words_sought(parse(came.form.q, plain=came.form.plain), article)
        except SearchkitError:
            pass  # a query that cannot run found nothing to mark
    view = ArticleView(markup.highlighted(article.headline, terms["headline"]),
                       markup.highlighted_paragraphs(article.body, terms["body"]), index.story(article.id),
                       None)
    view.related = index.related(article.id, limit=RELATED_SHOWN)
    if came.form.q and came.at:
        view.previous, view.next = _neighbours(index, article, came)
    return view


def _neighbours(index: Index, article: Article, came: Came) -> tuple[Optional[Hit], Optional[Hit]]:
    """The results ranked just before and after ``article`` (the same search run again), or none when
    the article is no longer at that rank."""
    form, offset = came.form, max(0, (came.at or 1) - 2)
    try:
        hits = index.search(form.q, limit=3, offset=offset, sort=form.sort, since=form.since or None,
                            until=form.until or None, plain=form.plain, collapse=form.collapse,
                            snippets=False).hits
    except SearchkitError:
        return None, None
    at = (came.at or 1) - 1 - offset
    if at >= len(hits) or hits[at].id != article.id:
        return None, None
    return (hits[at - 1] if at > 0 else None), (hits[at + 1] if at + 1 < len(hits) else None)


@router.get("/articles/{article_id:path}", response_class=HTMLResponse)
async def article_page(request: Request, article_id: str) -> Response:
    state, came = ServerState.of(request), Came.from_request(request)
    try:
        article = await state.budget.run(article_or_404, state.index, article_id)
    except ArticleNotFoundError as error:
        return await _not_found(request, state, error, article_id, "article")
    if article.id != article_id:  # found by the start of its id: to the article's own address
        return _to_own_address(request, article.id)
    view = await state.budget.run(article_view, state.index, article, came)
    return _render(request, "article.html",
                   {"form": came.form, "came": came, "article": article, "view": view})


@router.get("/stories/{article_id:path}", response_class=HTMLResponse)
async def story_page(request: Request, article_id: str) -> Response:
    state, came = ServerState.of(request), Came.from_request(request)
    try:
        story = await state.budget.run(story_or_404, state.index, article_id)
    except ArticleNotFoundError as error:
        return await _not_found(request, state, error, article_id, "story")
    if article_id not in (version.article.id for version in story):
        return _to_own_address(request, story.id)
    versions = [_version_view(version) for version in story]
    return _render(request, "story.html", {"form": came.form, "came": came, "story": story,
                                           "asked": article_id, "versions": versions})


def _version_view(version: Version) -> dict[str, Any]:
    """A version as the story page shows it: its headline and paragraphs, with the words added since
    the version before in ``<ins>`` and those dropped in ``<del>``."""
    if version.changes is None:
        return {"version": version, "headline": markup.highlighted(version.article.headline, frozenset()),
                "paragraphs": markup.highlighted_paragraphs(version.article.body, frozenset())}
    return {"version": version, "headline": markup.diff_line(version.changes.headline),
            "paragraphs": markup.diff_paragraphs(version.changes.body)}


def similar_versions(index: Index, results: Results) -> dict[str, Article]:
    """The articles named under the hits' "+N similar" (the first :data:`SIMILAR_SHOWN` of each), by id,
    so the results page shows their headlines and dates."""
    found = {}
    for hit in results.hits:
        for other in hit.similar[:SIMILAR_SHOWN]:
            try:
                found[other] = index.get(other)
            except ArticleNotFoundError:  # removed since the search: left unnamed
                pass
    return found


def similar_shown(hit: Hit, articles: dict[str, Article]) -> list[Article]:
    """The versions of ``hit``'s story to list under it, oldest first."""
    return sorted((articles[i] for i in hit.similar[:SIMILAR_SHOWN] if i in articles),
                  key=lambda article: (article.date, article.id))


def ids_like(index: Index, article_id: str, limit: int = SUGGESTED_IDS) -> list[str]:
    """Ids the reader may have meant by ``article_id``: the ids sharing its longest start that any id
    has, closest first. The longest such start is found by halving (a start some id has, every shorter
    start has too), each try one prefix look-up."""
    if not article_id or len(article_id) > MAX_ID_CHARS or not article_id.isprintable():
        return []
    low, high, best = 1, len(article_id), []
    while low <= high:
        middle = (low + high) // 2
        try:
            candidates = [index.get(article_id[:middle], prefix=True).id]
        except ArticleNotFoundError as error:
            candidates = list(error.candidates)
        if candidates:
            best, low = candidates, middle + 1
        else:
            high = middle - 1
    return sorted(best, key=lambda i: (-difflib.SequenceMatcher(None, article_id, i).ratio(), i))[:limit]


async def _not_found(request: Request, state: ServerState, error: ArticleNotFoundError, article_id: str,
                     kind: str) -> Response:
    """The 404 page: what was not found, the search box (in every page's header), and the ids meant."""
    def meant() -> list[Article]:
        ids = list(error.candidates)[:SUGGESTED_IDS * 2] or ids_like(state.index, article_id)
        return [article for article in map(_article_or_none(state.index), ids) if article is not None]

    return _render(request, "not_found.html", {"form": SearchForm(), "message": str(error), "kind": kind,
                                               "meant": await state.budget.run(meant)}, status=404)


def _article_or_none(index: Index) -> Callable[[str], Optional[Article]]:
    def get(article_id: str) -> Optional[Article]:
        try:
            return index.get(article_id)
        except ArticleNotFoundError:
            return None

    return get


def _to_own_address(request: Request, article_id: str) -> Response:
    """A redirect to the page of ``article_id`` (the whole id), relative (so it works under any prefix a
    proxy adds): up as many folders as the asked id had slashes in the URL."""
    query = f"?{request.url.query}" if request.url.query else ""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    up = "../" * max(0, raw.split(b"?")[0].count(b"/") - 2)  # "/articles/<id>" has two
    return RedirectResponse(up + quote(article_id, safe="") + query, status_code=307)


def _render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return templates.TemplateResponse(request, template, {"markup": markup, **context}, status_code=status)
