"""What the search page draws beside and above the hits: the timeline (bars with an axis, each a link),
the per-year, per-month and per-language facets, and the active filters as removable chips.

Every link narrows the search's date range to a bar or a facet: ``since``/``until`` in the URL, the range
cut to the one already asked for. Bars are SVG attributes in percent of the chart's width (the CSP
forbids inline styles), so the labels keep their size at any width.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Optional

from markupsafe import Markup, escape

from searchkit.cli import output
from searchkit.news.timeline import INTERVALS
from searchkit.query import parse_date_bound
from searchkit.results import Bucket, Facets, Histogram
from searchkit.text.languages import UNDETERMINED, language_name

#: The chart's height in pixels: the bars' area, and the axis labels under it.
CHART_TOP, CHART_BOTTOM, CHART_HEIGHT = 18, 118, 140
#: At most this many dates are written under the bars.
AXIS_LABELS = 6
#: More months than a year has are folded away under the years (a long list pushes the results down).
MONTHS_SHOWN = 12

UrlFor = Callable[..., str]


def narrower(url_for: UrlFor) -> Callable[[str, str], Markup]:
    """A function giving the search's URL narrowed to ``since``..``until`` (from page 1), HTML-escaped:
    the rest of the URL is encoded and escaped once, not once per bar (a page has up to 60 bars and a
    facet per month)."""
    base = url_for(since="", until="", page=1)
    escaped = escape(base + ("&" if "?" in base else "?"))
    # The bounds are dates written by DateRange.narrowed: digits and dashes, nothing to encode or escape.
    return lambda since, until: Markup(f"{escaped}since={since}&amp;until={until}")


def _last_day(start: dt.date, interval: str) -> dt.date:
    """The last day of the ``interval`` starting on ``start``."""
    if interval == "day":
        return start
    if interval == "week":
        return start + dt.timedelta(days=6)
    months = {"month": 1, "quarter": 3, "year": 12}[interval]
    following = start.year * 12 + start.month - 1 + months
    return dt.date(following // 12, following % 12 + 1, 1) - dt.timedelta(days=1)


def _whole(start: dt.date, end: dt.date, interval: str) -> tuple[str, str]:
    """How a whole bucket is written in a URL: ``1987`` or ``1987-03`` as both bounds, else its dates."""
    if interval in ("year", "month"):
        name = f"{start:%Y}" if interval == "year" else f"{start:%Y-%m}"
        return name, name
    return start.isoformat(), end.isoformat()


@dataclass(frozen=True)
class DateRange:
    """The since/until already asked for (``None``: open), to cut every narrowing link to."""

    since: Optional[dt.date]
    until: Optional[dt.date]

    @classmethod
    def of(cls, since: str, until: str, now: Optional[dt.date] = None) -> "DateRange":
        """The range ``since`` and ``until`` name, relative dates read on the day ``now`` (default today)."""
        return cls(parse_date_bound(since, end=False, now=now, option="since") if since else None,
                   parse_date_bound(until, end=True, now=now, option="until") if until else None)

    def narrowed(self, start: dt.date, interval: str) -> tuple[str, str]:
        """``since`` and ``until`` for the bucket starting on ``start``, within this range."""
        end = _last_day(start, interval)
        first = max(start, self.since) if self.since else start
        last = min(end, self.until) if self.until else end
        if (first, last) == (start, end):
            return _whole(start, end, interval)
        return first.isoformat(), last.isoformat()


@dataclass(frozen=True)
class Bar:
    """One bar of the timeline: percent across, pixels down; ``url`` is ``None`` for an empty bar."""

    x: float
    width: float
    y: float
    height: float
    label: str
    count: int
    since: str
    until: str
    url: Optional[Markup]  # escaped


@dataclass(frozen=True)
class Tick:
    x: float
    anchor: str  # SVG text-anchor: start, middle or end
    label: str
    minor: bool  # hidden at phone width, where fewer labels fit


def timeline(histogram: Optional[Histogram], dates: DateRange, url_for: UrlFor) -> Optional[dict[str, Any]]:
    """The timeline's bars, axis ticks and gridline labels; ``None`` when nothing matched."""
    if histogram is None or not any(bucket.count for bucket in histogram):
        return None
    most = max(bucket.count for bucket in histogram)
    narrowed = narrower(url_for)
    step = 100 / len(histogram)
    gap = min(step * 0.2, 0.6)
    bars = []
    for number, bucket in enumerate(histogram):
        height = round(bucket.count / most * (CHART_BOTTOM - CHART_TOP), 1) if bucket.count else 0.0
        since, until = dates.narrowed(bucket.start, histogram.interval)
        bars.append(Bar(round(number * step + gap / 2, 3), round(step - gap, 3),
                        round(CHART_BOTTOM - height, 1), height,
                        output.bucket_label(bucket.start, histogram.interval), bucket.count, since, until,
                        narrowed(since, until) if bucket.count else None))
    starts = [bucket.start for bucket in histogram]
    return {"bars": bars, "bars_svg": _bars_svg(bars), "ticks": _ticks(bars, step, starts),
            "interval": histogram.interval, "most": most, "top": CHART_TOP, "bottom": CHART_BOTTOM,
            "middle": (CHART_TOP + CHART_BOTTOM) / 2, "height": CHART_HEIGHT,
            "intervals": [(name, url_for(histogram=name, page=1)) for name in INTERVALS]}


