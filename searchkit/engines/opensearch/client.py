"""Talking to the cluster: one ``opensearch-py`` transport per node URL, every call through
:meth:`Cluster.call`, which spreads requests over the nodes, sends a request to another node when one
does not answer (when that is safe), retries what a busy cluster asks to be retried and turns the
client's exceptions into searchkit's.

opensearch-py's own pool of several hosts would resend any request after any connection error (an
alias swap or an index creation that may already have happened included) and its error names one host;
so each node gets a transport of its own and the choice of node is made here.

- 429 (too many requests) and 503 (unavailable) are retried with exponential backoff (0.5 s doubling,
  about 15 s in all) unless the caller handles them itself (a reader's search: a fresh reader is better).
- No answer from any node (refused, timed out, TLS failed) is :class:`EngineUnreachableError` naming
  every URL tried and why each failed.
- 401 (authentication failed) and 403 (not allowed for this user, with the cluster's reason) are
  :class:`EngineRejectedError` saying which variables hold the credentials; any other
  error status is :class:`EngineRejectedError` with the cluster's own reason, or :class:`Missing` (404),
  which callers turn into what a missing index means to them.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

import opensearchpy
import urllib3
from opensearchpy import OpenSearch

from searchkit.engines.opensearch.config import (
    API_KEY_VARIABLE,
    PASSWORD_VARIABLE,
    USER_VARIABLE,
    Credentials,
    split_urls,
)
from searchkit.errors import EngineRejectedError, EngineUnreachableError

#: Seconds before a request without an answer counts as unreachable.
TIMEOUT = 60
#: Backoff for 429/503: the first wait, and how many tries in all.
FIRST_WAIT = 0.5
TRIES = 6
RETRIED = frozenset({429, 503})
#: Seconds a node that did not answer is tried only after the others.
DOWN_SECONDS = 30.0
#: The last path segment of POST requests that are safe to send twice (see :func:`is_idempotent`).
IDEMPOTENT_POSTS = frozenset({"_search", "_count", "_mget", "_msearch", "_refresh", "point_in_time", "_bulk"})


class Refused(EngineRejectedError):
    """An error status from the cluster; ``types`` are the error types its answer names."""

    def __init__(self, url: str, status: int | None, reason: str,
                 types: frozenset[str] = frozenset()) -> None:
        super().__init__(url, status, reason)
        self.types = types


class Missing(Refused):
    """404: the index (or a reader's point in time) is not there."""


class Cluster:
    """One cluster reached through the node URLs of ``url`` (comma-separated), with the credentials of
    the environment at the time it was made.

    Requests are spread over the nodes in turn. A node that does not answer is left out for
    :data:`DOWN_SECONDS` and the request goes to the next one, when that is safe: always when the
    connection was never made (refused, no route, connect timeout), and for an idempotent request (see
    :func:`is_idempotent`) whatever happened. With ``discover`` the cluster's other nodes are asked for
    on first use and added to the list.
    """

    def __init__(self, url: str, credentials: Credentials, sleep: Callable[[float], None] = time.sleep, *,
                 discover: bool = False, connect: Optional[Callable[[str], Any]] = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.urls = split_urls(url) or [url]
        self.url = ", ".join(self.urls)
        self._sleep = sleep
        self._clock = clock
        self._credentials = credentials
        self._connect = connect or self._transport
        self._nodes = [Node(node_url, self._connect(node_url)) for node_url in self.urls]
        self._turn = itertools.count()
        self._discover = discover
        self._discovery_lock = threading.Lock()

    def _transport(self, url: str) -> Any:
        credentials = self._credentials
        headers = {"Authorization": f"ApiKey {credentials.api_key}"} if credentials.api_key else None
        auth = (credentials.user, credentials.password or "") if credentials.user else None
        client = OpenSearch(
            hosts=[url], http_auth=auth, headers=headers, verify_certs=credentials.verify_certs,
            ca_certs=credentials.ca_certs, ssl_show_warn=False, timeout=TIMEOUT,
            # A pooled connection the server closed (a node restarted) is retried at once, twice;
            # error statuses are retried here, with backoff (retry_on_status empty).
            max_retries=2, retry_on_status=(), retry_on_timeout=False, http_compress=False)
        return client.transport

    def call(self, method: str, path: str, *, body: Any = None, params: Optional[Mapping[str, str]] = None,
             retry: frozenset[int] = RETRIED, idempotent: Optional[bool] = None) -> Any:
        """One request (``body``: a dict, or a string of JSON lines for ``_bulk``); the decoded answer.
        ``idempotent`` (default: :func:`is_idempotent`) says whether a request that may have reached a
        node that then stopped answering can be sent again to another."""
        if self._discover:
            self._discover_nodes()
        again = is_idempotent(method, path) if idempotent is None else idempotent
        wait = FIRST_WAIT
        for attempt in range(1, TRIES + 1):
            try:
                return self._on_some_node(method, path, dict(params or {}), body, again)
            except opensearchpy.TransportError as error:
                status = error.status_code if isinstance(error.status_code, int) else None
                if status in retry and attempt < TRIES:
                    self._sleep(wait)
                    wait *= 2
                    continue
                raise self.rejected(status, error) from None
        raise AssertionError("unreachable")

    def _on_some_node(self, method: str, path: str, params: dict[str, str], body: Any, again: bool) -> Any:
        tried: list[tuple[str, str]] = []
        untried: list[str] = []
        order = self._order()
        for place, node in enumerate(order):
            try:
                answer = node.transport.perform_request(method, path, params=params, body=body)
            except opensearchpy.ConnectionError as error:  # also timeouts and TLS failures
                node.down_until = self._clock() + DOWN_SECONDS
                tried.append((node.url, _connection_reason(error)))
                if again or _never_sent(error):
                    continue
                untried = [later.url for later in order[place + 1:]]
                break
            node.down_until = 0.0
            return answer
        raise unreachable(tried, untried)

    def _order(self) -> list["Node"]:
        """The nodes to try, starting with the next in turn; those left out lately go last."""
        nodes = list(self._nodes)
        start = next(self._turn) % len(nodes)
        nodes = nodes[start:] + nodes[:start]
        now = self._clock()
        return [node for node in nodes if node.down_until <= now] + \
               [node for node in nodes if node.down_until > now]

    def _discover_nodes(self) -> None:
        with self._discovery_lock:
            if not self._discover:
                return
            wanted = {"filter_path": "nodes.*.http.publish_address"}
            answer = self._on_some_node("GET", "/_nodes/http", wanted, None, True)
            scheme = self.urls[0].split("://", 1)[0]
            for info in (answer.get("nodes") or {}).values():
                address = str((info.get("http") or {}).get("publish_address") or "")
                if not address:
                    continue
                found = f"{scheme}://{address.rsplit('/', 1)[-1]}"  # "host/1.2.3.4:9200" or "1.2.3.4:9200"
                if found not in self.urls:
                    self.urls.append(found)
                    self._nodes.append(Node(found, self._connect(found)))
            self._discover = False

    def rejected(self, status: Optional[int], error: opensearchpy.TransportError) -> Refused:
        if status == 401:
            return Refused(self.url, status, "authentication failed; check "
                           f"{USER_VARIABLE} and {PASSWORD_VARIABLE} (or {API_KEY_VARIABLE})")
        if status == 403:  # the cluster's reason names the request and the user, never a password
            said = error_reason(error.info)
            return Refused(self.url, status, f"not allowed for this user{': ' + said if said else ''} "
                           f"({USER_VARIABLE} names the user; a read-only user can search, not index)")
        reason = error_reason(error.info) or str(error.error)
        types = frozenset(error_types(error.info))
        return (Missing if status == 404 else Refused)(self.url, status, reason, types)


@dataclass
class Node:
    """One node URL, its transport, and until when (on the monotonic clock) it is left out."""

    url: str
    transport: Any
    down_until: float = 0.0


def is_idempotent(method: str, path: str) -> bool:
    """Whether sending the request twice does what sending it once does: reads (GET, HEAD, searches,
    counts, multi-gets), a refresh, a point in time (a second one only expires unused) and searchkit's
    bulks (every operation names its ``_id``: an index overwrites, a delete of a deleted one is a 404
    the writer takes as done). Not an index's creation or an alias swap."""
    if method in ("GET", "HEAD"):
        return True
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return method == "POST" and last in IDEMPOTENT_POSTS


def unreachable(tried: list[tuple[str, str]], untried: list[str]) -> EngineUnreachableError:
    """One line naming every URL tried and why each failed (and those not tried, and why not)."""
    urls = ", ".join(url for url, _ in tried)
    reasons = {reason for _, reason in tried}
    reason = reasons.pop() if len(reasons) == 1 else "; ".join(f"{url}: {why}" for url, why in tried)
    if untried:
        reason += f"; not sent to {', '.join(untried)} (the request may have been carried out)"
    return EngineUnreachableError(urls, reason)


def _never_sent(error: opensearchpy.ConnectionError) -> bool:
    """Whether the connection was never made (refused, no route, a name not found, connect timeout),
    so the request cannot have reached the node."""
    return isinstance(error.info, urllib3.exceptions.ConnectTimeoutError)  # NewConnectionError included


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
        self._open: dict[tuple[str, bool, Credentials], Cluster] = {}

    def get(self, url: str, discover: bool = False) -> Cluster:
        credentials = Credentials.from_environment()
        key = (url, discover, credentials)
        with self._lock:
            cluster = self._open.get(key)
            if cluster is None:
                cluster = self._open[key] = Cluster(url, credentials, discover=discover)
            return cluster
