""""Did you mean": rewrite unknown words with the closest words of the headline vocabulary.

Headlines are drawn on because they are edited text: a body's typos would be suggested back.
"""

from __future__ import annotations

from typing import Optional, Sequence

from whoosh.searching import Searcher

from searchkit.engines.whoosh.analysis import fold

#: The unstemmed headline words (see ``schema.py``).
VOCABULARY_FIELD = "headword"


def suggest(searcher: Searcher, words: Sequence[str]) -> Optional[str]:
    """``words`` with each unknown one replaced by its nearest headline word, or ``None`` if none is."""
    corrector = searcher.corrector(VOCABULARY_FIELD)
    changed, out = False, []
    for word in words:
        normal = fold(word)
        if not normal.isalpha() or searcher.doc_frequency(VOCABULARY_FIELD, normal) > 0:
            out.append(word)
            continue
        candidates = corrector.suggest(normal, limit=1, maxdist=2, prefix=1)
        if candidates:
            out.append(candidates[0])
            changed = True
        else:
            out.append(word)
    return " ".join(out) if changed else None
