"""The reading pages: an article (its paragraphs, the query's words marked, its story, related stories,
the results around it and the way back) and a story's versions with what changed between them."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from test_story_versions import FIGURES, LEAD

from conftest import write_seed
from serve.conftest import XSS_BODY, XSS_HEADLINE


def write_wire(seeds: Path) -> Path:
    """A cocoa story in three versions (a new lead, then a corrected figure), one paragraph a line, a
    related cocoa story, thirty briefs (in a subfolder) and a hostile rewrite of the hostile article."""
    write_seed(seeds, "bahia", "1987-02-26", "Bahia cocoa review", f"{LEAD}\n{FIGURES}")
    write_seed(seeds, "bahia-2", "1987-02-27", "UPDATE 1: Bahia cocoa review",
               f"Cocoa growers welcomed the rain.\n{LEAD}\n{FIGURES}")
    write_seed(seeds, "bahia-3", "1987-02-28", "UPDATE 2: Bahia cocoa review",
               f"Cocoa growers welcomed the rain.\n{LEAD}\n{FIGURES.replace('1.5 mln', '1.7 mln')}")
    write_seed(seeds, "hostile-2", "1987-04-02", XSS_HEADLINE + " <b>again</b>",
               XSS_BODY + ' <iframe src="javascript:alert(1)"></iframe>')
    write_seed(seeds, "ghana", "1987-03-05", "Ghana cocoa humidity",
               "Ghana cocoa growers welcomed the early rain, although normal arrivals of 2 mln bags are "
               "not put at risk in the coming week.")
    for number in range(30):  # other news, so that the cocoa words are distinctive
        write_seed(seeds, f"brief/{number:02d}", "1987-05-01", f"Brief {number}",
                   f"Nothing happened in town{number} today.")
    return seeds


@pytest.fixture
def wire(news_seeds, news_index):
    """:func:`write_wire`'s articles beside the news, indexed."""
    news_index.update(write_wire(news_seeds))
    return news_index


def main_of(page: str) -> str:
    return re.search(r'<main id="main"[^>]*>(.*)</main>', page, re.DOTALL).group(1)


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def link(page: str, label: str) -> str:
    found = re.search(r'<a [^>]*href="([^"]+)"[^>]*>' + re.escape(label), page)
    assert found is not None, f"no link {label!r}"
    return html.unescape(found.group(1))


# The story page ------------------------------------------------------------------------------------------

def test_the_story_page_lists_every_version_in_date_order_with_the_changes_marked(client, wire):
    response = client.get("/stories/bahia-2")
    assert response.status_code == 200
    versions = re.findall(r'<li class="version".*?</li>', main_of(response.text), re.DOTALL)
    assert [re.search(r'<code class="id">([^<]+)', v).group(1) for v in versions] == ["bahia", "bahia-2",
                                                                                      "bahia-3"]
    first, second, third = versions
    assert "<ins>" not in first and "<del>" not in first and "the first version" in first
    assert '<h2><span class="number">Version 2 · the one you followed</span>' in second
    assert re.findall(r"<ins>(.*?)</ins>", second) == ["UPDATE 1:", "Cocoa growers welcomed the rain."]
    assert re.findall(r"<del>(.*?)</del>", second) == []
    assert re.findall(r"<ins>(.*?)</ins>", third) == ["2:", "1.7"]
    assert re.findall(r"<del>(.*?)</del>", third) == ["1:", "1.5"]
    assert "Arrivals are put at <del>1.5</del> <ins>1.7</ins> mln bags" in third
    assert "<p><ins>Cocoa growers welcomed the rain.</ins></p>" in second  # a new paragraph: the new lead
    assert 'aria-current="true"' in second and 'aria-current' not in first + third  # the one asked for
    nav = re.search(r'<aside class="beside story-nav".*?</aside>', response.text, re.DOTALL).group(0)
    assert [text_of(item) for item in re.findall(r"<li>(.*?)</li>", nav, re.DOTALL)] == [
        "Bahia cocoa review 1987-02-26 the first version",
        "UPDATE 1: Bahia cocoa review 1987-02-27 7 words added, 0 dropped",
        "UPDATE 2: Bahia cocoa review 1987-02-28 2 words added, 2 dropped"]


