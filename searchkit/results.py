"""Search results as plain, engine-free values: :class:`Hit`, :class:`Results` (with an optional
:class:`Histogram` of :class:`Bucket`\\ s and :class:`Facets` with :class:`LanguageCount`\\ s),
:class:`Explanation`, :class:`DuplicateGroup`, and a
:class:`Story`'s :class:`Version`\\ s with their :class:`Changes` (runs of :class:`Edit`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterator, Literal, Optional

from searchkit.articles import Article


@dataclass(frozen=True)
class Hit:
    """One matching article.

    ``snippet`` is the body's best fragments with matches marked ``**like this**`` (the body's start
    when only the headline matched); ``score`` is the relevance score, 0.0 when sorted by date, and the
    relevance blended with freshness with ``sort="recent"`` (docs/news.md). When results are collapsed
    (the default), ``similar`` holds the ids of the other matches that are the same story (near-duplicate
    rewrites, see docs/duplicates.md), shown under this, their best hit.
    """

    id: str
    date: dt.date
    headline: str
    score: float
    snippet: str
    path: Optional[str]
    similar: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bucket:
    """One bar of a histogram: the matches dated from ``start`` (a day, a Monday, the first of a month,
    quarter or year) up to the next bucket's start."""

    start: dt.date
    count: int


@dataclass(frozen=True)
class Histogram:
    """How many articles matched per ``interval`` (``"day"``, ``"week"``, ``"month"``, ``"quarter"`` or
    ``"year"``), over every match, not just the page; empty buckets included, oldest first."""

    interval: str
    buckets: tuple[Bucket, ...]

    def __iter__(self) -> Iterator[Bucket]:
        return iter(self.buckets)

    def __len__(self) -> int:
        return len(self.buckets)

    def __getitem__(self, index: int) -> Bucket:
        return self.buckets[index]


@dataclass(frozen=True)
class LanguageCount:
    """How many articles in one language matched: its ISO 639-1 ``code`` (what ``lang=`` takes to narrow
    a search to it) and English ``name``."""

    code: str
    name: str
    count: int


@dataclass(frozen=True)
class Facets:
    """Every match counted per year and per month, for narrowing a search by date: only the years and
    months with matches, oldest first (each bucket's ``start`` is 1 January or the 1st of the month);
    and per language (only those with matches, most first, then by code; ``und`` for the articles whose
    language was not detected). ``index_languages`` is how many languages the whole index holds, ``und``
    not counted (a languages facet says little in an index of one)."""

    years: tuple[Bucket, ...]
    months: tuple[Bucket, ...]
    languages: tuple[LanguageCount, ...] = ()
    index_languages: int = 0


@dataclass(frozen=True)
class Results:
    """A page of hits, the exact ``total`` of articles that matched, a spelling ``suggestion`` on zero
    hits, and the ``histogram`` of all matches over time when one was asked for.

    Collapsed results (the default) show one hit per story: ``stories`` counts the stories among the
    ``total`` articles, and ``offset`` and the page count stories. ``stories`` is ``None`` when the
    results are not collapsed. ``index_dates`` is set when nothing matched and the query's dates lie
    outside the articles the index holds: the first and last article date it does hold. ``facets``
    (when asked for) counts every match per year, per month and per language.

    ``corrected`` is true when nothing matched ``query`` as typed and the hits are the ``suggestion``'s
    (search engines' "showing results for"); search again with ``autocorrect=False`` for the query as
    typed.
    """

    query: str
    total: int
    offset: int
    hits: tuple[Hit, ...]
    suggestion: Optional[str] = None
    histogram: Optional[Histogram] = None
    stories: Optional[int] = None
    index_dates: Optional[tuple[dt.date, dt.date]] = None
    facets: Optional[Facets] = None
    corrected: bool = False

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, index: int) -> Hit:
        return self.hits[index]


@dataclass(frozen=True)
class Explanation:
    """What a query means: the engine-neutral tree, the engine query that runs (for the given sort), the
    ``since``/``until`` filter, and for ``sort="recent"`` how relevance is blended with freshness."""

    tree: str
    engine_query: str
    date_filter: Optional[str]
    engine: str = ""
    ranking: Optional[str] = None


@dataclass(frozen=True)
class DuplicateGroup:
    """The articles that are one story rewritten (near-duplicates of each other), oldest first."""

    articles: tuple[Article, ...]

    def __iter__(self) -> Iterator[Article]:
        return iter(self.articles)

    def __len__(self) -> int:
        return len(self.articles)


EditOp = Literal["equal", "insert", "delete"]


@dataclass(frozen=True)
class Edit:
    """A run of words in a word-level diff: kept (``"equal"``), added (``"insert"``) or dropped
    (``"delete"``). Line breaks are part of the text (``"\\n"``, a blank line ``"\\n\\n"``)."""

    op: EditOp
    text: str


@dataclass(frozen=True)
class Changes:
    """What changed in a version since the one before it: the word-level diffs of the headline and the
    body. The ``equal`` and ``insert`` runs read as the new text, ``equal`` and ``delete`` as the old."""

    headline: tuple[Edit, ...]
    body: tuple[Edit, ...]

    @property
    def words_added(self) -> int:
        return sum(len(edit.text.split()) for edit in self.headline + self.body if edit.op == "insert")

    @property
    def words_dropped(self) -> int:
        return sum(len(edit.text.split()) for edit in self.headline + self.body if edit.op == "delete")


@dataclass(frozen=True)
class Version:
    """One article of a story, and its ``changes`` since the version before (``None`` for the first)."""

    article: Article
    changes: Optional[Changes]


@dataclass(frozen=True)
class Story:
    """Every version of one story (an article and its near-duplicate rewrites, see docs/duplicates.md),
    in date order (then by id); ``id`` is the first version's. An article without rewrites is a story of
    one version."""

    versions: tuple[Version, ...]

    @property
    def id(self) -> str:
        return self.versions[0].article.id

    @property
    def articles(self) -> tuple[Article, ...]:
        return tuple(version.article for version in self.versions)

    def __iter__(self) -> Iterator[Version]:
        return iter(self.versions)

    def __len__(self) -> int:
        return len(self.versions)
