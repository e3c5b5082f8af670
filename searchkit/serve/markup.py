"""Article text as HTML for the article and story pages: paragraphs as the seed file has them, the query's
words in ``<mark>``, a version's changes in ``<ins>`` and ``<del>``.

Every piece of article text goes through :func:`markupsafe.escape`; the only markup added is the
elements named here, built around already-escaped pieces.
"""

from __future__ import annotations

import re
from typing import AbstractSet, Sequence

from markupsafe import Markup, escape

from searchkit.results import Edit
from searchkit.text.snippets import match_spans

_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_WHITESPACE = re.compile(r"\s+")
_ELEMENT = {"insert": "ins", "delete": "del"}


def paragraph_break(text: str) -> str:
    """How ``text`` separates its paragraphs: by blank lines when it has any (its other line breaks are
    then wrapped lines), else one paragraph a line (as the Reuters seeds are written)."""
    return "\n\n" if _BLANK_LINE.search(text.strip()) else "\n"


def paragraphs(text: str) -> list[str]:
    """The paragraphs of ``text`` (see :func:`paragraph_break`), each on one line, none empty."""
    text = text.strip()
    blocks = _BLANK_LINE.split(text) if paragraph_break(text) == "\n\n" else text.split("\n")
    return [" ".join(block.split()) for block in blocks if block.strip()]


def highlighted(text: str, terms: AbstractSet[str]) -> Markup:
    """``text`` escaped, every word whose indexed form is in ``terms`` in a ``<mark>``."""
    pieces, at = [], 0
    for start, end in match_spans(text, terms):
        pieces += [escape(text[at:start]), Markup("<mark>{}</mark>").format(text[start:end])]
        at = end
    pieces.append(escape(text[at:]))
    return Markup("").join(pieces)


def highlighted_paragraphs(text: str, terms: AbstractSet[str]) -> list[Markup]:
    return [highlighted(paragraph, terms) for paragraph in paragraphs(text)]


def diff_line(edits: Sequence[Edit]) -> Markup:
    """A one-line diff (a headline): added words in ``<ins>``, dropped in ``<del>``."""
    return Markup("").join(_marked(edit.op, _one_line(edit.text)) for edit in edits)


def diff_paragraphs(edits: Sequence[Edit]) -> list[Markup]:
    """A body's diff as the new version's paragraphs: a line break that was added or kept starts a
    paragraph (as :func:`paragraphs` would split the new text), a dropped one reads as a space."""
    new_text = "".join(edit.text for edit in edits if edit.op != "delete")
    breaks = _BLANK_LINE if paragraph_break(new_text) == "\n\n" else re.compile(r"\n")
    shown: list[list[Markup]] = [[]]
    for edit in edits:
        if edit.op == "delete":
            shown[-1].append(_marked("delete", _one_line(edit.text)))
            continue
        for number, piece in enumerate(breaks.split(edit.text)):
            if number:
                shown.append([])
            if piece:
                shown[-1].append(_marked(edit.op, _one_line(piece)))
    return [Markup("").join(pieces) for pieces in shown if "".join(pieces).strip()]


def _one_line(text: str) -> str:
    """``text`` with every run of whitespace (line breaks too) as one space, at its edges too."""
    return _WHITESPACE.sub(" ", text)


def _marked(op: str, text: str) -> Markup:
    """``text`` escaped, in ``<ins>`` or ``<del>`` unless kept; spaces at its edges stay outside the
    element, so no underline or strike runs into the words around it."""
    element = _ELEMENT.get(op)
    if element is None or not text.strip():
        return escape(text)
    core = text.strip()
    lead, trail = text[:len(text) - len(text.lstrip())], text[len(text.rstrip()):]
    return escape(lead) + Markup(f"<{element}>{{}}</{element}>").format(core) + escape(trail)