def test_the_story_page_is_reached_from_the_hits_similar_versions(client, wire):
    page = client.get("/", params={"q": "bahia drought"}).text
    similar = re.search(r'<details class="similar">(.*?)</details>', page, re.DOTALL).group(1)
    assert "+2 similar versions" in similar
    assert re.findall(r'<a href="/articles/[^"]+">([^<]+)</a> <time datetime="([^"]+)"', similar) == [
        ("UPDATE 1: Bahia cocoa review", "1987-02-27"), ("UPDATE 2: Bahia cocoa review", "1987-02-28")]
    story = client.get(link(similar, "Compare all 3 versions"))
    assert story.status_code == 200 and story.text.count('<li class="version"') == 3
    assert link(story.text, "← Back to results") == "/?q=bahia+drought"


def test_a_story_by_the_start_of_an_id_redirects_and_a_lone_article_is_one_version(client, wire):
    response = client.get("/stories/bahia-", follow_redirects=False)
    assert response.status_code == 404  # the start of three ids
    assert text_of(main_of(response.text)).count("bahia-") >= 2
    moved = client.get("/stories/cocoa", follow_redirects=False)
    assert moved.status_code == 200 and "One version: no near-duplicate rewrite" in moved.text
    assert client.get("/stories/coc", follow_redirects=False).headers["location"] == "cocoa"


def test_hostile_text_on_the_story_page_is_text(client, wire):
    page = client.get("/stories/hostile").text
    assert "<script>window" not in page and "<iframe" not in page and "<b>again" not in page
    assert "<ins>&lt;b&gt;again&lt;/b&gt;</ins>" in page
    assert "&lt;iframe" in page


# The article page ----------------------------------------------------------------------------------------

def test_paragraphs_are_the_seed_file_s_lines_or_its_blank_line_separated_blocks(client, wire, news_seeds):
    page = main_of(client.get("/articles/bahia-2").text)
    body = re.search(r'<div class="body">(.*?)</div>', page, re.DOTALL).group(1)
    assert re.findall(r"<p>(.*?)</p>", body) == ["Cocoa growers welcomed the rain.", LEAD, FIGURES]
    write_seed(news_seeds, "wrapped", "1987-05-01", "Wrapped", "First line\nwrapped on.\n\nSecond block.")
    wire.update(news_seeds)
    body = re.search(r'<div class="body">(.*?)</div>', client.get("/articles/wrapped").text, re.DOTALL)
    assert re.findall(r"<p>(.*?)</p>", body.group(1)) == ["First line wrapped on.", "Second block."]


def test_an_article_opened_from_a_search_marks_the_query_s_words_and_leads_back_to_its_page(client, wire):
    results = client.get("/", params={"q": "houston opec*", "page": "2"}).text
    opened = link(results, "Oil prices report number")
    assert opened.startswith("/articles/oil-") and "q=houston+opec%2A" in opened and "page=2" in opened
    page = client.get(opened).text
    assert re.findall(r"<mark>([^<]+)</mark>", page) == ["Houston", "OPEC"]  # stemmed, prefix expanded
    assert link(page, "← Back to results") == "/?q=houston+opec%2A&page=2"
    plain = client.get("/articles/oil-03").text
    assert "<mark>" not in plain and link(plain, "← Search the archive") == "/"


def test_words_under_not_and_in_another_field_are_not_marked(client, wire):
    page = client.get("/articles/oil-03", params={"q": "headline:crude OR (oil -houston)"}).text
    marked = re.findall(r"<mark>([^<]+)</mark>", main_of(page))
    assert "Houston" not in marked and "Crude" not in marked and "oil" in marked and "Oil" in marked


def test_previous_and_next_result_follow_the_ranking(client, wire):
    results = client.get("/", params={"q": "oil", "sort": "oldest"}).text
    ranked = re.findall(r'<a class="headline" href="(/articles/[^"]+)"', results)
    second = client.get(html.unescape(ranked[1])).text
    assert "oil-01" in second
    assert link(second, "← Previous result").startswith("/articles/oil-00?")
    assert link(second, "Next result →").startswith("/articles/oil-02?")
    tenth = client.get(html.unescape(ranked[9])).text  # the last of page 1: next is the first of page 2
    following = link(tenth, "Next result →")
    assert following.startswith("/articles/oil-10?") and "page=2" in following and "at=11" in following
    assert link(client.get(following).text, "← Back to results") == "/?q=oil&sort=oldest&page=2"
    first = client.get(html.unescape(ranked[0])).text
    assert "Previous result" not in first and "Next result" in first


