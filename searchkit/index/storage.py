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
import re
import shutil
from pathlib import Path
from typing import Any

from searchkit.engines.files import (
    CURRENT_NAME,
    current_generation,
    folder_size,
    read_json,
    read_small_file,
    write_atomically,
)
from searchkit.index.manifest import MANIFEST_NAME, Manifest

# Re-exported: the manifest lives in the generation folder; the file helpers are shared with engines.
__all__ = ["CURRENT_NAME", "MANIFEST_NAME", "Manifest", "current_generation", "folder_size", "read_json",
           "read_small_file", "write_atomically"]

META_NAME = "searchkit.json"
_GENERATION = re.compile(r"gen-(\d{6})\Z")


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


def write_json(path: Path, value: dict[str, Any]) -> None:
    """Write a JSON object atomically."""
    write_atomically(path, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
