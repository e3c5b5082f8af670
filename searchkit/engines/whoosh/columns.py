"""Whoosh's per-document columns (field lengths, dates), read in one go.

Stock Whoosh seeks and reads one value per call. searchkit reads a whole column into memory once per
segment reader; segment readers are replaced, never changed, when the index changes, so the copies
live exactly as long as the :class:`Segment` that owns them. Nothing here patches Whoosh:
the one place indexing needs fast lengths, a writer installs them on its own per-document reader.
"""

from __future__ import annotations

import array
import bisect
import sys
from collections import Counter
from typing import AbstractSet as Set
from typing import Any, Callable, Iterable, Optional, Sequence

from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import W3PerDocReader
from whoosh.reading import IndexReader
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

#: Whoosh stores a field's length in a document as one byte; this decodes it.
BYTE_TO_LENGTH = tuple(byte_to_length(b) for b in range(256))


def column_bytes(column: Any) -> bytes:
    """A one-byte-per-document column as ``bytes``, read in one go."""
    if getattr(column, "_fixedlen", None) == 1 and hasattr(column, "_dbfile"):
        return bytes(column._dbfile.get(column._basepos, column._count))
    return bytes(list(column))


def perdoc_length_bytes(perdoc: W3PerDocReader, fieldname: str) -> bytes:
    """One segment's encoded lengths of ``fieldname`` (index by document number, decode with
    :data:`BYTE_TO_LENGTH`); empty when the segment has no such column."""
    column = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
    return column_bytes(column) if column is not None else b""


def length_bytes(reader: IndexReader, fieldname: str) -> bytes:
    """:func:`perdoc_length_bytes` of a segment reader, one zero byte per document when missing."""
    return perdoc_length_bytes(reader._perdoc, fieldname) or bytes(reader.doc_count_all())


def install_fast_lengths(perdoc: W3PerDocReader) -> W3PerDocReader:
    """Give this one per-document reader a ``doc_field_length`` that reads each column once.

    Flushing or merging a segment calls it once per posting, so stock Whoosh's seek-and-read-a-byte was
    a large part of indexing time. Set on the instance, so no other Whoosh user is affected.
    """
    cache: dict[str, bytes] = {}
    doccount = perdoc._doccount

    def doc_field_length(docnum: int, fieldname: str, default: int = 0) -> Optional[int]:
        if docnum > doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {doccount}")
        lengths = cache.get(fieldname)
        if lengths is None:
            lengths = cache[fieldname] = perdoc_length_bytes(perdoc, fieldname)
        if not lengths:
            return default
        lbyte = lengths[docnum] if docnum < len(lengths) else 0
        return BYTE_TO_LENGTH[lbyte] if lbyte else None  # None for 0, as stock Whoosh does

    fast: Callable[..., Optional[int]] = doc_field_length
    perdoc.doc_field_length = fast
    return perdoc


class DateColumn:
    """One segment's dates: by document number (for sorting) and sorted (for ranges).

    Whoosh's ``NumericRange`` unions one posting list per trie term, which made a word plus a month
    cost several times the word alone; a sorted copy of the column answers any range with two binary
    searches.
    """

    def __init__(self, reader: IndexReader) -> None:
        # Raw column values sort like the dates they encode.
        self.encode: Callable[[int], int] = reader.schema["date"].to_column_value
        #: Each document's raw date value, by document number.
        self.by_docnum: Sequence[int]
        pairs: list[tuple[int, int]] = []
        if not reader.has_column("date"):
            if reader.doc_count_all():  # every article has a date: its column went missing
                raise ColumnDamage("a segment with documents has no date column")
            self.by_docnum = []
        else:
            values = self.by_docnum = _numeric_column(reader.column_reader("date", translate=False))
            if reader.has_deletions():
                is_deleted = reader.is_deleted
                pairs = sorted((value, docnum) for docnum, value in enumerate(values)
                               if not is_deleted(docnum))
            else:
                pairs = sorted(zip(values, range(len(values)), strict=True))
        self.values = [value for value, _ in pairs]
        self.docnums = [docnum for _, docnum in pairs]
        self._ordinals: Optional[list[int]] = None  # each document's date ordinal, once counted

    def between(self, start: Optional[int], end: Optional[int]) -> list[int]:
        """Live documents dated from ordinal ``start`` to ``end`` (inclusive; ``None`` is open), sorted."""
        low = bisect.bisect_left(self.values, self.encode(start)) if start is not None else 0
        high = bisect.bisect_right(self.values, self.encode(end)) if end is not None else len(self.values)
        return sorted(self.docnums[low:high])

    def ordinals(self) -> list[int]:
        """The date ordinal of every live document."""
        decode = _decoder(self.encode)
        return [decode(value) for value in self.values]

    def ordinals_by_docnum(self) -> list[int]:
        """Each document's date ordinal, by document number (decoded once, then ready-made ints)."""
        if self._ordinals is None:
            offset = self.encode(0)
            self._ordinals = [value - offset for value in self.by_docnum]
        return self._ordinals

    def newest(self) -> Optional[int]:
        """The newest date ordinal of a live document, or ``None`` when there is none."""
        return _decoder(self.encode)(self.values[-1]) if self.values else None

    def count_days(self, docnums: Iterable[int]) -> Counter[int]:
        """How many of ``docnums`` (live documents) fall on each date ordinal."""
        return Counter(map(self.ordinals_by_docnum().__getitem__, docnums))

    def count_days_between(self, start: Optional[int], end: Optional[int]) -> Counter[int]:
        """How many live documents fall on each date ordinal from ``start`` to ``end`` (as
        :meth:`between`): a binary search per date in the sorted column, not a look-up per document."""
        values, counts = self.values, Counter[int]()
        low = bisect.bisect_left(values, self.encode(start)) if start is not None else 0
        high = bisect.bisect_right(values, self.encode(end)) if end is not None else len(values)
        offset = self.encode(0)
        while low < high:
            value = values[low]
            following = bisect.bisect_right(values, value, low, high)
            counts[value - offset] = following - low
            low = following
        return counts


