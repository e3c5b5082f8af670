"""A long-running searcher: one system answers many queries in this fresh process, and reports how its
memory grows (resident set from ``/proc/self/status``; psutil is not needed for one number on Linux).

Usage: python -m benchmarks.soak SYSTEM INDEX_PATH QUERIES_JSON COUNT MAX_SECONDS
    QUERIES_JSON holds a list of encoded query specs (see ``benchmarks.worker.encode_spec``); they are
    cycled through until COUNT queries ran or MAX_SECONDS passed. Prints one JSON object.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from benchmarks.systems import get_system
from benchmarks.worker import decode_spec

#: Resident memory is also read after this many queries: the searcher's warm size, caches filled.
WARM_AFTER = 1000


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident set size now (or another field of ``/proc/self/status``: ``RssAnon`` is the
    memory it allocated, ``RssFile`` the pages of mapped files, such as an index, that it touched), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError(f"no {field} in /proc/self/status")


def soak(name: str, index_path: Path, specs: list, count: int, max_seconds: float) -> dict:
    system = get_system(name)
    before = rss_mb()
    system.open(index_path)
    opened = rss_mb()
    warm = None
    started = time.perf_counter()
    done = 0
    try:
        while done < count and time.perf_counter() - started < max_seconds:
            system.run_query(decode_spec(specs[done % len(specs)]))
            done += 1
            if done == WARM_AFTER:
                warm = rss_mb()
    finally:
        end, anon, mapped = rss_mb(), rss_mb("RssAnon"), rss_mb("RssFile")
        system.close()
    return {"queries": done, "seconds": time.perf_counter() - started, "rss_start_mb": before,
            "rss_open_mb": opened, "rss_warm_mb": warm, "rss_end_mb": end, "rss_end_anon_mb": anon,
            "rss_end_file_mb": mapped, "growth_after_warm_mb": (end - warm) if warm is not None else None}


def main(argv: list[str]) -> int:
    if len(argv) != 6:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    _, name, index_path, queries, count, max_seconds = argv
    specs = json.loads(Path(queries).read_text())
    print(json.dumps(soak(name, Path(index_path), specs, int(count), float(max_seconds))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
