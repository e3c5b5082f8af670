"""The ASGI application behind ``searchkit serve``: routes, error statuses, security headers, lifespan."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any, AsyncIterator, Optional

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from searchkit import __version__
from searchkit.cli import output
from searchkit.errors import InvalidOptionError, SearchkitError
from searchkit.index.facade import Index
from searchkit.serve import api, api_news, pages, reading, search_page
from searchkit.serve.budget import DEFAULT_BUDGET_SECONDS, DEFAULT_WORKERS, TimeBudget
from searchkit.serve.state import ServerState, status_for
from searchkit.serve.watch import SeedsWatcher

log = logging.getLogger("searchkit.serve")

#: Scripts, styles and requests only from searchkit itself; no inline code, no frames, no plugins.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(
    index: Index,
    *,
    seeds_dir: Optional[Path] = None,
    watch: bool = False,
    budget_seconds: float = DEFAULT_BUDGET_SECONDS,
    workers: int = DEFAULT_WORKERS,
    show_paths: bool = False,
) -> FastAPI:
    """The server for ``index``; with ``watch=True`` it keeps the index in step with ``seeds_dir``. The
    API shows file paths relative to the seeds folder, and folders by name, unless ``show_paths``."""
    if watch and seeds_dir is None:
        raise InvalidOptionError("watching needs a seeds folder")
    state = ServerState(index=index, budget=TimeBudget(budget_seconds, workers), seeds_dir=seeds_dir,
                        show_paths=show_paths)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        watcher = SeedsWatcher(index, seeds_dir) if watch and seeds_dir is not None else None
        if watcher is not None:
            await watcher.start()
        try:
            yield
        finally:
            if watcher is not None:
                await watcher.stop()
            state.budget.close()

    # No /docs or /redoc: their pages load scripts from a CDN. The OpenAPI document is at /openapi.json.
    app = FastAPI(title="searchkit", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Full-text search over a news archive: the JSON of `searchkit query --json`.")
    app.state.searchkit = state
    app.mount("/static", StaticFiles(packages=[("searchkit.serve", "static")]), name="static")
    app.include_router(api.router)
    app.include_router(api_news.router)
    app.include_router(search_page.router)
    app.include_router(reading.router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    app.add_exception_handler(SearchkitError, _searchkit_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_middleware(SecurityHeaders)
    return app


async def _searchkit_error(request: Request, error: SearchkitError) -> Response:
    status = status_for(error)
    if status >= 500:
        log.error("%s %s: %s", request.method, request.url.path, error)
    if _wants_json(request):
        return api.CliJSONResponse(output.error_json(error), status_code=status)
    return pages.error_page(request, error, status)


async def _invalid_request(request: Request, error: RequestValidationError) -> Response:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())[1:]) or "request"
    problem = InvalidOptionError(f"{where}: {first.get('msg', 'invalid value')}")
    return await _searchkit_error(request, problem)


async def _http_error(request: Request, error: HTTPException) -> Response:
    body = {"error": str(error.detail).lower(), "position": None}
    if _wants_json(request):
        return api.CliJSONResponse(body, status_code=error.status_code, headers=error.headers)
    return pages.message_page(request, error.status_code, str(error.detail))


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's OpenAPI document, saying what is sent: a bad parameter is a 400 with the error object
    (see :func:`_invalid_request`), never the 422 with a validation list that FastAPI documents."""
    if app.openapi_schema is None:
        from fastapi.openapi.utils import get_openapi

        document = get_openapi(title=app.title, version=app.version, description=app.description,
                               routes=app.routes)
        for operation in (op for path in document.get("paths", {}).values() for op in path.values()):
            responses = operation.get("responses", {})
            if responses.pop("422", None) is not None:
                responses.setdefault("400", {"description": "Bad parameter", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ErrorBody"}}}})
        schemas = document.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = document
    return app.openapi_schema


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every response, in its first message (a
    response-wrapping middleware would split each answer into more writes)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path in ("/healthz", "/openapi.json")
