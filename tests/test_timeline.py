"""Histogram buckets from per-day counts, without an index: intervals, empty buckets, the auto interval."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchkit.errors import InvalidOptionError
from searchkit.news.timeline import (
    INTERVALS,
    MAX_BARS,
    MAX_BUCKETS,
    MIN_BARS,
    bar_count,
    bucket_start,
    build,
    check_interval,
    choose_interval,
)
from searchkit.query import DateRange
from searchkit.results import Bucket

day = dt.date.fromisoformat


def test_bucket_starts_weeks_on_monday_and_quarters_on_their_first_month():
    sunday = day("2017-01-01")
    assert [bucket_start(sunday, interval) for interval in INTERVALS] == [
        sunday, day("2016-12-26"), day("2017-01-01"), day("2017-01-01"), day("2017-01-01")]
    assert bucket_start(day("2017-08-17"), "quarter") == day("2017-07-01")
    assert bucket_start(day("2017-08-17"), "week") == day("2017-08-14")  # a Thursday's Monday
    assert bucket_start(day("2017-08-14"), "week") == day("2017-08-14")


def test_buckets_are_counted_with_the_empty_ones_between():
    counts = {day("1987-03-02"): 5, day("1987-03-31"): 2, day("1987-06-15"): 1}
    histogram = build(counts, "month")
    assert histogram.interval == "month"
    assert list(histogram) == [Bucket(day("1987-03-01"), 7), Bucket(day("1987-04-01"), 0),
                               Bucket(day("1987-05-01"), 0), Bucket(day("1987-06-01"), 1)]
    assert [b.count for b in build(counts, "quarter")] == [7, 1]
    assert [b.start for b in build(counts, "year")] == [day("1987-01-01")]
    assert len(build(counts, "day")) == (day("1987-06-15") - day("1987-03-02")).days + 1


def test_since_and_until_stretch_the_chart_and_open_ends_stop_at_the_matches():
    counts = {day("2017-05-10"): 3}
    both = build(counts, "year", DateRange(day("2015-06-01"), day("2018-02-01")))
    assert [(b.start.year, b.count) for b in both] == [(2015, 0), (2016, 0), (2017, 3), (2018, 0)]
    since = build(counts, "year", DateRange(day("2016-01-01"), None))
    assert [(b.start.year, b.count) for b in since] == [(2016, 0), (2017, 3)]
    assert list(build({}, "month", DateRange(day("2017-01-01"), day("2017-03-31")))) == [
        Bucket(day("2017-01-01"), 0), Bucket(day("2017-02-01"), 0), Bucket(day("2017-03-01"), 0)]


def test_no_matches_and_no_bounds_make_an_empty_histogram():
    assert build({}, "auto").buckets == () and build({}, "week").interval == "week"
    backwards = DateRange(day("2018-01-01"), day("2017-01-01"))
    assert build({day("2017-01-01"): 1}, "auto", backwards).buckets == ()


def test_auto_gives_10_to_60_bars_for_forty_years_and_for_three_weeks():
    forty_years = {day("1980-03-04"): 1, day("2019-11-30"): 2}
    chart = build(forty_years, "auto")
    assert chart.interval == "year" and MIN_BARS <= len(chart) <= MAX_BARS
    three_weeks = {day("2017-06-01"): 4, day("2017-06-21"): 1}
    chart = build(three_weeks, "auto")
    assert chart.interval == "day" and MIN_BARS <= len(chart) <= MAX_BARS


@settings(max_examples=300, deadline=None, derandomize=True)
@given(first=st.dates(dt.date(1800, 1, 1), dt.date(2200, 1, 1)),
       days=st.integers(9, 59 * 365))  # at most 60 calendar years
def test_auto_gives_10_to_60_bars_wherever_an_interval_can(first, days):
    last = first + dt.timedelta(days=days)
    bars = bar_count(first, last, choose_interval(first, last))
    if 61 <= days + 1 <= 63:  # the documented gap: 61 to 63 days may make 9 weeks
        assert 9 <= bars <= MAX_BARS
    else:
        assert MIN_BARS <= bars <= MAX_BARS, (first, last)


def test_auto_falls_back_to_days_for_short_spans_and_years_for_long_ones():
    assert choose_interval(day("2017-01-01"), day("2017-01-03")) == "day"
    assert choose_interval(day("1900-01-01"), day("2017-01-03")) == "year"
    assert choose_interval(day("2010-01-01"), day("2017-01-03")) == "quarter"


def test_counts_add_up_per_bucket_as_a_brute_force_count_does():
    rng = random.Random(3)
    counts = Counter(day("1990-01-01") + dt.timedelta(days=rng.randrange(9000)) for _ in range(2000))
    for interval in INTERVALS:
        chart = build(counts, interval)
        starts = [b.start for b in chart]
        assert starts == sorted(starts) and len(set(starts)) == len(starts)
        for bucket, following in zip(chart, [*starts[1:], dt.date.max], strict=True):
            assert bucket.count == sum(n for d, n in counts.items() if bucket.start <= d < following)


def test_unknown_intervals_are_refused_with_the_accepted_ones():
    with pytest.raises(InvalidOptionError, match=r"^histogram interval must be one of auto, day, week, "
                                                 r"month, quarter, year, not 'fortnight'$"):
        check_interval("fortnight")
    assert check_interval("auto") == "auto"


def test_a_histogram_of_too_many_bars_is_refused():
    with pytest.raises(InvalidOptionError, match="at most 50,000"):
        build({day("1800-01-01"): 1, day("2017-01-01"): 1}, "day")
    assert len(build({day("1800-01-01"): 1, day("2017-01-01"): 1}, "week")) < MAX_BUCKETS
