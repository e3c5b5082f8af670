"""What the news features cost: the same queries with and without a histogram, sorted recent, and collapsed
by story, per engine.

    python benchmarks/news.py                       # Reuters when it is there, both engines
    python benchmarks/news.py --queries 20 --engines whoosh --seeds seeds

Every query runs warm and in-process through ``Index.search`` (top 10 with snippets, as ``searchkit query``
asks), alternately without and with ``histogram="auto"`` (and ``sort="recent"``), several rounds; each
query's time is the median of its rounds, and a kind's ratio is the sum of those medians with the feature
over the sum without. Ratios from one run on one machine compare like with like even when the machine is
busy; the absolute times do not travel. Writes ``--out`` (markdown) and the JSON next to it. The seeds are
only read; indexes go under ``--work`` (kept, and brought up to date on the next run).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

REPO_ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path[0:0] = [str(REPO_ROOT)]

import searchkit  # noqa: E402
from benchmarks.measure import machine_info  # noqa: E402
from benchmarks.queries import generate  # noqa: E402
from benchmarks.systems.searchkit_system import query_string  # noqa: E402

DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpora" / "reuters21578"
KINDS = ("word", "two_words", "or", "phrase", "headline", "word_date", "date_range", "prefix")
#: The features measured, as options to Index.search on top of the plain query.
FEATURES: dict[str, dict[str, Any]] = {
    "histogram": {"histogram": "auto", "collapse": False},
    "histogram, no snippets": {"histogram": "auto", "snippets": False, "collapse": False},
    "sort recent": {"sort": "recent", "collapse": False},
    "collapse duplicates": {"collapse": True},
    "collapse duplicates, sort newest": {"collapse": True, "sort": "newest"},
}
#: Each feature's baseline: the same query with these options (every feature alone: not collapsed).
BASELINES: dict[str, dict[str, Any]] = {
    "histogram": {"collapse": False},
    "histogram, no snippets": {"snippets": False, "collapse": False},
    "sort recent": {"collapse": False},
    "collapse duplicates": {"collapse": False},
    "collapse duplicates, sort newest": {"collapse": False, "sort": "newest"},
}


def once_ms(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def measure_engine(index: searchkit.Index, queries: dict[str, list[str]], rounds: int) -> dict[str, Any]:
    """Per feature and kind: the summed median time without and with it, their ratio, and the median
    number of matches."""
    found: dict[str, Any] = {}
    for feature, options in FEATURES.items():
        base = BASELINES[feature]
        rows = {}
        for kind, texts in queries.items():
            without = with_ = 0.0
            totals = []
            for text in texts:
                index.search(text, **base)  # warm: readers, columns, caches
                index.search(text, **options)
                # Bound here to this query and its options: what is timed does not read the loop's variables.
                plain = functools.partial(index.search, text, **base)
                featured = functools.partial(index.search, text, **options)
                pairs = [(once_ms(plain), once_ms(featured))
                         for _ in range(rounds)]  # alternated, so a busy moment hits both alike
                without += statistics.median(a for a, _ in pairs)
                with_ += statistics.median(b for _, b in pairs)
                totals.append(index.search(text, limit=0, collapse=False).total)
            rows[kind] = {"ms_without": without / len(texts), "ms_with": with_ / len(texts),
                          "ratio": with_ / without, "median_matches": statistics.median(totals)}
        found[feature] = rows
    return found


def report(results: dict[str, Any], meta: dict[str, Any]) -> str:
    machine = meta["machine"]
    lines = ["# News features: cost against the query alone", "",
             f"{meta['articles']:,} articles ({meta['seeds']}), {meta['queries']} queries per kind, "
             f"{meta['rounds']} rounds each (median), top 10; {meta['cpus']} CPUs, load average "
             f"{meta['load']} at the start. Run `python benchmarks/news.py` to reproduce.", "",
             f"Machine: {machine['cpu']}, {machine['usable_cores']} usable cores, {machine['python']}, "
             f"commit {machine['git_commit']}, {machine['date']}.", ""]
    for feature in FEATURES:
        columns = " | ".join(f"{engine} alone | {engine} with | {engine} ratio" for engine in results)
        lines += [f"## {feature}", "", f"| kind | matches (median) | {columns} |",
                  "|---|---|" + "---|---|---|" * len(results)]
        for kind in KINDS + ("everything",):
            cells = []
            matches = ""
            for by_feature in results.values():
                row = by_feature[feature].get(kind)
                if row is None:
                    cells += ["", "", ""]
                    continue
                matches = f"{row['median_matches']:,.0f}"
                cells += [f"{row['ms_without']:.2f} ms", f"{row['ms_with']:.2f} ms", f"{row['ratio']:.2f}x"]
            lines.append(f"| {kind} | {matches} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_CORPUS if DEFAULT_CORPUS.is_dir()
                        else REPO_ROOT / "seeds")
    parser.add_argument("--engines", default="whoosh,tantivy")
    parser.add_argument("--queries", type=int, default=50, help="queries per kind (default 50)")
    parser.add_argument("--rounds", type=int, default=5, help="timed runs of each query (default 5)")
    parser.add_argument("--work", type=Path, default=REPO_ROOT / "benchmarks" / ".work" / "news")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "benchmarks" / "results" / "news.md")
    parser.add_argument("--seed", type=int, default=1987)
    args = parser.parse_args(argv)

    files = sorted(args.seeds.rglob("*.txt"))
    spec_set = generate(files, args.queries, args.seed)
    queries = {kind: [query_string(spec)[0] for spec in spec_set.queries[kind]] for kind in KINDS}
    queries["everything"] = ["*"]
    results: dict[str, Any] = {}
    for engine in args.engines.split(","):
        index = searchkit.Index(args.work / engine, engine=engine)
        report_ = index.update(args.seeds)
        print(f"[news] {engine}: {report_.summary()}", file=sys.stderr, flush=True)
        results[engine] = measure_engine(index, queries, args.rounds)
        index.close()
    meta = {"articles": len(files), "seeds": os.path.relpath(args.seeds, REPO_ROOT),
            "queries": args.queries, "rounds": args.rounds, "cpus": os.cpu_count(),
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg()), "machine": machine_info()}
    args.out.write_text(report(results, meta) + "\n", encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps({"meta": meta, "results": results}, indent=1) + "\n")
    print(report(results, meta))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
