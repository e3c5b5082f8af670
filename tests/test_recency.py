"""The recency blend and the half-life syntax, without an index."""

from __future__ import annotations

import datetime as dt

import pytest

from searchkit.errors import InvalidOptionError
from searchkit.recency import FLOOR, WINDOW, blend, freshness, parse_half_life, rank_recent

D = dt.timedelta
NOW = dt.date(2020, 1, 31)


@pytest.mark.parametrize(("text", "days"), [("30d", 30), ("2w", 14), ("6m", 180), ("1y", 365), ("1.5y", 547.5),
                                            (" 12 D ", 12), ("0.5d", 0.5)])
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
    # A story from today scoring 6.0 against one from 60 days ago scoring 9.0 (half-life 30 days).
    assert blend(6.0, NOW, now=NOW, half_life=D(days=30)) == pytest.approx(6.0)
    assert blend(9.0, NOW - D(days=60), now=NOW, half_life=D(days=30)) == pytest.approx(5.625)
    # A year old and 2.5 times as relevant: still ahead.
    assert blend(15.0, NOW - D(days=365), now=NOW, half_life=D(days=30)) > 6.0


def test_rank_recent_reranks_the_window_and_keeps_the_rest_in_relevance_order():
    old, new = (NOW - D(days=400)).toordinal(), NOW.toordinal()
    ranked = [(10.0 - i / 10_000, old if i % 2 else new, f"h{i}") for i in range(WINDOW + 10)]
    answer = rank_recent(ranked, now=NOW, half_life=D(days=30))
    ids = [item for _, item in answer]
    assert sorted(ids[:WINDOW]) == sorted(f"h{i}" for i in range(WINDOW))
    assert all(int(item[1:]) % 2 == 0 for item in ids[:WINDOW // 2])  # the new half first
    assert ids[WINDOW:] == [f"h{i}" for i in range(WINDOW, WINDOW + 10)]


def test_equal_blended_scores_rank_newer_first_then_as_ranked():
    ranked = [(0.0, 5, "a"), (0.0, 9, "b"), (0.0, 5, "c"), (0.0, 7, "d")]
    assert [item for _, item in rank_recent(ranked, now=NOW, half_life=D(days=1))] == ["b", "d", "a", "c"]
