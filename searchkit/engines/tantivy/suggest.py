""""Did you mean" on Tantivy: the headline words near a misspelt one, and articles per word.

Tantivy's bindings have no spelling corrector, but they list a field's terms by prefix; candidates share
the first letter. The rule that ranks them is searchkit's (``searchkit/index/suggestions.py``).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import tantivy

from searchkit.engines.rules import MAX_EDITS
from searchkit.engines.tantivy.schema import VOCABULARY_FIELD
from searchkit.text.edits import within_edits


def spelling_candidates(searcher: tantivy.Searcher, words: Sequence[str]) -> dict[str, list[str]]:
    """For each folded word, the headline words sharing its first letter within ``MAX_EDITS`` edits."""
    return {word: within_edits(word, MAX_EDITS, (term for term, _ in
                                                 searcher.terms_with_prefix(VOCABULARY_FIELD, word[0])))
            for word in words if word}


def document_frequencies(searcher: tantivy.Searcher, field: str, words: Sequence[str]) -> Mapping[str, int]:
    return {word: searcher.doc_freq(field, word) for word in words}