def test_the_article_page_names_its_story_s_other_versions_and_related_stories(client, wire):
    page = client.get("/articles/bahia-3").text
    versions = re.search(r'<section class="versions".*?</section>', page, re.DOTALL).group(0)
    assert re.findall(r'<a href="/articles/([^"]+)">', versions) == ["bahia", "bahia-2"]
    assert "(this one)" in versions
    assert link(versions, "What changed between the versions") == "/stories/bahia-3"
    related = re.search(r'<section class="related".*?</section>', page, re.DOTALL).group(0)
    shown = re.findall(r'<a href="/articles/([^"]+)">', related)
    assert shown == [hit.id for hit in wire.related("bahia-3", limit=5).hits]
    assert set(shown) == {"ghana", "cocoa"}  # the other cocoa stories; no version of its own story
    assert "<section class=\"versions\"" not in client.get("/articles/oil-03").text  # no rewrites


def test_a_related_story_with_versions_is_listed_once_with_a_link_to_its_versions(client, wire, news_seeds):
    headline = "Ghana cocoa humidity"
    body = ("Ghana cocoa growers welcomed the early rain, although normal arrivals of 2 mln bags are not "
            "put at any risk in the coming week.")
    write_seed(news_seeds, "ghana-2", "1987-03-06", headline, body)
    wire.update(news_seeds)
    assert wire.story_of("ghana") == ("ghana-2",)
    page = client.get("/articles/bahia-3").text
    related = re.search(r'<section class="related".*?</section>', page, re.DOTALL).group(0)
    shown = re.findall(r'<a href="/articles/([^"]+)">', related)
    assert len({"ghana", "ghana-2"} & set(shown)) == 1
    assert link(related, "2 versions") in ("/stories/ghana", "/stories/ghana-2")


# Bad ids ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, meant", [
    ("/articles/bahia-4", ["bahia-2", "bahia-3"]),
    ("/articles/oil-1x", ["oil-10", "oil-11", "oil-12", "oil-13", "oil-14"]),
    ("/stories/cocao", ["cocoa"]),
    ("/articles/oil-0", ["oil-00", "oil-01", "oil-02", "oil-03", "oil-04"]),  # the start of several
])
def test_an_unknown_id_is_a_404_page_with_the_search_box_and_the_ids_it_may_mean(client, wire, url, meant):
    response = client.get(url)
    assert response.status_code == 404
    assert '<input id="q" type="search"' in response.text
    found = re.findall(r'<ul class="meant">(.*?)</ul>', response.text, re.DOTALL)
    assert found and re.findall(r"<code class=\"id\">([^<]+)</code>", found[0])[:len(meant)] == meant
    kind = url.split("/")[1]
    assert all(href.startswith(f"/{kind}/") for href in re.findall(r'href="([^"]+)"', found[0]))


def test_a_hostile_unknown_id_is_shown_as_text(client, wire):
    response = client.get("/articles/%3Cimg%20src=x%20onerror=alert(1)%3E")
    assert response.status_code == 404
    assert "<img src" not in response.text and "&lt;img src=x onerror=alert(1)&gt;" in response.text


def test_an_id_with_a_slash_from_a_seeds_subfolder_has_its_pages(client, wire):
    results = client.get("/", params={"q": "town7"}).text
    opened = link(results, "Brief 7")
    assert opened.startswith("/articles/brief%2F07?")
    assert client.get(opened).status_code == 200 and client.get("/stories/brief/07").status_code == 200
    moved = client.get("/articles/brief/0?q=x", follow_redirects=False)
    assert moved.status_code == 404  # the start of ten ids
    moved = client.get("/articles/brief/07x", follow_redirects=False)
    assert moved.status_code == 404 and "brief/07" in html.unescape(moved.text)
