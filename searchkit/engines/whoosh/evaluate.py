"""Term-at-a-time evaluation of a compiled query over Whoosh's postings.

Whoosh walks documents one at a time through a tree of matcher objects, several Python calls per
document and term. Here each term's posting list is scored in one loop and the ``{docnum: score}``
tables are combined with dict operations: an AND scores later children only on the documents still in
the running, a phrase checks positions only there. Every match is scored, so totals are exact. Scores
are BM25 as Tantivy and OpenSearch compute it (Lucene's idf, ``k1`` 1.2, ``b`` 0.75 on every field), with
Whoosh's statistics and its ``bm25`` function, so that every engine ranks by the same formula.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import Counter
from typing import AbstractSet as Set
from typing import Callable, NamedTuple, Optional, Sequence

from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.scoring import BM25F, bm25
from whoosh.searching import Searcher

from searchkit.engines.base import RANKED_SORTS
from searchkit.engines.whoosh.columns import BYTE_TO_LENGTH, Segment
from searchkit.engines.whoosh.compile import wildcard_words
from searchkit.engines.whoosh.postings import decode_positions, raw_postings, read_postings
from searchkit.engines.whoosh.queries import AtLeast, DateColumnRange, LanguageIs, Near, WithBonus, Without

Scores = dict[int, float]


class LuceneBM25(BM25F):
    """Whoosh's BM25 with Lucene's idf, ``ln(1 + (N - n + 0.5) / (n + 0.5))``, which Tantivy and OpenSearch
    use, instead of Whoosh's ``ln(N / (n + 1)) + 1``: it ranks as the other engines do, and on CISI it
    scored better than Whoosh's idf with headlines normalised less (docs/query-language.md,
    "Measurements behind the design")."""

    def idf(self, searcher: Searcher, fieldname: str, text: bytes) -> float:
        parent = searcher.get_parent()
        matching = parent.doc_frequency(fieldname, text)
        return math.log(1 + (parent.doc_count_all() - matching + 0.5) / (matching + 0.5))


def weighting() -> BM25F:
    """BM25 as every engine scores it: ``k1`` 1.2 and ``b`` 0.75 on every field, Lucene's idf."""
    return LuceneBM25(B=0.75, K1=1.2)


class Top(NamedTuple):
    """What :func:`top` found: the exact number of matches, the best as ``(key, searcher docnum)``, and
    with ``count_days`` the matches per date ordinal, with ``count_languages`` per language."""

    total: int
    best: list[tuple[float, int]]
    day_counts: Optional[Counter[int]]
    language_counts: Optional[Counter[str]] = None


def top(segments: list[Segment], query: wq.Query, weighting: BM25F, *, wanted: int, sort: str,
        count_days: bool = False, count_languages: bool = False,
        each: Optional[Callable[[Segment, Scores], None]] = None) -> Top:
    """Every match of ``query`` scored and counted; the best ``wanted`` kept, best first.

    The key is the negated score when ranking by relevance (ties in index order, as Whoosh orders them)
    and the signed raw date for ``"newest"``/``"oldest"``. Counting days costs one C-level pass over the
    matches already in hand. ``each`` is shown every segment's matches (``{docnum: score}``).
    """
    total, best = 0, []  # type: tuple[int, list[tuple[float, int]]]
    days: Optional[Counter[int]] = Counter() if count_days else None
    languages: Optional[Counter[str]] = Counter() if count_languages else None
    for segment in segments:
        scores = evaluate(segment, query, weighting)
        total += len(scores)
        if each is not None:
            each(segment, scores)
        base = segment.base
        if days is not None and scores:
            bounds, column = _date_slice(query), segment.dates()
            days.update(column.count_days(scores) if bounds is None else column.count_days_between(*bounds))
        if languages is not None and scores:
            languages.update(segment.count_languages(scores.keys()))
        if sort in RANKED_SORTS:
            found = heapq.nsmallest(wanted, ((-score, base + docnum) for docnum, score in scores.items()))
        else:
            dates = segment.dates().by_docnum
            sign = -1 if sort == "newest" else 1
            found = heapq.nsmallest(wanted, ((sign * dates[docnum], base + docnum) for docnum in scores))
        best = heapq.nsmallest(wanted, best + found)
    return Top(total, best, days, languages)


