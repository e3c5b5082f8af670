"""Collapsed queries against plain ones on one index, in one process (issue 29).

    python benchmarks/collapse_ratio.py INDEX_DIR [REPEATS]

Each query runs REPEATS times (default 3): every query plain, then every query collapsed, so that no
reader reuses a ranking of the other mode or of the same query; the minimum is printed, in ms, top 10,
no snippets, with collapsed / plain per query and over the sum.
Results: benchmarks/results/collapse-fastpath.md.
"""

from __future__ import annotations

import sys
import time

import searchkit

QUERIES = ["said", "oil", "market", "gold", "bank", "trade", "prices", "shares", "company", "dollar",
           "wheat", "stock", "rates", "profit", "exports", "oil prices", '"crude oil"', "headline:oil",
           "gold OR silver"]


def main(index_dir: str, repeats: int) -> None:
    index = searchkit.open_index(index_dir)
    best: dict[tuple[str, bool], float] = {}
    for _ in range(repeats):
        for collapse in (False, True):
            for query in QUERIES:
                started = time.perf_counter()
                index.search(query, collapse=collapse, snippets=False)
                took = time.perf_counter() - started
                best[(query, collapse)] = min(best.get((query, collapse), took), took)
    plain_sum = collapsed_sum = 0.0
    for query in QUERIES:
        plain, collapsed = best[(query, False)] * 1000, best[(query, True)] * 1000
        plain_sum, collapsed_sum = plain_sum + plain, collapsed_sum + collapsed
        print(f"{query:18s} plain {plain:8.2f} coll {collapsed:8.2f} ratio {collapsed / plain:5.2f}")
    print("sum ratio", round(collapsed_sum / plain_sum, 2))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3)
