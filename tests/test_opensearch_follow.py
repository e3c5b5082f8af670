"""Followers: hosts with only the cluster's URL and the index name search, show, count and serve what
the writer's host does, on the live two-node test cluster. Separate empty index folders, in separate
processes, stand for separate application servers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner

from conftest import REPO, write_seed

pytest.importorskip("opensearchpy", reason="the opensearch extra is not installed")

import searchkit  # noqa: E402
from searchkit.cli.commands import main  # noqa: E402
from searchkit.engines.opensearch.config import STATE_INDEX  # noqa: E402
from searchkit.index.following import follow  # noqa: E402

URL = os.environ.get("SEARCHKIT_OPENSEARCH_URL", "").split(",")[0].rstrip("/")
pytestmark = pytest.mark.skipif(not URL, reason="SEARCHKIT_OPENSEARCH_URL is not set (tests/cluster/run up)")
WIRE = ("Gold prices rose sharply in London trading on {day} as the dollar fell against the major "
        "currencies and investors looked for safety before the central bank's meeting.")


def delete(path: str) -> None:
    try:
        urllib.request.urlopen(urllib.request.Request(f"{URL}{path}", method="DELETE"), timeout=60).close()
    except urllib.error.HTTPError:
        pass


def drop_alias(name: str) -> None:
    """Delete the physical indexes behind alias ``name`` and its state document."""
    with urllib.request.urlopen(f"{URL}/_cat/indices/{name}-*?format=json&h=index", timeout=60) as answer:
        for index in json.loads(answer.read()):
            delete(f"/{index['index']}")
    delete(f"/{STATE_INDEX}/_doc/{name}")


@pytest.fixture
def alias() -> Iterator[str]:
    name = f"sk-follow-{uuid.uuid4().hex[:10]}"
    yield name
    drop_alias(name)


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def news(folder: Path) -> Path:
    """Three rewrites of one wire story (one story when collapsed), and other gold news."""
    for number, day in enumerate(("Monday", "Monday morning", "Monday afternoon")):
        write_seed(folder, f"wire-{number}", "2020-03-02", "Gold rises sharply in London",
                   WIRE.format(day=day))
    for number in range(8):
        write_seed(folder, f"gold-{number}", f"2020-0{1 + number % 9}-1{number}", f"Gold report {number}",
                   f"Gold and silver moved {number} points; miners number {number * 7} said little.")
    write_seed(folder, "cocoa", "2020-02-26", "Bahia cocoa review", "Showers continued in the cocoa zone.")
    return folder


def run(folder: Path, *args: str) -> Any:
    """``searchkit ARGS --json`` in a process of its own with the index folder ``folder``."""
    done = subprocess.run([sys.executable, "-m", "searchkit", *args, "--index", str(folder), "--json"],
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def writer_host(tmp_path: Path, alias: str) -> tuple[Path, Path]:
    seeds = news(tmp_path / "seeds")
    folder = tmp_path / "writer"
    done = cli("index", "--seeds", str(seeds), "--index", str(folder), "--engine", "opensearch", "--url", URL,
               "--index-name", alias)
    assert done.exit_code == 0, done.output
    return seeds, folder


def test_two_followers_with_empty_folders_answer_as_the_writers_host(tmp_path, alias):
    seeds, writer = writer_host(tmp_path, alias)
    follow_args = ("--url", URL, "--index-name", alias)
    for query in (["gold"], ["--sort", "newest", "gold"], ["cocoa OR wire"], ["--no-collapse", "gold"]):
        expected = run(writer, "query", *query)
        answers = [run(tmp_path / f"app{n}", "query", *query, *follow_args) for n in (1, 2)]
        assert answers == [expected, expected]
    collapsed = run(writer, "query", "london")
    assert (collapsed["total"], collapsed["stories"]) == (3, 1)  # the rewrites are one story, there too
    assert len(collapsed["hits"][0]["similar"]) == 2
    assert run(tmp_path / "app1", "show", "cocoa", *follow_args) == run(writer, "show", "cocoa")
    mine, theirs = run(writer, "stats"), run(tmp_path / "app2", "stats", *follow_args)
    same = ("articles", "first_date", "last_date", "per_year", "engine", "languages", "language",
            "schema_version")
    assert {key: theirs[key] for key in same} == {key: mine[key] for key in same}
    assert sorted(p.name for p in (tmp_path / "app1").iterdir()) == ["CURRENT", "gen-000001", "write.lock"]


def test_a_follower_sees_the_writers_new_commits_and_stories(tmp_path, alias):
    seeds, writer = writer_host(tmp_path, alias)
    options = {"url": URL, "index_name": alias}
    follower = searchkit.open_index(follow(tmp_path / "app", engine_options=options))
    assert follower.search("london").stories == 1
    write_seed(seeds, "wire-3", "2020-03-03", "Gold rises sharply in London", WIRE.format(day="Tuesday"))
    write_seed(seeds, "platinum", "2020-03-03", "Platinum slips", "Platinum slipped in Zurich.")
    done = cli("index", "--seeds", str(seeds), "--index", str(writer))
    assert done.exit_code == 0, done.output
    deadline = time.monotonic() + 30
    while follower.search("platinum").total == 0:  # the follower looks at the cluster once a second
        assert time.monotonic() < deadline, "the follower never saw the new commit"
        time.sleep(0.2)
    found = follower.search("london")
    assert (found.total, found.stories, len(found.hits[0].similar)) == (4, 1, 3)
    assert json.dumps(run(tmp_path / "app", "query", "london")) == json.dumps(run(writer, "query", "london"))


def test_serve_on_a_follower_answers_as_on_the_writers_host(tmp_path, alias):
    pytest.importorskip("fastapi", reason="searchkit[serve] is not installed")
    from fastapi.testclient import TestClient

    from searchkit.serve import create_app

    seeds, writer = writer_host(tmp_path, alias)
    follower = follow(tmp_path / "app", engine_options={"url": URL, "index_name": alias})
    with TestClient(create_app(searchkit.open_index(writer))) as mine, \
            TestClient(create_app(searchkit.open_index(follower))) as theirs:
        for params in ({"q": "gold"}, {"q": "london"}, {"q": "gold", "sort": "newest", "page": "2"}):
            expected = mine.get("/api/search", params=params)
            assert expected.status_code == 200
            assert theirs.get("/api/search", params=params).json() == expected.json()


def test_a_follower_does_not_write_and_an_unknown_name_is_one_line(tmp_path, alias):
    seeds, writer = writer_host(tmp_path, alias)
    app = tmp_path / "app"
    assert cli("query", "--index", str(app), "--url", URL, "--index-name", alias, "gold").exit_code == 0
    refused = cli("index", "--seeds", str(seeds), "--index", str(app))
    assert refused.exit_code == 2
    assert refused.output == (f"error: index at {app} follows the index name {alias} on the search cluster "
                              f"at {URL}: it only reads; write from the host that indexes it\n")
    missing = cli("query", "--index", str(tmp_path / "other"), "--url", URL, "--index-name", f"{alias}-none",
                  "gold")
    assert missing.exit_code == 2
    assert missing.output == (f"error: no index named {alias}-none on the search cluster at {URL}: run "
                              "'searchkit index' to build it\n")
    assert not (tmp_path / "other" / "CURRENT").exists()
    half = cli("query", "--index", str(tmp_path / "other"), "--url", URL, "gold")
    assert half.exit_code == 2 and "--url and --index-name go together" in half.output


def test_a_folder_reading_one_index_asked_for_another_says_so(tmp_path, alias):
    seeds, writer = writer_host(tmp_path, alias)
    app = tmp_path / "app"
    assert cli("query", "--index", str(app), "--url", URL, "--index-name", alias, "gold").exit_code == 0
    again = cli("query", "--index", str(app), "--url", URL, "--index-name", alias, "gold")
    assert again.exit_code == 0  # the same index: the folder is used as it is
    assert cli("query", "--index", str(writer), "--url", URL, "--index-name", alias, "gold").exit_code == 0
    other = cli("query", "--index", str(app), "--url", URL, "--index-name", f"{alias}-other", "gold")
    assert other.exit_code == 2
    assert other.output == (f"error: index at {app} reads {alias} on {URL}, not {alias}-other on {URL}: "
                            "give another --index folder\n")
    local = tmp_path / "local"
    assert cli("index", "--seeds", str(seeds), "--index", str(local)).exit_code == 0  # an embedded index
    mixed = cli("query", "--index", str(local), "--url", URL, "--index-name", alias, "gold")
    assert mixed.exit_code == 2
    engine = searchkit.open_index(local).engine
    assert mixed.output == (f"error: index at {local} holds a {engine} index of its own, not one on a "
                            "cluster: give another --index folder\n")
