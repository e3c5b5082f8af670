"""The engine seam: what a search engine must do to serve searchkit, as typed protocols.

searchkit owns everything above this line: seed files, the index folder's generations and ``CURRENT``
pointer, the write lock, the manifest, the query language and the public ``Index``. An engine owns
everything below it: how articles are stored, analysed, matched, ranked, highlighted and spelled.
Only searchkit's own values cross: :class:`~searchkit.articles.Article`, the query tree,
:class:`SearchRequest` in, :class:`Page` (of public :class:`~searchkit.results.Hit`\\ s), :class:`DateSummary`
and :class:`~searchkit.articles.Fingerprint` out. Never an engine's objects or dicts.

Three handles, one job each:

- :class:`Engine` is a kind of engine (Whoosh, ...), stateless and shared. It creates an empty index in a
  generation folder, tells cheaply whether a generation holds a commit, and opens readers and writers.
  Every engine keeps its index "in" a generation folder: a local engine writes its files there; a remote
  one keeps there only what names its data elsewhere (a cluster URL and an index name), and uses
  :meth:`Engine.publish` / :meth:`Engine.discard` to swap its alias and delete old data.
- :class:`EngineReader` answers from one committed state. It is used by one thread at a time (the
  ``Index`` keeps one per thread) and says when a newer commit exists.
- :class:`EngineWriter` is one batch of changes that becomes visible atomically at :meth:`commit`, or
  not at all (:meth:`cancel`). The caller holds searchkit's write lock.

Every method MUST be implemented by each engine. An engine that cannot run some query feature leaves it
out of :attr:`Engine.capabilities`; searchkit then refuses such queries with
:class:`~searchkit.errors.UnsupportedQueryError` instead of letting the engine guess. An engine that
finds its stored data damaged raises :class:`~searchkit.errors.IndexCorruptError`; any other exception
out of an engine is a bug and propagates as itself.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import (
    Callable,
    Collection,
    Iterator,
    Mapping,
    Optional,
    Protocol,
    Sequence,
    TypeVar,
    runtime_checkable,
)

from searchkit.articles import Article, Fingerprint, SeedFile
from searchkit.errors import SeedError
from searchkit.query.tree import DateRange, Node
from searchkit.results import Hit
from searchkit.text.shingles import Signature

#: ``progress(done, total)`` is called while seed files are read.
Progress = Callable[[int, int], None]
Ranked = TypeVar("Ranked")


class Capability(enum.Enum):
    """A query feature an engine may lack."""

    PHRASE = "phrases"
    PHRASE_SLOP = "phrases with slop (~N)"
    PREFIX = "prefixes (word*)"
    WILDCARD = "wildcards (g?ld, col*r)"
    MINIMUM_MATCH = "groups with a minimum ((a b c)@2)"
    SUGGEST = "did-you-mean suggestions"
    DAY_COUNTS = "histograms (matches per day)"


ALL_CAPABILITIES = frozenset(Capability)
#: The orders an engine ranks in ("recent" is searchkit's: it reorders the relevance ranking).
SORTS = ("relevance", "newest", "oldest")
#: The sorts that rank by relevance (and so run relevance-only clauses such as the headline bonus).
RANKED_SORTS = ("relevance",)


@dataclass(frozen=True)
class SearchRequest:
    """One search, as the engine gets it: a parsed tree and the page wanted.

    ``query_text`` is what the user typed (for error positions, e.g. a prefix that expands too far).
    ``date_filter`` restricts without scoring. ``sort`` is one of :data:`SORTS`; with a date sort,
    hits carry score 0.0 and no relevance-only clauses run. ``total`` must be exact.

    ``at`` (when not empty) asks for the hits at these positions of the ranking (0 is the best), in
    this order, instead of the ``offset``/``limit`` slice; a position past the last match has no hit.
    ``window`` asks for the first ``window`` matches of the ranking as
    :attr:`Page.ranking` too: searchkit reorders them itself (``sort="recent"``, see
    :mod:`searchkit.news.recency`) and then asks for the hits it shows by ``at``.

    ``count_days`` (engines with :attr:`Capability.DAY_COUNTS`): also count every match (all of them,
    not the page; the date filter applies) per article date into :attr:`Page.day_counts`.
    ``count_languages`` (every engine): also count every match per article language into
    :attr:`Page.language_counts`.

    ``find_ids``: also say which of these articles match (anywhere in the ranking; the date filter
    applies) in :attr:`Page.found_ids`. searchkit passes the same set (the articles that have
    near-duplicates, see :mod:`searchkit.news.stories`) with every search on one committed state, so an
    engine may keep what it looked up for it while the reader lives.

    ``with_stories`` and ``count_collapsed`` are only asked of a :class:`StoryKeepingReader`.

    ``rank_depth`` is a hint: rank at least this many of the best matches, so that an engine keeping its
    last ranking (Whoosh, Tantivy) answers a later request for more of them without searching again.
    Collapsing asks it of its first request, whose duplicates may send it further down the ranking.
    """

    tree: Node
    query_text: str
    limit: int = 10
    offset: int = 0
    sort: str = "relevance"
    date_filter: Optional[DateRange] = None
    snippets: bool = True
    count_days: bool = False
    count_languages: bool = False
    find_ids: frozenset[str] = frozenset()
    window: int = 0
    at: tuple[int, ...] = ()
    with_stories: bool = False
    count_collapsed: bool = False
    rank_depth: int = 0

    def depth(self) -> int:
        """How many of the best matches the engine must rank to answer (at least 1)."""
        return max(1, self.offset + self.limit, self.window, max(self.at, default=-1) + 1, self.rank_depth)

    def pick(self, ranking: Sequence[Ranked]) -> list[Ranked]:
        """The page's entries of a ranking of at least :meth:`depth` entries (or of every match)."""
        if self.at:
            return [ranking[at] for at in self.at if at < len(ranking)]
        return list(ranking[self.offset:self.offset + self.limit])


