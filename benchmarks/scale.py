"""How searchkit scales: both engines and SQLite FTS5 at 10k, 100k and 1M generated articles.

    python benchmarks/scale.py                              # 10k, 100k, 1M (hours; run it with nohup)
    python benchmarks/scale.py --sizes 10000,100000         # a shorter look
    python benchmarks/scale.py --sizes 300 --queries 5 --soak-queries 50 --out /tmp/s.md   # smoke test

For each size: generate (or reuse) the corpus (``scale_corpus.py``), build every system's index in a
fresh process (wall, peak RSS, size), time the warm query kinds of ``run.py`` (systems taking turns, each
in a process of its own), cold ``searchkit query``, a long-running searcher's memory over many queries,
and, for searchkit, a no-change ``searchkit index`` and one after 1% new files. Writes ``--out``
(markdown), the JSON beside it and a log-log plot (``--plot``). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as a script: import this folder as the `benchmarks` package
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import measure, scale_corpus, scale_report  # noqa: E402
from benchmarks.queries import KINDS, generate  # noqa: E402
from benchmarks.run import fresh_dir, log, measure_cold  # noqa: E402
from benchmarks.systems import REPO_ROOT as _ROOT  # noqa: E402
from benchmarks.systems import System, SystemUnavailable, child_env, get_system  # noqa: E402
from benchmarks.worker import encode_spec  # noqa: E402

SYSTEMS = ("searchkit", "searchkit_tantivy", "sqlite_fts5")
ENGINE_SYSTEMS = ("searchkit", "searchkit_tantivy")
#: Index bytes per byte of seed text, generously (measured: Whoosh 3.5, Tantivy 1.3, FTS5 2.0).
INDEX_BYTES_PER_TEXT_BYTE = {"searchkit": 4.5, "searchkit_tantivy": 2.0, "sqlite_fts5": 2.5}
MEAN_ARTICLE_BYTES = 1000  # generated articles average about 900 bytes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="corpus sizes, comma-separated")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help=f"some of {','.join(SYSTEMS)}")
    parser.add_argument("--source", type=Path, default=scale_corpus.DEFAULT_SOURCE,
                        help="seeds folder whose statistics the corpora follow")
    parser.add_argument("--seed", type=int, default=1987, help="corpus and query seed (default 1987)")
    parser.add_argument("--queries", type=int, default=200, help="warm queries per kind (default 200)")
    parser.add_argument("--cold-repeats", type=int, default=3, help="cold runs per system (default 3)")
    parser.add_argument("--soak-queries", type=int, default=10_000,
                        help="queries of the long-running searcher (default 10,000)")
    parser.add_argument("--soak-seconds", type=float, default=900,
                        help="stop the long-running searcher after this long (default 900)")
    parser.add_argument("--build-timeout", type=float, default=1800,
                        help="stop a full build after this many seconds and leave the system out at that "
                             "size (default 1800)")
    parser.add_argument("--work", type=Path, default=scale_corpus.DEFAULT_WORK,
                        help="corpora and indexes (default benchmarks/.work/scale)")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "benchmarks" / "results" / "scale.md",
                        help="markdown report, rewritten after every size; the JSON and the plot go next to "
                             "it, replacing the last run's (default: benchmarks/results/scale.md)")
    parser.add_argument("--note", default="", help="a line for the report (e.g. what else the machine ran)")
    args = parser.parse_args(argv)
    args.sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
    args.systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = [s for s in args.systems if s not in SYSTEMS]
    if unknown or not args.systems:
        parser.error(f"unknown system(s) {', '.join(unknown)}; expected some of {', '.join(SYSTEMS)}")
    args.work, args.out = args.work.resolve(), args.out.resolve()
    return args


def space_needed(args: argparse.Namespace) -> tuple[int, int]:
    """Bytes the run needs: corpora not generated yet, and the indexes of the largest size (each size's
    indexes are deleted before the next)."""
    corpora = sum(scale_corpus.space_needed(n, MEAN_ARTICLE_BYTES) for n in args.sizes
                  if scale_corpus.read_marker(corpus_dir(args, n)) is None)
    per_byte = sum(INDEX_BYTES_PER_TEXT_BYTE[s] for s in args.systems)
    indexes = int(max(args.sizes) * MEAN_ARTICLE_BYTES * per_byte * 1.1)
    return corpora, indexes


def corpus_dir(args: argparse.Namespace, articles: int) -> Path:
    return args.work / f"corpus-{articles}-s{args.seed}"


def check_space(args: argparse.Namespace) -> None:
    corpora, indexes = space_needed(args)
    args.work.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(args.work).free
    if free < corpora + indexes:
        raise SystemExit(f"error: the scale benchmark needs about {(corpora + indexes) / 1e9:.1f} GB free in "
                         f"{args.work} (corpora {corpora / 1e9:.1f} GB, indexes {indexes / 1e9:.1f} GB); "
                         f"{free / 1e9:.1f} GB is free. Free some space or choose smaller --sizes.")


def listing(root: Path) -> list[str]:
    """Every ``*.txt`` under ``root`` (relative paths), sorted."""
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        rel = os.path.relpath(folder, root)
        found.extend(os.path.join(rel, n) for n in names if n.endswith(".txt"))
    return sorted(found)


def link_extras(corpus: Path, extras: list[str]) -> None:
    """Hard-link the corpus's newer 1% into its seeds folder (same relative paths)."""
    for rel in extras:
        target = corpus / "seeds" / rel
        target.parent.mkdir(exist_ok=True)
        os.link(corpus / "extra" / rel, target)


