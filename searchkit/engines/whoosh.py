"""The Whoosh engine: the only module that imports ``whoosh``.

It owns the on-disk schema, the text analysis (one fused tokenizer: words, lower case, accent folding,
Porter stemming), writing documents, compiling the engine-neutral query tree into Whoosh queries, and
reading results back as plain values. Every Whoosh exception that reaches a caller is wrapped in a
:class:`~searchkit.errors.SearchkitError`.
"""

from __future__ import annotations

import array
import bisect
import heapq
import itertools
import datetime as dt
import math
import pickle
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import AbstractSet as Set
from typing import Any, Iterable, Iterator, Optional, Sequence

try:
    from whoosh import fields as wf
    from whoosh import matching
    from whoosh import highlight as wh
    from whoosh import index as wi
    from whoosh import query as wq
    from whoosh import scoring, writing
    from whoosh.analysis import Analyzer, Token
    from whoosh.codec import whoosh3
    from whoosh.formats import Positions
    from whoosh.lang.porter import stem as porter_stem
    from whoosh.scoring import bm25
    from whoosh.support.charset import accent_map
    from whoosh.util.numeric import byte_to_length
except ImportError as error:  # pragma: no cover - exercised only without the dependency
    from searchkit.errors import EngineNotAvailableError

    raise EngineNotAvailableError("whoosh", "pip install 'whoosh-reloaded>=2.7.5'") from error

from searchkit.articles import Article
from searchkit.engines import WHOOSH_SCHEMA_VERSION
from searchkit.errors import IndexCorruptError, QuerySyntaxError
from searchkit.query import tree as t

#: Bumped (in searchkit/engines/__init__.py) whenever the schema or the analysis changes.
SCHEMA_VERSION = WHOOSH_SCHEMA_VERSION
#: How much more a headline match counts than a body match.
HEADLINE_BOOST = 1.5
#: A prefix (``hurt*``) may expand to at most this many indexed words.
MAX_PREFIX_TERMS = 512
#: All the prefixes of one query together may expand to at most this many words (counted per field).
MAX_QUERY_PREFIX_TERMS = 2048
SNIPPET_CHARS = 240

_WORD = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)


# --------------------------------------------------------------------------------------------------
# Analysis