@dataclass(frozen=True)
class PageStories:
    """The stories among a page's hits, for collapsing: ``of_hits`` maps each hit with near-duplicates to
    its story, ``matching`` each of those stories to its members that match the query (sorted ids, the
    hit included); ``hidden`` is how many matches collapse away: those with a story, less one per story
    (``None`` unless counted)."""

    of_hits: Mapping[str, int]
    matching: Mapping[int, tuple[str, ...]]
    hidden: Optional[int] = None


@dataclass(frozen=True)
class Page:
    """An engine's answer: the exact number of matches and the requested slice of hits, in order; with
    ``count_days``, ``day_counts`` maps each date on which something matched to how many matched (the
    counts add up to ``total``); else ``None``. With ``count_languages``, ``language_counts`` maps each
    language (ISO 639-1 code) in which something matched to how many matched (adding up to ``total``).
    ``found_ids`` holds the ids of
    :attr:`SearchRequest.find_ids` that match; ``ranking`` the score and date (as an ordinal) of each of
    the first :attr:`SearchRequest.window` matches, best first; ``stories`` what
    :attr:`SearchRequest.with_stories` asks."""

    total: int
    hits: tuple[Hit, ...]
    day_counts: Optional[Mapping[dt.date, int]] = None
    found_ids: frozenset[str] = frozenset()
    ranking: tuple[tuple[float, int], ...] = ()
    stories: Optional[PageStories] = None
    language_counts: Optional[Mapping[str, int]] = None


@dataclass(frozen=True)
class DateSummary:
    """First and last article date and the number of articles per year (ascending)."""

    first: Optional[dt.date]
    last: Optional[dt.date]
    per_year: Mapping[int, int]


@dataclass
class SeedOutcome:
    """What :meth:`EngineWriter.put_seeds` did with each file: ``indexed`` and ``touched`` map id to
    fingerprint (``touched`` files had a new size or mtime but the same content as indexed before);
    ``signatures`` holds each indexed article's :class:`~searchkit.news.stories.Signature` (made by
    :func:`searchkit.engines.seeding.index_seed_files` in whichever process read the file)."""

    indexed: dict[str, Fingerprint]
    touched: dict[str, Fingerprint]
    skipped: list[SeedError]
    signatures: dict[str, Signature] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> "SeedOutcome":
        return cls({}, {}, [])

    def merge(self, other: "SeedOutcome") -> None:
        self.indexed.update(other.indexed)
        self.touched.update(other.touched)
        self.skipped.extend(other.skipped)
        self.signatures.update(other.signatures)