def _bars_svg(bars: list[Bar]) -> Markup:
    """The bars as SVG, built here rather than in the template: a chart is up to 60 bars of a dozen
    attributes each, and Jinja's per-expression escaping made it most of a page's rendering time. The
    URLs come escaped (:func:`narrower`); the rest is searchkit's own numbers and dates (digits, dashes,
    ``Q``), nothing from the request or an article."""
    top, height = CHART_TOP, CHART_BOTTOM - CHART_TOP
    parts = []
    for bar in bars:
        area = f'<rect class="hit-area" x="{bar.x}%" y="{top}" width="{bar.width}%" height="{height}"/>'
        dates = f'data-since="{bar.since}" data-until="{bar.until}"'
        if bar.url is None:
            parts.append(f'<g class="bar empty" {dates}>{area}</g>')
            continue
        label = f"{bar.label}: {bar.count:,} {'match' if bar.count == 1 else 'matches'}"
        parts.append(f'<a class="bar" href="{bar.url}" data-soft {dates} aria-label="{label}">'
                     f'<title>{bar.label}: {bar.count:,}</title>{area}'
                     f'<rect x="{bar.x}%" y="{bar.y}" width="{bar.width}%" height="{bar.height}"/></a>')
    return Markup("".join(parts))


def _ticks(bars: list[Bar], step: float, starts: list[dt.date]) -> list[Tick]:
    """The first and last bars' labels, and between them, evenly spaced, the bars that start a year,
    else a quarter, else a month, when few enough do (a reader counts along round dates); otherwise
    bars chosen at an even spacing."""
    if len(bars) == 1:
        return [Tick(50.0, "middle", bars[0].label, False)]
    wanted = min(AXIS_LABELS, len(bars))
    last = len(bars) - 1
    keep_clear = max(1, round(len(bars) / (AXIS_LABELS * 1.5)))  # an end label needs room beside it
    chosen = sorted({round(n * last / (wanted - 1)) for n in range(wanted)})
    for starts_period in (_starts_year, _starts_quarter, _starts_month):
        round_dates = [number for number, start in enumerate(starts)
                       if starts_period(start) and keep_clear <= number <= last - keep_clear]
        if 1 <= len(round_dates) <= wanted - 2:
            chosen = [0, *round_dates, last]
            break
    centre = chosen[len(chosen) // 2]  # at phone width only the first, centre and last labels fit
    ticks = []
    for number in chosen:
        anchor = "start" if number == 0 else "end" if number == last else "middle"
        x = 0.0 if anchor == "start" else 100.0 if anchor == "end" else round((number + 0.5) * step, 3)
        ticks.append(Tick(x, anchor, bars[number].label, anchor == "middle" and number != centre))
    return ticks


def _starts_year(day: dt.date) -> bool:
    return day.month == 1 and day.day == 1


def _starts_quarter(day: dt.date) -> bool:
    return day.month in (1, 4, 7, 10) and day.day == 1


def _starts_month(day: dt.date) -> bool:
    return day.day == 1


@dataclass(frozen=True)
class FacetLink:
    label: str
    count: int
    share: float  # percent of the largest count in its list, for the row's bar
    url: Markup  # escaped
    current: bool


def facet_lists(facets: Optional[Facets], dates: DateRange, url_for: UrlFor,
                languages: tuple[str, ...] = ()) -> Optional[dict[str, Any]]:
    """The side column's years and months, each a link narrowing the dates, and (when the index holds
    more than one language) its languages, each a link narrowing to it (``languages``: those asked for
    already); ``None`` without matches."""
    if facets is None or not facets.years:
        return None
    narrowed = narrower(url_for)

    def links(buckets: tuple[Bucket, ...], interval: str, label: Callable[[dt.date], str]) -> list[FacetLink]:
        most = max(bucket.count for bucket in buckets)
        found = []
        for bucket in buckets:
            since, until = dates.narrowed(bucket.start, interval)
            current = (dates.since, dates.until) == (bucket.start, _last_day(bucket.start, interval))
            found.append(FacetLink(label(bucket.start), bucket.count, round(bucket.count / most * 100, 1),
                                   narrowed(since, until), current))
        return found

    months = links(facets.months, "month", lambda start: f"{start:%b %Y}")
    return {"years": links(facets.years, "year", lambda start: f"{start:%Y}"),
            "months": months, "fold_months": len(months) > MONTHS_SHOWN,
            "languages": language_links(facets, url_for, languages) if facets.index_languages > 1 else []}


def language_links(facets: Facets, url_for: UrlFor, languages: tuple[str, ...]) -> list[FacetLink]:
    """A link per language with matches, to the search narrowed to it (the rest of it kept)."""
    most = max((language.count for language in facets.languages), default=1)
    return [FacetLink(language.name, language.count, round(language.count / most * 100, 1),
                      escape(url_for(lang=language.code, page=1)), languages == (language.code,))
            for language in facets.languages]


@dataclass(frozen=True)
class Chip:
    label: str
    url: str  # the same search without this filter


def chips(form: Any, url_for: UrlFor) -> list[Chip]:
    """The filters in force, each with the URL that removes it (the query itself stays)."""
    found = []
    if form.since and form.since == form.until:
        found.append(Chip(f"Dated {form.since}", url_for(since="", until="", page=1)))
    else:
        if form.since:
            found.append(Chip(f"From {form.since}", url_for(since="", page=1)))
        if form.until:
            found.append(Chip(f"To {form.until}", url_for(until="", page=1)))
    if form.sort != "relevance":
        found.append(Chip(f"Sorted {form.sort}", url_for(sort="relevance", page=1)))
    if form.plain:
        found.append(Chip("Plain words", url_for(plain=False, page=1)))
    if not form.collapse:
        found.append(Chip("Every article", url_for(collapse=True, page=1)))
    if form.histogram and form.histogram != "auto":
        found.append(Chip(f"Timeline by {form.histogram}", url_for(histogram="", page=1)))
    for code in form.languages:
        others = ",".join(other for other in form.languages if other != code)
        label = "Language undetected" if code == UNDETERMINED else f"In {language_name(code)}"
        found.append(Chip(label, url_for(lang=others, page=1)))
    return found
