"""Facets, the timeline's links and the filter chips: through the page (no JavaScript) and the API."""

from __future__ import annotations

import html
import re

import pytest

from serve.conftest import OIL_ARTICLES
from serve.test_news import cli_json

EVERYTHING = "oil OR cocoa OR attack"  # the 25 articles: 1987-02-26, March 1 to 23, 1987-04-01


def links(page: str, css_class: str) -> dict[str, str]:
    """Within the element of ``css_class``: each link's visible label (or aria-label) -> its URL."""
    part = re.search(rf'<(aside|figure) class="{css_class}".*?</\1>', page, re.DOTALL)
    assert part is not None, f"no {css_class} on the page"
    found = {}
    for attributes, inner in re.findall(r"<a ([^>]*)>(.*?)</a>", part.group(0), re.DOTALL):
        label = (re.search(r'aria-label="([^"]*)"', attributes) or re.search(r'"facet-label">([^<]*)', inner)
                 or re.search(r"^([^<]*)", inner))
        text = label.group(1)
        found[html.unescape(text)] = html.unescape(re.search(r'href="([^"]*)"', attributes).group(1))
    return found


def total_of(page: str) -> int:
    return int(re.search(r'<strong id="total">([\d,]+)</strong>', page).group(1).replace(",", ""))


def test_the_api_counts_every_match_per_year_and_month_as_the_cli_does(client, news_index):
    body = client.get("/api/search", params={"q": EVERYTHING, "facets": "true", "limit": "1"}).json()
    assert body["facets"] == {"years": [{"value": "1987", "count": 25}],
                              "months": [{"value": "1987-02", "count": 1}, {"value": "1987-03", "count": 23},
                                         {"value": "1987-04", "count": 1}],
                              "languages": [{"value": "en", "name": "English", "count": 25}],
                              "index_languages": 1}
    assert body == cli_json(news_index.path, "query", EVERYTHING, "--facets", "--limit", "1")
    assert "facets" not in client.get("/api/search", params={"q": EVERYTHING}).json()
    narrowed = client.get("/api/search", params={"q": EVERYTHING, "since": "1987-03", "until": "1987-03"})
    assert narrowed.json()["total"] == 23  # a facet's value narrows to exactly its count


def test_the_openapi_document_describes_the_facets(client):
    document = client.get("/openapi.json").json()
    search_body = document["components"]["schemas"]["SearchBody"]["properties"]
    assert "facets" in search_body
    assert set(document["components"]["schemas"]["FacetsBody"]["properties"]) == {
        "years", "months", "languages", "index_languages"}


def test_each_facet_links_to_the_search_narrowed_to_it_with_its_count(client):
    page = client.get("/", params={"q": EVERYTHING}).text
    facets = links(page, "facets")
    assert set(facets) == {"1987", "Feb 1987", "Mar 1987", "Apr 1987"}  # one language: no list of them
    assert "<h2>Languages</h2>" not in page
    assert re.search(r"Mar 1987</span><span class=\"facet-count\">23</span>", page)
    march = client.get(facets["Mar 1987"])
    assert "since=1987-03" in facets["Mar 1987"] and "until=1987-03" in facets["Mar 1987"]
    assert total_of(march.text) == 23
    assert 'aria-current="true"><span class="facet-label">Mar 1987' in march.text
    assert total_of(client.get(facets["1987"]).text) == 25


def test_each_timeline_bar_links_to_its_dates_and_the_axis_names_dates_and_counts(client):
    page = client.get("/", params={"q": "oil"}).text
    bars = links(page, "timeline")
    fifth = bars["1987-03-05: 1 match"]
    assert "since=1987-03-05" in fifth and "until=1987-03-05" in fifth
    assert total_of(client.get(fifth).text) == 1
    ticks = re.findall(r'<text class="tick[^"]*"[^>]*>([^<]+)</text>', page)
    assert ticks[0] == "1987-03-01" and ticks[-1] == "1987-03-23" and 3 <= len(ticks) <= 6
    assert re.search(r'<text class="count-label"[^>]*>1 match</text>', page)
    weekly = links(client.get("/", params={"q": "oil", "histogram": "week"}).text, "timeline")
    assert weekly["1987-03-02: 7 matches"].count("1987-03-0") == 2  # a Monday to its Sunday
    assert total_of(client.get(weekly["1987-03-02: 7 matches"]).text) == 7


def test_narrowing_links_stay_within_the_dates_already_asked_for(client):
    page = client.get("/", params={"q": EVERYTHING, "since": "1987-03-10"}).text
    march = links(page, "facets")["Mar 1987"]
    assert "since=1987-03-10" in march and "until=1987-03-31" in march
    assert total_of(client.get(march).text) == 14  # March 10 to 23


