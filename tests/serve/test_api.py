"""The JSON API answers what the CLI's --json prints, with the documented statuses and error objects."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit.cli.commands import main

from serve.conftest import OIL_ARTICLES, served


def cli_json(index_dir: Path, *args: str) -> tuple[int, object]:
    """What the CLI's --json prints, with paths as the API shows them (relative to the seeds folder)."""
    result = CliRunner().invoke(main, [*args, "--index", str(index_dir), "--json"], catch_exceptions=False)
    return result.exit_code, served(json.loads(result.stdout), index_dir.parent / "seeds")


@pytest.mark.parametrize("params, cli_args", [
    ({"q": "oil prices"}, ["oil prices"]),
    ({"q": "oil", "limit": "5", "page": "3", "sort": "oldest"},
     ["oil", "--limit", "5", "--page", "3", "--sort", "oldest"]),
    ({"q": "crude", "since": "1987-03-10", "until": "1987-03-12", "sort": "newest"},
     ["crude", "--since", "1987-03-10", "--until", "1987-03-12", "--sort", "newest"]),
    ({"q": 'opec "oil prices" -cocoa'}, ['opec "oil prices" -cocoa']),
    ({"q": 'pink "oops', "plain": "true"}, ['pink "oops', "--plain"]),
    ({"q": "cocao"}, ["cocao"]),  # nothing found: the suggestion's hits, corrected
    ({"q": "cocao", "autocorrect": "false"}, ["cocao", "--no-autocorrect"]),  # only the suggestion
    ({"q": "crude", "since": "last week", "until": "last week", "now": "1987-03-11", "sort": "oldest"},
     ["crude", "--since", "last week", "--until", "last week", "--now", "1987-03-11", "--sort", "oldest"]),
    ({"q": 'oil date:"3 days ago"', "now": "1987-03-11"}, ['oil date:"3 days ago"', "--now", "1987-03-11"]),
])
def test_search_answers_exactly_the_json_of_the_cli(client, news_index, params, cli_args):
    response = client.get("/api/search", params=params)
    _, expected = cli_json(news_index.path, "query", *cli_args)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == expected


def test_a_bad_query_is_400_with_the_cli_error_object(client, news_index):
    response = client.get("/api/search", params={"q": 'oil AND (prices'})
    exit_code, expected = cli_json(news_index.path, "query", 'oil AND (prices')
    assert exit_code == 2
    assert response.status_code == 400
    assert response.json() == expected
    assert isinstance(expected["position"], int)


