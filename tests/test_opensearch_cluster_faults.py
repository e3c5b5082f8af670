"""A node of the live test cluster stops while searchkit searches through a list of both nodes' URLs.

Skipped unless SEARCHKIT_OPENSEARCH_URL is set and the cluster's ``run`` script (this checkout's
``tests/cluster/run``, or the one ``SEARCHKIT_CLUSTER_RUN`` names: the checkout that started the
cluster keeps its state) knows both nodes. Every test starts the node it stopped again, however it ends:
other tests may be using the cluster.
"""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

import pytest

from conftest import REPO

pytest.importorskip("opensearchpy", reason="the opensearch extra is not installed")

from test_opensearch_engine import (  # noqa: E402
    URL,
    cluster_get,
    index_name,  # noqa: E402, F401 (a fixture)
    live,
    many_seeds,
)

import searchkit  # noqa: E402

RUN = Path(os.environ.get("SEARCHKIT_CLUSTER_RUN") or REPO / "tests" / "cluster" / "run")
QUERIES = ["gold", '"silver and copper"', "rep*", "gold -silver", "prices date:2015"]


def run_cluster(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(RUN), *args], capture_output=True, text=True, timeout=240)


def node_urls() -> dict[str, str]:
    urls = {}
    for n in ("1", "2"):
        done = run_cluster("url", n) if RUN.exists() else None
        if done is None or done.returncode != 0:
            pytest.skip(f"{RUN} does not know the test cluster's nodes (set SEARCHKIT_CLUSTER_RUN)")
        urls[n] = done.stdout.strip()
    if URL not in urls.values():
        pytest.skip(f"SEARCHKIT_OPENSEARCH_URL is not a node of the cluster {RUN} started")
    return urls


def answers(index: searchkit.Index, query: str) -> list[tuple[str, object]]:
    return [(hit.id, hit.date) for hit in index.search(query, limit=200, sort="newest")]


@live
@pytest.mark.parametrize("stopped", ["1", "2"])
def test_searches_keep_answering_whichever_node_stops_even_the_one_given_first(
        tmp_path, index_name, stopped):  # noqa: F811
    """The node stopped is the first URL of the list the index was given; searches run in a loop while
    it stops, none fails, and with it stopped searches and an update still work."""
    urls = node_urls()
    other = "2" if stopped == "1" else "1"
    seeds = tmp_path / "seeds"
    many_seeds(seeds, 200)
    index = searchkit.open_index(tmp_path / "index", create=True, engine="opensearch",
                                 engine_options={"url": f"{urls[stopped]},{urls[other]}",
                                                 "index_name": index_name})
    index.update(seeds)
    cluster_get(f"/_cluster/health/{index_name}?wait_for_status=green&timeout=60s")
    expected = {query: answers(index, query) for query in QUERIES}
    done = threading.Event()
    stopping = threading.Thread(target=lambda: (run_cluster("stop-node", stopped), done.set()))
    failed: list[str] = []
    try:
        stopping.start()
        while not done.is_set():
            for query in QUERIES:
                try:
                    assert answers(index, query) == expected[query]
                except searchkit.SearchkitError as error:
                    failed.append(f"{query}: {error}")
        stopping.join()
        assert failed == []
        health = run_cluster("status")
        assert '"number_of_nodes":1' in health.stdout.replace(" ", ""), health.stdout + health.stderr
        for _ in range(5):
            for query in QUERIES:
                assert answers(index, query) == expected[query]
        many_seeds(seeds, 5, start=200)
        report = index.update(seeds)
        assert (report.added, report.unchanged) == (5, 200)
        assert index.search("gold").total == 205
    finally:
        stopping.join()
        back = run_cluster("up")
        assert back.returncode == 0, back.stderr
    index.close()
