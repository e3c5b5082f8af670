"""The OpenSearch engine's reader: one committed state, pinned with a point in time (PIT).

A PIT keeps the shard copies' searchers of the moment it opened, so a reader answers from its commit
however many commits follow, as a local engine's reader does. Every request of the reader runs on its
PIT and extends its keep-alive. If the PIT is gone (idle past :data:`KEEP_ALIVE`, or a node holding one
of its shard copies left the cluster), the read raises :class:`StaleReaderError` and the ``Index``
facade retries on a fresh reader, whose PIT uses the copies that are left. A search never returns
partial results: ``allow_partial_search_results=false``.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import weakref
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional, Sequence

from searchkit.articles import Article, Fingerprint
from searchkit.engines.base import RANKED_SORTS, DateSummary, Page, SearchRequest
from searchkit.engines.batch import indexable_id
from searchkit.engines.opensearch import config, suggest
from searchkit.engines.opensearch.client import Cluster, Missing, Refused
from searchkit.engines.opensearch.compile import (
    Expansions,
    body_words,
    compile_query,
    expansion_keys,
    expansion_request,
    frequency_request,
    frequency_words,
    read_expansions,
    read_frequencies,
)
from searchkit.engines.opensearch.schema import (
    ARTICLE_FIELDS,
    HIT_FIELDS,
    LIBRARY,
    SEED,
    article_from,
    fingerprint_from,
)
from searchkit.engines.opensearch.state import read_state
from searchkit.errors import IndexCorruptError, StaleReaderError
from searchkit.results import Hit
from searchkit.text.multilingual import analyzer_for
from searchkit.text.snippets import snippet

#: How long an unused reader's PIT lives on the cluster (every request extends it).
KEEP_ALIVE = "10m"
#: How often a reader asks the cluster whether a writer elsewhere committed (seconds).
FOLLOW_SECONDS = 1.0
#: from + size may not pass this (the index's ``max_result_window``); deeper pages use search_after.
WINDOW = 10_000
#: Documents fetched per request when a reader walks the whole index.
BATCH = 5_000
#: More buckets than there are languages: every shard returns all of its own, so the counts are exact.
_MAX_LANGUAGES = 1000
SORTS: dict[str, list[Any]] = {
    "relevance": [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}],
    "newest": [{"date": {"order": "desc"}}, {"id": {"order": "asc"}}],
    "oldest": [{"date": {"order": "asc"}}, {"id": {"order": "asc"}}],
}
#: Errors that mean the PIT (or a shard copy it used) is gone, not that the request was wrong.
_STALE = frozenset({"search_context_missing_exception", "no_shard_available_action_exception",
                    "node_disconnected_exception", "node_not_connected_exception", "node_closed_exception",
                    "connect_transport_exception", "send_request_transport_exception",
                    "shard_not_found_exception", "illegal_index_shard_state_exception",
                    "transport_exception", "receive_timeout_transport_exception"})
#: How a node answers for a PIT whose shard contexts were on a node that has just left the cluster
#: (an ``illegal_state_exception``, a type too broad to count as stale by itself).
_GONE_NODE = "no node found for id"


def is_stale(error: Refused) -> bool:
    """Whether a refused search means the reader's PIT (or a shard copy it used) is gone, so that a
    fresh reader may succeed, rather than that the request was wrong."""
    if isinstance(error, Missing):
        return True
    return error.status in (500, 503) and (bool(error.types & _STALE) or not error.types
                                           or _GONE_NODE in error.reason)


class OpenSearchReader:
    """A PIT on the generation's physical index, opened on the commit current when the reader opened."""

    def __init__(self, cluster: Cluster, folder: Path) -> None:
        self.folder = folder
        self._cluster = cluster
        self._token = config.commit_token(folder)  # before the PIT: a commit in between only reopens it
        self.location = config.require(folder)
        state = read_state(cluster, self.location.alias)  # the same: read before the PIT
        self._state = state.token() if state is not None else None
        self._checked = time.monotonic()
        try:
            answer = self._open_pit()
        except Missing as error:
            if state is None or state.index in (None, self.location.index):
                raise IndexCorruptError(folder, f"the cluster at {cluster.url} has no index "
                                                f"{self.location.index} ({error.reason})") from None
            # Another host rebuilt the index since this folder last wrote: read the alias's new one.
            self.location = replace(self.location, index=state.index)
            answer = self._open_pit()
        self._pit: Optional[str] = answer["pit_id"]
        self._languages: Optional[dict[str, int]] = None  # articles per language, once asked for
        # A reader dropped without close() still frees its PIT (the cluster caps how many are open).
        self._finalizer = weakref.finalize(self, _delete_pit, cluster, self._pit)

    def _open_pit(self) -> Any:
        return self._cluster.call("POST", f"/{self.location.index}/_search/point_in_time",
                                  params={"keep_alive": KEEP_ALIVE})

    def is_current(self) -> bool:
        """False after a commit made here (the generation folder's counter) or, looked at once per
        :data:`FOLLOW_SECONDS`, anywhere (the cluster's state document of the alias)."""
        if config.commit_token(self.folder) != self._token:
            return False
        if time.monotonic() - self._checked < FOLLOW_SECONDS:
            return True
        self._checked = time.monotonic()
        state = read_state(self._cluster, self.location.alias)
        return (state.token() if state is not None else None) == self._state

    def count(self) -> int:
        return int(self._search({"size": 0, "track_total_hits": True})["hits"]["total"]["value"])

    def get(self, article_id: str) -> Optional[Article]:
        if not indexable_id(article_id):
            return None
        hits = self._search({"size": 1, "query": {"term": {"id": article_id}},
                             "_source": ARTICLE_FIELDS})["hits"]["hits"]
        return article_from(hits[0]["_source"]) if hits else None

    def fingerprints(self) -> dict[str, Fingerprint]:
        found = {}
        for source in self._all(SEED, ["id", "fingerprint"]):
            fingerprint = fingerprint_from(source)
            if fingerprint is not None:
                found[source["id"]] = fingerprint
        return found

    def articles_without_seed(self) -> Iterator[Article]:
        return iter([article_from(source) for source in self._all(LIBRARY, ARTICLE_FIELDS)])

    def language_counts(self) -> dict[str, int]:
        if self._languages is None:
            answer = self._search({"size": 0, "aggs": {"languages": {"terms": {"field": "language",
                                                                                "size": _MAX_LANGUAGES}}}})
            self._languages = {str(bucket["key"]): int(bucket["doc_count"])
                               for bucket in answer["aggregations"]["languages"]["buckets"]}
        return dict(self._languages)

    def held_languages(self) -> tuple[str, ...]:
        """The languages of this commit's articles (what query words are analysed in)."""
        return tuple(sorted(self.language_counts()))

    def date_summary(self) -> DateSummary:
        answer = self._search({"size": 0, "track_total_hits": True, "aggs": {
            "first": {"min": {"field": "date", "format": "strict_date"}},
            "last": {"max": {"field": "date", "format": "strict_date"}},
            "years": {"terms": {"field": "year", "size": 10_000}}}})
        if answer["hits"]["total"]["value"] == 0:
            return DateSummary(None, None, {})
        aggs = answer["aggregations"]
        per_year = {int(bucket["key"]): int(bucket["doc_count"]) for bucket in aggs["years"]["buckets"]}
        return DateSummary(dt.date.fromisoformat(aggs["first"]["value_as_string"]),
                           dt.date.fromisoformat(aggs["last"]["value_as_string"]),
                           dict(sorted(per_year.items())))

    def size_bytes(self) -> int:
        """The store size of every copy (primaries and replicas) on the cluster, now."""
        answer = self._cluster.call("GET", f"/{self.location.index}/_stats/store")
        return int(answer["_all"]["total"]["store"]["size_in_bytes"])

    def search(self, request: SearchRequest) -> Page:
        expansions = self._expansions(request)
        ranked = request.sort in RANKED_SORTS
        query = compile_query(request.tree, request.query_text, expansions, ranked=ranked,
                              date_filter=request.date_filter, frequencies=self._frequencies(request),
                              held=self.held_languages)
        fields = HIT_FIELDS + (["body_text"] if request.snippets else [])
        params = {"search_type": "dfs_query_then_fetch"} if ranked else {}
        base: dict[str, Any] = {"query": query, "sort": SORTS[request.sort], "track_total_hits": True}
        ranking: tuple[tuple[float, int], ...] = ()
        if request.window:
            total, rows = self._slice(base, 0, request.window, ["date"], params)
            ranking = tuple((float(row["_score"] or 0.0) if ranked else 0.0,
                             dt.date.fromisoformat(row["_source"]["date"]).toordinal()) for row in rows)
        start, stop = ((min(request.at), max(request.at) + 1) if request.at
                       else (request.offset, request.offset + request.limit))
        if stop > start or not request.window:
            total, rows = self._slice(base, start, stop - start, fields, params)
        else:
            rows = []
        if request.at:
            rows = [rows[at - start] for at in request.at if at - start < len(rows)]
        scored = [(float(row["_score"] or 0.0) if ranked else 0.0, row) for row in rows]
        terms = body_words(request.tree, expansions, self.held_languages) if request.snippets else frozenset()
        hits = tuple(Hit(
            id=row["_source"]["id"],
            date=dt.date.fromisoformat(row["_source"]["date"]),
            headline=row["_source"]["headline_text"],
            score=round(score, 4),
            snippet=(snippet(row["_source"]["body_text"], terms, analyzer_for(row["_source"].get("language")))
                     if request.snippets else ""),
            path=row["_source"]["path"] or None,
        ) for score, row in scored)
        day_counts, languages = (
            self._counts(query, days=request.count_days, languages=request.count_languages)
            if request.count_days or request.count_languages else (None, None))
        return Page(int(total), hits, day_counts, self._found(query, request.find_ids), ranking,
                    language_counts=languages)

    def _slice(self, base: dict[str, Any], offset: int, size: int, fields: list[str],
               params: dict[str, str]) -> tuple[int, list[dict[str, Any]]]:
        """The total, and the rows ``offset`` to ``offset + size`` of the ranking ``base`` asks for."""
        if offset + size <= WINDOW:
            answer = self._search({**base, "from": offset, "size": size, "_source": fields}, params)
            return int(answer["hits"]["total"]["value"]), answer["hits"]["hits"]
        return self._deep_page(base, offset, size, fields, params)

    def _found(self, query: dict[str, Any], ids: frozenset[str]) -> frozenset[str]:
        """The articles of ``ids`` that ``query`` matches: searches restricted to a window of them each
        (a terms filter; at most as many hits as ids, so one page each)."""
        found: set[str] = set()
        wanted = sorted(ids)
        for start in range(0, len(wanted), WINDOW):
            chunk = wanted[start:start + WINDOW]
            answer = self._search({"query": {"bool": {"filter": [query, {"terms": {"id": chunk}}]}},
                                   "size": len(chunk), "_source": ["id"], "track_total_hits": False})
            found.update(row["_source"]["id"] for row in answer["hits"]["hits"])
        return frozenset(found)

    def _counts(self, query: dict[str, Any], *, days: bool, languages: bool
                ) -> tuple[Optional[dict[dt.date, int]], Optional[dict[str, int]]]:
        """Every match counted per date (a date histogram aggregation, only days with matches) and per
        language (a terms aggregation on the ``language`` keyword), as asked, in one request."""
        aggs: dict[str, Any] = {}
        if days:
            aggs["days"] = {"date_histogram": {"field": "date", "calendar_interval": "day",
                                               "min_doc_count": 1, "format": "strict_date"}}
        if languages:
            aggs["languages"] = {"terms": {"field": "language", "size": _MAX_LANGUAGES}}
        answer = self._search({"query": query, "size": 0, "track_total_hits": False, "aggs": aggs})
        found = answer["aggregations"]
        return ({dt.date.fromisoformat(bucket["key_as_string"]): int(bucket["doc_count"])
                 for bucket in found["days"]["buckets"]} if days else None,
                {str(bucket["key"]): int(bucket["doc_count"])
                 for bucket in found["languages"]["buckets"]} if languages else None)

    def explain(self, request: SearchRequest) -> str:
        query = compile_query(request.tree, request.query_text, self._expansions(request),
                              ranked=request.sort in RANKED_SORTS, date_filter=request.date_filter,
                              frequencies=self._frequencies(request), held=self.held_languages)
        shown: dict[str, Any] = {"query": query, "sort": SORTS[request.sort], "track_total_hits": True}
        if request.sort in RANKED_SORTS:
            shown["search_type"] = "dfs_query_then_fetch"
        return json.dumps(shown, ensure_ascii=False)

    def spelling_candidates(self, words: Sequence[str]) -> Mapping[str, Sequence[str]]:
        return suggest.spelling_candidates(self._search, words)

    def document_frequencies(self, field: str, words: Sequence[str]) -> Mapping[str, int]:
        return suggest.document_frequencies(self._search, field, words)

    def close(self) -> None:
        if self._pit is not None:
            self._pit = None
            self._finalizer()  # deletes the PIT, once

    # -----------------------------------------------------------------------------------------------

    def _search(self, body: dict[str, Any], params: Optional[dict[str, str]] = None) -> dict[str, Any]:
        if self._pit is None:
            raise RuntimeError("this reader is closed")
        body = {**body, "pit": {"id": self._pit, "keep_alive": KEEP_ALIVE}}
        try:
            answer = self._cluster.call("POST", "/_search", body=body, retry=frozenset({429}),
                                        params={"allow_partial_search_results": "false", **(params or {})})
        except Refused as error:
            if is_stale(error):
                raise StaleReaderError(error.reason) from None
            raise
        shards = answer.get("_shards", {})
        if shards.get("failed"):
            raise StaleReaderError(f"{shards['failed']} of {shards.get('total')} shards failed")
        return answer

    def _expansions(self, request: SearchRequest) -> Expansions:
        keys = expansion_keys(request.tree)
        if not keys:
            return {}
        return read_expansions(keys, self._search(expansion_request(keys)))

    def _frequencies(self, request: SearchRequest) -> dict[str, tuple[int, int]]:
        """For a prose query in a ranked sort, how many articles' bodies hold each of its words (and how
        many articles there are): one more request, which its word weights need."""
        words = frequency_words(request.tree) if request.sort in RANKED_SORTS else []
        return read_frequencies(words, self._search(frequency_request(words))) if words else {}

    def _deep_page(self, base: dict[str, Any], offset: int, limit: int, fields: list[str],
                   params: dict[str, str]) -> tuple[int, list[dict[str, Any]]]:
        """A page past the result window, walked to with ``search_after`` on the PIT."""
        total: Optional[int] = None
        after: Optional[list[Any]] = None
        rows: list[dict[str, Any]] = []
        skip = offset
        while skip > 0 or len(rows) < limit:
            size = min(WINDOW, skip) if skip > 0 else min(WINDOW, limit - len(rows))
            body = {**base, "size": size, "_source": False if skip > 0 else fields,
                    "track_total_hits": total is None}
            if after is not None:
                body["search_after"] = after
            answer = self._search(body, params)
            if total is None:
                total = int(answer["hits"]["total"]["value"])
            page = answer["hits"]["hits"]
            if not page:
                break
            after = page[-1]["sort"]
            if skip > 0:
                skip -= len(page)
            else:
                rows.extend(page)
        return total or 0, rows

    def _all(self, origin: str, fields: list[str]) -> Iterator[dict[str, Any]]:
        """The ``_source`` (those fields) of every article of ``origin``, in batches."""
        after: Optional[list[Any]] = None
        while True:
            body: dict[str, Any] = {"size": BATCH, "query": {"term": {"origin": origin}}, "_source": fields,
                                    "sort": [{"id": "asc"}], "track_total_hits": False}
            if after is not None:
                body["search_after"] = after
            page = self._search(body)["hits"]["hits"]
            for row in page:
                yield row["_source"]
            if len(page) < BATCH:
                return
            after = page[-1]["sort"]


def _delete_pit(cluster: Cluster, pit: str) -> None:
    """Free a PIT on the cluster. Failing to is no error of the reader's: an unreachable cluster has
    lost it anyway, and an unreachable one that comes back drops it after :data:`KEEP_ALIVE`."""
    try:
        cluster.call("DELETE", "/_search/point_in_time", body={"pit_id": [pit]}, retry=frozenset())
    except Exception:  # noqa: BLE001 - see the docstring: the PIT expires on its own
        pass
