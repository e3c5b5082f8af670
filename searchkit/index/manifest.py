"""The manifest: what each indexed seed file looked like, so an update can skip an unchanged file after a
stat, kept in a SQLite file in the generation folder.

SQLite rather than JSON because of size: a big JSON manifest is slow to read and rewritten whole on every
update, and was most of a no-change ``searchkit index`` (docs/reliability.md, "Measurements behind the
design"). Here an update reads only the size and mtime columns, reads content digests only for the files
it re-reads, and writes only the rows that changed, in one transaction. A rebuilt manifest (a new
generation, or one rebuilt from the engine's stored fingerprints) is written to a new file that replaces
the old one atomically.

The manifest is trusted only when its ``engine_commit`` matches the engine's latest commit (see
``updating.load_manifest``); a missing, damaged or older (``manifest.json``) manifest is rebuilt from
the fingerprints the engine stores with each article.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Optional

from searchkit.articles import Fingerprint

if TYPE_CHECKING:  # imported where used: a query never reads the manifest
    import sqlite3

MANIFEST_NAME = "manifest.sqlite"
#: The manifest of indexes written before it moved to SQLite; removed at the next save.
LEGACY_NAME = "manifest.json"
_META_KEYS = ("engine_commit", "seeds_dir", "updated_at", "library_articles")
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE files (id TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
                    digest TEXT NOT NULL) WITHOUT ROWID;
"""
_LOOKUP_BATCH = 500  # ids per "IN (...)" lookup: below SQLite's limit on bound parameters

Stamp = tuple[int, int]  # size, mtime_ns


