"""Collapsing search results: one hit per story, its near-duplicates named under it (engine-neutral).

The engine ranks as always and also says which articles with near-duplicates match
(:attr:`~searchkit.engines.base.SearchRequest.find_ids`), with the story of each read from
:mod:`searchkit.news.stories`; or, when the engine keeps the stories itself
(:class:`~searchkit.engines.base.StoryKeepingReader`: Tantivy), it tells the stories of the hits
and how many matches collapse away (:attr:`~searchkit.engines.base.SearchRequest.with_stories`), and
no labels are read at all: at a million articles reading and looking up the labels costs more than
the query (docs/duplicates.md). Either way follow exactly:

- how many stories matched: every match, less the matches that share a story with a better one;
- each shown hit's ``similar`` ids: the other matches of its story, wherever they rank;
- how far down the ranking a page of stories can reach: never more than ``hidden`` hits past the
  ``offset + limit`` wanted, ``hidden`` being the number of matches collapsed away.

The first request ranks from the top to the last hit wanted (with snippets on the first page, whose
hits are the page's). Only when some of them are collapsed away and more matches exist does the ranking
reach further (without snippets): to :data:`NEAR_REACH` times the hits wanted, then to the full reach if
that was not enough. A page whose hits came without snippets gets them from one more request for its
hits' positions (:attr:`~searchkit.engines.base.SearchRequest.at`). Snippets cost more than a repeated
query on most engines, so snippets for every hit ranked above a page would not pay. The best hit of a
story is the first in the requested order:
the most relevant, or the newest with ``sort="newest"``.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import threading
from collections import defaultdict
from pathlib import Path
from typing import Mapping, Optional

from searchkit.engines.base import Page, PageStories, Searcher, SearchRequest
from searchkit.news import stories
from searchkit.results import Hit

#: How far past the hits wanted (as a multiple of them) a page looks first for hits of other stories.
NEAR_REACH = 4
#: The sorts by date alone, under which a story's rewrites rank side by side.
DATE_SORTS = ("newest", "oldest")


class StoryLabels:
    """The stories of one generation's articles that have near-duplicates: ``by_id`` maps each such
    article to its story's number, ``ids`` holds them all, ``members`` each story's ids (sorted)."""

    def __init__(self, by_id: dict[str, int]) -> None:
        self.by_id = by_id
        self.ids = frozenset(by_id)

    @functools.cached_property
    def members(self) -> dict[int, tuple[str, ...]]:
        # Only the shown hits' stories and `searchkit duplicates` need them: not built for every query.
        grouped: dict[int, list[str]] = defaultdict(list)
        for article_id, story in self.by_id.items():
            grouped[story].append(article_id)
        return {story: tuple(sorted(ids)) for story, ids in grouped.items()}


NO_STORIES = StoryLabels({})


class LabelCache:
    """Each generation's story labels, read again only when its stories file changes. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cached: dict[Path, tuple[tuple[int, int], StoryLabels]] = {}

    def labels(self, folder: Path) -> StoryLabels:
        try:
            status = os.stat(stories.store_path(folder))
        except FileNotFoundError:
            return NO_STORIES
        stamp = (status.st_mtime_ns, status.st_size)
        with self._lock:
            cached = self._cached.get(folder)
            if cached is not None and cached[0] == stamp:
                return cached[1]
        labels = StoryLabels(stories.read_labels(folder))
        with self._lock:
            self._cached = {folder: (stamp, labels)}  # only the live generation is asked for
        return labels


@dataclasses.dataclass(frozen=True)
class Collapsed:
    """A collapsed answer: the first engine page (total, day counts), the page of stories, and how many
    stories matched."""

    first: Page
    hits: tuple[Hit, ...]
    stories: int


class _ByLabels:
    """What collapsing knows of one query's stories from searchkit's labels and the engine's found_ids."""

    def __init__(self, first: Page, labels: StoryLabels) -> None:
        self.labels, self.story_of = labels, labels.by_id
        self.found = first.found_ids & labels.ids
        self.hidden = len(self.found) - len({labels.by_id[article_id] for article_id in self.found})

    def learn(self, page: Page) -> None:
        """Nothing to learn from another page: the labels and found_ids cover every match."""

    def similar(self, hit: Hit) -> tuple[str, ...]:
        """The other matches of ``hit``'s story (sorted ids)."""
        story = self.story_of.get(hit.id)
        if story is None:
            return ()
        return tuple(i for i in self.labels.members[story] if i != hit.id and i in self.found)


