"""The one search path: a :class:`~searchkit.index.request.SearchPlan` run on an open engine reader,
answered as :class:`~searchkit.results.Results`.

Read top-down, a query goes: the engine's capabilities checked; the recency blend wrapped around the
reader when the plan sorts ``"recent"`` (:class:`~searchkit.news.recency.RecentRanking`); collapsing
by story (:func:`searchkit.news.collapse.search`) or one plain search; a "did you mean" for a query
that found nothing; the histogram's bars and the facets from the engine's per-day counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterator, Optional

from searchkit.engines.base import Capability, Searcher, SearchRequest
from searchkit.index.readers import OpenReader
from searchkit.index.request import SearchPlan, check_supported, words_to_suggest
from searchkit.news import collapse, timeline
from searchkit.news.recency import RecentRanking
from searchkit.query import tree as t
from searchkit.results import Results


def search(opened: OpenReader, plan: SearchPlan, labels: collapse.LabelCache) -> Results:
    """Run ``plan`` on ``opened``, collapsing by the stories in ``labels`` when it asks to."""
    request, engine = plan.request, opened.generation.engine
    check_supported(request, engine)
    reader: Searcher = opened.reader
    if plan.recency is not None:
        reader = RecentRanking(opened.reader, half_life=plan.recency.half_life, now=plan.recency.now,
                               newest=opened.newest)
    stories = None
    if plan.collapse:
        kept = opened.story_keeping is not None and opened.story_keeping.keeps_stories()
        collapsed = collapse.search(reader, request, labels=labels, folder=opened.generation.folder,
                                    kept=kept)
        page, hits, stories = collapsed.first, collapsed.hits, collapsed.stories
    else:
        page = reader.search(request)
        hits = page.hits
    suggestion = None
    if page.total == 0:
        words = words_to_suggest(request.tree)
        if words and Capability.SUGGEST in engine.capabilities:
            suggestion = opened.reader.suggest(words)
    index_dates = _index_dates(opened, request) if page.total == 0 else None
    chart = facets = None
    if request.count_days and page.day_counts is None:
        raise RuntimeError(f"the {engine.name} engine answered no day counts")
    if plan.histogram is not None and page.day_counts is not None:
        chart = timeline.build(page.day_counts, plan.histogram, request.date_filter)
    if plan.facets and page.day_counts is not None:
        facets = timeline.facets(page.day_counts)
    return Results(query=request.query_text, total=page.total, offset=request.offset, hits=hits,
                   suggestion=suggestion, histogram=chart, stories=stories, index_dates=index_dates,
                   facets=facets)


def _index_dates(opened: OpenReader, request: SearchRequest) -> Optional[tuple[dt.date, dt.date]]:
    """The index's first and last article dates, when a date the query asks for (a ``date:`` clause or
    the since/until filter) lies wholly outside them: the reason nothing matched, worth telling."""
    asked = list(_dates_asked(request.tree))
    if request.date_filter is not None:
        asked.append(request.date_filter)
    if not asked:
        return None
    dates = opened.dates()
    if dates.first is None or dates.last is None:
        return None
    first, last = dates.first, dates.last
    outside = any((wanted.end is not None and wanted.end < first) or
                  (wanted.start is not None and wanted.start > last) for wanted in asked)
    return (first, last) if outside else None


def _dates_asked(node: t.Node) -> Iterator[t.DateRange]:
    """The date clauses of a tree that restrict it (not those under a NOT)."""
    if isinstance(node, t.DateRange):
        yield node
    elif isinstance(node, (t.And, t.Or)):
        for child in node.children:
            yield from _dates_asked(child)