class NewsAnalyzer(Analyzer):
    """Words -> lower case -> accents folded -> Porter stem, in one pass (a Whoosh analyzer).

    Whoosh's composable chain (``RegexTokenizer() | LowercaseFilter() | ...``) runs a generator per
    stage per token; fusing the stages and caching stems makes indexing markedly faster.
    """

    def __init__(self, stem: bool = True) -> None:
        self.stem = stem
        self._cache: dict[str, str] = {}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.stem == self.stem  # type: ignore[attr-defined]

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

    def __call__(  # type: ignore[override]
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
        for pos, match in enumerate(_WORD.finditer(value), start_pos):
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
    return [token.text for token in _ANALYZER(text)]


_ANALYZER = NewsAnalyzer()


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
        for pos, word in enumerate(_WORD.findall(value)):
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
                value = single.get(pos)
                if value is None:
                    value = single[pos] = encode(found)
                yield normal, 1, boost, value
            else:
                yield normal, len(found), len(found) * boost, encode(found)


_SINGLE_POSITION: dict[int, bytes] = {}


def _text_field(analyzer: NewsAnalyzer, *, stored: bool) -> wf.TEXT:
    field = wf.TEXT(analyzer=analyzer, stored=stored, phrase=True)
    field.format = FusedPositions(field_boost=field.format.field_boost)
    return field


def build_schema() -> wf.Schema:
    """The index schema; bump :data:`SCHEMA_VERSION` when it changes."""
    return wf.Schema(
        id=wf.ID(stored=True, unique=True),
        path=wf.STORED(),
        fingerprint=wf.STORED(),
        headline=_text_field(NewsAnalyzer(), stored=True),
        body=_text_field(NewsAnalyzer(), stored=True),
        date=wf.NUMERIC(numtype=int, bits=32, stored=True, sortable=True, shift_step=8),
        headword=wf.TEXT(analyzer=NewsAnalyzer(stem=False), phrase=False),
    )


def document(article: Article, fingerprint: str = "") -> dict[str, Any]:
    """The Whoosh document for one article."""
    return {
        "id": article.id,
        "path": article.path or "",
        "fingerprint": fingerprint,
        "headline": article.headline,
        "body": article.body,
        "date": article.date.toordinal(),
        "headword": article.headline,
    }


def article_from_fields(fields: dict[str, Any]) -> Article:
    """Rebuild an :class:`Article` from stored fields."""
    return Article(
        id=fields["id"],
        date=dt.date.fromordinal(fields["date"]),
        headline=fields.get("headline", ""),
        body=fields.get("body", ""),
        path=fields.get("path") or None,
    )


_BYTE_TO_LENGTH = tuple(byte_to_length(b) for b in range(256))


def _doc_field_length(self: Any, docnum: int, fieldname: str, default: int = 0) -> Any:
    """Whoosh's ``W3PerDocReader.doc_field_length``, reading each length column once.

    Stock Whoosh seeks and reads one byte per call (and re-checks a missing column on disk every
    time); flushing a segment calls it once per posting, which made it a fifth of indexing time.
    """
    if docnum > self._doccount:
        raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
    cache = self.__dict__.setdefault("_searchkit_lengths", {})
    lengths = cache.get(fieldname)
    if lengths is None:
        reader = self._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
        lengths = cache[fieldname] = _column_bytes(reader) if reader is not None else b""
    if not lengths:
        return default
    lbyte = lengths[docnum] if docnum < len(lengths) else 0
    return _BYTE_TO_LENGTH[lbyte] if lbyte else None  # None for 0, as stock Whoosh does


def _length_bytes(reader: Any, fieldname: str) -> bytes:
    """One segment's encoded field lengths (index with a document number, decode with
    ``_BYTE_TO_LENGTH``), from the cache :func:`_doc_field_length` fills."""
    perdoc = reader._perdoc
    perdoc.doc_field_length(0, fieldname)  # fills the cache
    return perdoc.__dict__["_searchkit_lengths"][fieldname] or bytes(reader.doc_count_all())


def _column_bytes(reader: Any) -> bytes:
    """A one-byte-per-document length column as ``bytes``, read in one go."""
    if getattr(reader, "_fixedlen", None) == 1 and hasattr(reader, "_dbfile"):
        return bytes(reader._dbfile.get(reader._basepos, reader._count))
    return bytes(list(reader))


whoosh3.W3PerDocReader.doc_field_length = _doc_field_length


# --------------------------------------------------------------------------------------------------
# Opening, creating and writing


def create(path: Path) -> Any:
    """Create an empty Whoosh index in the (existing, empty) folder ``path``."""
    return wi.create_in(str(path), build_schema())


def open_existing(path: Path) -> Any:
    """Open the Whoosh index in ``path``; damage becomes :class:`IndexCorruptError`."""
    try:
        return wi.open_dir(str(path))
    except wi.EmptyIndexError:
        raise IndexCorruptError(path, "no index files found") from None
    except Exception as error:  # whoosh raises many kinds here: pickle, struct, OS errors
        raise IndexCorruptError(path, f"{type(error).__name__}: {error}") from error


def writer(ix: Any, *, limitmb: int = 256) -> Any:
    """The index's writer (it takes Whoosh's own lock inside the index folder)."""
    return ix.writer(limitmb=limitmb, compound=False)


def index_folder(ix: Any) -> Path:
    """The folder an open index lives in."""
    return Path(ix.storage.folder)


def segment_writer(folder: Path, *, limitmb: int = 256) -> Any:
    """A writer for one new segment, for a worker process whose parent holds the index's writer.

    The same protocol as Whoosh's own ``MpWriter(multisegment=True)`` sub-writers.
    """
    ix = wi.open_dir(str(folder))
    return writing.SegmentWriter(ix, _lk=False, limitmb=limitmb, compound=False)


def finish_segment(segment_writer_: Any) -> Any:
    """Write out a worker's segment; returns it (picklable) or ``None`` if it holds no documents."""
    if not segment_writer_._added:
        segment_writer_._close_segment()
        return None
    return segment_writer_._finalize_segment()


def abandon_segment(segment_writer_: Any) -> None:
    """Drop a worker's unfinished segment."""
    try:
        segment_writer_._close_segment()
    except Exception:  # already broken: nothing left worth saving
        pass


def commit(writer_: Any, extra_segments: Sequence[Any] = (), *, merge: bool = True) -> None:
    """Commit ``writer_`` atomically, together with segments finished by worker processes."""

    def policy(w: Any, segments: list[Any]) -> list[Any]:
        kept = writing.MERGE_SMALL(w, segments) if merge else list(segments)
        return kept + list(extra_segments)

    writer_.commit(mergetype=policy)


def stored_fingerprints(ix: Any) -> dict[str, tuple[str, str]]:
    """``{id: (fingerprint, path)}`` for every article, read from stored fields (the slow path)."""
    with ix.searcher() as searcher:
        return {
            fields["id"]: (fields.get("fingerprint", ""), fields.get("path", ""))
            for fields in searcher.all_stored_fields()
        }


# --------------------------------------------------------------------------------------------------
# Compiling the query tree


class Compiler:
    """Turns a query tree into a Whoosh query against one reader (prefix expansion needs it)."""

    def __init__(self, reader: Any, query_text: str = "") -> None:
        self.reader = reader
        self.query_text = query_text
        self.expanded = 0  # words all prefixes so far expanded to

    def compile(self, node: t.Node) -> Any:
        """The Whoosh query for ``node``; :class:`whoosh.query.NullQuery` when nothing can match."""
        compiled = self._compile(node)
        if compiled is None:
            return wq.NullQuery
        return compiled

    def _compile(self, node: t.Node) -> Optional[Any]:
        if isinstance(node, t.Term):
            return self._each_field(node.field, lambda f: self._words(f, node.text, slop=1))
        if isinstance(node, t.Phrase):
            return self._each_field(node.field, lambda f: self._words(f, node.text, slop=node.slop + 1))
        if isinstance(node, t.Prefix):
            return self._each_field(node.field, lambda f: self._prefix(f, node.text))
        if isinstance(node, t.DateRange):
            return date_range(node)
        if isinstance(node, t.MatchAll):
            return wq.Every()
        if isinstance(node, t.Not):
            inner = self._compile(node.child)
            return wq.Every() if inner is None else Without(wq.Every(), inner)
        if isinstance(node, t.And):
            return self._and(node)
        if isinstance(node, t.Or):
            return self._or(node)
        raise TypeError(f"not a query node: {node!r}")

    def _and(self, node: t.And) -> Optional[Any]:
        positives, negatives = [], []
        for child in node.children:
            if isinstance(child, t.Not):
                compiled = self._compile(child.child)
                if compiled is not None:
                    negatives.append(compiled)
            else:
                compiled = self._compile(child)
                if compiled is not None:  # a word with no indexable characters constrains nothing
                    positives.append(compiled)
        required = _and_of(positives) if positives else wq.Every()
        if not negatives:
            return required if positives else None
        return Without(required, _or_of(negatives))

    def _or(self, node: t.Or) -> Optional[Any]:
        compiled = [c for c in (self._compile(child) for child in node.children) if c is not None]
        if not compiled:
            return None
        # Children that analyse to nothing cannot match: scale the minimum to what is left.
        minimum = math.ceil(node.minimum * len(compiled) / len(node.children))
        if minimum <= 1:
            return _or_of(compiled)
        return AtLeast(compiled, minimum)

    def _each_field(self, field: Optional[str], make: Any) -> Optional[Any]:
        if field is not None:
            return make(field)
        headline, body = make("headline"), make("body")
        if headline is None:
            return None
        return wq.Or([_boosted(headline, HEADLINE_BOOST), body])

    def _words(self, field: str, text: str, *, slop: int) -> Optional[Any]:
        words = analyze(text)
        if not words:
            return None
        if len(words) == 1:
            return wq.Term(field, words[0])
        return wq.Phrase(field, words, slop=slop)

    def _too_broad(self, text: str, message: str) -> QuerySyntaxError:
        at = self.query_text.find(text)
        return QuerySyntaxError(self.query_text, at if at >= 0 else 0, message)

    def _prefix(self, field: str, text: str) -> Optional[Any]:
        words = _WORD.findall(fold(text))
        if not words:
            return None
        prefix = words[-1]  # prefixes are matched unstemmed: "hurt*" finds hurt, hurts, hurting
        expansions = 0
        for _ in self.reader.expand_prefix(field, prefix):
            expansions += 1
            self.expanded += 1
            if expansions > MAX_PREFIX_TERMS:
                raise self._too_broad(text, f"prefix '{text}*' matches more than {MAX_PREFIX_TERMS} words; "
                                            "make it longer")
            if self.expanded > MAX_QUERY_PREFIX_TERMS:
                raise self._too_broad(text, f"the prefixes in this query match more than "
                                            f"{MAX_QUERY_PREFIX_TERMS} words in all; "
                                            "use fewer or longer ones")
        query = wq.Prefix(field, prefix)
        if len(words) == 1:
            return query
        # "u.s-bo*": the words before the last must match as they are.
        return wq.And([*(wq.Term(field, _ANALYZER.normalize(w)) for w in words[:-1]), query])


def date_range(node: t.DateRange) -> Any:
    """The Whoosh query for an inclusive date range."""
    if node.is_empty:
        return wq.NullQuery
    if node.start is None and node.end is None:
        return wq.Every()
    return DateColumnRange(
        node.start.toordinal() if node.start else None,
        node.end.toordinal() if node.end else None,
    )


def _not_a_whoosh_matcher(self: Any, searcher: Any, context: Any = None) -> Any:
    """searchkit's own query classes are evaluated by :func:`_scores`, never by Whoosh's matchers."""
    raise TypeError(f"{type(self).__name__} is evaluated by searchkit, not by Whoosh's searcher")


class DateColumnRange(wq.Query):
    """Articles dated from ``start`` to ``end`` (inclusive ordinals; ``None`` is open), read from the
    date column instead of the inverted index.

    Whoosh's ``NumericRange`` unions one posting list per trie term, which made a word plus a month
    cost several times the word alone; a sorted in-memory copy of the column answers any range with
    two binary searches. It scores nothing, so it filters without changing the ranking.
    """

    def __init__(self, start: Optional[int], end: Optional[int]) -> None:
        self.start = start
        self.end = end
        self.boost = 1.0

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and (other.start, other.end) == (self.start, self.end)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self.start, self.end))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.start!r}, {self.end!r})"

    def __str__(self) -> str:
        start = dt.date.fromordinal(self.start).isoformat() if self.start else "*"
        end = dt.date.fromordinal(self.end).isoformat() if self.end else "*"
        return f"date-column:[{start} TO {end}]"

    def is_leaf(self) -> bool:
        return True

    def estimate_size(self, ixreader: Any) -> int:
        return ixreader.doc_count_all()

    matcher = _not_a_whoosh_matcher


