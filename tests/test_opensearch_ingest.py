"""Fast ingest on the OpenSearch engine: analysis in worker processes, several bulks in flight, and a
rebuild loaded without replicas that takes the alias only once its replicas are there (green).

The first tests use a fake cluster (no cluster needed); the ``live`` ones run on the test cluster.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

pytest.importorskip("opensearchpy", reason="the opensearch extra is not installed")

from test_opensearch_engine import (  # noqa: E402
    cli,
    cluster_get,
    index_name,  # noqa: F401 (a fixture)
    live,
    many_seeds,
    physical_indexes,
)

import searchkit  # noqa: E402
from searchkit.articles import SeedFile, scan_seeds  # noqa: E402
from searchkit.engines.opensearch import bulk, config  # noqa: E402
from searchkit.engines.opensearch.writer import OpenSearchWriter  # noqa: E402
from searchkit.errors import EngineUnreachableError  # noqa: E402

from conftest import write_seed


class BulkCluster:
    """Answers bulks as a cluster would, from any thread: refuses the articles whose id has "bad"."""

    url = "http://fake:9200"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids: list[str] = []

    def call(self, method: str, path: str, *, body: Any = None, **_: Any) -> Any:
        assert path.endswith("/_bulk"), path
        lines = body.splitlines()
        actions = [json.loads(line) for line in lines[::2]]
        with self.lock:
            self.ids.extend(action["index"]["_id"] for action in actions)
        return {"items": [{"index": {"status": 400, "error": {"type": "mapper_parsing_exception",
                                                                "reason": "too long"}}}
                          if "bad" in action["index"]["_id"] else {"index": {"status": 201}}
                          for action in actions]}


def seed_files(folder, count: int) -> list[SeedFile]:
    many_seeds(folder, count)
    write_seed(folder, "wire/bad", "2015-01-02", "Gold", "Gold rose.")
    found, problems = scan_seeds(folder)
    assert problems == []
    return found


def test_many_seed_files_go_through_worker_processes_each_sent_once_refused_ones_named(tmp_path):
    folder = tmp_path / "gen-000001"
    folder.mkdir()
    config.write(folder, config.Location(BulkCluster.url, "a", "a-1", 2, 1, 1))
    seeds = seed_files(tmp_path / "seeds", 1_500)
    cluster = BulkCluster()
    writer = OpenSearchWriter(cluster, folder)  # type: ignore[arg-type]
    outcome = writer.write_seeds(seeds, known_digests={}, max_bytes=1 << 20, progress=None, workers=2)
    assert sorted(cluster.ids) == sorted(seed.id for seed in seeds)
    assert len(outcome.indexed) == 1_500 and "wire/bad" not in outcome.indexed
    assert len(outcome.signatures) == 1_500
    [skipped] = outcome.skipped
    assert skipped.path.name == "bad.txt" and "refused by the search cluster" in str(skipped)


def test_bulks_are_in_flight_at_once_over_every_stream():
    arrived = threading.Barrier(3, timeout=10)  # broken (and the test failed) unless three wait together

    def send(lines: Any) -> dict[str, str]:
        arrived.wait()
        return {line.article_id: "refused" for line in lines if line.article_id.startswith("x")}

    streams = bulk.Streams(send, streams=3)
    for name in ("a", "b", "x"):
        streams.send_later([bulk.delete_line(name)])
    assert streams.finish() == {"x": "refused"}


def test_the_first_failed_bulk_stops_the_streams_and_is_raised():
    sent: list[str] = []

    def send(lines: Any) -> dict[str, str]:
        sent.append(lines[0].article_id)
        raise EngineUnreachableError("http://fake:9200", "connection refused")

    streams = bulk.Streams(send, streams=1)
    with pytest.raises(EngineUnreachableError):
        for name in "abcdefgh":
            streams.send_later([bulk.delete_line(name)])
        streams.finish()
    assert len(sent) < 8


# -- on the test cluster ---------------------------------------------------------------------------

def replicas_of(physical: str) -> int:
    settings = cluster_get(f"/{physical}/_settings/index.number_of_replicas")
    return int(settings[physical]["settings"]["index"]["number_of_replicas"])


@live
def test_a_rebuild_of_many_files_takes_the_alias_with_its_replicas_green(tmp_path, index_name):  # noqa: F811
    seeds, folder = tmp_path / "seeds", tmp_path / "index"
    many_seeds(seeds, 1_200)
    done = cli("index", "--seeds", str(seeds), "--index", str(folder), "--engine", "opensearch",
               "--index-name", index_name, "--rebuild")
    assert done.exit_code == 0, done.output
    [physical] = physical_indexes(index_name)
    assert list(cluster_get(f"/_alias/{index_name}")) == [physical]
    assert replicas_of(physical) == 1
    assert cluster_get(f"/_cluster/health/{physical}")["status"] == "green"
    with searchkit.open_index(folder) as index:
        assert index.stats().articles == 1_200
        assert index.search("gold").total == 1_200
        assert index.search('"report 1199"').total == 1


@live
def test_a_rebuild_wanting_more_replicas_than_nodes_leaves_the_alias_and_no_new_index(
        tmp_path, index_name, monkeypatch):  # noqa: F811
    seeds, folder = tmp_path / "seeds", tmp_path / "index"
    many_seeds(seeds, 20)
    args = ["index", "--seeds", str(seeds), "--index", str(folder), "--engine", "opensearch",
            "--index-name", index_name]
    assert cli(*args).exit_code == 0
    [before] = physical_indexes(index_name)
    monkeypatch.setenv("SEARCHKIT_OPENSEARCH_REPLICAS", "2")
    done = cli(*args, "--rebuild")
    assert done.exit_code != 0
    [line] = done.output.strip().splitlines()
    assert "wants 2 replica(s)" in line and "needs 3 data nodes; the cluster has 2" in line
    assert f"the alias {index_name} was not moved" in line
    assert physical_indexes(index_name) == [before]
    assert list(cluster_get(f"/_alias/{index_name}")) == [before]
    with searchkit.open_index(folder) as index:
        assert index.search("gold").total == 20
