"""``run.py --profile KIND``: a pyinstrument profile of one system's full build or one query kind, written
as a text report to the work folder (``profile-<system>-<kind>.txt``), for writing up hot spots.

The build is profiled in one process (searchkit: ``open_index(...).rebuild(seeds, procs=1)``) so that all
the indexing work shows; the timed build may spread that work over several processes. Query kinds: the
index is built first (not profiled), every query of the kind runs once to warm up, then the kind's queries
repeat for at least ``MIN_SECONDS`` under the profiler.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Callable

from benchmarks import corpus, measure
from benchmarks.queries import generate
from benchmarks.systems import SystemUnavailable, get_system

MIN_SECONDS = 3.0


def profile(args: argparse.Namespace, work: Path, log: Callable[[str], None]) -> Path:
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit(
            "--profile needs pyinstrument: pip install pyinstrument (or pip install -e '.[bench]')"
        ) from None
    system = get_system(args.profile_system)
    try:
        system.check_available()
    except SystemUnavailable as exc:
        raise SystemExit(f"cannot profile {system.label}: {exc}") from None

    seeds = work / "seeds-copy"
    corpus.copy_seeds(corpus.seed_files(args.seeds, args.limit_docs), seeds)
    index_path = system.index_path(work)
    profiler = Profiler(interval=0.0005)
    if args.profile == "build":
        log(f"profiling the {system.label} build of {len(corpus.seed_files(seeds)):,} articles")
        profiler.start()
        system.build(seeds, index_path, single_process=True)
        profiler.stop()
    else:
        log(f"building the {system.label} index (not profiled)")
        measure.run_timed(system.build_command(seeds, index_path), work / "logs", f"build-{system.name}",
                          system.build_ok)
        specs = generate(corpus.seed_files(seeds), args.queries, args.seed).queries[args.profile]
        system.open(index_path, snippets=args.snippets)
        try:
            for spec in specs:
                system.run_query(spec)
            log(f"profiling {len(specs)} '{args.profile}' queries, repeated for {MIN_SECONDS:.0f}+ s")
            start = time.perf_counter()
            profiler.start()
            while time.perf_counter() - start < MIN_SECONDS:
                for spec in specs:
                    system.run_query(spec)
            profiler.stop()
        finally:
            system.close()
    out = args.work / f"profile-{system.name}-{args.profile}.txt"
    out.write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
    return out
