"""Several node URLs: spreading requests, going to another node when one does not answer (when that is
safe), the one-line error naming every URL, discovery, and URL lists with a bad entry.

Fake transports stand in for the nodes here (no cluster needed); ``test_opensearch_cluster_faults.py``
stops real nodes of the test cluster.
"""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

pytest.importorskip("opensearchpy", reason="the opensearch extra is not installed")

import opensearchpy  # noqa: E402
import urllib3  # noqa: E402

import searchkit  # noqa: E402
from searchkit.cli.commands import main  # noqa: E402
from searchkit.engines.opensearch import config  # noqa: E402
from searchkit.engines.opensearch.client import DOWN_SECONDS, Cluster, is_idempotent  # noqa: E402
from searchkit.errors import EngineRejectedError, EngineUnreachableError, InvalidOptionError  # noqa: E402

A, B, C = "http://a:9200", "http://b:9200", "http://c:9200"


def refused() -> Exception:
    cause = urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection: "
                                                        "[Errno 111] Connection refused")
    return opensearchpy.ConnectionError("N/A", str(cause), cause)


def reset() -> Exception:
    cause = urllib3.exceptions.ProtocolError("Connection aborted.",
                                             ConnectionResetError(104, "Connection reset"))
    return opensearchpy.ConnectionError("N/A", str(cause), cause)


def timed_out() -> Exception:
    cause = urllib3.exceptions.ReadTimeoutError(None, "/", "Read timed out.")  # type: ignore[arg-type]
    return opensearchpy.ConnectionTimeout("TIMEOUT", str(cause), cause)


class FakeNodes:
    """Transports by URL: a node answers with its URL, or raises what ``failing`` says for it."""

    def __init__(self) -> None:
        self.failing: dict[str, Any] = {}
        self.sent: list[tuple[str, str, str]] = []  # (url, method, path)
        self.answers: dict[str, Any] = {}

    def connect(self, url: str) -> Any:
        nodes = self

        class Transport:
            def perform_request(self, method: str, path: str, params: Any = None, body: Any = None) -> Any:
                nodes.sent.append((url, method, path))
                if url in nodes.failing:
                    raise nodes.failing[url]()
                if path in nodes.answers:
                    return nodes.answers[path]
                return {"node": url}

        return Transport()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cluster(nodes: FakeNodes, url: str, clock: Clock | None = None, **kwargs: Any) -> Cluster:
    return Cluster(url, config.Credentials(), sleep=lambda _: None, connect=nodes.connect,
                   clock=clock or Clock(), **kwargs)


def test_requests_are_spread_over_the_nodes_in_turn():
    nodes = FakeNodes()
    both = cluster(nodes, f"{A},{B}")
    answered = [both.call("POST", "/news/_search", body={})["node"] for _ in range(4)]
    assert sorted(answered) == [A, A, B, B] and answered[0] != answered[1]


def test_a_search_goes_to_the_other_node_when_one_refuses_and_the_refusing_one_waits_its_turn():
    nodes, clock = FakeNodes(), Clock()
    nodes.failing[A] = refused
    both = cluster(nodes, f"{A},{B}", clock)
    assert [both.call("POST", "/news/_search", body={})["node"] for _ in range(6)] == [B] * 6
    assert [url for url, _, _ in nodes.sent].count(A) == 1  # left out once it refused
    clock.now += DOWN_SECONDS + 1
    del nodes.failing[A]
    assert {both.call("GET", "/news/_doc/1")["node"] for _ in range(4)} == {A, B}


@pytest.mark.parametrize("failure", [reset, timed_out], ids=["reset", "timed out"])
def test_an_idempotent_request_that_may_have_reached_a_failing_node_is_sent_to_another(failure):
    nodes = FakeNodes()
    nodes.failing[A] = failure
    both = cluster(nodes, f"{A},{B}")
    for _ in range(2):  # whichever node's turn it is
        assert both.call("POST", "/news/_bulk", body="{}\n")["node"] == B
        assert both.call("POST", "/news/_search", body={})["node"] == B


def test_a_request_that_may_have_been_carried_out_is_not_sent_again_and_the_error_says_so():
    nodes = FakeNodes()
    nodes.failing[A] = reset
    both = cluster(nodes, f"{A},{B}")
    with pytest.raises(EngineUnreachableError) as raised:
        both.call("POST", "/_aliases", body={"actions": []})  # the first turn is the first URL's
    assert str(raised.value) == (f"cannot reach the search cluster at {A}: connection reset; not sent to {B} "
                                 "(the request may have been carried out)")
    assert nodes.sent == [(A, "POST", "/_aliases")]


def test_a_refused_request_of_any_kind_goes_to_the_next_node():
    nodes = FakeNodes()
    nodes.failing[A] = refused
    both = cluster(nodes, f"{A},{B}")
    assert {both.call("PUT", "/news-1", body={})["node"] for _ in range(2)} == {B}


