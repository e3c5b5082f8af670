"""The two-node OpenSearch test cluster (tests/cluster/) does what the OpenSearch engine needs.

Skipped unless SEARCHKIT_OPENSEARCH_URL names a running cluster; .ci/run starts one with
``tests/cluster/run up`` and sets it. Only urllib: no client library is a dependency of the tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import REPO

URL = os.environ.get("SEARCHKIT_OPENSEARCH_URL", "").rstrip("/")
# The checkout that started the cluster keeps its state (as in test_opensearch_cluster_faults.py).
RUN = Path(os.environ.get("SEARCHKIT_CLUSTER_RUN") or REPO / "tests" / "cluster" / "run")

pytestmark = pytest.mark.skipif(
    not URL, reason="SEARCHKIT_OPENSEARCH_URL is not set (tests/cluster/run up starts a cluster)")

SNOWBALL = {"type": "snowball", "language": "English"}
ENGLISH = {"tokenizer": "standard", "filter": ["lowercase", "asciifolding", SNOWBALL]}


def call(method: str, path: str, body: Any = None, *, ndjson: list[dict] | None = None,
         base: str | None = None) -> tuple[int, Any]:
    """One HTTP request; returns (status, decoded JSON body), error statuses included."""
    if ndjson is not None:
        data = "".join(json.dumps(line) + "\n" for line in ndjson).encode()
        kind = "application/x-ndjson"
    else:
        data = None if body is None else json.dumps(body).encode()
        kind = "application/json"
    request = urllib.request.Request(f"{base or URL}{path}", data=data, method=method,
                                     headers={"Content-Type": kind})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def ok(method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
    status, answer = call(method, path, body, **kwargs)
    assert status == 200, f"{method} {path}: HTTP {status}: {answer}"
    return answer


def green(index: str, timeout: str = "60s") -> dict:
    return ok("GET", f"/_cluster/health/{index}?wait_for_status=green&timeout={timeout}")


@pytest.fixture
def news() -> Iterator[str]:
    """A fresh index of 2 shards and 1 replica with searchkit's English analysis; deleted after."""
    name = f"searchkit-cluster-test-{uuid.uuid4().hex[:8]}"
    ok("PUT", f"/{name}", {
        "settings": {
            "number_of_shards": 2,
            "number_of_replicas": 1,
            "analysis": {
                "filter": {"english_snowball": SNOWBALL},
                "analyzer": {"english": {"tokenizer": "standard",
                                         "filter": ["lowercase", "asciifolding", "english_snowball"]}},
            },
        },
        "mappings": {"properties": {
            "date": {"type": "date"},
            "headline": {"type": "text", "analyzer": "english"},
            "body": {"type": "text", "analyzer": "english"},
            "path": {"type": "keyword"},
        }},
    })
    try:
        yield name
    finally:
        call("DELETE", f"/{name}")


def index_articles(name: str) -> None:
    articles = {
        "pink": ("2017-11-18", "Pink and Kelly Clarkson open the awards",
                 'Pink sang "Everybody Hurts" by R.E.M. at the café while first responders watched.'),
        "cocoa": ("1987-02-26", "Bahia cocoa review",
                  "Showers continued throughout the week in the cocoa zone."),
        "clarkson": ("2018-01-05", "Clarkson announces a tour", "Kelly Clarkson will tour in the spring."),
    }
    lines: list[dict] = []
    for doc_id, (date, headline, body) in articles.items():
        lines += [{"index": {"_index": name, "_id": doc_id}},
                  {"date": date, "headline": headline, "body": body, "path": f"world/{doc_id}"}]
    answer = ok("POST", "/_bulk?refresh=true", ndjson=lines)
    assert answer["errors"] is False, answer


def search(name: str, query: dict, base: str | None = None, **extra: Any) -> dict:
    return ok("POST", f"/{name}/_search", {"query": query, "track_total_hits": True, **extra}, base=base)


def ids(answer: dict) -> list[str]:
    return [hit["_id"] for hit in answer["hits"]["hits"]]


def test_the_cluster_has_two_nodes():
    health = ok("GET", "/_cluster/health?wait_for_nodes=2&timeout=30s")
    assert health["number_of_nodes"] == 2
    assert health["status"] in {"green", "yellow"}


def test_an_index_of_two_shards_and_one_replica_turns_green_on_both_nodes(news):
    assert green(news)["active_shards"] == 4
    shards = ok("GET", f"/_cat/shards/{news}?format=json")
    assert {shard["state"] for shard in shards} == {"STARTED"}
    assert len({shard["node"] for shard in shards}) == 2  # a copy of each shard on each node


