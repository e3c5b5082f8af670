"""An engine that keeps every index in this process's memory and answers by brute force.

``open_index(folder, create=True, engine="memory")`` gives an application's own tests a real index
without files to build or an engine to install, as django-haystack ships its simple backend. It is also
the engine contract suite's reference: every query scans every article with the query matcher
(:mod:`searchkit.query.matching`, written out from docs/query-language.md independently of every other
engine); nothing is indexed or optimised. Relevance is a plain weighted word count, not BM25: compare
engines on what they match, never on scores. The index lives in the engine object, that is in this
process: another process finds the folder but no articles (it raises
:class:`~searchkit.errors.IndexCorruptError`).

It keeps its own copy of the stories (:class:`~searchkit.engines.base.StoryKeepingEngine`), brute
force, so the optional protocol has a reference too.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Collection, Iterable, Iterator, Mapping, Optional, Sequence

from searchkit.articles import Article, Fingerprint
from searchkit.engines.base import (
    ALL_CAPABILITIES,
    RANKED_SORTS,
    DateSummary,
    LocalEngine,
    Page,
    PageStories,
    Progress,
    SearchRequest,
)
from searchkit.engines.batch import BatchWriter, Change
from searchkit.engines.rules import (
    COVERAGE_BOOST,
    FIELD_TIE,
    MAX_EDITS,
    PROXIMITY_BOOST,
    PROXIMITY_SLOP,
    coverage_words,
    is_long_prose,
    proximity_pairs,
)
from searchkit.engines.walk import query_languages
from searchkit.errors import IndexCorruptError
from searchkit.query import tree as t
from searchkit.query.matching import FIELDS, SHARED_ANALYSIS, Analysis, Doc, Matcher
from searchkit.results import Hit
from searchkit.text.analysis import undot
from searchkit.text.edits import edit_distance, within_edits
from searchkit.text.languages import DEFAULT_LANGUAGE
from searchkit.text.multilingual import analyzer_for

#: How much a headline occurrence counts against a body one, as the engines weigh them.
HEADLINE_WEIGHT = 0.75


@dataclass(frozen=True)
class _Stored:
    article: Article
    fingerprint: Optional[Fingerprint]


@dataclass(frozen=True)
class _Committed:
    """One committed state of a generation folder (replaced whole by each commit, never changed)."""

    commits: int = 0
    articles: Mapping[str, _Stored] = field(default_factory=dict)


class MemoryEngine(LocalEngine):
    """The brute-force engine; its committed states live in this object, keyed by folder path."""

    name = "memory"
    schema_version = 1
    capabilities = ALL_CAPABILITIES

    def __init__(self, analysis: Analysis = SHARED_ANALYSIS) -> None:
        self.analysis = analysis
        self._states: dict[str, _Committed] = {}
        self._stories: dict[str, tuple[str, dict[str, int]]] = {}  # per folder: (commit token, labels)
        self._lock = threading.Lock()

    def create(self, folder: Path) -> None:
        with self._lock:
            self._states[_key(folder)] = _Committed()

    def commit_token(self, folder: Path) -> str:
        state = self._states.get(_key(folder))
        return "" if state is None else str(state.commits)

    def open_reader(self, folder: Path) -> MemoryReader:
        return MemoryReader(self, folder, self.state(folder))

    def open_writer(self, folder: Path) -> MemoryWriter:
        self.state(folder)
        return MemoryWriter(self, folder)

    def keep_stories(self, folder: Path, labels: Callable[[], Mapping[str, int]], *, since: Optional[str],
                     changed: Collection[str], progress: Optional[Progress] = None) -> None:
        """Keep ``labels()`` for the folder's latest commit (brute force: the whole mapping, every time)."""
        with self._lock:
            self._stories[_key(folder)] = (self.commit_token(folder), dict(labels()))

    def kept_stories(self, folder: Path, commits: int) -> Optional[Mapping[str, int]]:
        """The labels kept for commit number ``commits`` of ``folder``, if they are the latest kept."""
        kept = self._stories.get(_key(folder))
        return kept[1] if kept is not None and kept[0] == str(commits) else None

    def discard(self, folder: Path) -> None:
        with self._lock:
            self._states.pop(_key(folder), None)

    def folders(self) -> set[str]:
        """The generation folders this engine holds an index for (created and not yet discarded)."""
        return set(self._states)

    def state(self, folder: Path) -> _Committed:
        """The latest committed state of ``folder``."""
        state = self._states.get(_key(folder))
        if state is None:
            raise IndexCorruptError(folder, "no in-memory index was created in this folder by this process")
        return state

    def _commit(self, folder: Path, changes: Mapping[str, Optional[_Stored]]) -> None:
        with self._lock:
            state = self.state(folder)
            articles = dict(state.articles)
            for article_id, stored in changes.items():
                if stored is None:
                    articles.pop(article_id, None)
                else:
                    articles[article_id] = stored
            self._states[_key(folder)] = _Committed(state.commits + 1, articles)