class _DateIndex:
    """One segment's dates, sorted, with the document numbers in the same order."""

    def __init__(self, reader: Any) -> None:
        pairs = []
        self.encode = reader.schema["date"].to_column_value  # raw column values sort like dates
        #: Each document's raw date value, by document number (for sorting by date).
        self.by_docnum: Sequence[int]
        if not reader.has_column("date"):
            self.by_docnum = [0] * reader.doc_count_all()
        else:
            values = self.by_docnum = _numeric_column(reader.column_reader("date", translate=False))
            if reader.has_deletions():
                is_deleted = reader.is_deleted
                pairs = sorted((value, docnum) for docnum, value in enumerate(values)
                               if not is_deleted(docnum))
            else:
                pairs = sorted(zip(values, range(len(values)), strict=True))
        self.values = [value for value, _ in pairs]
        self.docnums = [docnum for _, docnum in pairs]

    @classmethod
    def of(cls, reader: Any) -> "_DateIndex":
        # Segment readers are replaced, never changed, when the index changes: cache on the reader.
        index = reader.__dict__.get("_searchkit_dates")
        if index is None:
            index = reader.__dict__["_searchkit_dates"] = cls(reader)
        return index

    def between(self, start: Optional[int], end: Optional[int]) -> list[int]:
        low = bisect.bisect_left(self.values, self.encode(start)) if start is not None else 0
        high = bisect.bisect_right(self.values, self.encode(end)) if end is not None else len(self.values)
        return sorted(self.docnums[low:high])


