"""Snippets: the body's best fragments with the query's words marked ``**like this**``."""

from __future__ import annotations

from typing import Any

from whoosh import highlight as wh
from whoosh import query as wq
from whoosh.reading import IndexReader

from searchkit.engines.whoosh.analysis import ANALYZER
from searchkit.engines.whoosh.compile import wildcard_words

SNIPPET_CHARS = 240


class _MarkFormatter(wh.Formatter):
    """Marks matched words as ``**word**`` and joins fragments with an ellipsis."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return "**" + wh.get_text(text, token, replace) + "**"

    def format_fragment(self, fragment: Any, replace: bool = False) -> str:
        # Fragments end at the last word; keep the punctuation attached to it ("hurts.").
        text = fragment.text
        end = fragment.endchar
        while end < len(text) and not text[end].isspace() and end - fragment.endchar < 3:
            end += 1
        fragment.endchar = end
        return str(super().format_fragment(fragment, replace))


_FRAGMENTER = wh.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
_FORMATTER = _MarkFormatter()


def body_terms(query: wq.Query, reader: IndexReader) -> frozenset[str]:
    """The indexed words ``query`` looks for in the body (negated words included: Whoosh's own rule),
    with prefixes and wildcards expanded to the words they match."""
    terms: set[str] = set()
    for leaf in query.leaves():
        if isinstance(leaf, wq.Prefix) and leaf.fieldname == "body":
            terms.update(_text(word) for word in reader.expand_prefix("body", leaf.text))
        elif isinstance(leaf, wq.Wildcard) and leaf.fieldname == "body":
            terms.update(wildcard_words(reader, "body", leaf.text))
        else:
            terms.update(_text(text) for fieldname, text in leaf.iter_all_terms() if fieldname == "body")
    return frozenset(terms)


def _text(word: str | bytes) -> str:
    return word if isinstance(word, str) else word.decode("utf-8", "replace")


def snippet(body: str, terms: frozenset[str]) -> str:
    """The body's best fragments with ``terms`` marked, or its start when none of them is in it."""
    if terms and body:
        marked = wh.highlight(body, terms, ANALYZER, _FRAGMENTER, _FORMATTER, top=2)
        if marked:
            return " ".join(marked.split())
    start = " ".join(body[: SNIPPET_CHARS * 2].split())
    if len(start) <= SNIPPET_CHARS:
        return start
    cut = start.rfind(" ", 0, SNIPPET_CHARS)
    return start[: cut if cut > 0 else SNIPPET_CHARS] + " …"
