"""What the index hands back from writes and saved searches: :class:`UpdateReport`, :class:`SavedSearch`
and :class:`AlertMatch`.

Plain values in a module of their own, so that a process that only searches never imports the writing
and alerting code (``searchkit query`` is timed from a cold start).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping, Optional

from searchkit.errors import SeedError


@dataclass(frozen=True)
class UpdateReport:
    """What an update or rebuild did. ``skipped`` holds one :class:`SeedError` per unreadable file;
    ``lost`` counts articles added through the library that a rebuild could not carry over (only with
    ``discard_unreadable=True``; ``None`` when their number is unknown)."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: tuple[SeedError, ...] = ()
    seconds: float = 0.0
    rebuilt: bool = False
    lost: Optional[int] = 0
    #: The ids of the articles this write added or whose content changed (for alerts); left out of repr.
    changed_ids: tuple[str, ...] = field(default=(), repr=False)
    #: New matches of saved searches, by search name (see :mod:`searchkit.news.alerts`).
    alerts: Mapping[str, tuple[AlertMatch, ...]] = field(default_factory=dict)
    #: Why the saved searches could not be checked, when they could not; indexing went on without them.
    alerts_problem: Optional[str] = None
    #: Why the duplicate-wire stories could not be brought up to date, when they could not (the index
    #: is; results are collapsed by the stories before, and the next write makes them again).
    stories_problem: Optional[str] = None
    #: How many seed files the seeds folder held (``None`` for writes that read no folder).
    seed_files: Optional[int] = None

    @property
    def changed(self) -> bool:
        """True when the index content changed."""
        return bool(self.added or self.updated or self.removed or self.rebuilt)

    def summary(self) -> str:
        """One line, e.g. ``added 3, updated 1, removed 2, unchanged 19,037, skipped 0 in 1.2 s``."""
        lost = ""
        if self.lost != 0:
            count = "an unknown number of" if self.lost is None else f"{self.lost:,}"
            lost = f", lost {count} library articles"
        return (
            f"added {self.added:,}, updated {self.updated:,}, "
            f"removed {self.removed:,}, unchanged {self.unchanged:,}, skipped {len(self.skipped):,}{lost} "
            f"in {self.seconds:.1f} s"
        )


@dataclass(frozen=True)
class SavedSearch:
    """A query saved under ``name``; ``plain`` as in :meth:`Index.search`."""

    name: str
    query: str
    plain: bool
    created: str


@dataclass(frozen=True)
class AlertMatch:
    """An article that matched the saved search ``search`` when it was added or changed (``found``)."""

    search: str
    id: str
    date: dt.date
    headline: str
    found: str
