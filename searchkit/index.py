"""The index: open or create it, keep it in step with a seeds folder, read articles and stats, search.

:class:`Index` is the one object an application holds. Writers (``update``, ``rebuild``, ``add``,
``delete``) take the index's write lock; readers never do, and always see one committed state.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional, Union

from searchkit import storage
from searchkit.articles import DEFAULT_MAX_BYTES, Article, SeedFile, scan_seeds
from searchkit.engines import WHOOSH_SCHEMA_VERSION, committed_generation, engine
from searchkit.errors import (
    ArticleNotFoundError,
    IndexCorruptError,
    IndexNotFoundError,
    IndexVersionError,
    SearchkitError,
    SeedError,
)
from searchkit.lock import WriteLock
from searchkit.query import Node, Term, walk
from searchkit.search import (
    DateLike,
    Explanation,
    Hit,
    Results,
    check_page,
    date_filter,
    to_tree,
)

if TYPE_CHECKING:  # building is imported on first write: queries never need it
    from searchkit import building

PathLike = Union[str, "os.PathLike[str]"]
#: ``progress(done, total)`` is called while files are read during an update.
Progress = Callable[[int, int], None]
#: Zero-hit queries of up to this many words get a "did you mean" suggestion.
SUGGEST_MAX_WORDS = 8
_READ_RETRIES = 3


@dataclass(frozen=True)
class UpdateReport:
    """What an update or rebuild did. ``skipped`` holds one :class:`SeedError` per unreadable file."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: tuple[SeedError, ...] = ()
    seconds: float = 0.0
    rebuilt: bool = False

    @property
    def changed(self) -> bool:
        """True when the index content changed."""
        return bool(self.added or self.updated or self.removed or self.rebuilt)

    def summary(self) -> str:
        """One line, e.g. ``added 3, updated 1, removed 2, unchanged 19,037, skipped 0 in 1.2 s``."""
        return (
            f"added {self.added:,}, updated {self.updated:,}, "
            f"removed {self.removed:,}, unchanged {self.unchanged:,}, skipped {len(self.skipped):,} "
            f"in {self.seconds:.1f} s"
        )


@dataclass(frozen=True)
class Stats:
    """Facts about an index."""

    articles: int
    first_date: Optional[dt.date]
    last_date: Optional[dt.date]
    per_year: dict[int, int]
    size_bytes: int
    last_update: Optional[str]
    seeds_dir: Optional[str]
    index_dir: str
    schema_version: int


@dataclass
class _Reader:
    generation: str
    ix: Any
    searcher: Any


@dataclass
class _Plan:
    to_index: list[SeedFile] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    known: set[str] = field(default_factory=set)  # ids indexed before this update


def open_index(path: PathLike = "index", *, create: bool = False) -> "Index":
    """Open the index at ``path``; with ``create=True`` an empty one is made when none exists.

    Raises :class:`IndexNotFoundError` when there is none and ``create`` is false, and
    :class:`IndexCorruptError` (or its child :class:`IndexVersionError`) when it cannot be used.
    """
    index = Index(path)
    if storage.current_generation(index.path) is None:
        if not create:
            raise IndexNotFoundError(index.path)
        index._create_empty()
    index._check_usable()
    return index


