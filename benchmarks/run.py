"""Benchmark searchkit against plain Whoosh and SQLite FTS5 on the same articles, in one run.

    python benchmarks/run.py [--seeds DIR] [--out benchmarks/results/run.md] [--quick]
    python benchmarks/run.py --profile word          # pyinstrument report for one query kind (or "build")

Writes a markdown report (``--out``) and the raw numbers next to it as JSON. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: import this folder as the `benchmarks` package
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        sys.path[0] = str(REPO_ROOT)
    else:
        sys.path.insert(0, str(REPO_ROOT))

from benchmarks import corpus, measure, report  # noqa: E402
from benchmarks.queries import KINDS, describe, generate  # noqa: E402
from benchmarks.systems import OPTIONAL, SYSTEM_NAMES, System, SystemUnavailable, get_system  # noqa: E402

DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpora" / "reuters21578"
MARKER = ".searchkit-benchmark-workdir"
NEW_ARTICLES = 100


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def default_seeds() -> Path:
    return DEFAULT_CORPUS if DEFAULT_CORPUS.is_dir() else REPO_ROOT / "seeds"


def fresh_dir(path: Path) -> Path:
    """Remove and recreate a work folder, refusing to delete one this script did not make."""
    if path.exists():
        if not (path / MARKER).exists():
            raise SystemExit(f"refusing to delete {path}: it was not made by benchmarks/run.py (no {MARKER})")
        shutil.rmtree(path)
    path.mkdir(parents=True)
    (path / MARKER).write_text("made by benchmarks/run.py; deleted and recreated on every run\n")
    return path


def display_path(path: Path) -> str:
    """``path`` relative to the repo root when it is in the repo or next to it, else absolute."""
    if path.is_relative_to(REPO_ROOT.parent):
        return os.path.relpath(path, REPO_ROOT)
    return str(path)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=None,
                        help=f"seed articles folder (default: {display_path(DEFAULT_CORPUS)} if it exists, "
                             "else seeds/)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "benchmarks" / "results" / "run.md",
                        help="markdown report to write (default: benchmarks/results/run.md)")
    parser.add_argument("--json", type=Path, default=None, help="JSON results (default: --out with .json)")
    parser.add_argument("--work", type=Path, default=REPO_ROOT / "benchmarks" / ".work",
                        help="scratch folder (default: benchmarks/.work)")
    parser.add_argument("--quick", action="store_true",
                        help="20 queries per kind, 1 cold-start run: for a smoke test")
    parser.add_argument("--queries", type=int, default=None,
                        help="queries per kind (default 200, --quick 20)")
    parser.add_argument("--cold-repeats", type=int, default=None,
                        help="cold-start runs per system (default 5, --quick 1)")
    parser.add_argument("--limit-docs", type=int, default=None,
                        help="use only the first N seed files (by name)")
    parser.add_argument("--systems", default=",".join(SYSTEM_NAMES),
                        help=f"comma-separated systems to measure (default: {','.join(SYSTEM_NAMES)})")
    parser.add_argument("--seed", type=int, default=1987,
                        help="random seed for the query sets (default 1987)")
    parser.add_argument("--snippets", action="store_true",
                        help="warm queries fetch snippets/highlights instead of stored fields")
    parser.add_argument("--profile", metavar="KIND", choices=["build", *KINDS],
                        help="profile one system with pyinstrument instead: "
                             f"build or one of {', '.join(KINDS)}")
    parser.add_argument("--profile-system", default="searchkit", choices=SYSTEM_NAMES,
                        help="system to profile (default searchkit)")
    args = parser.parse_args(argv)
    args.seeds = (args.seeds or default_seeds()).resolve()
    args.out = args.out.resolve()
    args.json = (args.json or args.out.with_suffix(".json")).resolve()
    args.work = args.work.resolve()
    args.queries = args.queries or (20 if args.quick else 200)
    args.cold_repeats = args.cold_repeats or (1 if args.quick else 5)
    args.systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = [s for s in args.systems if s not in SYSTEM_NAMES]
    if unknown:
        parser.error(f"unknown system(s) {', '.join(unknown)}; expected some of {', '.join(SYSTEM_NAMES)}")
    if not args.seeds.is_dir():
        parser.error(f"seeds folder not found: {args.seeds}")
    return args


def measure_builds(systems: dict[str, System], seeds: Path, work: Path, docs: int, size: int) -> dict:
    logs = work / "logs"
    builds = {}
    for name, system in systems.items():
        log(f"full build: {system.label}")
        index_path = system.index_path(work)
        timing = measure.run_timed(system.build_command(seeds, index_path), logs, f"build-{name}",
                                   system.build_ok)
        builds[name] = {
            "seconds": timing["seconds"],
            "cpu_seconds": timing["cpu_seconds"],
            "docs_per_s": docs / timing["seconds"],
            "mb_per_s": size / 1e6 / timing["seconds"],
            "peak_rss_mb": timing["peak_rss_mb"],
            "index_mb": system.index_bytes(index_path) / 1e6,
            "command": " ".join(system.build_command(Path("SEEDS"), Path("INDEX"))),
            "exit_status": timing["returncode"],
            "output": (timing["stdout"].strip().splitlines() or [""])[-1][:500],
        }
        log(f"  {timing['seconds']:.1f} s, {docs / timing['seconds']:,.0f} docs/s, "
            f"peak {timing['peak_rss_mb']:.0f} MB")
    return builds


def measure_cold(systems: dict[str, System], work: Path, words: list[str], repeats: int) -> dict:
    logs = work / "logs"
    runs: dict[str, list[dict]] = {name: [] for name in systems}
    # one unmeasured run each: compiles .pyc files, fills the file cache
    for name, system in systems.items():
        measure.run_timed(system.cold_command(system.index_path(work), words[0]), logs,
                          f"cold-{name}-warmup", system.cold_ok)
    for i in range(repeats):  # round-robin, so a noisy moment hits every system alike
        word = words[i % len(words)]
        for name, system in systems.items():
            timing = measure.run_timed(system.cold_command(system.index_path(work), word), logs,
                                       f"cold-{name}-{i}", system.cold_ok)
            runs[name].append({"word": word, "seconds": timing["seconds"],
                               "peak_rss_mb": timing["peak_rss_mb"],
                               "output_lines": len(timing["stdout"].splitlines())})
    return {
        name: {
            "seconds_median": measure.median([r["seconds"] for r in rs]),
            "peak_rss_mb_median": measure.median([r["peak_rss_mb"] for r in rs]),
            "command": " ".join(systems[name].cold_command(Path("INDEX"), "WORD")),
            "runs": rs,
        }
        for name, rs in runs.items()
    }


def measure_incremental(
    searchkit: System, seeds_copy: Path, work: Path, full_seconds: float, seed: int
) -> dict:
    logs, index_path = work / "logs", searchkit.index_path(work)
    log("incremental: no-change `searchkit index`")
    no_change = measure.run_timed(searchkit.update_command(seeds_copy, index_path), logs, "update-no-change",
                                  searchkit.build_ok)
    added = corpus.add_new_articles(seeds_copy, NEW_ARTICLES, seed)
    log(f"incremental: `searchkit index` after adding {len(added)} articles")
    add = measure.run_timed(searchkit.update_command(seeds_copy, index_path), logs, "update-add",
                            searchkit.build_ok)
    searchkit.open(index_path)
    try:
        found = searchkit.count(f"headline:{corpus.NEW_ARTICLE_MARK}")
    finally:
        searchkit.close()
    check = f"{found} of {len(added)} new articles found" + ("" if found == len(added) else " (**mismatch**)")
    log(f"  {check}")
    return {
        "no_change": {"seconds": no_change["seconds"],
                      "pct_of_full": 100 * no_change["seconds"] / full_seconds,
                      "peak_rss_mb": no_change["peak_rss_mb"], "exit_status": no_change["returncode"],
                      "output": no_change["stdout"].strip()[-500:]},
        "add_100": {"added": len(added), "seconds": add["seconds"],
                    "pct_of_full": 100 * add["seconds"] / full_seconds,
                    "peak_rss_mb": add["peak_rss_mb"], "exit_status": add["returncode"], "check": check,
                    "found": found, "output": add["stdout"].strip()[-500:]},
    }


def run(args: argparse.Namespace) -> dict:
    systems = {name: get_system(name) for name in SYSTEM_NAMES if name in args.systems}
    for name, system in list(systems.items()):
        try:
            system.check_available()
        except SystemUnavailable as exc:
            if name in OPTIONAL and args.systems == list(SYSTEM_NAMES):
                log(f"leaving out {system.label}: {exc}")
                del systems[name]
                continue
            raise SystemExit(f"cannot benchmark {system.label}: {exc}") from None

    work = fresh_dir(args.work / "run")
    files = corpus.seed_files(args.seeds, args.limit_docs)
    if not files:
        raise SystemExit(f"no *.txt seed files in {args.seeds}")
    seeds_copy = work / "seeds-copy"
    log(f"copying {len(files):,} seed files to {display_path(seeds_copy)}")
    corpus.copy_seeds(files, seeds_copy)
    files = corpus.seed_files(seeds_copy)
    docs, size = len(files), corpus.total_bytes(files)

    log(f"drawing {args.queries} queries per kind (seed {args.seed})")
    query_set = generate(files, args.queries, args.seed)

    builds = measure_builds(systems, seeds_copy, work, docs, size)

    log("warm queries (each system in a process of its own)")
    processes = {name: measure.QueryProcess(name, system.index_path(work), args.snippets)
                 for name, system in systems.items()}
    try:
        queries = measure.time_queries(processes, query_set.queries)
    finally:
        for process in processes.values():
            process.close()
    for kind, label in KINDS.items():
        log(f"  {label:<20} p50 " + "  ".join(f"{n} {queries[n][kind]['p50']:.2f} ms" for n in systems))

    log(f"cold start: {args.cold_repeats} run(s) per system")
    cold_words = [spec.words[0] for spec in query_set.queries["word"]]
    cold = measure_cold(systems, work, cold_words, args.cold_repeats)

    incremental = None
    if "searchkit" in systems:
        incremental = measure_incremental(systems["searchkit"], seeds_copy, work,
                                          builds["searchkit"]["seconds"], args.seed)

    results = {
        "format": 1,
        "machine": measure.machine_info(),
        "corpus": {"seeds": display_path(args.seeds), "docs": docs, "bytes": size,
                   "limit_docs": args.limit_docs},
        "settings": {"quick": args.quick, "queries_per_kind": args.queries, "cold_repeats": args.cold_repeats,
                     "seed": args.seed, "snippets": args.snippets, "systems": list(systems),
                     "query_sample_docs": query_set.sample_docs, "query_word_pool": query_set.word_pool},
        "build": builds,
        "incremental": incremental,
        "queries": queries,
        "cold": cold,
        "query_examples": {kind: [describe(q) for q in specs[:3]]
                           for kind, specs in query_set.queries.items()},
    }
    results["ratios"] = report.compute_ratios(results)
    results["targets"] = report.compute_targets(results)
    results["tantivy_targets"] = report.compute_tantivy_targets(results)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.profile:
        from benchmarks import profiling

        path = profiling.profile(args, fresh_dir(args.work / "profile"), log)
        print(path)
        return 0
    try:
        results = run(args)
    except (measure.MeasurementError, SystemUnavailable) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    report.write(results, args.out, args.json)
    log(f"wrote {display_path(args.out)} and {display_path(args.json)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
