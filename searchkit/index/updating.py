"""Writing to an index: keeping it in step with a seeds folder, rebuilding it, adding and deleting.

Every function here runs with the index's write lock held by the caller (``Index``). An update plans
from the manifest (an unchanged file costs a stat), hands the new and changed files to the engine's
writer, and commits once; a rebuild writes a new generation beside the live one and publishes it.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Collection, Iterable, Iterator, Mapping, Optional

from searchkit.articles import Article, SeedFile
from searchkit.engines.base import Engine, EngineWriter, Progress, SeedOutcome, StoryKeepingEngine
from searchkit.engines.remote import SharedState, SharingEngine
from searchkit.engines.seeding import sign_articles
from searchkit.errors import (
    ArticleNotFoundError,
    RemovalsNotAllowedError,
    SeedError,
)
from searchkit.index import generations, ownership, storage
from searchkit.news import stories
from searchkit.reports import UpdateReport
from searchkit.text.languages import resolve
from searchkit.text.shingles import Signature, signature


@dataclass(frozen=True)
class WriteOptions:
    """How to read seed files: the size limit, a progress callback, how many worker processes."""

    max_bytes: int
    progress: Optional[Progress] = None
    workers: Optional[int] = None
    #: Whether a write may remove more than half of the articles indexed from seed files.
    allow_removals: bool = False


@dataclass
class Plan:
    """What an update must do: the files to read, how many are unchanged, the ids whose file is gone."""

    to_index: list[SeedFile] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    known: set[str] = field(default_factory=set)  # the ids of ``to_index`` indexed before this update


def plan(manifest: storage.Manifest, found: list[SeedFile]) -> Plan:
    """Compare the seeds found with the manifest: a file with the same size and mtime is unchanged."""
    result = Plan()
    known = manifest.stamps()
    unchanged = 0
    for seed in found:
        old = known.get(seed.id)
        if old is not None and old[0] == seed.size and old[1] == seed.mtime_ns:
            unchanged += 1
        else:
            result.to_index.append(seed)
    result.unchanged = unchanged
    if len(known) > unchanged:  # some known article may have lost its file
        present = {seed.id for seed in found}
        result.removed = [article_id for article_id in known if article_id not in present]
    result.known = {seed.id for seed in result.to_index if seed.id in known}
    return result


def update(index_dir: Path, generation: generations.Generation, seeds: Path, found: list[SeedFile],
           problems: list[SeedError], options: WriteOptions, started: float) -> UpdateReport:
    """Apply the new, changed and removed files to the live generation in one commit."""
    manifest = load_manifest(generation)
    todo = plan(manifest, found)
    new = [seed.id for seed in todo.to_index if seed.id not in todo.known]
    todo.to_index, kept_apart = ownership.keep_library_ids(
        todo.to_index, ownership.library_ids(generation, manifest, new))
    problems = [*problems, *kept_apart]
    check_removals(seeds, len(todo.removed), len(manifest.stamps()), options)
    outcome = SeedOutcome.empty()
    in_step = stories_in_step(generation)
    since = generation.engine.commit_token(generation.folder)
    if todo.to_index or todo.removed:
        outcome = _write(generation, manifest, todo.to_index, todo.removed, options)
    if todo.to_index or todo.removed or manifest.seeds_dir != str(seeds.resolve()):
        save_manifest(generation, manifest, seeds, count_library=bool(todo.to_index or todo.removed))
    if todo.to_index or todo.removed or not in_step:
        stories_problem = record_stories(generation, outcome.signatures, todo.removed, in_step=in_step,
                                         since=since, progress=options.progress)
    else:  # nothing written: only an engine's copy of the stories that a killed writer left behind is made
        stories_problem = _keep_stories(generation, since=since, changed=(), progress=options.progress)
    if todo.to_index or todo.removed or not in_step:
        share(generation)
    updated = sum(1 for article_id in outcome.indexed if article_id in todo.known)
    return UpdateReport(
        added=len(outcome.indexed) - updated,
        updated=updated,
        removed=len(todo.removed),
        unchanged=todo.unchanged + len(outcome.touched),
        skipped=tuple(problems) + tuple(outcome.skipped),
        seconds=time.monotonic() - started,
        changed_ids=tuple(outcome.indexed),
        stories_problem=stories_problem,
        seed_files=len(found),
    )


def rebuild(index_dir: Path, engine: Engine, seeds: Path, found: list[SeedFile], problems: list[SeedError],
            options: WriteOptions, started: float, *, discard_unreadable: bool,
            find_changes: bool = False, language: Optional[str] = None) -> UpdateReport:
    """Build a new generation from the seeds (and the library articles of the live one) and publish it.

    With ``find_changes`` the report's ``changed_ids`` holds the articles that are new or whose content
    differs from the old generation's (by the manifests' digests), rather than nothing."""
    before = _live_manifest(index_dir)
    if before is not None:
        present = {seed.id for seed in found}
        indexed = before.stamps()
        check_removals(seeds, sum(1 for article_id in indexed if article_id not in present), len(indexed),
                       options)
    carried, lost = ownership.library_articles(index_dir, discard_unreadable=discard_unreadable)
    found, kept_apart = ownership.keep_library_ids(found, {article.id for article in carried})
    problems = [*problems, *kept_apart]
    generations.remove_old(index_dir, keep=1)
    generation = generations.create(index_dir, engine, language)
    manifest = storage.Manifest()
    outcome = _write(generation, manifest, found, [], options, carried=carried)
    save_manifest(generation, manifest, seeds, count_library=True)
    library = [article for article in carried if article.id not in outcome.indexed]  # not read from a file
    stories_problem = _try_stories(lambda: stories.apply(
        generation.folder, {**sign_articles(library, len(library), progress=options.progress),
                            **outcome.signatures},
        (), generation.engine.commit_token(generation.folder), fresh=True))
    stories_problem = stories_problem or _keep_stories(generation, since=None, changed=(),
                                                       progress=options.progress)
    changed = _changed(outcome, before) if find_changes else ()  # before the old generation goes
    generations.publish(index_dir, generation)
    share(generation)
    # A local engine keeps the previous generation for readers that opened it just before the swap; a
    # remote engine's readers reopen on the new one, so its old data goes at once (Engine.keeps_previous).
    generations.remove_old(index_dir, keep=1 if engine.keeps_previous else 0)
    return UpdateReport(
        added=len(outcome.indexed),
        skipped=tuple(problems) + tuple(outcome.skipped),
        seconds=time.monotonic() - started,
        rebuilt=True,
        lost=lost,
        changed_ids=changed,
        stories_problem=stories_problem,
        seed_files=len(found),
    )


def create_empty(index_dir: Path, engine: Engine, language: Optional[str] = None) -> generations.Generation:
    """Make and publish an empty generation, its manifest and stories in step with it (stories out of
    step would make the first write read back and sketch every article it had just written)."""
    generation = generations.create(index_dir, engine, language)
    save_manifest(generation, storage.Manifest(library_articles=0), None, count_library=False)
    # If either fails, the first write makes them.
    _try_stories(lambda: stories.apply(generation.folder, {}, (), engine.commit_token(generation.folder),
                                       fresh=True)) or _keep_stories(generation, since=None, changed=())
    generations.publish(index_dir, generation)
    share(generation)
    return generation


def put_articles(generation: generations.Generation, articles: Iterable[Article]) -> None:
    """Add or replace library articles in one commit; :class:`SeedOwnedArticleError` (nothing written)
    for an id that a seed file owns."""
    manifest = load_manifest(generation)
    articles = list(articles)
    ownership.check_not_seed_owned(generation, manifest, articles)
    in_step = stories_in_step(generation)
    since = generation.engine.commit_token(generation.folder)
    signatures = {}
    with _batch(generation) as writer:
        for given in articles:
            article = resolve(given, generation.language)
            writer.put(article)
            manifest.remove(article.id)
            signatures[article.id] = signature(article)
    save_manifest(generation, manifest, None, count_library=True)
    record_stories(generation, signatures, (), in_step=in_step, since=since)
    share(generation)


def delete_article(generation: generations.Generation, article_id: str) -> None:
    """Remove one article; :class:`ArticleNotFoundError` when there is none."""
    manifest = load_manifest(generation)
    in_step = stories_in_step(generation)
    since = generation.engine.commit_token(generation.folder)
    with _batch(generation) as writer:
        if not writer.delete(article_id):
            raise ArticleNotFoundError(article_id)
    manifest.remove(article_id)
    save_manifest(generation, manifest, None, count_library=True)
    record_stories(generation, {}, [article_id], in_step=in_step, since=since)
    share(generation)


def share(generation: generations.Generation) -> None:
    """Publish what hosts that only read need (an engine whose data other hosts can read: see
    :class:`~searchkit.engines.remote.SharingEngine` and :mod:`searchkit.index.following`)."""
    engine = generation.engine
    if isinstance(engine, SharingEngine):
        engine.share(generation.folder, SharedState(engine.commit_token(generation.folder),
                                                    engine.schema_version, generation.language,
                                                    stories.read_labels(generation.folder)))


def stories_in_step(generation: generations.Generation) -> bool:
    """Whether the generation's stories match its engine's latest commit (a writer that died between
    the two, or an index older than stories, leaves them behind)."""
    return stories.engine_commit(generation.folder) == generation.engine.commit_token(generation.folder)


def record_stories(generation: generations.Generation, put: Mapping[str, Signature], removed: Iterable[str],
                   *, in_step: bool, since: str, progress: Optional[Progress] = None) -> Optional[str]:
    """Bring the stories in step with the commit just made (the one after ``since``): by its changes when
    they were in step with the one before, else from every article in the index (read back and
    sketched, reported to ``progress``); then the engine's copy of them. Returns why that failed, when it
    did: the commit stands, and the next write tries again."""
    commit = generation.engine.commit_token(generation.folder)
    removed = list(removed)
    if in_step:
        try:
            stories.apply(generation.folder, put, removed, commit)
            return _keep_stories(generation, since=since, changed={*put, *removed}, progress=progress)
        except sqlite3.DatabaseError:  # damaged (or full): made again from the articles, below
            pass
        except OSError as error:
            return _problem(error)
    return _try_stories(lambda: stories.apply(generation.folder, _all_signatures(generation, progress), (),
                                              commit, fresh=True)) \
        or _keep_stories(generation, since=None, changed=(), progress=progress)


def _keep_stories(generation: generations.Generation, *, since: Optional[str], changed: Collection[str],
                  progress: Optional[Progress] = None) -> Optional[str]:
    """Hand the stories just stored to an engine that keeps its own copy
    (:meth:`~searchkit.engines.base.StoryKeepingEngine.keep_stories`); why that failed, when it did
    (searches then collapse by the stored labels)."""
    if not isinstance(generation.engine, StoryKeepingEngine):
        return None
    try:
        labels = functools.partial(stories.read_labels, generation.folder)
        generation.engine.keep_stories(generation.folder, labels, since=since, changed=changed,
                                       progress=progress)
    except OSError as error:
        return _problem(error)
    return None


def _try_stories(write: Callable[[], None]) -> Optional[str]:
    try:
        write()
    except (sqlite3.Error, OSError) as error:
        return _problem(error)
    return None


def _problem(error: Exception) -> str:
    return f"duplicate-wire stories not updated ({error}); the next 'searchkit index' tries again"


def _all_signatures(generation: generations.Generation, progress: Optional[Progress]) -> dict[str, Signature]:
    """The signature of every article in the generation, read back from its engine."""
    reader = generation.engine.open_reader(generation.folder)
    try:
        from_files = list(reader.fingerprints())
        articles = itertools.chain(reader.articles_without_seed(),
                                   filter(None, map(reader.get, from_files)))
        return sign_articles(articles, reader.count(), progress=progress)
    finally:
        reader.close()


def load_manifest(generation: generations.Generation) -> storage.Manifest:
    """The generation's manifest; rebuilt from the engine's stored fingerprints when the last writer
    died between its commit and its manifest."""
    manifest = storage.Manifest.load(generation.folder)
    if manifest is not None and manifest.engine_commit == generation.engine.commit_token(generation.folder):
        return manifest
    reader = generation.engine.open_reader(generation.folder)
    try:
        rebuilt = storage.Manifest(seeds_dir=manifest.seeds_dir if manifest else None,
                                   files=reader.fingerprints())
        rebuilt.library_articles = reader.count() - rebuilt.file_count()
    finally:
        reader.close()
    return rebuilt


def save_manifest(generation: generations.Generation, manifest: storage.Manifest, seeds: Optional[Path],
                  *, count_library: bool) -> None:
    """Save ``manifest`` as the one matching the generation's latest commit."""
    if count_library:
        reader = generation.engine.open_reader(generation.folder)
        try:
            manifest.library_articles = reader.count() - manifest.file_count()
        finally:
            reader.close()
    manifest.engine_commit = generation.engine.commit_token(generation.folder)
    manifest.updated_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    if seeds is not None:
        manifest.seeds_dir = str(seeds.resolve())
    manifest.save(generation.folder)


