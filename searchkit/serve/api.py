"""The JSON API: ``/api/search``, ``/api/articles/{id}``, ``/api/stats`` and ``/healthz``.

Every body is built by :mod:`searchkit.cli.output`, the module behind the CLI's ``--json``, so a search over
HTTP answers exactly what ``searchkit query --json`` prints for the same options, but for file paths:
relative to the seeds folder unless the operator asks for them whole (:mod:`searchkit.serve.paths`). The
OpenAPI document describes them with the library's own dataclasses (``Results``, ``Article``, ``Stats``),
whose fields are those keys. The news endpoints are in :mod:`searchkit.serve.api_news`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from searchkit.articles import Article
from searchkit.cli import output
from searchkit.index.stats import Stats
from searchkit.serve.state import ServerState, article_or_404, check_depth

#: The most hits one API request or page may ask for.
MAX_API_LIMIT = 100

router = APIRouter()


class ErrorBody(BaseModel):
    """What every error answers: the one-line message and, for a query syntax error, the position of the
    problem, counted from 1 as in the message."""

    error: str
    position: Optional[int]


class HitBody(BaseModel):
    id: str
    date: dt.date
    headline: str
    score: float
    snippet: str
    path: Optional[str]
    similar: list[str]  # the other matches that are the same story (collapsed under this hit)


class BucketBody(BaseModel):
    start: dt.date
    count: int


Interval = Literal["auto", "day", "week", "month", "quarter", "year"]


class IndexDatesBody(BaseModel):
    first: dt.date
    last: dt.date


class FacetBody(BaseModel):
    value: str  # "1987" or "1987-03": what since= and until= take to narrow the search to it
    count: int


class LanguageFacetBody(BaseModel):
    value: str  # the ISO 639-1 code, "de": what lang= takes to narrow the search to it
    name: str  # its English name, "German"
    count: int


class FacetsBody(BaseModel):
    """Every match counted per year and per month (only those with matches, oldest first) and per
    language (only those with matches, most first); ``index_languages``: how many the index holds
    (``und``, undetected, not counted)."""

    years: list[FacetBody]
    months: list[FacetBody]
    languages: list[LanguageFacetBody]
    index_languages: int


class SearchBody(BaseModel):
    query: str
    total: int
    stories: Optional[int]  # the stories among the total articles; null with collapse=false
    offset: int
    hits: list[HitBody]
    suggestion: Optional[str]
    corrected: bool  # nothing matched q as typed: the hits are the suggestion's (autocorrect=false: q's own)
    # Only when nothing matched because the query's dates lie outside the articles the index holds.
    index_dates: Optional[IndexDatesBody] = None
    histogram: Optional[list[BucketBody]] = None  # only when histogram= was given, as with --histogram
    histogram_interval: Optional[Literal["day", "week", "month", "quarter", "year"]] = None
    facets: Optional[FacetsBody] = None  # only with facets=true, as with --facets


class HealthBody(BaseModel):
    status: Literal["ok"]
    articles: int


ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorBody, "description": "Bad query or option"},
    503: {"model": ErrorBody, "description": "Index unusable (run 'searchkit index --rebuild') or the "
                                              "search took longer than the server's time budget"},
}


class CliJSONResponse(JSONResponse):
    """JSON serialised exactly as the CLI's ``--json`` does it (dates as YYYY-MM-DD, UTF-8 as is)."""

    def render(self, content: object) -> bytes:
        return output.to_json(content).encode("utf-8")


@router.get("/api/search", response_model=SearchBody, responses=ERRORS, summary="Search the index")
async def search(
    request: Request,
    q: str = Query(description="The query, in searchkit's query language (or plain words with plain=true)"),
    limit: int = Query(10, ge=0, le=MAX_API_LIMIT, description="Hits per page"),
    page: int = Query(1, ge=1, description="Page number, from 1"),
    sort: Literal["relevance", "newest", "oldest", "recent"] = Query(
        "relevance", description="recent: relevance blended with freshness (see half_life and now)"),
    since: Optional[str] = Query(
        None, description="Only articles on or after this date (e.g. 2017-11, monday, last week, 3 days ago;"
                          " relative dates count from now)"),
    until: Optional[str] = Query(None, description="Only articles on or before this date (e.g. yesterday)"),
    plain: bool = Query(False, description="Treat q as plain words: no operators, fields or quotes"),
    histogram: Optional[Interval] = Query(
        None, description="Also count every match per interval (auto: 10 to 60 bars) into histogram"),
    half_life: Optional[str] = Query(
        None, description="With sort=recent: the age at which freshness counts half (30d, 2w, 6m, 1y)"),
    now: Optional[str] = Query(
        None, description="The day relative dates count from (default: today); with sort=recent also the "
                          "day ages count from (default there: the newest article)"),
    collapse: bool = Query(
        True, description="Show each story once, its near-duplicate rewrites named in the hit's similar; "
                          "page and limit then count stories"),
    autocorrect: bool = Query(
        True, description="When nothing matches q, answer the suggestion's hits (corrected: true) when it "
                          "has some"),
    facets: bool = Query(
        False, description="Also count every match per year, per month and per language into facets (a "
                           "year's or month's value narrows the search as since=value&until=value, a "
                           "language's as lang=value)"),
    lang: Optional[str] = Query(
        None, description="Only articles in these languages (ISO 639-1, comma-separated: de or de,fr); "
                          "q's words are analysed in them alone"),
) -> JSONResponse:
    state = ServerState.of(request)
    offset = (page - 1) * limit
    check_depth(offset, limit)
    results = await state.budget.run(state.index.search, q, limit=limit, offset=offset, sort=sort,
                                     since=since, until=until, plain=plain, histogram=histogram,
                                     half_life=half_life, now=now, collapse=collapse,
                                     autocorrect=autocorrect, facets=facets, lang=lang)
    return CliJSONResponse(state.paths.results(output.results_json(results)))


@router.get("/api/articles/{article_id:path}", response_model=Article,
            responses={404: {"model": ErrorBody, "description": "No such article"}, 503: ERRORS[503]},
            summary="One whole article")
async def article(request: Request, article_id: str) -> JSONResponse:
    state = ServerState.of(request)
    found = await state.budget.run(article_or_404, state.index, article_id)
    return CliJSONResponse(state.paths.article(output.article_json(found)))


@router.get("/api/stats", response_model=Stats, responses={503: ERRORS[503]}, summary="Index facts")
async def stats(request: Request) -> JSONResponse:
    state = ServerState.of(request)
    return CliJSONResponse(state.paths.stats(output.stats_json(await state.budget.run(state.index.stats))))


@router.get("/healthz", response_model=HealthBody, responses={503: ERRORS[503]},
            summary="200 while the index can be searched")
async def healthz(request: Request) -> JSONResponse:
    state = ServerState.of(request)
    articles = await state.budget.run(len, state.index)
    return CliJSONResponse({"status": "ok", "articles": articles})
