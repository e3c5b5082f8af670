"""Baseline 2: SQLite FTS5 from the standard library.

An FTS5 table (porter stemming over unicode61, diacritics removed) holds id, headline, body and an
unindexed date; a plain ``dates`` table with an index on the same rowid serves date ranges alone. The
build is one transaction. Ranking is ``bm25`` with the headline weighted 3:1 over the body.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from benchmarks.corpus import read_articles, seed_files
from benchmarks.queries import QuerySpec
from benchmarks.systems import REPO_ROOT, Answer, System

SCHEMA = """
CREATE VIRTUAL TABLE articles USING fts5(
    id UNINDEXED, headline, body, date UNINDEXED,
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE TABLE dates (rowid INTEGER PRIMARY KEY, date TEXT NOT NULL);
CREATE INDEX dates_date ON dates (date);
"""

RANK = "bm25(articles, 0, 3.0, 1.0, 0)"
COLUMNS = "articles.rowid, articles.id, articles.headline, articles.body, articles.date"
SNIPPET = "snippet(articles, 2, '[', ']', '...', 16)"


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def match_expression(spec: QuerySpec) -> str | None:
    """The FTS5 MATCH expression for ``spec`` (None for a date range alone). Words are quoted so that
    FTS5 keywords and punctuation in them never change the query's meaning."""
    words = spec.words
    if spec.kind in ("word", "word_date", "newest", "word_total"):
        return _quoted(words[0])
    if spec.kind == "two_words":
        return f"{_quoted(words[0])} {_quoted(words[1])}"
    if spec.kind == "or":
        return f"{_quoted(words[0])} OR {_quoted(words[1])}"
    if spec.kind in ("phrase", "phrase_total"):
        return _quoted(" ".join(words))
    if spec.kind == "headline":
        return f"headline : {_quoted(words[0])}"
    if spec.kind == "prefix":
        return f"{_quoted(words[0])}*"
    if spec.kind == "date_range":
        return None
    raise ValueError(f"unknown query kind {spec.kind!r}")


class SqliteFts5(System):
    name = "sqlite_fts5"
    label = "SQLite FTS5"

    def index_path(self, work_dir: Path) -> Path:
        return work_dir / self.name / "articles.db"

    def build(self, seeds_dir: Path, index_path: Path, single_process: bool = False) -> dict:
        index_path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(index_path)
        conn.executescript(SCHEMA)
        skipped: list[str] = []
        docs = 0
        with conn:  # one transaction
            for rowid, article in enumerate(read_articles(seed_files(seeds_dir), skipped), start=1):
                date = article.date.isoformat()
                conn.execute(
                    "INSERT INTO articles (rowid, id, headline, body, date) VALUES (?, ?, ?, ?, ?)",
                    (rowid, article.id, article.headline, article.body, date),
                )
                conn.execute("INSERT INTO dates (rowid, date) VALUES (?, ?)", (rowid, date))
                docs += 1
        conn.close()
        return {"docs": docs, "skipped": skipped}

    def cold_command(self, index_path: Path, word: str) -> list[str]:
        return [
            sys.executable,
            str(REPO_ROOT / "benchmarks" / "cold" / "sqlite_fts5_query.py"),
            str(index_path),
            word,
        ]

    def open(self, index_path: Path, snippets: bool = False) -> None:
        self._conn = sqlite3.connect(f"file:{index_path}?mode=ro", uri=True)
        self._columns = COLUMNS + (f", {SNIPPET}" if snippets else "")

    def sql(self, spec: QuerySpec) -> tuple[str, tuple]:
        """The SQL statement and parameters for ``spec``."""
        match = match_expression(spec)
        if match is None:  # a date range alone: no text to rank by, the date index picks rows
            columns = self._columns.replace(f", {SNIPPET}", "")  # snippet() needs a MATCH
            return (
                f"SELECT {columns} FROM dates JOIN articles ON articles.rowid = dates.rowid"
                " WHERE dates.date BETWEEN ? AND ? LIMIT 10",
                (spec.since.isoformat(), spec.until.isoformat()),
            )
        where, params = "articles MATCH ?", (match,)
        if spec.since is not None:
            where += " AND articles.date BETWEEN ? AND ?"
            params += (spec.since.isoformat(), spec.until.isoformat())
        order = "articles.date DESC" if spec.kind == "newest" else RANK
        return f"SELECT {self._columns} FROM articles WHERE {where} ORDER BY {order} LIMIT 10", params

    def run_query(self, spec: QuerySpec) -> Answer:
        statement, params = self.sql(spec)
        rows = self._conn.execute(statement, params).fetchall()
        total = None
        if spec.kind in ("word_total", "phrase_total"):
            total = self._conn.execute(
                "SELECT count(*) FROM articles WHERE articles MATCH ?", (match_expression(spec),)
            ).fetchone()[0]
        return Answer(hits=len(rows), total=total)

    def close(self) -> None:
        self._conn.close()
