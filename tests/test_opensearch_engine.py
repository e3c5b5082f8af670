"""The OpenSearch engine end to end and under faults, on the live two-node test cluster.

Skipped unless SEARCHKIT_OPENSEARCH_URL names a running cluster (``tests/cluster/run up``). The query
behaviour itself is the contract suite's (tests/engines/ runs on "opensearch" with the same variable).
Tests that need no cluster (credentials, retries, options) run everywhere but skip without opensearch-py.

What is and is not tested against a real server: the test cluster has no security plugin, so wrong
credentials are tested against a fake HTTP server that answers 401 to everything and records what it was
sent; a cluster that goes away is a TCP proxy in front of the real cluster, stopped and started again.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import threading
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest
from click.testing import CliRunner

from conftest import REPO, write_seed

pytest.importorskip("opensearchpy", reason="the opensearch extra is not installed")

import searchkit  # noqa: E402
from searchkit.cli.commands import main  # noqa: E402
from searchkit.engines.opensearch import bulk, config  # noqa: E402
from searchkit.engines.opensearch.client import Cluster  # noqa: E402
from searchkit.engines.opensearch.writer import OpenSearchWriter  # noqa: E402
from searchkit.errors import InvalidOptionError  # noqa: E402

URL = os.environ.get("SEARCHKIT_OPENSEARCH_URL", "").rstrip("/")
# The checkout that started the cluster keeps its state (as in test_opensearch_cluster_faults.py).
RUN = Path(os.environ.get("SEARCHKIT_CLUSTER_RUN") or REPO / "tests" / "cluster" / "run")
live = pytest.mark.skipif(not URL, reason="SEARCHKIT_OPENSEARCH_URL is not set (tests/cluster/run up)")

SECRET = "s3cret-Pa55word-never-shown"


def cluster_get(path: str) -> Any:
    with urllib.request.urlopen(f"{URL}{path}", timeout=60) as response:
        return json.loads(response.read())


def cluster_delete(name: str) -> None:
    request = urllib.request.Request(f"{URL}/{name}", method="DELETE")
    try:
        urllib.request.urlopen(request, timeout=60).close()
    except urllib.error.HTTPError:
        pass


def physical_indexes(alias_prefix: str) -> list[str]:
    return sorted(name for name in cluster_get("/_cat/indices?format=json&h=index")
                  for name in [name["index"]] if name.startswith(alias_prefix))


@pytest.fixture
def index_name() -> Iterator[str]:
    """A fresh alias name; every physical index under it is deleted after the test."""
    name = f"sk-test-{uuid.uuid4().hex[:10]}"
    yield name
    if URL:
        for physical in physical_indexes(name):
            cluster_delete(physical)


def cli(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def many_seeds(folder: Path, count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        write_seed(folder, f"wire/{number:05d}", f"20{10 + number % 10}-0{1 + number % 9}-1{number % 10}",
                   f"Gold and silver report {number}",
                   f"Prices of gold rose {number} points while silver and copper fell in quiet trading.")


# -- the CLI on the cluster ---------------------------------------------------------------------------

@live
def test_index_creates_the_index_on_the_cluster_and_keeps_only_metadata_locally(tmp_path, seeds, index_name):
    folder = tmp_path / "index"
    done = cli("index", "--seeds", str(seeds), "--index", str(folder), "--engine", "opensearch",
               "--url", URL, "--index-name", index_name)
    assert done.exit_code == 0, done.output
    assert done.output.startswith("added 5, updated 0, removed 0")
    (generation,) = [p for p in folder.iterdir() if p.name.startswith("gen-")]
    assert sorted(p.name for p in generation.iterdir()) == [
        "manifest.sqlite", "opensearch.json", "searchkit.json", "stories.sqlite"]
    recorded = json.loads((generation / "opensearch.json").read_text())
    assert (recorded["url"], recorded["alias"], recorded["shards"], recorded["replicas"]) == (
        URL, index_name, 2, 1)
    assert list(cluster_get(f"/_alias/{index_name}")) == [recorded["index"]]

    found = cli("query", "--index", str(folder), "--json", '"everybody hurts" OR juarez')
    assert found.exit_code == 0
    answer = json.loads(found.output)
    assert (answer["total"], sorted(hit["id"] for hit in answer["hits"])) == (3, ["hurts", "juarez", "pink"])
    assert "**Everybody** **Hurts**" in next(h["snippet"] for h in answer["hits"] if h["id"] == "pink")
    stats = json.loads(cli("stats", "--index", str(folder), "--json").output)
    assert (stats["articles"], stats["engine"]) == (5, "opensearch")
    nothing = json.loads(
        cli("query", "--index", str(folder), "--json", "--no-autocorrect", "clarksen").output)
    assert (nothing["total"], nothing["suggestion"]) == (0, "clarkson")


@live
def test_rebuild_swaps_the_alias_and_deletes_the_old_physical_index(tmp_path, seeds, index_name):
    folder = tmp_path / "index"
    index = searchkit.open_index(folder, create=True, engine="opensearch",
                                 engine_options={"url": URL, "index_name": index_name})
    index.update(seeds)
    (before,) = physical_indexes(index_name)
    assert index.search("cocoa").total == 1
    report = index.rebuild(seeds)
    (after,) = physical_indexes(index_name)
    assert report.rebuilt and after != before
    assert list(cluster_get(f"/_alias/{index_name}")) == [after]
    assert index.search("cocoa").total == 1  # the reader on the deleted index was reopened
    assert len(index) == 5


@live
def test_an_update_after_a_crash_between_commit_and_manifest_rebuilds_the_manifest(
        tmp_path, seeds, index_name):
    folder = tmp_path / "index"
    index = searchkit.open_index(folder, create=True, engine="opensearch",
                                 engine_options={"url": URL, "index_name": index_name})
    index.update(seeds)
    (generation,) = [p for p in folder.iterdir() if p.name.startswith("gen-")]
    (generation / "manifest.sqlite").unlink()
    report = index.update(seeds)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 5)


# -- faults ---------------------------------------------------------------------------------------------

class Proxy:
    """A TCP proxy to the cluster that can be stopped (refusing connections, cutting open ones) and
    started again on the same port: a cluster that becomes unreachable and comes back."""

    def __init__(self, upstream: str) -> None:
        host, port = upstream.split("//", 1)[1].split(":")
        self.upstream = (host, int(port))
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: socket.socket | None = None
        self._open: list[socket.socket] = []

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            try:
                self._server.shutdown(socket.SHUT_RDWR)  # wakes the accept() (close alone would not)
            except OSError:
                pass
            self._server.close()
            self._server = None
        for sock in self._open:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        self._open.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.upstream)
            self._open += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@live
def test_an_unreachable_cluster_is_one_line_exit_2_and_the_next_run_sends_what_was_not_acknowledged(
        tmp_path, seeds, index_name):
    proxy = Proxy(URL)
    proxy.start()
    folder = tmp_path / "index"
    try:
        first = cli("index", "--seeds", str(seeds), "--index", str(folder), "--engine", "opensearch",
                    "--url", proxy.url, "--index-name", index_name)
        assert first.exit_code == 0, first.output
        (generation,) = [p for p in folder.iterdir() if p.name.startswith("gen-")]
        manifest = (generation / "manifest.sqlite").read_bytes()
        many_seeds(seeds, 40)
        proxy.stop()
        down = cli("index", "--seeds", str(seeds), "--index", str(folder))
        assert down.exit_code == 2
        assert down.output == f"error: cannot reach the search cluster at {proxy.url}: connection refused\n"
        assert (generation / "manifest.sqlite").read_bytes() == manifest
        query = cli("query", "--index", str(folder), "gold")
        assert query.exit_code == 2 and query.output.count("\n") == 1 and proxy.url in query.output
        proxy.start()
        back = cli("index", "--seeds", str(seeds), "--index", str(folder))
        assert back.exit_code == 0, back.output
        assert back.output.startswith("added 40, updated 0, removed 0, unchanged 5")
        assert searchkit.open_index(folder).search("gold").total == 40
    finally:
        proxy.stop()


@live
def test_a_partly_refused_bulk_names_each_refused_article_indexes_the_rest_and_exits_3(
        tmp_path, seeds, index_name):
    """Lucene refuses a word over 32,766 bytes ("immense term"): the cluster refuses that document alone."""
    folder = tmp_path / "index"
    many_seeds(seeds, 30)
    immense = "x" * 40_000
    for name in ("bad/one", "bad/two"):
        write_seed(seeds, name, "2020-01-01", "A headline", f"Before {immense} after.")
    first = cli("index", "--seeds", str(seeds), "--index", str(folder), "--engine", "opensearch",
                "--url", URL, "--index-name", index_name)
    assert first.exit_code == 3
    lines = first.stderr.splitlines() if hasattr(first, "stderr") else first.output.splitlines()
    refused = [line for line in lines if line.startswith("skipped ")]
    assert len(refused) == 2
    for name in ("bad/one", "bad/two"):
        line = next(line for line in refused if f"{name}.txt" in line)
        assert "refused by the search cluster" in line and "immense term" in line
        assert "sent again at the next update" in line
    assert "added 35, updated 0, removed 0, unchanged 0, skipped 2" in first.output
    index = searchkit.open_index(folder)
    assert len(index) == 35 and "bad/one" not in index
    again = cli("index", "--seeds", str(seeds), "--index", str(folder))
    assert again.exit_code == 3 and "added 0, updated 0, removed 0, unchanged 35, skipped 2" in again.output
    write_seed(seeds, "bad/one", "2020-01-01", "A headline", "Before a word after.")
    fixed = cli("index", "--seeds", str(seeds), "--index", str(folder))
    assert "added 1, updated 0, removed 0, unchanged 35, skipped 1" in fixed.output
    assert index.get("bad/one").body == "Before a word after."


class Refusing(BaseHTTPRequestHandler):
    """Answers 401 to every request, as a cluster with security on does to wrong credentials."""

    seen: list[dict[str, str]] = []

    def _refuse(self) -> None:
        Refusing.seen.append(dict(self.headers))
        body = json.dumps({"error": {"type": "security_exception", "reason": "authentication failed"},
                           "status": 401}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _refuse

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def refusing_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
    Refusing.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_wrong_credentials_are_one_line_exit_2_and_the_password_is_never_shown_or_written(
        tmp_path, seeds, refusing_server):
    folder = tmp_path / "index"
    env = {"SEARCHKIT_OPENSEARCH_USER": "searcher", "SEARCHKIT_OPENSEARCH_PASSWORD": SECRET}
    done = cli("index", "--seeds", str(seeds), "--index", str(folder), "--engine", "opensearch",
               "--url", refusing_server, env=env)
    assert done.exit_code == 2
    assert done.output == (
        f"error: the search cluster at {refusing_server} refused the request (HTTP 401): authentication "
        "failed; check SEARCHKIT_OPENSEARCH_USER and SEARCHKIT_OPENSEARCH_PASSWORD (or "
        "SEARCHKIT_OPENSEARCH_API_KEY)\n")
    sent = base64.b64encode(f"searcher:{SECRET}".encode()).decode()
    assert Refusing.seen, Refusing.seen
    assert {k.lower(): v for k, v in Refusing.seen[0].items()}["authorization"] == f"Basic {sent}"  # sent
    on_disk = b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())
    assert SECRET.encode() not in on_disk and sent.encode() not in on_disk
    as_json = cli("index", "--seeds", str(seeds), "--index", str(folder), "--engine", "opensearch",
                  "--url", refusing_server, "--json", env=env)
    assert as_json.exit_code == 2 and SECRET not in as_json.output and sent not in as_json.output


def test_an_api_key_is_sent_as_an_authorization_header(tmp_path, seeds, refusing_server):
    done = cli("index", "--seeds", str(seeds), "--index", str(tmp_path / "index"), "--engine", "opensearch",
               "--url", refusing_server, env={"SEARCHKIT_OPENSEARCH_API_KEY": SECRET})
    assert done.exit_code == 2 and SECRET not in done.output
    assert {k.lower(): v for k, v in Refusing.seen[0].items()}["authorization"] == f"ApiKey {SECRET}"


def test_a_url_with_credentials_is_refused_without_showing_them(tmp_path, seeds):
    done = cli("index", "--seeds", str(seeds), "--index", str(tmp_path / "index"), "--engine", "opensearch",
               "--url", f"http://searcher:{SECRET}@127.0.0.1:1")
    assert done.exit_code == 2 and SECRET not in done.output
    assert "SEARCHKIT_OPENSEARCH_USER" in done.output and "http://127.0.0.1:1" in done.output


def test_no_cluster_url_is_one_line(tmp_path, seeds, monkeypatch):
    monkeypatch.delenv("SEARCHKIT_OPENSEARCH_URL", raising=False)
    done = cli("index", "--seeds", str(seeds), "--index", str(tmp_path / "index"), "--engine", "opensearch")
    assert done.exit_code == 2
    assert done.output == ("error: the opensearch engine needs a cluster URL: --url or "
                           "SEARCHKIT_OPENSEARCH_URL\n")


def test_a_bad_lease_length_and_the_state_index_as_a_name_are_one_line(tmp_path, seeds):
    args = ["index", "--seeds", str(seeds), "--index", str(tmp_path / "index"), "--engine", "opensearch",
            "--url", "http://127.0.0.1:1"]
    done = cli(*args, "--index-name", "news", env={"SEARCHKIT_OPENSEARCH_LEASE_SECONDS": "soon"})
    assert done.exit_code == 2
    assert done.output == ("error: SEARCHKIT_OPENSEARCH_LEASE_SECONDS must be a number of seconds > 0, "
                           "not 'soon'\n")
    done = cli(*args, "--index-name", "searchkit-state")
    assert done.exit_code == 2
    assert done.output == ("error: the index name 'searchkit-state' is searchkit's state index on the "
                           "cluster; choose another --index-name\n")


def test_options_are_refused_by_an_engine_that_takes_none(tmp_path, seeds):
    with pytest.raises(InvalidOptionError, match="the whoosh engine takes no options"):
        searchkit.open_index(tmp_path / "index", create=True, engine="whoosh", engine_options={"url": "x"})


def test_credentials_never_show_in_a_repr():
    shown = repr(config.Credentials(user="u", password=SECRET, api_key=SECRET))
    assert SECRET not in shown and "'u'" in shown


class ScriptedCluster(Cluster):
    """A cluster that answers bulk requests from a script, recording what it was sent."""

    def __init__(self, answers: list[dict[str, Any]]) -> None:
        self.url = "http://scripted:9200"
        self.answers = answers
        self.sent: list[str] = []

    def call(self, method: str, path: str, *, body: Any = None, params: Any = None,
             retry: frozenset[int] = frozenset()) -> Any:
        self.sent.append(body)
        return self.answers.pop(0)


def test_documents_refused_as_too_many_are_sent_again_with_backoff(tmp_path):
    folder = tmp_path / "gen-000001"
    folder.mkdir()
    config.write(folder, config.Location("http://scripted:9200", "a", "a-1", 2, 1, 1))
    busy = {"status": 429, "error": {"type": "es_rejected_execution_exception", "reason": "queue full"}}
    cluster = ScriptedCluster([
        {"items": [{"index": {"status": 201}}, {"index": busy}, {"index": busy}]},
        {"items": [{"index": {"status": 201}}, {"index": busy}]},
        {"items": [{"index": {"status": 200}}]},
    ])
    waits: list[float] = []
    writer = OpenSearchWriter(cluster, folder, sleep=waits.append)
    refused = writer._bulk([bulk.Line("index", f"a{n}", f'{{"index": {{"_id": "a{n}"}}}}\n{{"n": {n}}}\n')
                            for n in range(3)])
    assert refused == {} and waits == [0.5, 1.0]
    assert [body.count('"index"') for body in cluster.sent] == [3, 2, 1]


# -- a node goes away -----------------------------------------------------------------------------------

def run_cluster(*args: str) -> str:
    done = subprocess.run([str(RUN), *args], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, f"tests/cluster/run {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


@live
def test_searches_keep_answering_after_a_node_stops(tmp_path, index_name):
    """Stops the node not behind SEARCHKIT_OPENSEARCH_URL during a loop of searches; once the cluster is
    yellow every search answers, and answers as before. The node is started again afterwards."""
    urls = {n: run_cluster("url", n) for n in ("1", "2")} if RUN.exists() else {}
    if URL not in urls.values():
        pytest.skip("the cluster was not started by tests/cluster/run, which this test needs")
    seeds = tmp_path / "seeds"
    many_seeds(seeds, 200)
    index = searchkit.open_index(tmp_path / "index", create=True, engine="opensearch",
                                 engine_options={"url": URL, "index_name": index_name})
    index.update(seeds)
    cluster_get(f"/_cluster/health/{index_name}?wait_for_status=green&timeout=60s")
    queries = ["gold", '"silver and copper"', "rep*", "gold -silver", "prices date:2015"]
    expected = {q: [(h.id, h.date) for h in index.search(q, limit=200, sort="newest")] for q in queries}
    totals = {q: index.search(q).total for q in queries}
    other = next(n for n, url in urls.items() if url != URL)
    stop, problems = threading.Event(), []

    def stop_node() -> None:
        try:
            run_cluster("stop-node", other)
        except AssertionError as error:  # reported below; the loop must still end
            problems.append(str(error))
        finally:
            stop.set()

    stopped = threading.Thread(target=stop_node)
    try:
        stopped.start()
        while not stop.is_set():  # before yellow a search may fail; it must not answer wrongly
            for query in queries:
                try:
                    answer = index.search(query, limit=200, sort="newest")
                except searchkit.SearchkitError:
                    continue
                assert [(h.id, h.date) for h in answer] == expected[query]
        stopped.join()
        assert problems == []
        health = cluster_get(f"/_cluster/health/{index_name}?wait_for_status=yellow&wait_for_nodes=1"
                             "&timeout=60s")
        assert (health["status"], health["number_of_nodes"]) == ("yellow", 1)
        for _ in range(10):
            for query in queries:
                answer = index.search(query, limit=200, sort="newest")
                assert [(h.id, h.date) for h in answer] == expected[query]
                assert index.search(query).total == totals[query]
    finally:
        stopped.join()
        assert run_cluster("up") == URL
    index.close()


@live
@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_duplicate_wires_collapse_on_the_cluster_as_on_the_embedded_engines(tmp_path, index_name, sort):
    from test_duplicates import check_collapsed, newsroom

    folder = tmp_path / "seeds"
    found = newsroom(folder)
    index = searchkit.open_index(tmp_path / "index", create=True, engine="opensearch",
                                 engine_options={"url": URL, "index_name": index_name})
    index.update(folder)
    for query in ("*", "copper OR wheat OR yen", "updated", "date:2024-03"):
        check_collapsed(index, query, found, sort=sort)
    assert len(index.duplicates()) == sum(1 for ids in found.values() if len(ids) > 1)
    index.close()


def test_a_prose_query_weighs_its_words_by_the_counts_the_cluster_returns():
    """No cluster needed: the request that counts a prose query's words, and the query compiled from its
    answer (a word most articles hold weighs less, the same rule as on the other engines)."""
    from searchkit.engines.opensearch.compile import (
        compile_query,
        frequency_request,
        frequency_words,
        read_frequencies,
    )
    from searchkit.engines.rules import common_word_weight

    tree = searchkit.parse("cocoa market shares rose sharply today")
    words = frequency_words(tree)
    assert words == ["cocoa", "market", "rose", "share", "sharpli", "today"]
    assert frequency_words(searchkit.parse("cocoa market")) == []  # fewer than 4 words: no prose query
    request = frequency_request(words)
    assert request["aggs"]["w0"] == {"filter": {"term": {"body": {"value": "cocoa"}}}}
    answer = {"hits": {"total": {"value": 10}},
              "aggregations": {f"w{n}": {"doc_count": 1 if word == "cocoa" else 7}
                               for n, word in enumerate(words)}}
    frequencies = read_frequencies(words, answer)
    assert frequencies["cocoa"] == (1, 10) and frequencies["market"] == (7, 10)
    shown = json.dumps(compile_query(tree, str(tree), {}, frequencies=frequencies))
    assert f'"boost": {common_word_weight(7, 10)}' in shown and common_word_weight(7, 10) < 0.5
    assert '"span_near"' not in shown  # pairs of common words earn no proximity bonus
    rare = {word: (1, 10) for word in words}
    assert '"span_near"' in json.dumps(compile_query(tree, str(tree), {}, frequencies=rare))


def test_a_long_query_compiles_to_the_dis_max_and_coverage_reward_of_the_other_engines():
    """No cluster needed: a query of more than 5 words combines each word's headline and body as a
    dis_max and rewards each distinct word an article holds by a constant score (rules.COVERAGE_BOOST,
    its weight and idf, from the counts the cluster returns); a 4-word query, ANDed or OR-ed, gets
    neither."""
    from searchkit.engines.opensearch.compile import compile_query, frequency_words
    from searchkit.engines.rules import COVERAGE_BOOST, FIELD_TIE, common_word_weight, lucene_idf

    tree = searchkit.parse("Japan trade deficit widened in March amid yen")
    words = frequency_words(tree)
    frequencies = {word: (1 if word == "yen" else 3, 20) for word in words}
    query = compile_query(tree, str(tree), {}, frequencies=frequencies)
    shown = json.dumps(query)
    assert shown.count('"dis_max"') == len(words) and f'"tie_breaker": {FIELD_TIE}' in shown
    coverage = [clause["constant_score"] for clause in _clauses(query) if "constant_score" in clause]
    assert len(coverage) == len(words)
    yen = next(c for c in coverage if '"yen"' in json.dumps(c["filter"]))
    assert yen["filter"] == {"bool": {"should": [{"term": {"headline": {"value": "yen"}}},
                                                 {"term": {"body": {"value": "yen"}}}],
                                      "minimum_should_match": 1}}
    assert yen["boost"] == pytest.approx(COVERAGE_BOOST * common_word_weight(1, 20) * lucene_idf(1, 20))
    short = json.dumps(compile_query(searchkit.parse("japan trade deficit widened"), "", {},
                                     frequencies=frequencies))
    assert '"dis_max"' not in short and '"constant_score"' not in short
    by_hand = json.dumps(compile_query(searchkit.parse("japan OR trade OR deficit OR widened"), "", {},
                                       frequencies=frequencies))  # 4 words OR-ed: ranked as before
    assert '"dis_max"' not in by_hand and '"constant_score"' not in by_hand


def _clauses(query):
    """Every dict inside ``query``, outermost first."""
    found = [query]
    for value in query.values():
        for inner in value if isinstance(value, list) else [value]:
            if isinstance(inner, dict):
                found += _clauses(inner)
    return found


def test_a_search_answered_for_a_node_that_just_left_is_a_stale_reader_not_a_failure():
    """Right after a node leaves, a surviving node may answer a PIT search with HTTP 500, "no node found
    for id" (the PIT's shard contexts were on the node that left): a fresh reader, on a new PIT, answers
    it (as for the other errors of a gone PIT), while an error in the request itself stays an error."""
    from searchkit.engines.opensearch.client import Missing, Refused
    from searchkit.engines.opensearch.reader import is_stale

    url = "http://127.0.0.1:9201"
    gone = Refused(url, 500, "illegal_state_exception: no node found for id: Gpw600jZTzGMqb9HRPrJ3Q",
                   frozenset({"illegal_state_exception"}))
    assert is_stale(gone)
    assert is_stale(Refused(url, 503, "all shards failed", frozenset({"node_disconnected_exception"})))
    assert is_stale(Missing(url, 404, "no such index"))
    assert not is_stale(Refused(url, 500, "illegal_state_exception: something else",
                                frozenset({"illegal_state_exception"})))
    assert not is_stale(Refused(url, 400, "parsing_exception: unknown query",
                                frozenset({"parsing_exception"})))
