"""Reading and analysing seed files in worker processes, for the Tantivy engine's bulk writes.

Tantivy indexes in Rust threads of its own; what limits a build is searchkit's analysis in Python. So
each worker reads, parses and analyses a chunk of files and sends the analysed articles back as plain
values (:class:`~searchkit.engines.tantivy.schema.Prepared`); the writer adds them to its one batch.
Workers never touch the index, so nothing of theirs can outlive the build in it.
"""

from __future__ import annotations

from typing import Iterator, Mapping, Optional, Sequence

from searchkit.articles import Article, Fingerprint, SeedFile
from searchkit.engines.base import Progress, SeedOutcome
from searchkit.engines.seeding import in_workers, index_seed_files
from searchkit.engines.tantivy.schema import Prepared, prepare
from searchkit.errors import BuildWorkerDiedError

#: Files per task: enough to amortise sending the results back, few enough to keep every worker busy.
CHUNK_FILES = 250


def prepare_in_workers(
    seeds: Sequence[SeedFile],
    known_digests: Mapping[str, str],
    *,
    max_bytes: int,
    workers: int,
    progress: Optional[Progress],
    language: Optional[str] = None,
) -> Iterator[tuple[SeedOutcome, list[Prepared]]]:
    """Each chunk's outcome and analysed articles, in order, as the workers finish them (a bounded
    number ahead: see :func:`~searchkit.engines.seeding.in_workers`)."""
    from concurrent.futures.process import BrokenProcessPool

    chunks = [list(seeds[start:start + CHUNK_FILES]) for start in range(0, len(seeds), CHUNK_FILES)]
    jobs = ((chunk, {seed.id: known_digests[seed.id] for seed in chunk if seed.id in known_digests},
             max_bytes, language) for chunk in chunks)
    done = 0
    try:
        for chunk, result in zip(chunks, in_workers(_prepare_chunk, jobs, workers), strict=True):
            done += len(chunk)
            if progress is not None:
                progress(done, len(seeds))
            yield result
    except BrokenProcessPool as error:
        raise BuildWorkerDiedError(workers) from error


def _prepare_chunk(job: tuple[list[SeedFile], dict[str, str], int, Optional[str]],
                   ) -> tuple[SeedOutcome, list[Prepared]]:
    """In a worker process: read and analyse one chunk of files."""
    chunk, known_digests, max_bytes, language = job
    prepared: list[Prepared] = []

    def keep(article: Article, fingerprint: Fingerprint) -> None:
        prepared.append(prepare(article, fingerprint))

    outcome = index_seed_files(keep, chunk, known_digests=known_digests, max_bytes=max_bytes,
                               language=language)
    return outcome, prepared
