"""The HTML pages but the search page (that is :mod:`searchkit.serve.search_page`): one article at
``/articles/{id}`` and the error pages, rendered on the server, and the templates every page shares.

Every value from an article goes through Jinja's autoescaping; the only markup searchkit adds to article
text is ``<mark>`` around matches, built by :func:`marked` from already-escaped pieces. Plain search
works without JavaScript; ``static/searchkit.js`` only makes it quicker.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from searchkit.errors import SearchkitError
from searchkit.serve.state import ServerState, article_or_404

_MARK = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)

router = APIRouter(include_in_schema=False)


def marked(snippet: str) -> Markup:
    """A snippet's ``**match**`` markers as ``<mark>`` elements, everything else escaped."""
    pieces = _MARK.split(snippet)  # odd positions are the marked words
    return Markup("").join(Markup("<mark>{}</mark>").format(piece) if position % 2 else escape(piece)
                           for position, piece in enumerate(pieces))


def paragraphs(body: str) -> list[str]:
    """The body's paragraphs: blocks separated by blank lines, inner line breaks kept as spaces."""
    blocks = re.split(r"\n\s*\n", body.strip())
    return [" ".join(line.strip() for line in block.splitlines()) for block in blocks if block.strip()]


_environment = Environment(loader=PackageLoader("searchkit.serve", "templates"), autoescape=True)
_environment.filters["marked"] = marked
_environment.filters["paragraphs"] = paragraphs
templates = Jinja2Templates(env=_environment)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
async def article_page(request: Request, article_id: str) -> Response:
    state = ServerState.of(request)
    article = await state.budget.run(article_or_404, state.index, article_id)
    if article.id != article_id:  # found by the start of its id: to the article's own address
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(quote(article.id, safe="") + query, status_code=307)  # relative: same folder
    return render(request, "article.html", {"article": article})


def error_page(request: Request, error: SearchkitError, status: int) -> Response:
    """A page saying what went wrong, for errors raised outside the search page's own handling."""
    return message_page(request, status, str(error))


def message_page(request: Request, status: int, message: str) -> Response:
    return render(request, "message.html", {"status": status, "message": message}, status=status)


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return templates.TemplateResponse(request, template, context, status_code=status)
