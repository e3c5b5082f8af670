"""Readers for the ``Index`` facade: one engine reader per thread, always on the newest commit.

A reader is reopened when its engine says a newer commit exists or when a rebuild swapped in another
generation. When a read reports damage, it is retried on a freshly opened reader: a writer may have
removed the files under it (an old generation, merged segments); damage that persists is reported. A
remote engine's reader that lost its pinned state (``StaleReaderError``: a point in time expired, a node
holding its shard copies left) is retried the same way.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, TypeVar

from searchkit.index import generations, storage
from searchkit.engines.base import EngineReader
from searchkit.errors import IndexCorruptError, StaleReaderError

Result = TypeVar("Result")
_READ_RETRIES = 3


@dataclass
class _Open:
    generation: generations.Generation
    reader: EngineReader


class ReaderCache:
    """The current thread's reader of the live generation of ``index_dir``."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self._local = threading.local()

    def read(self, action: Callable[[EngineReader, generations.Generation], Result]) -> Result:
        """``action(reader, generation)`` on the newest committed state."""
        failure: Optional[IndexCorruptError | StaleReaderError] = None
        for attempt in range(_READ_RETRIES):
            try:
                current = self._current(fresh=attempt > 0)
                return action(current.reader, current.generation)
            except (IndexCorruptError, StaleReaderError) as error:  # a fresh reader may not see it
                failure = error
        assert failure is not None
        raise failure

    def close(self) -> None:
        """Release this thread's reader (other threads release theirs when they end)."""
        current: Optional[_Open] = getattr(self._local, "current", None)
        if current is not None:
            self._local.current = None
            current.reader.close()

    def _current(self, *, fresh: bool) -> _Open:
        current: Optional[_Open] = getattr(self._local, "current", None)
        if current is not None and not fresh:
            live = storage.current_generation(self.index_dir)
            if live == current.generation.name and current.reader.is_current():
                return current
        self.close()
        generation = generations.live(self.index_dir)
        current = _Open(generation, generation.engine.open_reader(generation.folder))
        self._local.current = current
        return current
