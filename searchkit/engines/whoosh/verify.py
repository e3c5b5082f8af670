"""Deciding whether an index is damaged, from what its files hold.

Whoosh's files carry no checksums, so damage surfaces as whatever a read trips over. When a read
fails with an unexpected exception, the reader asks :func:`find_damage` to read the generation
again, whole and from scratch, the way searches read it. Damage it finds becomes
``IndexCorruptError``; when everything reads back, the failure was a bug and propagates as itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from whoosh import index as wi

from searchkit.engines.whoosh.columns import Segment
from searchkit.engines.whoosh.postings import decode_positions, raw_postings, read_postings

_POSITIONAL_FIELDS = ("headline", "body")


def find_damage(folder: Path) -> Optional[str]:
    """What is wrong with the index in ``folder`` ("TypeError: ..." or "no index files found"), or
    ``None`` when every term, posting, stored document and column reads back."""
    try:
        ix = wi.open_dir(str(folder))
    except wi.EmptyIndexError:
        return "no index files found"
    except Exception as error:  # noqa: BLE001 - the TOC or the schema cannot be read: that is the finding
        return _describe(error)
    try:
        with ix.searcher() as searcher:
            for leaf, base in searcher.leaf_searchers():
                _read_segment(Segment(leaf, base))
    except Exception as error:  # noqa: BLE001 - any failure to read back is damage
        return _describe(error)
    return None


def _read_segment(segment: Segment) -> None:
    reader = segment.reader
    for docnum, fields in reader.iter_docs():
        if "id" not in fields:  # Whoosh reads a cut-off stored column as empty documents, not as an error
            raise ValueError(f"stored document {segment.base + docnum} reads back without its id")
    segment.dates()
    id_of = segment.id_of()
    for docnum in range(reader.doc_count_all()):
        id_of(docnum)
    for fieldname in _POSITIONAL_FIELDS:
        segment.lengths(fieldname)
    for fieldname, text in reader.all_terms():
        positions = fieldname in _POSITIONAL_FIELDS
        for _docnum, _weight, value in read_postings(raw_postings(reader, fieldname, text), values=positions):
            if positions and value is not None:
                decode_positions(value)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"