class Searcher(Protocol):
    """What collapsing and the recency blend ask of a reader: one search."""

    def search(self, request: SearchRequest) -> Page:
        """Run ``request`` (see :meth:`EngineReader.search`)."""
        ...


class EngineReader(Protocol):
    """One committed state of an index. Not thread-safe: one reader per thread."""

    def is_current(self) -> bool:
        """False once a newer commit exists (the caller then opens a new reader)."""
        ...

    def count(self) -> int:
        """How many articles the index holds."""
        ...

    def get(self, article_id: str) -> Optional[Article]:
        """The article ``article_id`` as stored, or ``None``."""
        ...

    def fingerprints(self) -> dict[str, Fingerprint]:
        """The fingerprint stored with each article read from a seed file (the manifest's source of truth)."""
        ...

    def articles_without_seed(self) -> Iterator[Article]:
        """Every article put without a fingerprint (added through the library, not from a seed file)."""
        ...

    def language_counts(self) -> dict[str, int]:
        """How many articles there are in each language (ISO 639-1 code -> count; none of 0)."""
        ...

    def date_summary(self) -> DateSummary:
        """Date bounds and articles per year."""
        ...

    def size_bytes(self) -> int:
        """What the index takes on disk (or on the cluster)."""
        ...

    def search(self, request: SearchRequest) -> Page:
        """Run ``request``; raises :class:`~searchkit.errors.QuerySyntaxError` for a query it refuses
        (a prefix expanding too far), with a position in ``request.query_text``."""
        ...

    def explain(self, request: SearchRequest) -> str:
        """The engine query :meth:`search` would run for ``request`` (sort and filter included)."""
        ...

    def spelling_candidates(self, words: Sequence[str]) -> Mapping[str, Sequence[str]]:
        """For "did you mean": for each of ``words`` (folded, unstemmed), the words of the index's
        headlines, as they were before stemming, that share its first letter and lie within
        :data:`~searchkit.engines.rules.MAX_EDITS` edits (ranking them is searchkit's)."""
        ...

    def document_frequencies(self, field: str, words: Sequence[str]) -> Mapping[str, int]:
        """How many articles hold each of the analysed ``words`` in ``field``."""
        ...

    def close(self) -> None:
        """Release files and caches."""
        ...


class EngineWriter(Protocol):
    """One atomic batch of changes. Puts and deletes act on the committed state; within one batch the
    last put or delete of an id wins (but see :meth:`put_seeds`)."""

    def put(self, article: Article, fingerprint: Optional[Fingerprint] = None) -> None:
        """Add ``article``, replacing any article with its id. ``fingerprint`` marks it as read from a
        seed file in that state; without one it was added through the library."""
        ...

    def delete(self, article_id: str) -> bool:
        """Remove the article ``article_id``; False when there is none."""
        ...

    def put_seeds(
        self,
        seeds: Sequence[SeedFile],
        *,
        known_digests: Mapping[str, str],
        max_bytes: int,
        progress: Optional[Progress] = None,
        workers: Optional[int] = None,
        language: Optional[str] = None,
    ) -> SeedOutcome:
        """Read and put many seed files, in up to ``workers`` processes (``None``: the engine's choice;
        an engine may always use fewer), each in its own language, else ``language`` (``None``: detected,
        see :func:`searchkit.text.languages.resolve`). A file whose
        content digest equals ``known_digests[id]`` is only ``touched``, not re-indexed; an unreadable
        one is ``skipped``. An id written here may not be put or deleted again in the same batch (the
        engine raises ``RuntimeError``: a bulk write goes straight into the engine's segments, where
        not every engine can take it back before the commit)."""
        ...

    def commit(self) -> None:
        """Make the batch visible, atomically. If it fails, the batch is dropped as by :meth:`cancel`
        (the engine's own locks released) and the error propagates."""
        ...

    def cancel(self) -> None:
        """Drop the batch; the committed state is untouched. Safe to call again, or after a failed
        :meth:`commit`."""
        ...