def _numeric_column(column: Any) -> Sequence[int]:
    """Every value of a numeric column, read in one go (Whoosh reads one value per seek)."""
    typecode = getattr(column, "_typecode", None)
    if typecode is None or not hasattr(column, "_dbfile"):
        return list(column)
    raw = column._dbfile.get(column._basepos, column._count * column._fixedlen)
    values = array.array(typecode, bytes(raw))
    if sys.byteorder == "little":
        values.byteswap()  # Whoosh writes columns big-endian
    missing = column._doccount - len(values)
    if missing > 0:
        values.extend([column._default] * missing)
    return values


class AtLeast(wq.CompoundQuery):
    """Documents matched by at least ``minimum`` of the subqueries, scored by the sum of their scores.

    Whoosh's ``Or(minmatch=...)`` accepts a minimum but ignores it. Subqueries are kept as given, never
    merged into their parent: ``Or(headline:w, body:w)`` is one word, counted once.
    """

    JOINT = " OR "

    def __init__(self, subqueries: Sequence[Any], minimum: int, boost: float = 1.0) -> None:
        super().__init__(list(subqueries), boost=boost)
        self.minimum = minimum

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and self.minimum == other.minimum  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((super().__hash__(), self.minimum))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.subqueries!r}, minimum={self.minimum})"

    def __str__(self) -> str:
        return f"({self.JOINT.join(str(q) for q in self.subqueries)})@{self.minimum}"

    matcher = _not_a_whoosh_matcher


