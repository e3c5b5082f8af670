"""The engine contract for the news features: exact matches per day (histograms) and ``sort="recent"``.

Day counts are compared with the brute-force reference on every query of the main contract (see
``outcome`` in harness.py); here, that they count every match whatever the page. Recent sort: every
engine ranks its best hits by the one blend in :mod:`searchkit.news.recency` applied to its *own* relevance
scores (engines score differently, so orders are compared with the blend, not with the reference), pages
consistently across the rerank window's edge, and shows the behaviour docs/news.md promises.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter

import pytest

from searchkit.articles import Article
from searchkit.engines.base import EngineReader
from searchkit.news import recency
from searchkit.query import tree as t

from .corpus import CORPUS
from .harness import ALL, apply, ask, day, new_index, outcome, random_articles, run
from .reference import ReferenceEngine

D = dt.timedelta
FILLER = [Article(f"filler-{i}", day("2019-01-01"), f"Market report {i}", "Shares rose and bonds fell.")
          for i in range(12)]


def body_of(words: int, oil_at: int = -1) -> str:
    return " ".join("oil" if i == oil_at else f"word{i % 37}" for i in range(words))


def ids(reader: EngineReader, query: str, **options: object) -> list[str]:
    return [hit.id for hit in run(reader, ask(query, **options)).hits]  # type: ignore[arg-type]


def check_blend(reader: EngineReader, query: str, now: dt.date, half_life: dt.timedelta) -> None:
    """The recent ranking is the engine's relevance ranking reranked by the blend of its own scores."""
    relevance = run(reader, ask(query))
    recent = run(reader, ask(query, sort="recent", now=now, half_life=half_life))
    assert recent.total == relevance.total
    assert sorted(h.id for h in recent.hits) == sorted(h.id for h in relevance.hits)
    by_id = {hit.id: hit for hit in relevance.hits}
    for hit in recent.hits:
        expected = recency.blend(by_id[hit.id].score, hit.date, now=now, half_life=half_life)
        assert math.isclose(hit.score, expected, rel_tol=1e-3, abs_tol=2e-4), (query, hit)
    for first, second in zip(recent.hits, recent.hits[1:], strict=False):
        assert first.score >= second.score - 1e-4, (query, first, second)
        if by_id[first.id].score == by_id[second.id].score == 0.0:
            assert first.date >= second.date, (query, "equal scores rank newer first", first, second)


# Day counts -------------------------------------------------------------------------------------------

def test_day_counts_count_every_match_whatever_the_page_and_sort(engine, tmp_path):
    reader = engine.open_reader(new_index(engine, tmp_path, CORPUS))
    whole = run(reader, ask("pink OR kelly OR the", sort="relevance"))
    expected = Counter(hit.date for hit in whole.hits)
    assert sum(expected.values()) == whole.total > 3
    for sort in ("relevance", "newest", "oldest", "recent"):
        for limit, offset in ((0, 0), (1, 0), (2, 3), (5, 100)):
            page = run(reader, ask("pink OR kelly OR the", sort=sort, limit=limit, offset=offset,
                                     count_days=True))
            assert page.total == whole.total and dict(page.day_counts or {}) == expected, (sort, limit)
    nothing = run(reader, ask("zzzunknown", count_days=True))
    assert (nothing.total, dict(nothing.day_counts or {})) == (0, {})
    assert run(reader, ask("pink")).day_counts is None


# Recent sort: the blend of the engine's own relevance ---------------------------------------------------

QUERIES = ("pink OR kelly OR everybody OR the", "hurts", "*", "juarez OR cocoa OR clarkson", "-pink")


@pytest.mark.parametrize("half_life", [D(days=3), D(days=200), D(days=5000)], ids=str)
def test_recent_is_the_blend_of_the_engines_own_relevance(engine, tmp_path, half_life):
    reader = engine.open_reader(new_index(engine, tmp_path, CORPUS))
    for query in QUERIES:
        for now in (day("2018-01-05"), day("2017-06-01"), day("2030-01-01")):
            check_blend(reader, query, now, half_life)


def test_recent_finds_what_the_reference_finds_and_now_defaults_to_the_newest_article(real_engine, tmp_path):
    reference = ReferenceEngine()
    readers = [e.open_reader(new_index(e, tmp_path, CORPUS)) for e in (real_engine, reference)]
    newest = max(article.date for article in CORPUS)
    for query in QUERIES:
        wanted = ask(query, sort="recent", count_days=True)
        assert outcome(readers[0], wanted) == outcome(readers[1], wanted), query
        assert ids(readers[0], query, sort="recent") == ids(readers[0], query, sort="recent", now=newest)