class Engine(Protocol):
    """A kind of search engine, registered by :attr:`name` in :mod:`searchkit.engines`."""

    name: str
    #: Bumped whenever an index written by older code cannot serve this code; recorded per generation.
    schema_version: int
    capabilities: frozenset[Capability]
    #: Whether a rebuild keeps the previous generation until the next write, for the readers still on
    #: it. False when those readers recover on their own (they raise
    #: :class:`~searchkit.errors.StaleReaderError` and are reopened): the previous generation is then
    #: discarded right after the swap.
    keeps_previous: bool

    def create(self, folder: Path) -> None:
        """Create an empty index for the new generation ``folder`` (an existing, empty folder)."""
        ...

    def commit_token(self, folder: Path) -> str:
        """A cheap token that changes with every commit ("" when the generation holds none). It must not
        load the engine's library: a no-change update compares it with the manifest's and stops."""
        ...

    def open_reader(self, folder: Path) -> EngineReader:
        """A reader on the latest commit; raises :class:`~searchkit.errors.IndexCorruptError` when the
        index cannot be opened."""
        ...

    def open_writer(self, folder: Path) -> EngineWriter:
        """A writer for the next commit (the caller holds searchkit's write lock)."""
        ...

    def publish(self, folder: Path) -> None:
        """Called just before generation ``folder`` becomes the live one (a remote engine swaps its
        alias here; a local engine has nothing to do)."""
        ...

    def discard(self, folder: Path) -> None:
        """Called before an old or abandoned generation folder is deleted (a remote engine deletes its
        data; a local engine has nothing to do)."""
        ...


class LocalEngine:
    """What an engine that keeps its index in the generation folder itself gets for free: nothing to
    publish or discard (searchkit swaps ``CURRENT`` and deletes the folder), and readers of the previous
    generation keep it until the next write."""

    keeps_previous = True

    def publish(self, folder: Path) -> None:
        """Nothing to do: the files are in the folder."""

    def discard(self, folder: Path) -> None:
        """Nothing to do: searchkit deletes the folder."""


@runtime_checkable
class StoryKeepingEngine(Engine, Protocol):
    """An engine that keeps its own copy of the stories, to collapse results while it ranks (optional:
    the Tantivy engine, for speed at a million articles). Its readers are :class:`StoryKeepingReader`\\ s.
    Engines without it collapse by searchkit's labels and :attr:`SearchRequest.find_ids`."""

    def keep_stories(self, folder: Path, labels: Callable[[], Mapping[str, int]], *, since: Optional[str],
                     changed: Collection[str], progress: Optional[Progress] = None) -> None:
        """Called (by the writer, holding the lock) once the stories of ``folder``'s latest commit are
        stored: ``labels()`` reads them, every article with near-duplicates mapped to its story (call it
        only when the copy needs them: it reads the whole stories table). ``since`` is the commit the
        previous call was for, when this write followed it (``None`` after a rebuild or a resync), and
        ``changed`` the ids this write put or removed since then. Failing leaves the copy out of step:
        readers then answer ``keeps_stories()`` false, and the next call makes it again."""
        ...


@runtime_checkable
class StoryKeepingReader(EngineReader, Protocol):
    """The reader of a :class:`StoryKeepingEngine`: it answers :attr:`SearchRequest.with_stories` in
    :attr:`Page.stories`: the stories of the page's hits and, with ``count_collapsed``, how many
    matches collapsing hides (the date filter applies), from the labels last given to
    :meth:`StoryKeepingEngine.keep_stories`; or ``None`` when it finds its copy of them unreadable."""

    def keeps_stories(self) -> bool:
        """Whether this commit's story labels are kept in the engine, in step with it (then searches may
        ask ``with_stories``); false once the copy is out of step or unreadable."""
        ...
