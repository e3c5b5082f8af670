"""The API's news endpoints answer what the CLI's --json prints (related, story, duplicates, alert list),
with paths relative to the seeds folder and no absolute server path anywhere unless the operator asks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit.cli.commands import main

from conftest import write_seed
from serve.conftest import served

COCOA = "Showers continued throughout the week in the Bahia cocoa zone."


def cli(index_dir: Path, *args: str) -> tuple[int, object]:
    result = CliRunner().invoke(main, [*args, "--index", str(index_dir), "--json"], catch_exceptions=False)
    return result.exit_code, served(json.loads(result.stdout), index_dir.parent / "seeds")


@pytest.fixture
def rewritten(news_seeds, news_index):
    """Two rewrites of the cocoa report (one in a subfolder) and a saved search."""
    write_seed(news_seeds, "cocoa-update1", "1987-02-27", "UPDATE 1: Bahia cocoa review",
               COCOA + " Rewritten.")
    write_seed(news_seeds, "late/cocoa-update2", "1987-02-28", "UPDATE 2: Bahia cocoa review",
               "Heavy " + COCOA + " Rewritten.")
    news_index.add_alert("cocoa-watch", "cocoa OR bahia")
    news_index.update(news_seeds)
    return news_index


@pytest.mark.parametrize("url, command", [
    ("/api/stories/cocoa-update1", ["story", "cocoa-update1"]),
    ("/api/stories/late/cocoa-update2", ["story", "late/cocoa-update2"]),
    ("/api/stories/oil-05", ["story", "oil-05"]),
    ("/api/related/oil-05?limit=3", ["related", "oil-05", "--limit", "3"]),
    ("/api/duplicates", ["duplicates"]),
    ("/api/duplicates?limit=1", ["duplicates", "--limit", "1"]),
    ("/api/alerts", ["alert", "list"]),
])
def test_each_news_endpoint_answers_the_json_of_its_command(client, rewritten, url, command):
    response = client.get(url)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.json() == cli(rewritten.path, *command)[1]


def test_the_story_names_its_versions_in_date_order_with_their_changes(client, rewritten):
    body = client.get("/api/stories/cocoa").json()
    assert [(v["id"], v["path"]) for v in body["versions"]] == [
        ("cocoa", "cocoa.txt"), ("cocoa-update1", "cocoa-update1.txt"),
        ("late/cocoa-update2", "late/cocoa-update2.txt")]
    assert body["versions"][0]["changes"] is None
    assert [e for e in body["versions"][2]["changes"]["body"] if e["op"] != "equal"] == [
        {"op": "insert", "text": "Heavy "}]  # the space before the next word is new too


@pytest.mark.parametrize("url, command", [("/api/stories/nope", "story"), ("/api/related/nope", "related")])
def test_an_unknown_id_is_404_with_the_cli_error(client, rewritten, url, command):
    response = client.get(url)
    assert response.status_code == 404
    assert response.json() == {"error": "no article with id 'nope'", "position": None}
    assert cli(rewritten.path, command, "nope") == (1, response.json())


def test_a_bad_limit_is_400_with_the_error_object(client, rewritten):
    for url in ("/api/duplicates?limit=0", "/api/related/oil-05?limit=many"):
        response = client.get(url)
        assert response.status_code == 400 and "limit" in response.json()["error"], url


def every_string(value: object):
    if isinstance(value, dict):
        for item in value.values():
            yield from every_string(item)
    elif isinstance(value, list):
        for item in value:
            yield from every_string(item)
    elif isinstance(value, str):
        yield value


URLS = ["/api/search?q=cocoa", "/api/search?q=cocoa&collapse=false", "/api/articles/cocoa", "/api/stats",
        "/api/stories/cocoa", "/api/related/oil-05", "/api/duplicates", "/api/alerts", "/api/articles/nope",
        "/healthz", "/openapi.json"]


def test_no_answer_holds_an_absolute_server_path(client, rewritten, tmp_path):
    for url in URLS:
        strings = list(every_string(client.get(url).json()))
        assert not [s for s in strings if str(tmp_path) in s or s.startswith("/tmp")], url
    stats = client.get("/api/stats").json()
    assert (stats["seeds_dir"], stats["index_dir"]) == ("seeds", "index")
    assert client.get("/api/articles/cocoa").json()["path"] == "cocoa.txt"


def test_the_operator_may_ask_for_the_whole_paths(rewritten, news_seeds):
    from fastapi.testclient import TestClient

    from searchkit.serve import create_app

    with TestClient(create_app(rewritten, show_paths=True)) as client:
        assert client.get("/api/articles/cocoa").json()["path"] == str(news_seeds.resolve() / "cocoa.txt")
        assert client.get("/api/stats").json()["index_dir"] == str(rewritten.path)
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert "--show-paths" in result.stdout


def test_the_news_endpoints_write_nothing(client, rewritten, news_seeds):
    def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
        return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}

    before = snapshot(rewritten.path), snapshot(news_seeds)
    for url in ("/api/alerts", "/api/stories/cocoa", "/api/related/cocoa", "/api/duplicates"):
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            assert client.request(method, url).status_code == 405, (method, url)
        assert client.get(url).status_code == 200
    assert (snapshot(rewritten.path), snapshot(news_seeds)) == before


def test_the_openapi_document_promises_400_with_the_error_object_never_422(client):
    document = client.get("/openapi.json").json()
    assert {"/api/related/{article_id}", "/api/stories/{article_id}", "/api/duplicates",
            "/api/alerts"} <= set(document["paths"])
    for path, operations in document["paths"].items():
        for operation in operations.values():
            assert "422" not in operation["responses"], path
            if operation.get("parameters"):
                assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorBody"}, path
    assert "HTTPValidationError" not in document["components"]["schemas"]
