"""The physical index's ``_meta``: searchkit's schema version on the cluster, and an alias searchkit did
not make refused, never overwritten (on the live test cluster)."""

from __future__ import annotations

import json
import urllib.request

import pytest

from conftest import write_seed

pytest.importorskip("opensearchpy", reason="the opensearch extra is not installed")

from test_opensearch_engine import (  # noqa: E402
    URL,
    cli,
    cluster_delete,
    cluster_get,
    index_name,  # noqa: F401 (a fixture)
    live,
    many_seeds,
    physical_indexes,
)

from searchkit.engines.opensearch import SCHEMA_VERSION  # noqa: E402


def cluster_put(path: str, body: dict) -> None:
    request = urllib.request.Request(f"{URL}{path}", data=json.dumps(body).encode(), method="PUT",
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=60).close()


def index_args(tmp_path, name: str) -> list[str]:
    return ["index", "--seeds", str(tmp_path / "seeds"), "--index", str(tmp_path / "index"), "--engine",
            "opensearch", "--index-name", name]


@live
def test_an_alias_on_an_index_searchkit_did_not_make_is_refused_and_left_alone(tmp_path, index_name):  # noqa: F811
    foreign = f"{index_name}-theirs"
    cluster_put(f"/{foreign}", {"aliases": {index_name: {}},
                                "mappings": {"properties": {"title": {"type": "text"}}}})
    try:
        many_seeds(tmp_path / "seeds", 5)
        done = cli(*index_args(tmp_path, index_name))
        assert done.exit_code == 2
        [line] = done.output.strip().splitlines()
        assert f"the alias {index_name} points at the index {foreign}, which searchkit did not make" in line
        assert list(cluster_get(f"/_alias/{index_name}")) == [foreign]
        assert physical_indexes(index_name) == [foreign]
    finally:
        cluster_delete(foreign)


@live
def test_the_schema_version_lives_in_the_index_and_another_one_asks_for_a_rebuild(tmp_path, index_name):  # noqa: F811
    many_seeds(tmp_path / "seeds", 5)
    assert cli(*index_args(tmp_path, index_name)).exit_code == 0
    [physical] = physical_indexes(index_name)
    mapping = cluster_get(f"/{physical}/_mapping")[physical]["mappings"]
    assert mapping["_meta"]["searchkit"]["schema_version"] == SCHEMA_VERSION
    assert mapping["_meta"]["searchkit"]["alias"] == index_name
    cluster_put(f"/{physical}/_mapping", {"_meta": {"searchkit": {"schema_version": SCHEMA_VERSION - 1}}})
    write_seed(tmp_path / "seeds", "wire/new", "2020-02-02", "Gold again", "Gold rose again.")
    done = cli("index", "--seeds", str(tmp_path / "seeds"), "--index", str(tmp_path / "index"))
    assert done.exit_code != 0
    [line] = done.output.strip().splitlines()
    assert f"schema version {SCHEMA_VERSION - 1}, this searchkit needs {SCHEMA_VERSION}" in line
    assert "--rebuild" in line
    rebuilt = cli("index", "--seeds", str(tmp_path / "seeds"), "--index", str(tmp_path / "index"),
                  "--rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert physical_indexes(index_name) != [physical]
