"""Text analysis shared by every engine: words, lower case, accents folded, dotted acronyms undotted,
Snowball English stems.

Every engine indexes exactly these words, so a word finds the same articles whichever engine runs:
an engine never applies analysis of its own. Stop words are indexed ("The Who", "to be or not").
A dotted acronym (single letters separated by dots: U.S., u.s, U.K., E.U., U.S.A.) is indexed as its
letters (us, uk, eu, usa), so ``US`` and ``U.S.`` find each other, in phrases too. Case is folded
before, as for every word (headlines are often in capitals), so ``U.S.`` also meets the pronoun "us":
a rare word in news text, and a query for it was already a query for US.
Stems come from PyStemmer (Snowball's English stemmer, "Porter2", in C): the Porter stemmer that ships
with Whoosh leaves "cutting" as "cutt" and "operating" as "operat", and turns "monday" into "mondai".
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Optional

import Stemmer

#: A word: letters and digits, with inner dots kept (U.S., 3.5).
WORD = re.compile(r"\w+(?:\.\w+)*", re.UNICODE)  # "\w+(?:\.?\w+)*" matched the same, slower

#: A dotted acronym once folded: single letters separated by dots ("u.s", "u.s.a"; WORD leaves off the
#: final dot). Not "ph.d" or "3.5".
ACRONYM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]", re.UNICODE)

# Letters that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSED = str.maketrans({
    "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
    "ħ": "h", "ŧ": "t", "ŋ": "n",
})
_CACHE_LIMIT = 500_000
_RECENT_TEXTS = 4  # texts whose words Analyzer.words remembers


def fold(word: str) -> str:
    """Lower-case ``word`` and strip accents (Juárez -> juarez, Øresund -> oresund, Straße -> strasse).

    The result never holds whitespace (a few compatibility characters decompose into several words), so
    an engine may join words with spaces.
    """
    word = word.lower()
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word.translate(_UNDECOMPOSED))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(unicodedata.normalize("NFKC", bare).lower().split())


def undot(folded: str) -> str:
    """A folded dotted acronym without its dots ("u.s.a" -> "usa"); any other word as it is."""
    return folded.replace(".", "") if "." in folded and ACRONYM.fullmatch(folded) else folded


class Analyzer:
    """Turns text into indexed words. Thread-safe: each thread gets a stemmer of its own."""

    def __init__(self, *, stem: bool = True) -> None:
        self.stem = stem
        self._cache: dict[str, str] = {}
        self._local = threading.local()

    def normalize(self, word: str) -> str:
        """The indexed form of one word (as :data:`WORD` finds it)."""
        normal = self._cache.get(word)
        if normal is None:
            normal = fold(word)
            normal = undot(normal)
            if self.stem and normal.isalpha():
                normal = self._stemmer().stemWord(normal)
            if len(self._cache) > _CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = normal
        return normal

    def words(self, text: str) -> list[str]:
        """The indexed words of ``text``, in order (position ``i`` is the ``i``-th word)."""
        # The last few texts are remembered (per thread): indexing analyses an article's headline and
        # body for the engine, then again for its near-duplicate signature.
        recent: Optional[dict[str, list[str]]] = getattr(self._local, "recent", None)
        if recent is None:
            recent = self._local.recent = {}
        found = recent.get(text)
        if found is not None:
            return list(found)
        words = self.normalize_all(WORD.findall(text))
        if len(recent) >= _RECENT_TEXTS:
            del recent[next(iter(recent))]
        recent[text] = words
        return list(words)

    def normalize_all(self, raw_words: list[str]) -> list[str]:
        """The indexed form of each of ``raw_words`` (as :data:`WORD` finds them), in order."""
        known = list(map(self._cache.get, raw_words))  # a C-level map: most words are known
        if None not in known:
            return known  # type: ignore[return-value]  # no None left
        normalize = self.normalize
        return [normal if normal is not None else normalize(raw) for normal, raw in zip(known, raw_words,
                                                                                          strict=True)]

    def _stemmer(self) -> Stemmer.Stemmer:
        stemmer: Stemmer.Stemmer | None = getattr(self._local, "stemmer", None)
        if stemmer is None:
            stemmer = self._local.stemmer = Stemmer.Stemmer("english")
        return stemmer


#: Headline and body words: folded and stemmed.
STEMMED = Analyzer()
#: Headline words as written, folded but not stemmed (the vocabulary "did you mean" draws from).
UNSTEMMED = Analyzer(stem=False)


def analyze(text: str) -> list[str]:
    """The stemmed indexed words of ``text``, in order."""
    return STEMMED.words(text)
