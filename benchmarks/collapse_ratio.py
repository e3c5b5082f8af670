"""Collapsed queries against plain ones on one index, per query kind, in one process (issue 29).

    python benchmarks/collapse_ratio.py INDEX_DIR SEEDS_DIR [--queries N] [--seed S]

The queries are ``benchmarks/queries.py``'s, N distinct ones per kind drawn from SEEDS_DIR as the scale
benchmark draws them, and 20 of the commonest news words as a kind of their own. Each is asked once plain
and once collapsed, as distinct queries reach a server: a reader keeps what it computed for a query it
answered (its compiled form, ranking and collapsed count), so a query asked again would measure that
cache, not the search. Plain and collapsed run on two separate openings of the index, each warmed first
by 20 queries of every kind that are not timed, alternating query by query so that a busy moment hits
both alike. Prints per kind the p50 and p99 in ms (top 10, no snippets) and collapsed / plain; results:
benchmarks/results/collapse-fastpath.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):
    sys.path[0:0] = [str(REPO_ROOT)]

import searchkit  # noqa: E402
from benchmarks.queries import KINDS, generate  # noqa: E402
from benchmarks.systems.searchkit_system import query_string  # noqa: E402

WARM_UP = 20
#: Words most articles of a news archive hold, asked once each as a kind of their own: what collapsing
#: costs most for (every match's story counted).
COMMON_WORDS = ["said", "oil", "market", "bank", "trade", "prices", "shares", "company", "dollar", "stock",
                "rates", "profit", "exports", "year", "pct", "billion", "government", "week", "sales", "new"]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index_dir")
    parser.add_argument("seeds_dir", type=Path)
    parser.add_argument("--queries", type=int, default=100, help="timed queries per kind (default 100)")
    parser.add_argument("--seed", type=int, default=1987)
    args = parser.parse_args()
    specs = generate(sorted(args.seeds_dir.rglob("*.txt")), WARM_UP + args.queries, args.seed).queries
    plain_index, collapsed_index = searchkit.open_index(args.index_dir), searchkit.open_index(args.index_dir)
    print(f"{'kind':24s} {'plain p50':>9s} {'coll p50':>9s} {'ratio':>6s}   {'plain p99':>9s} "
          f"{'coll p99':>9s} {'ratio':>6s}")
    kinds = {**KINDS, "common": "common word"}
    for kind in kinds:
        asked = ([query_string(spec) for spec in specs[kind]] if kind in KINDS
                 else [(word, "relevance") for word in ["the"] * WARM_UP + COMMON_WORDS])
        times: dict[bool, list[float]] = {False: [], True: []}
        for number, (text, sort) in enumerate(asked):
            for collapse, index in ((False, plain_index), (True, collapsed_index)):
                started = time.perf_counter()
                index.search(text, sort=sort, collapse=collapse, snippets=False)
                if number >= WARM_UP:
                    times[collapse].append((time.perf_counter() - started) * 1000)
        p50 = [statistics.median(times[c]) for c in (False, True)]
        p99 = [percentile(times[c], 0.99) for c in (False, True)]
        print(f"{kinds[kind]:24s} {p50[0]:9.2f} {p50[1]:9.2f} {p50[1] / p50[0]:6.2f}   {p99[0]:9.2f} "
              f"{p99[1]:9.2f} {p99[1] / p99[0]:6.2f}")
    plain_index.close()
    collapsed_index.close()


if __name__ == "__main__":
    main()
