"""The Whoosh engine's parallel build: worker processes that each write segments of their own.

Each worker gets a contiguous share of the files (balanced by bytes), reads and parses them itself and
writes its own Whoosh segments, so no article is pickled between processes; the parent adds the finished
segments to its writer's single atomic commit. A worker starts a new segment whenever its posting pool is
nearly full (``SEGMENT_WRITER_MB`` in ``store.py``): a pool that spills to disk costs more the bigger the
build.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from whoosh.codec.whoosh3 import W3Segment

from searchkit.articles import Article, Fingerprint, SeedFile
from searchkit.engines.base import Progress, SeedOutcome
from searchkit.engines.seeding import index_seed_files, inherited_objects_frozen
from searchkit.engines.whoosh import store
from searchkit.engines.whoosh.schema import document
from searchkit.errors import BuildWorkerDiedError


def index_in_workers(
    folder: Path,
    seeds: Sequence[SeedFile],
    known_digests: Mapping[str, str],
    *,
    max_bytes: int,
    workers: int,
    progress: Optional[Progress],
    language: Optional[str] = None,
) -> tuple[SeedOutcome, list[W3Segment]]:
    """Index ``seeds`` in ``workers`` processes; returns the outcome and the segments they wrote."""
    import multiprocessing  # only big builds need it: keep start-up lean
    from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    counter = context.Value("q", 0)
    shares = _shares(seeds, workers)
    # An executor, not multiprocessing.Pool: when a worker dies (the OOM killer), Pool quietly replaces
    # it and waits for ever for the share it lost, holding the write lock; the executor fails instead.
    with inherited_objects_frozen(), ProcessPoolExecutor(len(shares), mp_context=context,
                                                         initializer=_init_worker,
                                                         initargs=(counter, os.getpid())) as pool:
        pending = [pool.submit(_worker, (folder, share, dict(known_digests), max_bytes, language))
                   for share in shares]
        try:
            while wait(pending, timeout=0.2, return_when=FIRST_EXCEPTION).not_done:
                if progress is not None:
                    progress(min(counter.value, len(seeds)), len(seeds))
            results = [future.result() for future in pending]
        except BrokenProcessPool as error:
            raise BuildWorkerDiedError(len(shares)) from error
    outcome, segments = SeedOutcome.empty(), []
    for share_outcome, share_segments in results:
        outcome.merge(share_outcome)
        segments.extend(share_segments)
    if progress is not None:
        progress(len(seeds), len(seeds))
    return outcome, segments


def _shares(seeds: Sequence[SeedFile], count: int) -> list[list[SeedFile]]:
    """Split ``seeds`` into at most ``count`` contiguous runs of about equal bytes."""
    total = sum(seed.size for seed in seeds) or 1
    shares: list[list[SeedFile]] = [[]]
    filled = 0
    for seed in seeds:
        if filled >= total * len(shares) / count and len(shares) < count:
            shares.append([])
        shares[-1].append(seed)
        filled += seed.size
    return [share for share in shares if share]


_COUNTER: Any = None  # in a worker: the shared count of files done, for the parent's progress


def _init_worker(counter: Any, parent: int) -> None:
    global _COUNTER
    _COUNTER = counter
    _die_with(parent)


def _die_with(parent: int) -> None:
    """Make this worker die when the indexer that forked it dies, even by SIGKILL.

    Otherwise an orphaned worker would keep writing into the index folder and hold the write lock it
    inherited until its share was done.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _worker(job: tuple[Path, list[SeedFile], dict[str, str], int, Optional[str]],
            ) -> tuple[SeedOutcome, list[W3Segment]]:
    """In a worker process: index one share of the files into segments of its own (a new one whenever
    the last one's posting pool is nearly full)."""
    folder, share, known_digests, max_bytes, language = job
    writer = store.segment_writer(folder)
    finished: list[W3Segment] = []
    reported = 0

    def put(article: Article, fingerprint: Fingerprint) -> None:
        nonlocal writer
        writer.add_document(**document(article, fingerprint))
        if store.segment_is_full(writer):
            segment = store.finish_segment(writer)
            if segment is not None:
                finished.append(segment)
            writer = store.segment_writer(folder)

    def tick(done: int, _total: int) -> None:
        nonlocal reported
        with _COUNTER.get_lock():
            _COUNTER.value += done - reported
        reported = done

    try:
        outcome = index_seed_files(put, share, known_digests=known_digests, max_bytes=max_bytes,
                                   progress=tick, language=language)
        last = store.finish_segment(writer)
        return outcome, finished + ([last] if last is not None else [])
    except BaseException:
        store.abandon_segment(writer)
        raise