class Index:
    """A searchkit index folder. Safe to share between threads; see :func:`open_index`."""

    def __init__(self, path: PathLike = "index") -> None:
        self.path = Path(path)
        self._local = threading.local()

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
    ) -> UpdateReport:
        """Bring the index in step with ``seeds_dir``: add new files, re-index changed ones, remove
        articles whose file is gone. Unchanged files cost a stat. Builds the index if there is none,
        and rebuilds it if it was written by an incompatible version.
        """
        from searchkit.building import Outcome

        started = time.monotonic()
        seeds = Path(seeds_dir)
        found, problems = scan_seeds(seeds)
        with WriteLock(self._ensure_dir(), wait=wait, purpose="update"):
            storage.remove_old_generations(self.path, keep=1)  # and any left half-written by a crash
            generation = storage.current_generation(self.path)
            if generation is None or self._needs_rebuild(generation):
                return self._rebuild_locked(seeds, found, problems, started, max_bytes, progress, procs)
            folder = self.path / generation
            manifest = self._manifest(folder)
            plan = _plan(manifest, found)
            outcome = Outcome()
            if plan.to_index or plan.removed:
                outcome = self._write(engine.open_existing(folder), manifest, plan.to_index, plan.removed,
                                      max_bytes=max_bytes, progress=progress, procs=procs)
            if plan.to_index or plan.removed or manifest.seeds_dir != str(seeds.resolve()):
                self._save_manifest(folder, manifest, seeds)
        updated = sum(1 for article_id in outcome.indexed if article_id in plan.known)
        return UpdateReport(
            added=len(outcome.indexed) - updated,
            updated=updated,
            removed=len(plan.removed),
            unchanged=plan.unchanged + len(outcome.touched),
            skipped=tuple(problems) + tuple(outcome.skipped),
            seconds=time.monotonic() - started,
        )

    def rebuild(
        self,
        seeds_dir: PathLike,
        *,
        wait: float = 0.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        progress: Optional[Progress] = None,
        procs: Optional[int] = None,
    ) -> UpdateReport:
        """Build a fresh index from ``seeds_dir`` beside the live one and swap it in atomically.

        Articles added through :meth:`add` (they have no seed file) are carried over.
        """
        started = time.monotonic()
        seeds = Path(seeds_dir)
        found, problems = scan_seeds(seeds)
        with WriteLock(self._ensure_dir(), wait=wait, purpose="rebuild"):
            return self._rebuild_locked(seeds, found, problems, started, max_bytes, progress, procs)

    def add(self, article: Article, *, wait: float = 0.0) -> None:
        """Add or replace one article (for applications without seed files)."""
        self.add_many([article], wait=wait)

    def add_many(self, articles: Iterable[Article], *, wait: float = 0.0) -> int:
        """Add or replace several articles in one commit; returns how many were given.

        An id given twice keeps its last article, as two calls to :meth:`add` would.
        """
        latest: dict[str, Article] = {}
        count = 0
        for article in articles:
            if not isinstance(article, Article):
                raise TypeError(f"expected an Article, got {type(article).__name__}")
            latest.pop(article.id, None)  # keep the order of last appearance
            latest[article.id] = article
            count += 1
        with WriteLock(self._ensure_dir(), wait=wait, purpose="add"):
            folder = self._live_folder(create=True)
            manifest = self._manifest(folder)
            writer = engine.writer(engine.open_existing(folder))
            try:
                # The engine replaces an id's committed document, not one added earlier in the same
                # batch: hence one document per id.
                for article in latest.values():
                    writer.update_document(**engine.document(article))
                    manifest.files.pop(article.id, None)  # it no longer follows a seed file
            except BaseException:
                writer.cancel()
                raise
            engine.commit(writer)
            self._save_manifest(folder, manifest, None)
        return count

    def delete(self, article_id: str, *, wait: float = 0.0) -> None:
        """Remove the article ``article_id``; raises :class:`ArticleNotFoundError` if absent.

        An article read from a seed file comes back at the next :meth:`update` only if its file
        changes; delete the file to remove it for good.
        """
        with WriteLock(self._ensure_dir(), wait=wait, purpose="delete"):
            folder = self._live_folder(create=False)
            manifest = self._manifest(folder)
            writer = engine.writer(engine.open_existing(folder))
            deleted = writer.delete_by_term("id", article_id)
            if not deleted:
                writer.cancel()
                raise ArticleNotFoundError(article_id)
            engine.commit(writer)
            self._save_manifest(folder, manifest, None)

    # ---------------------------------------------------------------------------------------------
    # Reading

    def get(self, article_id: str) -> Article:
        """The article ``article_id``; raises :class:`ArticleNotFoundError`."""
        fields = self._read(lambda searcher: engine.lookup(searcher, article_id))
        if fields is None:
            raise ArticleNotFoundError(article_id)
        return engine.article_from_fields(fields)

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and self._read(
            lambda searcher: engine.lookup(searcher, article_id)) is not None

    def __len__(self) -> int:
        return int(self._read(lambda searcher: searcher.doc_count()))

    def stats(self) -> Stats:
        """Article count, date span, articles per year, size on disk, last update, seeds folder."""
        def collect(searcher: Any) -> Stats:
            generation = self._local.reader.generation
            folder = self.path / generation
            first, last, per_year = engine.date_bounds(searcher)
            manifest = storage.Manifest.load(folder)
            return Stats(
                articles=searcher.doc_count(),
                first_date=first,
                last_date=last,
                per_year=per_year,
                size_bytes=storage.folder_size(folder),
                last_update=manifest.updated_at if manifest else None,
                seeds_dir=manifest.seeds_dir if manifest else None,
                index_dir=str(self.path),
                schema_version=WHOOSH_SCHEMA_VERSION,
            )

        return self._read(collect)

    def search(
        self,
        query: Union[str, Node],
        *,
        limit: int = 10,
        offset: int = 0,
        sort: str = "relevance",
        since: DateLike = None,
        until: DateLike = None,
        plain: bool = False,
        snippets: bool = True,
    ) -> Results:
        """Run ``query`` (a query string or a tree) and return a page of ranked hits.

        ``sort`` is ``"relevance"``, ``"newest"`` or ``"oldest"``; ``since``/``until`` bound the date,
        inclusive, and accept a date or a string such as ``"18 Nov 2017"`` or ``"2017-11"``.
        ``snippets=False`` leaves ``Hit.snippet`` empty, for callers that only need ids and fields.
        Raises :class:`QuerySyntaxError` for a bad query string.
        """
        check_page(limit, offset, sort)
        tree = to_tree(query, plain=plain)
        dates = date_filter(since, until)
        text = query if isinstance(query, str) else str(query)

        def run(searcher: Any) -> Results:
            total, raw_hits, _ = engine.run_search(
                searcher, tree, query_text=text, limit=limit, offset=offset, sort=sort, date_filter=dates,
                snippets=snippets)
            hits = tuple(
                Hit(
                    id=raw.fields["id"],
                    date=dt.date.fromordinal(raw.fields["date"]),
                    headline=raw.fields.get("headline", ""),
                    score=round(raw.score, 4),
                    snippet=raw.snippet,
                    path=raw.fields.get("path") or None,
                )
                for raw in raw_hits
            )
            suggestion = None
            if total == 0:
                words = [n.text for n in walk(tree) if isinstance(n, Term)]
                if 0 < len(words) <= SUGGEST_MAX_WORDS:  # a long paste gets no spelling help, quickly
                    suggestion = engine.suggest(searcher, words)
            return Results(query=text, total=total, offset=offset, hits=hits, suggestion=suggestion)

        return self._read(run)

    def explain(self, query: Union[str, Node], *, plain: bool = False,
                since: DateLike = None, until: DateLike = None) -> Explanation:
        """The parsed tree and the engine query that :meth:`search` would run."""
        tree = to_tree(query, plain=plain)
        dates = date_filter(since, until)
        text = query if isinstance(query, str) else str(query)

        def compile_(searcher: Any) -> Explanation:
            compiled = engine.compile_query(searcher, tree, text)
            return Explanation(tree=str(tree), engine_query=str(compiled),
                               date_filter=str(dates) if dates else None)

        return self._read(compile_)

    def close(self) -> None:
        """Release this thread's open reader (other threads release theirs when they end)."""
        reader = getattr(self._local, "reader", None)
        if reader is not None:
            reader.searcher.close()
            self._local.reader = None

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Index({str(self.path)!r})"

    # ---------------------------------------------------------------------------------------------
    # Internals

    def _read(self, action: Callable[[Any], Any]) -> Any:
        """Run ``action(searcher)`` on the newest committed state, retrying if a writer swapped
        files underneath (an old generation removed, segments merged away)."""
        failure: Optional[IndexCorruptError] = None
        for attempt in range(_READ_RETRIES):
            try:
                return action(self._searcher(fresh=attempt > 0))
            except IndexCorruptError as error:  # e.g. the generation we opened was just removed
                failure = error
            except SearchkitError:  # a bad query, an unknown id: the index is fine
                raise
            except Exception as error:
                # The engine's files carry no checksums: damage surfaces as whatever the read trips
                # over (struct.error, UnpicklingError, ValueError...), and is told apart from a writer's
                # swap only by persisting after a fresh reopen.
                if not _looks_like_damage(error):
                    raise  # a bug in searchkit itself: show it as it is, not as a damaged index
                failure = IndexCorruptError(self.path, f"{type(error).__name__}: {error}")
                failure.__cause__ = error
        assert failure is not None
        raise failure

    def _searcher(self, *, fresh: bool) -> Any:
        generation = storage.current_generation(self.path)
        if generation is None:
            raise IndexNotFoundError(self.path)
        reader: Optional[_Reader] = getattr(self._local, "reader", None)
        if reader is not None and reader.generation == generation and not fresh:
            if not reader.searcher.up_to_date():
                # Not Searcher.refresh(): it reuses segment readers and misses new deletions.
                reader.searcher.close()
                reader.searcher = reader.ix.searcher(weighting=engine.weighting())
            return reader.searcher
        if reader is not None:
            reader.searcher.close()
        self._check_version(generation)
        ix = engine.open_existing(self.path / generation)
        reader = _Reader(generation, ix, ix.searcher(weighting=engine.weighting()))
        self._local.reader = reader
        return reader.searcher

    def _check_usable(self) -> None:
        generation = storage.current_generation(self.path)
        if generation is not None:
            self._check_version(generation)

    def _check_version(self, generation: str) -> None:
        folder = self.path / generation
        meta = storage.read_json(folder / storage.META_NAME)
        if meta is None:
            raise IndexCorruptError(folder, f"{storage.META_NAME} is missing or damaged")
        if meta.get("schema_version") != WHOOSH_SCHEMA_VERSION:
            raise IndexVersionError(self.path, meta.get("schema_version"), WHOOSH_SCHEMA_VERSION)

    def _needs_rebuild(self, generation: str) -> bool:
        """An index from another schema version, or one with no commit at all, is rebuilt by an
        update; other damage is reported (IndexCorruptError suggests --rebuild)."""
        try:
            self._check_version(generation)
        except IndexCorruptError:
            return True
        return committed_generation(self.path / generation) < 0

    def _ensure_dir(self) -> Path:
        self.path.mkdir(parents=True, exist_ok=True)
        return self.path

    def _create_empty(self) -> None:
        with WriteLock(self._ensure_dir(), purpose="create"):
            if storage.current_generation(self.path) is None:
                self._live_folder(create=True)

    def _live_folder(self, *, create: bool) -> Path:
        generation = storage.current_generation(self.path)
        if generation is None:
            if not create:
                raise IndexNotFoundError(self.path)
            generation = storage.new_generation(self.path)
            folder = self.path / generation
            engine.create(folder)
            self._write_meta(folder)
            self._save_manifest(folder, storage.Manifest(), None)
            storage.publish(self.path, generation)
        else:
            self._check_version(generation)
        return self.path / generation

    def _rebuild_locked(
        self,
        seeds: Path,
        found: list[SeedFile],
        problems: list[SeedError],
        started: float,
        max_bytes: int,
        progress: Optional[Progress],
        procs: Optional[int],
    ) -> UpdateReport:
        previous = storage.current_generation(self.path)
        carried = self._api_articles(previous) if previous else []
        storage.remove_old_generations(self.path, keep=1)
        generation = storage.new_generation(self.path)
        folder = self.path / generation
        ix = engine.create(folder)
        manifest = storage.Manifest()
        outcome = self._write(ix, manifest, found, [], max_bytes=max_bytes, progress=progress,
                              procs=procs, carried=carried)
        self._write_meta(folder)
        self._save_manifest(folder, manifest, seeds)
        storage.publish(self.path, generation)
        storage.remove_old_generations(self.path, keep=1)
        return UpdateReport(
            added=len(outcome.indexed),
            skipped=tuple(problems) + tuple(outcome.skipped),
            seconds=time.monotonic() - started,
            rebuilt=True,
        )

    def _write(
        self,
        ix: Any,
        manifest: storage.Manifest,
        to_index: list[SeedFile],
        removed: list[str],
        *,
        max_bytes: int,
        progress: Optional[Progress],
        procs: Optional[int],
        carried: Iterable[Article] = (),
    ) -> building.Outcome:
        """Apply one batch of changes in a single atomic commit and bring ``manifest`` in step."""
        from searchkit.building import build

        old_hashes = {article_id: manifest.files[article_id][2]
                      for article_id in (seed.id for seed in to_index) if article_id in manifest.files}
        writer = engine.writer(ix)
        try:
            outcome, segments = build(ix, writer, to_index, old_hashes, max_bytes=max_bytes,
                                               procs=_procs(procs), progress=progress)
            # Deleting through this writer reaches only the segments committed before it, never the
            # new versions it is adding, so changed articles are replaced, not lost.
            for article_id in removed:
                writer.delete_by_term("id", article_id)
            for article_id in outcome.indexed:
                if article_id in manifest.files:
                    writer.delete_by_term("id", article_id)
            for article in carried:
                if article.id not in outcome.indexed:
                    writer.add_document(**engine.document(article))
        except BaseException:
            writer.cancel()
            raise
        engine.commit(writer, segments)
        for article_id in removed:
            manifest.files.pop(article_id, None)
        manifest.files.update(outcome.indexed)
        manifest.files.update(outcome.touched)
        return outcome

    def _api_articles(self, generation: str) -> list[Article]:
        """Stored documents of the live generation that came from :meth:`add`, not from a file."""
        try:
            ix = engine.open_existing(self.path / generation)
            with ix.searcher() as searcher:
                return [engine.article_from_fields(f) for f in searcher.all_stored_fields()
                        if not f.get("fingerprint")]
        except Exception:  # noqa: BLE001 - damaged engine files fail in arbitrary ways
            return []  # a damaged index has nothing we can carry over

    def _manifest(self, folder: Path) -> storage.Manifest:
        manifest = storage.Manifest.load(folder)
        if manifest is not None and manifest.engine_generation == committed_generation(folder):
            return manifest
        # The last writer died between its commit and its manifest: trust the stored fields.
        rebuilt = storage.Manifest(seeds_dir=manifest.seeds_dir if manifest else None)
        stored = engine.stored_fingerprints(engine.open_existing(folder))
        for article_id, (fingerprint, _path) in stored.items():
            if fingerprint:
                size, mtime_ns, digest = fingerprint.split(":")
                rebuilt.files[article_id] = [int(size), int(mtime_ns), digest]
        return rebuilt

    def _save_manifest(self, folder: Path, manifest: storage.Manifest, seeds: Optional[Path]) -> None:
        manifest.engine_generation = committed_generation(folder)
        manifest.updated_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        if seeds is not None:
            manifest.seeds_dir = str(seeds.resolve())
        manifest.save(folder)

    def _write_meta(self, folder: Path) -> None:
        storage.write_json(
            folder / storage.META_NAME,
            {
                "schema_version": WHOOSH_SCHEMA_VERSION,
                "engine": "whoosh",
                "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            },
        )


def _plan(manifest: storage.Manifest, found: list[SeedFile]) -> _Plan:
    plan = _Plan()
    known = manifest.files
    unchanged = 0
    for seed in found:
        article_id, _, size, mtime_ns = seed
        old = known.get(article_id)
        if old is not None and old[0] == size and old[1] == mtime_ns:
            unchanged += 1
        else:
            plan.to_index.append(seed)
    plan.unchanged = unchanged
    if len(known) > unchanged:  # some known article may have lost its file
        present = {seed.id for seed in found}
        plan.removed = [article_id for article_id in known if article_id not in present]
    plan.known = set(known)
    return plan


def _procs(requested: Optional[int]) -> int:
    if requested is not None:
        return max(1, requested)
    return max(1, min(4, os.cpu_count() or 1))


#: Errors that reading damaged bytes raises (``pickle.UnpicklingError`` and ``struct.error`` among them).
_DATA_ERRORS = (OSError, EOFError, KeyError, IndexError, ValueError)
_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _looks_like_damage(error: Exception) -> bool:
    """Whether ``error``, raised while reading the index, comes from its files rather than from a bug:
    a data error, or any error raised inside the engine's code rather than searchkit's."""
    import pickle
    import struct
    import zlib

    if isinstance(error, (*_DATA_ERRORS, pickle.UnpicklingError, struct.error, zlib.error)):
        return True
    trace = error.__traceback__
    while trace is not None and trace.tb_next is not None:
        trace = trace.tb_next
    return trace is not None and not trace.tb_frame.f_code.co_filename.startswith(_PACKAGE)
