"""A node of the live test cluster stops in the middle of an ingest: the run finishes or fails with one
line naming what was not acknowledged, and the next run sends exactly what is missing (the count equals
the seeds). The node is stopped from the write's progress callback once a third of the seed files have
been prepared and their bulks handed to the senders, so the stop falls between the bulks, never racing
them. Every test starts the node again however it ends (skipped as tests/test_opensearch_cluster_faults.py
is, when the cluster's run script does not know the nodes)."""

from __future__ import annotations

import random
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional

import pytest

from conftest import write_seed

pytest.importorskip("opensearchpy", reason="the opensearch extra is not installed")

from test_opensearch_cluster_faults import node_urls, run_cluster  # noqa: E402
from test_opensearch_engine import (  # noqa: E402
    cluster_get,
    index_name,  # noqa: F401 (a fixture)
    live,
)

import searchkit  # noqa: E402

#: Seed files of the ingest the node stops in, and after how many prepared it stops.
NEW, STOP_AFTER = 3_000, 1_000
WORDS = ("gold silver copper crude wheat cocoa coffee sugar bank rate dollar yen franc port strike tariff "
         "shipping merger profit loss").split()


def generate(seeds: Path, start: int, count: int) -> None:
    """``count`` distinct articles (no two are near-duplicates), the same ones on every run."""
    rng = random.Random(start)
    for number in range(start, start + count):
        body = " ".join(f"{rng.choice(WORDS)}{rng.randrange(1000)}" for _ in range(40))
        write_seed(seeds, f"wire/{number:05d}", f"20{10 + number % 10}-0{1 + number % 9}-1{number % 10}",
                   f"Report {number} on {WORDS[number % len(WORDS)]}", f"{body}.")


class StopNode:
    """A progress callback that stops node ``n`` (once) when ``after`` seed files have been prepared."""

    def __init__(self, n: str, after: int) -> None:
        self.n, self.after = n, after
        self.stopped_at: Optional[int] = None

    def __call__(self, done: int, total: int) -> None:
        if self.stopped_at is None and done >= self.after:
            stopped = run_cluster("stop-node", self.n)
            assert stopped.returncode == 0, stopped.stderr
            self.stopped_at = done


def has_alias(url: str, alias: str) -> bool:
    try:
        urllib.request.urlopen(f"{url}/_alias/{alias}", timeout=60).close()
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return False
        raise
    return True


def count_on_cluster(alias: str) -> int:
    cluster_get(f"/{alias}/_refresh")
    return int(cluster_get(f"/{alias}/_count")["count"])


@live
@pytest.mark.parametrize("stopped", ["1", "2"])
def test_a_node_stopped_mid_update_loses_nothing_and_the_next_run_sends_only_what_is_missing(
        tmp_path, index_name, stopped):  # noqa: F811
    """The stopped node is the first of the --url list, or the other one."""
    urls = node_urls()
    other = "2" if stopped == "1" else "1"
    seeds = tmp_path / "seeds"
    generate(seeds, 0, 200)
    index = searchkit.open_index(tmp_path / "index", create=True, engine="opensearch",
                                 engine_options={"url": f"{urls[stopped]},{urls[other]}",
                                                 "index_name": index_name})
    index.update(seeds)
    cluster_get(f"/_cluster/health/{index_name}?wait_for_status=green&timeout=60s")
    generate(seeds, 200, NEW)
    stop = StopNode(stopped, STOP_AFTER)
    try:
        try:
            first = index.update(seeds, progress=stop, procs=2)
        except searchkit.SearchkitError as error:  # allowed: one line saying what was not acknowledged
            assert "\n" not in str(error) and "acknowledged" in str(error), str(error)
            missing = NEW
        else:
            assert all("refused by the search cluster" in str(problem) for problem in first.skipped)
            assert first.added == NEW - len(first.skipped)
            missing = len(first.skipped)
        assert stop.stopped_at is not None and stop.stopped_at < NEW  # it did stop in the middle
        assert len(index) == 200 + NEW - missing
    finally:
        back = run_cluster("up")
        assert back.returncode == 0, back.stderr
    cluster_get(f"/_cluster/health/{index_name}?wait_for_status=green&timeout=60s")
    second = index.update(seeds)
    assert (second.added, second.updated, second.removed, second.unchanged, second.skipped) == \
        (missing, 0, 0, 200 + NEW - missing, ())
    assert len(index) == count_on_cluster(index_name) == 200 + NEW
    assert index.search("report", limit=1).total == 200 + NEW  # every article, once
    index.close()


@live
@pytest.mark.parametrize("stopped", ["1", "2"])
def test_a_node_stopped_mid_build_fails_in_one_line_and_the_next_run_builds_it_all(
        tmp_path, index_name, stopped):  # noqa: F811
    """A first build loads its new index without replicas, so the stopped node takes its shards' only
    copies along: the build fails with one line (what was not acknowledged, or the replicas that cannot
    be placed), the alias is not made, and the next run builds every article once."""
    urls = node_urls()
    other = "2" if stopped == "1" else "1"
    seeds = tmp_path / "seeds"
    generate(seeds, 0, NEW)
    index = searchkit.Index(tmp_path / "index", engine="opensearch",
                            engine_options={"url": f"{urls[stopped]},{urls[other]}",
                                            "index_name": index_name})
    stop = StopNode(stopped, STOP_AFTER)
    try:
        with pytest.raises(searchkit.SearchkitError) as failed:
            index.update(seeds, progress=stop, procs=2)
        assert "\n" not in str(failed.value), str(failed.value)
        assert stop.stopped_at is not None and stop.stopped_at < NEW
        assert not (tmp_path / "index" / "CURRENT").exists()  # nothing published
        assert not has_alias(urls[other], index_name)
    finally:
        back = run_cluster("up")
        assert back.returncode == 0, back.stderr
    report = index.update(seeds)
    assert (report.added, report.rebuilt, report.skipped) == (NEW, True, ())
    assert len(index) == count_on_cluster(index_name) == NEW
    index.close()
