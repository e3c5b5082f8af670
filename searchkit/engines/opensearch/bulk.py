"""Bulk loading: seed files analysed in worker processes, bulks sent over several streams at once.

What bounds an OpenSearch build on the client's side is searchkit's analysis in Python (the cluster
indexes in threads of its own), and while one bulk is being indexed a single sender waits. So, as the
Tantivy engine does, worker processes read, analyse and serialise chunks of seed files into the bulk
API's JSON lines (:func:`prepare_chunk`); this process only groups them into bulks and hands each to one
of :data:`STREAMS` sender threads (:class:`Streams`). Workers never talk to the cluster.

The bulk sizes and the number of streams were chosen by measurement (``benchmarks/opensearch_ingest.py``,
results in docs/opensearch.md).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple, Optional, Sequence

from searchkit.articles import Article, Fingerprint, SeedFile
from searchkit.engines.base import Progress, SeedOutcome
from searchkit.engines.opensearch.schema import document, document_id
from searchkit.engines.seeding import in_workers, index_seed_files
from searchkit.errors import BuildWorkerDiedError

#: A bulk request carries at most this many documents, or about this many bytes of JSON.
CHUNK_DOCS = 500
CHUNK_BYTES = 8_000_000
#: Bulk requests in flight at once (each stream is a thread waiting on the cluster).
STREAMS = 2
#: Seed files per worker task: enough to amortise sending the results back.
CHUNK_FILES = 250


class Line(NamedTuple):
    """One bulk operation: ``action`` (index or delete), the article's id, and its JSON lines."""

    action: str
    article_id: str
    text: str


def index_line(article: Article, fingerprint: Optional[Fingerprint]) -> Line:
    """The bulk operation putting ``article`` (analysed here)."""
    head = json.dumps({"index": {"_id": document_id(article.id)}}, ensure_ascii=False)
    doc = json.dumps(document(article, fingerprint), ensure_ascii=False)
    return Line("index", article.id, f"{head}\n{doc}\n")


def delete_line(article_id: str) -> Line:
    head = json.dumps({"delete": {"_id": document_id(article_id)}}, ensure_ascii=False)
    return Line("delete", article_id, f"{head}\n")


def body(lines: Iterable[Line]) -> str:
    return "".join(line.text for line in lines)


def grouped(lines: Iterable[Line]) -> Iterator[list[Line]]:
    """``lines`` in bulks of at most :data:`CHUNK_DOCS` operations or about :data:`CHUNK_BYTES`."""
    bulk: list[Line] = []
    size = 0
    for line in lines:
        bulk.append(line)
        size += len(line.text)
        if len(bulk) >= CHUNK_DOCS or size >= CHUNK_BYTES:
            yield bulk
            bulk, size = [], 0
    if bulk:
        yield bulk


Prepared = tuple[SeedOutcome, list[Line], dict[str, str]]  # outcome, operations, article id -> path


def prepare_chunk(job: tuple[list[SeedFile], dict[str, str], int, Optional[str]]) -> Prepared:
    """Read, analyse and serialise one chunk of seed files (in a worker process, or in this one), each
    in its language (its own, else ``language``, the index default, else detected)."""
    chunk, known_digests, max_bytes, language = job
    lines: list[Line] = []
    paths: dict[str, str] = {}

    def keep(article: Article, fingerprint: Fingerprint) -> None:
        lines.append(index_line(article, fingerprint))
        paths[article.id] = article.path or article.id

    outcome = index_seed_files(keep, chunk, known_digests=known_digests, max_bytes=max_bytes,
                               language=language)
    return outcome, lines, paths


def prepared(seeds: Sequence[SeedFile], known_digests: Mapping[str, str], *, max_bytes: int, workers: int,
             progress: Optional[Progress], language: Optional[str] = None) -> Iterator[Prepared]:
    """Each chunk of ``seeds`` prepared, in order: in ``workers`` processes, or here when it is 1."""
    from concurrent.futures.process import BrokenProcessPool

    chunks = [list(seeds[start:start + CHUNK_FILES]) for start in range(0, len(seeds), CHUNK_FILES)]
    jobs = ((chunk, {seed.id: known_digests[seed.id] for seed in chunk if seed.id in known_digests},
             max_bytes, language) for chunk in chunks)
    results = map(prepare_chunk, jobs) if workers == 1 else in_workers(prepare_chunk, jobs, workers)
    done = 0
    try:
        for chunk, result in zip(chunks, results, strict=True):
            done += len(chunk)
            if progress is not None:
                progress(done, len(seeds))
            yield result
    except BrokenProcessPool as error:
        raise BuildWorkerDiedError(workers) from error


class Streams:
    """Bulks sent by ``send`` (which returns the ids refused, with reasons) over ``streams`` threads, at
    most two per stream waiting; the first error stops taking new bulks and is raised by :meth:`finish`
    (or by the :meth:`send_later` after it) once the bulks in flight have ended."""

    def __init__(self, send: Callable[[Sequence[Line]], dict[str, str]], streams: int = STREAMS) -> None:
        self._send = send
        self._streams = max(1, streams)
        self._pool = ThreadPoolExecutor(self._streams, thread_name_prefix="searchkit-bulk")
        self._in_flight: deque[Future[dict[str, str]]] = deque()
        self._failed = threading.Event()
        self.refused: dict[str, str] = {}

    def send_later(self, bulk: Sequence[Line]) -> None:
        self._in_flight.append(self._pool.submit(self._run, bulk))
        while len(self._in_flight) >= 2 * self._streams:
            self._collect(self._in_flight.popleft())

    def finish(self) -> dict[str, str]:
        """Wait for every bulk; the ids refused by the cluster (the reason for each)."""
        try:
            while self._in_flight:
                self._collect(self._in_flight.popleft())
        finally:
            self.close()
        return self.refused

    def close(self) -> None:
        for future in self._in_flight:
            future.cancel()
        self._pool.shutdown(wait=True)
        self._in_flight.clear()

    def _run(self, bulk: Sequence[Line]) -> dict[str, str]:
        # A bulk queued behind one that failed is not sent: the failure is raised in its stead, and a
        # sender freed by the failure would otherwise start it before close() could cancel it.
        if self._failed.is_set():
            return {}
        try:
            return self._send(bulk)
        except BaseException:
            self._failed.set()
            raise

    def _collect(self, future: "Future[dict[str, str]]") -> None:
        try:
            self.refused.update(future.result())
        except BaseException:
            self.close()
            raise

