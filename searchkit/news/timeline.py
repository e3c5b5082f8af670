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
from typing import Callable, Mapping, Optional

from searchkit.errors import InvalidOptionError
from searchkit.query.tree import DateRange
from searchkit.results import Bucket, Facets, Histogram

#: The bar widths, finest first.
INTERVALS = ("day", "week", "month", "quarter", "year")
#: What ``histogram=`` accepts: an interval, or ``"auto"`` to let the span choose.
HISTOGRAM_CHOICES = ("auto", *INTERVALS)
#: ``"auto"`` picks the finest interval giving this many bars or more, and no more than MAX_BARS.
MIN_BARS, MAX_BARS = 10, 60
#: No histogram has more bars than this (a day-by-day chart of 136 years); asking for more is refused.
MAX_BUCKETS = 50_000


def check_interval(value: str) -> str:
    """``value`` if it is one of :data:`HISTOGRAM_CHOICES`; else :class:`InvalidOptionError` naming them."""
    if value not in HISTOGRAM_CHOICES:
        raise InvalidOptionError(f"histogram interval must be one of {', '.join(HISTOGRAM_CHOICES)}, "
                                 f"not {value!r}")
    return value


# Buckets numbered consecutively (a day's ordinal, weeks since the Monday 0001-01-01, months since year
# 0, ...), with each number's first day: a histogram's hot loop is integer arithmetic, not date objects.
_NUMBERING: dict[str, tuple[Callable[[dt.date], int], Callable[[int], dt.date]]] = {
    "day": (dt.date.toordinal, dt.date.fromordinal),
    "week": (lambda d: (d.toordinal() - 1) // 7, lambda n: dt.date.fromordinal(n * 7 + 1)),
    "month": (lambda d: d.year * 12 + d.month - 1, lambda n: dt.date(n // 12, n % 12 + 1, 1)),
    "quarter": (lambda d: d.year * 4 + (d.month - 1) // 3, lambda n: dt.date(n // 4, n % 4 * 3 + 1, 1)),
    "year": (lambda d: d.year, lambda n: dt.date(n, 1, 1)),
}


def bucket_start(day: dt.date, interval: str) -> dt.date:
    """The first day of the ``interval`` holding ``day``."""
    number, start_of = _NUMBERING[interval]
    return start_of(number(day))


def bar_count(first: dt.date, last: dt.date, interval: str) -> int:
    """How many bars of ``interval`` cover ``first`` to ``last`` (inclusive)."""
    number = _NUMBERING[interval][0]
    return number(last) - number(first) + 1


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


def build(day_counts: Mapping[dt.date, int], interval: str, bounds: Optional[DateRange] = None, *,
          months: Optional[Mapping[int, int]] = None) -> Histogram:
    """The histogram of ``day_counts`` (matches per day, days without matches left out) in ``interval``
    bars, or ``"auto"``; ``bounds`` are the search's ``since``/``until`` (see the module docstring).
    ``months``: :func:`months` of ``day_counts``, when the caller has them already."""
    first = bounds.start if bounds is not None and bounds.start is not None else min(day_counts, default=None)
    last = bounds.end if bounds is not None and bounds.end is not None else max(day_counts, default=None)
    if first is None or last is None or first > last:
        return Histogram("day" if interval == "auto" else interval, ())
    if interval == "auto":
        interval = choose_interval(first, last)
    bars = bar_count(first, last, interval)
    if bars > MAX_BUCKETS:
        raise InvalidOptionError(f"a {interval} histogram from {first} to {last} would have {bars:,} bars "
                                 f"(at most {MAX_BUCKETS:,}): choose a longer interval or a shorter span")
    number, start_of = _NUMBERING[interval]
    per_bucket = _per_bucket(day_counts, interval, months)
    return Histogram(interval, tuple(Bucket(start_of(n), per_bucket.get(n, 0))
                                     for n in range(number(first), number(last) + 1)))



def facets(day_counts: Mapping[dt.date, int], *, months: Optional[Mapping[int, int]] = None) -> Facets:
    """The years and months of ``day_counts`` (matches per day) that have matches, each with its count;
    ``months`` as for :func:`build`."""
    months = months if months is not None else by_month(day_counts)
    return Facets(_nonempty(day_counts, "year", months), _nonempty(day_counts, "month", months))


def by_month(day_counts: Mapping[dt.date, int]) -> dict[int, int]:
    """The matches per month (numbered ``year * 12 + month - 1``), counted in one pass over the days: a
    page draws its histogram and both facets from them, over up to tens of thousands of days."""
    months: dict[int, int] = {}
    for day, count in day_counts.items():
        month = day.year * 12 + day.month - 1
        months[month] = months.get(month, 0) + count
    return months


def _nonempty(day_counts: Mapping[dt.date, int], interval: str,
              months: Mapping[int, int]) -> tuple[Bucket, ...]:
    start_of = _NUMBERING[interval][1]
    per_bucket = _per_bucket(day_counts, interval, months)
    return tuple(Bucket(start_of(n), per_bucket[n]) for n in sorted(per_bucket) if per_bucket[n])


def _per_bucket(day_counts: Mapping[dt.date, int], interval: str,
                months: Optional[Mapping[int, int]]) -> Mapping[int, int]:
    """The matches per bucket of ``interval``: days and weeks from the days, months, quarters and years
    summed from the months."""
    if interval in ("day", "week"):
        number = _NUMBERING[interval][0]
        per_bucket: Counter[int] = Counter()
        for day, count in day_counts.items():
            per_bucket[number(day)] += count
        return per_bucket
    months = months if months is not None else by_month(day_counts)
    if interval == "month":
        return months
    per = 3 if interval == "quarter" else 12
    summed: Counter[int] = Counter()
    for month, count in months.items():
        summed[month // per] += count
    return summed
