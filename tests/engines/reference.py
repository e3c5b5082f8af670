"""A brute-force search engine: the oracle every real engine is checked against.

Every query scans every article (see :mod:`.matching` for what matches); nothing is indexed, cached
across commits or optimised. Committed states live in a dict on the engine object, one per generation
folder, so the engine also serves the ``Index`` facade (register it with
:func:`searchkit.engines.register_engine`). Relevance scores are a plain weighted word count: engines are
compared on what they match, never on scores.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Collection, Iterator, Mapping, Optional, Sequence

from searchkit.articles import Article, Fingerprint, SeedFile
from searchkit.engines.seeding import index_seed_files
from searchkit.news import recency
from searchkit.engines.base import (
    ALL_CAPABILITIES, RANKED_SORTS, DateSummary, Page, PageStories, Progress, SearchRequest, SeedOutcome,
)
from searchkit.errors import IndexCorruptError
from searchkit.results import Hit

from .matching import Analysis, Doc, Matcher, score, whoosh_analysis


@dataclass(frozen=True)
class Stored:
    article: Article
    fingerprint: Optional[Fingerprint]


@dataclass(frozen=True)
class Committed:
    """One committed state of a generation folder (replaced whole by each commit, never changed)."""

    commits: int = 0
    articles: Mapping[str, Stored] = field(default_factory=dict)


class ReferenceEngine:
    """The brute-force engine; its committed states live in this object, keyed by folder path."""

    name = "reference"
    schema_version = 1
    capabilities = ALL_CAPABILITIES

    def __init__(self, analysis: Optional[Analysis] = None) -> None:
        self.analysis = analysis or whoosh_analysis()
        self._states: dict[str, Committed] = {}
        self._stories: dict[str, tuple[str, dict[str, int]]] = {}  # per folder: (commit token, labels)
        self._lock = threading.Lock()

    def create(self, folder: Path) -> None:
        with self._lock:
            self._states[_key(folder)] = Committed()

    def commit_token(self, folder: Path) -> str:
        state = self._states.get(_key(folder))
        return "" if state is None else str(state.commits)

    def open_reader(self, folder: Path) -> "ReferenceReader":
        return ReferenceReader(self, folder, self.state(folder))

    def open_writer(self, folder: Path) -> "ReferenceWriter":
        self.state(folder)
        return ReferenceWriter(self, folder)

    def keep_stories(self, folder: Path, labels: Callable[[], Mapping[str, int]], *, since: Optional[str],
                     changed: Collection[str], progress: Optional[Progress] = None) -> None:
        """Keep ``labels()`` for the folder's latest commit (brute force: the whole mapping, every time)."""
        with self._lock:
            self._stories[_key(folder)] = (self.commit_token(folder), dict(labels()))

    def kept_stories(self, folder: Path, commits: int) -> Optional[Mapping[str, int]]:
        """The labels kept for commit number ``commits`` of ``folder``, if they are the latest kept."""
        kept = self._stories.get(_key(folder))
        return kept[1] if kept is not None and kept[0] == str(commits) else None

    def publish(self, folder: Path) -> None:
        self.state(folder)

    def discard(self, folder: Path) -> None:
        with self._lock:
            self._states.pop(_key(folder), None)

    def folders(self) -> set[str]:
        """The generation folders this engine holds an index for (created and not yet discarded)."""
        return set(self._states)

    def state(self, folder: Path) -> Committed:
        state = self._states.get(_key(folder))
        if state is None:
            raise IndexCorruptError(folder, "no reference index was created in this folder")
        return state

    def _commit(self, folder: Path, changes: Mapping[str, Optional[Stored]]) -> None:
        with self._lock:
            state = self.state(folder)
            articles = dict(state.articles)
            for article_id, stored in changes.items():
                if stored is None:
                    articles.pop(article_id, None)
                else:
                    articles[article_id] = stored
            self._states[_key(folder)] = Committed(state.commits + 1, articles)


def _key(folder: Path) -> str:
    return os.path.abspath(folder)


class ReferenceWriter:
    """Collects puts and deletes (the last per id wins) and applies them all at once on commit."""

    def __init__(self, engine: ReferenceEngine, folder: Path) -> None:
        self._engine = engine
        self._folder = folder
        self._changes: dict[str, Optional[Stored]] = {}
        self._from_seeds: set[str] = set()
        self._done = False

    def put(self, article: Article, fingerprint: Optional[Fingerprint] = None) -> None:
        self._check_open()
        if article.id in self._from_seeds:
            raise RuntimeError(f"article {article.id!r} was written from its seed file in this batch")
        self._changes[article.id] = Stored(article, fingerprint)

    def delete(self, article_id: str) -> bool:
        self._check_open()
        if article_id in self._from_seeds:
            raise RuntimeError(f"article {article_id!r} was written from its seed file in this batch")
        if article_id in self._changes:
            existed = self._changes[article_id] is not None
        else:
            existed = article_id in self._engine.state(self._folder).articles
        self._changes[article_id] = None
        return existed

    def put_seeds(self, seeds: Sequence[SeedFile], *, known_digests: Mapping[str, str], max_bytes: int,
                  progress: Optional[Progress] = None, workers: Optional[int] = None) -> SeedOutcome:
        self._check_open()

        def put(article: Article, fingerprint: Fingerprint) -> None:
            self._changes[article.id] = Stored(article, fingerprint)

        outcome = index_seed_files(put, seeds, known_digests=known_digests, max_bytes=max_bytes,
                                   progress=progress)
        self._from_seeds.update(outcome.indexed)
        return outcome

    def commit(self) -> None:
        self._check_open()
        self._done = True
        self._engine._commit(self._folder, self._changes)

    def cancel(self) -> None:
        self._done = True

    def _check_open(self) -> None:
        if self._done:
            raise RuntimeError("this writer has already committed or cancelled")


