"""The Whoosh index schema, and the conversion between searchkit's ``Article`` and stored fields.

Whoosh pickles the schema (analyzers and formats included) into every commit, so the classes it names
must stay importable where they were: see ``__getattr__`` in this package's ``__init__``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Optional

from whoosh import fields as wf

from searchkit.articles import Article, Fingerprint
from searchkit.engines.whoosh.analysis import FusedPositions, InLanguage, NewsAnalyzer
from searchkit.text.languages import DEFAULT_LANGUAGE, analysis_language

ID_FIELD = "id"


def _text_field(analyzer: NewsAnalyzer, *, stored: bool) -> wf.TEXT:
    field = wf.TEXT(analyzer=analyzer, stored=stored, phrase=True)
    field.format = FusedPositions(field_boost=field.format.field_boost)
    return field


def build_schema() -> wf.Schema:
    """The index schema; bump the engine's ``SCHEMA_VERSION`` when it changes."""
    return wf.Schema(
        id=wf.ID(stored=True, unique=True, sortable=True),  # a column: ids read without stored documents
        path=wf.STORED(),
        fingerprint=wf.STORED(),
        headline=_text_field(NewsAnalyzer(), stored=True),
        body=_text_field(NewsAnalyzer(), stored=True),
        date=wf.NUMERIC(numtype=int, bits=32, stored=True, sortable=True, shift_step=8),
        headword=wf.TEXT(analyzer=NewsAnalyzer(stem=False), phrase=False),
        language=wf.ID(stored=True),
    )


def document(article: Article, fingerprint: Optional[Fingerprint] = None) -> dict[str, Any]:
    """The Whoosh document for one article: text in a language other than English goes to the analyzer
    marked with its language (:class:`InLanguage`), and is stored as it is."""
    language = article.language or DEFAULT_LANGUAGE
    doc = {
        "id": article.id,
        "path": article.path or "",
        "fingerprint": fingerprint.encode() if fingerprint is not None else "",
        "headline": article.headline,
        "body": article.body,
        "date": article.date.toordinal(),
        "headword": article.headline,
        "language": language,
    }
    if analysis_language(language) != DEFAULT_LANGUAGE:
        doc.update(headline=InLanguage(article.headline, language), body=InLanguage(article.body, language),
                   headword=InLanguage(article.headline, language),
                   _stored_headline=article.headline, _stored_body=article.body)
    return doc


def article_from_fields(fields: Mapping[str, Any]) -> Article:
    """Rebuild an :class:`Article` from stored fields."""
    return Article(
        id=fields["id"],
        date=dt.date.fromordinal(fields["date"]),
        headline=fields.get("headline", ""),
        body=fields.get("body", ""),
        path=fields.get("path") or None,
        language=fields.get("language") or DEFAULT_LANGUAGE,
    )


def fingerprint_from_fields(fields: Mapping[str, Any]) -> Optional[Fingerprint]:
    """The fingerprint stored with an article read from a seed file; ``None`` for library articles."""
    text = fields.get("fingerprint", "")
    return Fingerprint.decode(text) if text else None