def _stored(article: Article, fingerprint: Optional[Fingerprint]) -> _Stored:
    """An article as kept: in a language, as every engine reads articles back."""
    if article.language is None:
        article = replace(article, language=DEFAULT_LANGUAGE)
    return _Stored(article, fingerprint)


def _key(folder: Path) -> str:
    return os.path.abspath(folder)


class MemoryWriter(BatchWriter):
    """Collects puts and deletes (the last per id wins) and applies them all at once on commit; seed
    files are read by the writer base, one after another."""

    def __init__(self, engine: MemoryEngine, folder: Path) -> None:
        self._engine = engine
        self._folder = folder
        super().__init__()

    def is_committed(self, article_id: str) -> bool:
        return article_id in self._engine.state(self._folder).articles

    def apply(self, changes: Iterable[tuple[str, Change]]) -> None:
        self._engine._commit(self._folder, {article_id: _stored(*change) if change is not None else None
                                            for article_id, change in changes})

    def cancel(self) -> None:
        """Nothing to take back: the batch lived in this object."""


class MemoryReader:
    """A snapshot of one commit; every search reads every article of it."""

    def __init__(self, engine: MemoryEngine, folder: Path, state: _Committed) -> None:
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

    def language_counts(self) -> dict[str, int]:
        return dict(Counter(s.article.language or DEFAULT_LANGUAGE for s in self._state.articles.values()))

    def date_summary(self) -> DateSummary:
        dates = [s.article.date for s in self._state.articles.values()]
        if not dates:
            return DateSummary(None, None, {})
        return DateSummary(min(dates), max(dates), dict(sorted(Counter(d.year for d in dates).items())))

    def size_bytes(self) -> int:
        return sum(len(s.article.headline.encode()) + len(s.article.body.encode())
                   for s in self._state.articles.values())

    def search(self, request: SearchRequest) -> Page:
        languages = query_languages(request.tree, lambda: tuple(sorted(self.language_counts())))
        matcher = Matcher(self._analysis, request.query_text, languages)
        wanted = [matcher.compile(request.tree)]
        if request.date_filter is not None:
            wanted.append(matcher.compile(request.date_filter))
        found = [doc for doc in self._docs if all(p is not None and p(doc) for p in wanted)]
        ranked = request.sort in RANKED_SORTS
        scores = {doc.article.id: score(matcher, request.tree, doc) if ranked else 0.0
                  for doc in found}
        if ranked:
            found.sort(key=lambda doc: (-scores[doc.article.id], doc.article.id))
        else:
            sign = -1 if request.sort == "newest" else 1
            found.sort(key=lambda doc: (sign * doc.article.date.toordinal(), doc.article.id))
        day_counts = Counter(doc.article.date for doc in found) if request.count_days else None
        per_language = (Counter(doc.article.language or DEFAULT_LANGUAGE for doc in found)
                     if request.count_languages else None)
        found_ids = frozenset(doc.article.id for doc in found) & request.find_ids
        page = request.pick(found)
        stories = self._stories([doc.article.id for doc in found], [doc.article.id for doc in page],
                                request.count_collapsed) if request.with_stories else None
        ranking = tuple((scores[doc.article.id], doc.article.date.toordinal())
                        for doc in found[:request.window])
        hits = tuple(Hit(id=doc.article.id, date=doc.article.date, headline=doc.article.headline,
                         score=round(scores[doc.article.id], 4),
                         snippet=doc.article.body[:120] if request.snippets else "",
                         path=doc.article.path or None)
                     for doc in page)
        return Page(len(found), hits, day_counts, found_ids, ranking, stories, per_language)

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

    def spelling_candidates(self, words: Sequence[str]) -> Mapping[str, Sequence[str]]:
        vocabulary = {w for doc in self._docs
                      for w in analyzer_for(doc.article.language, stem=False).words(doc.article.headline)}
        return {word: within_edits(word, MAX_EDITS, vocabulary) for word in words if word}

    def document_frequencies(self, field: str, words: Sequence[str]) -> Mapping[str, int]:
        return {word: sum(1 for doc in self._docs if word in doc.positions[field]) for word in words}

    def close(self) -> None:
        """Nothing to release: the snapshot is plain Python objects."""