def test_when_every_node_fails_one_line_names_every_url_and_why():
    nodes = FakeNodes()
    nodes.failing.update({A: refused, B: refused})
    with pytest.raises(EngineUnreachableError) as raised:
        cluster(nodes, f"{A},{B}").call("GET", "/_alias/news")
    assert str(raised.value) in (f"cannot reach the search cluster at {A}, {B}: connection refused",
                                 f"cannot reach the search cluster at {B}, {A}: connection refused")
    nodes.failing[B] = timed_out
    with pytest.raises(EngineUnreachableError) as raised:
        cluster(nodes, f"{A},{B}").call("GET", "/_alias/news")
    assert str(raised.value) == (f"cannot reach the search cluster at {A}, {B}: {A}: connection refused; "
                                 f"{B}: no answer within 60 s")
    assert "\n" not in str(raised.value)


def test_an_error_status_is_not_sent_to_another_node():
    nodes = FakeNodes()

    def bad_request() -> Exception:
        return opensearchpy.TransportError(400, "parsing_exception", {"error": {"type": "parsing_exception",
                                                                                "reason": "no such query"}})

    nodes.failing[A] = nodes.failing[B] = bad_request
    with pytest.raises(EngineRejectedError, match="refused the request \\(HTTP 400\\): parsing_exception"):
        cluster(nodes, f"{A},{B}").call("POST", "/news/_search", body={})
    assert len(nodes.sent) == 1


def test_discovery_adds_the_clusters_other_nodes_on_first_use():
    nodes = FakeNodes()
    nodes.answers["/_nodes/http"] = {"nodes": {
        "x": {"http": {"publish_address": "a/10.0.0.1:9200"}},
        "y": {"http": {"publish_address": "c:9200"}}}}
    found = cluster(nodes, A, discover=True)
    found.call("GET", "/news/_doc/1")
    assert found.urls == [A, "http://10.0.0.1:9200", C]
    assert [path for _, _, path in nodes.sent].count("/_nodes/http") == 1
    nodes.failing[A] = refused
    assert {found.call("GET", "/news/_doc/1")["node"] for _ in range(3)} == {"http://10.0.0.1:9200", C}


def test_without_discovery_only_the_given_nodes_are_used():
    nodes = FakeNodes()
    given = cluster(nodes, f"{A},{B}")
    given.call("GET", "/news/_doc/1")
    assert given.urls == [A, B] and "/_nodes/http" not in [path for _, _, path in nodes.sent]


@pytest.mark.parametrize("method, path, expected", [
    ("GET", "/news/_doc/1", True), ("POST", "/news/_search", True), ("POST", "/_search", True),
    ("POST", "/news/_bulk", True), ("POST", "/news/_refresh", True), ("POST", "/news/_count", True),
    ("POST", "/news/_search/point_in_time", True), ("PUT", "/news-1", False), ("POST", "/_aliases", False),
    ("DELETE", "/news-1", False)])
def test_which_requests_are_sent_again(method, path, expected):
    assert is_idempotent(method, path) is expected


def test_a_url_list_is_checked_entry_by_entry():
    assert config.check_urls(f"{A}/, {B},{A}") == f"{A},{B}"
    assert config.split_urls(f"{A},{B}") == [A, B]
    with pytest.raises(InvalidOptionError, match="^URL 2 of 3 in the list: not an http\\(s\\) URL of an "
                                                 "OpenSearch cluster: 'ftp://b:9200'$"):
        config.check_urls(f"{A},ftp://b:9200,{C}")
    with pytest.raises(InvalidOptionError, match="^URL 2 of 2 in 'http://a:9200,' is empty$"):
        config.check_urls(f"{A},")
    with pytest.raises(InvalidOptionError, match="URL 1 of 2 in the list: put credentials in"):
        config.check_urls(f"http://u:pw@a:9200,{B}")
    with pytest.raises(InvalidOptionError, match="not a valid port"):
        config.check_urls("http://a:92x0")


def test_a_bad_entry_in_a_url_list_is_one_line_through_the_cli_and_the_api(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    done = CliRunner().invoke(main, ["index", "--seeds", str(seeds), "--index", str(tmp_path / "index"),
                                     "--engine", "opensearch", "--url", f"{A},not-a-url"])
    assert done.exit_code == 2
    assert done.output == ("error: URL 2 of 2 in the list: not an http(s) URL of an OpenSearch cluster: "
                           "'not-a-url'\n")
    with pytest.raises(InvalidOptionError, match="URL 2 of 2 in the list"):
        searchkit.open_index(tmp_path / "other", create=True, engine="opensearch",
                             engine_options={"url": f"{A},not-a-url"})


def test_the_url_list_and_discovery_are_recorded_for_the_next_generation(tmp_path, monkeypatch):
    monkeypatch.setenv(config.URL_VARIABLE, f"{A}, {B}")
    monkeypatch.setenv(config.DISCOVER_VARIABLE, "yes")
    location = config.new_location(tmp_path / "index" / "gen-000001", {})
    assert (location.url, location.discover) == (f"{A},{B}", True)
    with pytest.raises(InvalidOptionError, match="^discover must be true or false, not 'maybe'$"):
        config.new_location(tmp_path / "index" / "gen-000001", {"discover": "maybe"})
