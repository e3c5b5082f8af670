"""The search page at ``/``: the form as asked (all of it in the URL), the hits and the pager, and beside
them the timeline, facets and filter chips of :mod:`searchkit.serve.facets_view`; rendered on the server,
it works without JavaScript (``static/searchkit.js`` only makes it quicker)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from searchkit.errors import InvalidOptionError, SearchkitError
from searchkit.index.request import SORTS, reference_day
from searchkit.news.timeline import check_interval
from searchkit.results import Results
from searchkit.serve import facets_view
from searchkit.serve.api import MAX_API_LIMIT
from searchkit.serve.pages import render
from searchkit.serve.state import MAX_DEPTH, ServerState, check_depth, status_for

PAGE_SIZE = 10
#: Page links shown either side of the current page.
PAGE_WINDOW = 2

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class SearchForm:
    """What the search page was asked for, as typed (so the form shows it back)."""

    q: str = ""
    sort: str = "relevance"
    since: str = ""
    until: str = ""
    plain: bool = False
    page: int = 1
    limit: int = PAGE_SIZE
    histogram: str = ""  # the timeline's interval (searchkit.news.timeline), "" for auto
    collapse: bool = True  # near-duplicate rewrites under their story's best hit
    facets: bool = True  # the timeline and the per-year and per-month counts
    autocorrect: bool = True  # on zero hits, the suggestion's results when it has some
    now: str = ""  # the day relative dates count from ("" for today), kept so that a shared link keeps it
    lang: str = ""  # only articles in these languages (codes separated by commas), "" for all

    @classmethod
    def from_request(cls, request: Request) -> "SearchForm":
        params = request.query_params
        sort = params.get("sort") or "relevance"
        if sort not in SORTS:
            raise InvalidOptionError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
        return cls(q=params.get("q", "").strip(), sort=sort, since=params.get("since", "").strip(),
                   until=params.get("until", "").strip(), plain=params.get("plain") in ("1", "true", "on"),
                   page=_whole_number(params.get("page"), "page", 1, 1),
                   limit=_whole_number(params.get("limit"), "limit", PAGE_SIZE, 1, MAX_API_LIMIT),
                   histogram=check_interval(params["histogram"]) if params.get("histogram") else "",
                   collapse=params.get("collapse") not in ("0", "false", "off"),
                   facets=params.get("facets") not in ("0", "false", "off"),
                   autocorrect=params.get("autocorrect") not in ("0", "false", "off"),
                   now=params.get("now", "").strip(), lang=params.get("lang", "").strip())

    @property
    def languages(self) -> tuple[str, ...]:
        """The codes of the ``lang`` filter, lower-cased, as the search reads them."""
        return tuple(dict.fromkeys(code.strip().lower() for code in self.lang.split(",") if code.strip()))

    def url(self, **changes: Any) -> str:
        """The search page's URL for this form with ``changes`` (default values left out)."""
        values = {**self.__dict__, **changes}
        defaults = SearchForm()
        query = {key: ("1" if value is True else "0" if value is False else value)
                 for key, value in values.items() if value != getattr(defaults, key)}
        return "/?" + urlencode(query) if query else "/"


@router.get("/", response_class=HTMLResponse)
async def search_page(request: Request) -> Response:
    state = ServerState.of(request)
    try:
        form = SearchForm.from_request(request)
    except InvalidOptionError as error:
        return render(request, "search.html", {"form": SearchForm(q=request.query_params.get("q", "")),
                                                "error": error}, status=400)
    context: dict[str, Any] = {"form": form, "error": None, "results": None,
                               "chips": facets_view.chips(form, form.url)}
    if not form.q:
        context["articles"] = await state.budget.run(len, state.index)
        return render(request, "search.html", context)
    offset = (form.page - 1) * form.limit
    try:
        check_depth(offset, form.limit)
        results = await state.budget.run(
            state.index.search, form.q, limit=form.limit, offset=offset, sort=form.sort,
            since=form.since or None, until=form.until or None, plain=form.plain,
            histogram=(form.histogram or "auto") if form.facets else None, collapse=form.collapse,
            facets=form.facets, autocorrect=form.autocorrect, now=form.now or None, lang=form.lang or None)
    except SearchkitError as error:
        status = status_for(error)
        if status >= 500:
            raise
        return render(request, "search.html", {**context, "error": error}, status=status)
    from searchkit.serve import reading  # it builds on this module's form

    similar = await state.budget.run(reading.similar_versions, state.index, results)
    dates = facets_view.DateRange.of(form.since, form.until, now=reference_day(form.now or None))
    context.update(results=results, pager=_pager(form, results),
                   timeline=facets_view.timeline(results.histogram, dates, form.url),
                   facets=facets_view.facet_lists(results.facets, dates, form.url, form.languages),
                   came=reading.Came(form, None), similar=similar, similar_shown=reading.similar_shown)
    return render(request, "search.html", context)


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    current: bool


def _pager(form: SearchForm, results: Results) -> dict[str, Any]:
    shown = results.stories if results.stories is not None else results.total
    reachable = min(shown, MAX_DEPTH)
    last_page = max(1, math.ceil(reachable / form.limit))
    numbers = range(max(1, form.page - PAGE_WINDOW), min(last_page, form.page + PAGE_WINDOW) + 1)
    return {
        "first": results.offset + 1,
        "last": results.offset + len(results.hits),
        "previous": form.url(page=form.page - 1) if form.page > 1 else None,
        "next": form.url(page=form.page + 1) if form.page < last_page else None,
        "pages": [PageLink(n, form.url(page=n), n == form.page) for n in numbers],
        "suggestion_url": form.url(q=results.suggestion, page=1) if results.suggestion else None,
        "as_typed_url": form.url(autocorrect=False, page=1) if results.corrected else None,
        "every_article_url": form.url(collapse=False, page=1) if shown != results.total else None,
    }


def _whole_number(text: Optional[str], name: str, default: int, low: int, high: Optional[int] = None) -> int:
    if text is None or text == "":
        return default
    if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
        bound = f"between {low} and {high}" if high is not None else f"{low} or more"
        raise InvalidOptionError(f"{name} must be a whole number {bound}, not {text[:20]!r}")
    return int(text)