def unlink_extras(corpus: Path, extras: list[str]) -> None:
    """Take them out again (also after an interrupted run), leaving the seeds as generated."""
    for rel in extras:
        target = corpus / "seeds" / rel
        if target.exists():
            target.unlink()
        try:
            target.parent.rmdir()  # a sub-folder that only the extras used
        except OSError:
            pass


def measure_incremental(system: System, corpus: Path, index: Path, extras: list[str], logs: Path,
                        expected: int) -> dict:
    seeds = corpus / "seeds"
    log(f"  {system.label}: no-change `searchkit index`")
    no_change = measure.run_timed(system.update_command(seeds, index), logs, f"update-none-{system.name}",
                                  system.build_ok)
    link_extras(corpus, extras)
    try:
        log(f"  {system.label}: `searchkit index` after {len(extras):,} new files")
        added = measure.run_timed(system.update_command(seeds, index), logs, f"update-add-{system.name}",
                                  system.build_ok)
    finally:
        unlink_extras(corpus, extras)
    count = int(subprocess.run([sys.executable, "-c", "import searchkit, sys; "
                                "print(len(searchkit.open_index(sys.argv[1])))", str(index)],
                               capture_output=True, text=True, env=child_env(), cwd=_ROOT, check=True).stdout)
    return {
        "no_change": {"seconds": no_change["seconds"], "peak_rss_mb": no_change["peak_rss_mb"],
                      "output": no_change["stdout"].strip()[-300:]},
        "add_1pct": {"files": len(extras), "seconds": added["seconds"], "peak_rss_mb": added["peak_rss_mb"],
                     "output": added["stdout"].strip()[-300:], "articles_after": count,
                     "check": "ok" if count == expected else f"expected {expected:,}, index holds {count:,}"},
    }


def soak(system: System, index: Path, specs: list, args: argparse.Namespace, work: Path) -> dict:
    queries_file = work / "soak-queries.json"
    queries_file.write_text(json.dumps([encode_spec(s) for s in specs]))
    proc = subprocess.run([sys.executable, "-m", "benchmarks.soak", system.name, str(index),
                           str(queries_file),
                           str(args.soak_queries), str(args.soak_seconds)],
                          capture_output=True, text=True, env=child_env(), cwd=_ROOT)
    if proc.returncode != 0:
        raise measure.MeasurementError(f"soak {system.name}: {proc.stderr.strip()[-800:]}")
    return json.loads(proc.stdout)


def read_every_file(files: list[Path]) -> None:
    """Read each seed file once before the builds, so that the operating system holds them all in its
    cache (when memory allows) and no build is measured reading them from disk while the next finds them
    cached: the build measured first in a run otherwise paid for the disk alone."""
    started = time.perf_counter()
    for path in files:
        with open(path, "rb") as handle:
            handle.read()
    log(f"  read every seed file once (into the OS cache): {time.perf_counter() - started:.1f} s")