def test_recent_reranks_the_best_window_only_and_pages_consistently(engine, tmp_path):
    """More matches than the rerank window: the best WINDOW by relevance are reranked, the rest follow
    in relevance order, and pages put together are the one big page, across the window's edge."""
    rng = random.Random(14)
    articles = [Article(f"a{i:04d}", day("2000-01-01") + D(days=rng.randrange(3000)), "gold" * (i % 2),
                        " ".join(rng.choices(["gold", "silver", "tin", "lead"], k=rng.randint(1, 30))))
                for i in range(recency.WINDOW + 150)]
    reader = engine.open_reader(new_index(engine, tmp_path, articles))
    relevance = ids(reader, "gold OR silver OR tin OR lead")
    recent = ids(reader, "gold OR silver OR tin OR lead", sort="recent", half_life=D(days=100))
    assert len(relevance) == len(articles) > recency.WINDOW
    assert sorted(recent[:recency.WINDOW]) == sorted(relevance[:recency.WINDOW])
    assert recent[:recency.WINDOW] != relevance[:recency.WINDOW]
    assert recent[recency.WINDOW:] == relevance[recency.WINDOW:]
    paged = [hit_id for offset in range(0, len(articles), 70)
             for hit_id in ids(reader, "gold OR silver OR tin OR lead", sort="recent", half_life=D(days=100),
                               limit=70, offset=offset)]
    assert paged == recent


def test_recent_on_random_articles_is_the_blend(engine, tmp_path):
    rng = random.Random(7)
    reader = engine.open_reader(new_index(engine, tmp_path, random_articles(rng, 300, range(400))))
    for query in ("gold", "pink OR kelly", "hurt*", "the gold", "*"):
        check_blend(reader, query, day("2002-12-31"), D(days=90))


# Recent sort: what a reader of docs/news.md is promised, on every engine ---------------------------------

def test_among_equally_relevant_stories_the_fresher_ranks_first(engine, tmp_path):
    same = "Oil prices rose on Monday as supply fell."
    stories = [Article(f"story-{year}", day(f"{year}-06-01"), "Oil prices rise", same)
               for year in (2015, 2019, 2017)]
    reader = engine.open_reader(new_index(engine, tmp_path, stories + FILLER))
    assert ids(reader, "oil prices", sort="recent") == ["story-2019", "story-2017", "story-2015"]


def test_a_slightly_more_relevant_old_story_ranks_below_a_fresh_one(engine, tmp_path):
    old = Article("old", day("2019-01-01"), "Oil prices rise", "Oil prices rose. Oil traders cheered.")
    new = Article("new", day("2019-06-01"), "Oil prices rise", "Oil prices rose on Monday.")
    reader = engine.open_reader(new_index(engine, tmp_path, [old, new] + FILLER))
    assert ids(reader, "oil")[0] == "old"
    assert ids(reader, "oil", sort="recent") == ["new", "old"]


def test_a_much_more_relevant_old_story_beats_a_barely_relevant_new_one(engine, tmp_path):
    old = Article("old", day("1990-01-01"), "Oil", "Oil. Oil spill. Oil prices and oil supply.")
    new = Article("new", day("2019-06-01"), "Market report", body_of(120, oil_at=60))
    reader = engine.open_reader(new_index(engine, tmp_path, [old, new] + FILLER))
    for half_life in (D(days=1), D(days=30), D(days=365)):
        assert ids(reader, "oil", sort="recent", half_life=half_life) == ["old", "new"]


def test_a_longer_half_life_lets_relevance_count_for_more(engine, tmp_path):
    old = Article("old", day("2019-03-01"), "Oil prices rise", "Oil prices rose. Oil traders cheered.")
    new = Article("new", day("2019-06-01"), "Oil prices rise", "Oil prices rose on Monday.")
    reader = engine.open_reader(new_index(engine, tmp_path, [old, new] + FILLER))
    assert ids(reader, "oil", sort="recent", half_life=D(days=7)) == ["new", "old"]
    assert ids(reader, "oil", sort="recent", half_life=D(days=3650)) == ["old", "new"]


def test_now_in_the_past_makes_later_stories_count_as_new(engine, tmp_path):
    old = Article("old", day("2019-03-01"), "Oil prices rise", "Oil prices rose. Oil traders cheered.")
    new = Article("new", day("2019-06-01"), "Oil prices rise", "Oil prices rose on Monday.")
    reader = engine.open_reader(new_index(engine, tmp_path, [old, new] + FILLER))
    assert ids(reader, "oil", sort="recent", now=day("2019-03-01"), half_life=D(days=7)) == ["old", "new"]
    assert ids(reader, "oil", sort="recent", limit=ALL, now=day("2019-06-01"), half_life=D(days=7)) == [
        "new", "old"]


@pytest.mark.parametrize("query", ["*", "date:[1999-06-01 TO 2000-12-31]", "* date:2001", "-gold"])
def test_day_counts_of_queries_that_only_filter_by_date(real_engine, tmp_path, query):
    """Queries matching a date range alone (engines may count them from a date column), on several
    commits with deletions, with and without a date filter, as the reference counts them."""
    readers = []
    for e in (real_engine, ReferenceEngine()):
        folder = new_index(e, tmp_path, random_articles(random.Random(5), 200, range(300)))
        changes = [("put", a, None) for a in random_articles(random.Random(6), 100, range(250, 400))]
        apply(e, folder, changes + [("delete", i) for i in ("r3", "r17", "r260")], "commit")
        readers.append(e.open_reader(folder))
    for date_filter in (None, t.DateRange(day("2000-03-01"), day("2001-06-30")),
                        t.DateRange(None, day("1999-12-31"))):
        wanted = ask(query, count_days=True, date_filter=date_filter)
        assert outcome(readers[0], wanted) == outcome(readers[1], wanted), (query, date_filter)