def _date_slice(query: wq.Query) -> Optional[tuple[Optional[int], Optional[int]]]:
    """The date bounds when ``query`` matches exactly the live documents of a date range (``*``, a date
    range, both; with a date filter or not), so a histogram counts it from the sorted date column."""
    if isinstance(query, wq.Every):
        return None, None
    if isinstance(query, DateColumnRange):
        return query.start, query.end
    if isinstance(query, wq.And) and query.subqueries:
        start, end = None, None
        for child in query.subqueries:
            bounds = _date_slice(child)
            if bounds is None:
                return None
            start = bounds[0] if start is None or (bounds[0] is not None and bounds[0] > start) else start
            end = bounds[1] if end is None or (bounds[1] is not None and bounds[1] < end) else end
        return start, end
    return None


def evaluate(segment: Segment, query: wq.Query, weighting: BM25F, only: Optional[Set[int]] = None) -> Scores:
    """``{docnum: score}`` for every document of ``segment`` that ``query`` matches, or only those of
    them in ``only`` (the candidates an AND has left)."""
    found: Scores
    hits: dict[int, int]
    if isinstance(query, wq.Term):
        found = _term_scores(segment, query.fieldname, query.text, weighting, only)
    elif isinstance(query, wq.Prefix):
        found = {}
        for word in segment.reader.expand_prefix(query.fieldname, query.text):
            _add_into(found, _term_scores(segment, query.fieldname, word, weighting, only))
    elif isinstance(query, wq.Wildcard):
        found = {}
        for word in wildcard_words(segment.reader, query.fieldname, query.text):
            _add_into(found, _term_scores(segment, query.fieldname, word, weighting, only))
    elif isinstance(query, WithBonus):
        found = evaluate(segment, query.subqueries[0], weighting, only)
        for docnum, extra in evaluate(segment, query.subqueries[1], weighting, found.keys()).items():
            found[docnum] += extra
    elif isinstance(query, AtLeast):
        found, hits = {}, {}
        for child in query.subqueries:
            for docnum, score in evaluate(segment, child, weighting, only).items():
                found[docnum] = found.get(docnum, 0.0) + score
                hits[docnum] = hits.get(docnum, 0) + 1
        found = {docnum: score for docnum, score in found.items() if hits[docnum] >= query.minimum}
    elif isinstance(query, wq.DisjunctionMax):
        found = _best_of([evaluate(segment, child, weighting, only) for child in query.subqueries],
                         query.tiebreak)
    elif isinstance(query, wq.ConstantScoreQuery):
        return dict.fromkeys(_matching(segment, query.child, weighting, only), query.score)
    elif isinstance(query, wq.Or):
        found = {}
        for child in query.subqueries:
            _add_into(found, evaluate(segment, child, weighting, only))
    elif isinstance(query, wq.And):
        # Rarest first: each later child is scored only on the documents still in the running.
        reader = segment.reader
        running: Optional[Scores] = None
        for child in sorted(query.subqueries, key=lambda q: q.estimate_size(reader)):
            table = evaluate(segment, child, weighting, only if running is None else running.keys())
            if running is None:
                running = table
            else:
                running = {docnum: score + table[docnum] for docnum, score in running.items()
                           if docnum in table}
            if not running:
                break
        found = running or {}
    elif isinstance(query, Without):
        found = evaluate(segment, query.a, weighting, only)
        for docnum in evaluate(segment, query.b, weighting, found.keys()):
            del found[docnum]
    elif isinstance(query, Near):
        found = _near_scores(segment, query, weighting, only)
    elif isinstance(query, wq.Phrase):
        found = _phrase_scores(segment, query, weighting, only)
    elif isinstance(query, LanguageIs):
        return dict.fromkeys(_in_languages(segment, query.codes, only), 0.0)
    elif isinstance(query, DateColumnRange):
        docnums = segment.dates().between(query.start, query.end)
        return dict.fromkeys(docnums if only is None else (d for d in docnums if d in only), 0.0)
    elif isinstance(query, wq.Every):
        return dict.fromkeys(segment.reader.all_doc_ids() if only is None else only, 0.0)
    elif query is wq.NullQuery:
        return {}
    else:
        raise TypeError(f"searchkit does not evaluate {type(query).__name__} queries")
    boost = getattr(query, "boost", 1.0)
    if boost != 1.0:
        found = {docnum: score * boost for docnum, score in found.items()}
    return found


