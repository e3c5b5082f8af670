"""Readers for the ``Index`` facade: one engine reader per thread, always on the newest commit.

A reader is reopened when its engine says a newer commit exists or when a rebuild swapped in another
generation. When a read reports damage, it is retried on a freshly opened reader: a writer may have
removed the files under it (an old generation, merged segments); damage that persists is reported. A
remote engine's reader that lost its pinned state (``StaleReaderError``: a point in time expired, a node
holding its shard copies left) is retried the same way.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Callable, Concatenate, Optional, ParamSpec, TypeVar

from searchkit.engines.base import DateSummary, EngineReader, StoryKeepingReader
from searchkit.errors import IndexCorruptError, StaleReaderError
from searchkit.index import generations, storage

Result = TypeVar("Result")
Arguments = ParamSpec("Arguments")
_READ_RETRIES = 3


class OpenReader:
    """An engine reader on one generation, with what searches ask of it more than once."""

    def __init__(self, generation: generations.Generation, reader: EngineReader) -> None:
        self.generation = generation
        self.reader = reader
        #: The reader keeps its engine's copy of the stories (checked once: a protocol check is slow).
        self.story_keeping: Optional[StoryKeepingReader] = \
            reader if isinstance(reader, StoryKeepingReader) else None
        self._dates: Optional[DateSummary] = None

    def dates(self) -> DateSummary:
        """The date bounds of this commit's articles; asked of the engine once."""
        if self._dates is None:
            self._dates = self.reader.date_summary()
        return self._dates

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
        failure: Optional[IndexCorruptError | StaleReaderError] = None
        for attempt in range(_READ_RETRIES):
            try:
                return action(self._current(fresh=attempt > 0), *args, **kwargs)
            except (IndexCorruptError, StaleReaderError) as error:  # a fresh reader may not see it
                failure = error
        assert failure is not None
        raise failure

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
        current = OpenReader(generation, generation.engine.open_reader(generation.folder))
        self._local.current = current
        return current
