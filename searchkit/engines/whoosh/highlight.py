"""Which words a compiled query looks for in the body, for the shared snippets
(``searchkit.text.snippets``)."""

from __future__ import annotations

from whoosh import query as wq
from whoosh.reading import IndexReader

from searchkit.engines.whoosh.compile import wildcard_words


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
