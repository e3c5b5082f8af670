"""Stories: which articles are one wire story rewritten (near-duplicates), kept beside the index.

Every article's :class:`Signature` (its date, the sketch of its text,
:func:`searchkit.text.shingles.sketch`, and the figures and names it states,
:func:`searchkit.text.facts.facts`) is stored in ``stories.sqlite`` in the generation folder, and the
sketch's :data:`ANCHORS` smallest hashes in a look-up table. A new article's candidates are the articles
sharing an anchor with it; an anchor that more than :data:`COMMON_ANCHOR` articles hold is boilerplate
("the company said it") and names no candidates. A candidate dated at most :data:`MAX_DAYS_APART` days
from the article, whose sketch resembles the article's by :data:`~searchkit.text.shingles.NEAR_DUPLICATE`
or more, and whose facts do not contradict the article's (two notices of one template), is a
near-duplicate. These settings find nearly every pair that more anchors and a higher cap
would, from far fewer candidates (measured on Reuters: docs/duplicates.md, "Measurements behind the
design").

A story is a connected group of near-duplicates (single link: a rewrite of a rewrite is the same story).
A story of two or more articles has a number; an article alone has no row. Removing or changing an
article splits its old story again where the remaining members no longer connect.

The store is written after the engine's commit, by the writer holding the lock, and records the
engine's commit token like the manifest; a writer that died in between leaves it behind, and the next
write brings it in step with the engine's articles (see :func:`searchkit.index.updating.sync_stories`).
Nothing here reads article text: signatures are made where the text is read.
"""

from __future__ import annotations

import itertools
import json
import os
from collections import defaultdict
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Mapping, Optional

from searchkit.text.facts import FACTS_VERSION, contradiction
from searchkit.text.shingles import (
    HASHING,
    NEAR_DUPLICATE,
    SHINGLE_WORDS,
    SKETCH_SIZE,
    Signature,
    Sketch,
    resemblance,
)

if TYPE_CHECKING:  # imported where used: a query on an engine that keeps its stories never opens the store
    import sqlite3

STORIES_NAME = "stories.sqlite"
#: Near-duplicates are dated at most this many days apart: a rewrite follows its story within days (a
#: weekend included), while a recurring report ("Fed adds reserves", every few days) is news each time.
MAX_DAYS_APART = 3
#: How many of a sketch's smallest hashes are looked up to find candidates.
ANCHORS = 6
#: An anchor held by more articles than this is boilerplate and finds no candidates.
COMMON_ANCHOR = 16
#: A story this large is not split again when a member goes (comparing every pair would cost too much).
MAX_RESPLIT = 500
#: Stories written with other settings are made again from the articles at the next write.
VERSION = f"store 4, shingles {SHINGLE_WORDS}, sketch {SKETCH_SIZE}, anchors {ANCHORS}/{COMMON_ANCHOR}, " \
          f"alike {NEAR_DUPLICATE}, days {MAX_DAYS_APART}, {HASHING}, {FACTS_VERSION}"
