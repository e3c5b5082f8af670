"""Run one system's work in this fresh process, so the caller can time it and read its peak memory
alone, and so no two systems ever share an interpreter (a library one system imports cannot change
another's behaviour).

Usage:
    python -m benchmarks.worker build SYSTEM SEEDS_DIR INDEX_PATH     prints the build's counts as JSON
    python -m benchmarks.worker queries SYSTEM INDEX_PATH [--snippets]
        then, on stdin, one JSON line per batch: {"kind": ..., "queries": [[words], since, until], ...}
        answers one JSON line per batch: {"millis": [...], "hits": [...], "totals": [...]}
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

from benchmarks.queries import QuerySpec
from benchmarks.systems import get_system


def encode_spec(spec: QuerySpec) -> list:
    return [spec.kind, list(spec.words), spec.since and spec.since.isoformat(),
            spec.until and spec.until.isoformat()]


def decode_spec(value: list) -> QuerySpec:
    kind, words, since, until = value
    return QuerySpec(kind, tuple(words), since and dt.date.fromisoformat(since),
                     until and dt.date.fromisoformat(until))


def serve_queries(name: str, index_path: Path, snippets: bool) -> None:
    system = get_system(name)
    system.open(index_path, snippets=snippets)
    try:
        for line in sys.stdin:
            specs = [decode_spec(value) for value in json.loads(line)["queries"]]
            millis, hits, totals = [], [], []
            for spec in specs:
                start = time.perf_counter()
                try:
                    answer = system.run_query(spec)
                except Exception as exc:  # noqa: BLE001 - reported to the parent, which names the query
                    failure = {"error": f"{type(exc).__name__}: {exc}", "query": repr(spec)}
                    print(json.dumps(failure), flush=True)
                    return
                millis.append((time.perf_counter() - start) * 1000)
                hits.append(answer.hits)
                totals.append(answer.total)
            print(json.dumps({"millis": millis, "hits": hits, "totals": totals}), flush=True)
    finally:
        system.close()


def main(argv: list[str]) -> int:
    if len(argv) == 5 and argv[1] == "build":
        _, _, name, seeds_dir, index_path = argv
        counts = get_system(name).build(Path(seeds_dir), Path(index_path))
        print(json.dumps(counts))
        return 0
    if len(argv) in (4, 5) and argv[1] == "queries":
        serve_queries(argv[2], Path(argv[3]), snippets=argv[4:] == ["--snippets"])
        return 0
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