def test_analysis_common_gives_the_english_chain():
    answer = ok("POST", "/_analyze", {**ENGLISH, "text": "Café Running HURTS générations Mondays"})
    # Snowball's English (Porter2), as PyStemmer in searchkit/text/analysis.py: "monday", not Porter's
    # "mondai"
    assert [token["token"] for token in answer["tokens"]] == ["cafe", "run", "hurt", "generat", "monday"]


def test_bulk_then_phrase_prefix_date_and_highlight(news):
    green(news)
    index_articles(news)
    phrase = search(news, {"match_phrase": {"body": {"query": "everybody hurting", "slop": 0}}},
                    highlight={"fields": {"body": {}}})
    assert ids(phrase) == ["pink"]
    assert "<em>Everybody</em>" in phrase["hits"]["hits"][0]["highlight"]["body"][0]
    assert search(news, {"match_phrase": {"body": {"query": "kelly tour", "slop": 2}}})["hits"]["total"] == \
        {"value": 1, "relation": "eq"}
    assert ids(search(news, {"match": {"body": "cafe"}})) == ["pink"]  # asciifolding
    assert sorted(ids(search(news, {"prefix": {"headline": "clark"}}))) == ["clarkson", "pink"]
    dated = search(news, {"bool": {"must": [{"wildcard": {"body": "t*r"}}],
                                   "filter": [{"range": {"date": {"gte": "2018-01-01"}}}]}})
    assert ids(dated) == ["clarkson"]
    newest_first = [{"date": "desc"}, {"path": "asc"}]
    first = search(news, {"match_all": {}}, size=1, sort=newest_first)
    second = search(news, {"match_all": {}}, size=1, sort=newest_first,
                    search_after=first["hits"]["hits"][-1]["sort"])
    assert (ids(first), ids(second)) == (["clarkson"], ["pink"])
    aggs = search(news, {"match_all": {}}, size=0, aggs={
        "years": {"date_histogram": {"field": "date", "calendar_interval": "year", "min_doc_count": 1}},
        "paths": {"terms": {"field": "path"}}, "first": {"min": {"field": "date"}},
        "last": {"max": {"field": "date"}}})["aggregations"]
    assert [b["key_as_string"][:4] for b in aggs["years"]["buckets"]] == ["1987", "2017", "2018"]
    assert len(aggs["paths"]["buckets"]) == 3
    assert aggs["first"]["value_as_string"][:10] == "1987-02-26"
    assert aggs["last"]["value_as_string"][:10] == "2018-01-05"


def test_an_alias_swaps_atomically(news):
    other = f"{news}-next"
    ok("PUT", f"/{other}", {"settings": {"number_of_shards": 2, "number_of_replicas": 1}})
    try:
        alias = f"{news}-live"
        ok("POST", "/_aliases", {"actions": [{"add": {"index": news, "alias": alias}}]})
        ok("POST", "/_aliases", {"actions": [{"remove": {"index": news, "alias": alias}},
                                             {"add": {"index": other, "alias": alias}}]})
        assert list(ok("GET", f"/_alias/{alias}")) == [other]
    finally:
        call("DELETE", f"/{other}")


def run_cluster(*args: str) -> str:
    done = subprocess.run([str(RUN), *args], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"tests/cluster/run {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def test_searches_answer_from_replicas_while_a_node_is_down(news):
    """Stops the node that is not behind SEARCHKIT_OPENSEARCH_URL, then starts it again."""
    urls = {n: run_cluster("url", n) for n in ("1", "2")} if RUN.exists() else {}
    if URL not in urls.values():
        pytest.skip("the cluster was not started by tests/cluster/run, which this test needs")
    green(news)
    index_articles(news)
    other = next(n for n, url in urls.items() if url != URL)
    try:
        run_cluster("stop-node", other)  # inside: if it fails after stopping the node, `up` still runs
        health = ok("GET", f"/_cluster/health/{news}?wait_for_nodes=1&timeout=30s")
        assert (health["status"], health["number_of_nodes"]) == ("yellow", 1)
        answer = search(news, {"match_phrase": {"body": "kelly clarkson"}})
        assert answer["_shards"]["failed"] == 0
        assert ids(answer) == ["clarkson"]
    finally:
        assert run_cluster("up") == URL  # restarts the stopped node and waits for green
    assert green(news)["number_of_nodes"] == 2
