"""``alerts.sqlite`` at the top of an index folder: the saved searches of an index whose engine keeps its
data in the folder (:class:`~searchkit.engines.remote.SavedSearches`; an
:class:`~searchkit.engines.remote.AlertingEngine` keeps them where its data is).

The file sits beside the generations, not in one, so alerts survive rebuilds and engine changes.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from searchkit.errors import AlertExistsError, AlertNotFoundError, AlertStateError
from searchkit.reports import AlertMatch, SavedSearch

ALERTS_NAME = "alerts.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (name TEXT PRIMARY KEY, query TEXT NOT NULL, plain INTEGER NOT NULL,
                                     created TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS matches (name TEXT NOT NULL, id TEXT NOT NULL, date TEXT NOT NULL,
                                    headline TEXT NOT NULL, found TEXT NOT NULL, PRIMARY KEY (name, id))
                                    WITHOUT ROWID;
"""


class AlertFile:
    """The saved searches and unchecked matches in ``alerts.sqlite`` of the index folder ``index_dir``."""

    def __init__(self, index_dir: Path) -> None:
        self.path = index_dir / ALERTS_NAME

    def add(self, saved: SavedSearch) -> None:
        with self._db() as db:
            try:
                db.execute("INSERT INTO searches VALUES (?, ?, ?, ?)",
                           (saved.name, saved.query, int(saved.plain), saved.created))
            except sqlite3.IntegrityError:
                raise AlertExistsError(saved.name) from None

    def remove(self, name: str) -> None:
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

    def record(self, matches: Sequence[AlertMatch]) -> None:
        if not matches:
            return
        with self._db() as db:
            db.executemany("INSERT OR REPLACE INTO matches VALUES (?, ?, ?, ?, ?)",
                           [(m.search, m.id, m.date.isoformat(), m.headline, m.found) for m in matches])

    def pending(self) -> list[AlertMatch]:
        """The unchecked matches, left in place (what a move to another store copies)."""
        if not self.path.exists():
            return []
        with self._db() as db:
            return _matches(db)

    def take(self) -> dict[str, list[AlertMatch]]:
        if not self.path.exists():
            return {}
        with self._db() as db:
            names = [row[0] for row in db.execute("SELECT name FROM searches ORDER BY name")]
            found = _matches(db)
            db.execute("DELETE FROM matches")
        result: dict[str, list[AlertMatch]] = {name: [] for name in names}
        for match in found:
            result.setdefault(match.search, []).append(match)
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


def _matches(db: sqlite3.Connection) -> list[AlertMatch]:
    rows = db.execute("SELECT name, id, date, headline, found FROM matches ORDER BY name, date DESC, id")
    return [AlertMatch(name, article_id, dt.date.fromisoformat(date), headline, found)
            for name, article_id, date, headline, found in rows.fetchall()]
