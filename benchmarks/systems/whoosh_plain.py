"""Baseline 1: plain Whoosh, used the way its documentation shows.

One schema with stemmed headline and body, ``create_in``, ONE default ``ix.writer()`` for every document,
one ``commit()``. Queries go through ``MultifieldParser(["headline", "body"])`` (AND group); date ranges are
a ``DateRange`` on the DATETIME field; "newest" is ``sortedby="date", reverse=True``.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from benchmarks.corpus import read_articles, seed_files
from benchmarks.queries import QuerySpec
from benchmarks.systems import REPO_ROOT, Answer, System


def schema():
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import DATETIME, ID, TEXT, Schema

    return Schema(
        id=ID(stored=True, unique=True),
        path=ID(stored=True),
        headline=TEXT(stored=True, analyzer=StemmingAnalyzer()),
        body=TEXT(stored=True, analyzer=StemmingAnalyzer()),
        date=DATETIME(stored=True, sortable=True),
    )


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day)


def parser_text(spec: QuerySpec) -> str | None:
    """The text part of ``spec`` in Whoosh's default query syntax (None for a date range alone)."""
    words = spec.words
    if spec.kind in ("word", "word_date", "newest", "word_total"):
        return words[0]
    if spec.kind == "two_words":
        return f"{words[0]} {words[1]}"
    if spec.kind == "or":
        return f"{words[0]} OR {words[1]}"
    if spec.kind in ("phrase", "phrase_total"):
        return '"' + " ".join(words) + '"'
    if spec.kind == "headline":
        return f"headline:{words[0]}"
    if spec.kind == "prefix":
        return f"{words[0]}*"
    if spec.kind == "date_range":
        return None
    raise ValueError(f"unknown query kind {spec.kind!r}")


class WhooshPlain(System):
    name = "whoosh_plain"
    label = "plain Whoosh"

    def build(self, seeds_dir: Path, index_path: Path, single_process: bool = False) -> dict:
        from whoosh.index import create_in

        index_path.mkdir(parents=True, exist_ok=True)
        ix = create_in(str(index_path), schema())
        writer = ix.writer()
        skipped: list[str] = []
        docs = 0
        for article in read_articles(seed_files(seeds_dir), skipped):
            writer.add_document(
                id=article.id, path=article.path, headline=article.headline, body=article.body,
                date=_midnight(article.date),
            )
            docs += 1
        writer.commit()
        ix.close()
        return {"docs": docs, "skipped": skipped}

    def cold_command(self, index_path: Path, word: str) -> list[str]:
        return [
            sys.executable,
            str(REPO_ROOT / "benchmarks" / "cold" / "whoosh_plain_query.py"),
            str(index_path),
            word,
        ]

    def open(self, index_path: Path, snippets: bool = False) -> None:
        from whoosh.index import open_dir
        from whoosh.qparser import MultifieldParser

        self._ix = open_dir(str(index_path))
        self._searcher = self._ix.searcher()
        self._parser = MultifieldParser(["headline", "body"], self._ix.schema)
        self._snippets = snippets

    def to_query(self, spec: QuerySpec):
        from whoosh.query import And, DateRange

        text = parser_text(spec)
        query = self._parser.parse(text) if text is not None else None
        if spec.since is not None:
            dates = DateRange("date", _midnight(spec.since), _midnight(spec.until))
            query = dates if query is None else And([query, dates])
        return query

    def run_query(self, spec: QuerySpec) -> Answer:
        query = self.to_query(spec)
        if spec.kind == "newest":
            results = self._searcher.search(query, limit=10, sortedby="date", reverse=True)
        else:
            results = self._searcher.search(query, limit=10)
        if self._snippets:
            fetched = [(hit.fields(), hit.highlights("body")) for hit in results]
        else:
            fetched = [hit.fields() for hit in results]
        total = len(results) if spec.kind in ("word_total", "phrase_total") else None
        return Answer(hits=len(fetched), total=total)

    def close(self) -> None:
        self._searcher.close()
        self._ix.close()
