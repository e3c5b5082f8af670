"""Driving an engine through the seam only, and comparing what two engines answer.

To run the contract on another engine, add its registry name to :data:`ENGINE_NAMES`; an engine that is
not installed (or not registered in this searchkit yet) is skipped with the reason.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Union

import pytest

from searchkit.articles import Article, Fingerprint
from searchkit.engines import get_engine
from searchkit.engines.base import Engine, EngineReader, Page, SearchRequest
from searchkit.errors import EngineNotAvailableError, QuerySyntaxError, UnknownEngineError
from searchkit.news.recency import DEFAULT_HALF_LIFE, RecentRanking
from searchkit.query import parse
from searchkit.query import tree as t

from . import strategies
from .reference import MemoryEngine, ReferenceEngine

#: Every engine the contract runs on; "reference" is the brute-force oracle the others are compared with
#: (the memory engine, which also runs as an engine of its own).
ENGINE_NAMES = ("reference", "memory", "whoosh", "tantivy") + (
    ("opensearch",) if os.environ.get("SEARCHKIT_OPENSEARCH_URL") else ())
#: The engines compared with the reference (comparing the reference with itself, or with the memory
#: engine it is, could not fail).
REAL_ENGINES = tuple(name for name in ENGINE_NAMES if name not in ("reference", "memory"))
#: The sorts a caller may ask for that rank by relevance (recent: searchkit's blend over it).
RANKED_SORTS = ("relevance", "recent")
#: More hits than any test index holds: one page is all of them.
ALL = 10_000

_folders = itertools.count()
#: Every index new_index made, so a remote engine's data can be deleted after its test (conftest.py).
CREATED: list[tuple[Engine, Path]] = []


def load_engine(name: str) -> Engine:
    """A fresh reference or memory engine, or the registered engine ``name``; skips when it cannot be
    loaded."""
    if name == "reference":
        return ReferenceEngine()
    if name == "memory":
        return MemoryEngine()
    try:
        return get_engine(name)
    except (UnknownEngineError, EngineNotAvailableError) as error:
        pytest.skip(f"engine {name!r} is not available: {error}")


def new_index(engine: Engine, root: Path, articles: Iterable[Article] = ()) -> Path:
    """A new generation folder under ``root`` holding an index of ``articles`` (one commit)."""
    folder = root / f"gen-{next(_folders):06d}-{engine.name}"
    folder.mkdir(parents=True)
    engine.create(folder)
    CREATED.append((engine, folder))
    put_all(engine, folder, articles)
    return folder


def discard_created(since: int = 0) -> None:
    """Let each engine delete what it keeps outside the folder (a cluster's index) for the indexes made
    since ``CREATED[since]``."""
    while len(CREATED) > since:
        engine, folder = CREATED.pop()
        engine.discard(folder)


def put_all(engine: Engine, folder: Path, articles: Iterable[Article],
            fingerprint: Optional[Fingerprint] = None) -> None:
    writer = engine.open_writer(folder)
    for article in articles:
        writer.put(article, fingerprint)
    writer.commit()


Query = Union[str, t.Node]


@dataclass(frozen=True)
class Recent:
    """A ``sort="recent"`` search: the engine's relevance request and the blend searchkit puts on it."""

    request: SearchRequest
    now: Optional[dt.date]
    half_life: dt.timedelta

    @property
    def sort(self) -> str:
        return "recent"

    def __getattr__(self, name: str) -> object:
        return getattr(self.request, name)


Asked = Union[SearchRequest, Recent]


def ask(query: Query, *, plain: bool = False, sort: str = "relevance", limit: int = ALL, offset: int = 0,
        date_filter: Optional[t.DateRange] = None, snippets: bool = False, count_days: bool = False,
        count_languages: bool = False, now: Optional[dt.date] = None,
        half_life: dt.timedelta = DEFAULT_HALF_LIFE,
        find_ids: Iterable[str] = (), with_stories: bool = False) -> Asked:
    """What ``Index.search`` would hand the engine (a string is parsed as the library parses it), with
    the blend around it for ``sort="recent"``; ``with_stories`` asks for the page's stories and the
    matches collapsed away."""
    tree = parse(query, plain=plain) if isinstance(query, str) else query
    text = query if isinstance(query, str) else str(query)
    request = SearchRequest(tree, text, limit=limit, offset=offset,
                            sort="relevance" if sort == "recent" else sort, date_filter=date_filter,
                            snippets=snippets, count_days=count_days, count_languages=count_languages,
                            find_ids=frozenset(find_ids),
                            with_stories=with_stories, count_collapsed=with_stories)
    return Recent(request, now, half_life) if sort == "recent" else request


def run(reader: EngineReader, wanted: Asked) -> Page:
    """``reader``'s answer to ``wanted``, through searchkit's blend for a recent search."""
    if isinstance(wanted, Recent):
        ranking = RecentRanking(reader, half_life=wanted.half_life, now=wanted.now,
                                newest=lambda: reader.date_summary().last)
        return ranking.search(wanted.request)
    return reader.search(wanted)


def outcome(reader: EngineReader, wanted: Asked) -> tuple[object, ...]:
    """What a user can compare between engines: the total and hit set (relevance and recent: engines
    score differently), or the total, hit set and dates in page order (date sorts: ties may come in any
    order), the matches per day, the matches per language and which of ``find_ids`` match when asked
    for; or the error and its position."""
    try:
        page = run(reader, wanted)
    except QuerySyntaxError as error:
        return ("QuerySyntaxError", error.position)
    ids = sorted(hit.id for hit in page.hits)
    assert len(ids) == len(set(ids)), f"a hit came twice: {[hit.id for hit in page.hits]}"
    days = dict(page.day_counts) if page.day_counts is not None else None
    if wanted.count_days:
        assert days is not None and sum(days.values()) == page.total, f"day counts {days} for {page.total}"
    else:
        assert days is None, "day counts nobody asked for"
    languages = dict(page.language_counts) if page.language_counts is not None else None
    if wanted.count_languages:
        assert languages is not None and sum(languages.values()) == page.total and all(languages.values()), \
            f"language counts {languages} for {page.total}"
    else:
        assert languages is None, "language counts nobody asked for"
    ranked = wanted.sort in RANKED_SORTS
    found = (page.total, ids) if ranked else (page.total, ids, [h.date for h in page.hits])
    if wanted.count_days:
        found = (*found, days)
    if wanted.count_languages:
        found = (*found, languages)
    unasked = page.found_ids - wanted.find_ids
    assert not unasked, f"found ids nobody asked about: {unasked}"
    return (*found, sorted(page.found_ids)) if wanted.find_ids else found


def stories_told(reader: EngineReader, wanted: Asked) -> object:
    """The stories a ``with_stories`` search tells (``Page.stories``), or the error position."""
    try:
        return run(reader, wanted).stories
    except QuerySyntaxError as error:
        return ("QuerySyntaxError", error.position)


def state(reader: EngineReader, ids: Iterable[str]) -> dict[str, object]:
    """Everything but searches a reader tells about its committed state."""
    return {
        "count": reader.count(),
        "get": {article_id: reader.get(article_id) for article_id in (*ids, "not-utf8-\udcff")},
        "fingerprints": reader.fingerprints(),
        "without seed": sorted(reader.articles_without_seed(), key=lambda article: article.id),
        "dates": reader.date_summary(),
    }


def describe(articles: Iterable[Article]) -> str:
    """The articles as code, for a failure message that can be pasted into a test."""
    return "\n".join(f"  Article({a.id!r}, {a.date!r}, {a.headline!r}, {a.body!r})" for a in articles)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def apply(engine: Engine, folder: Path, changes, end: str) -> list[bool]:
    """Write one batch of changes, then commit or cancel it; returns what each delete() said."""
    writer, deleted = engine.open_writer(folder), []
    for change in changes:
        if change[0] == "put":
            writer.put(change[1], change[2])
        else:
            deleted.append(writer.delete(change[1]))
    writer.commit() if end == "commit" else writer.cancel()
    return deleted


def random_articles(rng: random.Random, count: int, ids: range) -> list[Article]:
    """Articles whose words follow a steep frequency curve: some words in most articles, some in few."""
    weights = [1 / (rank + 1) for rank in range(len(strategies.WORDS))]

    def text(most: int) -> str:
        return " ".join(rng.choices(strategies.WORDS, weights, k=rng.randint(0, most)))

    def date() -> dt.date:
        return dt.date(rng.choice(strategies.YEARS), rng.randint(1, 12), rng.randint(1, 28))

    return [Article(f"r{rng.choice(ids)}", date(), text(6), text(30)) for _ in range(count)]


class Listing(list):
    """A folder listing taken in advance, usable as ``os.scandir``'s result."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None
