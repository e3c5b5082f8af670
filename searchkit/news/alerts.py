"""Saved searches and their alerts, kept in ``alerts.sqlite`` at the top of the index folder.

The file sits beside the generations, not in one, so alerts survive rebuilds and engine changes. Every
write to the index percolates the articles it added or changed through the saved searches
(:mod:`searchkit.query.matching`) and records the matches as unchecked; :meth:`AlertStore.check` hands them
out once. A saved search's query is parsed when it is added, so a bad one is refused then, never at
index time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Optional

from searchkit.articles import Article
from searchkit.errors import AlertExistsError, AlertNotFoundError, AlertStateError, InvalidOptionError
from searchkit.query import parse
from searchkit.query.matching import Percolator
from searchkit.reports import AlertMatch, SavedSearch, UpdateReport

if TYPE_CHECKING:  # only for annotations: both import this module
    from searchkit.index.readers import ReaderCache

ALERTS_NAME = "alerts.sqlite"
MAX_NAME_CHARS = 100
_SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (name TEXT PRIMARY KEY, query TEXT NOT NULL, plain INTEGER NOT NULL,
                                     created TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS matches (name TEXT NOT NULL, id TEXT NOT NULL, date TEXT NOT NULL,
                                    headline TEXT NOT NULL, found TEXT NOT NULL, PRIMARY KEY (name, id))
                                    WITHOUT ROWID;
"""


class AlertStore:
    """The saved searches and unchecked matches of the index at ``index_dir``."""

    def __init__(self, index_dir: Path) -> None:
        self.path = index_dir / ALERTS_NAME

    def add(self, name: str, query: str, *, plain: bool = False) -> SavedSearch:
        """Save ``query`` as ``name``; raises :class:`QuerySyntaxError` for a bad query and
        :class:`AlertExistsError` for a name in use."""
        if not name.strip() or len(name) > MAX_NAME_CHARS or not name.isprintable():
            raise InvalidOptionError(
                f"a saved search needs a printable name of 1 to {MAX_NAME_CHARS} characters")
        parse(query, plain=plain)  # refused now, never at index time
        saved = SavedSearch(name, query, plain, _now())
        with self._db() as db:
            try:
                db.execute("INSERT INTO searches VALUES (?, ?, ?, ?)",
                           (name, query, int(plain), saved.created))
            except sqlite3.IntegrityError:
                raise AlertExistsError(name) from None
        return saved

    def remove(self, name: str) -> None:
        """Forget the saved search ``name`` and its unchecked matches."""
        with self._db() as db:
            if db.execute("DELETE FROM searches WHERE name = ?", (name,)).rowcount == 0:
                raise AlertNotFoundError(name)
            db.execute("DELETE FROM matches WHERE name = ?", (name,))

    def searches(self) -> list[SavedSearch]:
        """Every saved search, by name (none when the file does not exist yet)."""
        if not self.path.exists():
            return []
        with self._db() as db:
            rows = db.execute("SELECT name, query, plain, created FROM searches ORDER BY name").fetchall()
        return [SavedSearch(name, query, bool(plain), created) for name, query, plain, created in rows]

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
        if matches:
            with self._db() as db:
                db.executemany("INSERT OR REPLACE INTO matches VALUES (?, ?, ?, ?, ?)",
                               [(m.search, m.id, m.date.isoformat(), m.headline, m.found)
                                for found_for in matches.values() for m in found_for])
        return matches

    def check(self) -> dict[str, list[AlertMatch]]:
        """The matches recorded since the last check, by search name (every search listed, newest
        article first); they are not returned again."""
        if not self.path.exists():
            return {}
        with self._db() as db:
            names = [row[0] for row in db.execute("SELECT name FROM searches ORDER BY name")]
            rows = db.execute("SELECT name, id, date, headline, found FROM matches "
                              "ORDER BY name, date DESC, id").fetchall()
            db.execute("DELETE FROM matches")
        result: dict[str, list[AlertMatch]] = {name: [] for name in names}
        for name, article_id, date, headline, found in rows:
            result.setdefault(name, []).append(
                AlertMatch(name, article_id, dt.date.fromisoformat(date), headline, found))
        return result

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """One transaction on the file, created when missing; :class:`AlertStateError` names the file
        when it cannot be used."""
        try:
            db = sqlite3.connect(self.path, timeout=30)
        except sqlite3.Error as error:
            raise AlertStateError(self.path, str(error)) from None
        try:
            with db:
                db.executescript(_SCHEMA)
                yield db
        except sqlite3.DatabaseError as error:
            raise AlertStateError(self.path, str(error)) from None
        finally:
            db.close()


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Alerts:
    """The index facade's side of alerts: whether a write must find its changed articles, and
    percolating them after the write. Never makes a write fail: a problem with the saved searches is
    put on the report (``alerts_problem``) instead."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir

    def store(self, *, create: bool = False) -> AlertStore:
        if create:
            self.index_dir.mkdir(parents=True, exist_ok=True)
        return AlertStore(self.index_dir)

    def wanted(self) -> bool:
        """True when a write should work out which articles it changed (there are saved searches)."""
        try:
            return bool(self.store().searches())
        except AlertStateError:
            return False  # reported by after()

    def after(self, report: UpdateReport, readers: ReaderCache) -> UpdateReport:
        """``report`` with the new matches of the saved searches among the articles it changed."""
        if not report.changed_ids and not report.changed:
            return report
        store = self.store()
        try:
            if not store.searches() or not report.changed_ids:
                return report
            ids = report.changed_ids
            articles = readers.read(
                lambda opened: [a for i in ids if (a := opened.reader.get(i)) is not None])
            matches = store.percolate(articles)
        except AlertStateError as error:
            return dataclasses.replace(report, alerts_problem=str(error))
        return dataclasses.replace(report, alerts={name: tuple(found) for name, found in matches.items()})
