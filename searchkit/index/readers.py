"""Readers for the ``Index`` facade: one engine reader per thread, always on the newest commit.

A reader is reopened when its engine says a newer commit exists or when a rebuild swapped in another
generation. When a read reports damage, it is retried on a freshly opened reader: a writer may have
removed the files under it (an old generation, merged segments); damage that persists is reported. A
remote engine's reader that lost its pinned state (``StaleReaderError``: a point in time expired, a node
holding its shard copies left) is retried the same way, after short waits: while a node leaves, the
cluster takes a moment to notice, and a fresh point in time opened at once can use the leaving node too.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path
from typing import Callable, Concatenate, Optional, ParamSpec, TypeVar

from searchkit.articles import Article
from searchkit.engines.base import DateSummary, EngineReader, StoryKeepingReader
from searchkit.errors import ArticleNotFoundError, IndexCorruptError, StaleReaderError
from searchkit.index import generations, storage

Result = TypeVar("Result")
Arguments = ParamSpec("Arguments")
_READ_RETRIES = 3
#: Seconds to wait before each retry of a stale remote reader (about the time a cluster takes to notice
#: that a node left).
_STALE_WAITS = (0.0, 0.25, 0.5, 1.0, 2.0)


class OpenReader:
    """An engine reader on one generation, with what searches ask of it more than once."""

    def __init__(self, generation: generations.Generation, reader: EngineReader) -> None:
        self.generation = generation
        self.reader = reader
        #: The reader keeps its engine's copy of the stories (checked once: a protocol check is slow).
        self.story_keeping: Optional[StoryKeepingReader] = \
            reader if isinstance(reader, StoryKeepingReader) else None
        self._dates: Optional[DateSummary] = None
        self._languages: Optional[dict[str, int]] = None

    def dates(self) -> DateSummary:
        """The date bounds of this commit's articles; asked of the engine once."""
        if self._dates is None:
            self._dates = self.reader.date_summary()
        return self._dates

    def languages(self) -> dict[str, int]:
        """This commit's articles per language; asked of the engine once."""
        if self._languages is None:
            self._languages = self.reader.language_counts()
        return self._languages

    def newest(self) -> Optional[dt.date]:
        """The newest article date of this commit (``None`` for an empty index)."""
        return self.dates().last


class ReaderCache:
    """The current thread's reader of the live generation of ``index_dir``."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._local = threading.local()

    def read(self, action: Callable[Concatenate[OpenReader, Arguments], Result], *args: Arguments.args,
             **kwargs: Arguments.kwargs) -> Result:
        """``action(open_reader, *args, **kwargs)`` on the newest committed state."""
        damaged = stale = 0
        while True:
            try:
                return action(self._current(fresh=damaged + stale > 0), *args, **kwargs)
            except IndexCorruptError:  # a fresh reader may not see it
                damaged += 1
                if damaged >= _READ_RETRIES:
                    raise
            except StaleReaderError:
                stale += 1
                if stale > len(_STALE_WAITS):
                    raise
                time.sleep(_STALE_WAITS[stale - 1])

    def close(self) -> None:
        """Release this thread's reader (other threads release theirs when they end)."""
        current: Optional[OpenReader] = getattr(self._local, "current", None)
        if current is not None:
            self._local.current = None
            current.reader.close()

    def _current(self, *, fresh: bool) -> OpenReader:
        current: Optional[OpenReader] = getattr(self._local, "current", None)
        if current is not None and not fresh:
            live = storage.current_generation(self.index_dir)
            if live == current.generation.name and current.reader.is_current():
                return current
        self.close()
        generation = generations.live(self.index_dir)
        if generation.follows:  # another host writes it: first bring this folder's copy up to date
            from searchkit.index import following

            generation = following.refresh(self.index_dir, generation)
        current = OpenReader(generation, generation.engine.open_reader(generation.folder))
        self._local.current = current
        return current


def article(opened: OpenReader, article_id: str) -> Optional[Article]:
    """The article ``article_id``, or ``None``."""
    return opened.reader.get(article_id)


#: How many ids starting with a prefix are looked for (more than one is enough to refuse it).
_PREFIX_CANDIDATES = 20


def article_by_prefix(opened: OpenReader, prefix: str) -> Optional[Article]:
    """The one article whose id starts with ``prefix``: seed articles by the manifest, library articles
    by the engine; raises :class:`ArticleNotFoundError` with the candidates when several do."""
    try:
        prefix.encode("utf-8")
    except UnicodeEncodeError:  # typed on a terminal that is not UTF-8: no id starts so
        return None
    manifest = storage.Manifest.load(opened.generation.folder)
    ids = set(manifest.ids_starting(prefix, _PREFIX_CANDIDATES) if manifest is not None else ())
    if manifest is None or manifest.library_articles != 0:  # reading them all is the engine's slow path
        ids.update(article.id for article in opened.reader.articles_without_seed()
                   if article.id.startswith(prefix))
    found = [article for article in map(opened.reader.get, sorted(ids)[:_PREFIX_CANDIDATES]) if article]
    if len(found) > 1:
        raise ArticleNotFoundError(prefix, tuple(article.id for article in found))
    return found[0] if found else None
