"""The index's settings and mapping, and the conversion between ``Article`` and documents.

searchkit analyses (:mod:`searchkit.text.analysis`) and OpenSearch only splits on spaces: ``headline`` and
``body`` hold the analysed words joined by spaces, in ``text`` fields whose analyzer is a ``whitespace``
tokenizer and nothing else, so position ``i`` is the ``i``-th word exactly as on every other engine (the
analysis never yields a word with a space in it, in Python's sense or Java's). OpenSearch's own English
chain (standard tokenizer, asciifolding, snowball) would stem the same but split words differently
(``R.E.M``, ``Wi-Fi``, ``3.5``), and a word must find the same articles on every engine.

Beside them, ``headline_words`` and ``body_words`` are keyword fields holding each distinct word once:
their terms aggregation lists the words a prefix or wildcard expands to, for the same caps as the
other engines and for snippets; ``headword`` holds the unstemmed headline words for "did you mean".
These analysed fields are left out of ``_source``; the text as written is kept there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, Optional

from searchkit.articles import Article, Fingerprint
from searchkit.text.languages import DEFAULT_LANGUAGE
from searchkit.text.multilingual import analyzer_for

TEXT_FIELDS = ("headline", "body")
WORDS_FIELDS = {"headline": "headline_words", "body": "body_words"}
VOCABULARY_FIELD = "headword"
SEED, LIBRARY = "seed", "library"
ANALYZER = "searchkit_words"
#: The longest word the whitespace tokenizer keeps whole (its maximum). Lucene itself refuses a word
#: over 32,766 bytes: an article holding one is rejected, and named.
MAX_WORD_CHARS = 1024 * 1024
#: Document ids are at most 512 bytes; a longer article id is replaced by its digest as ``_id``.
MAX_ID_BYTES = 512
#: Fields of ``_source`` a hit needs (``body_text`` only for snippets).
HIT_FIELDS = ["id", "date", "headline_text", "path", "language"]
ARTICLE_FIELDS = ["id", "date", "headline_text", "body_text", "path", "fingerprint", "language"]

_STORED_ONLY = {"type": "text", "index": False, "norms": False}


def index_body(shards: int, replicas: int, meta: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """Settings and mapping of a new physical index (``meta``: the mapping's ``_meta``, see meta.py).
    ``refresh_interval: -1``: writes become visible only when a writer commits (the engine refreshes
    then), never half a batch on a timer."""
    return {
        "settings": {
            "index": {"number_of_shards": shards, "number_of_replicas": replicas, "refresh_interval": "-1",
                      "max_result_window": 10_000},
            "analysis": {
                "tokenizer": {ANALYZER: {"type": "whitespace", "max_token_length": MAX_WORD_CHARS}},
                "analyzer": {ANALYZER: {"type": "custom", "tokenizer": ANALYZER}},
            },
        },
        "mappings": {
            **({"_meta": meta} if meta else {}),
            "dynamic": "strict",
            "_source": {"excludes": [*TEXT_FIELDS, *WORDS_FIELDS.values(), VOCABULARY_FIELD]},
            "properties": {
                "id": {"type": "keyword"},
                "origin": {"type": "keyword"},
                "language": {"type": "keyword"},
                "date": {"type": "date", "format": "strict_date"},
                "year": {"type": "integer"},
                **{name: {"type": "text", "analyzer": ANALYZER} for name in TEXT_FIELDS},
                **{name: {"type": "keyword"} for name in WORDS_FIELDS.values()},
                VOCABULARY_FIELD: {"type": "keyword"},
                "headline_text": _STORED_ONLY,
                "body_text": _STORED_ONLY,
                "path": _STORED_ONLY,
                "fingerprint": _STORED_ONLY,
            },
        },
    }


def document_id(article_id: str) -> str:
    """The ``_id`` of an article: its id, or a digest of a very long one."""
    raw = article_id.encode("utf-8")
    if len(raw) <= MAX_ID_BYTES:
        return article_id
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def document(article: Article, fingerprint: Optional[Fingerprint] = None) -> dict[str, Any]:
    """The document of one article: searchkit's analysis, done here in Python."""
    stemmed = analyzer_for(article.language)
    headline = stemmed.words(article.headline)
    body = stemmed.words(article.body)
    return {
        "id": article.id,
        "origin": SEED if fingerprint is not None else LIBRARY,
        "language": article.language or DEFAULT_LANGUAGE,
        "date": article.date.isoformat(),
        "year": article.date.year,
        "headline": " ".join(headline),
        "body": " ".join(body),
        "headline_words": sorted(set(headline)),
        "body_words": sorted(set(body)),
        VOCABULARY_FIELD: sorted(set(analyzer_for(article.language, stem=False).words(article.headline))),
        "headline_text": article.headline,
        "body_text": article.body,
        "path": article.path or "",
        "fingerprint": fingerprint.encode() if fingerprint is not None else "",
    }


def article_from(source: dict[str, Any]) -> Article:
    return Article(id=source["id"], date=dt.date.fromisoformat(source["date"]),
                   headline=source["headline_text"], body=source["body_text"], path=source["path"] or None,
                   language=source.get("language") or DEFAULT_LANGUAGE)


def fingerprint_from(source: dict[str, Any]) -> Optional[Fingerprint]:
    text = source.get("fingerprint") or ""
    return Fingerprint.decode(text) if text else None