_BATCH = 500  # ids per "IN (...)": below SQLite's limit on bound parameters
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sketches (id TEXT PRIMARY KEY, day INTEGER NOT NULL, sketch BLOB NOT NULL,
                                     facts BLOB NOT NULL)
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS anchors (value BLOB NOT NULL, id TEXT NOT NULL, day INTEGER NOT NULL,
                                    PRIMARY KEY (value, id))
    WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS stories (id TEXT PRIMARY KEY, story INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stories_by_number ON stories (story);
"""


def near_duplicates(left: Signature, right: Signature) -> bool:
    """Whether two articles are the same story: dated close together, with texts alike, and stating the
    same figures and names as a rewrite does (not two notices of one template)."""
    return (abs(left.day - right.day) <= MAX_DAYS_APART
            and resemblance(left.sketch, right.sketch) >= NEAR_DUPLICATE
            and contradiction(left.facts, right.facts) is None)


def store_path(folder: Path) -> Path:
    """Where generation ``folder`` keeps its stories."""
    return folder / STORIES_NAME


def engine_commit(folder: Path) -> Optional[str]:
    """The engine commit the stories of ``folder`` match, or ``None`` when there are none, they are
    unreadable, or they were made with other settings (another :data:`VERSION`)."""
    import sqlite3

    path = store_path(folder)
    if not path.is_file():
        return None
    try:
        with closing(_connect(path, readonly=True)) as db:
            facts = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.Error:
        return None
    return facts.get("engine_commit") if facts.get("version") == VERSION else None


def read_labels(folder: Path) -> dict[str, int]:
    """``{article id: story number}`` of every article that has near-duplicates (empty when the
    generation has no stories yet)."""
    import sqlite3

    path = store_path(folder)
    if not path.is_file():
        return {}
    try:
        with closing(_connect(path, readonly=True)) as db:
            # Two JSON arrays parse faster than a row per article, and a cold collapsed query reads them all.
            ids, numbers = db.execute(
                "SELECT json_group_array(id), json_group_array(story) FROM stories").fetchone()
            return dict(zip(json.loads(ids), json.loads(numbers), strict=True))
    except sqlite3.Error:  # damaged: results go uncollapsed until the next write rebuilds the store
        return {}


def apply(folder: Path, put: Mapping[str, Signature], removed: Iterable[str], commit: str, *,
          fresh: bool = False) -> None:
    """Bring the stories of ``folder`` in step with a commit that put the articles of ``put`` (by their
    sketches) and removed ``removed``; ``fresh`` starts from an empty store (a rebuild, or a resync)."""
    path = store_path(folder)
    if fresh:
        for left_over in folder.glob(f".{path.name}.*.tmp"):  # by a writer killed while making them
            left_over.unlink(missing_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with closing(_connect(temporary)) as db, db:
            _Stories(db, everything_new=True).change(put, ())
            _set_commit(db, commit)
        os.replace(temporary, path)
        return
    with closing(_connect(path)) as db, db:
        # Onto an empty store (a library's first update, after open_index(create=True)) as onto a new
        # one: every article is new, so pairs are dropped by date first, before any sketch is compared.
        empty = not db.execute("SELECT EXISTS (SELECT 1 FROM sketches)").fetchone()[0]
        _Stories(db, everything_new=empty).change(put, () if empty else removed)
        _set_commit(db, commit)


def write_labels(folder: Path, labels: Mapping[str, int], commit: str) -> None:
    """Replace the stories of ``folder`` by ``labels`` alone (no sketches: a follower's copy of what the
    writer published, which only collapses), recorded as matching ``commit``."""
    path = store_path(folder)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{id(labels)}.tmp")
    with closing(_connect(temporary)) as db, db:
        db.executemany("INSERT INTO stories VALUES (?, ?)", labels.items())
        _set_commit(db, commit)
    os.replace(temporary, path)


class _Stories:
    """The change of one transaction."""

    def __init__(self, db: sqlite3.Connection, *, everything_new: bool = False) -> None:
        self.db = db
        self.everything_new = everything_new  # a new store: every anchor is a new article's

    def change(self, put: Mapping[str, Signature], removed: Iterable[str]) -> None:
        touched_stories: set[int] = set()
        if not self.everything_new:
            gone = set(removed) | set(put)
            touched_stories = set(self._stories_by_id(gone).values())
            self._forget(gone)
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS fresh (id TEXT PRIMARY KEY) WITHOUT ROWID")
            self.db.execute("DELETE FROM fresh")
            self.db.executemany("INSERT INTO fresh VALUES (?)", ((article_id,) for article_id in put))
        self.db.executemany("INSERT INTO sketches VALUES (?, ?, ?, ?)",
                            ((article_id, *signature) for article_id, signature in sorted(put.items())))
        # The anchors are cut from the sketches by SQLite itself (cheaper than a Python loop per anchor),
        # and sorted first: it then appends to the table's tree instead of inserting all over it.
        only_new = "" if self.everything_new else "AND id IN (SELECT id FROM fresh)"
        self.db.execute(f"WITH rank(n) AS (VALUES {', '.join(f'({n})' for n in range(ANCHORS))}) "
                        "INSERT OR IGNORE INTO anchors SELECT substr(sketch, 1 + 4 * n, 4), id, day "
                        f"FROM sketches JOIN rank WHERE length(sketch) > 4 * n {only_new} ORDER BY 1, 2")
        for story in touched_stories:
            self._resplit(story)
        self._join(self._near_duplicates(put))

    def _forget(self, ids: set[str]) -> None:
        rows = [(article_id,) for article_id in ids]
        for article_id, signature in self._signatures(ids).items():
            self.db.executemany("DELETE FROM anchors WHERE value = ? AND id = ?",
                                ((value, article_id) for value in _anchors(signature.sketch)))
        self.db.executemany("DELETE FROM sketches WHERE id = ?", rows)
        self.db.executemany("DELETE FROM stories WHERE id = ?", rows)

    def _signatures(self, ids: Iterable[str]) -> dict[str, Signature]:
        found: dict[str, Signature] = {}
        for batch in _batches(sorted(set(ids))):
            marks = ",".join("?" * len(batch))
            for article_id, day, packed, stated in self.db.execute(
                    f"SELECT id, day, sketch, facts FROM sketches WHERE id IN ({marks})", batch):
                found[article_id] = Signature(day, packed, stated)
        return found

    def _near_duplicates(self, put: Mapping[str, Signature]) -> Iterator[tuple[str, str]]:
        """The pairs of near-duplicates with at least one article of ``put``."""
        if not put:
            return
        # The pairs of articles dated close enough that share an anchor held by 2 to COMMON_ANCHOR articles,
        # by one self-join in SQLite: few of the pairs sharing an anchor are dated close enough, and SQLite
        # drops the others faster than Python would. An update's pairs have an article of its own (in
        # "fresh", see change).
        among, only_new = "", ""
        if not self.everything_new:
            among = "WHERE value IN (SELECT value FROM anchors JOIN fresh USING (id)) "
            only_new = "AND (a.id IN (SELECT id FROM fresh) OR b.id IN (SELECT id FROM fresh))"
        shared = f"SELECT value FROM anchors {among}GROUP BY value HAVING count(*) BETWEEN 2 AND :common"
        candidates = self.db.execute(
            "SELECT DISTINCT a.id, b.id FROM anchors AS a "
            "JOIN anchors AS b ON b.value = a.value AND b.id > a.id "
            f"WHERE a.value IN ({shared}) AND b.day BETWEEN a.day - :days AND a.day + :days {only_new}",
            {"common": COMMON_ANCHOR, "days": MAX_DAYS_APART}).fetchall()
        known: Mapping[str, Signature] = put
        if not self.everything_new:
            others = self._signatures(i for pair in candidates for i in pair if i not in put)
            known = {**others, **put}
        for left, right in candidates:
            if near_duplicates(known[left], known[right]):
                yield left, right

    def _join(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Put each pair in one story, merging stories (into the lowest number) where a pair bridges two."""
        components = connected(pairs)
        current = self._stories_by_id(i for ids in components for i in ids)
        merged: dict[int, int] = {}  # a story number merged into another, by an earlier component

        def number(story: int) -> int:
            while story in merged:
                story = merged[story]
            return story

        next_number = self._next_number()
        for ids in sorted(components, key=min):  # in a fixed order: the numbers do not vary
            numbers = {number(current[i]) for i in ids if i in current}
            if numbers:
                story = min(numbers)
                for other in numbers - {story}:
                    self.db.execute("UPDATE stories SET story = ? WHERE story = ?", (story, other))
                    merged[other] = story
            else:
                story, next_number = next_number, next_number + 1
            # Written now, so that a later component's merge renumbers these rows too.
            self.db.executemany("INSERT OR REPLACE INTO stories VALUES (?, ?)", ((i, story) for i in ids))

    def _stories_by_id(self, ids: Iterable[str]) -> dict[str, int]:
        """The story of each of ``ids`` that has one."""
        if self.everything_new:
            return {}
        found: dict[str, int] = {}
        for batch in _batches(sorted(ids)):
            marks = ",".join("?" * len(batch))
            found.update(self.db.execute(f"SELECT id, story FROM stories WHERE id IN ({marks})", batch))
        return found

    def _next_number(self) -> int:
        return int(self.db.execute("SELECT coalesce(max(story), 0) + 1 FROM stories").fetchone()[0])

    def _resplit(self, story: int) -> None:
        """Split ``story`` where its remaining members no longer connect (a member went or changed)."""
        ids = [row[0] for row in self.db.execute("SELECT id FROM stories WHERE story = ?", (story,))]
        if len(ids) > MAX_RESPLIT:
            return
        self.db.execute("DELETE FROM stories WHERE story = ?", (story,))
        signatures = self._signatures(ids)
        pairs = [(left, right) for left, right in itertools.combinations(sorted(signatures), 2)
                 if near_duplicates(signatures[left], signatures[right])]
        self._join(pairs)


def connected(pairs: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The groups that ``pairs`` link, directly or through each other (union-find)."""
    parent: dict[str, str] = {}

    def root(article_id: str) -> str:
        while parent[article_id] != article_id:
            parent[article_id] = parent[parent[article_id]]  # path halving
            article_id = parent[article_id]
        return article_id

    for left, right in pairs:
        parent.setdefault(left, left)
        parent.setdefault(right, right)
        parent[root(left)] = root(right)
    groups: dict[str, list[str]] = defaultdict(list)
    for article_id in parent:
        groups[root(article_id)].append(article_id)
    return list(groups.values())


def _anchors(packed: Sketch) -> list[bytes]:
    """The anchors of a sketch as the anchors table holds them: its first :data:`ANCHORS` hashes, each
    as the 4 bytes it is packed in."""
    return [packed[start:start + 4] for start in range(0, min(len(packed), 4 * ANCHORS), 4)]


def _set_commit(db: sqlite3.Connection, commit: str) -> None:
    db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                   [("engine_commit", commit), ("version", VERSION)])


def _connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    import sqlite3

    if readonly:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = DELETE")
    db.execute("PRAGMA synchronous = FULL")
    # A new store's anchors (ANCHORS an article) are sorted on a second thread, which shortens a rebuild.
    db.execute("PRAGMA threads = 2")
    db.executescript(_SCHEMA)
    return db


def _batches(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), _BATCH):
        yield ids[start:start + _BATCH]
