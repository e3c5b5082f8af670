""""Did you mean" on Whoosh: the headline words near a misspelt one, and articles per word.

The rule that ranks them is searchkit's (``searchkit/index/suggestions.py``).
"""

from __future__ import annotations

from typing import Iterable, Iterator, Mapping, Sequence

from whoosh.searching import Searcher

from searchkit.engines.rules import MAX_EDITS
from searchkit.text.edits import within_edits

#: The unstemmed headline words (see ``schema.py``).
VOCABULARY_FIELD = "headword"


def spelling_candidates(searcher: Searcher, words: Sequence[str]) -> dict[str, list[str]]:
    """For each folded word, the headline words sharing its first letter within ``MAX_EDITS`` edits."""
    reader = searcher.reader()
    return {word: within_edits(word, MAX_EDITS, _texts(reader.expand_prefix(VOCABULARY_FIELD, word[0])))
            for word in words if word}


def document_frequencies(searcher: Searcher, field: str, words: Sequence[str]) -> Mapping[str, int]:
    return {word: searcher.doc_frequency(field, word) for word in words}


def _texts(words: Iterable[str | bytes]) -> Iterator[str]:
    for word in words:
        yield word.decode("utf-8") if isinstance(word, bytes) else word
