"""Analysis in every language: :func:`analyzer_for` gives the analyzer of a language's articles.

English is :mod:`searchkit.text.analysis` unchanged (an English-only archive keeps its words exactly).
Every other language:

- **words**: letters and digits with their combining marks (Python's ``\\w`` leaves out the vowel signs
  of Devanagari or Tamil and Arabic's harakat, which would cut words in two); Chinese by jieba and
  Japanese by MeCab (fugashi with the UniDic-lite dictionary), the ``cjk`` extra;
- **stems** by the language's Snowball stemmer (PyStemmer) on the word as written, lower-cased, *before*
  accents are folded: Snowball's German stemmer needs the umlaut to take Häuser to haus, its French one
  the accents of "été" (Arabic script's optional vowel marks, harakat, go before stemming: the stemmer
  would not find the article in المَنازِل);
- **folding** per script, after stemming: accents and other marks stripped from Latin, Greek, Cyrillic,
  Arabic (harakat, hamza seats: أ إ آ are ا) and Hebrew letters, except the Cyrillic letters й and ї,
  which are letters of their own; the marks of other scripts (Devanagari's vowel signs, Japanese
  dakuten) are kept; compatibility forms folded (full-width Ａ is a).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any, Callable, Iterator, Sequence

from searchkit.errors import LanguageSupportMissingError
from searchkit.text.analysis import ACRONYM, STEMMED, UNSTEMMED, WORD, Analyzer
from searchkit.text.languages import SEGMENTED, SNOWBALL, analysis_language, check_language
from searchkit.text.stopwords import stop_words


def _marks() -> str:
    """A character class body of every combining mark (categories Mn, Mc, Me) of the Basic Multilingual
    Plane, as ranges (the planes above hold no mark of a living script's news)."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x300, 0x10000):
        if unicodedata.category(chr(code)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" if b > a else re.escape(chr(a))
                   for a, b in ranges)


_word_any: "re.Pattern[str] | None" = None


def word_any() -> "re.Pattern[str]":
    """A word in any script: letters, digits and their combining marks, with inner dots kept (U.S.,
    3.5). Made on first use: listing the marks takes a few hundredths of a second."""
    global _word_any
    if _word_any is None:
        marks = _marks()
        _word_any = re.compile(rf"[\w{marks}]+(?:\.[\w{marks}]+)*", re.UNICODE)
    return _word_any

_KEPT = frozenset("йї")  # Cyrillic letters Unicode writes as a base letter and a mark
_TATWEEL = "\u0640"
#: Arabic script's optional vowel marks and tatweel, dropped before stemming.
_HARAKAT = {code: None for code in [*range(0x064B, 0x0660), 0x0670, 0x0640]}


def _strips_marks(char: str) -> bool:
    """Whether the marks on ``char`` are accents to fold: Latin, Greek, Cyrillic, Arabic, Hebrew."""
    code = ord(char)
    return code < 0x0530 or 0x0590 <= code < 0x0900 or 0x1E00 <= code < 0x2000


def fold_script(word: str) -> str:
    """A lower-cased word with accents folded by its script's rule (see the module's docstring)."""
    if word.isascii():
        return word
    word = word.replace(_TATWEEL, "")
    out: list[str] = []
    strip = False
    for char in unicodedata.normalize("NFKD", word):
        if unicodedata.combining(char) or unicodedata.category(char) == "Mn":
            if strip:
                continue
        else:
            strip = _strips_marks(char)
        out.append(char)
    folded = unicodedata.normalize("NFKC", "".join(out)).lower()
    if _KEPT.intersection(word):  # put back the letters the marks were part of
        folded = _restore_kept(word, folded)
    return "".join(folded.split())


def _restore_kept(word: str, folded: str) -> str:
    pieces = re.split("([йї])", word)
    return "".join(piece if piece in _KEPT else fold_script(piece) for piece in pieces)


class LanguageAnalyzer(Analyzer):
    """The words of one language other than English (see the module's docstring)."""

    def __init__(self, language: str, *, stem: bool = True) -> None:
        super().__init__(stem=stem and language in SNOWBALL)
        self.language = language
        self.algorithm = SNOWBALL.get(language, "english")
        self._harakat = _HARAKAT if language in ("ar", "fa", "ur") else None
        #: The language's stop words as written, folded: never indexed, and dropped from queries in the
        #: language. Compared before stemming, as Lucene's stop filter does: a word whose stem is a
        #: stop word stays ("Wille", will).
        self.stops = frozenset(fold_script(word.lower()) for word in stop_words(language))

    @property
    def word(self) -> "re.Pattern[str]":
        """The pattern of a word in any script (:func:`word_any`)."""
        return word_any()

    @staticmethod
    def _word_in(text: str) -> "re.Pattern[str]":
        # Every combining mark is above U+0300, so in ASCII text the English pattern finds the same
        # words; a query or article in ASCII never pays for listing the marks (a cold query would).
        return WORD if text.isascii() else word_any()

    def spans(self, text: str) -> Iterator[tuple[int, int, str]]:
        for match in self._word_in(text).finditer(text):
            yield match.start(), match.end(), match.group()

    def raw_words(self, text: str) -> list[str]:
        return self._word_in(text).findall(text)

    def words(self, text: str) -> list[str]:
        """The indexed words of ``text``, in order, stop words left out (the next word takes the
        position)."""
        found = super().words(text)
        return [word for word in found if word] if self.stops else found

    def normalize(self, word: str) -> str:
        """The indexed form of one word; "" for a stop word."""
        normal = self._cache.get(word)
        if normal is None:
            lower = word.lower()
            if self._harakat is not None:  # vowel marks the stemmer does not expect
                lower = lower.translate(self._harakat)
            if "." in lower and ACRONYM.fullmatch(fold_script(lower)):
                lower = lower.replace(".", "")
            if self.stem and lower.isalpha():
                lower = self._stemmer().stemWord(lower)
            normal = "" if self.stops and fold_script(word.lower()) in self.stops else fold_script(lower)
            if len(self._cache) > 500_000:
                self._cache.clear()
            self._cache[word] = normal
        return normal


class SegmentedAnalyzer(LanguageAnalyzer):
    """Chinese, Japanese or Thai: words found by a segmenter of an extra (``cjk``, ``thai``), folded,
    never stemmed."""

    def __init__(self, language: str, *, stem: bool = True) -> None:
        super().__init__(language, stem=False)
        self._segment: Callable[[str], Iterator[tuple[int, int, str]]] = _segmenter(language)

    def spans(self, text: str) -> Iterator[tuple[int, int, str]]:
        for start, _end, piece in self._segment(text):
            # A segment may hold punctuation or be a run of Latin letters: take its words.
            for match in self._word_in(piece).finditer(piece):
                yield start + match.start(), start + match.end(), match.group()

    def raw_words(self, text: str) -> list[str]:
        return [word for _, _, word in self.spans(text)]


_segmenters: dict[str, Callable[[str], Iterator[tuple[int, int, str]]]] = {}
_segmenters_lock = threading.Lock()


def _segmenter(language: str) -> Callable[[str], Iterator[tuple[int, int, str]]]:
    with _segmenters_lock:
        found = _segmenters.get(language)
        if found is None:
            found = _segmenters[language] = {"zh": _chinese, "ja": _japanese, "th": _thai}[language]()
        return found


def _chinese() -> Callable[[str], Iterator[tuple[int, int, str]]]:
    try:
        import jieba
    except ImportError:
        raise LanguageSupportMissingError("zh", "cjk", "jieba") from None
    import logging

    jieba.setLogLevel(logging.WARNING)  # it announces loading its dictionary on stderr otherwise
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    lock = threading.Lock()  # jieba's tokenizer is not documented as thread-safe

    def segment(text: str) -> Iterator[tuple[int, int, str]]:
        with lock:
            found = list(tokenizer.tokenize(text, HMM=True))
        for word, start, end in found:
            yield start, end, word

    return segment


def _japanese() -> Callable[[str], Iterator[tuple[int, int, str]]]:
    try:
        import fugashi
        import unidic_lite  # noqa: F401  # the dictionary fugashi finds by itself
    except ImportError:
        raise LanguageSupportMissingError("ja", "cjk", "fugashi and unidic-lite") from None
    local = threading.local()

    def segment(text: str) -> Iterator[tuple[int, int, str]]:
        tagger: Any = getattr(local, "tagger", None)
        if tagger is None:
            tagger = local.tagger = fugashi.Tagger()
        at = 0
        for node in tagger(text):
            surface = node.surface
            start = text.find(surface, at)
            if start < 0:  # MeCab normalised something: keep the word, at the best place known
                start = at
            at = start + len(surface)
            yield start, at, surface

    return segment


_analyzers: dict[tuple[str, bool], Analyzer] = {("en", True): STEMMED, ("en", False): UNSTEMMED}
_analyzers_lock = threading.Lock()


def _thai() -> Callable[[str], Iterator[tuple[int, int, str]]]:
    try:
        from pythainlp.tokenize import word_tokenize
    except ImportError:
        raise LanguageSupportMissingError("th", "thai", "PyThaiNLP") from None

    def segment(text: str) -> Iterator[tuple[int, int, str]]:
        at = 0
        for word in word_tokenize(text, engine="newmm", keep_whitespace=False):
            start = text.find(word, at)
            if start < 0:  # not found as given: keep the word, at the best place known
                start = at
            at = start + len(word)
            yield start, at, word

    return segment


def query_analyses(text: str, languages: Sequence[str]) -> list[list[str]]:
    """The indexed words of query ``text`` in each of ``languages`` (none: English), the distinct ones
    in order: one list when every language analyses it alike."""
    languages = list(dict.fromkeys(map(analysis_language, languages)))
    if not languages or languages == ["en"]:
        return [STEMMED.words(text)]
    found: list[list[str]] = []
    for language in languages:
        words = analyzer_for(language).words(text)
        if words not in found:
            found.append(words)
    return found


def stopped_in(text: str, languages: Sequence[str]) -> tuple[str, ...]:
    """The languages among ``languages`` in which query ``text`` has words but every one is a stop word
    (it then analyses to nothing there, as "die" does in German)."""
    found = []
    for language in languages:
        analyzer = analyzer_for(language)
        if isinstance(analyzer, LanguageAnalyzer) and analyzer.stops and not analyzer.words(text) \
                and analyzer.raw_words(text):
            found.append(language)
    return tuple(found)


def analyzer_for(language: str | None, *, stem: bool = True) -> Analyzer:
    """The analyzer of articles in ``language`` (``None`` or ``und``: English, the analysis of an archive
    without languages); raises :class:`~searchkit.errors.LanguageSupportMissingError` for Chinese or
    Japanese without the ``cjk`` extra."""
    key = (analysis_language(language), stem)
    found = _analyzers.get(key)
    if found is None:
        code = check_language(key[0])
        with _analyzers_lock:
            found = _analyzers.get(key)
            if found is None:
                kind = SegmentedAnalyzer if code in SEGMENTED else LanguageAnalyzer
                found = _analyzers[key] = kind(code, stem=stem)
    return found