class _ByEngine:
    """What collapsing knows of one query's stories from what the engine told of the pages so far."""

    def __init__(self, first: Page) -> None:
        told = _stories(first)
        self.story_of, self.matching = dict(told.of_hits), dict(told.matching)
        self.hidden = told.hidden or 0

    def learn(self, page: Page) -> None:
        """Take in what the engine told of another page's hits."""
        told = _stories(page)
        self.story_of.update(told.of_hits)
        self.matching.update(told.matching)

    def similar(self, hit: Hit) -> tuple[str, ...]:
        story = self.story_of.get(hit.id)
        return tuple(i for i in self.matching.get(story, ()) if i != hit.id) if story is not None else ()


class _CannotTell(Exception):
    """The engine found it could not tell the stories after all (its copy of them unreadable)."""


def _stories(page: Page) -> PageStories:
    if page.stories is None:
        raise _CannotTell()
    return page.stories


def search(reader: Searcher, request: SearchRequest, *, labels: LabelCache, folder: Path,
           kept: bool) -> Collapsed:
    """Run ``request`` on ``reader`` with results collapsed by story: by the stories the engine keeps
    when ``kept`` (a :class:`~searchkit.engines.base.StoryKeepingReader` that keeps them), else (or
    when the engine cannot tell them after all) by the labels of generation ``folder``."""
    if kept:
        try:
            return _collapse(reader, request, None)
        except _CannotTell:
            pass
    return _collapse(reader, request, labels.labels(folder))


def _collapse(reader: Searcher, request: SearchRequest, labels: Optional[StoryLabels]) -> Collapsed:
    """:func:`search` by ``labels``, or with ``labels=None`` by the engine's stories."""
    if labels is not None and not labels.ids:
        first = reader.search(dataclasses.replace(request, find_ids=frozenset()))
        return Collapsed(first, first.hits, first.total)
    kept = labels is None
    wanted = request.offset + request.limit
    # From the top, whatever the page: which hits a page of stories shows depends on the hits above it.
    ask = dataclasses.replace(request, offset=0, limit=wanted, snippets=False, with_stories=kept)
    first_snippets = request.snippets and not request.offset  # page 1: the hits fetched are the page's
    # By labels, the first request (it finds ids) is ranked NEAR_REACH deep, so that reaching further
    # below reuses the engine's ranking instead of searching every match again (Whoosh: the cost of
    # the query). On an engine that keeps the stories (Tantivy) it measured no better for relevance:
    # the deeper ranking costs every query a little, for the few that reach further; but by date a
    # story's rewrites sit side by side (one day's wires), so most pages reach further there.
    deep = not kept or request.sort in DATE_SORTS
    first = reader.search(dataclasses.replace(ask, find_ids=labels.ids if labels is not None else frozenset(),
                                              count_collapsed=kept, snippets=first_snippets,
                                              rank_depth=NEAR_REACH * wanted if deep else 0))
    told: _ByLabels | _ByEngine = _ByLabels(first, labels) if labels is not None else _ByEngine(first)
    ranking, positions = first.hits, _best_of_each_story(first.hits, told.story_of)
    if len(positions) < wanted and len(ranking) < first.total:
        # Collapsed rewrites cluster near the top for some queries only: reach a little further first.
        for reach in sorted({min(wanted + told.hidden, NEAR_REACH * wanted), wanted + told.hidden}):
            further = reader.search(dataclasses.replace(ask, limit=reach, count_days=False,
                                                        count_languages=False))
            told.learn(further)
            ranking = further.hits
            positions = _best_of_each_story(ranking, told.story_of)
            if len(positions) >= wanted:
                break
    page = positions[request.offset:wanted]
    hits = [ranking[at] for at in page]
    if request.snippets and page and not (first_snippets and ranking is first.hits):
        hits = list(reader.search(dataclasses.replace(ask, limit=len(page), at=tuple(page), snippets=True,
                                                      with_stories=False, count_days=False,
                                                      count_languages=False)).hits)
    return Collapsed(first, tuple(_with_similar(hit, told) for hit in hits), first.total - told.hidden)


def _best_of_each_story(hits: tuple[Hit, ...], story_of: Mapping[str, int]) -> list[int]:
    """The positions of the first hit of each story in ``hits``."""
    seen: set[int] = set()
    shown = []
    for at, hit in enumerate(hits):
        story: Optional[int] = story_of.get(hit.id)
        if story is not None:
            if story in seen:
                continue
            seen.add(story)
        shown.append(at)
    return shown


def _with_similar(hit: Hit, told: _ByLabels | _ByEngine) -> Hit:
    similar = told.similar(hit)
    return dataclasses.replace(hit, similar=similar) if similar else hit
