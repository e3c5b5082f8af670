"""Saved searches and their alerts: the queries checked when saved, and every write's new articles
percolated through them.

Where they are kept is the engine's affair (:class:`~searchkit.engines.remote.SavedSearches`):
``alerts.sqlite`` at the top of the index folder (:mod:`searchkit.news.alert_file`), or, for an engine
whose data lives elsewhere (:class:`~searchkit.engines.remote.AlertingEngine`: OpenSearch), where the data
is, so every host reading the index sees the same ones; a folder's file is moved there the first time the
index is written or its saved searches are asked for. Every write to the index percolates the articles it
added or changed through the saved searches (:mod:`searchkit.query.matching`, on the writer's host) and
records the matches as unchecked; :meth:`AlertStore.check` hands them out once. A saved search's query is
parsed when it is added, so a bad one is refused then, never at index time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

from searchkit.articles import Article
from searchkit.engines.remote import SavedSearches
from searchkit.errors import (
    AlertExistsError,
    AlertsConflictError,
    AlertStateError,
    EngineRejectedError,
    EngineUnreachableError,
    InvalidOptionError,
)
from searchkit.news.alert_file import ALERTS_NAME, AlertFile
from searchkit.query import parse
from searchkit.query.matching import Percolator
from searchkit.reports import AlertMatch, SavedSearch, UpdateReport

if TYPE_CHECKING:  # only for annotations: both import this module
    from searchkit.index.readers import ReaderCache

__all__ = ["ALERTS_NAME", "AlertStore", "Alerts", "MAX_NAME_CHARS"]

MAX_NAME_CHARS = 100
#: What keeps a write's new matches from being recorded: the write itself stands (alerts_problem).
_STORE_ERRORS = (AlertStateError, EngineRejectedError, EngineUnreachableError)


class AlertStore:
    """The saved searches and unchecked matches of the index at ``index_dir``, kept in ``storage``
    (default: the folder's ``alerts.sqlite``)."""

    def __init__(self, index_dir: Path, storage: Optional[SavedSearches] = None) -> None:
        self.storage: SavedSearches = storage if storage is not None else AlertFile(index_dir)

    def add(self, name: str, query: str, *, plain: bool = False) -> SavedSearch:
        """Save ``query`` as ``name``; raises :class:`QuerySyntaxError` for a bad query and
        :class:`AlertExistsError` for a name in use."""
        if not name.strip() or len(name) > MAX_NAME_CHARS or not name.isprintable():
            raise InvalidOptionError(
                f"a saved search needs a printable name of 1 to {MAX_NAME_CHARS} characters")
        parse(query, plain=plain)  # refused now, never at index time
        saved = SavedSearch(name, query, plain, _now())
        self.storage.add(saved)
        return saved

    def remove(self, name: str) -> None:
        """Forget the saved search ``name`` and its unchecked matches."""
        self.storage.remove(name)

    def searches(self) -> list[SavedSearch]:
        """Every saved search, by name."""
        return self.storage.searches()

    def percolate(self, articles: Iterable[Article], *,
                  now: Optional[dt.date] = None) -> dict[str, list[AlertMatch]]:
        """Record which saved searches each of ``articles`` (just added or changed) matches, as unchecked
        matches; returns them by search name. A saved search's relative dates (``date:"last week"``)
        mean the days they name on ``now``, the day of this write by default."""
        searches = self.searches()
        if not searches:
            return {}
        percolator = Percolator({s.name: parse(s.query, plain=s.plain, now=now) for s in searches})
        found = _now()
        matches: dict[str, list[AlertMatch]] = {}
        for article in articles:
            for name in percolator.matches(article):
                matches.setdefault(name, []).append(
                    AlertMatch(name, article.id, article.date, article.headline, found))
        self.storage.record([m for found_for in matches.values() for m in found_for])
        return matches

    def check(self) -> dict[str, list[AlertMatch]]:
        """The matches recorded since the last check, by search name (every search listed, newest
        article first); they are not returned again."""
        return self.storage.take()


class Alerts:
    """The index facade's side of alerts: where the index keeps its saved searches, whether a write must
    find its changed articles, and percolating them after the write. Never makes a write fail: a problem
    with the saved searches is put on the report (``alerts_problem``) instead."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir

    def store(self, *, create: bool = False, locked: bool = False, move: bool = True) -> AlertStore:
        """The index's saved searches; a folder's ``alerts.sqlite`` is moved first (unless not ``move``)
        into the store of an engine that keeps them where its data is, under the write lock (``locked``
        says it is held)."""
        elsewhere = self._engine_storage()
        if elsewhere is None:
            if create:
                self.index_dir.mkdir(parents=True, exist_ok=True)
            return AlertStore(self.index_dir)
        if move and (self.index_dir / ALERTS_NAME).exists():
            if locked:
                move_file(self.index_dir, elsewhere)
            else:
                from searchkit.index.lock import WriteLock

                with WriteLock(self.index_dir, wait=60.0, purpose="alerts"):
                    move_file(self.index_dir, elsewhere)
        return AlertStore(self.index_dir, elsewhere)

    def remove(self, name: str) -> None:
        """Forget the saved search ``name``: the index's own when it is the one that keeps the folder's
        file from being moved (:class:`AlertsConflictError`)."""
        try:
            store = self.store()
        except AlertsConflictError as error:
            if error.name != name:
                raise
            store = self.store(move=False)
        store.remove(name)

    def wanted(self) -> bool:
        """True when a write should work out which articles it changed (there are saved searches)."""
        try:
            local = AlertFile(self.index_dir).searches()
            return bool(local) or bool(self.store(locked=True).searches())
        except _STORE_ERRORS:
            return False  # reported by after()

    def after(self, report: UpdateReport, readers: ReaderCache) -> UpdateReport:
        """``report`` with the new matches of the saved searches among the articles it changed (the
        write lock is held)."""
        if not report.changed_ids and not report.changed:
            return report
        try:
            store = self.store(locked=True)
            if not store.searches() or not report.changed_ids:
                return report
            ids = report.changed_ids
            articles = readers.read(
                lambda opened: [a for i in ids if (a := opened.reader.get(i)) is not None])
            matches = store.percolate(articles)
        except _STORE_ERRORS as error:
            return dataclasses.replace(report, alerts_problem=str(error))
        return dataclasses.replace(report, alerts={name: tuple(found) for name, found in matches.items()})

    def _engine_storage(self) -> Optional[SavedSearches]:
        """The live generation's engine's store, when it keeps the saved searches (``None``: the file)."""
        from searchkit.engines import get_engine
        from searchkit.engines.remote import AlertingEngine
        from searchkit.index import generations, storage

        name = storage.current_generation(self.index_dir)
        engine_name = generations.engine_name_of(self.index_dir)
        if name is None or engine_name is None:
            return None
        engine = get_engine(engine_name)
        return engine.saved_searches(self.index_dir / name) if isinstance(engine, AlertingEngine) else None


def move_file(index_dir: Path, target: SavedSearches) -> None:
    """Copy the saved searches and unchecked matches of ``index_dir``'s ``alerts.sqlite`` into ``target``,
    then rename the file ``alerts.sqlite.moved`` (kept, never deleted). A name ``target`` holds already
    with another query stops the move, naming it (:class:`AlertsConflictError`); the file stays in place."""
    source = AlertFile(index_dir)
    if not source.path.exists():  # moved meanwhile by another process of this host
        return
    there = {saved.name: saved for saved in target.searches()}
    for saved in source.searches():
        held = there.get(saved.name)
        if held is None:
            try:
                target.add(saved)
                continue
            except AlertExistsError:  # saved meanwhile from another host
                held = next((s for s in target.searches() if s.name == saved.name), saved)
        if (held.query, held.plain) != (saved.query, saved.plain):
            raise AlertsConflictError(source.path, saved.name, saved.query, held.query)
    target.record(source.pending())
    moved = source.path.with_name(ALERTS_NAME + ".moved")
    source.path.replace(moved if not moved.exists() else source.path.with_name(
        f"{ALERTS_NAME}.moved-{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}"))


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