def _matching(segment: Segment, query: wq.Query, weighting: BM25F, only: Optional[Set[int]]) -> Set[int]:
    """The documents ``query`` matches (of those in ``only``): for a word or any of some words (the
    coverage reward's), from the postings' ids alone, without scoring them."""
    terms = query.subqueries if isinstance(query, wq.Or) else [query]
    if not all(isinstance(term, wq.Term) for term in terms):
        return evaluate(segment, query, weighting, only).keys()
    found: set[int] = set()
    for term in terms:
        word = segment.reader.schema[term.fieldname].to_bytes(term.text)
        if (term.fieldname, word) in segment.reader:
            found |= _holding(segment, term.fieldname, word, only)
    return found


def _best_of(tables: list[Scores], tie: float) -> Scores:
    """Each document's best score of ``tables`` plus ``tie`` times the others' (a dis_max)."""
    if len(tables) != 2:
        found: Scores = {}
        for docnum in set().union(*tables):
            scores = [table.get(docnum, 0.0) for table in tables]
            best = max(scores)
            found[docnum] = best + tie * (sum(scores) - best)
        return found
    found = dict(tables[0])  # the headline and the body: one pass over the second table
    for docnum, score in tables[1].items():
        kept = found.get(docnum)
        if kept is None:
            found[docnum] = score
        else:
            found[docnum] = score + tie * kept if score > kept else kept + tie * score
    return found


def _add_into(total: Scores, more: Scores) -> None:
    for docnum, score in more.items():
        total[docnum] = total.get(docnum, 0.0) + score


def _term_scores(
    segment: Segment, fieldname: str, text: str | bytes, weighting: BM25F, only: Optional[Set[int]] = None,
    values: Optional[dict[int, bytes]] = None,
) -> Scores:
    """BM25F scores of one term's documents in one segment (those in ``only``, if given); with
    ``values``, also collects their encoded postings (positions) into it."""
    reader = segment.reader
    if isinstance(text, str):
        text = text.encode("utf-8")
    if (fieldname, text) not in reader:
        return {}
    scorer = weighting.scorer(segment.leaf, fieldname, text)
    postings = raw_postings(reader, fieldname, text)
    lengths = segment.lengths(fieldname)
    idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
    found: Scores = {}
    few = only is not None and len(only) * _SKIP_RATIO < reader.doc_frequency(fieldname, text)
    wanted = sorted(only) if only is not None and few else None
    for docnum, weight, value in read_postings(postings, wanted, values=values is not None):
        if only is None or docnum in only:
            found[docnum] = bm25(idf, weight, BYTE_TO_LENGTH[lengths[docnum]], avgfl, b, k1)
            if values is not None and value is not None:
                values[docnum] = value
    if reader.has_deletions():
        for docnum in reader.deleted_docs_set:
            found.pop(docnum, None)
    return found


def _phrase_scores(segment: Segment, query: wq.Phrase, weighting: BM25F, only: Optional[Set[int]]) -> Scores:
    """Documents holding the phrase's words in order, each gap at most ``slop`` positions, scored as
    Whoosh scores a phrase: the sum of its words' scores."""
    reader = segment.reader
    field = reader.schema[query.fieldname]
    words = [field.to_bytes(word) for word in query.words]
    if not words or any((query.fieldname, word) not in reader for word in words):
        return {}
    holding: Optional[Set[int]] = only  # the documents holding every word so far
    tables: dict[bytes, dict[int, float]] = {}
    ordered = sorted(set(words), key=lambda w: reader.doc_frequency(query.fieldname, w))
    last: dict[int, bytes] = {}  # the commonest word's postings, read once while scoring it
    for word in ordered:
        table = tables[word] = _term_scores(
            segment, query.fieldname, word, weighting, holding, values=last if word == ordered[-1] else None)
        holding = table.keys()  # scored only where the earlier words were found
        if not holding:
            return {}
    candidates = sorted(tables[ordered[-1]])
    positions = {word: _positions(reader, query.fieldname, word, candidates) for word in ordered[:-1]}
    positions[ordered[-1]] = {docnum: decode_positions(last[docnum]) for docnum in candidates}
    return {
        docnum: sum(tables[word][docnum] for word in words)
        for docnum in candidates
        if _in_order([positions[word][docnum] for word in words], query.slop)
    }


