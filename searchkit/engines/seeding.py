"""Reading seed files into an engine writer, one file after another; signing many articles at once.

Engines call :func:`index_seed_files` from :meth:`~searchkit.engines.base.EngineWriter.put_seeds`, in
their own process or in worker processes of their own (the Whoosh engine gives each worker a share of
the files). :func:`sign_articles` makes the stories' signatures of articles read back from an index.
"""

from __future__ import annotations

import gc
import itertools
import os
import sys
from collections import deque
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, Mapping, Optional, Sequence, TypeVar

from searchkit.articles import Article, Fingerprint, SeedFile, read_seed
from searchkit.engines.base import Progress, SeedOutcome
from searchkit.errors import SeedError
from searchkit.text.languages import resolve
from searchkit.text.shingles import Signature, signature

#: How many files pass between two progress reports.
PROGRESS_EVERY = 128
#: Below this many files a bulk write runs in-process: starting workers would cost more than it saves.
PARALLEL_MIN_FILES = 1000
#: Articles per task when signing in worker processes.
SIGN_CHUNK = 500
#: Tasks submitted ahead per worker: enough to keep them busy while the caller takes the last result.
AHEAD = 3

Job = TypeVar("Job")
Result = TypeVar("Result")


def worker_count(requested: Optional[int], files: int) -> int:
    """How many worker processes to read ``files`` seed files with: what was asked (at least one), or
    one per core up to four; 1 (in-process) for small writes."""
    if files < PARALLEL_MIN_FILES:
        return 1
    return max(1, requested) if requested is not None else max(1, min(4, os.cpu_count() or 1))


def index_seed_files(
    put: Callable[[Article, Fingerprint], None],
    seeds: Sequence[SeedFile],
    *,
    known_digests: Mapping[str, str],
    max_bytes: int,
    progress: Optional[Progress] = None,
    language: Optional[str] = None,
) -> SeedOutcome:
    """Read each of ``seeds`` and ``put`` it in its language (its own, else ``language``, else detected:
    :func:`~searchkit.text.languages.resolve`), unless its content digest is the one in ``known_digests``
    (then it is only ``touched``); a file that cannot be read as an article is ``skipped``. Each article
    put is sketched here too, where the text is at hand (often in a worker process)."""
    outcome = SeedOutcome.empty()
    total = len(seeds)
    for done, seed in enumerate(seeds, start=1):
        try:
            article, digest = read_seed(seed, max_bytes=max_bytes)
        except SeedError as error:
            outcome.skipped.append(error)
        else:
            fingerprint = Fingerprint(seed.size, seed.mtime_ns, digest)
            if known_digests.get(seed.id) == digest:
                outcome.touched[seed.id] = fingerprint
            else:
                article = resolve(article, language)
                put(article, fingerprint)
                outcome.indexed[seed.id] = fingerprint
                outcome.signatures[seed.id] = signature(article)
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    return outcome


def in_workers(task: Callable[[Job], Result], jobs: Iterable[Job], workers: int) -> Iterator[Result]:
    """``task(job)`` for each of ``jobs`` in ``workers`` processes, the results in the jobs' order.

    At most :data:`AHEAD` jobs per worker are in flight: a caller that falls behind leaves finished
    results waiting, never every job's at once (a million articles' would not fit). Raises
    :class:`~concurrent.futures.process.BrokenProcessPool` when a worker dies.
    """
    import multiprocessing  # only big writes need them: keep start-up lean
    from concurrent.futures import Future, ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with inherited_objects_frozen(), ProcessPoolExecutor(workers, mp_context=context) as pool:
        in_flight: deque[Future[Result]] = deque()
        for job in jobs:
            in_flight.append(pool.submit(task, job))
            if len(in_flight) >= workers * AHEAD:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


@contextmanager
def inherited_objects_frozen() -> Iterator[None]:
    """While worker processes are forked and run: this process's objects are out of the garbage
    collector's reach (:func:`gc.freeze`), so a forked worker's full collections neither walk nor write
    to the objects it inherited (an entry per seed file of a big index), which would copy their pages
    and cost every worker CPU time per article."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def sign_articles(articles: Iterable[Article], count: int, *,
                  progress: Optional[Progress] = None) -> dict[str, Signature]:
    """The signature of each of ``articles`` (``count`` of them), made in worker processes when there are
    many (signing costs several times reading an article back from an index: too long for a big index in
    one process). Raises :class:`OSError` when a worker dies (killed, or out of memory)."""
    from concurrent.futures.process import BrokenProcessPool

    signed: dict[str, Signature] = {}
    workers = worker_count(None, count)
    if workers == 1:
        for done, article in enumerate(articles, start=1):
            signed[article.id] = signature(article)
            if progress is not None and (done % PROGRESS_EVERY == 0 or done == count):
                progress(done, count)
        return signed
    try:
        for part in in_workers(_sign_chunk, chunks(articles, SIGN_CHUNK), workers):
            signed.update(part)
            if progress is not None:
                progress(min(len(signed), count), count)
    except BrokenProcessPool:
        raise OSError("a worker process signing the articles died (killed, or out of memory?)") from None
    return signed


def chunks(items: Iterable[Job], size: int) -> Iterator[list[Job]]:
    """``items`` in lists of ``size`` (the last shorter), taken as they come."""
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _sign_chunk(chunk: list[Article]) -> list[tuple[str, Signature]]:
    """In a worker process: the signatures of one chunk of articles."""
    return [(article.id, signature(article)) for article in chunk]
