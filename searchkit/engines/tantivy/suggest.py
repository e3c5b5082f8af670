""""Did you mean" on Tantivy: the nearest headline word, by edit distance, then by frequency.

Tantivy's bindings have no spelling corrector, but they list a field's terms by prefix with their
frequencies; candidates share the first letter (as Whoosh's corrector requires) and are at most two
edits away.
"""

from __future__ import annotations

from typing import Optional, Sequence

import tantivy

from searchkit.engines.rules import MAX_EDITS, edit_distance
from searchkit.engines.tantivy.schema import VOCABULARY_FIELD
from searchkit.text.analysis import fold


def suggest(searcher: tantivy.Searcher, words: Sequence[str]) -> Optional[str]:
    """``words`` with each unknown one replaced by its nearest headline word, or ``None`` if none is."""
    changed, out = False, []
    for word in words:
        normal = fold(word)
        if not normal.isalpha() or searcher.doc_freq(VOCABULARY_FIELD, normal) > 0:
            out.append(word)
            continue
        best = _nearest(searcher, normal)
        out.append(best or word)
        changed = changed or best is not None
    return " ".join(out) if changed else None


def _nearest(searcher: tantivy.Searcher, word: str) -> Optional[str]:
    candidates = []
    for term, frequency in searcher.terms_with_prefix(VOCABULARY_FIELD, word[0]):
        if abs(len(term) - len(word)) <= MAX_EDITS:
            distance = edit_distance(word, term)
            if distance <= MAX_EDITS:
                candidates.append((distance, -frequency, term))
    return min(candidates)[2] if candidates else None
