"""Collapsing search results: one hit per story, its near-duplicates named under it (engine-neutral).

The engine ranks as always and also says which articles with near-duplicates match
(:attr:`~searchkit.engines.base.SearchRequest.find_ids`). From those, and the story of each
(:mod:`searchkit.stories`), follow exactly:

- how many stories matched: every match, less the matches that share a story with a better one;
- each shown hit's ``similar`` ids: the other matches of its story, wherever they rank;
- how far down the ranking a page of stories can reach: never more than ``hidden`` hits past the
  ``offset + limit`` wanted, ``hidden`` being the number of matches collapsed away.

The first request ranks from the top to the last hit wanted (with snippets on the first page, whose
hits are the page's). Only when some of them are collapsed away and more matches exist does the ranking
reach further (without snippets): to :data:`NEAR_REACH` times the hits wanted, then to the full reach if
that was not enough. A page whose hits came without snippets gets them from one more request for its
span. Snippets cost more than a repeated query on most engines, so snippets for every hit ranked above
a page would not pay. The best hit of a story is the first in the requested order:
the most relevant, or the newest with ``sort="newest"``.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import threading
from collections import defaultdict
from pathlib import Path
from typing import Callable, Optional

from searchkit import stories
from searchkit.engines.base import Page, SearchRequest
from searchkit.results import Hit

#: How far past the hits wanted (as a multiple of them) a page looks first for hits of other stories.
NEAR_REACH = 4


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


def search(run: Callable[[SearchRequest], Page], request: SearchRequest, labels: StoryLabels) -> Collapsed:
    """Run ``request`` through ``run`` (an engine reader's search) with results collapsed by story."""
    if not labels.ids:
        first = run(dataclasses.replace(request, find_ids=frozenset()))
        return Collapsed(first, first.hits, first.total)
    wanted = request.offset + request.limit
    # From the top, whatever the page: which hits a page of stories shows depends on the hits above it.
    ask = dataclasses.replace(request, offset=0, limit=wanted, snippets=False)
    first_snippets = request.snippets and not request.offset  # page 1: the hits fetched are the page's
    first = run(dataclasses.replace(ask, find_ids=labels.ids, snippets=first_snippets))
    found = first.found_ids & labels.ids
    hidden = len(found) - len({labels.by_id[article_id] for article_id in found})
    ranking, positions = first.hits, _best_of_each_story(first.hits, labels)
    if len(positions) < wanted and len(ranking) < first.total:
        # Collapsed rewrites cluster near the top for some queries only: reach a little further first.
        for reach in sorted({min(wanted + hidden, NEAR_REACH * wanted), wanted + hidden}):
            ranking = run(dataclasses.replace(ask, limit=reach, count_days=False)).hits
            positions = _best_of_each_story(ranking, labels)
            if len(positions) >= wanted:
                break
    page = positions[request.offset:wanted]
    hits = [ranking[at] for at in page]
    if request.snippets and page and not (first_snippets and ranking is first.hits):
        hits = _with_snippets(run, ask, hits, page)
    return Collapsed(first, tuple(_with_similar(hit, labels, found) for hit in hits), first.total - hidden)


def _with_snippets(run: Callable[[SearchRequest], Page], ask: SearchRequest, hits: list[Hit],
                   positions: list[int]) -> list[Hit]:
    """``hits`` (at ``positions`` of the ranking, ascending) with their snippets: the span from the first
    to the last fetched again with them, rather than snippets for every hit ranked above the page."""
    start, end = positions[0], positions[-1] + 1
    span = run(dataclasses.replace(ask, offset=start, limit=end - start, snippets=True)).hits
    with_snippets = {hit.id: hit for hit in span}
    return [with_snippets.get(hit.id, hit) for hit in hits]


def _best_of_each_story(hits: tuple[Hit, ...], labels: StoryLabels) -> list[int]:
    """The positions of the first hit of each story in ``hits``."""
    seen: set[int] = set()
    shown = []
    for at, hit in enumerate(hits):
        story: Optional[int] = labels.by_id.get(hit.id)
        if story is not None:
            if story in seen:
                continue
            seen.add(story)
        shown.append(at)
    return shown


def _with_similar(hit: Hit, labels: StoryLabels, found: frozenset[str]) -> Hit:
    story = labels.by_id.get(hit.id)
    if story is None:
        return hit
    similar = tuple(i for i in labels.members[story] if i != hit.id and i in found)
    return dataclasses.replace(hit, similar=similar) if similar else hit
