"""The news features as a user meets them, through the library and the CLI: a histogram of every match
over time (``histogram=``, ``--histogram``) and relevance blended with freshness (``sort="recent"``)."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

import searchkit
from searchkit.cli.commands import main
from searchkit.errors import InvalidOptionError
from searchkit.news.timeline import bucket_start

from conftest import write_seed

WORDS = ("oil", "gold", "wheat", "strike", "election", "storm", "bank", "rate")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seeds: 300 articles over forty years (1980-2019), random words, and a three-week burst of storms."""
    folder = tmp_path_factory.mktemp("archive") / "seeds"
    rng = random.Random(1987)
    for i in range(300):
        date = dt.date(1980, 1, 1) + dt.timedelta(days=rng.randrange(40 * 365))
        words = rng.sample(WORDS, 3)
        write_seed(folder, f"a{i:03d}", date.isoformat(), f"{words[0].title()} news",
                   " ".join(rng.choices(words, k=rng.randint(1, 12))) + ".")
    for i in range(20):
        date = dt.date(2021, 3, 1) + dt.timedelta(days=i + i % 2)
        write_seed(folder, f"storm{i:02d}", date.isoformat(), "Hurricane season",
                   "A hurricane made landfall.")
    return folder


@pytest.fixture(scope="module")
def news(archive: Path, tmp_path_factory: pytest.TempPathFactory):
    index = searchkit.open_index(tmp_path_factory.mktemp("news") / "index", create=True)
    index.update(archive)
    yield index
    index.close()


def every_date(index: searchkit.Index, query: str, **options: object) -> list[dt.date]:
    results = index.search(query, limit=100_000, snippets=False, **options)  # type: ignore[arg-type]
    assert len(results) == results.total
    return [hit.date for hit in results]


# Histogram ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("interval", ["day", "week", "month", "quarter", "year"])
def test_histogram_counts_every_match_per_bucket(news, interval):
    dates = every_date(news, "oil OR gold")
    results = news.search("oil OR gold", limit=3, histogram=interval)
    chart = results.histogram
    assert chart is not None and chart.interval == interval and len(results) == 3
    expected = Counter(bucket_start(date, interval) for date in dates)
    assert {b.start: b.count for b in chart if b.count} == dict(expected)
    assert sum(b.count for b in chart) == results.total
    assert chart[0].start == bucket_start(min(dates), interval)
    assert chart[-1].start == bucket_start(max(dates), interval)
    if interval != "year":
        assert any(b.count == 0 for b in chart), "empty buckets are kept"


def test_auto_interval_draws_forty_years_and_three_weeks_in_10_to_60_bars(news):
    years = news.search("oil", histogram="auto").histogram
    assert years is not None and years.interval == "year" and 10 <= len(years) <= 60
    weeks = news.search("hurricane", histogram="auto").histogram
    assert weeks is not None and weeks.interval == "day" and 10 <= len(weeks) <= 60
    assert sum(b.count for b in weeks) == 20 and any(b.count == 0 for b in weeks)


def test_histogram_follows_since_and_until_and_is_absent_unless_asked(news):
    chart = news.search("hurricane", histogram="month", since="2020-11", until="2021-05").histogram
    assert chart is not None
    assert [(b.start.isoformat(), b.count) for b in chart] == [
        ("2020-11-01", 0), ("2020-12-01", 0), ("2021-01-01", 0), ("2021-02-01", 0), ("2021-03-01", 20),
        ("2021-04-01", 0), ("2021-05-01", 0)]
    assert news.search("hurricane").histogram is None
    nothing = news.search("zzzunknown", histogram="auto")
    assert nothing.total == 0 and nothing.histogram is not None and nothing.histogram.buckets == ()


def test_facets_count_every_match_per_year_and_month_with_matches(news):
    dates = every_date(news, "oil OR gold", since="2000", until="2009")
    results = news.search("oil OR gold", limit=2, facets=True, since="2000", until="2009")
    assert results.facets is not None and results.histogram is None and len(results) == 2
    assert {b.start: b.count for b in results.facets.years} == dict(
        Counter(dt.date(d.year, 1, 1) for d in dates))
    assert {b.start: b.count for b in results.facets.months} == dict(
        Counter(dt.date(d.year, d.month, 1) for d in dates))
    assert all(b.count for b in results.facets.months), "only months with matches"
    assert [b.start for b in results.facets.months] == sorted(b.start for b in results.facets.months)
    assert news.search("oil").facets is None


def test_a_bad_interval_is_refused_with_the_accepted_ones(news):
    with pytest.raises(InvalidOptionError, match="auto, day, week, month, quarter, year, not 'hourly'"):
        news.search("oil", histogram="hourly")


# Recent -------------------------------------------------------------------------------------------------

