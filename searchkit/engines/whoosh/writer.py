"""The Whoosh engine's writer: one atomic batch of puts and deletes."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

from whoosh.codec.whoosh3 import W3Segment

from searchkit.articles import SeedFile
from searchkit.engines.base import Progress, SeedOutcome
from searchkit.engines.batch import BatchWriter, Change
from searchkit.engines.seeding import index_seed_files, worker_count
from searchkit.engines.whoosh import parallel, store
from searchkit.engines.whoosh.schema import ID_FIELD, document


class WhooshWriter(BatchWriter):
    """Whoosh's writer for one generation folder; holds Whoosh's own lock until commit or cancel.

    Whoosh deletes only from committed segments, never a document added earlier in the same batch, so
    puts and deletes are collected and applied at commit, last one per id winning. Seed files go
    straight into segments (they are many); each replaces its committed version the same way.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._writer = store.writer(store.open_folder(folder))
        self._worker_segments: list[W3Segment] = []
        super().__init__()

    def is_committed(self, article_id: str) -> bool:
        return self._writer.searcher().document_number(id=article_id) is not None

    def write_seeds(self, seeds: Sequence[SeedFile], *, known_digests: Mapping[str, str], max_bytes: int,
                    progress: Optional[Progress], workers: Optional[int],
                    language: Optional[str] = None) -> SeedOutcome:
        workers = worker_count(workers, len(seeds))
        if workers > 1:
            outcome, segments = parallel.index_in_workers(
                self.folder, seeds, known_digests, max_bytes=max_bytes, workers=workers, progress=progress,
                language=language)
            self._worker_segments.extend(segments)
        else:
            outcome = index_seed_files(
                lambda article, fingerprint: self._writer.add_document(**document(article, fingerprint)),
                seeds, known_digests=known_digests, max_bytes=max_bytes, progress=progress, language=language)
        if self._writer.searcher().doc_count_all():  # nothing to replace in an empty index (a rebuild)
            for article_id in outcome.indexed:
                # Reaches only the segments committed before this writer: the new version stays.
                self._writer.delete_by_term(ID_FIELD, article_id)
        return outcome

    def apply(self, changes: Iterable[tuple[str, Change]]) -> None:
        for article_id, pending in changes:
            self._writer.delete_by_term(ID_FIELD, article_id)
            if pending is not None:
                self._writer.add_document(**document(*pending))
        store.commit(self._writer, self._worker_segments)

    def cancel(self) -> None:
        if not self._writer.is_closed:
            self._writer.cancel()
