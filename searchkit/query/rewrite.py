"""The words of a query as typed that spelling help may rewrite, and the rewrite itself.

A "did you mean" must change only the misspelt words: fields, phrases, dates, operators, groups and
every other character stay exactly as the user typed them. So the words are found in the query text with
their spans (the lexer's tokens say which are plain words, in which field, inside which phrase), and
the rewrite replaces those spans only. Excluded words (``-word``, ``NOT word``), prefixes, wildcards,
fuzzy words and dates are the user's explicit choices and are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Optional

from searchkit.query.lexer import FIELD, LPAREN, MINUS, NOT, PHRASE, RPAREN, WORD, tokenize

_LETTERS = re.compile(r"[^\W\d_]+")  # a run of letters: what a spelling candidate can replace


@dataclass(frozen=True)
class TypedWord:
    """A run of letters in the query text, the field it is asked in (``None``: headline or body), and
    where it stands (``query[start:end]``)."""

    text: str
    field: Optional[str]
    start: int
    end: int


def typed_words(query: str, *, plain: bool = False) -> list[TypedWord]:
    """The words of ``query`` spelling help may rewrite, in order (none if it does not lex)."""
    if plain:
        return _runs(query, 0, None)
    words: list[TypedWord] = []
    fields: list[tuple[Optional[str], bool]] = [(None, False)]  # per open group: its field, excluded?
    pending_field: Optional[str] = None
    negated = False
    for token in tokenize(query):
        field, excluded = fields[-1]
        field = pending_field or field
        if token.kind in (MINUS, NOT):
            negated = True
            continue
        if token.kind == FIELD:
            pending_field = token.text
            continue
        if token.kind == LPAREN:
            fields.append((field, excluded or negated))
        elif token.kind == RPAREN:
            if len(fields) > 1:
                fields.pop()
        elif not (excluded or negated) and token.kind == WORD:
            words += _runs(token.text, token.pos, field)
        elif not (excluded or negated) and token.kind == PHRASE:
            closing = query.find('"', token.pos + 1)
            raw = query[token.pos + 1:closing]
            if "\\" not in raw:  # escapes would shift the spans; a rare phrase goes without help
                words += _runs(raw, token.pos + 1, field)
        pending_field, negated = None, False
    return words


def rewrite(query: str, replacements: Mapping[TypedWord, str]) -> str:
    """``query`` with each word in ``replacements`` replaced, in the case it was typed in."""
    out, at = [], 0
    for word in sorted(replacements, key=lambda w: w.start):
        out += [query[at:word.start], _in_case_of(word.text, replacements[word])]
        at = word.end
    return "".join(out) + query[at:]


def _runs(text: str, offset: int, field: Optional[str]) -> list[TypedWord]:
    return [TypedWord(m.group(), field, offset + m.start(), offset + m.end())
            for m in _LETTERS.finditer(text)]


def _in_case_of(typed: str, word: str) -> str:
    if len(typed) > 1 and typed.isupper():
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