def _decoder(encode: Callable[[int], int]) -> Callable[[int], int]:
    # The column stores ordinals shifted to sort as unsigned; encoding is a fixed offset.
    offset = encode(0)
    return lambda value: value - offset


def _numeric_column(column: Any) -> Sequence[int]:
    """Every value of a numeric column, read in one go."""
    typecode = getattr(column, "_typecode", None)
    if typecode is None or not hasattr(column, "_dbfile"):
        return list(column)
    raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
    values = array.array(typecode, bytes(raw))
    if sys.byteorder == "little":
        values.byteswap()  # Whoosh writes columns big-endian
    if len(values) < column._doccount:
        # Every article has a date, and Whoosh writes every value but the column's default (which no
        # date encodes to): a short column was cut off.
        raise ColumnDamage(f"the date column holds {len(values):,} values for {column._doccount:,} documents")
    return values


class ColumnDamage(Exception):
    """A column's file does not hold what the segment says it should."""


class Segment:
    """One segment of an open searcher, with the columns read from it so far."""

    def __init__(self, leaf: Searcher, base: int) -> None:
        self.leaf = leaf
        #: Added to a segment document number to give the searcher-wide one.
        self.base = base
        self.reader: IndexReader = leaf.reader()
        self._dates: Optional[DateColumn] = None
        self._lengths: dict[str, bytes] = {}
        self._ids: Optional[Callable[[int], str]] = None
        self._languages: Optional[dict[str, frozenset[int]]] = None

    def dates(self) -> DateColumn:
        if self._dates is None:
            self._dates = DateColumn(self.reader)
        return self._dates

    def id_of(self) -> Callable[[int], str]:
        """The article id of a document number, read from the id column (no stored document read)."""
        if self._ids is None:
            if self.reader.has_column("id"):
                self._ids = self.reader.column_reader("id").__getitem__
            elif self.reader.doc_count_all():  # every article has an id: its column went missing
                raise ColumnDamage("a segment with documents has no id column")
            else:
                self._ids = [].__getitem__  # no documents to ask about
        return self._ids

    def languages(self) -> dict[str, frozenset[int]]:
        """The documents in each language (ISO 639-1 code), from the ``language`` field's postings
        (deleted documents too: a query's matches are live ones)."""
        if self._languages is None:
            reader, found = self.reader, {}
            if "language" in reader.indexed_field_names():
                for raw in reader.lexicon("language"):
                    code = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
                    found[code] = frozenset(reader.postings("language", code).all_ids())
            self._languages = found
        return self._languages

    def count_languages(self, docnums: Set[int]) -> Counter[str]:
        """How many of ``docnums`` (live documents) are in each language."""
        languages = self.languages()
        if len(languages) == 1:  # the usual archive: one language, no set to intersect
            return Counter({next(iter(languages)): len(docnums)})
        return Counter({code: n for code, ids in languages.items() if (n := len(ids & docnums))})

    def lengths(self, fieldname: str) -> bytes:
        found = self._lengths.get(fieldname)
        if found is None:
            found = self._lengths[fieldname] = length_bytes(self.reader, fieldname)
        return found