@pytest.fixture
def stories(tmp_path: Path):
    seeds = tmp_path / "seeds"
    write_seed(seeds, "old-strong", "2019-01-02", "Oil", "Oil spill. Oil prices and oil supply. Oil again.")
    write_seed(seeds, "old-fair", "2019-03-01", "Oil prices rise",
               "Crude oil prices rose. Crude traders cheered crude.")
    write_seed(seeds, "new-fair", "2019-06-01", "Oil prices rise", "Crude oil prices rose on Monday.")
    write_seed(seeds, "new-weak", "2019-06-02", "Market report",
               " ".join(f"word{i}" for i in range(60)) + " oil " + " ".join(f"more{i}" for i in range(60)))
    for i in range(8):
        write_seed(seeds, f"filler{i}", "2018-01-01", f"Market report {i}", "Shares rose and bonds fell.")
    index = searchkit.open_index(tmp_path / "index", create=True)
    index.update(seeds)
    yield index
    index.close()


def ids(results: searchkit.Results) -> list[str]:
    return [hit.id for hit in results]


def test_recent_puts_the_fresher_of_comparable_stories_first_but_not_a_barely_relevant_one(stories):
    assert ids(stories.search("crude")) == ["old-fair", "new-fair"]
    assert ids(stories.search("crude", sort="recent")) == ["new-fair", "old-fair"]
    oil = ids(stories.search("oil", sort="recent"))
    assert oil.index("old-strong") < oil.index("new-weak")


def test_half_life_and_now_change_the_order_as_documented(stories):
    assert ids(stories.search("crude")) == ["old-fair", "new-fair"]  # three mentions against one
    assert ids(stories.search("crude", sort="recent", half_life="1w")) == ["new-fair", "old-fair"]
    assert ids(stories.search("crude", sort="recent", half_life="10y")) == ["old-fair", "new-fair"]
    assert ids(stories.search("crude", sort="recent", half_life=dt.timedelta(days=7), now="2019-03-01")) == [
        "old-fair", "new-fair"]  # seen from 1 March 2019 both are new (later dates count as age 0)


def test_recent_scores_are_the_blend_and_explain_says_how(stories):
    hit = stories.search("oil", sort="recent", now="2019-06-02", half_life="30d")[0]
    plain = {h.id: h.score for h in stories.search("oil")}
    age = (dt.date(2019, 6, 2) - hit.date).days
    assert hit.score == pytest.approx(plain[hit.id] * (0.5 + 0.5 * 2 ** (-age / 30)), abs=2e-4)
    ranking = stories.explain("oil", sort="recent", half_life="2w").ranking
    assert ranking is not None and "2^(-age/14 days)" in ranking and "best 1,000" in ranking
    assert stories.explain("oil").ranking is None


@pytest.mark.parametrize(("options", "message"), [
    ({"sort": "recent", "half_life": "fortnight"},
     "half-life must be a number and a unit: 30d, 2w, 6m or 1y"),
    ({"sort": "recent", "half_life": "0d"}, "half-life must be more than 0 days"),
    ({"half_life": "30d"}, "half-life only applies to sort recent"),
    ({"sort": "newest", "half_life": "30d", "now": "2019"}, "half-life only applies to sort recent"),
])
def test_bad_recency_options_are_refused(stories, options, message):
    with pytest.raises(InvalidOptionError, match=message):
        stories.search("oil", **options)


# CLI ----------------------------------------------------------------------------------------------------

@pytest.fixture
def cli(stories, monkeypatch):
    monkeypatch.setenv("SEARCHKIT_INDEX", str(stories.path))
    monkeypatch.setenv("COLUMNS", "60")
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


def test_cli_histogram_draws_a_chart_under_the_hits(cli):
    result = cli("query", "oil", "--limit", "1", "--histogram", "month")
    assert result.exit_code == 0
    hits, chart = result.stdout.split("\n\nmatches per month\n")
    assert hits.startswith("showing 1-1 of 4\n")
    full, half = "█" * 48, "█" * 24  # the bars fit in COLUMNS=60, scaled to the biggest
    assert chart.splitlines() == [
        f"2019-01  {half:<48}  1",
        f"2019-02  {'':<48}  0",
        f"2019-03  {half:<48}  1",
        f"2019-04  {'':<48}  0",
        f"2019-05  {'':<48}  0",
        f"2019-06  {full}  2",
    ]


def test_cli_histogram_auto_and_json(cli):
    result = cli("query", "oil", "--histogram", "--json")
    body = json.loads(result.stdout)
    assert body["histogram_interval"] == "week"
    assert sum(bucket["count"] for bucket in body["histogram"]) == body["total"] == 4
    assert body["histogram"][0] == {"start": "2018-12-31", "count": 1}  # the Monday of 2019-01-02's week
    assert set(json.loads(cli("query", "oil", "--json").stdout)) == {"query", "total", "stories", "offset",
                                                                     "hits", "suggestion", "corrected"}