class Without(wq.AndNot):
    """``positive``'s matches less ``negative``'s.

    Not Whoosh's ``AndNot``, whose matcher checks its first match only when both lists start on the
    same document: ``bookings -an`` returned an article holding "an" (the first match in its segment).
    """

    matcher = _not_a_whoosh_matcher


class WithBonus(wq.CompoundQuery):
    """``query``'s matches, each scoring extra by what the optional ``bonus`` query scores on it (what
    Whoosh's ``AndMaybe`` means); the bonus is scored only on ``query``'s matches."""

    JOINT = " ANDMAYBE "

    def __init__(self, query: Any, bonus: Any, boost: float = 1.0) -> None:
        super().__init__([query, bonus], boost=boost)

    matcher = _not_a_whoosh_matcher


def _boosted(query: Any, boost: float) -> Any:
    query = query.copy()
    query.boost = boost
    return query


def _and_of(queries: list[Any]) -> Any:
    return queries[0] if len(queries) == 1 else wq.And(queries)


def _or_of(queries: list[Any]) -> Any:
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def headline_phrase_bonus(node: t.Node) -> Optional[Any]:
    """An optional clause that lifts articles whose headline holds all the query's words in order.

    Applies to plain word queries (``everybody hurts``), so an exact phrase match in the headline ranks
    first. (A body-phrase bonus was measured too: it doubled the cost of two-word queries.)
    """
    if isinstance(node, (t.And, t.Or)) and all(
        isinstance(child, t.Term) and child.field is None for child in node.children
    ):
        words = [w for child in node.children for w in analyze(child.text)]  # type: ignore[union-attr]
        if len(words) >= 2:
            return _boosted(wq.Phrase("headline", words), HEADLINE_BOOST * 3)
    return None


# --------------------------------------------------------------------------------------------------
# Searching


@dataclass(frozen=True)
class RawHit:
    """One scored document as plain values (the search layer turns it into a public ``Hit``)."""

    fields: dict[str, Any]
    score: float
    snippet: str


def weighting() -> Any:
    """BM25F, with headlines (short) less length-normalised than bodies."""
    return scoring.BM25F(B=0.75, K1=1.2, headline_B=0.3)


def compile_query(searcher: Any, node: t.Node, query_text: str = "", *, ranked: bool = True) -> Any:
    """The Whoosh query :func:`run_search` runs for ``node`` (with the headline bonus when ranked)."""
    query = Compiler(searcher.reader(), query_text).compile(node)
    bonus = headline_phrase_bonus(node) if ranked else None
    return WithBonus(query, bonus) if bonus is not None else query


def run_search(
    searcher: Any,
    node: t.Node,
    *,
    query_text: str,
    limit: int,
    offset: int,
    sort: str,
    date_filter: Optional[t.DateRange],
    snippets: bool = True,
) -> tuple[int, list[RawHit], Any]:
    """Run ``node``; returns the exact total, the requested page of hits and the Whoosh query."""
    query = compile_query(searcher, node, query_text, ranked=sort == "relevance")
    if date_filter is not None:
        query = wq.And([query, date_range(date_filter)])  # the date range scores nothing: a filter
    wanted = max(1, offset + limit)
    weighting = searcher.weighting
    total, best = 0, []
    for leaf, base in searcher.leaf_searchers():
        scores = _scores(leaf, query, weighting)
        total += len(scores)
        if sort == "relevance":  # highest score first; ties in index order, as Whoosh orders them
            top = heapq.nsmallest(wanted, ((-score, base + docnum) for docnum, score in scores.items()))
        else:
            dates = _DateIndex.of(leaf.reader()).by_docnum
            sign = -1 if sort == "newest" else 1
            top = heapq.nsmallest(wanted, ((sign * dates[docnum], base + docnum) for docnum in scores))
        best = heapq.nsmallest(wanted, best + top)
    page = best[offset: offset + limit] if limit else []
    body_terms = _terms_for(query, "body") if snippets else frozenset()
    raw_hits = []
    for key, docnum in page:
        fields = searcher.stored_fields(docnum)
        score = -key if sort == "relevance" else 0.0  # sorted hits have no score
        marked = snippet(fields.get("body", ""), body_terms) if snippets else ""
        raw_hits.append(RawHit(fields, float(score), marked))
    return total, raw_hits, query


