"""Reading seed files into the engine: in this process for small batches, in several for big ones.

A parallel build gives each worker process a contiguous share of the files (balanced by bytes). Each
worker reads and parses its own files and writes its own engine segment, so no article is pickled
between processes; the parent adds the finished segments to its writer's single atomic commit.
"""

from __future__ import annotations

import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from searchkit.articles import SeedFile, read_seed
from searchkit.engines import engine
from searchkit.errors import SeedError

#: Below this many files a build runs in-process: starting workers would cost more than it saves.
PARALLEL_MIN_FILES = 1000
_TICK = 128


@dataclass
class Outcome:
    """What happened to each file: ``indexed`` and ``touched`` map id -> manifest entry.

    ``touched`` files had a new size or mtime but the same content as indexed before.
    """

    indexed: dict[str, list[Any]] = field(default_factory=dict)
    touched: dict[str, list[Any]] = field(default_factory=dict)
    skipped: list[SeedError] = field(default_factory=list)

    def merge(self, other: "Outcome") -> None:
        self.indexed.update(other.indexed)
        self.touched.update(other.touched)
        self.skipped.extend(other.skipped)


def build(
    ix: Any,
    writer: Any,
    seeds: list[SeedFile],
    old_hashes: dict[str, str],
    *,
    max_bytes: int,
    procs: int,
    progress: Optional[Callable[[int, int], None]],
) -> tuple[Outcome, list[Any]]:
    """Index ``seeds`` (skipping those whose content hash is in ``old_hashes`` unchanged).

    Returns the outcome and the extra engine segments written by worker processes, which the caller
    commits together with ``writer``.
    """
    if procs <= 1 or len(seeds) < PARALLEL_MIN_FILES:
        return _index_files(writer, seeds, old_hashes, max_bytes, progress), []
    return _index_in_workers(ix, seeds, old_hashes, max_bytes, procs, progress)


def _index_files(
    writer: Any,
    seeds: list[SeedFile],
    old_hashes: dict[str, str],
    max_bytes: int,
    progress: Optional[Callable[[int, int], None]],
) -> Outcome:
    outcome = Outcome()
    total = len(seeds)
    for done, seed in enumerate(seeds, start=1):
        try:
            article, digest = read_seed(seed, max_bytes=max_bytes)
        except SeedError as error:
            outcome.skipped.append(error)
        else:
            entry = [seed.size, seed.mtime_ns, digest]
            if old_hashes.get(seed.id) == digest:
                outcome.touched[seed.id] = entry
            else:
                writer.add_document(**engine.document(article, fingerprint(entry)))
                outcome.indexed[seed.id] = entry
        if progress is not None and (done % _TICK == 0 or done == total):
            progress(done, total)
    return outcome


def fingerprint(entry: list[Any]) -> str:
    """The stored form of a manifest entry (size, mtime, hash), kept with each document."""
    return ":".join(str(part) for part in entry)


def _index_in_workers(
    ix: Any,
    seeds: list[SeedFile],
    old_hashes: dict[str, str],
    max_bytes: int,
    procs: int,
    progress: Optional[Callable[[int, int], None]],
) -> tuple[Outcome, list[Any]]:
    import multiprocessing  # only big builds need it: keep start-up lean

    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    counter = context.Value("q", 0)
    shares = _shares(seeds, procs)
    folder = engine.index_folder(ix)
    with context.Pool(len(shares), initializer=_init_worker,
                      initargs=(counter, os.getpid())) as pool:
        pending = pool.map_async(
            _worker, [(folder, share, old_hashes, max_bytes) for share in shares], chunksize=1)
        while not pending.ready():
            pending.wait(0.2)
            if progress is not None:
                progress(min(counter.value, len(seeds)), len(seeds))
        results = pending.get()
    outcome, segments = Outcome(), []
    for share_outcome, segment in results:
        outcome.merge(share_outcome)
        if segment is not None:
            segments.append(segment)
    if progress is not None:
        progress(len(seeds), len(seeds))
    return outcome, segments


def _shares(seeds: list[SeedFile], count: int) -> list[list[SeedFile]]:
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


_COUNTER: Any = None


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


def _worker(job: tuple[Path, list[SeedFile], dict[str, str], int]) -> tuple[Outcome, Any]:
    """In a worker process: index one share of the files into a segment of its own."""
    folder, share, old_hashes, max_bytes = job
    writer = engine.segment_writer(folder)
    reported = 0

    def tick(done: int, _total: int) -> None:
        nonlocal reported
        with _COUNTER.get_lock():
            _COUNTER.value += done - reported
        reported = done

    try:
        outcome = _index_files(writer, share, old_hashes, max_bytes, tick)
        return outcome, engine.finish_segment(writer)
    except BaseException:
        engine.abandon_segment(writer)
        raise
