"""Snippets: the body's best passages with the query's words marked ``**like this**``.

Shared by every engine, so a hit's snippet does not depend on which engine found it. The engine says
which indexed words the query looks for (prefixes and wildcards expanded); this module finds them in
the body with the same analysis the index used.
"""

from __future__ import annotations

import re
from itertools import compress
from typing import AbstractSet

from searchkit.text.analysis import ACRONYM, STEMMED, WORD, Analyzer

SNIPPET_CHARS = 240
#: Context kept before the first and after the last match of a passage.
CONTEXT_CHARS = 60
#: Matches closer than this (first start to last end) share a passage.
PASSAGE_CHARS = SNIPPET_CHARS - 2 * CONTEXT_CHARS
PASSAGES = 2
BETWEEN = " … "


def snippet(body: str, terms: AbstractSet[str], analyzer: Analyzer = STEMMED) -> str:
    """Up to two passages of ``body`` around the words whose indexed form is in ``terms``, every such
    word inside them marked; the body's start when none of them is in it.

    The best passages hold the most distinct query words, then the most matches, then the closest
    together. Passages never overlap: a later one's context stops where an earlier one's ends, one whose
    matches an earlier passage already shows is dropped, and passages that touch are joined without
    ``…``.
    """
    if terms and body:
        matches, indexed = _matches(body, terms, analyzer)
        if matches:
            word_at = dict(zip(matches, indexed, strict=True))
            ranked = sorted(_passages(matches), key=lambda p: (-len({word_at[span] for span in p}), -len(p),
                                                               p[-1][1] - p[0][0], p[0][0]))
            windows = _windows(body, ranked)
            return _joined(body, windows, matches)
    return _start(body)


def match_spans(text: str, terms: AbstractSet[str], analyzer: Analyzer = STEMMED) -> list[tuple[int, int]]:
    """Where in ``text`` the words whose indexed form is in ``terms`` are: (start, end) pairs in order,
    found as :func:`snippet` finds them (an article page marks every one)."""
    return _matches(text, terms, analyzer)[0] if terms and text else []


def _matches(text: str, terms: AbstractSet[str],
             analyzer: Analyzer) -> tuple[list[tuple[int, int]], list[str]]:
    """The spans of the matching words and their indexed forms."""
    # One pass of the word pattern, then C-level steps only: a page of results makes ten snippets.
    found = list(WORD.finditer(text))
    indexed = analyzer.normalize_all(list(map(re.Match.group, found)))
    wanted = list(map(terms.__contains__, indexed))
    return [_marked_span(text, match) for match in compress(found, wanted)], list(compress(indexed, wanted))


def _marked_span(body: str, match: re.Match[str]) -> tuple[int, int]:
    """The span to mark for a matched word: a dotted acronym with its final dot (**U.S.**), which
    :data:`WORD` leaves off."""
    start, end = match.span()
    if end < len(body) and body[end] == "." and ACRONYM.fullmatch(match.group()):
        return start, end + 1
    return start, end


def _windows(body: str, ranked: list[list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """The spans of text shown for the best :data:`PASSAGES` passages of ``ranked``, none overlapping
    another, in order of position."""
    chosen: list[tuple[int, int]] = []
    for passage in ranked:
        first, last = passage[0][0], passage[-1][1]
        begin = _word_start(body, max(0, first - CONTEXT_CHARS), first)
        finish = _word_end(body, min(len(body), last + CONTEXT_CHARS), last)
        for shown_begin, shown_finish in chosen:  # give way to the better passages shown already
            if shown_begin < finish and begin < shown_finish:
                if shown_begin <= first:
                    begin = max(begin, shown_finish)
                else:
                    finish = min(finish, shown_begin)
        if any(begin <= start and end <= finish for start, end in passage):  # something not shown yet
            chosen.append((begin, finish))
            if len(chosen) == PASSAGES:
                break
    return sorted(chosen)


def _joined(body: str, windows: list[tuple[int, int]], matches: list[tuple[int, int]]) -> str:
    """The windows' text with every match inside them marked; windows that touch read as one."""
    pieces: list[str] = []
    previous_finish = None
    for begin, finish in windows:
        if previous_finish is not None:
            pieces.append(" " if begin <= previous_finish else BETWEEN)
        at = begin
        for start, end in matches:
            if begin <= start and end <= finish:
                pieces += [body[at:start], "**", body[start:end], "**"]
                at = end
        pieces.append(body[at:finish])
        previous_finish = finish
    return " ".join("".join(pieces).split())


def _passages(matches: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    passages: list[list[tuple[int, int]]] = []
    for start, end in matches:
        if passages and end - passages[-1][0][0] <= PASSAGE_CHARS:
            passages[-1].append((start, end))
        else:
            passages.append([(start, end)])
    return passages


def _word_start(body: str, at: int, limit: int) -> int:
    """``at`` moved forward to the start of a word (not past ``limit``), so no passage opens mid-word."""
    if at == 0 or body[at - 1].isspace():
        return at
    space = body.find(" ", at, limit)
    return space + 1 if space >= 0 else limit


def _word_end(body: str, at: int, limit: int) -> int:
    """``at`` moved back to the end of a word (not before ``limit``), keeping punctuation attached to it
    ("hurts.")."""
    if at >= len(body) or body[at].isspace():
        return at
    space = body.rfind(" ", limit, at)
    return space if space >= 0 else at


def _start(body: str) -> str:
    start = " ".join(body[: SNIPPET_CHARS * 2].split())
    if len(start) <= SNIPPET_CHARS:
        return start
    cut = start.rfind(" ", 0, SNIPPET_CHARS)
    return start[: cut if cut > 0 else SNIPPET_CHARS] + " …"
