"""The one search path: a :class:`~searchkit.index.request.SearchPlan` run on an open engine reader,
answered as :class:`~searchkit.results.Results`.

Read top-down, a query goes: the engine's capabilities checked; the recency blend wrapped around the
reader when the plan sorts ``"recent"`` (:class:`~searchkit.news.recency.RecentRanking`); collapsing
by story (:func:`searchkit.news.collapse.search`) or one plain search; the histogram's bars and the
facets from the engine's per-day and per-language counts; and for a query that found nothing, a "did
you mean" (:mod:`searchkit.index.suggestions`), whose results are shown instead when it finds some.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Iterable, Iterator, Mapping, Optional

from searchkit.engines.base import Capability, Searcher, SearchRequest
from searchkit.engines.walk import query_languages
from searchkit.errors import QuerySyntaxError
from searchkit.index import suggestions
from searchkit.index.readers import OpenReader
from searchkit.index.request import SearchPlan, check_supported, with_languages
from searchkit.news import collapse, recency, timeline
from searchkit.news.recency import RecentRanking
from searchkit.query import parse
from searchkit.query import tree as t
from searchkit.query.rewrite import rewrite
from searchkit.query.tree import TEXT_FIELDS
from searchkit.results import Explanation, LanguageCount, Results
from searchkit.text.languages import UNDETERMINED, language_name
from searchkit.text.multilingual import analyzer_for


def search(opened: OpenReader, plan: SearchPlan, labels: collapse.LabelCache) -> Results:
    """Run ``plan`` on ``opened``, collapsing by the stories in ``labels`` when it asks to; when nothing
    matches, with a spelling suggestion, and the suggestion's results when the plan autocorrects."""
    check_supported(plan.request, opened.generation.engine)
    results = _run(opened, plan, labels)
    if results.total > 0 or Capability.SUGGEST not in opened.generation.engine.capabilities:
        return results
    typed = plan.request.query_text
    languages = query_languages(plan.request.tree, lambda: tuple(sorted(opened.languages())))
    fixes = suggestions.misspellings(opened.reader, typed, plain=plan.plain, languages=languages)
    if not fixes:
        return results
    suggestion = rewrite(typed, suggestions.as_written(fixes, _headlines_holding(opened, fixes.values())))
    if plan.autocorrect:
        try:
            tree = with_languages(parse(suggestion, plain=plan.plain, now=plan.today), plan.languages)
        except QuerySyntaxError:  # a rewrite that no longer parses is only offered
            tree = None
        if tree is not None:
            fixed = replace(plan, request=replace(plan.request, tree=tree, query_text=suggestion))
            corrected = _run(opened, fixed, labels)
            if corrected.total > 0:
                return replace(corrected, query=typed, suggestion=suggestion, corrected=True)
    return replace(results, suggestion=suggestion)


def _headlines_holding(opened: OpenReader, words: Iterable[str]) -> list[str]:
    """Headlines of a few articles holding ``words`` (spelling candidates, folded) in their headline,
    so that a suggestion can be written as they write it."""
    tree = t.Or(*(t.Term(word, field="headline") for word in sorted(set(words))))
    page = opened.reader.search(SearchRequest(tree=tree, query_text=str(tree), limit=20, snippets=False))
    return [hit.headline for hit in page.hits]


def _run(opened: OpenReader, plan: SearchPlan, labels: collapse.LabelCache) -> Results:
    request, engine = plan.request, opened.generation.engine
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
    index_dates = _index_dates(opened, request) if page.total == 0 else None
    chart = facets = None
    if request.count_days and page.day_counts is None:
        raise RuntimeError(f"the {engine.name} engine answered no day counts")
    if page.day_counts is not None and (plan.histogram is not None or plan.facets):
        months = timeline.by_month(page.day_counts)  # counted once for the chart and the facets
        if plan.histogram is not None:
            chart = timeline.build(page.day_counts, plan.histogram, request.date_filter, months=months)
        if plan.facets:
            if page.language_counts is None:
                raise RuntimeError(f"the {engine.name} engine answered no language counts")
            facets = replace(timeline.facets(page.day_counts, months=months),
                             languages=language_facet(page.language_counts),
                             index_languages=len(set(opened.languages()) - {UNDETERMINED}))
    return Results(query=request.query_text, total=page.total, offset=request.offset, hits=hits,
                   histogram=chart, stories=stories, index_dates=index_dates, facets=facets)


def language_facet(counts: Mapping[str, int]) -> tuple[LanguageCount, ...]:
    """Matches per language as the facet lists them: most first, then by code."""
    return tuple(LanguageCount(code, language_name(code), count)
                 for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if count)


def word_frequencies(opened: OpenReader, words: list[str], language: Optional[str]) -> dict[str, int]:
    """Articles holding each word (analysed, in ``language``: English by default) in the field that holds
    it most (``Index.word_frequencies``)."""
    analyzer = analyzer_for(language)
    stems = {word: (analyzer.words(word) or [""])[-1] for word in words}
    asked = sorted({stem for stem in stems.values() if stem})
    counts = [opened.reader.document_frequencies(name, asked) if asked else {} for name in TEXT_FIELDS]
    return {word: max(count.get(stem, 0) for count in counts) if stem else 0 for word, stem in stems.items()}


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


def explain(opened: OpenReader, plan: SearchPlan) -> Explanation:
    """What :meth:`Index.explain` says: the tree, the engine's query, the filter and the blend."""
    request, engine = plan.request, opened.generation.engine
    check_supported(request, engine)
    ranking = None
    if plan.recency is not None:
        ranking = recency.describe(plan.recency.half_life, plan.recency.now)
    elif plan.sort == "recent":
        ranking = "no words to score, so newest first (as sort newest)"
    return Explanation(tree=str(request.tree), engine_query=opened.reader.explain(request),
                       date_filter=str(request.date_filter) if request.date_filter else None,
                       engine=engine.name, ranking=ranking)