class Manifest:
    """One generation's manifest: a few facts (``engine_commit``, ``seeds_dir``, ``updated_at``,
    ``library_articles``: how many articles were added through the library) and a fingerprint per
    indexed seed file. Changes (:meth:`put`, :meth:`remove`) are held until :meth:`save`."""

    def __init__(self, *, engine_commit: str = "", seeds_dir: Optional[str] = None,
                 updated_at: Optional[str] = None, library_articles: Optional[int] = None,
                 files: Optional[dict[str, Fingerprint]] = None) -> None:
        self.engine_commit = engine_commit
        self.seeds_dir = seeds_dir
        self.updated_at = updated_at
        self.library_articles = library_articles
        #: The file this manifest was loaded from; ``None``: every file is in ``_changes`` (a new manifest).
        self._source: Optional[Path] = None
        self._changes: dict[str, Optional[Fingerprint]] = dict(files or {})
        self._stamps: Optional[dict[str, Stamp]] = None

    # -- reading -------------------------------------------------------------------------------------

    @classmethod
    def load(cls, folder: Path) -> Optional["Manifest"]:
        """The manifest in ``folder`` (its facts read now, its files when asked), or ``None`` when it is
        missing or unreadable."""
        import sqlite3

        path = folder / MANIFEST_NAME
        if not path.is_file():
            return None
        try:
            with _connect(path, readonly=True) as db:
                facts = dict(db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.Error:
            return None
        library = facts.get("library_articles")
        manifest = cls(engine_commit=facts.get("engine_commit") or "", seeds_dir=facts.get("seeds_dir"),
                       updated_at=facts.get("updated_at"),
                       library_articles=int(library) if library not in (None, "") else None)
        manifest._source = path
        return manifest

    def stamps(self) -> dict[str, Stamp]:
        """``{id: (size, mtime_ns)}`` of every file, as of the pending changes (read once, then kept)."""
        if self._stamps is None:
            stamps: dict[str, Stamp] = {}
            if self._source is not None:
                with _connect(self._source, readonly=True) as db:
                    stamps = {row[0]: (row[1], row[2])
                              for row in db.execute("SELECT id, size, mtime_ns FROM files")}
            for article_id, fingerprint in self._changes.items():
                if fingerprint is None:
                    stamps.pop(article_id, None)
                else:
                    stamps[article_id] = (fingerprint.size, fingerprint.mtime_ns)
            self._stamps = stamps
        return self._stamps

    def digests(self, article_ids: Iterable[str]) -> dict[str, str]:
        """The content digest of each of ``article_ids`` the manifest holds."""
        wanted = list(article_ids)
        found = self._stored_digests(wanted)
        for article_id in wanted:
            if article_id in self._changes:
                change = self._changes[article_id]
                if change is None:
                    found.pop(article_id, None)
                else:
                    found[article_id] = change.digest
        return found

    def file_count(self) -> int:
        """How many files the manifest holds, as of the pending changes (without reading them all)."""
        if self._stamps is not None or self._source is None:
            return len(self.stamps())
        with _connect(self._source, readonly=True) as db:
            stored = int(db.execute("SELECT count(*) FROM files").fetchone()[0])
        existed = self._stored_digests(list(self._changes))
        return stored - len(existed) + sum(1 for fp in self._changes.values() if fp is not None)

    def ids_starting(self, prefix: str, limit: int) -> list[str]:
        """Up to ``limit`` ids of indexed seed files that start with ``prefix``, in order (stored ones:
        a loaded manifest's, not its pending changes)."""
        if self._source is None or not prefix:
            return []
        with _connect(self._source, readonly=True) as db:
            rows = db.execute("SELECT id FROM files WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
                              (prefix, prefix + "\U0010ffff", limit))
            return [row[0] for row in rows if row[0].startswith(prefix)]

    def _stored_digests(self, wanted: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        if self._source is not None and wanted:
            with _connect(self._source, readonly=True) as db:
                for start in range(0, len(wanted), _LOOKUP_BATCH):
                    batch = wanted[start:start + _LOOKUP_BATCH]
                    marks = ",".join("?" * len(batch))
                    found.update(db.execute(f"SELECT id, digest FROM files WHERE id IN ({marks})", batch))
        return found

    def _stored_fingerprints(self) -> dict[str, Optional[Fingerprint]]:
        assert self._source is not None
        with _connect(self._source, readonly=True) as db:
            return {row[0]: Fingerprint(*row[1:]) for row in db.execute("SELECT * FROM files")}

    # -- changing ------------------------------------------------------------------------------------

    def put(self, article_id: str, fingerprint: Fingerprint) -> None:
        self._changes[article_id] = fingerprint
        if self._stamps is not None:
            self._stamps[article_id] = (fingerprint.size, fingerprint.mtime_ns)

    def remove(self, article_id: str) -> None:
        self._changes[article_id] = None
        if self._stamps is not None:
            self._stamps.pop(article_id, None)

    def save(self, folder: Path) -> None:
        """Write the facts and the pending changes to ``folder`` in one transaction (a new manifest goes
        to a new file that then replaces the old one)."""
        path = folder / MANIFEST_NAME
        if self._source is not None and self._source == path:
            with _connect(path) as db:  # one transaction: committed on leaving the block
                self._write(db)
        else:
            temporary = folder / f".{MANIFEST_NAME}.{os.getpid()}.tmp"
            temporary.unlink(missing_ok=True)
            if self._source is not None:  # loaded from another folder: carry its files over
                self._changes = {**self._stored_fingerprints(), **self._changes}
            with _connect(temporary) as db:
                db.executescript(_SCHEMA)
                self._write(db)
            os.replace(temporary, path)
        (folder / LEGACY_NAME).unlink(missing_ok=True)
        self._source = path
        self._changes = {}

    def _write(self, db: sqlite3.Connection) -> None:
        puts = [(article_id, *fp) for article_id, fp in self._changes.items() if fp is not None]
        removed = [(article_id,) for article_id, fp in self._changes.items() if fp is None]
        db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", puts)
        db.executemany("DELETE FROM files WHERE id = ?", removed)
        facts = {"engine_commit": self.engine_commit, "seeds_dir": self.seeds_dir,
                 "updated_at": self.updated_at,
                 "library_articles": None if self.library_articles is None else str(self.library_articles)}
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [(k, facts[k]) for k in _META_KEYS])


@contextmanager
def _connect(path: Path, *, readonly: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection to ``path``: what it wrote is committed when the block ends, rolled back if it
    raises; closed either way."""
    import sqlite3

    if readonly:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    else:
        db = sqlite3.connect(path, timeout=30)
    try:
        with db:
            yield db
    finally:
        db.close()
