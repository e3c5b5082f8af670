"""Reading seed files into an engine writer, one file after another.

Engines call this from :meth:`~searchkit.engines.base.EngineWriter.put_seeds`, in their own process or
in worker processes of their own (the Whoosh engine gives each worker a share of the files).
"""

from __future__ import annotations

import os
from typing import Callable, Mapping, Optional, Sequence

from searchkit.articles import Article, Fingerprint, SeedFile, read_seed
from searchkit.engines.base import Progress, SeedOutcome
from searchkit.errors import SeedError
from searchkit.stories import signature

#: How many files pass between two progress reports.
PROGRESS_EVERY = 128
#: Below this many files a bulk write runs in-process: starting workers would cost more than it saves.
PARALLEL_MIN_FILES = 1000


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
) -> SeedOutcome:
    """Read each of ``seeds`` and ``put`` it, unless its content digest is the one in ``known_digests``
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
                put(article, fingerprint)
                outcome.indexed[seed.id] = fingerprint
                outcome.signatures[seed.id] = signature(article)
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
            progress(done, total)
    return outcome