def _near_scores(segment: Segment, query: Near, weighting: BM25F, only: Optional[Set[int]]) -> Scores:
    """Documents where the second word follows the first by 1 to ``slop`` positions, scored by BM25 of
    how many of its occurrences do so, with the sum of both words' idf (Lucene's phrase scoring).

    The words' own scores are not needed: the documents holding both are found from the postings' ids,
    rarer word first, and only theirs positions decoded."""
    reader, name = segment.reader, query.fieldname
    first, second = (reader.schema[name].to_bytes(word) for word in query.words)
    if (name, first) not in reader or (name, second) not in reader:
        return {}
    rarer, commoner = sorted((first, second), key=lambda word: reader.doc_frequency(name, word))
    both = _holding(segment, name, commoner, _holding(segment, name, rarer, only))
    if not both:
        return {}
    before, after = _live_positions(segment, name, first, both), _live_positions(segment, name, second, both)
    scorer, other = (weighting.scorer(segment.leaf, name, word) for word in (first, second))
    idf, avgfl, b, k1 = scorer.idf + other.idf, scorer.avgfl, scorer.B, scorer.K1
    lengths, slop = segment.lengths(name), query.slop
    found: Scores = {}
    for docnum, positions in after.items():
        starts = before.get(docnum, ())
        count = 0
        for position in positions:
            at = bisect.bisect_left(starts, position - slop)
            if at < len(starts) and starts[at] < position:
                count += 1
        if count:
            found[docnum] = bm25(idf, count, BYTE_TO_LENGTH[lengths[docnum]], avgfl, b, k1)
    return found


def _in_languages(segment: Segment, codes: Sequence[str], only: Optional[Set[int]]) -> set[int]:
    """The live documents of ``segment`` in one of the languages ``codes`` (of those in ``only``)."""
    reader = segment.reader
    found: set[int] = set()
    for code in codes:
        if ("language", code) in reader:
            found.update(reader.postings("language", code).all_ids())
    if only is not None:
        found.intersection_update(only)
    if reader.has_deletions():
        found.difference_update(reader.deleted_docs_set)
    return found


def _holding(segment: Segment, fieldname: str, word: bytes, only: Optional[Set[int]]) -> set[int]:
    """The live documents holding ``word`` (of those in ``only``, if given), from the postings' ids."""
    reader = segment.reader
    few = only is not None and len(only) * _SKIP_RATIO < reader.doc_frequency(fieldname, word)
    wanted = sorted(only) if only is not None and few else None
    found = {docnum for docnum, _, _ in read_postings(raw_postings(reader, fieldname, word), wanted)
             if only is None or docnum in only}
    if reader.has_deletions():
        found.difference_update(reader.deleted_docs_set)
    return found


def _live_positions(segment: Segment, fieldname: str, word: bytes, docnums: set[int]) -> dict[int, list[int]]:
    """The positions of ``word`` in each of ``docnums``, which all hold it."""
    return _positions(segment.reader, fieldname, word, sorted(docnums))


def _positions(reader: IndexReader, fieldname: str, word: bytes, docnums: list[int]) -> dict[int, list[int]]:
    """The positions of ``word`` in each of ``docnums`` (sorted; all must hold the word)."""
    read = read_postings(raw_postings(reader, fieldname, word), docnums, values=True)
    return {docnum: decode_positions(value) for docnum, _, value in read if value is not None}


def _in_order(positions: list[list[int]], slop: int) -> bool:
    """Whether one position from each list follows the previous one by 1 to ``slop`` places.

    Whoosh's ``SpanNear2(ordered=True, mindist=1)`` rule, which its ``Phrase`` uses: spans grow word by
    word, and a next word may not fall inside the span so far.
    """
    if slop == 1:  # an exact phrase: word i at start + i
        starts = set(positions[0])
        for offset, following in enumerate(positions[1:], 1):
            starts.intersection_update([p - offset for p in following])
            if not starts:
                return False
        return True
    spans = {(p, p) for p in positions[0]}
    for following in positions[1:]:
        grown = set()
        for start, end in spans:
            for position in following[bisect.bisect_left(following, end + 1):]:
                if position > end + slop:
                    break
                grown.add((start, position))
        if not grown:
            return False
        spans = grown
    return True


#: Read a term's postings for a few candidates only (blocks without any are passed over undecoded)
#: when the term has this many times more postings than there are candidates.
_SKIP_RATIO = 8
