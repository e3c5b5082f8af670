"""The writer's lease and the commit counter in the cluster, on the live two-node test cluster.

Two index folders writing one alias stand for two ingest hosts (a folder's write lock cannot see the
other's). Writers run as subprocesses (``python -m searchkit index``), so that one can be stopped
(SIGSTOP: alive but not renewing, as a hung writer) or killed (SIGKILL) while it holds the lease.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
from click.testing import CliRunner

from conftest import REPO, write_seed

pytest.importorskip("opensearchpy", reason="the opensearch extra is not installed")

import searchkit  # noqa: E402
from searchkit.cli.commands import main  # noqa: E402
from searchkit.engines.opensearch.config import STATE_INDEX  # noqa: E402
from searchkit.errors import IndexLockedError, WriterLeaseHeldError  # noqa: E402

URL = os.environ.get("SEARCHKIT_OPENSEARCH_URL", "").split(",")[0].rstrip("/")
pytestmark = pytest.mark.skipif(not URL, reason="SEARCHKIT_OPENSEARCH_URL is not set (tests/cluster/run up)")
LEASE = "SEARCHKIT_OPENSEARCH_LEASE_SECONDS"


def get(path: str) -> Any:
    try:
        with urllib.request.urlopen(f"{URL}{path}", timeout=60) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def delete(path: str) -> None:
    try:
        urllib.request.urlopen(urllib.request.Request(f"{URL}{path}", method="DELETE"), timeout=60).close()
    except urllib.error.HTTPError:
        pass


def count(alias: str, query: Optional[dict[str, Any]] = None) -> int:
    request = urllib.request.Request(f"{URL}/{alias}/_count", data=json.dumps(query or {}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return int(json.loads(response.read())["count"])


def holder(alias: str) -> Optional[dict[str, Any]]:
    found = get(f"/{STATE_INDEX}/_doc/{alias}")
    return found["_source"].get("lease") if found and found.get("found") else None


@pytest.fixture
def alias() -> Iterator[str]:
    name = f"sk-lease-{uuid.uuid4().hex[:10]}"
    yield name
    for index in get(f"/_cat/indices/{name}-*?format=json&h=index") or []:
        delete(f"/{index['index']}")
    delete(f"/{STATE_INDEX}/_doc/{name}")


def cli(*args: str, env: Optional[dict[str, str]] = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def seeds_with(folder: Path, count_: int, *, word: str = "gold", start: int = 0) -> Path:
    for number in range(start, start + count_):
        date = f"20{10 + number % 10}-0{1 + number % 9}-1{number % 10}"
        write_seed(folder, f"wire/{word}-{number:05d}", date,
                   f"{word.title()} report {number} {uuid.uuid4().hex[:6]}",
                   f"Prices of {word} moved {number} points; traders {uuid.uuid4().hex} said little more.")
    return folder


def writer(seeds: Path, index: Path, *extra: str, env: Optional[dict[str, str]] = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "searchkit", "index", "--seeds", str(seeds), "--index", str(index), *extra],
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for(condition: Any, what: str, timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def held_by(alias: str, process: subprocess.Popen) -> Optional[dict[str, Any]]:
    lease = holder(alias)
    return lease if lease and lease.get("pid") == process.pid else None


def first_build(tmp_path: Path, alias: str, articles: int = 5) -> tuple[Path, Path]:
    """A seeds folder and an index folder built from it on the cluster, and a copy of that index folder
    (a second ingest host)."""
    seeds = seeds_with(tmp_path / "seeds", articles)
    folder = tmp_path / "host1"
    done = cli("index", "--seeds", str(seeds), "--index", str(folder), "--engine", "opensearch", "--url", URL,
               "--index-name", alias)
    assert done.exit_code == 0, done.output
    shutil.copytree(folder, tmp_path / "host2", ignore=shutil.ignore_patterns("write.lock"))
    return seeds, folder


def test_a_second_writer_is_refused_naming_the_holder_and_with_wait_goes_after_it(tmp_path, alias):
    seeds, host1 = first_build(tmp_path, alias)
    seeds_with(seeds, 1500, word="copper")
    first = writer(seeds, host1)
    try:
        lease = wait_for(lambda: held_by(alias, first), "the first writer's lease")
        os.kill(first.pid, signal.SIGSTOP)  # holds the lease, whatever the machine's speed
        refused = cli("index", "--seeds", str(seeds), "--index", str(tmp_path / "host2"))
        assert refused.exit_code == 2
        line = refused.output.strip()
        assert "\n" not in line
        assert re.fullmatch(
            rf"error: index name {alias} on the search cluster at {re.escape(URL)} is being written by "
            rf"process {first.pid} on {re.escape(socket.gethostname())} "
            rf"\(update of {re.escape(str(host1.resolve()))}, "
            rf"since {re.escape(lease['since'])}, lease until \S+Z\) \(waited 0 s; try --wait SECONDS\)",
            line), line
        assert issubclass(WriterLeaseHeldError, IndexLockedError)
    finally:
        os.kill(first.pid, signal.SIGCONT)
    waited = cli("index", "--seeds", str(seeds), "--index", str(tmp_path / "host2"), "--wait", "300",
                 "--json")
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert waited.exit_code == 0, waited.output
    report = json.loads(waited.output)
    # The second host's manifest was made again from the cluster: the first host's 1,500 are known there.
    assert (report["added"], report["unchanged"]) == (0, 1505)
    assert count(alias) == 1505
    assert holder(alias) is None


def test_an_expired_lease_is_taken_and_the_writer_that_lost_it_commits_nothing(tmp_path, alias):
    seeds, host1 = first_build(tmp_path, alias)
    theirs = seeds_with(tmp_path / "their-seeds", 1500, word="zirconium")
    for seed in seeds.rglob("*.txt"):
        target = theirs / seed.relative_to(seeds)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(seed, target)
    short = {LEASE: "5"}
    stopped = writer(theirs, host1, env=short)
    try:
        lease = wait_for(lambda: held_by(alias, stopped), "the first writer's lease")
        os.kill(stopped.pid, signal.SIGSTOP)  # alive and on this host, but no longer renewing
        refused = cli("index", "--seeds", str(seeds), "--index", str(tmp_path / "host2"), env=short)
        assert refused.exit_code == 2 and f"process {stopped.pid} on" in refused.output
        wait_for(lambda: time.time() > holder(alias)["until_epoch"] + 0.2, "the lease to expire", timeout=30)
        write_seed(seeds, "ours", "2020-05-05", "Nickel rally", "Nickel rallied.")
        # Whatever the stopped writer sent before it stopped is not theirs to keep: removals allowed.
        took = cli("index", "--seeds", str(seeds), "--index", str(tmp_path / "host2"), "--allow-removals",
                   env=short)
        assert took.exit_code == 0, took.output
        assert held_by(alias, stopped) is None and holder(alias) is None
    finally:
        os.kill(stopped.pid, signal.SIGCONT)
    out, err = stopped.communicate(timeout=300)
    assert stopped.returncode == 2, (out, err)
    message = err.strip().splitlines()[-1]
    assert message.startswith(f"error: the writer's lease of index name {alias} on the search cluster at "
                              f"{URL} ran out and process ")
    assert message.endswith("; nothing was committed (run 'searchkit index' again)")
    assert lease["pid"] == stopped.pid
    assert count(alias) == 6
    assert count(alias, {"query": {"term": {"id": "wire/zirconium-00000"}}}) == 0
    # What the stopped writer sent after losing its lease is settled by the next writer: exactly ours.
    again = cli("index", "--seeds", str(seeds), "--index", str(tmp_path / "host2"), "--allow-removals",
                "--json")
    assert again.exit_code == 0, again.output
    assert count(alias) == 6
    assert count(alias, {"query": {"prefix": {"id": "wire/zirconium"}}}) == 0
    found = json.loads(cli("query", "--index", str(tmp_path / "host2"), "--json", "nickel").output)
    assert [hit["id"] for hit in found["hits"]] == ["ours"]


def test_a_writer_killed_between_its_bulks_and_its_commit_converges_on_the_next_run(tmp_path, alias):
    seeds, host1 = first_build(tmp_path, alias)
    physical = next(iter(get(f"/_alias/{alias}")))
    seeds_with(seeds, 3000, word="copper")

    def sent() -> int:
        stats = get(f"/{physical}/_stats/indexing")
        return int(stats["_all"]["primaries"]["indexing"]["index_total"])

    before = sent()
    killed = writer(seeds, host1)
    wait_for(lambda: sent() > before, "a bulk of the writer to reach the cluster")
    os.killpg(killed.pid, signal.SIGKILL)  # the writer and its analysis workers, as a host that goes down
    killed.communicate(timeout=60)
    assert sent() < before + 3000, "the writer finished before it was killed: nothing was tested"
    assert count(alias) == 5  # nothing of the killed batch is visible
    assert holder(alias)["pid"] == killed.pid  # its lease is left behind ...
    done = cli("index", "--seeds", str(seeds), "--index", str(host1), "--json")  # ... and taken at once
    assert done.exit_code == 0, done.output
    report = json.loads(done.output)
    assert report["added"] + report["unchanged"] == 3005
    assert count(alias) == 3005
    stats = json.loads(cli("stats", "--index", str(host1), "--json").output)
    assert stats["articles"] == 3005
    assert holder(alias) is None


def test_a_rebuild_on_another_host_is_followed_by_the_first_hosts_readers_and_writes(tmp_path, alias):
    seeds, host1 = first_build(tmp_path, alias)
    index = searchkit.open_index(host1)
    assert index.search("gold").total == 5
    write_seed(seeds, "nickel", "2020-05-05", "Nickel rally", "Nickel rallied.")
    rebuilt = cli("index", "--rebuild", "--seeds", str(seeds), "--index", str(tmp_path / "host2"))
    assert rebuilt.exit_code == 0, rebuilt.output  # and the physical index host1 names is deleted
    wait_for(lambda: index.search("nickel").total == 1, "the first host's reader to see the rebuild", 30)
    write_seed(seeds, "zinc", "2020-05-06", "Zinc slips", "Zinc slipped.")
    done = cli("index", "--seeds", str(seeds), "--index", str(host1), "--json")
    assert done.exit_code == 0, done.output
    assert (json.loads(done.output)["added"], json.loads(done.output)["unchanged"]) == (1, 6)
    assert count(alias) == 7 and index.search("zinc").total == 1
