"""A generation folder together with the engine that wrote it.

Each generation records its engine and that engine's schema version in ``searchkit.json``; opening one
checks both, so an index written by an engine that is not installed, or by an incompatible version,
gives one clear error before any engine code reads its files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from searchkit.engines import DEFAULT_ENGINE, get_engine
from searchkit.engines.base import Engine
from searchkit.errors import IndexCorruptError, IndexNotFoundError, IndexVersionError, SearchkitError
from searchkit.index import storage


@dataclass(frozen=True)
class Generation:
    """One generation of an index: its folder name, its folder, its engine and its default language
    (``None``: each article's language is detected)."""

    name: str
    folder: Path
    engine: Engine
    language: Optional[str] = None
    #: Whether the folder follows an index another host writes (searchkit.index.following).
    follows: bool = False


def live(index_dir: Path) -> Generation:
    """The live generation; :class:`IndexNotFoundError` when none has been published."""
    name = storage.current_generation(index_dir)
    if name is None:
        raise IndexNotFoundError(index_dir)
    return open_generation(index_dir, name)


def open_generation(index_dir: Path, name: str) -> Generation:
    """Generation ``name`` with its engine; raises :class:`IndexCorruptError`, :class:`IndexVersionError`,
    :class:`~searchkit.errors.UnknownEngineError` or :class:`~searchkit.errors.EngineNotAvailableError`."""
    folder = index_dir / name
    meta = storage.read_json(folder / storage.META_NAME)
    if meta is None:
        raise IndexCorruptError(folder, f"{storage.META_NAME} is missing or damaged")
    engine = get_engine(str(meta.get("engine", DEFAULT_ENGINE)))
    if meta.get("schema_version") != engine.schema_version:
        raise IndexVersionError(index_dir, meta.get("schema_version"), engine.schema_version)
    language = meta.get("language")
    return Generation(name, folder, engine, str(language) if language else None, bool(meta.get("follows")))


def engine_name_of(index_dir: Path) -> Optional[str]:
    """The engine the live generation was written by, read from its metadata alone (``None`` if unknown)."""
    name = storage.current_generation(index_dir)
    meta = storage.read_json(index_dir / name / storage.META_NAME) if name else None
    engine = meta.get("engine", DEFAULT_ENGINE) if meta else None
    return str(engine) if engine is not None else None


def create(index_dir: Path, engine: Engine, language: Optional[str] = None) -> Generation:
    """A new, empty, unpublished generation holding an empty index of ``engine``, whose articles are in
    ``language`` unless they say otherwise (``None``: detected)."""
    name = storage.new_generation(index_dir)
    folder = index_dir / name
    engine.create(folder)
    meta = {
        "engine": engine.name,
        "schema_version": engine.schema_version,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    if language is not None:
        meta["language"] = language
    storage.write_json(folder / storage.META_NAME, meta)
    return Generation(name, folder, engine, language)


def publish(index_dir: Path, generation: Generation) -> None:
    """Make ``generation`` the live one, atomically."""
    generation.engine.publish(generation.folder)
    storage.publish(index_dir, generation.name)


def remove_old(index_dir: Path, *, keep: int = 1) -> None:
    """Delete old and half-written generations (see :func:`storage.remove_old_generations`), letting a
    generation's engine clean up what it keeps elsewhere first."""
    for name in storage.doomed_generations(index_dir, keep=keep):
        folder = index_dir / name
        meta = storage.read_json(folder / storage.META_NAME)
        if meta is not None:
            try:
                engine = get_engine(str(meta.get("engine", DEFAULT_ENGINE)))
            except SearchkitError:  # written by an engine not installed here: it keeps nothing we can reach
                pass
            else:
                engine.discard(folder)
        storage.remove_generation(index_dir, name)