@contextmanager
def _batch(generation: generations.Generation) -> Iterator[EngineWriter]:
    """One engine writer: committed when the block ends, cancelled if it raises."""
    writer = generation.engine.open_writer(generation.folder)
    try:
        yield writer
        writer.commit()
    except BaseException:
        writer.cancel()  # engines make this safe after a commit that failed half-way
        raise


def _write(generation: generations.Generation, manifest: storage.Manifest, to_index: list[SeedFile],
           removed: list[str], options: WriteOptions, *, carried: Iterable[Article] = ()) -> SeedOutcome:
    """One atomic commit of new and changed files, removals and carried-over library articles; brings
    ``manifest`` in step."""
    stamps = manifest.stamps()
    known_digests = manifest.digests(seed.id for seed in to_index if seed.id in stamps)
    with _batch(generation) as writer:
        outcome = writer.put_seeds(to_index, known_digests=known_digests, max_bytes=options.max_bytes,
                                   progress=options.progress, workers=options.workers,
                                   language=generation.language)
        for article_id in removed:
            writer.delete(article_id)
        for article in carried:
            if article.id not in outcome.indexed:
                writer.put(article)
    for article_id in removed:
        manifest.remove(article_id)
    for changed in (outcome.indexed, outcome.touched):
        for article_id, fingerprint in changed.items():
            manifest.put(article_id, fingerprint)
    return outcome


def check_removals(seeds: Path, removing: int, indexed: int, options: WriteOptions) -> None:
    """Refuse (:class:`RemovalsNotAllowedError`) a write that would remove more than half of the
    ``indexed`` seed articles, all of them included, unless ``options.allow_removals``."""
    if removing and removing * 2 > indexed and not options.allow_removals:
        raise RemovalsNotAllowedError(seeds, removing, indexed)


def _live_manifest(index_dir: Path) -> Optional[storage.Manifest]:
    name = storage.current_generation(index_dir)
    return storage.Manifest.load(index_dir / name) if name is not None else None


def _changed(outcome: SeedOutcome, before: Optional[storage.Manifest]) -> tuple[str, ...]:
    """The ids of ``outcome.indexed`` that ``before`` did not hold with the same content."""
    if before is None:
        return tuple(outcome.indexed)
    digests = before.digests(outcome.indexed)
    return tuple(i for i, fingerprint in outcome.indexed.items() if digests.get(i) != fingerprint.digest)
