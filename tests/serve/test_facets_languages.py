"""The languages facet on the search page and in the API, over an index of articles in six languages
(tests/engines/multilingual.py): each language a link narrowing the search to it, the active one a chip."""

from __future__ import annotations

import html
import re

import pytest
from engines.multilingual import WESTERN

from serve.test_facets import links, total_of

QUERY = "Haus OR cheval OR houses OR книга"  # 2 German, 2 French, 2 Russian, 1 English


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from fastapi.testclient import TestClient

    import searchkit
    from searchkit.serve import create_app

    index = searchkit.open_index(tmp_path_factory.mktemp("languages") / "index", create=True)
    index.add_many(list(WESTERN))
    with TestClient(create_app(index)) as test_client:
        yield test_client
    index.close()


def chips_of(page: str) -> dict[str, str]:
    found = re.findall(r'<a class="chip" href="([^"]*)" data-soft aria-label="Remove filter: ([^"]*)"', page)
    return {html.unescape(label): html.unescape(url) for url, label in found}


def language_counts(page: str) -> list[tuple[str, int]]:
    part = re.search(r'<ul class="facet-list languages">(.*?)</ul>', page, re.DOTALL)
    assert part is not None, "no languages list on the page"
    return [(label, int(count)) for label, count in re.findall(
        r'"facet-label">([^<]*)</span><span class="facet-count">([\d,]+)<', part.group(1))]


def test_the_page_lists_every_matching_language_most_first_with_its_count(client):
    page = client.get("/", params={"q": QUERY, "limit": "1"}).text
    assert "<h2>Languages</h2>" in page
    assert language_counts(page) == [("German", 2), ("French", 2), ("Russian", 2), ("English", 1)]
    assert total_of(page) == 7


def test_a_language_links_to_the_search_narrowed_to_it_and_shows_as_a_removable_chip(client):
    asked = {"q": QUERY, "sort": "newest", "since": "2024-03-01"}
    german = links(client.get("/", params=asked).text, "facets")["German"]
    assert "lang=de" in german and "sort=newest" in german and "since=2024-03-01" in german
    narrowed = client.get(german).text
    assert total_of(narrowed) == 2
    assert 'aria-current="true"><span class="facet-label">German' in narrowed
    assert '<input type="hidden" name="lang" value="de">' in narrowed  # the next search keeps it
    chips = chips_of(narrowed)
    assert set(chips) == {"In German", "Sorted newest", "From 2024-03-01"}
    assert "lang=" not in chips["In German"] and "sort=newest" in chips["In German"]
    assert total_of(client.get(chips["In German"]).text) == 7
    clear = html.unescape(re.search(r'<a class="chip-clear" href="([^"]*)"', narrowed).group(1))
    assert "lang=" not in clear


def test_two_languages_asked_are_two_chips_each_removing_itself(client):
    page = client.get("/", params={"q": QUERY, "lang": "de,fr"}).text
    assert total_of(page) == 4
    chips = chips_of(page)
    assert set(chips) == {"In German", "In French"}
    assert "lang=fr" in chips["In German"] and total_of(client.get(chips["In German"]).text) == 2


def test_an_unknown_language_in_the_url_is_the_one_line_error(client):
    page = client.get("/", params={"q": QUERY, "lang": "xx"})
    assert page.status_code == 400
    assert "error: lang: unknown language &#39;xx&#39;" in page.text
    assert client.get("/api/search", params={"q": QUERY, "lang": "xx"}).status_code == 400


def test_the_api_counts_every_match_per_language_not_just_the_page(client):
    body = client.get("/api/search", params={"q": QUERY, "facets": "true", "limit": "1"}).json()
    assert len(body["hits"]) == 1
    assert body["facets"]["languages"] == [
        {"value": "de", "name": "German", "count": 2}, {"value": "fr", "name": "French", "count": 2},
        {"value": "ru", "name": "Russian", "count": 2}, {"value": "en", "name": "English", "count": 1}]
    assert body["facets"]["index_languages"] == 6
    each = client.get("/api/search", params={"q": QUERY, "lang": "ru", "facets": "true"}).json()
    assert each["total"] == 2
    assert each["facets"]["languages"] == [{"value": "ru", "name": "Russian", "count": 2}]


def test_an_english_archive_with_undetected_articles_shows_no_languages_list(tmp_path):
    import datetime as dt

    from fastapi.testclient import TestClient

    import searchkit
    from searchkit.serve import create_app

    index = searchkit.open_index(tmp_path / "index", create=True)
    index.add_many([searchkit.Article("long", dt.date(2024, 3, 5), "Gold prices rise again",
                                      "Gold prices rose on Tuesday as traders bought the metal."),
                    searchkit.Article("short", dt.date(2024, 3, 6), "Gold up", "Up.")])  # undetected
    with TestClient(create_app(index)) as client:
        page = client.get("/", params={"q": "gold"}).text
        assert total_of(page) == 2 and "<h2>Languages</h2>" not in page and "<h2>Years</h2>" in page
        body = client.get("/api/search", params={"q": "gold", "facets": "true"}).json()
        assert body["facets"]["languages"] == [{"value": "en", "name": "English", "count": 1},
                                               {"value": "und", "name": "Undetected", "count": 1}]
        assert body["facets"]["index_languages"] == 1
        chips = chips_of(client.get("/", params={"q": "gold", "lang": "und"}).text)
        assert set(chips) == {"Language undetected"}
    index.close()
