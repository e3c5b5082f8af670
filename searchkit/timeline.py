"""Histograms of matches over time, from the per-day counts an engine returns (engine-neutral).

An engine counts every match per day in the same pass that counts the total
(:attr:`~searchkit.engines.base.SearchRequest.count_days`); grouping the days into bars is done here, once
for every engine. A week starts on Monday (ISO 8601); a quarter on 1 January, April, July or October.

The bars run from the bucket of the first day to the bucket of the last, empty ones included. The first
day is ``since`` when given, else the oldest match; the last is ``until`` when given, else the newest
match. So ``--since 2017 --until 2018`` draws both years even where nothing matched, and without bounds
the chart spans exactly the matches.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Mapping, Optional

from searchkit.errors import InvalidOptionError
from searchkit.query.tree import DateRange
from searchkit.results import Bucket, Histogram

#: The bar widths, finest first.
INTERVALS = ("day", "week", "month", "quarter", "year")
#: What ``histogram=`` accepts: an interval, or ``"auto"`` to let the span choose.
HISTOGRAM_CHOICES = ("auto", *INTERVALS)
#: ``"auto"`` picks the finest interval giving this many bars or more, and no more than MAX_BARS.
MIN_BARS, MAX_BARS = 10, 60
#: No histogram has more bars than this (a day-by-day chart of 136 years); asking for more is refused.
MAX_BUCKETS = 50_000
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def check_interval(value: str) -> str:
    """``value`` if it is one of :data:`HISTOGRAM_CHOICES`; else :class:`InvalidOptionError` naming them."""
    if value not in HISTOGRAM_CHOICES:
        raise InvalidOptionError(f"histogram interval must be one of {', '.join(HISTOGRAM_CHOICES)}, "
                                 f"not {value!r}")
    return value


def bucket_start(day: dt.date, interval: str) -> dt.date:
    """The first day of the ``interval`` holding ``day``."""
    if interval == "day":
        return day
    if interval == "week":
        return day - dt.timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    if interval == "quarter":
        return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if interval == "year":
        return dt.date(day.year, 1, 1)
    raise ValueError(f"unknown interval {interval!r}")


def next_start(start: dt.date, interval: str) -> dt.date:
    """The first day of the bucket after the one starting on ``start``."""
    if interval == "day":
        return start + dt.timedelta(days=1)
    if interval == "week":
        return start + dt.timedelta(days=7)
    index = start.year * 12 + start.month - 1 + _MONTHS[interval]
    return dt.date(index // 12, index % 12 + 1, 1)


def bar_count(first: dt.date, last: dt.date, interval: str) -> int:
    """How many bars of ``interval`` cover ``first`` to ``last`` (inclusive)."""
    a, b = bucket_start(first, interval), bucket_start(last, interval)
    if interval == "day":
        return (b - a).days + 1
    if interval == "week":
        return (b - a).days // 7 + 1
    months = (b.year - a.year) * 12 + b.month - a.month
    return months // _MONTHS[interval] + 1


def choose_interval(first: dt.date, last: dt.date) -> str:
    """The finest interval that draws ``first`` to ``last`` in MIN_BARS to MAX_BARS bars. A span too short
    for MIN_BARS even by day gets days; one over MAX_BARS years gets years; the rare span that fits none
    (61 to 69 days may make 9 weeks) gets the finest interval with at most MAX_BARS bars."""
    counts = {interval: bar_count(first, last, interval) for interval in INTERVALS}
    for interval in INTERVALS:
        if MIN_BARS <= counts[interval] <= MAX_BARS:
            return interval
    for interval in INTERVALS:
        if counts[interval] <= MAX_BARS:
            return interval
    return "year"


def build(day_counts: Mapping[dt.date, int], interval: str, bounds: Optional[DateRange] = None) -> Histogram:
    """The histogram of ``day_counts`` (matches per day, days without matches left out) in ``interval``
    bars, or ``"auto"``; ``bounds`` are the search's ``since``/``until`` (see the module docstring)."""
    days = [day for day, count in day_counts.items() if count]
    first = bounds.start if bounds is not None and bounds.start is not None else min(days, default=None)
    last = bounds.end if bounds is not None and bounds.end is not None else max(days, default=None)
    if first is None or last is None or first > last:
        return Histogram("day" if interval == "auto" else interval, ())
    if interval == "auto":
        interval = choose_interval(first, last)
    bars = bar_count(first, last, interval)
    if bars > MAX_BUCKETS:
        raise InvalidOptionError(f"a {interval} histogram from {first} to {last} would have {bars:,} bars "
                                 f"(at most {MAX_BUCKETS:,}): choose a longer interval or a shorter span")
    per_bucket: Counter[dt.date] = Counter()
    for day, count in day_counts.items():
        per_bucket[bucket_start(day, interval)] += count
    buckets = []
    start, end = bucket_start(first, interval), bucket_start(last, interval)
    while True:
        buckets.append(Bucket(start, per_bucket.get(start, 0)))
        if start >= end:
            break
        start = next_start(start, interval)
    return Histogram(interval, tuple(buckets))
