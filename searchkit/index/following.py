"""Hosts that only read: an index folder that follows an index another host writes.

An engine whose data lives elsewhere (:class:`~searchkit.engines.remote.SharingEngine`: OpenSearch) can be
searched from any host given where the data is, such as a cluster URL and an index name. The local index
folder of such a host holds one generation that names the data (the engine's record), its settings
(``searchkit.json``: engine, schema version, the index's default language, ``"follows": true``) and the
story labels (``stories.sqlite`` without sketches): copies of what the writer last published, brought up
to date whenever a reader is opened (the engine's reader says when the writer committed since). No
manifest, no lock is ever taken for reading, and the folder is never written to as an index: a write
through it is refused by the engine.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Mapping, Union

from searchkit.engines import get_engine
from searchkit.engines.remote import SharingEngine
from searchkit.errors import IndexVersionError, InvalidOptionError
from searchkit.index import generations, storage
from searchkit.index.lock import WriteLock
from searchkit.news import stories

FOLLOWER_PURPOSE = "follow"
_REFRESHING = threading.Lock()


def follow(index_dir: Union[str, Path], *, engine: str = "opensearch",
           engine_options: Mapping[str, str]) -> Path:
    """Make the empty (or missing) folder ``index_dir`` follow the index ``engine_options`` name
    (``url`` and ``index_name`` for OpenSearch); a folder that holds an index already is left as it is
    when it reads that index, and refused (:class:`InvalidOptionError`) when it holds another.
    Returns the folder, for :func:`~searchkit.open_index`. Raises
    :class:`~searchkit.errors.IndexNotFoundError` when the cluster has no such index (its writer has not
    written it yet) and :class:`InvalidOptionError` for an engine whose index lives in the folder."""
    path = Path(index_dir)
    found = get_engine(engine)
    if not isinstance(found, SharingEngine):
        raise InvalidOptionError(f"the {engine} engine keeps its index in the index folder: there is no "
                                 "index elsewhere to follow")
    if storage.current_generation(path) is not None:
        _check_same(path, found, engine_options)
        return path
    path.mkdir(parents=True, exist_ok=True)
    with WriteLock(path, purpose=FOLLOWER_PURPOSE):
        if storage.current_generation(path) is not None:  # another process made it meanwhile
            return path
        name = storage.new_generation(path)
        folder = path / name
        try:
            found.attach(folder, engine_options)
            storage.write_json(folder / storage.META_NAME, _meta(found, None))
            generation = generations.open_generation(path, name)
            refresh(path, generation)
        except BaseException:
            storage.remove_generation(path, name)
            raise
        storage.publish(path, name)
    return path


def _check_same(path: Path, engine: SharingEngine, options: Mapping[str, str]) -> None:
    """A folder that holds an index already reads the data asked for, or the asking is refused."""
    live = generations.live(path)
    if live.engine.name != engine.name or not isinstance(live.engine, SharingEngine):
        raise InvalidOptionError(f"index at {path} holds a {live.engine.name} index of its own, not one on "
                                 "a cluster: give another --index folder")
    live.engine.check_follows(live.folder, options)


def refresh(index_dir: Path, generation: generations.Generation) -> generations.Generation:
    """Bring a follower's generation up to date with what the writer last published (settings, story
    labels); the generation as it is then."""
    if not isinstance(generation.engine, SharingEngine):
        return generation
    with _REFRESHING:  # the threads of a server reopen their readers at once after a commit
        return _refresh(index_dir, generation, generation.engine)


def _refresh(index_dir: Path, generation: generations.Generation,
             engine: SharingEngine) -> generations.Generation:
    shared = engine.shared(generation.folder)
    if shared is None:  # nothing published yet (an index written before followers were): no stories
        return generation
    if shared.schema_version != engine.schema_version:
        raise IndexVersionError(index_dir, shared.schema_version, engine.schema_version)
    if shared.language != generation.language:
        storage.write_json(generation.folder / storage.META_NAME, _meta(engine, shared.language))
    if stories.engine_commit(generation.folder) != shared.commit:
        stories.write_labels(generation.folder, shared.labels, shared.commit)
    return generations.open_generation(index_dir, generation.name)


def _meta(engine: SharingEngine, language: object) -> dict[str, object]:
    meta: dict[str, object] = {
        "engine": engine.name, "schema_version": engine.schema_version, "follows": True,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    if language:
        meta["language"] = language
    return meta
