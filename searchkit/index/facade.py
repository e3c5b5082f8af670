"""The index: the one object an application holds.

:class:`Index` is a thin facade. Writers (``update``, ``rebuild``, ``add``, ``delete``) take the index's
write lock and call :mod:`searchkit.index.updating`; readers never lock and go through a per-thread engine
reader (:mod:`searchkit.index.readers`) that always sees one committed state. Which engine does the work is
recorded in each generation and looked up in :mod:`searchkit.engines`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping, Optional, Sequence, Union

from searchkit.articles import DEFAULT_MAX_BYTES, Article, scan_seeds
from searchkit.engines import DEFAULT_ENGINE, get_engine
from searchkit.engines.base import Engine, Progress
from searchkit.errors import (
    ArticleNotFoundError,
    IndexCorruptError,
    IndexNotFoundError,
    InvalidOptionError,
    SearchkitError,
)
from searchkit.index import generations, readers, searching, storage, story_reads
from searchkit.index import stats as index_stats
from searchkit.index.lock import writing
from searchkit.index.readers import ReaderCache
from searchkit.index.request import DateLike, HalfLife, LanguagesLike, plan_search
from searchkit.index.stats import Stats
from searchkit.news.collapse import LabelCache
from searchkit.query import Node
from searchkit.results import DuplicateGroup, Explanation, Results, Story
from searchkit.text.languages import check_language

if TYPE_CHECKING:  # and imported where used, so that a query does not load them (tests/test_imports.py)
    from searchkit.news.alerts import Alerts
    from searchkit.reports import AlertMatch, SavedSearch, UpdateReport

PathLike = Union[str, "os.PathLike[str]"]


def open_index(path: PathLike = "index", *, create: bool = False, engine: Optional[str] = None,
               engine_options: Optional[Mapping[str, str]] = None, language: Optional[str] = None) -> "Index":
    """Open the index at ``path``; with ``create=True`` an empty one is made when none exists, on
    ``engine`` (default ``"whoosh"``), configured by ``engine_options`` (the ``opensearch`` engine's
    ``url``, ``index_name``, ``shards``, ``replicas``; used when an index is created or rebuilt), its
    articles in ``language`` unless they say otherwise (default: each article's language is detected).

    Raises :class:`IndexNotFoundError` when there is none and ``create`` is false,
    :class:`IndexCorruptError` (or its child :class:`IndexVersionError`) when it cannot be used, and
    :class:`InvalidOptionError` when ``engine`` names another engine than the existing index's.
    """
    index = Index(path, engine=engine, engine_options=engine_options, language=language)
    if storage.current_generation(index.path) is None:
        if not create:
            raise IndexNotFoundError(index.path)
        index._create_empty()
    generation = generations.live(index.path)
    if engine is not None and generation.engine.name != engine:
        raise _other_engine(index.path, generation.engine.name, engine)
    index._check_language(generation)
    return index


class Index:
    """A searchkit index folder. Safe to share between threads; see :func:`open_index`.

    ``engine`` chooses the engine of an index this object creates or rebuilds, and ``engine_options``
    configure it (where a remote engine puts the index); an existing index keeps the engine it was built
    with; ``language`` is the default language of the articles of an index it creates or rebuilds.
    """

    def __init__(self, path: PathLike = "index", *, engine: Optional[str] = None,
                 engine_options: Optional[Mapping[str, str]] = None, language: Optional[str] = None) -> None:
        self.path = Path(path)
        self._engine_name = engine
        self._engine_options = dict(engine_options or {})
        self._language = check_language(language, where="language") if language is not None else None
        self._readers = ReaderCache(self.path)
        self._labels = LabelCache()

    # ---------------------------------------------------------------------------------------------
    # Writing

    def update(
        self,
        seeds_dir: PathLike,
        *,
        wait: float = 0.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        progress: Optional[Progress] = None,
        procs: Optional[int] = None,
        allow_removals: bool = False,
    ) -> UpdateReport:
        """Bring the index in step with ``seeds_dir``: add new files, re-index changed ones, remove
        articles whose file is gone. Unchanged files cost a stat. Builds the index if there is none,
        and rebuilds it if it was written by an incompatible version.

        An update that would remove more than half of the articles indexed from seed files (a mistyped,
        emptied or unmounted folder looks just like that) raises :class:`RemovalsNotAllowedError` and
        writes nothing, unless ``allow_removals=True``.
        """
        from searchkit.index import updating  # writing code stays out of a process that only searches

        started = time.monotonic()
        seeds = Path(seeds_dir)
        found, problems = scan_seeds(seeds)
        options = updating.WriteOptions(max_bytes, progress, procs, allow_removals)
        alerts = self._alerts()
        with writing(self._ensure_dir(), self._engine_for_rebuild, wait=wait, purpose="update"):
            generations.remove_old(self.path, keep=1)  # and any left half-written by a crash
            try:
                generation = generations.live(self.path)
            except (IndexNotFoundError, IndexCorruptError):  # none yet, no metadata or another version
                generation = None
            if generation is not None and self._engine_name not in (None, generation.engine.name):
                raise _other_engine(self.path, generation.engine.name, self._engine_name)
            if generation is None or generation.engine.commit_token(generation.folder) == "":
                report = updating.rebuild(self.path, self._engine_for_rebuild(), seeds, found, problems,
                                          options, started, discard_unreadable=False,
                                          find_changes=alerts.wanted(), language=self._rebuild_language())
            else:
                self._check_language(generation)
                report = updating.update(self.path, generation, seeds, found, problems, options, started)
            return alerts.after(report, self._readers)

    def rebuild(
        self,
        seeds_dir: PathLike,
        *,
        wait: float = 0.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        progress: Optional[Progress] = None,
        procs: Optional[int] = None,
        discard_unreadable: bool = False,
        allow_removals: bool = False,
    ) -> UpdateReport:
        """Build a fresh index from ``seeds_dir`` beside the live one and swap it in atomically.

        Articles added through :meth:`add` (they have no seed file) are carried over. When the old index
        cannot be read they cannot be: that raises :class:`ArticlesWouldBeLostError` unless
        ``discard_unreadable=True``, and the report's ``lost`` says how many were dropped. A rebuild that
        would leave out more than half of the live index's seed articles raises
        :class:`RemovalsNotAllowedError` unless ``allow_removals=True``, as :meth:`update` does.
        """
        from searchkit.index import updating  # writing code stays out of a process that only searches

        started = time.monotonic()
        seeds = Path(seeds_dir)
        found, problems = scan_seeds(seeds)
        options = updating.WriteOptions(max_bytes, progress, procs, allow_removals)
        alerts = self._alerts()
        with writing(self._ensure_dir(), self._engine_for_rebuild, wait=wait, purpose="rebuild"):
            report = updating.rebuild(self.path, self._engine_for_rebuild(), seeds, found, problems, options,
                                      started, discard_unreadable=discard_unreadable,
                                      find_changes=alerts.wanted(), language=self._rebuild_language())
            return alerts.after(report, self._readers)

    def add(self, article: Article, *, wait: float = 0.0) -> None:
        """Add or replace one article (for applications without seed files)."""
        self.add_many([article], wait=wait)

    def add_many(self, articles: Iterable[Article], *, wait: float = 0.0) -> int:
        """Add or replace several articles in one commit; returns how many were given.

        An id given twice keeps its last article, as two calls to :meth:`add` would.
        """
        given = list(articles)
        for article in given:
            if not isinstance(article, Article):
                raise TypeError(f"expected an Article, got {type(article).__name__}")
        from searchkit.index import updating
        from searchkit.reports import UpdateReport

        with writing(self._ensure_dir(), self._engine_for_rebuild, wait=wait, purpose="add"):
            updating.put_articles(self._live_for_writing(create=True), given)
            self._alerts().after(UpdateReport(changed_ids=tuple(a.id for a in given)), self._readers)
        return len(given)

    def delete(self, article_id: str, *, wait: float = 0.0) -> None:
        """Remove the article ``article_id``; raises :class:`ArticleNotFoundError` if absent.

        An article read from a seed file comes back at the next :meth:`update` only if its file
        changes; delete the file to remove it for good.
        """
        from searchkit.index import updating

        with writing(self._ensure_dir(), self._engine_for_rebuild, wait=wait, purpose="delete"):
            updating.delete_article(self._live_for_writing(create=False), article_id)

    # ---------------------------------------------------------------------------------------------
    # Saved searches

    def add_alert(self, name: str, query: str, *, plain: bool = False) -> SavedSearch:
        """Save ``query`` as ``name``: every later write reports the articles it adds or changes that
        match it (:attr:`UpdateReport.alerts`), and :meth:`check_alerts` lists them once. Raises
        :class:`QuerySyntaxError` for a bad query and :class:`AlertExistsError` for a name in use."""
        return self._alerts().store(create=True).add(name, query, plain=plain)

    def alerts(self) -> list[SavedSearch]:
        """The saved searches, by name."""
        return self._alerts().store().searches()

    def remove_alert(self, name: str) -> None:
        """Forget a saved search; raises :class:`AlertNotFoundError` when there is none of that name."""
        self._alerts().remove(name)

    def check_alerts(self) -> dict[str, list[AlertMatch]]:
        """Each saved search's matches since the last check (newest first); they are not listed again."""
        return self._alerts().store().check()

    # ---------------------------------------------------------------------------------------------
    # Reading

    @property
    def engine(self) -> str:
        """The name of the engine the live index runs on."""
        return generations.live(self.path).engine.name

    def get(self, article_id: str, *, prefix: bool = False) -> Article:
        """The article ``article_id``; raises :class:`ArticleNotFoundError`. With ``prefix=True`` an id
        that no article has may be the start of exactly one article's id (``"03189"``); when it starts
        several, the error's ``candidates`` name them."""
        article = self._readers.read(readers.article, article_id)
        if article is None and prefix and article_id:
            article = self._readers.read(readers.article_by_prefix, article_id)
        if article is None:
            raise ArticleNotFoundError(article_id)
        return article

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and self._readers.read(readers.article, article_id) is not None

    def __len__(self) -> int:
        return self._readers.read(lambda opened: opened.reader.count())

    def word_frequencies(self, words: Sequence[str], *, lang: Optional[str] = None) -> dict[str, int]:
        """How many articles hold each of ``words`` (analysed as a query word in ``lang``, default
        English), in the field that holds it most: the body, or the headline when more headlines do.
        One engine call per field."""
        language = check_language(lang, where="lang") if lang is not None else None
        return self._readers.read(searching.word_frequencies, list(words), language)

    def stats(self) -> Stats:
        """Article count, date span, articles per year, size on disk, last update, seeds folder."""
        return self._readers.read(index_stats.collect, self.path)

    def search(
        self,
        query: Union[str, Node],
        *,
        limit: int = 10,
        offset: int = 0,
        page: Optional[int] = None,
        sort: str = "relevance",
        since: DateLike = None,
        until: DateLike = None,
        plain: bool = False,
        snippets: bool = True,
        histogram: Optional[str] = None,
        half_life: HalfLife = None,
        now: DateLike = None,
        collapse: bool = True,
        autocorrect: bool = True,
        facets: bool = False,
        lang: LanguagesLike = None,
    ) -> Results:
        """Run ``query`` (a query string or a tree) and return a page of ranked hits.

        ``sort`` is ``"relevance"``, ``"newest"``, ``"oldest"`` or ``"recent"`` (relevance blended with
        freshness: ``half_life`` such as ``"30d"``, the default, or a timedelta; ages counted back from
        ``now``, default there the newest article in the index; see docs/news.md). ``since``/``until``
        bound the date, inclusive, and accept a date or a string such as ``"18 Nov 2017"``, ``"2017-11"``
        or a relative date (``"yesterday"``, ``"last week"``, ``"3 days ago"``). ``now`` (a date or a
        string, default today) is the day relative dates in ``since``, ``until`` and the query's
        ``date:`` count from; see docs/query-language.md.
        ``histogram`` (``"auto"``, ``"day"``, ``"week"``, ``"month"``, ``"quarter"`` or ``"year"``) adds
        :attr:`Results.histogram`: every match counted per interval; ``facets=True`` adds
        :attr:`Results.facets`: every match counted per year and per month. ``snippets=False`` leaves
        ``Hit.snippet`` empty, for callers that only need ids and fields. ``collapse`` (the default)
        shows each story once: near-duplicate rewrites go under their best hit (``Hit.similar``),
        ``Results.stories`` counts the stories, and ``offset``/``limit`` (or ``page``, from 1) count
        stories; see docs/duplicates.md. When nothing matches, ``Results.suggestion`` rewrites the
        misspelt words of the query as typed, and with ``autocorrect`` (the default) the results are the
        suggestion's when it finds some (``Results.corrected``). ``lang`` (``"de"``, ``"de,fr"`` or a
        sequence) keeps articles in those languages and analyses the query's words in them alone
        (otherwise in every language the index holds; docs/languages.md). Raises
        :class:`QuerySyntaxError` for a bad query string, :class:`InvalidOptionError` for a bad option.
        """
        if page is not None:  # as the CLI and the API count: page 1 is the first `limit` hits
            if offset:
                raise InvalidOptionError("give page or offset, not both")
            if isinstance(page, bool) or not isinstance(page, int) or page < 1:
                raise InvalidOptionError(f"page must be a whole number >= 1, not {page!r}")
            offset = (page - 1) * limit
        plan = plan_search(query, limit=limit, offset=offset, sort=sort, since=since, until=until,
                           plain=plain, snippets=snippets, histogram=histogram, half_life=half_life, now=now,
                           collapse=collapse, autocorrect=autocorrect, facets=facets, lang=lang)
        return self._readers.read(searching.search, plan, self._labels)

    def duplicates(self, *, limit: Optional[int] = None) -> list[DuplicateGroup]:
        """The stories that were published more than once (near-duplicate rewrites, see
        docs/duplicates.md), largest first, each oldest first; the ``limit`` largest when given."""
        if limit is not None and limit < 0:
            raise InvalidOptionError("limit must be >= 0")

        return self._readers.read(story_reads.duplicates, self._labels, limit)

    def story_of(self, article_id: str) -> tuple[str, ...]:
        """The ids of the other articles that are the same story as ``article_id`` (its near-duplicate
        rewrites; empty when it has none). Raises :class:`ArticleNotFoundError` for an unknown id."""
        return self._readers.read(story_reads.other_versions, self._labels, article_id)

    def story(self, article_id: str, *, prefix: bool = False) -> Story:
        """Every version of ``article_id``'s story (the article and its near-duplicate rewrites) in date
        order, each with what changed since the one before; a story of one version when it has no
        rewrites. Raises :class:`ArticleNotFoundError`; ``prefix`` as for :meth:`get`."""
        article = self.get(article_id, prefix=prefix)
        return self._readers.read(story_reads.story, self._labels, article)

    def related(self, article_id: str, *, limit: int = 10, prefix: bool = False) -> Results:
        """Up to ``limit`` articles most like ``article_id`` (more like this), never the article itself
        or its near-duplicates; see :mod:`searchkit.news.related`. Raises :class:`ArticleNotFoundError`;
        ``prefix`` as for :meth:`get`."""
        from searchkit.news import related

        if prefix:
            article_id = self.get(article_id, prefix=True).id
        return related.related(self, article_id, limit=limit)

    def explain(self, query: Union[str, Node], *, plain: bool = False, sort: str = "relevance",
                since: DateLike = None, until: DateLike = None, half_life: HalfLife = None,
                now: DateLike = None, lang: LanguagesLike = None) -> Explanation:
        """The parsed tree and the engine query that :meth:`search` would run with these options (and,
        for ``sort="recent"``, how relevance is blended with freshness)."""
        plan = plan_search(query, sort=sort, since=since, until=until, plain=plain, half_life=half_life,
                           now=now, lang=lang)
        return self._readers.read(searching.explain, plan)

    def close(self) -> None:
        """Release this thread's open reader (other threads release theirs when they end)."""
        self._readers.close()

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Index({str(self.path)!r})"

    # ---------------------------------------------------------------------------------------------
    # Internals

    def _ensure_dir(self) -> Path:
        self.path.mkdir(parents=True, exist_ok=True)
        return self.path

    def _engine_for_rebuild(self) -> Engine:
        """The engine asked for, else the live index's, else the default; configured as asked."""
        return get_engine(self._engine_name or generations.engine_name_of(self.path) or DEFAULT_ENGINE,
                          self._engine_options)

    def _rebuild_language(self) -> Optional[str]:
        """The default language asked for, else the live index's (``None``: detected)."""
        if self._language is not None or storage.current_generation(self.path) is None:
            return self._language
        try:
            return generations.live(self.path).language
        except SearchkitError:  # unreadable: the rebuild says so, or replaces it
            return None

    def _check_language(self, generation: generations.Generation) -> None:
        if self._language is not None and generation.language != self._language:
            raise InvalidOptionError(
                f"index at {self.path} has default language {generation.language or 'detected'}, not "
                f"{self._language}; rebuild it to change it "
                f"('searchkit index --rebuild --language {self._language}')")

    def _create_empty(self) -> None:
        with writing(self._ensure_dir(), self._engine_for_rebuild, purpose="create"):
            if storage.current_generation(self.path) is None:
                self._live_for_writing(create=True)

    def _live_for_writing(self, *, create: bool) -> generations.Generation:
        """The live generation (made empty and published first if none exists and ``create``)."""
        if storage.current_generation(self.path) is None and create:
            from searchkit.index import updating

            return updating.create_empty(self.path, self._engine_for_rebuild(), self._language)
        return generations.live(self.path)

    def _alerts(self) -> Alerts:
        from searchkit.news.alerts import (
            Alerts,  # and its percolator: only writes and saved searches need them
        )

        return Alerts(self.path)


def _other_engine(path: Path, found: str, wanted: str) -> InvalidOptionError:
    return InvalidOptionError(f"index at {path} uses the {found} engine, not {wanted}; "
                              f"rebuild it to convert ('searchkit index --rebuild --engine {wanted}')")