def test_relative_dates_narrow_links_on_the_day_now_names(client):
    """``since=last week`` with ``now=1987-03-11`` is March 2 to 8 for the links too, not today's last week;
    and every link keeps ``now``."""
    asked = {"q": EVERYTHING, "since": "last week", "until": "last week", "now": "1987-03-11"}
    page = client.get("/", params=asked).text
    assert total_of(page) == 7
    march = links(page, "facets")["Mar 1987"]
    assert "since=1987-03-02" in march and "until=1987-03-08" in march and "now=1987-03-11" in march
    assert total_of(client.get(march).text) == 7
    assert all("now=1987-03-11" in url for url in links(page, "timeline").values())


def test_active_filters_are_chips_that_remove_themselves(client):
    asked = {"q": "oil", "since": "1987-03-05", "until": "1987-03-20", "sort": "newest"}
    page = client.get("/", params=asked).text
    found = re.findall(r'<a class="chip" href="([^"]*)" data-soft aria-label="Remove filter: ([^"]*)"', page)
    chips = {html.unescape(label): html.unescape(url) for url, label in found}
    assert set(chips) == {"From 1987-03-05", "To 1987-03-20", "Sorted newest"}
    without_start = client.get(chips["From 1987-03-05"]).text
    assert total_of(without_start) == 20 and "From 1987-03-05" not in without_start
    assert "sort=newest" not in chips["Sorted newest"] and "since=1987-03-05" in chips["Sorted newest"]
    clear = html.unescape(re.search(r'<a class="chip-clear" href="([^"]*)"', page).group(1))
    assert clear == "/?q=oil" and total_of(client.get(clear).text) == OIL_ARTICLES
    assert 'class="chip"' not in client.get("/", params={"q": "oil"}).text


@pytest.mark.parametrize("params, option, impossible", [
    ({"since": "1987-02-30"}, "since", "1987-02-30"),
    ({"until": "1987-13"}, "until", "1987-13"),
    ({"since": "1987-03-31", "until": "1987-02-30"}, "until", "1987-02-30"),
])
def test_an_impossible_date_in_a_link_is_the_one_line_date_error(client, params, option, impossible):
    expected = f"{option}: invalid date '{impossible}': not a date"
    page = client.get("/", params={"q": "oil", **params})
    assert page.status_code == 400
    assert f'<p class="message">error: {expected}</p>' in html.unescape(page.text)
    api = client.get("/api/search", params={"q": "oil", "facets": "true", **params})
    assert api.status_code == 400 and api.json() == {"error": expected, "position": None}


def test_what_a_url_says_is_shown_escaped_in_chips_errors_facets_and_bars(client):
    page = client.get("/", params={"q": "oil", "since": '"><script>x()</script>'}).text
    assert "<script>x()" not in page and "&lt;script&gt;x()" in page
    hostile = client.get("/", params={"q": 'oil OR "<script>x()</script>" OR <b>'}).text
    assert total_of(hostile) == OIL_ARTICLES and "<script>x()" not in hostile and "<b>" not in hostile
    for url in [*links(hostile, "facets").values(), *links(hostile, "timeline").values()]:
        assert "<" not in url and '"' not in url, url


def test_the_page_without_facets_leaves_the_side_column_out(client):
    page = client.get("/", params={"q": "oil", "facets": "0"}).text
    assert total_of(page) == OIL_ARTICLES and 'class="facets"' not in page
    assert 'name="facets" value="0"' in page  # the next search from the box keeps them off


@pytest.mark.parametrize("interval, starts, labels", [
    ("month", [(2015 + m // 12, m % 12 + 1) for m in range(48)],
     ["2015-01", "2016-01", "2017-01", "2018-01", "2018-12"]),  # the years' starts, not every ninth month
    ("month", [(1987, m) for m in range(2, 11)], ["1987-02", "1987-04", "1987-07", "1987-10"]),  # quarters
])
def test_the_timeline_axis_labels_round_dates_between_its_ends(interval, starts, labels):
    import datetime as dt

    from searchkit.results import Bucket, Histogram
    from searchkit.serve.facets_view import DateRange, timeline

    histogram = Histogram(interval, tuple(Bucket(dt.date(year, month, 1), 1) for year, month in starts))
    drawn = timeline(histogram, DateRange(None, None), lambda **changes: "/?q=oil")
    assert [tick.label for tick in drawn["ticks"]] == labels


@pytest.mark.parametrize("months, folded", [(12, False), (13, True)])
def test_more_months_than_a_year_has_are_folded_under_the_years(months, folded):
    import datetime as dt

    from searchkit.results import Bucket, Facets
    from searchkit.serve.facets_view import DateRange, facet_lists
    from searchkit.serve.pages import _environment

    buckets = tuple(Bucket(dt.date(2015 + m // 12, m % 12 + 1, 1), 1) for m in range(months))
    years = tuple(Bucket(dt.date(year, 1, 1), sum(b.count for b in buckets if b.start.year == year))
                  for year in sorted({b.start.year for b in buckets}))
    lists = facet_lists(Facets(years, buckets), DateRange(None, None), lambda **changes: "/?q=oil")
    page = _environment.get_template("facets.html").render(facets=lists)
    assert ('<details class="more-months"><summary>All 13 months</summary>' in page) is folded
    assert page.count('class="facet-label"') == months + len(years)  # folded, never dropped