# Term-at-a-time evaluation. Whoosh walks documents one at a time through a tree of matcher objects,
# several Python calls per document and term; scoring each term's posting list in one loop and
# combining the {docnum: score} tables with dict operations is several times faster, and every match
# is still scored, so totals are exact. Scores are Whoosh's own (its BM25F scorer and bm25 function).


def _scores(leaf: Any, query: Any, weighting: Any, only: Optional[Set[int]] = None) -> dict[int, float]:
    """``{docnum: score}`` for every document of one segment (``leaf`` searcher) that ``query`` matches,
    or only those of them in ``only`` (the candidates an AND has left)."""
    if isinstance(query, wq.Term):
        found = _term_scores(leaf, query.fieldname, query.text, weighting, only)
    elif isinstance(query, wq.Prefix):
        found = {}
        for word in leaf.reader().expand_prefix(query.fieldname, query.text):
            _add_into(found, _term_scores(leaf, query.fieldname, word, weighting, only))
    elif isinstance(query, WithBonus):
        found = _scores(leaf, query.subqueries[0], weighting, only)
        for docnum, extra in _scores(leaf, query.subqueries[1], weighting, found.keys()).items():
            found[docnum] += extra
    elif isinstance(query, AtLeast):
        found, hits = {}, {}
        for child in query.subqueries:
            for docnum, score in _scores(leaf, child, weighting, only).items():
                found[docnum] = found.get(docnum, 0.0) + score
                hits[docnum] = hits.get(docnum, 0) + 1
        found = {docnum: score for docnum, score in found.items() if hits[docnum] >= query.minimum}
    elif isinstance(query, wq.Or):
        found = {}
        for child in query.subqueries:
            _add_into(found, _scores(leaf, child, weighting, only))
    elif isinstance(query, wq.And):
        # Rarest first: each later child is scored only on the documents still in the running.
        reader = leaf.reader()
        found = None
        for child in sorted(query.subqueries, key=lambda q: q.estimate_size(reader)):
            table = _scores(leaf, child, weighting, only if found is None else found.keys())
            if found is None:
                found = table
            else:
                found = {docnum: score + table[docnum] for docnum, score in found.items() if docnum in table}
            if not found:
                break
        found = found or {}
    elif isinstance(query, Without):
        found = _scores(leaf, query.a, weighting, only)
        for docnum in _scores(leaf, query.b, weighting, found.keys()):
            del found[docnum]
    elif isinstance(query, wq.Phrase):
        found = _phrase_scores(leaf, query, weighting, only)
    elif isinstance(query, DateColumnRange):
        docnums = _DateIndex.of(leaf.reader()).between(query.start, query.end)
        return dict.fromkeys(docnums if only is None else (d for d in docnums if d in only), 0.0)
    elif isinstance(query, wq.Every):
        return dict.fromkeys(leaf.reader().all_doc_ids() if only is None else only, 0.0)
    else:  # anything else: Whoosh's own matcher, boost included
        matcher = query.matcher(leaf, leaf.context())
        found = {}
        while matcher.is_active():
            docnum = matcher.id()
            if only is None or docnum in only:
                found[docnum] = matcher.score()
            matcher.next()
        return found
    boost = getattr(query, "boost", 1.0)
    if boost != 1.0:
        found = {docnum: score * boost for docnum, score in found.items()}
    return found


def _add_into(total: dict[int, float], more: dict[int, float]) -> None:
    for docnum, score in more.items():
        total[docnum] = total.get(docnum, 0.0) + score


