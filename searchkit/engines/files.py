"""Small file helpers for engines that keep files on disk, and for searchkit's own index folder.

An index folder holds generation folders and a ``CURRENT`` file naming the live one
(:mod:`searchkit.index.storage`); an engine creating a new generation may read the live one beside it
(:func:`current_generation` of ``folder.parent``) to carry its settings over."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Optional

CURRENT_NAME = "CURRENT"


def current_generation(index_dir: Path) -> Optional[str]:
    """The name of the live generation, or ``None`` when no index has been built."""
    data = read_small_file(os.path.join(index_dir, CURRENT_NAME))
    name = data.decode("utf-8").strip() if data is not None else ""
    return name or None


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old content or the new, never a mix."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_small_file(path: str) -> Optional[bytes]:
    """The whole content of the file at ``path``, ``None`` when there is none.

    Plain system calls: every search checks the live generation and the engine's commit this way, and
    ``pathlib`` with a text wrapper costs several times as much, a visible share of a warm query
    (docs/reliability.md).
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))  # no newline translation on Windows
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def folder_size(folder: Path) -> int:
    """Bytes used by the files directly in ``folder`` (one a concurrent commit removes is not counted)."""
    total = 0
    for entry in os.scandir(folder):
        try:
            if entry.is_file(follow_symlinks=False):
                total += entry.stat(follow_symlinks=False).st_size
        except FileNotFoundError:  # removed since the listing
            pass
    return total


def read_json(path: Path) -> Optional[dict[str, Any]]:
    """A JSON object from ``path``, or ``None`` when missing or unreadable."""
    try:
        value = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None