def score(matcher: Matcher, node: t.Node, doc: Doc) -> float:
    """How often the query's words (not those under a NOT) occur, a headline occurrence weighted as the
    engines weigh it; for a prose query, plus :data:`PROXIMITY_BOOST` for every occurrence in the body
    of two neighbouring query words near each other (the engines' proximity rule, without idf). For a
    long prose query, a word's headline and body counts combine as the engines' dis_max does
    (:data:`FIELD_TIE`), and each of its distinct words the article holds adds :data:`COVERAGE_BOOST`
    (the engines' coverage reward, without weights or idf)."""
    total = 0.0
    split = is_long_prose(node)
    for word in coverage_words(node) or ():
        if any(word in doc.positions[name] for name in FIELDS):
            total += COVERAGE_BOOST
    analysis = matcher.analysis
    where = doc.positions["body"]
    for first, second in proximity_pairs(node) or ():
        starts = where.get(first, ())
        total += PROXIMITY_BOOST * sum(1 for p in where.get(second, ())
                                       if any(p - PROXIMITY_SLOP - 1 <= s < p for s in starts))
    for leaf in _scored_leaves(node):
        hit: Callable[[str], bool]
        if isinstance(leaf, (t.Term, t.Phrase)):
            hit = {word for words in matcher.analyses(leaf.text) for word in words}.__contains__
        elif isinstance(leaf, t.Prefix):
            start = undot((analysis.word.findall(analysis.fold(leaf.text)) or [""])[-1])
            hit = _starts_with(start)
        elif isinstance(leaf, t.Fuzzy):
            words = analysis.analyze(leaf.text)
            hit = _near(words[-1], leaf.edits_for(words[-1])) if words else _starts_with("")
        else:
            continue
        counts = [(HEADLINE_WEIGHT if name == "headline" else 1.0)
                  * sum(1 for word in doc.words[name] if hit(word))
                  for name in ((leaf.field,) if leaf.field else FIELDS)]
        if split and len(counts) > 1:
            total += max(counts) + FIELD_TIE * (sum(counts) - max(counts))
        else:
            total += sum(counts)
    return total


def _starts_with(start: str) -> Callable[[str], bool]:
    return lambda word: bool(start) and word.startswith(start)


def _near(wanted: str, distance: int) -> Callable[[str], bool]:
    return lambda word: word[:1] == wanted[:1] and edit_distance(word, wanted) <= distance


def _scored_leaves(node: t.Node) -> Iterator[t.Node]:
    if isinstance(node, (t.And, t.Or)):
        for child in node.children:
            yield from _scored_leaves(child)
    elif not isinstance(node, t.Not):
        yield node
