"""Talking to the cluster: one ``opensearch-py`` client per URL, every call through :meth:`Cluster.call`,
which retries what a busy cluster asks to be retried and turns the client's exceptions into searchkit's.

- 429 (too many requests) and 503 (unavailable) are retried with exponential backoff (0.5 s doubling,
  about 15 s in all) unless the caller handles them itself (a reader's search: a fresh reader is better).
- No answer at all (refused, timed out, TLS failed) is :class:`EngineUnreachableError` naming the URL.
- 401 and 403 are :class:`EngineRejectedError` saying which variables hold the credentials; any other
  error status is :class:`EngineRejectedError` with the cluster's own reason, or :class:`Missing` (404),
  which callers turn into what a missing index means to them.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Mapping, Optional

import opensearchpy
from opensearchpy import OpenSearch

from searchkit.engines.opensearch.config import (
    API_KEY_VARIABLE,
    PASSWORD_VARIABLE,
    USER_VARIABLE,
    Credentials,
)
from searchkit.errors import EngineRejectedError, EngineUnreachableError

#: Seconds before a request without an answer counts as unreachable.
TIMEOUT = 60
#: Backoff for 429/503: the first wait, and how many tries in all.
FIRST_WAIT = 0.5
TRIES = 6
RETRIED = frozenset({429, 503})


class Refused(EngineRejectedError):
    """An error status from the cluster; ``types`` are the error types its answer names."""

    def __init__(self, url: str, status: int | None, reason: str,
                 types: frozenset[str] = frozenset()) -> None:
        super().__init__(url, status, reason)
        self.types = types


class Missing(Refused):
    """404: the index (or a reader's point in time) is not there."""


class Cluster:
    """One cluster at ``url``, with the credentials of the environment at the time it was made."""

    def __init__(self, url: str, credentials: Credentials,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.url = url
        self._sleep = sleep
        headers = {"Authorization": f"ApiKey {credentials.api_key}"} if credentials.api_key else None
        auth = (credentials.user, credentials.password or "") if credentials.user else None
        self.client = OpenSearch(
            hosts=[url], http_auth=auth, headers=headers, verify_certs=credentials.verify_certs,
            ca_certs=credentials.ca_certs, ssl_show_warn=False, timeout=TIMEOUT,
            # A pooled connection the server closed (a node restarted) is retried at once, twice;
            # error statuses are retried here, with backoff (retry_on_status empty).
            max_retries=2, retry_on_status=(), retry_on_timeout=False, http_compress=False)

    def call(self, method: str, path: str, *, body: Any = None, params: Optional[Mapping[str, str]] = None,
             retry: frozenset[int] = RETRIED) -> Any:
        """One request (``body``: a dict, or a string of JSON lines for ``_bulk``); the decoded answer."""
        wait = FIRST_WAIT
        for attempt in range(1, TRIES + 1):
            try:
                return self.client.transport.perform_request(method, path, params=dict(params or {}),
                                                             body=body)
            except opensearchpy.ConnectionError as error:  # also timeouts and TLS failures
                raise EngineUnreachableError(self.url, _connection_reason(error)) from None
            except opensearchpy.TransportError as error:
                status = error.status_code if isinstance(error.status_code, int) else None
                if status in retry and attempt < TRIES:
                    self._sleep(wait)
                    wait *= 2
                    continue
                raise self.rejected(status, error) from None
        raise AssertionError("unreachable")

    def rejected(self, status: Optional[int], error: opensearchpy.TransportError) -> Refused:
        if status in (401, 403):
            return Refused(self.url, status, "authentication failed or not allowed; check "
                           f"{USER_VARIABLE} and {PASSWORD_VARIABLE} (or {API_KEY_VARIABLE})")
        reason = error_reason(error.info) or str(error.error)
        types = frozenset(error_types(error.info))
        return (Missing if status == 404 else Refused)(self.url, status, reason, types)


def error_reason(info: Any) -> str:
    """The cluster's own one-line reason from an error body (``{"error": {"type", "reason", ...}}``)."""
    if isinstance(info, dict):
        error = info.get("error")
        if isinstance(error, dict):
            causes = error.get("root_cause") or []
            first = causes[0] if causes and isinstance(causes[0], dict) else error
            kind, reason = first.get("type", ""), first.get("reason", "")
            return " ".join(f"{kind}: {reason}".split()) if reason else str(kind)
        if isinstance(error, str):
            return error
    return ""


def error_types(info: Any) -> set[str]:
    """Every ``type`` named in an error body, the root causes and failed shards included."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("type"), str):
                found.add(value["type"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(info)
    return found


def _connection_reason(error: opensearchpy.ConnectionError) -> str:
    """Why a connection failed, in a few words (the client's message repeats the whole request)."""
    if isinstance(error, opensearchpy.ConnectionTimeout):
        return f"no answer within {TIMEOUT} s"
    if isinstance(error, opensearchpy.SSLError):
        return "TLS failed (a certificate that does not verify? SEARCHKIT_OPENSEARCH_CA_CERTS names a CA " \
               "bundle; SEARCHKIT_OPENSEARCH_INSECURE=1 skips verification)"
    cause = error.info if isinstance(error.info, BaseException) else None
    text = str(cause) if cause is not None else str(error.error)
    for known in ("Connection refused", "Name or service not known", "No route to host",
                  "Temporary failure in name resolution", "Connection reset", "timed out"):
        if known.lower() in text.lower():
            return known.lower()
    return " ".join(text.split())[:200] or "no connection"


class Clusters:
    """The clusters one engine talks to, by URL and the credentials in force (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[tuple[str, Credentials], Cluster] = {}

    def get(self, url: str) -> Cluster:
        credentials = Credentials.from_environment()
        key = (url, credentials)
        with self._lock:
            cluster = self._open.get(key)
            if cluster is None:
                cluster = self._open[key] = Cluster(url, credentials)
            return cluster
