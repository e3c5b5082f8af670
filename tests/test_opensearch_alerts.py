"""Saved searches on the OpenSearch engine live in the cluster: the writer's host and hosts that only
follow the index (separate empty folders, in separate processes) list, add, remove and check the same
ones, and a folder's alerts.sqlite from before is moved there at the first write. On the live two-node
test cluster."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import REPO, write_seed

pytest.importorskip("opensearchpy", reason="the opensearch extra is not installed")

from test_opensearch_follow import URL, cli, delete, drop_alias, news  # noqa: E402

import searchkit  # noqa: E402
from searchkit.engines.opensearch.config import ALERTS_INDEX  # noqa: E402
from searchkit.news.alert_file import AlertFile  # noqa: E402
from searchkit.reports import AlertMatch, SavedSearch  # noqa: E402

pytestmark = pytest.mark.skipif(not URL, reason="SEARCHKIT_OPENSEARCH_URL is not set (tests/cluster/run up)")


def post(path: str, body: object) -> Any:
    request = urllib.request.Request(f"{URL}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


@pytest.fixture
def alias() -> Iterator[str]:
    name = f"sk-alerts-{uuid.uuid4().hex[:10]}"
    yield name
    drop_alias(name)
    try:
        found = post(f"/{ALERTS_INDEX}/_search", {"query": {"term": {"alias": name}}, "size": 10_000})
    except urllib.error.HTTPError:  # no alerts index
        return
    for hit in found["hits"]["hits"]:
        delete(f"/{ALERTS_INDEX}/_doc/{hit['_id']}")


def searchkit_json(folder: Path, *args: str, follow: str = "") -> tuple[int, Any]:
    """``searchkit ARGS --json`` in a process of its own; ``follow``: the alias to follow by --url."""
    more = ["--url", URL, "--index-name", follow] if follow else []
    done = subprocess.run([sys.executable, "-m", "searchkit", *args, "--index", str(folder), "--json", *more],
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def searchkit_text(folder: Path, *args: str, follow: str = "") -> subprocess.CompletedProcess[str]:
    more = ["--url", URL, "--index-name", follow] if follow else []
    return subprocess.run([sys.executable, "-m", "searchkit", *args, "--index", str(folder), *more],
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                          timeout=300)


def build(tmp_path: Path, alias: str) -> tuple[Path, Path]:
    seeds = news(tmp_path / "seeds")
    writer = tmp_path / "writer"
    done = cli("index", "--seeds", str(seeds), "--index", str(writer), "--engine", "opensearch", "--url", URL,
               "--index-name", alias)
    assert done.exit_code == 0, done.output
    return seeds, writer


def names(listed: Any) -> list[str]:
    return [saved["name"] for saved in listed["alerts"]]


def test_every_host_lists_adds_and_removes_the_same_saved_searches(tmp_path, alias):
    seeds, writer = build(tmp_path, alias)
    apps = [tmp_path / "app1", tmp_path / "app2"]
    assert cli("alert", "add", "gold watch", "gold -silver", "--index", str(writer)).exit_code == 0
    added = searchkit_text(apps[0], "alert", "add", "cocoa", "cocoa OR bahia", follow=alias)
    assert (added.returncode, added.stdout) == (0, "saved cocoa: cocoa OR bahia\n"), added.stderr
    listed = searchkit_json(writer, "alert", "list")
    assert names(listed[1]) == ["cocoa", "gold watch"]
    assert [searchkit_json(app, "alert", "list", follow=alias) for app in apps] == [listed, listed]
    again = searchkit_text(apps[1], "alert", "add", "gold watch", "gold", follow=alias)
    assert (again.returncode, again.stderr) == (
        2, "error: a saved search named 'gold watch' exists already (remove it first)\n")
    assert searchkit_text(apps[1], "alert", "remove", "cocoa", follow=alias).returncode == 0
    assert names(searchkit_json(writer, "alert", "list")[1]) == ["gold watch"]
    assert names(searchkit_json(apps[0], "alert", "list", follow=alias)[1]) == ["gold watch"]
    gone = searchkit_text(writer, "alert", "remove", "cocoa")
    assert (gone.returncode, gone.stderr) == (
        2, "error: no saved search named 'cocoa' ('searchkit alert list' shows them)\n")
    assert not (writer / "alerts.sqlite").exists()  # nothing of them in the writer's folder
    assert sorted(p.name for p in apps[0].iterdir()) == ["CURRENT", "gen-000001", "write.lock"]


def test_the_writers_new_matches_are_checked_once_from_any_host_as_on_an_embedded_index(tmp_path, alias):
    seeds, writer = build(tmp_path, alias)
    app1, app2 = tmp_path / "app1", tmp_path / "app2"
    saved = searchkit_text(app1, "alert", "add", "metals", "platinum OR palladium", follow=alias)
    assert saved.returncode == 0, saved.stderr
    local = tmp_path / "embedded"
    assert cli("index", "--seeds", str(seeds), "--index", str(local)).exit_code == 0
    assert cli("alert", "add", "metals", "platinum OR palladium", "--index", str(local)).exit_code == 0
    write_seed(seeds, "platinum", "2020-03-03", "Platinum slips", "Platinum slipped in Zurich.")
    write_seed(seeds, "palladium", "2020-03-04", "Palladium firm", "Palladium held its gains.")
    write_seed(seeds, "wheat", "2020-03-04", "Wheat steady", "Wheat was steady in Chicago.")
    done = cli("index", "--seeds", str(seeds), "--index", str(writer))
    assert done.exit_code == 0, done.output
    assert "alert metals: 2 new matches" in done.output
    assert cli("index", "--seeds", str(seeds), "--index", str(local)).exit_code == 0
    code, found = searchkit_json(app2, "alert", "check", follow=alias)
    expected = searchkit_json(local, "alert", "check")
    assert code == 0 and [m["id"] for m in found["alerts"]["metals"]] == ["palladium", "platinum"]
    assert [{k: v for k, v in m.items() if k != "found"} for m in found["alerts"]["metals"]] == \
        [{k: v for k, v in m.items() if k != "found"} for m in expected[1]["alerts"]["metals"]]
    assert searchkit_json(writer, "alert", "check") == (1, {"alerts": {"metals": []}})  # handed out once
    assert searchkit_json(app1, "alert", "check", follow=alias) == (1, {"alerts": {"metals": []}})


def test_two_hosts_checking_at_once_never_both_get_a_match(tmp_path, alias):
    seeds, writer = build(tmp_path, alias)
    index = searchkit.open_index(writer)
    index.add_alert("gold", "gold")
    for number in range(300):
        write_seed(seeds, f"more-{number:03d}", "2020-04-01", f"Gold note {number}", f"Gold moved {number}.")
    assert len(index.update(seeds).alerts["gold"]) == 300
    command = [sys.executable, "-m", "searchkit", "alert", "check", "--json", "--url", URL,
               "--index-name", alias]
    checks = [subprocess.Popen([*command, "--index", str(tmp_path / f"app{n}")], stdout=subprocess.PIPE,
                               env={**os.environ, "PYTHONPATH": str(REPO)}, text=True) for n in (1, 2)]
    got = [{m["id"] for m in json.loads(check.communicate(timeout=300)[0])["alerts"]["gold"]}
           for check in checks]
    assert got[0].isdisjoint(got[1])
    assert got[0] | got[1] == {f"more-{number:03d}" for number in range(300)}


def test_a_folders_saved_searches_move_into_the_cluster_at_the_first_write(tmp_path, alias):
    seeds, writer = build(tmp_path, alias)
    old = AlertFile(writer)  # what an earlier searchkit kept beside an OpenSearch index
    old.add(SavedSearch("cocoa", "cocoa", False, "2026-01-01T00:00:00+00:00"))
    old.add(SavedSearch("wire", '"london trading"', False, "2026-01-02T00:00:00+00:00"))
    old.record([AlertMatch("cocoa", "cocoa", dt.date(2020, 2, 26), "Bahia cocoa review",
                           "2026-01-03T00:00:00+00:00")])
    app = tmp_path / "app"
    assert names(searchkit_json(app, "alert", "list", follow=alias)[1]) == []  # not moved before a write
    write_seed(seeds, "cocoa-2", "2020-03-05", "Cocoa arrivals", "Cocoa arrivals rose in Bahia.")
    done = cli("index", "--seeds", str(seeds), "--index", str(writer))
    assert done.exit_code == 0, done.output
    assert "alert cocoa: 1 new match" in done.output
    assert not (writer / "alerts.sqlite").exists() and (writer / "alerts.sqlite.moved").exists()
    assert names(searchkit_json(app, "alert", "list", follow=alias)[1]) == ["cocoa", "wire"]
    code, found = searchkit_json(app, "alert", "check", follow=alias)
    assert (code, [m["id"] for m in found["alerts"]["cocoa"]], found["alerts"]["wire"]) == \
        (0, ["cocoa-2", "cocoa"], [])


def test_a_folders_saved_search_clashing_with_the_clusters_is_kept_and_named(tmp_path, alias):
    seeds, writer = build(tmp_path, alias)
    app = tmp_path / "app"
    assert searchkit_text(app, "alert", "add", "cocoa", "cocoa OR coffee", follow=alias).returncode == 0
    AlertFile(writer).add(SavedSearch("cocoa", "cocoa", False, "2026-01-01T00:00:00+00:00"))
    write_seed(seeds, "cocoa-2", "2020-03-05", "Cocoa arrivals", "Cocoa arrivals rose in Bahia.")
    done = searchkit_text(writer, "index", "--seeds", str(seeds))
    assert done.returncode == 0, done.stderr
    assert done.stderr == (f"warning: saved searches at {writer / 'alerts.sqlite'} are not moved into the "
                           "index: saved search 'cocoa' is 'cocoa' there, 'cocoa OR coffee' in the index; "
                           "remove one ('searchkit alert remove cocoa' removes the index's)\n")
    assert (writer / "alerts.sqlite").exists()
    assert searchkit_text(writer, "alert", "remove", "cocoa").returncode == 0  # the index's
    listed = searchkit_json(writer, "alert", "list")  # the file's moves in now
    assert [(s["name"], s["query"]) for s in listed[1]["alerts"]] == [("cocoa", "cocoa")]
    assert searchkit_json(app, "alert", "list", follow=alias) == listed
    assert not (writer / "alerts.sqlite").exists() and (writer / "alerts.sqlite.moved").exists()


def test_serve_on_a_follower_lists_the_saved_searches_of_the_writers_host(tmp_path, alias):
    pytest.importorskip("fastapi", reason="searchkit[serve] is not installed")
    from fastapi.testclient import TestClient

    from searchkit.index.following import follow
    from searchkit.serve import create_app

    seeds, writer = build(tmp_path, alias)
    searchkit.open_index(writer).add_alert("gold", "gold")
    follower = follow(tmp_path / "app", engine_options={"url": URL, "index_name": alias})
    with TestClient(create_app(searchkit.open_index(writer))) as mine, \
            TestClient(create_app(searchkit.open_index(follower))) as theirs:
        expected = mine.get("/api/alerts")
        assert expected.status_code == 200 and [s["name"] for s in expected.json()["alerts"]] == ["gold"]
        assert theirs.get("/api/alerts").json() == expected.json()
