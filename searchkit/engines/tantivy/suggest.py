""""Did you mean" on Tantivy: the nearest headline word, by edit distance, then by frequency.

Tantivy's bindings have no spelling corrector, but they list a field's terms by prefix with their
frequencies; candidates share the first letter (as Whoosh's corrector requires) and are at most two
edits away.
"""

from __future__ import annotations

from typing import Optional, Sequence

import tantivy

from searchkit.analysis import fold
from searchkit.engines.tantivy.schema import VOCABULARY_FIELD

MAX_EDITS = 2


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


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions, adjacent swaps."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]
