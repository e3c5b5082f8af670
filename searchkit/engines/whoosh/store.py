"""Whoosh's files in a generation folder: create, open, write segments, commit.

A commit is Whoosh's own: new segment files, then a new ``_MAIN_N.toc`` naming them, so a reader sees the
previous commit or this one. Segments written by worker processes (see ``parallel.py``) join the
parent's commit through the merge policy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from whoosh import index as wi
from whoosh import writing
from whoosh.codec.whoosh3 import W3PerDocReader, W3Segment
from whoosh.index import FileIndex
from whoosh.reading import IndexReader

from searchkit.engines.whoosh.columns import install_fast_lengths
from searchkit.engines.whoosh.schema import build_schema
from searchkit.errors import IndexCorruptError

#: Memory a writer may use for its posting pool before it spills to disk.
WRITER_MB = 256
#: A worker's posting pool: its segment is finished before the pool fills (see :func:`segment_is_full`).
SEGMENT_WRITER_MB = 512
#: Segments this large are never merged; smaller ones follow Whoosh's ``MERGE_SMALL``. Merging sends
#: every posting through Python again, and among the many segments of a big build ``MERGE_SMALL`` would
#: pick half the index to merge at the next small update.
MERGE_BELOW_DOCS = 10_000


class FastSegmentWriter(writing.SegmentWriter):
    """Whoosh's ``SegmentWriter``, reading field-length columns in one go when it flushes or merges."""

    def per_document_reader(self) -> W3PerDocReader:
        return install_fast_lengths(super().per_document_reader())

    def add_reader(self, reader: IndexReader) -> None:
        perdoc = getattr(reader, "_perdoc", None)
        if isinstance(perdoc, W3PerDocReader):
            install_fast_lengths(perdoc)
        super().add_reader(reader)


def create(folder: Path) -> FileIndex:
    """Create an empty Whoosh index in the (existing, empty) ``folder``."""
    return wi.create_in(str(folder), build_schema())


def open_folder(folder: Path) -> FileIndex:
    """Open the Whoosh index in ``folder``; files that cannot be opened give :class:`IndexCorruptError`."""
    try:
        return wi.open_dir(str(folder))
    except wi.EmptyIndexError:
        raise IndexCorruptError(folder, "no index files found") from None
    except Exception as error:  # opening reads the TOC and the pickled schema: any failure is damage
        raise IndexCorruptError(folder, f"{type(error).__name__}: {error}") from error


def writer(ix: FileIndex) -> FastSegmentWriter:
    """The index's writer (it takes Whoosh's own lock inside the folder)."""
    return FastSegmentWriter(ix, limitmb=WRITER_MB, compound=False)


def segment_writer(folder: Path) -> FastSegmentWriter:
    """A writer of one new segment, for a worker process whose parent holds the index's writer.

    The same protocol as Whoosh's own ``MpWriter(multisegment=True)`` sub-writers.
    """
    return FastSegmentWriter(open_folder(folder), _lk=False, limitmb=SEGMENT_WRITER_MB, compound=False)


def segment_is_full(segment_writer_: FastSegmentWriter) -> bool:
    """Whether the writer's posting pool is nine-tenths full. A full pool spills to disk and is merged
    back a posting at a time through pickle, a large share of a build that grows with the size, so a
    worker starts a new segment instead."""
    pool = segment_writer_.pool
    return bool(pool.currentsize > 0.9 * pool.limit)


def finish_segment(segment_writer_: FastSegmentWriter) -> W3Segment | None:
    """Write out a worker's segment; returns it (picklable) or ``None`` if it holds no documents."""
    if not segment_writer_._added:
        segment_writer_._close_segment()
        return None
    segment: W3Segment = segment_writer_._finalize_segment()
    return segment


def abandon_segment(segment_writer_: FastSegmentWriter) -> None:
    """Drop a worker's unfinished segment."""
    try:
        segment_writer_._close_segment()
    except Exception:  # noqa: BLE001 - already broken: nothing left worth saving
        pass


def commit(writer_: FastSegmentWriter, extra_segments: Sequence[W3Segment] = ()) -> None:
    """Commit ``writer_`` atomically, together with segments finished by worker processes."""

    def policy(w: Any, segments: list[W3Segment]) -> list[W3Segment]:
        large = [s for s in segments if s.doc_count_all() >= MERGE_BELOW_DOCS]
        small = [s for s in segments if s.doc_count_all() < MERGE_BELOW_DOCS]
        return large + list(writing.MERGE_SMALL(w, small)) + list(extra_segments)

    writer_.commit(mergetype=policy)