def run_size(args: argparse.Namespace, articles: int, systems: dict[str, System]) -> dict:
    corpus = corpus_dir(args, articles)
    marker = scale_corpus.generate(scale_corpus.Plan(articles, args.seed, args.source), corpus,
                                   log=lambda m: log(f"  {m}"))
    extras = listing(corpus / "extra")
    unlink_extras(corpus, extras)  # left linked by an interrupted run
    files = [corpus / "seeds" / rel for rel in listing(corpus / "seeds")]
    if len(files) != articles:
        raise SystemExit(f"error: {corpus} holds {len(files):,} seed files, not {articles:,}")
    work = fresh_dir(args.work / f"run-{articles}")
    logs = work / "logs"
    query_set = generate(files, args.queries, args.seed)
    read_every_file(files)
    del files

    builds: dict[str, dict] = {}
    for name, system in list(systems.items()):
        log(f"  full build: {system.label}")
        index = system.index_path(work)
        try:
            timing = measure.run_timed(system.build_command(corpus / "seeds", index), logs, f"build-{name}",
                                       system.build_ok, timeout=args.build_timeout)
        except measure.MeasurementTimeout:
            log(f"    stopped after {args.build_timeout:.0f} s: left out at this size")
            builds[name] = {"timed_out": True, "seconds": args.build_timeout}
            shutil.rmtree(index if index.is_dir() else index.parent, ignore_errors=True)
            systems = {n: s for n, s in systems.items() if n != name}
            continue
        builds[name] = {"seconds": timing["seconds"], "cpu_seconds": timing["cpu_seconds"],
                        "docs_per_s": articles / timing["seconds"], "peak_rss_mb": timing["peak_rss_mb"],
                        "index_mb": measure.disk_size(index) / 1e6,
                        "output": (timing["stdout"].strip().splitlines() or [""])[-1][:300]}
        log(f"    {timing['seconds']:.1f} s, {articles / timing['seconds']:,.0f} articles/s, "
            f"peak {timing['peak_rss_mb']:,.0f} MB, index {builds[name]['index_mb']:,.0f} MB")

    log("  warm queries")
    processes = {name: measure.QueryProcess(name, system.index_path(work), False)
                 for name, system in systems.items()}
    try:
        queries = measure.time_queries(processes, query_set.queries)
    finally:
        for process in processes.values():
            process.close()
    for kind, label in KINDS.items():
        log(f"    {label:<22} p50 " + "  ".join(f"{n} {queries[n][kind]['p50']:.2f} ms" for n in systems))

    log(f"  cold query: {args.cold_repeats} run(s) per system")
    cold = measure_cold(systems, work, [s.words[0] for s in query_set.queries["word"]], args.cold_repeats)

    mixed = [spec for i in range(args.queries) for kind in KINDS
             for spec in query_set.queries[kind][i:i + 1]]
    soaked = {}
    for name, system in systems.items():
        log(f"  long-running searcher: {system.label}")
        soaked[name] = soak(system, system.index_path(work), mixed, args, work)
        log(f"    {soaked[name]['queries']:,} queries in {soaked[name]['seconds']:.0f} s, "
            f"RSS {soaked[name]['rss_open_mb']:.0f} MB open, {soaked[name]['rss_end_mb']:.0f} MB at the end")

    incremental = {}
    for name in (n for n in ENGINE_SYSTEMS if n in systems):
        incremental[name] = measure_incremental(systems[name], corpus, systems[name].index_path(work),
                                                extras, logs, articles + len(extras))
        log(f"    no change {incremental[name]['no_change']['seconds']:.1f} s, "
            f"+1% {incremental[name]['add_1pct']['seconds']:.1f} s "
            f"({incremental[name]['add_1pct']['check']})")

    for system in systems.values():  # the next size needs the space
        index = system.index_path(work)
        shutil.rmtree(index if index.is_dir() else index.parent, ignore_errors=True)
    return {"articles": articles, "corpus": {"path": str(corpus), "bytes": marker["bytes"],
                                             "extra": marker["extra"],
                                             "generated_seconds": marker.get("seconds")},
            "build": builds, "queries": queries, "cold": cold, "soak": soaked, "incremental": incremental,
            "query_pool": query_set.word_pool}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    check_space(args)
    systems: dict[str, System] = {}
    for name in args.systems:
        system = get_system(name)
        try:
            system.check_available()
        except SystemUnavailable as exc:
            raise SystemExit(f"error: cannot benchmark {system.label}: {exc}") from None
        systems[name] = system
    results = {"format": 1, "machine": measure.machine_info(), "note": args.note,
               "settings": {"sizes": args.sizes, "systems": args.systems, "seed": args.seed,
                            "queries_per_kind": args.queries, "cold_repeats": args.cold_repeats,
                            "soak_queries": args.soak_queries, "soak_seconds": args.soak_seconds,
                            "source": str(args.source)},
               "sizes": {}}
    load_before = os.getloadavg()
    for articles in args.sizes:
        log(f"{articles:,} articles")
        started = time.monotonic()
        try:
            results["sizes"][str(articles)] = run_size(args, articles, systems)
        except (measure.MeasurementError, scale_corpus.CorpusError) as exc:
            print(f"scale benchmark failed at {articles:,} articles: {exc}", file=sys.stderr)
            return 1
        results["sizes"][str(articles)]["seconds"] = time.monotonic() - started
        results["load_average_before"] = load_before
        scale_report.write(results, args.out)  # after every size: a long run keeps what it measured
        log(f"  wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
