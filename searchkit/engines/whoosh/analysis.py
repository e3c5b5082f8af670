"""searchkit's analysis (:mod:`searchkit.text.analysis`) in the shape Whoosh wants: an ``Analyzer``, and a
postings format fed straight from it.

Whoosh's composable chain (``RegexTokenizer() | LowercaseFilter() | ...``) runs a generator per stage
per token; one fused analyzer with cached words makes indexing markedly faster. Whoosh pickles both
classes into every commit, which is why they keep their names (see ``__getattr__`` in ``__init__``).
"""

from __future__ import annotations

from typing import Any, Iterator

from whoosh.analysis import Analyzer, Token
from whoosh.formats import Positions

from searchkit.text.analysis import STEMMED, UNSTEMMED, WORD, analyze, fold
from searchkit.text.analysis import Analyzer as WordAnalyzer
from searchkit.text.multilingual import analyzer_for

__all__ = ["ANALYZER", "WORD", "FusedPositions", "InLanguage", "NewsAnalyzer", "analyze", "fold"]


class InLanguage(str):
    """Text whose words are analysed in ``language`` (an article's headline or body, on its way to the
    analyzer; never stored: the plain text is)."""

    language: str

    def __new__(cls, text: str, language: str) -> "InLanguage":
        made = super().__new__(cls, text)
        made.language = language
        return made


class NewsAnalyzer(Analyzer):
    """Words -> lower case -> accents folded -> stem, in one pass (a Whoosh analyzer over
    :data:`searchkit.text.analysis.STEMMED`).

    ``stem=False`` leaves words unstemmed (the headline vocabulary "did you mean" draws from).
    """

    def __init__(self, stem: bool = True) -> None:
        self.stem = stem

    @property
    def words(self) -> WordAnalyzer:
        return STEMMED if self.stem else UNSTEMMED

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NewsAnalyzer) and type(other) is type(self) and other.stem == self.stem

    def __hash__(self) -> int:
        return hash((type(self), self.stem))

    def __getstate__(self) -> dict[str, Any]:
        return {"stem": self.stem}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.stem = state["stem"]

    def normalize(self, word: str) -> str:
        """The indexed form of one word."""
        return self.words.normalize(word)

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
        words = analyzer_for(value.language, stem=self.stem) if isinstance(value, InLanguage) else self.words
        normalize, skips_stops = words.normalize, isinstance(value, InLanguage)
        pos = start_pos - 1
        for start, end, word in words.spans(value):
            token.text = normalize(word)
            if skips_stops and not token.text:  # a stop word: not indexed, as Analyzer.words leaves it out
                continue
            pos += 1
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


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
        positions: dict[str, list[int]] = {}
        words = (analyzer_for(value.language, stem=analyzer.stem) if isinstance(value, InLanguage)
                 else analyzer.words)
        for pos, normal in enumerate(words.words(value)):
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

