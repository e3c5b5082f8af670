"""The server-rendered pages, as a browser without JavaScript gets them."""

from __future__ import annotations

import html
import re

import pytest

from searchkit import parse
from searchkit.errors import QuerySyntaxError

from serve.conftest import OIL_ARTICLES, XSS_BODY, XSS_HEADLINE


def hits_on(page: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(r'<a class="headline" href="[^"]+">([^<]*)</a>', page)]


def test_search_pages_through_all_hits_with_links_that_keep_the_query(client):
    first = client.get("/", params={"q": "oil", "sort": "newest"})
    assert first.status_code == 200
    assert "of <strong id=\"total\">23</strong> articles" in first.text
    assert hits_on(first.text)[0] == "Oil prices report number 22"
    seen = hits_on(first.text)
    next_url = html.unescape(re.search(r'<a rel="next" href="([^"]+)"', first.text).group(1))
    while next_url:
        assert "q=oil" in next_url and "sort=newest" in next_url
        page = client.get(next_url)
        seen += hits_on(page.text)
        found = re.search(r'<a rel="next" href="([^"]+)"', page.text)
        next_url = html.unescape(found.group(1)) if found else None
    assert len(seen) == OIL_ARTICLES == len(set(seen))


def test_the_form_shows_back_what_was_asked(client):
    asked = {"q": 'crude "oil"', "since": "1987-03", "sort": "oldest", "plain": "1"}
    page = client.get("/", params=asked).text
    assert 'value="crude &#34;oil&#34;"' in page
    assert 'value="1987-03"' in page
    assert '<option value="oldest" selected>' in page
    assert 'name="plain" value="1" checked' in page


def test_snippets_mark_the_matches(client):
    page = client.get("/", params={"q": "houston"}).text
    assert "Traders in <mark>Houston</mark> watched OPEC closely." in page


def test_article_text_is_never_markup(client):
    for url in ("/?q=attack", "/articles/hostile"):
        page = client.get(url).text
        assert "<script>window" not in page and "<img src=x" not in page and "<svg onload" not in page
        assert "&lt;script&gt;" in page and "&lt;img src=x onerror=" in page
    article = html.unescape(client.get("/articles/hostile").text)
    assert f"<h1 id=\"headline\">{XSS_HEADLINE}</h1>" in article  # shown as the text it is
    assert XSS_BODY in article


def test_a_bad_query_shows_the_caret_under_the_problem(client):
    response = client.get("/", params={"q": "oil AND (prices"})
    assert response.status_code == 400
    caret = re.search(r'<pre class="caret">(.*?)</pre>', response.text, re.DOTALL).group(1)
    query_line, caret_line = html.unescape(caret).split("\n")
    assert query_line == "oil AND (prices"
    assert caret_line == " " * caret_line.index("^") + "^" and query_line[caret_line.index("^")] == "("
    with pytest.raises(QuerySyntaxError) as error:
        parse("oil AND (prices")
    assert f"error: {error.value}" in html.unescape(response.text)  # the CLI's message


def test_a_bad_page_number_is_a_message_not_a_crash(client):
    response = client.get("/", params={"q": "oil", "page": "two"})
    assert response.status_code == 400
    assert "page must be a whole number" in html.unescape(response.text)


def test_unknown_article_is_a_404_page(client):
    response = client.get("/articles/nope")
    assert response.status_code == 404 and "no article with id" in html.unescape(response.text)
    assert client.get("/no/such/page").status_code == 404


def test_an_empty_query_shows_the_archive_size_and_the_cheat_sheet(client):
    page = client.get("/").text
    assert f"Search {OIL_ARTICLES + 2:,} articles." in page
    assert "Query language" in page


def test_an_article_page_by_the_start_of_its_id_redirects_to_the_article_s_own_address(client):
    response = client.get("/articles/coc?q=cocoa", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "cocoa?q=cocoa"
    followed = client.get("/articles/coc?q=cocoa")
    assert followed.status_code == 200 and str(followed.url).endswith("/articles/cocoa?q=cocoa")
    assert "Bahia cocoa review" in followed.text


def test_no_match_outside_the_index_s_dates_says_the_dates_it_holds(client):
    page = client.get("/", params={"q": "oil", "since": "2001"})
    assert "No articles matched. The index holds articles dated 1987-02-26 to 1987-04-01." in page.text
    api = client.get("/api/search", params={"q": "oil", "since": "2001"}).json()
    assert api["index_dates"] == {"first": "1987-02-26", "last": "1987-04-01"}


def test_a_misspelt_query_shows_the_suggestions_results_with_a_link_to_the_query_as_typed(client):
    page = client.get("/", params={"q": "cocao date:1987"})
    assert "Showing results for <strong>cocoa date:1987</strong>" in page.text
    assert "Bahia cocoa review" in hits_on(page.text)
    as_typed = html.unescape(re.search(r'<a href="([^"]+)" data-soft>search for', page.text).group(1))
    assert "autocorrect=0" in as_typed
    typed = client.get(as_typed)
    assert "No articles matched." in typed.text and hits_on(typed.text) == []
    suggestion = html.unescape(re.search(r'Did you mean <a href="([^"]+)"', typed.text).group(1))
    assert "cocoa+date%3A1987" in suggestion


def test_relative_dates_on_the_page_keep_their_reference_day(client):
    asked = {"q": "oil", "since": "last week", "until": "last week", "now": "1987-03-11", "sort": "oldest"}
    page = client.get("/", params=asked).text
    assert hits_on(page) == [f"Oil prices report number {number}" for number in range(1, 8)]
    assert 'value="last week"' in page
    assert '<input type="hidden" name="now" value="1987-03-11">' in page
    bad = client.get("/", params={"q": "oil", "since": "lst week"})
    assert bad.status_code == 400
    assert "since: invalid date &#39;lst week&#39;: not a date (use YYYY-MM-DD" in bad.text
