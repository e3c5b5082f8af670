"""Relevance blended with freshness (``sort="recent"``), one rule for every engine; see docs/news.md.

    blended = relevance * (FLOOR + (1 - FLOOR) * 2 ** (-age / half_life))

``age`` is how many days an article is older than ``now`` (0 for articles dated on or after it). The
freshness factor falls from 1 (dated ``now``) through 0.75 (one half-life old) towards ``FLOOR`` = 0.5,
never below it: so among comparably relevant stories the fresher ranks first, while a story more than
twice as relevant always beats a fresher one, however old it is. The blend multiplies, so it does not
care how large an engine's scores run (BM25 scores differ by query, corpus and engine). Equal blended
scores (every score 0, as for ``*``) rank newer first.

Engines rank by relevance, then call :func:`rank_recent` on their best :data:`WINDOW` hits; hits beyond
the window keep their relevance order. Paging is consistent: the window is the same for every page. A
query with no words to score (``*``, a date range, only exclusions) has no relevance to blend:
``Index.search`` runs it as ``sort="newest"`` (see :func:`searchkit.index.request.has_scored_words`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Callable, Optional, Sequence, TypeVar, Union

from searchkit.engines.base import Page, PageStories, Searcher, SearchRequest
from searchkit.errors import InvalidOptionError

#: The freshness factor of a very old article: the most that freshness can be worth is 1/FLOOR times.
FLOOR = 0.5
DEFAULT_HALF_LIFE = dt.timedelta(days=30)
#: How many of the most relevant hits are reranked by the blend.
WINDOW = 1000
#: Days per half-life unit: ``30d``, ``2w``, ``6m`` (a month is 30 days), ``1y`` (a year is 365 days).
UNITS = {"d": 1, "w": 7, "m": 30, "y": 365}
ACCEPTED = "a number and a unit: 30d, 2w, 6m or 1y (days, weeks, 30-day months, 365-day years)"

_HALF_LIFE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([dwmy])\s*", re.IGNORECASE)
Item = TypeVar("Item")


def parse_half_life(value: Union[str, dt.timedelta]) -> dt.timedelta:
    """A half-life given as ``"30d"``, ``"2w"``, ``"6m"``, ``"1y"`` (or a timedelta); it must be positive.
    Raises :class:`InvalidOptionError` naming the accepted forms."""
    if isinstance(value, dt.timedelta):
        days = value.total_seconds() / 86400
    elif isinstance(value, str) and (match := _HALF_LIFE.fullmatch(value)):
        days = float(match.group(1)) * UNITS[match.group(2).lower()]
    else:
        raise InvalidOptionError(f"half-life must be {ACCEPTED}, not {value!r}")
    if not 0 < days <= 1_000_000:
        raise InvalidOptionError(f"half-life must be more than 0 days and at most 1,000,000, not {value!r}")
    return dt.timedelta(days=days)


def freshness(age_days: float, half_life: dt.timedelta) -> float:
    """The factor an article ``age_days`` older than ``now`` gets: 1 when new, FLOOR when very old."""
    half_life_days = half_life.total_seconds() / 86400
    return FLOOR + (1 - FLOOR) * 2.0 ** (-max(age_days, 0.0) / half_life_days)


def blend(score: float, date: dt.date, *, now: dt.date, half_life: dt.timedelta) -> float:
    """The blended score of an article of relevance ``score`` dated ``date``."""
    return score * freshness((now - date).days, half_life)


def rank_recent(ranked: Sequence[tuple[float, Item]], dates: Callable[[list[Item]], Sequence[int]], *,
                now: dt.date, half_life: dt.timedelta, wanted: int) -> list[tuple[float, Item]]:
    """The first ``wanted`` hits in recency order, as ``(blended score, item)``.

    ``ranked`` is an engine's relevance ranking, best first, as ``(score, item)``, holding at least the
    best ``max(WINDOW, wanted)`` (or every match, when there are fewer); ``dates`` gives the date
    ordinals of a list of its items (asked once).
    The order: the first :data:`WINDOW` by blended score (newer first on equal scores, then as ranked),
    then the rest in relevance order. Only hits that can still reach the first ``wanted`` are dated and
    blended: a hit under FLOOR times the ``wanted``-th best score can never get there, since at least
    ``wanted`` hits keep FLOOR times that score or more.
    """
    if wanted <= 0:
        return []
    window = list(ranked[:WINDOW])
    if wanted <= len(window):
        cutoff = FLOOR * min(score for score, _ in window[:wanted])
        window = [entry for entry in window if entry[0] >= cutoff]
    rest = list(ranked[WINDOW:wanted]) if wanted > WINDOW else []
    ordinals = dates([item for _, item in window + rest])
    today = now.toordinal()
    factors: dict[int, float] = {}  # articles share dates: one power per date

    def fresh(ordinal: int) -> float:
        factor = factors.get(ordinal)
        if factor is None:
            factor = factors[ordinal] = freshness(today - ordinal, half_life)
        return factor

    blended = [(score * fresh(ordinal), ordinal, item)
               for (score, item), ordinal in zip(window + rest, ordinals, strict=True)]
    # Sorting is stable: equal blended scores of one date stay as ranked.
    reranked = sorted(blended[:len(window)], key=lambda entry: (-entry[0], -entry[1]))
    return [(score, item) for score, _, item in reranked + blended[len(window):]][:wanted]


def describe(half_life: dt.timedelta, now: Optional[dt.date]) -> str:
    """The blend in one line, for ``explain``."""
    days = half_life.total_seconds() / 86400
    since = now.isoformat() if now is not None else "the newest article in the index"
    return (f"relevance x ({FLOOR:g} + {1 - FLOOR:g} x 2^(-age/{days:g} days)), age counted back from "
            f"{since}; the best {WINDOW:,} by relevance reranked, the rest in relevance order")


class RecentRanking:
    """A reader's relevance ranking reordered by the blend: ``search`` answers a request as the reader
    would with ``sort="recent"``. ``now`` of ``None`` is the newest article date of the reader's commit
    (``newest()``, asked only then)."""

    def __init__(self, reader: Searcher, *, half_life: dt.timedelta, now: Optional[dt.date],
                 newest: Callable[[], Optional[dt.date]]) -> None:
        self.reader = reader
        self.half_life = half_life
        self.now = now
        self._newest = newest

    def search(self, request: SearchRequest) -> Page:
        wanted = request.depth() if request.at else request.offset + request.limit
        # The whole window at once: an engine's cost hardly depends on how many of the best it ranks, and
        # a reader keeps this ranking for the request of the page's hits that follows (engines/reuse.py).
        first = self.reader.search(dataclasses.replace(
            request, offset=0, limit=0, at=(), window=max(WINDOW, wanted), snippets=False))
        ranking = first.ranking
        now = self.now or self._newest()
        if now is None or not wanted:  # an empty index matches nothing; a page of nothing needs no hits
            return dataclasses.replace(first, hits=(), ranking=())
        reranked = rank_recent([(score, at) for at, (score, _) in enumerate(ranking)],
                               lambda positions: [ranking[at][1] for at in positions],
                               now=now, half_life=self.half_life, wanted=wanted)
        shown = request.pick(reranked) if request.at else reranked[request.offset:]
        if not shown:
            return dataclasses.replace(first, hits=(), ranking=())
        page = self.reader.search(dataclasses.replace(
            request, offset=0, limit=len(shown), at=tuple(at for _, at in shown), window=0,
            count_days=False, count_languages=False, find_ids=frozenset(), count_collapsed=False))
        hits = tuple(dataclasses.replace(hit, score=round(score, 4))
                     for hit, (score, _) in zip(page.hits, shown, strict=True))
        return dataclasses.replace(first, hits=hits, ranking=(), stories=_both(first, page))


def _both(first: Page, page: Page) -> Optional[PageStories]:
    """The stories of ``page``'s hits, with how many collapse away as counted by ``first``."""
    if first.stories is None or page.stories is None:  # not asked, or the engine could not tell
        return None
    return dataclasses.replace(page.stories, hidden=first.stories.hidden)
