"""The saved searches of an alias and their unchecked matches, in the cluster's hidden alerts index.

One hidden index, ``searchkit-alerts`` (:data:`~searchkit.engines.opensearch.config.ALERTS_INDEX`: one
shard, a copy on every node, as the state index), holds for every alias a document per saved search and
one per unchecked match::

    {"alias": "news", "kind": "search", "name": "oil", "query": "crude OR opec", "plain": false,
     "created": "2026-12-08T04:00:00+00:00", "key": <the _id>}
    {"alias": "news", "kind": "match", "name": "oil", "id": "reut-00412", "date": "1987-03-02",
     "headline": "...", "found": "...", "key": <the _id>}

Each ``_id`` is the alias, the kind and a digest of the name (and of the article's id), so a name is any
printable text. The saved query is kept as text, not as a ``percolator`` field: the writer matches each new
article against it with searchkit's own matcher, as on every engine (docs/alerts.md says why). Every change
is safe from any host without the writer's lease: a search is added with ``op_type=create`` (a name in use
is refused whoever took it first), and a check deletes each match it hands out with
``if_seq_no``/``if_primary_term``, so two hosts checking at once never both hand out one, and a match
recorded again meanwhile (its article changed) stays for the next check. Writes refresh the index, so the
next read from any host sees them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Iterator, Sequence

from searchkit.engines.opensearch.client import Cluster, Missing, Refused
from searchkit.engines.opensearch.config import ALERTS_INDEX
from searchkit.errors import AlertExistsError, AlertNotFoundError, EngineRejectedError
from searchkit.reports import AlertMatch, SavedSearch

_SETTINGS = {"settings": {"index": {"number_of_shards": 1, "auto_expand_replicas": "0-all", "hidden": True}},
             "mappings": {"dynamic": False, "properties": {
                 "alias": {"type": "keyword"}, "kind": {"type": "keyword"}, "name": {"type": "keyword"},
                 "key": {"type": "keyword"}}}}
#: Documents per page of a listing, and operations per bulk.
PAGE = 1_000
_REFRESH = {"refresh": "true"}


class ClusterSavedSearches:
    """The saved searches of ``alias`` on ``cluster`` (a :class:`~searchkit.engines.remote.SavedSearches`)."""

    def __init__(self, cluster: Cluster, alias: str) -> None:
        self.cluster = cluster
        self.alias = alias
        self._ensured = False

    def add(self, saved: SavedSearch) -> None:
        self._ensure_index()
        body = {"alias": self.alias, "kind": "search", "name": saved.name, "query": saved.query,
                "plain": saved.plain, "created": saved.created, "key": self._search_id(saved.name)}
        try:
            self.cluster.call("PUT", f"/{ALERTS_INDEX}/_create/{self._search_id(saved.name)}", body=body,
                              params=_REFRESH, idempotent=False)
        except Refused as error:
            if error.status == 409:
                raise AlertExistsError(saved.name) from None
            raise

    def remove(self, name: str) -> None:
        try:
            self.cluster.call("DELETE", f"/{ALERTS_INDEX}/_doc/{self._search_id(name)}", params=_REFRESH)
        except Missing:  # no such document, or no alerts index at all
            raise AlertNotFoundError(name) from None
        self._bulk([{"delete": {"_index": ALERTS_INDEX, "_id": hit["_id"]}}
                    for hit in self._hits("match", name=name)], idempotent=True)

    def searches(self) -> list[SavedSearch]:
        found = [SavedSearch(str(source["name"]), str(source["query"]), bool(source["plain"]),
                             str(source["created"]))
                 for source in (hit["_source"] for hit in self._hits("search"))]
        return sorted(found, key=lambda saved: saved.name)

    def record(self, matches: Sequence[AlertMatch]) -> None:
        if not matches:
            return
        self._ensure_index()
        lines: list[dict[str, Any]] = []
        for match in matches:
            key = self._match_id(match.search, match.id)
            lines.append({"index": {"_index": ALERTS_INDEX, "_id": key}})
            lines.append({"alias": self.alias, "kind": "match", "name": match.search, "id": match.id,
                          "date": match.date.isoformat(), "headline": match.headline, "found": match.found,
                          "key": key})
        for start in range(0, len(lines), 2 * PAGE):
            answer = self._bulk(lines[start:start + 2 * PAGE], idempotent=True)  # each names its _id
            failed = [item for item in _items(answer) if int(item.get("status", 500)) >= 300]
            if failed:
                raise EngineRejectedError(self.cluster.url, int(failed[0].get("status", 500)),
                                          f"{len(failed):,} new matches of saved searches not recorded in "
                                          f"{ALERTS_INDEX}: {_item_reason(failed[0])}")

    def take(self) -> dict[str, list[AlertMatch]]:
        names = [saved.name for saved in self.searches()]
        hits = list(self._hits("match"))
        result: dict[str, list[AlertMatch]] = {name: [] for name in names}
        if not hits:
            return result
        deletes: list[dict[str, Any]] = [
            {"delete": {"_index": ALERTS_INDEX, "_id": hit["_id"], "if_seq_no": hit["_seq_no"],
                        "if_primary_term": hit["_primary_term"]}} for hit in hits]
        taken: set[str] = set()
        for start in range(0, len(deletes), PAGE):
            # Not sent again to another node: a delete carried out twice would look taken by someone else.
            answer = self._bulk(deletes[start:start + PAGE], idempotent=False)
            taken.update(str(item.get("_id")) for item in _items(answer)
                         if int(item.get("status", 500)) == 200)
        for hit in hits:
            source = hit["_source"]
            # else another check took it, or its search was removed
            if hit["_id"] in taken and source["name"] in result:
                result[source["name"]].append(_match(source))
        for found in result.values():
            found.sort(key=lambda match: match.id)
            found.sort(key=lambda match: match.date, reverse=True)
        return result

    def _hits(self, kind: str, *, name: str | None = None) -> Iterator[dict[str, Any]]:
        """Every document of ``kind`` of the alias (of search ``name`` when given), page by page."""
        filters: list[dict[str, Any]] = [{"term": {"alias": self.alias}}, {"term": {"kind": kind}}]
        if name is not None:
            filters.append({"term": {"name": name}})
        body: dict[str, Any] = {"query": {"bool": {"filter": filters}}, "size": PAGE,
                                "sort": [{"key": "asc"}], "seq_no_primary_term": True}
        while True:
            try:
                answer = self.cluster.call("POST", f"/{ALERTS_INDEX}/_search", body=body)
            except Missing:  # no alerts index yet: nothing saved
                return
            hits = answer["hits"]["hits"]
            yield from hits
            if len(hits) < PAGE:
                return
            body["search_after"] = hits[-1]["sort"]

    def _bulk(self, lines: list[dict[str, Any]], *, idempotent: bool) -> dict[str, Any]:
        if not lines:
            return {"items": []}
        text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
        answer: dict[str, Any] = self.cluster.call("POST", "/_bulk", body=text, params=_REFRESH,
                                                   idempotent=idempotent)
        return answer

    def _ensure_index(self) -> None:
        if self._ensured:
            return
        try:
            self.cluster.call("PUT", f"/{ALERTS_INDEX}", body=_SETTINGS, idempotent=False)
        except Refused as error:
            if "resource_already_exists_exception" not in error.types:
                raise
        self._ensured = True

    def _search_id(self, name: str) -> str:
        return f"{self.alias}~search~{_digest(name)}"

    def _match_id(self, name: str, article_id: str) -> str:
        return f"{self.alias}~match~{_digest(name + chr(0) + article_id)}"


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _items(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return [next(iter(item.values())) for item in answer.get("items", [])]


def _item_reason(item: dict[str, Any]) -> str:
    error = item.get("error")
    if isinstance(error, dict):
        return " ".join(f"{error.get('type', '')}: {error.get('reason', '')}".split())
    return f"status {item.get('status')}"


def _match(source: dict[str, Any]) -> AlertMatch:
    return AlertMatch(str(source["name"]), str(source["id"]), dt.date.fromisoformat(str(source["date"])),
                      str(source["headline"]), str(source["found"]))
