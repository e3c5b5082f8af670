"""The Whoosh engine's reader: one committed state of a generation, answering in searchkit's values."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections import Counter
from pathlib import Path
from typing import Callable, Iterator, Mapping, Optional, Sequence, TypeVar

from whoosh.query import Query
from whoosh.searching import Searcher

from searchkit.articles import Article, Fingerprint
from searchkit.engines.base import RANKED_SORTS, DateSummary, Page, SearchRequest
from searchkit.engines.batch import indexable_id
from searchkit.engines.files import folder_size
from searchkit.engines.reuse import LastRanking
from searchkit.engines.whoosh import store, suggest
from searchkit.engines.whoosh.columns import Segment
from searchkit.engines.whoosh.compile import compile_query, language_counts
from searchkit.engines.whoosh.evaluate import Scores, Top, top, weighting
from searchkit.engines.whoosh.highlight import body_terms
from searchkit.engines.whoosh.schema import article_from_fields, fingerprint_from_fields
from searchkit.engines.whoosh.verify import find_damage
from searchkit.errors import IndexCorruptError, SearchkitError
from searchkit.results import Hit
from searchkit.text.multilingual import analyzer_for
from searchkit.text.snippets import snippet

Result = TypeVar("Result")
#: Telling which of some articles match, per segment: the cost in µs of looking an article's document
#: number up, of reading a match's id from the id column, and of reading the whole column per document
#: (measured: docs/duplicates.md).
_LOOKUP_US, _COLUMN_US, _SCAN_US = 33.0, 0.9, 0.7


def _reads_files(method: Callable[..., Result]) -> Callable[..., Result]:
    """Run a method that reads the index. An unexpected failure of a reader that a later commit has
    outdated may come from files that commit removed: reported as such (the caller reopens). Otherwise
    it is damage only if the files say so."""

    @functools.wraps(method)
    def guarded(self: "WhooshReader", *args: object, **kwargs: object) -> Result:
        try:
            return method(self, *args, **kwargs)
        except SearchkitError:
            raise
        except Exception as error:
            if not self._still_current():
                raise IndexCorruptError(self.folder, "a later commit removed files this reader was "
                                                     f"using ({type(error).__name__}: {error})") from error
            damage = find_damage(self.folder)
            if damage is None:
                raise  # the files read back whole: a bug, shown as it is
            raise IndexCorruptError(self.folder, damage) from error

    return guarded


class WhooshReader:
    """A Whoosh searcher over the latest commit of one generation folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._searcher = self._open()
        self._segments = [Segment(leaf, base) for leaf, base in self._searcher.leaf_searchers()]
        # The last find_ids, and per segment (by base) the document numbers of those articles.
        self._looked_up: Optional[tuple[frozenset[str], dict[int, dict[int, str]], dict[int, float]]] = None
        self._last: LastRanking[tuple[Query, Top]] = LastRanking()

    @_reads_files
    def _open(self) -> Searcher:
        searcher: Searcher = store.open_folder(self.folder).searcher(weighting=weighting())
        return searcher

    def is_current(self) -> bool:
        return bool(self._searcher.up_to_date())

    def _still_current(self) -> bool:
        try:
            return bool(self._searcher.up_to_date())
        except Exception:  # noqa: BLE001 - the TOC itself is unreadable: verify() will say so
            return True

    @_reads_files
    def count(self) -> int:
        return int(self._searcher.doc_count())

    @_reads_files
    def get(self, article_id: str) -> Optional[Article]:
        fields = self._searcher.document(id=article_id) if indexable_id(article_id) else None
        return article_from_fields(fields) if fields is not None else None

    @_reads_files
    def fingerprints(self) -> dict[str, Fingerprint]:
        found = {}
        for fields in self._searcher.all_stored_fields():
            fingerprint = fingerprint_from_fields(fields)
            if fingerprint is not None:
                found[fields["id"]] = fingerprint
        return found

    @_reads_files
    def articles_without_seed(self) -> Iterator[Article]:
        articles = [article_from_fields(fields) for fields in self._searcher.all_stored_fields()
                    if fingerprint_from_fields(fields) is None]
        return iter(articles)  # read whole inside the guard, so damage is reported as damage

    @_reads_files
    def date_summary(self) -> DateSummary:
        ordinals = [ordinal for segment in self._segments for ordinal in segment.dates().ordinals()]
        if not ordinals:
            return DateSummary(None, None, {})
        per_year = Counter(dt.date.fromordinal(ordinal).year for ordinal in ordinals)
        return DateSummary(dt.date.fromordinal(min(ordinals)), dt.date.fromordinal(max(ordinals)),
                           dict(sorted(per_year.items())))

    def size_bytes(self) -> int:
        return folder_size(self.folder)

    @_reads_files
    def language_counts(self) -> dict[str, int]:
        return language_counts(self._searcher.reader())

    @_reads_files
    def search(self, request: SearchRequest) -> Page:
        ranked = request.sort in RANKED_SORTS
        each, found_ids = self._matching(request.find_ids)
        kept = self._last.get(request)
        if kept is not None:
            query, found = kept
        else:
            query = compile_query(self._searcher.reader(), request.tree, request.query_text, ranked=ranked,
                                  date_filter=request.date_filter)
            found = top(self._segments, query, self._searcher.weighting, wanted=request.depth(),
                        sort=request.sort, count_days=request.count_days,
                        count_languages=request.count_languages, each=each)
            self._last.keep(request, (query, found), ranked=len(found.best), total=found.total)
        ranking = [(-key if ranked else 0.0, docnum) for key, docnum in found.best]
        page = request.pick(ranking) if request.limit or request.at else []
        terms = body_terms(query, self._searcher.reader()) if request.snippets else frozenset()
        hits = []
        for score, docnum in page:
            fields = self._searcher.stored_fields(docnum)
            body = fields.get("body", "")
            hits.append(Hit(
                id=fields["id"],
                date=dt.date.fromordinal(fields["date"]),
                headline=fields.get("headline", ""),
                score=round(score, 4),
                snippet=(snippet(body, terms, analyzer_for(fields.get("language")))
                         if request.snippets else ""),
                path=fields.get("path") or None,
            ))
        days = found.day_counts if request.count_days else None  # a kept ranking may have counted
        day_counts = {dt.date.fromordinal(day): n for day, n in days.items()} if days is not None else None
        languages = dict(found.language_counts or {}) if request.count_languages else None
        window = ranking[:request.window]
        dates = self._ordinals([docnum for _, docnum in window])
        return Page(found.total, tuple(hits), day_counts, frozenset(found_ids),
                    tuple(zip((score for score, _ in window), dates, strict=True)), language_counts=languages)

    def _matching(self, ids: frozenset[str]) -> tuple[Optional[Callable[[Segment, Scores], None]], set[str]]:
        """A function shown each segment's matches that adds the ones among ``ids`` to the set returned.
        In a segment it reads its matches' ids from the id column, until the reads of this reader's
        searches would have paid for listing the document numbers of ``ids`` in it (by looking each up,
        or by reading the segment's whole id column when that is cheaper, see :data:`_LOOKUP_US`): then
        it lists them, once. A cold query never lists every article with rewrites for a few matches,
        and a long-running searcher's common words stop reading ids."""
        found: set[str] = set()
        if not ids:
            return None, found
        if self._looked_up is None or (self._looked_up[0] is not ids and self._looked_up[0] != ids):
            self._looked_up = (ids, {}, {})
        _, by_segment, spent = self._looked_up

        def each(segment: Segment, scores: Scores) -> None:
            docnums = by_segment.get(segment.base)
            if docnums is None:
                spent[segment.base] = spent.get(segment.base, 0.0) + len(scores) * _COLUMN_US
                if spent[segment.base] > _listing_cost(segment, ids):
                    docnums = by_segment[segment.base] = _docnums(segment, ids)
            if docnums is not None:
                found.update(article_id for docnum, article_id in docnums.items() if docnum in scores)
            else:
                found.update(article_id for article_id in map(segment.id_of(), scores) if article_id in ids)

        return each, found

    def _ordinals(self, docnums: list[int]) -> list[int]:
        """The date ordinals of these documents, from the segments' date columns."""
        bases = [segment.base for segment in self._segments]
        found = []
        for docnum in docnums:
            segment = self._segments[bisect.bisect_right(bases, docnum) - 1]
            found.append(segment.dates().ordinals_by_docnum()[docnum - segment.base])
        return found

    @_reads_files
    def explain(self, request: SearchRequest) -> str:
        return str(compile_query(self._searcher.reader(), request.tree, request.query_text,
                                 ranked=request.sort in RANKED_SORTS, date_filter=request.date_filter))

    @_reads_files
    def spelling_candidates(self, words: Sequence[str]) -> Mapping[str, Sequence[str]]:
        return suggest.spelling_candidates(self._searcher, words)

    def document_frequencies(self, field: str, words: Sequence[str]) -> Mapping[str, int]:
        return suggest.document_frequencies(self._searcher, field, words)

    def close(self) -> None:
        self._searcher.close()


def _listing_cost(segment: Segment, ids: frozenset[str]) -> float:
    """What listing the document numbers of ``ids`` in one segment costs, in µs, the cheaper way."""
    return min(len(ids) * _LOOKUP_US, segment.reader.doc_count_all() * _SCAN_US)


def _docnums(segment: Segment, ids: frozenset[str]) -> dict[int, str]:
    """The document numbers of the articles ``ids`` in one segment (any deleted ones too: they match
    nothing): each looked up, or the id column read whole when there are more ids than documents to
    pay for (a segment of 20,000 documents beside 15,000 articles with rewrites)."""
    reader = segment.reader
    if len(ids) * _LOOKUP_US <= reader.doc_count_all() * _SCAN_US:
        docnums: dict[int, str] = {}
        for article_id in ids:
            if ("id", article_id) in reader:
                for docnum in reader.postings("id", article_id).all_ids():
                    docnums[docnum] = article_id
        return docnums
    segment.id_of()  # a segment with documents but no id column is damage, said as such
    if not reader.doc_count_all():
        return {}
    return {docnum: article_id for docnum, article_id in enumerate(reader.column_reader("id"))
            if article_id in ids}
