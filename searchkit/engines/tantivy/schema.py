"""The Tantivy schema, and the conversion between searchkit's ``Article`` and Tantivy documents.

Headline, body and headword fields hold searchkit's analysed words joined by spaces, indexed with
Tantivy's whitespace tokenizer, so position ``i`` is the ``i``-th word exactly as on every engine (the
analysis never yields a word with a space in it). The text as written is kept in stored-only fields.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
import zlib
from pathlib import Path
from typing import Iterable, NamedTuple, Optional

import tantivy

from searchkit.articles import Article, Fingerprint
from searchkit.errors import IndexCorruptError
from searchkit.text.languages import DEFAULT_LANGUAGE
from searchkit.text.multilingual import analyzer_for

TEXT_FIELDS = ("headline", "body")
#: The unstemmed headline words, for "did you mean".
VOCABULARY_FIELD = "headword"
SEED, LIBRARY = "seed", "library"
KEY_FIELD = "key"
#: The article's language (ISO 639-1), whole.
LANGUAGE_FIELD = "language"
#: The story number of an article in the stories index (``stories.py``).
STORY_FIELD = "story"
#: The story number of a whole-story document in the stories index: every word of the story's members.
WHOLE_STORY_FIELD = "whole_story"


def id_key(article_id: str) -> int:
    """A 64-bit hash of an article id (two checksums: cheap, and 1M ids collide with odds under 1 in
    10^7)."""
    data = article_id.encode("utf-8", "surrogatepass")
    return zlib.crc32(data) << 32 | zlib.adler32(data)


def ids_by_key(article_ids: Iterable[str]) -> dict[int, str]:
    """``{id_key(id): id}`` for many ids, in C-level maps (a cold query collapsing by the labels keys every
    labelled article's id)."""
    ids = list(article_ids)
    data = [article_id.encode("utf-8", "surrogatepass") for article_id in ids]
    high = map(operator.lshift, map(zlib.crc32, data), itertools.repeat(32))
    return dict(zip(map(operator.or_, high, map(zlib.adler32, data)), ids, strict=True))


def build_schema(*, with_story: bool = False) -> tantivy.Schema:
    """The main index's fields; ``with_story`` adds :data:`STORY_FIELD` and :data:`WHOLE_STORY_FIELD`
    after them (the stories index: the same field numbers, so one compiled query runs on both)."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("origin", stored=False, tokenizer_name="raw", index_option="basic")
    builder.add_text_field(LANGUAGE_FIELD, stored=True, tokenizer_name="raw", index_option="basic")
    for name in TEXT_FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name="whitespace", index_option="position")
    builder.add_text_field(VOCABULARY_FIELD, stored=False, tokenizer_name="whitespace", index_option="freq")
    builder.add_integer_field("date", stored=True, indexed=True, fast=True)  # the date's ordinal
    builder.add_integer_field("year", stored=False, indexed=False, fast=True)
    # The id's hash, read by column: which of many articles match, without a stored document each.
    builder.add_unsigned_field(KEY_FIELD, stored=False, indexed=False, fast=True)
    for name in ("headline_text", "body_text", "path", "fingerprint"):
        builder.add_bytes_field(name, stored=True)
    if with_story:
        builder.add_unsigned_field(STORY_FIELD, stored=False, indexed=True, fast=True)
        builder.add_unsigned_field(WHOLE_STORY_FIELD, stored=False, indexed=True, fast=True)
    return builder.build()


def create(folder: Path) -> None:
    """An empty index in ``folder``, with one commit (so it reads as an index at once)."""
    index = tantivy.Index(build_schema(), path=str(folder))
    writer = index.writer(heap_size=15_000_000, num_threads=1)
    writer.commit()
    writer.wait_merging_threads()


def open_index(folder: Path) -> tantivy.Index:
    """The index in ``folder``; files that cannot be opened give :class:`IndexCorruptError`."""
    try:
        return tantivy.Index.open(str(folder))
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as error:  # ValueError, or a Rust panic (a BaseException) for a cut-off file
        raise IndexCorruptError(folder, f"{type(error).__name__}: {error}") from error


class Prepared(NamedTuple):
    """An article analysed for the index, as plain values (worker processes send these to the writer)."""

    id: str
    origin: str
    headline_words: str
    body_words: str
    headwords: str
    date: int
    year: int
    headline: str
    body: str
    path: str
    fingerprint: str
    language: str


def prepare(article: Article, fingerprint: Optional[Fingerprint] = None) -> Prepared:
    """The analysis of one article: the costly part of indexing, done in plain Python."""
    stemmed = analyzer_for(article.language)
    return Prepared(
        id=article.id,
        origin=SEED if fingerprint is not None else LIBRARY,
        headline_words=" ".join(stemmed.words(article.headline)),
        body_words=" ".join(stemmed.words(article.body)),
        headwords=" ".join(analyzer_for(article.language, stem=False).words(article.headline)),
        date=article.date.toordinal(),
        year=article.date.year,
        headline=article.headline,
        body=article.body,
        path=article.path or "",
        fingerprint=fingerprint.encode() if fingerprint is not None else "",
        language=article.language or DEFAULT_LANGUAGE,
    )


def to_document(prepared: Prepared) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("id", prepared.id)
    doc.add_unsigned(KEY_FIELD, id_key(prepared.id))
    doc.add_text("origin", prepared.origin)
    doc.add_text(LANGUAGE_FIELD, prepared.language)
    doc.add_text("headline", prepared.headline_words)
    doc.add_text("body", prepared.body_words)
    doc.add_text(VOCABULARY_FIELD, prepared.headwords)
    doc.add_integer("date", prepared.date)
    doc.add_integer("year", prepared.year)
    doc.add_bytes("headline_text", prepared.headline.encode("utf-8"))
    doc.add_bytes("body_text", prepared.body.encode("utf-8"))
    doc.add_bytes("path", prepared.path.encode("utf-8"))
    doc.add_bytes("fingerprint", prepared.fingerprint.encode("ascii"))
    return doc


def document(article: Article, fingerprint: Optional[Fingerprint] = None) -> tantivy.Document:
    return to_document(prepare(article, fingerprint))


def article_from(doc: tantivy.Document) -> Article:
    return Article(
        id=doc["id"][0],
        date=dt.date.fromordinal(doc["date"][0]),
        headline=stored_text(doc, "headline_text"),
        body=stored_text(doc, "body_text"),
        path=stored_text(doc, "path") or None,
        language=language_of(doc),
    )


def language_of(doc: tantivy.Document) -> str:
    """The stored language of a document."""
    values = doc[LANGUAGE_FIELD]
    return str(values[0]) if values else DEFAULT_LANGUAGE


def stored_text(doc: tantivy.Document, name: str) -> str:
    """A stored-only text field (kept as UTF-8 bytes: stored text fields would also be indexed)."""
    return _bytes(doc, name).decode("utf-8")


def fingerprint_from(doc: tantivy.Document) -> Optional[Fingerprint]:
    text = _bytes(doc, "fingerprint").decode("ascii")
    return Fingerprint.decode(text) if text else None


def _bytes(doc: tantivy.Document, name: str) -> bytes:
    values = doc[name]
    return bytes(values[0]) if values else b""

