"""The news features over HTTP: the API answers what ``searchkit query --json --histogram/--sort recent``
prints, and the search page draws a timeline of every match."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit.cli.commands import main

from conftest import write_seed
from serve.conftest import OIL_ARTICLES, served


def cli_json(index_dir: Path, *args: str) -> object:
    """What the CLI's --json prints, with paths as the API shows them (relative to the seeds folder)."""
    result = CliRunner().invoke(main, [*args, "--index", str(index_dir), "--json"], catch_exceptions=False)
    return served(json.loads(result.stdout), index_dir.parent / "seeds")


@pytest.mark.parametrize("params, cli_args", [
    ({"q": "oil", "histogram": "auto"}, ["oil", "--histogram"]),
    ({"q": "oil OR cocoa", "histogram": "week", "limit": "0"},
     ["oil OR cocoa", "--histogram", "week", "--limit", "0"]),
    ({"q": "oil", "sort": "recent", "half_life": "2w", "now": "1987-03-20"},
     ["oil", "--sort", "recent", "--half-life", "2w", "--now", "1987-03-20"]),
])
def test_search_answers_the_json_of_the_cli(client, news_index, params, cli_args):
    response = client.get("/api/search", params=params)
    assert response.status_code == 200
    assert response.json() == cli_json(news_index.path, "query", *cli_args)


def test_histogram_counts_every_match_and_is_left_out_unless_asked(client):
    body = client.get("/api/search", params={"q": "oil", "histogram": "day", "limit": "1"}).json()
    assert body["histogram_interval"] == "day" and len(body["hits"]) == 1
    assert [bucket["count"] for bucket in body["histogram"]] == [1] * OIL_ARTICLES
    assert "histogram" not in client.get("/api/search", params={"q": "oil"}).json()


@pytest.mark.parametrize("params, complaint", [
    ({"q": "oil", "histogram": "hourly"}, "histogram"),
    ({"q": "oil", "sort": "recent", "half_life": "soon"}, "half-life must be a number and a unit: 30d, 2w"),
    ({"q": "oil", "half_life": "30d"}, "only applies to sort recent"),
])
def test_bad_news_options_are_400_with_the_accepted_forms(client, params, complaint):
    response = client.get("/api/search", params=params)
    assert response.status_code == 400 and complaint in response.json()["error"]


def test_the_page_draws_a_timeline_and_keeps_its_interval_across_pages(client):
    page = client.get("/", params={"q": "oil"}).text
    figure = re.search(r'<figure class="timeline".*?</figure>', page, re.DOTALL)
    assert figure is not None
    titles = [html.unescape(t) for t in re.findall(r"<title>([^<]*)</title>", figure.group(0))]
    assert titles[0] == "1987-03-01: 1" and len(titles) == OIL_ARTICLES
    weekly = client.get("/", params={"q": "oil", "histogram": "week"}).text
    assert 'name="histogram" value="week"' in weekly  # the next search keeps the interval
    next_url = html.unescape(re.search(r'<a rel="next" href="([^"]+)"', weekly).group(1))
    assert "histogram=week" in next_url and "Matches per week" in client.get(next_url).text
    assert '<figure class="timeline"' not in client.get("/", params={"q": "oil", "facets": "0"}).text
    assert '<option value="recent">' in page


def test_the_page_sorts_recent_and_refuses_a_bad_interval(client):
    page = client.get("/", params={"q": "oil", "sort": "recent"}).text
    assert '<option value="recent" selected>' in page and "report number 22" in page
    bad = client.get("/", params={"q": "oil", "histogram": "hourly"})
    assert bad.status_code == 400 and "histogram interval must be one of auto, day" in html.unescape(bad.text)


# Duplicate wires ----------------------------------------------------------------------------------------

COCOA_BODY = "Showers continued throughout the week in the Bahia cocoa zone."


@pytest.fixture
def rewritten(news_seeds, news_index):
    """Two wire rewrites of the cocoa report, indexed."""
    for number in (1, 2):
        write_seed(news_seeds, f"cocoa-update{number}", "1987-02-27", f"UPDATE {number}: Bahia cocoa review",
                   COCOA_BODY + f" Rewritten {number}.")
    news_index.update(news_seeds)
    return news_index


def test_the_api_collapses_rewrites_as_the_cli_does(client, rewritten):
    body = client.get("/api/search", params={"q": "cocoa"}).json()
    assert body == cli_json(rewritten.path, "query", "cocoa")
    assert (body["total"], body["stories"], len(body["hits"])) == (3, 1, 1)
    assert sorted([body["hits"][0]["id"], *body["hits"][0]["similar"]]) == ["cocoa", "cocoa-update1",
                                                                            "cocoa-update2"]
    every = client.get("/api/search", params={"q": "cocoa", "collapse": "false"}).json()
    assert every == cli_json(rewritten.path, "query", "cocoa", "--no-collapse")
    assert (every["total"], every["stories"], len(every["hits"])) == (3, None, 3)


def test_the_page_folds_rewrites_under_their_story_and_links_to_every_article(client, rewritten):
    page = client.get("/", params={"q": "cocoa"}).text
    assert re.search(r'<strong id="total">3</strong> articles, <strong id="stories">1</strong> story', page)
    similar = re.search(r'<details class="similar"><summary>\+2 similar versions</summary>(.*?)</details>',
                        page, re.DOTALL)
    assert similar is not None
    shown = [(html.unescape(headline), date) for headline, date in re.findall(
        r'<li><a href="/articles/cocoa[^"]*">([^<]+)</a> <time datetime="([\d-]+)">', similar.group(1))]
    assert shown == [("UPDATE 1: Bahia cocoa review", "1987-02-27"),
                     ("UPDATE 2: Bahia cocoa review", "1987-02-27")]
    story = html.unescape(re.search(r'<a href="([^"]+)">Compare all 3 versions</a>', similar.group(1))[1])
    assert story.startswith("/stories/cocoa?q=cocoa") and client.get(story).status_code == 200
    every_url = html.unescape(re.search(r'<a href="([^"]+)" data-soft>show every article</a>', page).group(1))
    assert "collapse=0" in every_url
    every = client.get(every_url).text
    assert len(re.findall(r'<li class="hit">', every)) == 3 and "similar" not in every
    assert 'name="collapse" value="0"' in every  # the next query keeps showing every article
