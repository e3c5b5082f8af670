"""The news endpoints of the JSON API, each the JSON of a CLI command: ``/api/related/{id}``
(``searchkit related --json``), ``/api/stories/{id}`` (``searchkit story --json``), ``/api/duplicates``
(``searchkit duplicates --json``) and ``/api/alerts`` (``searchkit alert list --json``; read-only)."""

from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from searchkit.cli import output
from searchkit.index.facade import Index
from searchkit.results import Story
from searchkit.serve.api import ERRORS, CliJSONResponse, ErrorBody, SearchBody
from searchkit.serve.state import ServerState, article_or_404

router = APIRouter()

NOT_FOUND: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorBody, "description": "No such article (or the start of several articles' ids)"},
    503: ERRORS[503],
}


class EditBody(BaseModel):
    op: Literal["equal", "insert", "delete"]
    text: str


class ChangesBody(BaseModel):
    headline: list[EditBody]
    body: list[EditBody]


class VersionBody(BaseModel):
    id: str
    date: dt.date
    headline: str
    body: str
    path: Optional[str]
    changes: Optional[ChangesBody]  # since the version before; null for the first


class StoryBody(BaseModel):
    id: str  # the first version's id
    versions: list[VersionBody]


class DuplicateArticleBody(BaseModel):
    id: str
    date: dt.date
    headline: str
    path: Optional[str]


class DuplicateGroupBody(BaseModel):
    size: int
    articles: list[DuplicateArticleBody]


class DuplicatesBody(BaseModel):
    stories: int
    articles: int
    groups: list[DuplicateGroupBody]


class SavedSearchBody(BaseModel):
    name: str
    query: str
    plain: bool
    created: str


class AlertsBody(BaseModel):
    alerts: list[SavedSearchBody]


@router.get("/api/related/{article_id:path}", response_model=SearchBody, responses=NOT_FOUND,
            summary="Other stories most like one article")
async def related(request: Request, article_id: str,
                  limit: int = Query(10, ge=1, le=100, description="At most this many articles"),
                  ) -> JSONResponse:
    state = ServerState.of(request)
    article = await state.budget.run(article_or_404, state.index, article_id)
    results = await state.budget.run(state.index.related, article.id, limit=limit)
    return CliJSONResponse(state.paths.results(output.results_json(results)))


@router.get("/api/stories/{article_id:path}", response_model=StoryBody, responses=NOT_FOUND,
            summary="Every version of an article's story, with what changed between versions")
async def story(request: Request, article_id: str) -> JSONResponse:
    state = ServerState.of(request)
    found = await state.budget.run(story_or_404, state.index, article_id)
    return CliJSONResponse(state.paths.story(output.story_json(found)))


@router.get("/api/duplicates", response_model=DuplicatesBody, responses={503: ERRORS[503]},
            summary="The stories published more than once, largest first")
async def duplicates(request: Request, limit: Optional[int] = Query(
        None, ge=1, le=10_000, description="Only the N largest stories")) -> JSONResponse:
    state = ServerState.of(request)
    found = await state.budget.run(state.index.duplicates, limit=limit)
    return CliJSONResponse(state.paths.duplicates(output.duplicates_json(found)))


@router.get("/api/alerts", response_model=AlertsBody, responses={503: ERRORS[503]},
            summary="The saved searches (read-only: 'searchkit alert add' saves one)")
async def alerts(request: Request) -> JSONResponse:
    state = ServerState.of(request)
    searches = await state.budget.run(state.index.alerts)
    return CliJSONResponse({"alerts": [output.saved_search_json(saved) for saved in searches]})


def story_or_404(index: Index, article_id: str) -> Story:
    """The story of ``article_id`` (or of the one article whose id starts with it), as
    :func:`~searchkit.serve.state.article_or_404` finds the article."""
    article = article_or_404(index, article_id)
    return index.story(article.id)