def _term_scores(
    leaf: Any, fieldname: str, text: Any, weighting: Any, only: Optional[Set[int]] = None,
    values: Optional[dict[int, bytes]] = None,
) -> dict[int, float]:
    """BM25F scores of one term's documents in one segment (those in ``only``, if given); with
    ``values``, also collects their encoded postings (positions) into it."""
    reader = leaf.reader()
    if isinstance(text, str):
        text = text.encode("utf-8")
    if (fieldname, text) not in reader:
        return {}
    scorer = weighting.scorer(leaf, fieldname, text)
    postings = _raw_postings(reader, fieldname, text)
    lengths = _length_bytes(reader, fieldname)
    idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
    found = {}
    few = only is not None and len(only) * _SKIP_RATIO < reader.doc_frequency(fieldname, text)
    wanted = sorted(only) if few else None
    for docnum, weight, value in _postings(postings, wanted, values=values is not None):
        if only is None or docnum in only:
            found[docnum] = bm25(idf, weight, _BYTE_TO_LENGTH[lengths[docnum]], avgfl, b, k1)
            if values is not None:
                values[docnum] = value
    if reader.has_deletions():
        for docnum in reader.deleted_docs_set:
            found.pop(docnum, None)
    return found


def _phrase_scores(leaf: Any, query: Any, weighting: Any, only: Optional[Set[int]]) -> dict[int, float]:
    """Documents holding the phrase's words in order, each gap at most ``slop`` positions, scored as
    Whoosh scores a phrase: the sum of its words' scores."""
    reader = leaf.reader()
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
            leaf, query.fieldname, word, weighting, holding, values=last if word == ordered[-1] else None)
        holding = table.keys()  # scored only where the earlier words were found
        if not holding:
            return {}
    candidates = sorted(tables[ordered[-1]])
    positions = {word: _positions(reader, query.fieldname, word, candidates) for word in ordered[:-1]}
    positions[ordered[-1]] = {docnum: _decode_positions(last[docnum]) for docnum in candidates}
    return {
        docnum: sum(tables[word][docnum] for word in words)
        for docnum in candidates
        if _in_order([positions[word][docnum] for word in words], query.slop)
    }


def _positions(reader: Any, fieldname: str, word: bytes, docnums: list[int]) -> dict[int, list[int]]:
    """The positions of ``word`` in each of ``docnums`` (sorted; all must hold the word)."""
    read = _postings(_raw_postings(reader, fieldname, word), docnums, values=True)
    return {docnum: _decode_positions(value) for docnum, _, value in read}


def _decode_positions(value: bytes) -> list[int]:
    """What ``Positions.decode_positions`` returns, at half the cost: the value is the weight (4 bytes)
    and the pickled position gaps, less pickle's final STOP byte."""
    return list(itertools.accumulate(pickle.loads(value[4:] if value.endswith(b".") else value[4:] + b".")))


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


def _raw_postings(reader: Any, fieldname: str, text: bytes) -> Any:
    """One segment's postings of a term, without the wrapper that hides deleted documents: callers
    drop those themselves (or ask only for live ones)."""
    postings = reader.postings(fieldname, text)
    while isinstance(postings, matching.WrappingMatcher):
        postings = postings.child
    return postings


def _postings(
    postings: Any, docnums: Optional[list[int]] = None, *, values: bool = False
) -> Iterator[tuple[int, float, Any]]:
    """``(docnum, weight, encoded value or None)`` of every posting, or of those among ``docnums``
    (sorted), a decoded block at a time where Whoosh allows it."""
    if not isinstance(postings, whoosh3.W3LeafMatcher):  # short lists are stored inline: a ListMatcher
        yield from _matcher_postings(postings, docnums, values=values)
        return
    # Whoosh internals (pinned by whoosh-reloaded<2.8): each block's decoded arrays and its last id.
    wanted, count = 0, len(docnums) if docnums is not None else 0
    while postings.is_active():
        if docnums is not None and wanted == count:
            return
        if docnums is None or postings._maxid >= docnums[wanted]:
            postings._read_ids()
            postings._read_weights()
            if values:
                postings._read_values()
            ids, weights = postings._ids, postings._weights
            encoded = postings._values if values else [None] * len(ids)
            if docnums is None:
                yield from zip(ids, weights, encoded, strict=True)
            else:
                at = 0
                while wanted < count and docnums[wanted] <= postings._maxid:
                    at = bisect.bisect_left(ids, docnums[wanted], at)
                    if at < len(ids) and ids[at] == docnums[wanted]:
                        yield ids[at], weights[at], encoded[at]
                    wanted += 1
        postings._next_block()