@pytest.mark.parametrize("params, complaint", [
    ({"q": "oil", "limit": "101"}, "limit"),
    ({"q": "oil", "limit": "ten"}, "limit"),
    ({"q": "oil", "page": "0"}, "page"),
    ({"q": "oil", "sort": "random"}, "sort"),
    ({"q": "oil", "since": "01/02/1987"}, "since: invalid date"),
    ({"q": "oil", "since": "lst week"},
     "since: invalid date 'lst week': not a date (use YYYY-MM-DD, 18 Nov 2017, "),
    ({"q": "oil", "until": "since monday"},
     "until: invalid date 'since monday': 'since' starts a range: give it as since, not until"),
    ({"q": "oil", "now": "someday"}, "now: invalid date 'someday'"),
    ({"q": "oil", "limit": "100", "page": "101"}, "pages past hit 10,000"),
    ({}, "q"),
])
def test_bad_options_are_400_naming_the_option(client, params, complaint):
    response = client.get("/api/search", params=params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error", "position"} and body["position"] is None
    assert complaint in body["error"]


def test_the_cli_query_caps_apply(client, news_index):
    too_long = client.get("/api/search", params={"q": "oil " * 2000})
    assert too_long.status_code == 400
    assert too_long.json() == cli_json(news_index.path, "query", "oil " * 2000)[1]
    assert client.get("/api/search", params={"q": "oil", "limit": "100"}).status_code == 200


def test_article_by_id_and_unknown_ids_are_404(client, news_index):
    response = client.get("/api/articles/cocoa")
    _, expected = cli_json(news_index.path, "show", "cocoa")
    assert response.status_code == 200 and response.json() == expected
    missing = client.get("/api/articles/nope")
    assert missing.status_code == 404
    assert missing.json() == {"error": "no article with id 'nope'", "position": None}


@pytest.mark.parametrize("path", [
    "/api/articles/../seeds/cocoa.txt",
    "/api/articles/..%2Fseeds%2Fcocoa.txt",
    "/api/articles/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/api/articles/%2e%2e",
    "/api/articles/cocoa%00",
    "/api/articles/" + "a" * 5000,
    "/articles/..%2Fseeds%2Fcocoa.txt",
    "/articles/cocoa%00.txt",
])
def test_ids_that_reach_for_files_get_404_and_no_file(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Showers continued" not in response.text and "root:" not in response.text


def test_stats_and_health(client, news_index):
    _, expected = cli_json(news_index.path, "stats")
    assert client.get("/api/stats").json() == expected
    assert client.get("/healthz").json() == {"status": "ok", "articles": OIL_ARTICLES + 2}


def test_an_unusable_index_answers_503_with_the_rebuild_hint(client, news_index):
    from searchkit.index import storage

    generation = news_index.path / storage.current_generation(news_index.path)
    for path in generation.rglob("*"):
        if path.is_file() and path.suffix not in (".json", ".lock"):
            path.write_bytes(b"\0garbage")
    for url in ("/api/search?q=oil", "/healthz", "/api/stats"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert "searchkit index --rebuild" in response.json()["error"]


def test_a_search_over_the_time_budget_answers_503_and_frees_the_request(news_index):
    from fastapi.testclient import TestClient

    from searchkit.serve import create_app

    release = threading.Event()
    real_search = news_index.search

    def stuck_search(*args, **kwargs):
        release.wait(30)
        return real_search(*args, **kwargs)

    news_index.search = stuck_search
    try:
        # 2 s: short for a test, and still far more than a search of this tiny index needs on a busy
        # machine (the search after the release must fit in it too).
        with TestClient(create_app(news_index, budget_seconds=2)) as client:
            response = client.get("/api/search", params={"q": "oil"})
            assert response.status_code == 503
            assert "took longer than 2 s" in response.json()["error"]
            release.set()
            news_index.search = real_search
            assert client.get("/api/search", params={"q": "oil"}).status_code == 200
    finally:
        release.set()


def test_nothing_over_http_writes(client, news_index, news_seeds):
    def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
        return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}

    before = snapshot(news_index.path), snapshot(news_seeds)
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        for url in ("/api/search?q=oil", "/api/articles/cocoa", "/api/stats", "/", "/articles/cocoa"):
            assert client.request(method, url).status_code == 405, (method, url)
    client.get("/api/search", params={"q": "oil"})
    assert (snapshot(news_index.path), snapshot(news_seeds)) == before


def test_every_response_carries_a_strict_content_security_policy(client):
    for url in ("/", "/?q=oil", "/articles/cocoa", "/api/search?q=oil", "/api/articles/nope", "/openapi.json",
                "/static/searchkit.js"):
        policy = client.get(url).headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy, url
        assert "unsafe-inline" not in policy


def test_openapi_document_describes_the_api(client):
    document = client.get("/openapi.json").json()
    assert {"/api/search", "/api/articles/{article_id}", "/api/stats", "/healthz"} <= set(document["paths"])
    search = document["paths"]["/api/search"]["get"]
    assert {p["name"] for p in search["parameters"]} == {
        "q", "limit", "page", "sort", "since", "until", "plain", "histogram", "half_life", "now", "collapse",
        "autocorrect", "facets", "lang"}
    assert {"200", "400", "503"} <= set(search["responses"])


def test_an_article_by_the_start_of_its_id_and_an_ambiguous_start_is_404_naming_candidates(client):
    found = client.get("/api/articles/coc")
    assert found.status_code == 200 and found.json()["id"] == "cocoa"
    ambiguous = client.get("/api/articles/oil-0")
    assert ambiguous.status_code == 404
    assert ambiguous.json()["error"].startswith(
        "several articles have ids starting with 'oil-0' (oil-00, oil-01, oil-02, oil-03, oil-04, ...)")


def test_relative_dates_count_from_now(client):
    """1987-03-11 is a Wednesday: last week is 2 to 8 March, seven of the daily oil reports."""
    def dates(**params: str) -> list[str]:
        body = client.get("/api/search", params={"q": "oil", "sort": "oldest", **params}).json()
        return [hit["date"] for hit in body["hits"]]

    week = [f"1987-03-{day:02d}" for day in range(2, 9)]
    assert dates(since="last week", until="last week", now="1987-03-11") == week
    assert dates(q='oil date:"last week"', now="1987-03-11") == week
    assert dates(q="oil date:yesterday", now="1987-03-11") == ["1987-03-10"]
    assert dates(since="monday", now="1987-03-11") == ["1987-03-09", "1987-03-10", "1987-03-11", "1987-03-12",
                                                       "1987-03-13", "1987-03-14", "1987-03-15", "1987-03-16",
                                                       "1987-03-17", "1987-03-18"]


def test_a_bad_relative_date_in_the_query_is_400_at_its_position(client, news_index):
    response = client.get("/api/search", params={"q": 'oil date:"lst week"'})
    assert response.status_code == 400
    assert response.json()["position"] == 10
    assert response.json()["error"].startswith("not a date: 'lst week' (use YYYY, YYYY-MM, YYYY-MM-DD, or "
                                               "today, yesterday,")
    assert response.json() == cli_json(news_index.path, "query", 'oil date:"lst week"')[1]
