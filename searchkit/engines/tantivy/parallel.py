"""Reading and analysing seed files in worker processes, for the Tantivy engine's bulk writes.

Tantivy indexes in Rust threads of its own; what limits a build is searchkit's analysis in Python. So
each worker reads, parses and analyses a chunk of files and sends the analysed articles back as plain
values (:class:`~searchkit.engines.tantivy.schema.Prepared`); the writer adds them to its one batch.
Workers never touch the index, so nothing of theirs can outlive the build in it.
"""

from __future__ import annotations

import sys
from collections import deque
from typing import Iterator, Mapping, Optional, Sequence

from searchkit.articles import Article, Fingerprint, SeedFile
from searchkit.building import index_seed_files
from searchkit.engines.base import Progress, SeedOutcome
from searchkit.engines.tantivy.schema import Prepared, prepare
from searchkit.errors import BuildWorkerDiedError

#: Files per task: enough to amortise sending the results back, few enough to keep every worker busy.
CHUNK_FILES = 250
#: Chunks submitted ahead per worker: enough to keep them busy while the writer takes the last one.
AHEAD = 3


def prepare_in_workers(
    seeds: Sequence[SeedFile],
    known_digests: Mapping[str, str],
    *,
    max_bytes: int,
    workers: int,
    progress: Optional[Progress],
) -> Iterator[tuple[SeedOutcome, list[Prepared]]]:
    """Each chunk's outcome and analysed articles, in order, as the workers finish them.

    At most :data:`AHEAD` chunks per worker are in flight: if the writer falls behind, finished chunks
    wait in memory, and submitting every chunk at once let a million-article build hold most of its
    analysed articles at the same time.
    """
    import multiprocessing  # only big builds need it: keep start-up lean
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    done = 0
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        in_flight: deque[tuple[Future[tuple[SeedOutcome, list[Prepared]]], int]] = deque()
        starts = iter(range(0, len(seeds), CHUNK_FILES))
        try:
            while True:
                while len(in_flight) < workers * AHEAD:
                    start = next(starts, None)
                    if start is None:
                        break
                    chunk = list(seeds[start:start + CHUNK_FILES])
                    digests = {seed.id: known_digests[seed.id] for seed in chunk if seed.id in known_digests}
                    in_flight.append((pool.submit(_prepare_chunk, (chunk, digests, max_bytes)), len(chunk)))
                if not in_flight:
                    break
                future, size = in_flight.popleft()
                outcome, prepared = future.result()
                done += size
                if progress is not None:
                    progress(done, len(seeds))
                yield outcome, prepared
        except BrokenProcessPool as error:
            raise BuildWorkerDiedError(workers) from error


def _prepare_chunk(job: tuple[list[SeedFile], dict[str, str], int]) -> tuple[SeedOutcome, list[Prepared]]:
    """In a worker process: read and analyse one chunk of files."""
    chunk, known_digests, max_bytes = job
    prepared: list[Prepared] = []

    def keep(article: Article, fingerprint: Fingerprint) -> None:
        prepared.append(prepare(article, fingerprint))

    outcome = index_seed_files(keep, chunk, known_digests=known_digests, max_bytes=max_bytes)
    return outcome, prepared