def _matcher_postings(
    postings: Any, docnums: Optional[list[int]], *, values: bool
) -> Iterator[tuple[int, float, Any]]:
    """:func:`_postings` through the plain matcher interface."""
    if docnums is None:
        while postings.is_active():
            yield postings.id(), postings.weight(), postings.value() if values else None
            postings.next()
        return
    for docnum in docnums:
        if not postings.is_active():
            return
        postings.skip_to(docnum)
        if postings.is_active() and postings.id() == docnum:
            yield docnum, postings.weight(), postings.value() if values else None


def _terms_for(query: Any, field: str) -> frozenset[str]:
    terms = set()
    for fieldname, text in query.iter_all_terms():
        if fieldname == field:
            terms.add(text if isinstance(text, str) else text.decode("utf-8", "replace"))
    return frozenset(terms)


class _MarkFormatter(wh.Formatter):
    """Marks matched words as ``**word**`` and joins fragments with an ellipsis."""

    between = " … "

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return "**" + wh.get_text(text, token, replace) + "**"

    def format_fragment(self, fragment: Any, replace: bool = False) -> str:
        # Fragments end at the last word; keep the punctuation attached to it ("hurts.").
        text = fragment.text
        end = fragment.endchar
        while end < len(text) and not text[end].isspace() and end - fragment.endchar < 3:
            end += 1
        fragment.endchar = end
        return super().format_fragment(fragment, replace)


_FRAGMENTER = wh.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
_FORMATTER = _MarkFormatter()


def snippet(body: str, terms: frozenset[str]) -> str:
    """The body's best fragments with matches marked, or its start when nothing in it matched."""
    if terms and body:
        marked = wh.highlight(body, terms, _ANALYZER, _FRAGMENTER, _FORMATTER, top=2)
        if marked:
            return " ".join(marked.split())
    start = " ".join(body[: SNIPPET_CHARS * 2].split())
    if len(start) <= SNIPPET_CHARS:
        return start
    cut = start.rfind(" ", 0, SNIPPET_CHARS)
    return start[: cut if cut > 0 else SNIPPET_CHARS] + " …"


def suggest(searcher: Any, words: Sequence[str]) -> Optional[str]:
    """A "did you mean" rewrite of ``words`` from the headline vocabulary, or ``None``."""
    corrector = searcher.corrector("headword")
    changed, out = False, []
    for word in words:
        normal = fold(word)
        if not normal.isalpha() or searcher.doc_frequency("headword", normal) > 0:
            out.append(word)
            continue
        candidates = corrector.suggest(normal, limit=1, maxdist=2, prefix=1)
        if candidates:
            out.append(candidates[0])
            changed = True
        else:
            out.append(word)
    return " ".join(out) if changed else None


def lookup(searcher: Any, article_id: str) -> Optional[dict[str, Any]]:
    """Stored fields of the article ``article_id``, or ``None``."""
    try:
        article_id.encode("utf-8")
    except UnicodeEncodeError:  # an id from a non-UTF-8 terminal: no indexed id looks like it
        return None
    return searcher.document(id=article_id)


def date_bounds(searcher: Any) -> tuple[Optional[dt.date], Optional[dt.date], dict[int, int]]:
    """First date, last date and articles per year, from the date column."""
    reader = searcher.reader()
    per_year: dict[int, int] = {}
    if reader.doc_count() == 0:
        return None, None, per_year
    column = reader.column_reader("date")
    first = last = None
    for docnum in reader.all_doc_ids():
        ordinal = column[docnum]
        if first is None or ordinal < first:
            first = ordinal
        if last is None or ordinal > last:
            last = ordinal
        year = dt.date.fromordinal(ordinal).year
        per_year[year] = per_year.get(year, 0) + 1
    assert first is not None and last is not None
    return dt.date.fromordinal(first), dt.date.fromordinal(last), dict(sorted(per_year.items()))


def all_words(searcher: Any, field: str) -> Iterable[str]:
    """Every indexed word of ``field`` (for tests and tools)."""
    return (w.decode("utf-8") if isinstance(w, bytes) else w for w in searcher.lexicon(field))
