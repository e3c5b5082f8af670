"""Stop words per language: Snowball's lists, the ones Lucene's and PostgreSQL's analysers use.

They come from whoosh-reloaded (a dependency of searchkit's own, installed with it), whose
``whoosh.lang.stopwords`` holds Snowball's lists as PostgreSQL ships them, for Danish, Dutch, Finnish,
French, German, Hungarian, Italian, Norwegian, Portuguese, Russian, Spanish, Swedish and Turkish. Only
that data module is read (not the engine), once, when the first analyzer of such a language is made.
The PyPI alternatives were worse for search: ``stop-words`` and ``stopwordsiso`` mix content words into
several lists (Russian "время", Swedish "dag", Spanish "ayer"), which a stop list must never hold.

English keeps its stop words indexed (docs/query-language.md): an English-only archive's words do not
change. Other languages have no well-kept list offline and keep theirs too (docs/languages.md).
"""

from __future__ import annotations

#: The languages with a stop list (ISO 639-1), English aside.
STOPPED = ("da", "de", "es", "fi", "fr", "hu", "it", "nl", "no", "pt", "ru", "sv", "tr")


def stop_words(language: str) -> frozenset[str]:
    """The stop words of ``language`` as written (lower case), empty for a language without a list."""
    if language not in STOPPED:
        return frozenset()
    from whoosh.lang.stopwords import stoplists  # a data module: no engine code is loaded

    return frozenset(stoplists.get(language, ()))
