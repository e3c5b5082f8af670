"""The Tantivy engine's writer: one atomic batch of puts and deletes.

A Tantivy delete removes the matching documents added before it, even in the same batch, so replacing
an article is "delete its id, then add it"; puts and deletes are collected and applied at commit, the
last one per id winning. Seed files are read and analysed in worker processes when there are many
(``parallel.py``), and handed to Tantivy's own indexing threads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

import tantivy
from tantivy import Query

from searchkit.articles import SeedFile
from searchkit.engines.base import Progress, SeedOutcome
from searchkit.engines.batch import BatchWriter, Change
from searchkit.engines.seeding import index_seed_files, worker_count
from searchkit.engines.tantivy import parallel
from searchkit.engines.tantivy.schema import (
    Prepared,
    document,
    open_index,
    prepare,
    to_document,
)

#: Memory for Tantivy's indexing threads (it needs at least 15 MB each).
WRITER_HEAP_BYTES = 256_000_000


class TantivyWriter(BatchWriter):
    """Tantivy's writer for one generation folder; holds Tantivy's own lock until commit or cancel."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._index = open_index(folder)
        self._schema = self._index.schema
        self._writer = self._index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=0)
        # Files of a writer killed before its commit's meta.json, which this batch's would collide with
        # (a delete of the same articles at the same opstamp: "FileAlreadyExists(<segment>.<op>.del)").
        self._writer.garbage_collect_files()
        self._searcher: Optional[tantivy.Searcher] = None
        self._closed = False
        self._replaces = True
        super().__init__()

    def write_seeds(self, seeds: Sequence[SeedFile], *, known_digests: Mapping[str, str], max_bytes: int,
                    progress: Optional[Progress], workers: Optional[int],
                    language: Optional[str] = None) -> SeedOutcome:
        workers = worker_count(workers, len(seeds))
        # Seed ids are unique within one call, so only a committed version can need replacing.
        self._replaces = self._committed().num_docs > 0
        if workers > 1:
            outcome = SeedOutcome.empty()
            for part, prepared in parallel.prepare_in_workers(seeds, known_digests, max_bytes=max_bytes,
                                                              workers=workers, progress=progress,
                                                              language=language):
                outcome.merge(part)
                for article in prepared:
                    self._add(article)
        else:
            outcome = index_seed_files(lambda article, fingerprint: self._add(prepare(article, fingerprint)),
                                       seeds, known_digests=known_digests, max_bytes=max_bytes,
                                       progress=progress, language=language)
        return outcome

    def _add(self, article: Prepared) -> None:
        if self._replaces:  # a rebuild writes into an empty index: a million needless deletes otherwise
            self._writer.delete_documents_by_term("id", article.id)  # only what was added before it
        self._writer.add_document(to_document(article))

    def apply(self, changes: Iterable[tuple[str, Change]]) -> None:
        for article_id, pending in changes:
            self._writer.delete_documents_by_term("id", article_id)
            if pending is not None:
                self._writer.add_document(document(*pending))
        self._writer.commit()
        self._closed = True
        self._writer.wait_merging_threads()  # and releases Tantivy's writer lock

    def cancel(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._writer.rollback()
        self._writer.wait_merging_threads()

    def is_committed(self, article_id: str) -> bool:
        return bool(self._committed().search(Query.term_query(self._schema, "id", article_id), 1).hits)

    def _committed(self) -> tantivy.Searcher:
        """A searcher on the committed state (it cannot change while this writer holds the lock)."""
        if self._searcher is None:
            self._index.reload()
            self._searcher = self._index.searcher()
        return self._searcher
