"""Reading one segment's postings from Whoosh's files, a block at a time.

Whoosh's matchers hand out one posting per Python call; a block-wise read decodes a whole block's ids,
weights and (for positions) values in C and passes over blocks holding none of the wanted documents.
This leans on Whoosh internals, pinned by ``whoosh-reloaded<2.8``.
"""

from __future__ import annotations

import bisect
import itertools
import pickle
from typing import Iterator, Optional

from whoosh import matching
from whoosh.codec import whoosh3
from whoosh.reading import IndexReader


def raw_postings(reader: IndexReader, fieldname: str, text: bytes) -> matching.Matcher:
    """One segment's postings of a term, without the wrapper that hides deleted documents: callers
    drop those themselves (or ask only for live ones)."""
    postings = reader.postings(fieldname, text)
    while isinstance(postings, matching.WrappingMatcher):
        postings = postings.child
    return postings


def read_postings(
    postings: matching.Matcher, docnums: Optional[list[int]] = None, *, values: bool = False
) -> Iterator[tuple[int, float, Optional[bytes]]]:
    """``(docnum, weight, encoded value or None)`` of every posting, or of those among ``docnums``
    (sorted), a decoded block at a time where Whoosh allows it."""
    if not isinstance(postings, whoosh3.W3LeafMatcher):  # short lists are stored inline: a ListMatcher
        yield from _matcher_postings(postings, docnums, values=values)
        return
    # Whoosh internals (pinned by whoosh-reloaded<2.8): each block's decoded arrays and its last id.
    wanted, count = 0, len(docnums) if docnums is not None else 0
    while postings.is_active():
        if docnums is not None and wanted == count:
            return
        if docnums is None or postings._maxid >= docnums[wanted]:
            postings._read_ids()
            postings._read_weights()
            if values:
                postings._read_values()
            ids, weights = postings._ids, postings._weights
            encoded = postings._values if values else [None] * len(ids)
            if docnums is None:
                yield from zip(ids, weights, encoded, strict=True)
            else:
                at = 0
                while wanted < count and docnums[wanted] <= postings._maxid:
                    at = bisect.bisect_left(ids, docnums[wanted], at)
                    if at < len(ids) and ids[at] == docnums[wanted]:
                        yield ids[at], weights[at], encoded[at]
                    wanted += 1
        postings._next_block()


def _matcher_postings(
    postings: matching.Matcher, docnums: Optional[list[int]], *, values: bool
) -> Iterator[tuple[int, float, Optional[bytes]]]:
    """:func:`read_postings` through the plain matcher interface."""
    if docnums is None:
        while postings.is_active():
            yield postings.id(), postings.weight(), postings.value() if values else None
            postings.next()
        return
    for docnum in docnums:
        if not postings.is_active():
            return
        postings.skip_to(docnum)
        if postings.is_active() and postings.id() == docnum:
            yield docnum, postings.weight(), postings.value() if values else None


def decode_positions(value: bytes) -> list[int]:
    """What ``Positions.decode_positions`` returns, more cheaply (the gaps summed in C, not a Python loop):
    the value is the weight (4 bytes) and the pickled position gaps, less pickle's final STOP byte."""
    return list(itertools.accumulate(pickle.loads(value[4:] if value.endswith(b".") else value[4:] + b".")))
