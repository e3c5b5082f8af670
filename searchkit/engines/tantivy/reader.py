"""The Tantivy engine's reader: one committed state of a generation, answering in searchkit's values."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Callable, Iterator, Mapping, Optional, Sequence, TypeVar

import tantivy
from tantivy import DocAddress, Query

from searchkit.articles import Article, Fingerprint
from searchkit.engines.base import RANKED_SORTS, DateSummary, Page, PageStories, SearchRequest
from searchkit.engines.files import folder_size
from searchkit.engines.reuse import LastRanking, query_key
from searchkit.engines.tantivy import commit_record, suggest, token_of
from searchkit.engines.tantivy.compile import Compiled, compile_query
from searchkit.engines.tantivy.schema import (
    KEY_FIELD,
    LANGUAGE_FIELD,
    LIBRARY,
    article_from,
    fingerprint_from,
    ids_by_key,
    language_of,
    open_index,
    stored_text,
)
from searchkit.engines.tantivy.stories import KeptStories
from searchkit.errors import IndexCorruptError, SearchkitError, UnsupportedQueryError
from searchkit.results import Hit
from searchkit.text.languages import LANGUAGES
from searchkit.text.multilingual import analyzer_for
from searchkit.text.snippets import snippet

Result = TypeVar("Result")
#: Documents fetched per batch when a reader walks the whole index (manifest rebuilds, carried articles).
_BATCH = 10_000
#: The most distinct dates a histogram's terms aggregation returns (Tantivy's default bucket limit).
_MAX_DAYS = 65_000
_PER_DAY = {"days": {"terms": {"field": "date", "size": _MAX_DAYS}}}
#: To say which of some articles match, a query with at most this many matches per article asked about
#: lists them all; one with more searches again restricted to a term set of the articles (a term set
#: costs about three times as much per id as listing a match; docs/duplicates.md has the figures).
_LIST_PER_ID = 3
#: Addresses whose ids a reader remembers (about 100 bytes each).
_IDS_REMEMBERED = 200_000
#: Compiled queries a reader keeps (a Tantivy query object each, a few hundred bytes).
_COMPILED_KEPT = 256
#: A hit's stored fields but the body: id, date, headline, path.
_Fields = tuple[str, dt.date, str, Optional[str]]


def _reads_files(method: Callable[..., Result]) -> Callable[..., Result]:
    """Run a method that reads the index. Tantivy reports damage as ``ValueError`` and, for some, as a
    Rust panic (a ``BaseException``); either is damage only if the files say so, or a sign that a later
    commit removed files this reader used."""

    @functools.wraps(method)
    def guarded(self: "TantivyReader", *args: object, **kwargs: object) -> Result:
        try:
            return method(self, *args, **kwargs)
        except (SearchkitError, KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as error:
            if commit_record(self.folder) != self._commit:
                raise IndexCorruptError(self.folder, "a later commit removed files this reader was "
                                                     f"using ({type(error).__name__}: {error})") from error
            from searchkit.engines.tantivy.verify import find_damage  # only on this path

            damage = find_damage(self.folder)
            if damage is None:
                raise
            raise IndexCorruptError(self.folder, damage) from error

    return guarded


class TantivyReader:
    """A Tantivy searcher pinned to the commit current when it opened."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._commit = commit_record(folder)
        self._index = open_index(folder)
        self._schema = self._index.schema
        self._searcher = self._open()
        self._summary: Optional[DateSummary] = None  # of this commit, once asked for
        self._languages: Optional[dict[str, int]] = None  # articles per language, once asked for
        # The last find_ids: the set, its ids by hash, and a term set query of them once one was needed.
        self._keys: Optional[tuple[frozenset[str], dict[int, str], Optional[Query]]] = None
        self._stories: Optional[KeptStories] = None  # the stories' copy for this commit, once found
        self._copy_unreadable = False
        self._last: LastRanking[tuple[Compiled, list[tuple[float, DocAddress]], int]] = LastRanking()
        # The stored fields of the hits read for the last query (collapsing asks for them again, deeper).
        self._fields_for: Optional[tuple[object, ...]] = None
        self._fields: dict[tuple[int, int], _Fields] = {}
        self._compiled: dict[tuple[object, ...], Compiled] = {}  # see _compile
        self._held: Optional[tuple[str, ...]] = None

    @_reads_files
    def _open(self) -> tantivy.Searcher:
        self._index.config_reader("manual")
        self._index.reload()
        return self._index.searcher()

    def is_current(self) -> bool:
        return commit_record(self.folder) == self._commit

    def keeps_stories(self) -> bool:
        if self._stories is None and self._commit is not None and not self._copy_unreadable:
            # Looked for again until found: the writer makes the copy just after the commit.
            self._stories = KeptStories.open(self.folder, token_of(self._commit))
        return self._stories is not None

    @_reads_files
    def count(self) -> int:
        return int(self._searcher.num_docs)

    @_reads_files
    def get(self, article_id: str) -> Optional[Article]:
        from searchkit.engines.batch import indexable_id  # with the writers' code: not loaded by a query

        if not indexable_id(article_id):
            return None
        found = self._searcher.search(Query.term_query(self._schema, "id", article_id), 1).hits
        return article_from(self._searcher.doc(found[0][1])) if found else None

    @_reads_files
    def fingerprints(self) -> dict[str, Fingerprint]:
        found = {}
        for doc in self._all(Query.all_query()):
            fingerprint = fingerprint_from(doc)
            if fingerprint is not None:
                found[doc["id"][0]] = fingerprint
        return found

    @_reads_files
    def articles_without_seed(self) -> Iterator[Article]:
        library = Query.term_query(self._schema, "origin", LIBRARY)
        return iter([article_from(doc) for doc in self._all(library)])

    @_reads_files
    def date_summary(self) -> DateSummary:
        if self._searcher.num_docs == 0:
            return DateSummary(None, None, {})
        spec = {"first": {"min": {"field": "date"}}, "last": {"max": {"field": "date"}},
                "years": {"terms": {"field": "year", "size": 100_000}}}
        answer = self._searcher.aggregate(Query.all_query(), spec)
        per_year = {int(bucket["key"]): int(bucket["doc_count"]) for bucket in answer["years"]["buckets"]}
        return DateSummary(dt.date.fromordinal(int(answer["first"]["value"])),
                           dt.date.fromordinal(int(answer["last"]["value"])), dict(sorted(per_year.items())))

    def size_bytes(self) -> int:
        return folder_size(self.folder)

    @_reads_files
    def search(self, request: SearchRequest) -> Page:
        ranked = request.sort in RANKED_SORTS
        kept = self._last.get(request)
        if kept is not None:
            compiled, ranking, total = kept
        else:
            compiled = self._compile(request, ranked)
            count = not request.count_days  # the day counts add up to the total
            if ranked:
                result = self._searcher.search(compiled.query, request.depth(), count=count)
            else:
                order = tantivy.Order.Desc if request.sort == "newest" else tantivy.Order.Asc
                result = self._searcher.search(compiled.query, request.depth(), count=count,
                                               order_by_field="date", order=order)
            total = int(result.count or 0)  # type: ignore[attr-defined]  # tantivy 0.27's stub omits it
            ranking = [(float(key) if ranked else 0.0, address) for key, address in result.hits]
            if count:  # with day counts the total comes from them, after this
                self._last.keep(request, (compiled, ranking, total), ranked=len(ranking), total=total)
        page = request.pick(ranking) if request.limit or request.at else []
        hits = self._hits(request, page)
        day_counts = self._day_counts(compiled.query) if request.count_days else None
        total = sum(day_counts.values()) if day_counts is not None else total
        stories = self._tell_stories(compiled, hits, request) if request.with_stories else None
        languages = self._language_counts(compiled.query, total) if request.count_languages else None
        return Page(total, tuple(hits), day_counts, self._found(compiled.query, request.find_ids, total),
                    self._window(ranking[:request.window]), stories, languages)

    def _compile(self, request: SearchRequest, ranked: bool) -> Compiled:
        """``request``'s query, compiled once per reader: this commit's terms (which prefixes expand to)
        and languages never change, so a query asked again (the next page, a reload) reuses it."""
        key = (request.tree, request.query_text, ranked, request.date_filter)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = compile_query(self._searcher, self._schema, request.tree, request.query_text,
                                     ranked=ranked, date_filter=request.date_filter, held=self.held_languages)
            if len(self._compiled) >= _COMPILED_KEPT:
                del self._compiled[next(iter(self._compiled))]  # the oldest
            self._compiled[key] = compiled
        return compiled

    def _hits(self, request: SearchRequest, page: list[tuple[float, DocAddress]]) -> list[Hit]:
        """The page's hits; stored fields read once per query, however many requests ask for them."""
        key = query_key(request)
        if key != self._fields_for:
            self._fields_for, self._fields = key, {}
        known, terms = self._fields, self._body_terms(request) if request.snippets and page else frozenset()
        hits = []
        for score, address in page:
            at = (address.segment_ord, address.doc)
            fields = known.get(at) if not request.snippets else None
            doc = None
            if fields is None:
                doc = self._searcher.doc(address)
                fields = known[at] = (doc["id"][0], dt.date.fromordinal(doc["date"][0]),
                                      stored_text(doc, "headline_text"), stored_text(doc, "path") or None)
            body = stored_text(doc, "body_text") if doc is not None and request.snippets else ""
            text = (snippet(body, terms, analyzer_for(language_of(doc)))
                    if doc is not None and request.snippets else "")
            hits.append(Hit(id=fields[0], date=fields[1], headline=fields[2], score=round(score, 4),
                            snippet=text, path=fields[3]))
        return hits

    def _window(self, ranking: list[tuple[float, DocAddress]]) -> tuple[tuple[float, int], ...]:
        """The scores and date ordinals of the first matches, the dates read from their fast field."""
        if not ranking:
            return ()
        dates = self._searcher.fast_field_values("date", [address for _, address in ranking])
        return tuple((score, int(date or 0)) for (score, _), date in zip(ranking, dates, strict=True))

    def _tell_stories(self, compiled: Compiled, hits: list[Hit],
                      request: SearchRequest) -> Optional[PageStories]:
        """The stories of ``hits`` from the copy (None, and never asked again, when it is unreadable)."""
        if not self.keeps_stories():
            return None
        assert self._stories is not None
        try:
            return self._stories.tell(compiled.query, [hit.id for hit in hits], count=request.count_collapsed,
                                      any_word=compiled.any_word)
        except (SearchkitError, KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException:  # damaged (Tantivy raises ValueError or panics): collapse by the labels
            self._stories, self._copy_unreadable = None, True
            return None

    def _found(self, query: Query, ids: frozenset[str], total: int) -> frozenset[str]:
        """The articles of ``ids`` that ``query`` (``total`` matches) matches: every match listed, or
        (when there are many more matches than ``ids``) a search restricted to a term set of ``ids``;
        either way the matches' ids are told by their hashes, read from a column
        (:data:`~searchkit.engines.tantivy.schema.KEY_FIELD`), not by reading stored documents."""
        if not ids or not total:
            return frozenset()
        if self._keys is None or (self._keys[0] is not ids and self._keys[0] != ids):
            self._keys = (ids, ids_by_key(ids), None)
        _, by_key, among = self._keys
        if total <= _LIST_PER_ID * len(ids):
            addresses = [address for _, address in self._searcher.search(query, total, count=False).hits]
        else:
            if among is None:
                among = Query.term_set_query(self._schema, "id", sorted(ids))
                self._keys = (ids, by_key, among)
            both = Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, among)])
            addresses = [address for _, address in self._searcher.search(both, min(total, len(ids)),
                                                                          count=False).hits]
        keys = self._searcher.fast_field_values(KEY_FIELD, addresses) if addresses else []
        return frozenset(by_key[int(key)] for key in keys if key in by_key)

    def _day_counts(self, query: Query) -> dict[dt.date, int]:
        """Every match of ``query`` counted per date, by a terms aggregation over the date fast field."""
        answer = self._searcher.aggregate(query, _PER_DAY)["days"]
        if answer.get("sum_other_doc_count"):  # more distinct dates than the aggregation returns
            raise UnsupportedQueryError("tantivy", f"a histogram of matches on more than {_MAX_DAYS:,} days")
        fromordinal = dt.date.fromordinal
        return {fromordinal(bucket["key"]): bucket["doc_count"] for bucket in answer["buckets"]}

    def _language_counts(self, query: Query, total: int) -> dict[str, int]:
        """Every match of ``query`` (``total`` of them) counted per language: one counting search per
        language the index holds (the language field is not a fast field to aggregate on), none when it
        holds one."""
        held = self.held_languages()
        if len(held) <= 1 or not total:
            return {held[0]: total} if held and total else {}
        found = {}
        for code in held:
            among = Query.term_query(self._schema, LANGUAGE_FIELD, code)
            both = Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, among)])
            count = int(self._searcher.search(both, 1, count=True).count or 0)  # type: ignore[attr-defined]
            if count:
                found[code] = count
        return found

    @_reads_files
    def explain(self, request: SearchRequest) -> str:
        return compile_query(self._searcher, self._schema, request.tree, request.query_text,
                             ranked=request.sort in RANKED_SORTS, date_filter=request.date_filter,
                             held=self.held_languages).text

    @_reads_files
    def language_counts(self) -> dict[str, int]:
        if self._languages is None:
            found = {}
            for code in sorted(LANGUAGES):
                if not self._searcher.doc_freq(LANGUAGE_FIELD, code):  # never written: no search
                    continue  # (a nonzero frequency may count deleted articles, so those are counted)
                query = Query.term_query(self._schema, LANGUAGE_FIELD, code)
                count = int(self._searcher.search(query, 1, count=True).count or 0)  # type: ignore[attr-defined]
                if count:
                    found[code] = count
            self._languages = found
        return dict(self._languages)

    def held_languages(self) -> tuple[str, ...]:
        """The languages of this commit's articles (what query words are analysed in)."""
        if self._held is None:
            self._held = tuple(sorted(self.language_counts()))
        return self._held

    @_reads_files
    def spelling_candidates(self, words: Sequence[str]) -> Mapping[str, Sequence[str]]:
        return suggest.spelling_candidates(self._searcher, words)

    def document_frequencies(self, field: str, words: Sequence[str]) -> Mapping[str, int]:
        return suggest.document_frequencies(self._searcher, field, words)

    def close(self) -> None:
        # Tantivy frees the searcher, the index's mapped files and its watcher thread with their last
        # reference; this reader must not be used again.
        self._searcher = None  # type: ignore[assignment]
        self._index = None  # type: ignore[assignment]
        self._stories, self._copy_unreadable = None, True  # the copy's mapped files too

    def _all(self, query: Query) -> Iterator[tantivy.Document]:
        total = self._searcher.num_docs
        for offset in range(0, max(total, 1), _BATCH):
            for _score, address in self._searcher.search(query, _BATCH, count=False, offset=offset).hits:
                yield self._searcher.doc(address)

    def _body_terms(self, request: SearchRequest) -> frozenset[str]:
        """The indexed words the query looks for in the body (prefixes and wildcards expanded)."""
        from searchkit.engines.tantivy.compile import body_words

        return body_words(self._searcher, request.tree, self.held_languages)