def test_cli_facets_count_per_year_and_month_in_text_and_json(cli):
    text = cli("query", "oil", "--facets").stdout
    assert text.endswith("\n\nmatches per year      2019: 4\n"
                         "matches per month     2019-01: 1  2019-03: 1  2019-06: 2\n"
                         "matches per language  English (en): 3  Undetected (und): 1\n")  # one too short
    body = json.loads(cli("query", "oil", "--facets", "--json").stdout)
    assert body["facets"] == {"years": [{"value": "2019", "count": 4}],
                              "months": [{"value": "2019-01", "count": 1}, {"value": "2019-03", "count": 1},
                                         {"value": "2019-06", "count": 2}],
                              "languages": [{"value": "en", "name": "English", "count": 3},
                                            {"value": "und", "name": "Undetected", "count": 1}],
                              "index_languages": 1}


def test_cli_bad_interval_or_half_life_is_one_line_and_exit_2(cli):
    for args in (("query", "oil", "--histogram=fortnight"), ("query", "--histogram", "oil", "prices"),
                 ("query", "oil", "--sort", "recent", "--half-life", "3x"),
                 ("query", "oil", "--half-life", "3d")):
        result = cli(*args)
        assert result.exit_code == 2 and result.stdout == "", args
        assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: "), args
    assert cli("query", "oil", "--histogram=fortnight").stderr == (
        "error: histogram interval must be one of auto, day, week, month, quarter, year, not 'fortnight' "
        "(put --histogram after the query, or write --histogram=INTERVAL)\n")
    assert cli("query", "oil", "--sort", "recent", "--half-life", "3x").stderr == (
        "error: half-life must be a number and a unit: 30d, 2w, 6m or 1y (days, weeks, 30-day months, "
        "365-day years), not '3x'\n")
    as_json = cli("query", "oil", "--histogram=fortnight", "--json")
    assert as_json.exit_code == 2 and json.loads(as_json.stdout)["error"].startswith("histogram interval")


def test_cli_sort_recent_with_half_life_and_now(cli):
    fair = ("query", "crude", "--json", "--sort", "recent")
    order = lambda *more: [hit["id"] for hit in json.loads(cli(*fair, *more).stdout)["hits"]]  # noqa: E731
    assert order("--half-life", "1w") == ["new-fair", "old-fair"]
    assert order("--half-life", "10y") == ["old-fair", "new-fair"]
    assert order("--half-life", "1w", "--now", "1 Mar 2019") == ["old-fair", "new-fair"]
    explained = cli("query", "oil", "--sort", "recent", "--half-life", "2w", "--explain").stdout
    assert "ranking:      relevance x (0.5 + 0.5 x 2^(-age/14 days))" in explained


def test_cli_limit_0_with_a_histogram_shows_the_count_and_the_chart(cli):
    result = cli("query", "oil", "--limit", "0", "--histogram", "year")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:4] == ["4 matched", "", "matches per year", lines[3]]
    assert lines[3].startswith("2019  ") and lines[3].endswith("  4")


def test_recent_without_words_to_score_is_newest_first(news):
    for query in ("*", "date:[1990 TO 2000]", "-oil"):
        recent = news.search(query, sort="recent", limit=50)
        assert ids(recent) == ids(news.search(query, sort="newest", limit=50)), query
        assert {hit.score for hit in recent} == {0.0}
    assert news.explain("*", sort="recent").ranking == "no words to score, so newest first (as sort newest)"


def test_bars_are_drawn_to_an_eighth_of_a_cell_or_in_hashes_without_unicode():
    from searchkit.cli import output
    from searchkit.results import Bucket, Histogram

    chart = Histogram("quarter", (Bucket(dt.date(2017, 1, 1), 80), Bucket(dt.date(2017, 4, 1), 0),
                                  Bucket(dt.date(2017, 7, 1), 1), Bucket(dt.date(2017, 10, 1), 45)))
    lines = output.histogram_text(chart, width=30).splitlines()  # bars of 30 - 7 - 2 - 4 = 17 cells
    assert lines == ["matches per quarter",
                     "2017-Q1  █████████████████  80",
                     "2017-Q2                      0",
                     "2017-Q3  ▎                   1",  # 1/80 of 17 cells: two eighths
                     "2017-Q4  █████████▌         45"]
    plain = output.histogram_text(chart, width=30, unicode=False).splitlines()
    assert plain[1:] == ["2017-Q1  #################  80", "2017-Q2                      0",
                         "2017-Q3  #                   1", "2017-Q4  ##########         45"]
