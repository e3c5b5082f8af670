"""What every HTML page shares: the templates, the ``<mark>`` filter and :func:`render`, and the error
pages. The search page is :mod:`searchkit.serve.search_page`, the article and story pages
:mod:`searchkit.serve.reading`.

Every value from an article goes through Jinja's autoescaping; the only markup searchkit adds to article
text is ``<mark>`` around matches, built by :func:`marked` from already-escaped pieces. Plain search
works without JavaScript; ``static/searchkit.js`` only makes it quicker.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from searchkit.errors import SearchkitError

_MARK = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)


def marked(snippet: str) -> Markup:
    """A snippet's ``**match**`` markers as ``<mark>`` elements, everything else escaped."""
    pieces = _MARK.split(snippet)  # odd positions are the marked words
    return Markup("").join(Markup("<mark>{}</mark>").format(piece) if position % 2 else escape(piece)
                           for position, piece in enumerate(pieces))


_environment = Environment(loader=PackageLoader("searchkit.serve", "templates"), autoescape=True)
_environment.filters["marked"] = marked
templates = Jinja2Templates(env=_environment)


def error_page(request: Request, error: SearchkitError, status: int) -> Response:
    """A page saying what went wrong, for errors raised outside the search page's own handling."""
    return message_page(request, status, str(error))


def message_page(request: Request, status: int, message: str) -> Response:
    return render(request, "message.html", {"status": status, "message": message}, status=status)


def render(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return templates.TemplateResponse(request, template, context, status_code=status)
