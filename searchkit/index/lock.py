"""One writer at a time: an advisory lock file beside the index.

The lock is an ``fcntl.flock`` on ``write.lock``, so the kernel releases it when its holder dies, however
it dies: a lock file left by a killed process is not held by anyone and is simply taken over (its stale
holder line is replaced). The file records who holds the lock, so a waiting writer can name the holder.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Callable, Iterator, Optional

from searchkit.engines.base import Engine
from searchkit.engines.remote import LeasingEngine
from searchkit.errors import IndexLockedError, SearchkitError

LOCK_NAME = "write.lock"
_POLL_SECONDS = 0.05

#: Descriptors of the locks this process holds. A forked child (a build worker) closes its copies at once:
#: a flock belongs to the open file, so a child keeping a copy would keep the lock held after the holder
#: itself died.
_HELD: set[int] = set()


def _forget_in_child() -> None:
    for fd in _HELD:
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


os.register_at_fork(after_in_child=_forget_in_child)


class WriteLock:
    """Hold the index's write lock for the duration of a ``with`` block."""

    def __init__(self, index_dir: Path, *, wait: float = 0.0, purpose: str = "index") -> None:
        self.path = Path(index_dir) / LOCK_NAME
        self.wait = wait
        self.purpose = purpose
        self._fd: Optional[int] = None
        self._pid = os.getpid()

    def acquire(self) -> None:
        """Take the lock, waiting up to ``wait`` seconds; raises :class:`IndexLockedError`."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + max(0.0, self.wait)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = describe_holder(self.path)
                    os.close(fd)
                    raise IndexLockedError(self.path.parent, holder, self.wait) from None
                time.sleep(_POLL_SECONDS)
        record = {
            "pid": os.getpid(),
            "host": _hostname(),
            "since": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "purpose": self.purpose,
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        self._fd = fd
        self._pid = os.getpid()
        _HELD.add(fd)

    def release(self) -> None:
        """Clear the holder record and unlock."""
        if self._fd is None or self._pid != os.getpid():
            return  # not held, or held by the process this one was forked from
        _HELD.discard(self._fd)
        os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> "WriteLock":
        self.acquire()
        return self

    def __exit__(
        self,
        kind: Optional[type[BaseException]],
        value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.release()


@contextmanager
def writing(index_dir: Path, engine: Callable[[], Engine], *, wait: float = 0.0,
            purpose: str = "index") -> Iterator[None]:
    """The index's write lock and, when the engine the write goes to (``engine()``, asked once the lock
    is held) keeps data other hosts may write, its writer lease too (:class:`LeasingEngine`)."""
    started = time.monotonic()
    with WriteLock(index_dir, wait=wait, purpose=purpose):
        try:
            target: Optional[Engine] = engine()
        except SearchkitError:  # an engine that cannot be had: the write itself says why
            target = None
        if not isinstance(target, LeasingEngine):
            yield
            return
        left = max(0.0, wait - (time.monotonic() - started))
        with target.writer_lease(index_dir, purpose=purpose, wait=left):
            yield


def describe_holder(path: Path) -> str:
    """Who holds the lock at ``path``, as "process 123 on host (index, since ...)"."""
    try:
        with open(path, "rb") as handle:
            record = json.loads(handle.read() or b"{}")
    except (OSError, ValueError):
        record = {}
    return _describe(record) if record else "another process"


def _describe(record: dict[str, object]) -> str:
    return (
        f"process {record.get('pid', '?')} on {record.get('host', '?')} "
        f"({record.get('purpose', 'index')}, since {record.get('since', '?')})"
    )


def _hostname() -> str:
    import socket  # only writers need it: keep query start-up lean

    return socket.gethostname()
