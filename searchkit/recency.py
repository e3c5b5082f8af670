"""Relevance blended with freshness (``sort="recent"``), one rule for every engine; see docs/news.md.

    blended = relevance * (FLOOR + (1 - FLOOR) * 2 ** (-age / half_life))

``age`` is how many days an article is older than ``now`` (0 for articles dated on or after it). The
freshness factor falls from 1 (dated ``now``) through 0.75 (one half-life old) towards ``FLOOR`` = 0.5,
never below it: so among comparably relevant stories the fresher ranks first, while a story more than
twice as relevant always beats a fresher one, however old it is. The blend multiplies, so it does not
care how large an engine's scores run (BM25 scores differ by query, corpus and engine). Equal blended
scores (every score 0, as for ``*``) rank newer first.

Engines rank by relevance, then call :func:`rank_recent` on their best :data:`WINDOW` hits; hits beyond
the window keep their relevance order. Paging is consistent: the window is the same for every page.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Optional, Sequence, TypeVar, Union

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


def rank_recent(ranked: Sequence[tuple[float, int, Item]], *, now: dt.date,
                half_life: dt.timedelta) -> list[tuple[float, Item]]:
    """``ranked`` is an engine's relevance ranking, best first, as ``(score, date ordinal, item)``; the
    answer is ``(blended score, item)`` in recency order: the first :data:`WINDOW` sorted by blended score
    (newer first on equal scores, then as ranked), the rest in relevance order."""
    today = now.toordinal()
    blended = [(score * freshness(today - ordinal, half_life), ordinal, item)
               for score, ordinal, item in ranked]
    window = sorted(blended[:WINDOW], key=lambda entry: (-entry[0], -entry[1]))  # stable: ties as ranked
    return [(score, item) for score, _, item in window + blended[WINDOW:]]


def describe(half_life: dt.timedelta, now: Optional[dt.date]) -> str:
    """The blend in one line, for ``explain``."""
    days = half_life.total_seconds() / 86400
    since = now.isoformat() if now is not None else "the newest article in the index"
    return (f"relevance x ({FLOOR:g} + {1 - FLOOR:g} x 2^(-age/{days:g} days)), age counted back from "
            f"{since}; the best {WINDOW:,} by relevance reranked, the rest in relevance order")
