"""The OpenSearch engine's writer: one batch, sent through the bulk API, made visible by one refresh.

The physical index has no refresh timer (``refresh_interval: -1``), so what a batch sends stays out of
every search until :meth:`OpenSearchWriter.commit` refreshes the index, then counts the commit in the
generation folder (the commit token). Seed files are read, analysed and sent in chunks as they come
(:data:`CHUNK_DOCS` documents or :data:`CHUNK_BYTES` of JSON); puts and deletes through the library are
held, the last per id winning, and sent at commit.

A bulk answers per document. One the cluster refused (a mapping conflict, a word too long for Lucene)
is reported as a skipped seed file naming the article and the cluster's reason: it is left out of the
outcome's ``indexed``, so the manifest does not acknowledge it and the next update sends it again; the
rest of the batch goes in. Documents refused with 429 (the cluster is busy) are sent again, with backoff.
A refused library put or delete fails the commit (:class:`EngineRejectedError`).

:meth:`cancel` takes back what the batch sent: each id it wrote is put back as the last commit has it
(read with a search, which still sees that commit) or deleted. A writer that dies before commit or
cancel leaves its documents unrefreshed in the index; the next commit would show them, and the next
update sends their seed files again (the manifest never acknowledged them).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from searchkit.articles import Article, Fingerprint, SeedFile
from searchkit.engines.base import Progress, SeedOutcome
from searchkit.engines.batch import BatchWriter, Change
from searchkit.engines.opensearch import config
from searchkit.engines.opensearch.client import FIRST_WAIT, TRIES, Cluster
from searchkit.engines.opensearch.schema import (
    ARTICLE_FIELDS,
    article_from,
    document,
    document_id,
    fingerprint_from,
)
from searchkit.engines.seeding import index_seed_files
from searchkit.errors import EngineRejectedError, SeedError

#: A bulk request carries at most this many documents, or about this many bytes of JSON.
CHUNK_DOCS = 500
CHUNK_BYTES = 8_000_000
#: Ids per search when a cancel reads the committed versions back.
LOOKUP_IDS = 1_000

Operation = tuple[str, str, Optional[dict[str, Any]]]  # ("index" | "delete", article id, document)


class OpenSearchWriter(BatchWriter):
    """One batch for one generation's physical index (the caller holds searchkit's write lock)."""

    def __init__(self, cluster: Cluster, folder: Path, sleep: Callable[[float], None] = time.sleep) -> None:
        self.folder = folder
        self.location = config.require(folder)
        self._cluster = cluster
        self._sleep = sleep
        self._written: set[str] = set()  # ids whose documents this batch may have changed on the cluster
        self._closed = False
        super().__init__()

    def write_seeds(self, seeds: Sequence[SeedFile], *, known_digests: Mapping[str, str], max_bytes: int,
                    progress: Optional[Progress], workers: Optional[int],
                    language: Optional[str] = None) -> SeedOutcome:
        """Read, analyse and send ``seeds`` in chunks, in this process (``workers`` is not used: the
        cluster's indexing, not the analysis, bounds the speed here)."""
        chunk: list[Operation] = []
        paths: dict[str, Path] = {}
        refused: dict[str, str] = {}
        size = 0

        def keep(article: Article, fingerprint: Fingerprint) -> None:
            nonlocal size
            doc = document(article, fingerprint)
            chunk.append(("index", article.id, doc))
            paths[article.id] = Path(article.path) if article.path else Path(article.id)
            size += len(article.body) + len(article.headline) + 200
            if len(chunk) >= CHUNK_DOCS or size >= CHUNK_BYTES:
                send()

        def send() -> None:
            nonlocal size
            refused.update(self._bulk(chunk))
            chunk.clear()
            size = 0

        outcome = index_seed_files(keep, seeds, known_digests=known_digests, max_bytes=max_bytes,
                                   progress=progress, language=language)
        if chunk:
            send()
        for article_id, reason in refused.items():
            outcome.indexed.pop(article_id, None)
            outcome.signatures.pop(article_id, None)
            outcome.skipped.append(SeedError(paths[article_id], f"refused by the search cluster ({reason}); "
                                                                "it is sent again at the next update"))
        return outcome

    def commit(self) -> None:
        if self._closed:
            raise RuntimeError("this batch was already committed or cancelled")
        super().commit()

    def apply(self, changes: Iterable[tuple[str, Change]]) -> None:
        operations: list[Operation] = [
            ("index", article_id, document(*change)) if change is not None else ("delete", article_id, None)
            for article_id, change in changes]
        refused: dict[str, str] = {}
        for start in range(0, len(operations), CHUNK_DOCS):
            refused.update(self._bulk(operations[start:start + CHUNK_DOCS]))
        if refused:
            named = "; ".join(f"{article_id!r}: {reason}" for article_id, reason in sorted(refused.items()))
            raise EngineRejectedError(self._cluster.url, None,
                                      f"{len(refused)} article(s) were refused, nothing committed: {named}")
        self._refresh()
        self._closed = True
        config.bump(self.folder)

    def cancel(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._written:
            self._restore(sorted(self._written))

    # -----------------------------------------------------------------------------------------------

    def _bulk(self, operations: Sequence[Operation]) -> dict[str, str]:
        """Send ``operations``; returns the ids the cluster refused, with its reason. Documents refused
        for being too many at once (429) are sent again after a wait, up to :data:`TRIES` times."""
        refused: dict[str, str] = {}
        pending = list(operations)
        wait = FIRST_WAIT
        for attempt in range(1, TRIES + 1):
            if not pending:
                break
            self._written.update(article_id for _, article_id, _ in pending)
            answer = self._cluster.call("POST", f"/{self.location.index}/_bulk", body=_lines(pending))
            busy: list[Operation] = []
            for operation, item in zip(pending, answer["items"], strict=True):
                result = item.get("index") or item.get("delete") or {}
                status = int(result.get("status", 500))
                if status < 300 or (operation[0] == "delete" and status == 404):
                    refused.pop(operation[1], None)
                    continue
                reason = _item_reason(result)
                refused[operation[1]] = reason
                if status == 429 and attempt < TRIES:
                    busy.append(operation)
            pending = busy
            if pending:
                self._sleep(wait)
                wait *= 2
        return refused

    def _refresh(self) -> None:
        answer = self._cluster.call("POST", f"/{self.location.index}/_refresh")
        shards = answer.get("_shards", {})
        if shards.get("failed"):
            raise EngineRejectedError(self._cluster.url, None, f"the refresh failed on {shards['failed']} of "
                                                               f"{shards.get('total')} shard copies")

    def is_committed(self, article_id: str) -> bool:
        """Whether the last commit holds ``article_id`` (a search sees only what was refreshed)."""
        answer = self._cluster.call("POST", f"/{self.location.index}/_search", body={
            "size": 0, "track_total_hits": True, "query": {"term": {"id": article_id}}})
        return int(answer["hits"]["total"]["value"]) > 0

    def _restore(self, article_ids: list[str]) -> None:
        """Put ``article_ids`` back as the last commit has them (searches still see only that commit)."""
        for start in range(0, len(article_ids), LOOKUP_IDS):
            ids = article_ids[start:start + LOOKUP_IDS]
            answer = self._cluster.call("POST", f"/{self.location.index}/_search", body={
                "size": len(ids), "track_total_hits": False, "query": {"terms": {"id": ids}},
                "_source": ARTICLE_FIELDS})
            committed = {row["_source"]["id"]: row["_source"] for row in answer["hits"]["hits"]}
            operations: list[Operation] = []
            for article_id in ids:
                source = committed.get(article_id)
                if source is None:
                    operations.append(("delete", article_id, None))
                else:
                    operations.append(("index", article_id,
                                       document(article_from(source), fingerprint_from(source))))
            refused = self._bulk(operations)
            if refused:
                raise EngineRejectedError(self._cluster.url, None,
                                          "a cancelled batch could not be taken back "
                                          f"for {len(refused)} article(s); rebuild the index "
                                          "('searchkit index --rebuild')")


def _lines(operations: Iterable[Operation]) -> str:
    lines = []
    for action, article_id, doc in operations:
        lines.append(json.dumps({action: {"_id": document_id(article_id)}}, ensure_ascii=False))
        if doc is not None:
            lines.append(json.dumps(doc, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def _item_reason(result: Mapping[str, Any]) -> str:
    error = result.get("error")
    if isinstance(error, dict):
        reason = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict) and cause.get("reason"):
            reason += f" ({cause['reason']})"
        return " ".join(reason.split())[:300]
    return f"HTTP {result.get('status')}"
