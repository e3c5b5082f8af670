"""The index folder on disk: generations, the ``CURRENT`` pointer and the manifest.

Layout::

    index/
      CURRENT            names the live generation ("gen-000002"); replaced atomically
      write.lock         the writer lock (see searchkit.index.lock)
      gen-000002/        one complete engine index, plus
        searchkit.json   engine, schema version and creation time
        manifest.sqlite  what each seed file looked like when indexed (see searchkit.index.manifest)
        stories.sqlite   which articles are one story rewritten (see searchkit.news.stories)

A rebuild writes a new generation beside the live one and then replaces ``CURRENT``: a reader sees the
old generation or the new one, never a half-built one. Incremental updates commit inside the live
generation, where the engine's own commit is atomic.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any, Optional

from searchkit.index.manifest import MANIFEST_NAME, Manifest

__all__ = ["MANIFEST_NAME", "Manifest"]  # re-exported: the manifest lives in the generation folder too

CURRENT_NAME = "CURRENT"
META_NAME = "searchkit.json"
_GENERATION = re.compile(r"gen-(\d{6})\Z")


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


def current_generation(index_dir: Path) -> Optional[str]:
    """The name of the live generation, or ``None`` when no index has been built."""
    data = read_small_file(os.path.join(index_dir, CURRENT_NAME))
    name = data.decode("utf-8").strip() if data is not None else ""
    return name or None


def read_small_file(path: str) -> Optional[bytes]:
    """The whole content of the file at ``path``, ``None`` when there is none.

    Plain system calls: every search checks the live generation and the engine's commit this way, and
    ``pathlib`` with a text wrapper cost ten times as much (a sixth of a warm Tantivy query).
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


def generations(index_dir: Path) -> list[str]:
    """Every generation folder present, oldest first."""
    if not index_dir.is_dir():
        return []
    return sorted(p.name for p in index_dir.iterdir() if _GENERATION.match(p.name) and p.is_dir())


def new_generation(index_dir: Path) -> str:
    """Create and return an empty folder for the next generation."""
    index_dir.mkdir(parents=True, exist_ok=True)
    existing = [int(_GENERATION.match(name).group(1)) for name in generations(index_dir)]  # type: ignore[union-attr]
    name = f"gen-{(max(existing, default=0) + 1):06d}"
    (index_dir / name).mkdir()
    return name


def publish(index_dir: Path, name: str) -> None:
    """Make generation ``name`` the live one, atomically."""
    write_atomically(index_dir / CURRENT_NAME, (name + "\n").encode())


def doomed_generations(index_dir: Path, *, keep: int = 1) -> list[str]:
    """Generations other than the live one and the ``keep`` newest before it, and any newer than the
    live one (left half-written by a crashed rebuild).

    The previous generation is kept so that a reader which opened it just before a swap can finish;
    only a writer holding the lock removes generations.
    """
    live = current_generation(index_dir)
    older = [name for name in generations(index_dir) if name != live]
    if live is None:
        return older
    before = [name for name in older if name < live]
    unfinished = [name for name in older if name > live]
    return before[: max(0, len(before) - keep)] + unfinished


def remove_generation(index_dir: Path, name: str) -> None:
    """Delete one generation folder."""
    shutil.rmtree(index_dir / name, ignore_errors=True)


def read_json(path: Path) -> Optional[dict[str, Any]]:
    """A JSON object from ``path``, or ``None`` when missing or unreadable."""
    try:
        value = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def write_json(path: Path, value: dict[str, Any]) -> None:
    """Write a JSON object atomically."""
    write_atomically(path, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


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
