"""Word-level differences between two versions of a text: which words a rewrite kept, added and dropped.

The texts are cut into words and line breaks, and :class:`difflib.SequenceMatcher` (the standard library's
longest-matching-block diff) aligns the two sequences. Spaces are not compared: a rewrite that only
re-wraps a line changes nothing. The edits read back as the texts with their whitespace tidied: the
``equal`` and ``insert`` runs make the new text, the ``equal`` and ``delete`` runs the old one, words
separated by one space and line breaks kept (a blank line as ``"\\n\\n"``).
"""

from __future__ import annotations

import difflib
import re
from typing import Iterator

from searchkit.results import Edit, EditOp

#: A text longer than this (in words and line breaks) is compared line by line, not word by word: a
#: word-level alignment costs up to the product of the two lengths.
MAX_WORDS = 20_000

_TOKEN = re.compile(r"[^\S\n]*(\n\s*|\S+)")
_Token = tuple[bool, str]  # (is a line break, text)


def word_diff(old: str, new: str) -> tuple[Edit, ...]:
    """The edits that turn ``old`` into ``new``: runs of kept (``"equal"``), added (``"insert"``) and
    dropped (``"delete"``) words, in reading order, a dropped run before the run that replaces it."""
    before, after = _tokens(old), _tokens(new)
    if max(len(before), len(after)) > MAX_WORDS:
        before, after = _lines(before), _lines(after)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    ordered: list[tuple[EditOp, _Token]] = []
    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            ordered += [("delete", token) for token in before[old_start:old_end]]
        if tag in ("insert", "replace"):
            ordered += [("insert", token) for token in after[new_start:new_end]]
        if tag == "equal":
            ordered += [("equal", token) for token in after[new_start:new_end]]
    return tuple(_runs(ordered))


def _tokens(text: str) -> list[_Token]:
    """Words and line breaks; a break holding a blank line is a paragraph break."""
    tokens = []
    for piece in _TOKEN.findall(text.strip()):
        if piece.startswith("\n"):
            tokens.append((True, "\n\n" if piece.count("\n") > 1 else "\n"))
        else:
            tokens.append((False, piece))
    return tokens


def _lines(tokens: list[_Token]) -> list[_Token]:
    """The tokens' lines as single tokens (breaks kept apart), for texts too long to align word by word."""
    lines: list[_Token] = []
    words: list[str] = []
    for is_break, text in tokens + [(True, "")]:
        if not is_break:
            words.append(text)
            continue
        if words:
            lines.append((False, " ".join(words)))
            words = []
        if text:
            lines.append((True, text))
    return lines


def _runs(ordered: list[tuple[EditOp, _Token]]) -> Iterator[Edit]:
    """Adjacent tokens of one kind joined into runs, a space put between two words of each text: kept
    when both texts have it, else added or dropped with the text that has it."""
    pieces: list[tuple[EditOp, list[str]]] = []  # each run's op and its texts, merged as they come
    word_before = {"new": False, "old": False}  # whether each text's last token so far is a word
    for op, (is_break, text) in ordered:
        texts = ("new", "old") if op == "equal" else ("new",) if op == "insert" else ("old",)
        if not is_break:
            spaced = [name for name in texts if word_before[name]]
            if spaced:
                _add(pieces, op if len(spaced) == len(texts) else "insert" if spaced == ["new"] else "delete",
                     " ")
        _add(pieces, op, text)
        for name in texts:
            word_before[name] = not is_break
    for op, run in pieces:
        yield Edit(op, "".join(run))


def _add(pieces: list[tuple[EditOp, list[str]]], op: EditOp, text: str) -> None:
    if pieces and pieces[-1][0] == op:
        pieces[-1][1].append(text)
    else:
        pieces.append((op, [text]))