class ReferenceReader:
    """A snapshot of one commit; every search reads every article of it."""

    def __init__(self, engine: ReferenceEngine, folder: Path, state: Committed) -> None:
        self._engine = engine
        self._folder = folder
        self._state = state
        self._analysis = engine.analysis
        self._docs = [Doc.of(stored.article, self._analysis) for _, stored in sorted(state.articles.items())]

    def keeps_stories(self) -> bool:
        return self._engine.kept_stories(self._folder, self._state.commits) is not None

    def is_current(self) -> bool:
        state = self._engine._states.get(_key(self._folder))
        return state is not None and state.commits == self._state.commits

    def count(self) -> int:
        return len(self._state.articles)

    def get(self, article_id: str) -> Optional[Article]:
        stored = self._state.articles.get(article_id)
        return stored.article if stored is not None else None

    def fingerprints(self) -> dict[str, Fingerprint]:
        return {i: s.fingerprint for i, s in self._state.articles.items() if s.fingerprint is not None}

    def articles_without_seed(self) -> Iterator[Article]:
        return iter([s.article for s in self._state.articles.values() if s.fingerprint is None])

    def date_summary(self) -> DateSummary:
        dates = [s.article.date for s in self._state.articles.values()]
        if not dates:
            return DateSummary(None, None, {})
        return DateSummary(min(dates), max(dates), dict(sorted(Counter(d.year for d in dates).items())))

    def size_bytes(self) -> int:
        return sum(len(s.article.headline.encode()) + len(s.article.body.encode())
                   for s in self._state.articles.values())

    def search(self, request: SearchRequest) -> Page:
        matcher = Matcher(self._analysis, request.query_text)
        wanted = [matcher.compile(request.tree)]
        if request.date_filter is not None:
            wanted.append(matcher.compile(request.date_filter))
        found = [doc for doc in self._docs if all(p is not None and p(doc) for p in wanted)]
        scores = {doc.article.id: score(self._analysis, request.tree, doc) for doc in found}
        if request.sort in RANKED_SORTS:
            found.sort(key=lambda doc: (-scores[doc.article.id], doc.article.id))
        else:
            sign = -1 if request.sort == "newest" else 1
            found.sort(key=lambda doc: (sign * doc.article.date.toordinal(), doc.article.id))
        if request.sort == "recent" and found:
            now = request.now or max(s.article.date for s in self._state.articles.values())
            everything = recency.rank_recent([(scores[doc.article.id], doc) for doc in found],
                                             lambda docs: [doc.article.date.toordinal() for doc in docs],
                                             now=now, half_life=request.half_life, wanted=len(found))
            found = [doc for _, doc in everything]
            scores = {doc.article.id: blended for blended, doc in everything}
        day_counts = Counter(doc.article.date for doc in found) if request.count_days else None
        found_ids = frozenset(doc.article.id for doc in found) & request.find_ids
        page = found[request.offset:request.offset + request.limit]
        stories = self._stories([doc.article.id for doc in found], [doc.article.id for doc in page],
                                request.count_collapsed) if request.with_stories else None
        return Page(len(found), tuple(
            Hit(id=doc.article.id, date=doc.article.date, headline=doc.article.headline,
                score=round(scores[doc.article.id], 4) if request.sort in RANKED_SORTS else 0.0,
                snippet=doc.article.body[:120] if request.snippets else "", path=doc.article.path or None)
            for doc in page), day_counts, found_ids, stories)

    def _stories(self, matches: list[str], page: list[str], count: bool) -> PageStories:
        labels = self._engine.kept_stories(self._folder, self._state.commits)
        if labels is None:
            raise RuntimeError("with_stories asked of a reader that keeps no stories")
        of_hits = {i: labels[i] for i in page if i in labels}
        matching = {story: tuple(sorted(i for i in matches if labels.get(i) == story))
                    for story in set(of_hits.values())}
        stories = [labels[i] for i in matches if i in labels]
        return PageStories(of_hits, matching, len(stories) - len(set(stories)) if count else None)

    def explain(self, request: SearchRequest) -> str:
        where = f" within {request.date_filter}" if request.date_filter is not None else ""
        return f"scan every article for {request.tree}{where}, sorted by {request.sort}"

    def suggest(self, words: Sequence[str]) -> Optional[str]:
        return None

    def close(self) -> None:
        """Nothing to release: the snapshot is plain Python objects."""
