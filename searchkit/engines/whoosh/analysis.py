"""Text analysis for the Whoosh engine: words, lower case, accents folded, Porter stems.

One fused analyzer instead of Whoosh's chain of generators (``RegexTokenizer() | LowercaseFilter() |
...``), which ran a generator per stage per token; fusing the stages and caching stems makes indexing
markedly faster. Stop words are indexed, so "The Who" and phrases with "to be" work.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterator

from whoosh.analysis import Analyzer, Token
from whoosh.formats import Positions
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

#: A word: letters and digits, with inner dots kept (U.S., 3.5).
WORD = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)


class NewsAnalyzer(Analyzer):
    """Words -> lower case -> accents folded -> Porter stem, in one pass (a Whoosh analyzer).

    ``stem=False`` leaves words unstemmed (the headline vocabulary "did you mean" draws from).
    """

    def __init__(self, stem: bool = True) -> None:
        self.stem = stem
        self._cache: dict[str, str] = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NewsAnalyzer) and type(other) is type(self) and other.stem == self.stem

    def __hash__(self) -> int:
        return hash((type(self), self.stem))

    def __getstate__(self) -> dict[str, Any]:
        return {"stem": self.stem}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.stem = state["stem"]
        self._cache = {}

    def normalize(self, word: str) -> str:
        """The indexed form of one word."""
        cache = self._cache
        normal = cache.get(word)
        if normal is None:
            normal = fold(word)
            if self.stem and normal.isalpha():
                normal = porter_stem(normal)
            if len(cache) > 500_000:
                cache.clear()
            cache[word] = normal
        return normal

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        normalize = self.normalize
        for pos, match in enumerate(WORD.finditer(value), start_pos):
            word = match.group()
            token.text = normalize(word)
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


def fold(word: str) -> str:
    """Lower-case ``word`` and strip accents (Juárez -> juarez)."""
    word = word.lower()
    if word.isascii():
        return word
    folded = word.translate(accent_map)
    return unicodedata.normalize("NFKC", folded)


def analyze(text: str) -> list[str]:
    """The indexed words of ``text``, in order."""
    return [token.text for token in ANALYZER(text)]


ANALYZER = NewsAnalyzer()


class FusedPositions(Positions):
    """Whoosh's ``Positions`` postings format, fed by :class:`NewsAnalyzer` without Token objects.

    Produces exactly what ``Positions.word_values`` would (same encoding, readable by stock Whoosh),
    but collects each word's positions straight from the regex matches.
    """

    def word_values(
        self, value: str, analyzer: Any, **kwargs: Any
    ) -> Iterator[tuple[str, int, float, bytes]]:
        if not isinstance(analyzer, NewsAnalyzer):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        normalize, cache = analyzer.normalize, analyzer._cache
        positions: dict[str, list[int]] = {}
        for pos, word in enumerate(WORD.findall(value)):
            normal = cache.get(word) or normalize(word)
            found = positions.get(normal)
            if found is None:
                positions[normal] = [pos]
            else:
                found.append(pos)
        boost = self.field_boost
        encode, single = self.encode, _SINGLE_POSITION
        for normal, found in positions.items():
            if len(found) == 1:  # most words occur once in an article: reuse their encoding
                pos = found[0]
                encoded = single.get(pos)
                if encoded is None:
                    encoded = single[pos] = encode(found)
                yield normal, 1, boost, encoded
            else:
                yield normal, len(found), len(found) * boost, encode(found)


_SINGLE_POSITION: dict[int, bytes] = {}

