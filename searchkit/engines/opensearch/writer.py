"""The OpenSearch engine's writer: one batch, sent through the bulk API, made visible by one refresh.

The physical index has no refresh timer (``refresh_interval: -1``), so what a batch sends stays out of
every search until :meth:`OpenSearchWriter.commit` refreshes the index, then counts the commit in the
generation folder (the commit token). Seed files are read and analysed in worker processes and sent as
they come, in bulks over several streams at once (:mod:`~searchkit.engines.opensearch.bulk`); puts and
deletes through the library are held, the last per id winning, and sent at commit.

A bulk answers per document. One the cluster refused (a mapping conflict, a word too long for Lucene)
is reported as a skipped seed file naming the article and the cluster's reason: it is left out of the
outcome's ``indexed``, so the manifest does not acknowledge it and the next update sends it again; the
rest of the batch goes in. Documents refused with 429 (the cluster is busy) are sent again, with backoff.
A refused library put or delete fails the commit (:class:`EngineRejectedError`).

:meth:`cancel` takes back what the batch sent: each id it wrote is put back as the last commit has it
(read with a search, which still sees that commit) or deleted. A writer that dies before commit or
cancel leaves its documents unrefreshed in the index and its lease behind; the next writer settles them
(:func:`~searchkit.engines.opensearch.lease.settle`): it refreshes, counts a commit, and the manifest,
which no longer matches, is made again from the cluster.

The commit is made under the writer's lease of the alias (the one the ``Index`` holds for the whole
write, else one taken for the commit alone): renewed first (a writer that lost it refreshes nothing),
then the refresh, then the counter advanced in the cluster's state document and copied to the folder.
A writer that lost its lease neither commits nor takes anything back, and marks the state unsettled
(:class:`~searchkit.errors.WriterLeaseLostError`).
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from searchkit.articles import SeedFile
from searchkit.engines.base import Progress, SeedOutcome
from searchkit.engines.batch import BatchWriter, Change
from searchkit.engines.opensearch import bulk, config, lease, state
from searchkit.engines.opensearch.client import FIRST_WAIT, TRIES, Cluster
from searchkit.engines.opensearch.schema import ARTICLE_FIELDS, article_from, fingerprint_from
from searchkit.engines.seeding import worker_count
from searchkit.errors import EngineRejectedError, SeedError, WriterLeaseLostError

#: Ids per search when a cancel reads the committed versions back.
LOOKUP_IDS = 1_000


class OpenSearchWriter(BatchWriter):
    """One batch for one generation's physical index (the caller holds searchkit's write lock)."""

    def __init__(self, cluster: Cluster, folder: Path, sleep: Callable[[float], None] = time.sleep,
                 streams: Optional[int] = None) -> None:
        self.folder = folder
        self.streams = streams if streams is not None else bulk.STREAMS
        self.location = config.require(folder)
        self._cluster = cluster
        self._sleep = sleep
        self._written: set[str] = set()  # ids whose documents this batch may have changed on the cluster
        self._closed = False
        super().__init__()

    def write_seeds(self, seeds: Sequence[SeedFile], *, known_digests: Mapping[str, str], max_bytes: int,
                    progress: Optional[Progress], workers: Optional[int],
                    language: Optional[str] = None) -> SeedOutcome:
        """Read, analyse and serialise ``seeds`` in worker processes (in this one for a few files), and
        send them in bulks over several streams at once (:mod:`~searchkit.engines.opensearch.bulk`)."""
        outcome = SeedOutcome.empty()
        paths: dict[str, str] = {}
        streams = bulk.Streams(self._bulk, self.streams)
        try:
            for part, lines, part_paths in bulk.prepared(seeds, known_digests, max_bytes=max_bytes,
                                                         workers=worker_count(workers, len(seeds)),
                                                         progress=progress, language=language):
                outcome.merge(part)
                paths.update(part_paths)
                for operations in bulk.grouped(lines):
                    self._written.update(line.article_id for line in operations)
                    streams.send_later(operations)
            refused = streams.finish()
        finally:
            streams.close()
        for article_id, reason in refused.items():
            outcome.indexed.pop(article_id, None)
            outcome.signatures.pop(article_id, None)
            outcome.skipped.append(SeedError(Path(paths[article_id]), f"refused by the search cluster "
                                             f"({reason}); it is sent again at the next update"))
        return outcome

    def commit(self) -> None:
        if self._closed:
            raise RuntimeError("this batch was already committed or cancelled")
        super().commit()

    def apply(self, changes: Iterable[tuple[str, Change]]) -> None:
        operations = [bulk.index_line(*change) if change is not None else bulk.delete_line(article_id)
                      for article_id, change in changes]
        self._written.update(line.article_id for line in operations)
        refused: dict[str, str] = {}
        for part in bulk.grouped(operations):
            refused.update(self._bulk(part))
        if refused:
            named = "; ".join(f"{article_id!r}: {reason}" for article_id, reason in sorted(refused.items()))
            raise EngineRejectedError(self._cluster.url, None,
                                      f"{len(refused)} article(s) were refused, nothing committed: {named}")
        with lease.for_commit(self._cluster, self.location.alias, self.folder.parent) as held:
            try:
                held.renew()  # a writer that lost its lease makes nothing visible
                self._refresh()
                commits = held.advance(after=config.require(self.folder).commits)
            except WriterLeaseLostError:
                self._closed = True  # and cancel writes nothing either: another writer has the index now
                state.mark_unsettled(self._cluster, self.location.alias)
                raise
        self._closed = True
        config.write(self.folder, replace(config.require(self.folder), commits=commits))

    def cancel(self) -> None:
        if self._closed:
            return
        self._closed = True
        held = lease.current(self._cluster, self.location.alias)
        if held is not None and held.lost_to is not None:  # another writer has the index now
            state.mark_unsettled(self._cluster, self.location.alias)
            return
        if self._written and config.live_folder(self.folder.parent) == self.folder:
            self._restore(sorted(self._written))  # (a rebuild's unpublished index is discarded instead)

    # -----------------------------------------------------------------------------------------------

    def _bulk(self, operations: Sequence[bulk.Line]) -> dict[str, str]:
        """Send ``operations`` (the caller counted their ids as written); returns the ids the cluster
        refused, with its reason. Documents refused for being too many at once (429) are sent again
        after a wait, up to :data:`TRIES` times. Called from several sender threads at once."""
        held = lease.current(self._cluster, self.location.alias)
        if held is not None and held.lost_to is not None:
            raise WriterLeaseLostError(self._cluster.url, self.location.alias, held.lost_to)
        refused: dict[str, str] = {}
        pending = list(operations)
        wait = FIRST_WAIT
        for attempt in range(1, TRIES + 1):
            if not pending:
                break
            answer = self._cluster.call("POST", f"/{self.location.index}/_bulk", body=bulk.body(pending))
            busy: list[bulk.Line] = []
            statuses: list[tuple[int, str]] = []
            for operation, item in zip(pending, answer["items"], strict=True):
                result = item.get("index") or item.get("delete") or {}
                status = int(result.get("status", 500))
                if status < 300 or (operation.action == "delete" and status == 404):
                    refused.pop(operation.article_id, None)
                    continue
                reason = _item_reason(result)
                statuses.append((status, reason))
                refused[operation.article_id] = reason
                if status == 429 and attempt < TRIES:
                    busy.append(operation)
            pending = busy
            lost = [reason for status, reason in statuses if status == 503]
            if lost:  # the cluster waited for the shard's copies already (the bulk's timeout, 1 minute)
                raise EngineRejectedError(
                    self._cluster.url, 503, f"{len(lost):,} of {len(operations):,} articles of a bulk were "
                    f"not acknowledged ({lost[0]}): a shard has no copy on the nodes that answer; nothing "
                    "of this write was committed, run it again once the cluster is green")
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
            operations = [bulk.delete_line(article_id) if article_id not in committed else
                          bulk.index_line(article_from(committed[article_id]),
                                          fingerprint_from(committed[article_id])) for article_id in ids]
            refused = self._bulk(operations)
            if refused:
                raise EngineRejectedError(self._cluster.url, None,
                                          "a cancelled batch could not be taken back "
                                          f"for {len(refused)} article(s); rebuild the index "
                                          "('searchkit index --rebuild')")


def _item_reason(result: Mapping[str, Any]) -> str:
    error = result.get("error")
    if isinstance(error, dict):
        reason = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict) and cause.get("reason"):
            reason += f" ({cause['reason']})"
        return " ".join(reason.split())[:300]
    return f"HTTP {result.get('status')}"
