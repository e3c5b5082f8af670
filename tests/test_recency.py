"""The recency blend and the half-life syntax, without an index."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchkit.errors import InvalidOptionError
from searchkit.news.recency import FLOOR, WINDOW, blend, freshness, parse_half_life, rank_recent

D = dt.timedelta
NOW = dt.date(2020, 1, 31)


@pytest.mark.parametrize(("text", "days"), [("30d", 30), ("2w", 14), ("6m", 180), ("1y", 365),
                                            ("1.5y", 547.5), (" 12 D ", 12), ("0.5d", 0.5)])
def test_half_lives_in_days_weeks_months_and_years(text, days):
    assert parse_half_life(text) == D(days=days)


@pytest.mark.parametrize("text", ["30", "30x", "d", "-3d", "3 days", "1e3d", "", "0d", "0.0w"])
def test_other_half_lives_are_refused_with_the_accepted_forms(text):
    with pytest.raises(InvalidOptionError, match=r"^half-life must be "):
        parse_half_life(text)
    if text not in ("0d", "0.0w"):
        with pytest.raises(InvalidOptionError, match=r"30d, 2w, 6m or 1y"):
            parse_half_life(text)


def test_a_timedelta_half_life_is_taken_as_it_is_but_must_be_positive():
    assert parse_half_life(D(hours=36)) == D(hours=36)
    with pytest.raises(InvalidOptionError):
        parse_half_life(D(0))


def test_freshness_halves_its_bonus_every_half_life_and_never_goes_below_the_floor():
    month = D(days=30)
    assert freshness(0, month) == 1.0
    assert freshness(30, month) == pytest.approx(0.75)
    assert freshness(60, month) == pytest.approx(0.625)
    assert freshness(100_000, month) == pytest.approx(FLOOR)
    assert freshness(-10, month) == 1.0  # dated after "now": as fresh as can be


def test_the_worked_example_of_docs_news_md():
    stories = {"A": (6.0, 0), "B": (9.0, 60), "C": (15.0, 365)}  # relevance, age in days

    def order(half_life: dt.timedelta) -> tuple[list[str], list[float]]:
        blended = {name: blend(score, NOW - D(days=age), now=NOW, half_life=half_life)
                   for name, (score, age) in stories.items()}
        return sorted(blended, key=blended.get, reverse=True), [blended[n] for n in "ABC"]

    assert order(D(days=30)) == (["C", "A", "B"], pytest.approx([6.0, 5.63, 7.50], abs=0.006))
    assert order(parse_half_life("1y")) == (["C", "B", "A"], pytest.approx([6.0, 8.51, 11.25], abs=0.006))


def ordinals_of(items: list[tuple[str, int]]) -> list[int]:
    return [ordinal for _, ordinal in items]


def test_rank_recent_reranks_the_window_and_keeps_the_rest_in_relevance_order():
    old, new = (NOW - D(days=400)).toordinal(), NOW.toordinal()
    ranked = [(10.0 - i / 10_000, (f"h{i}", old if i % 2 else new)) for i in range(WINDOW + 10)]
    answer = rank_recent(ranked, ordinals_of, now=NOW, half_life=D(days=30), wanted=WINDOW + 10)
    ids = [item[0] for _, item in answer]
    assert sorted(ids[:WINDOW]) == sorted(f"h{i}" for i in range(WINDOW))
    assert all(int(item[1:]) % 2 == 0 for item in ids[:WINDOW // 2])  # the new half first
    assert ids[WINDOW:] == [f"h{i}" for i in range(WINDOW, WINDOW + 10)]


def test_equal_blended_scores_rank_newer_first_then_as_ranked():
    ranked = [(0.0, ("a", 5)), (0.0, ("b", 9)), (0.0, ("c", 5)), (0.0, ("d", 7))]
    answer = rank_recent(ranked, ordinals_of, now=NOW, half_life=D(days=1), wanted=4)
    assert [item[0] for _, item in answer] == ["b", "d", "a", "c"]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(scores=st.lists(st.floats(0, 50, allow_nan=False), min_size=1, max_size=60),
       ages=st.lists(st.integers(0, 3000), min_size=60, max_size=60), wanted=st.integers(0, 70),
       half_life=st.integers(1, 2000))
def test_the_first_hits_asked_for_are_the_first_of_the_whole_order(scores, ages, wanted, half_life):
    """Leaving out hits too weak to reach the page changes nothing: the first ``wanted`` are the first
    of the whole order, and only hits that could reach them are dated."""
    ranked = [(score, (f"h{i}", NOW.toordinal() - ages[i]))
              for i, score in enumerate(sorted(scores, reverse=True))]
    asked: list[int] = []

    def dates(items: list[tuple[str, int]]) -> list[int]:
        asked.append(len(items))
        return ordinals_of(items)

    whole = rank_recent(ranked, ordinals_of, now=NOW, half_life=D(days=half_life), wanted=len(ranked))
    first = rank_recent(ranked, dates, now=NOW, half_life=D(days=half_life), wanted=wanted)
    assert first == whole[:wanted]
    assert sum(asked) <= len(ranked)


def test_only_hits_that_can_reach_the_page_are_dated():
    ranked = [(100.0, ("strong", 1)), (90.0, ("strong", 2))] + [(10.0, ("weak", 3))] * 500
    asked: list[int] = []
    rank_recent(ranked, lambda items: asked.append(len(items)) or ordinals_of(items), now=NOW,
                half_life=D(days=30), wanted=2)
    assert asked == [2]
