"""What the reading pages cost: the article, story and 404 pages and the news API, in-process.

    python benchmarks/reading_pages.py INDEX [INDEX ...]

Each index (built beforehand with ``searchkit index``, on any engine) is served by FastAPI's TestClient;
every URL is asked once to warm up, then ``--repeat`` times; the median and the slowest are printed in
milliseconds. The story is the index's largest, the article the first hit for "cocoa". It needs
searchkit[serve]. Compare engines within one run: figures from other machines or runs do not compare.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("indexes", nargs="+", type=Path)
    parser.add_argument("--repeat", type=int, default=15)
    arguments = parser.parse_args()
    from fastapi.testclient import TestClient

    import searchkit
    from searchkit.serve import create_app

    for path in arguments.indexes:
        index = searchkit.open_index(path)
        largest = index.duplicates(limit=1)
        story = largest[0].articles[0].id if largest else index.search("*", limit=1).hits[0].id
        article = index.search("cocoa", limit=1).hits[0].id
        urls = {
            "results q=yen bills": "/?q=yen+bills",
            "article": f"/articles/{article}",
            "article from a search": f"/articles/{article}?q=cocoa&at=1",
            f"story ({len(largest[0]) if largest else 1} versions)": f"/stories/{story}",
            "404 with suggestions": "/articles/0318x",
            "api/stories": f"/api/stories/{story}",
            "api/related": f"/api/related/{article}",
            "api/duplicates": "/api/duplicates",
        }
        print(f"## {path} ({index.engine}, {len(index):,} articles)")
        with TestClient(create_app(index)) as client:
            for name, url in urls.items():
                client.get(url)
                times = []
                for _ in range(arguments.repeat):
                    started = time.perf_counter()
                    status = client.get(url).status_code
                    times.append((time.perf_counter() - started) * 1000)
                print(f"{name:26s} {status}  median {statistics.median(times):7.1f} ms  "
                      f"slowest {max(times):7.1f} ms")


if __name__ == "__main__":
    main()
