"""Collapsing search results: one hit per story, its near-duplicates named under it (engine-neutral).

The engine ranks as always and also says which articles with near-duplicates match
(:attr:`~searchkit.engines.base.SearchRequest.find_ids`). From those, and the story of each
(:mod:`searchkit.stories`), follow exactly:

- how many stories matched: every match, less the matches that share a story with a better one;
- each shown hit's ``similar`` ids: the other matches of its story, wherever they rank;
- how far down the ranking a page of stories can reach: never more than ``hidden`` hits past the
  ``offset + limit`` wanted, ``hidden`` being the number of matches collapsed away.

The first request fetches the hits wanted, as without collapsing. Only when some of them are collapsed
away and more matches exist do more requests follow: the ranking (without snippets) to
:data:`NEAR_REACH` times the hits wanted, then to the full reach if that was not enough, and the page's
span again with snippets. Snippets cost more than a repeated query on most engines, so fetching extra
hits with snippets up front would not pay. The best hit of a story is the first in the requested order:
the most relevant, or the newest with ``sort="newest"``.
"""

from __future__ import annotations

import dataclasses
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


@dataclasses.dataclass(frozen=True)
class StoryLabels:
    """The stories of one generation's articles that have near-duplicates."""

    by_id: dict[str, int]
    members: dict[int, tuple[str, ...]]
    ids: frozenset[str]

    @classmethod
    def of(cls, by_id: dict[str, int]) -> "StoryLabels":
        members: dict[int, list[str]] = defaultdict(list)
        for article_id, story in by_id.items():
            members[story].append(article_id)
        return cls(by_id, {story: tuple(sorted(ids)) for story, ids in members.items()}, frozenset(by_id))


NO_STORIES = StoryLabels.of({})


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
        labels = StoryLabels.of(stories.read_labels(folder))
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
    wanted = request.offset + request.limit
    ask = dataclasses.replace(request, offset=0, limit=wanted, find_ids=labels.ids)
    if not labels.ids:
        first = run(dataclasses.replace(request, find_ids=frozenset()))
        return Collapsed(first, first.hits, first.total)
    first = run(ask)
    found = first.found_ids & labels.ids
    hidden = len(found) - len({labels.by_id[article_id] for article_id in found})
    shown = [first.hits[at] for at in _best_of_each_story(first.hits, labels)]
    if len(shown) < wanted and len(first.hits) < first.total:
        # Collapsed rewrites cluster near the top for some queries only: reach a little further first.
        for reach in sorted({min(wanted + hidden, NEAR_REACH * wanted), wanted + hidden}):
            shown = _reach_further(run, ask, labels, reach, request.offset)
            if len(shown) >= wanted:
                break
    hits = tuple(_with_similar(hit, labels, found) for hit in shown[request.offset:wanted])
    return Collapsed(first, hits, first.total - hidden)


def _reach_further(run: Callable[[SearchRequest], Page], ask: SearchRequest, labels: StoryLabels,
                   reach: int, offset: int) -> list[Hit]:
    """The best hit of each story among the first ``reach`` hits. They are ranked without snippets, and
    the span from the first hit on the page to the last fetched again with them: snippets of every hit
    within reach could cost many times the query."""
    quiet = dataclasses.replace(ask, limit=reach, find_ids=frozenset(), count_days=False, snippets=False)
    ranking = run(quiet).hits
    positions = _best_of_each_story(ranking, labels)
    wanted = positions[offset:ask.limit]
    if not ask.snippets or not wanted:
        return [ranking[at] for at in positions]
    start, end = wanted[0], wanted[-1] + 1
    span = run(dataclasses.replace(quiet, offset=start, limit=end - start, snippets=True)).hits
    with_snippets = {hit.id: hit for hit in span}
    return [with_snippets.get(ranking[at].id, ranking[at]) if at >= start else ranking[at]
            for at in positions]


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
