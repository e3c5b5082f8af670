"""Stop words per language: Snowball's lists, the ones Lucene's and PostgreSQL's analysers use.

The lists are Snowball's (BSD-3-Clause, snowballstem.org), as PostgreSQL and whoosh-reloaded's
``whoosh.lang.stopwords`` ship them, for Danish, Dutch, Finnish, French, German, Hungarian, Italian,
Norwegian, Portuguese, Russian, Spanish, Swedish and Turkish, kept in ``stopwords.json`` beside this
module (copied rather than imported: Whoosh is an engine, imported only by its engine package). Three
words are left out because news uses them as content words: Spanish *estado*, *estados* (the state,
Estados Unidos) and French *été* (summer). The PyPI alternatives were worse for search: ``stop-words``
and ``stopwordsiso`` mix content words into several lists (Russian "время", Swedish "dag", Spanish
"ayer"), which a stop list must never hold.

English keeps its stop words indexed (docs/query-language.md): an English-only archive's words do not
change. Other languages have no well-kept list offline and keep theirs too (docs/languages.md).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

#: The languages with a stop list (ISO 639-1), English aside.
STOPPED = ("da", "de", "es", "fi", "fr", "hu", "it", "nl", "no", "pt", "ru", "sv", "tr")


def stop_words(language: str) -> frozenset[str]:
    """The stop words of ``language`` as written (lower case), empty for a language without a list."""
    if language not in STOPPED:
        return frozenset()
    return frozenset(_lists().get(language, ()))


@functools.lru_cache(maxsize=1)
def _lists() -> dict[str, list[str]]:
    """Every list, read once, when the first analyzer of such a language is made."""
    found: dict[str, list[str]] = json.loads(Path(__file__).with_name("stopwords.json").read_text("utf-8"))
    return found
