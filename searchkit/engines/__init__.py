"""The search engines searchkit can run on, by name; see :mod:`searchkit.engines.base` for the seam.

Each engine lives in a module or package of its own, which alone imports the engine's library. The
registry names where each one lives and how to install what it needs, so an index written by an engine
that is not installed here gives one clear error instead of an ImportError.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Mapping, Optional

from searchkit.engines.base import Engine
from searchkit.engines.remote import ConfigurableEngine
from searchkit.errors import EngineNotAvailableError, InvalidOptionError, UnknownEngineError

DEFAULT_ENGINE = "whoosh"


@dataclass(frozen=True)
class _Entry:
    module: str
    attribute: str
    install: str


_REGISTRY: dict[str, _Entry] = {
    "whoosh": _Entry("searchkit.engines.whoosh", "WhooshEngine", "pip install searchkit"),
    "tantivy": _Entry("searchkit.engines.tantivy", "TantivyEngine", "pip install 'searchkit[fast]'"),
    "opensearch": _Entry("searchkit.engines.opensearch", "OpenSearchEngine",
                         "pip install 'searchkit[opensearch]'"),
    # In this process's memory, by brute force: for applications' own tests (engines/memory.py).
    "memory": _Entry("searchkit.engines.memory", "MemoryEngine", "pip install searchkit"),
}
_LOADED: dict[str, Engine] = {}


def engine_names() -> tuple[str, ...]:
    """The names of the engines searchkit knows, installed or not."""
    return tuple(_REGISTRY)


def get_engine(name: str, options: Optional[Mapping[str, str]] = None) -> Engine:
    """The engine called ``name``; :class:`UnknownEngineError` or :class:`EngineNotAvailableError`.

    ``options`` configure where the engine creates new indexes (a remote engine's cluster URL and index
    name); an engine that takes none refuses them with :class:`InvalidOptionError`.
    """
    if options:
        return configure(get_engine(name), options)
    engine = _LOADED.get(name)
    if engine is not None:
        return engine
    entry = _REGISTRY.get(name)
    if entry is None:
        raise UnknownEngineError(name, engine_names())
    try:
        module = importlib.import_module(entry.module)
        engine = getattr(module, entry.attribute)()
    except EngineNotAvailableError:
        raise
    except ImportError as error:  # the engine's library (or one of its dependencies) is missing
        raise EngineNotAvailableError(name, f"{entry.install} ({error})") from error
    _LOADED[name] = engine
    return engine


def configure(engine: Engine, options: Mapping[str, str]) -> Engine:
    """``engine`` configured with ``options`` (see :class:`~searchkit.engines.remote.ConfigurableEngine`)."""
    if not isinstance(engine, ConfigurableEngine):
        given = ", ".join(sorted(options))
        raise InvalidOptionError(f"the {engine.name} engine takes no options (got {given})")
    return engine.configured(options)


def register_engine(name: str, engine: Engine, *, install: str = "") -> None:
    """Make ``engine`` available as ``name`` (for tests and third-party engines)."""
    _REGISTRY[name] = _Entry("", "", install)
    _LOADED[name] = engine


def unregister_engine(name: str) -> None:
    """Forget an engine added with :func:`register_engine`."""
    if name == DEFAULT_ENGINE:
        raise ValueError("the default engine cannot be unregistered")
    _REGISTRY.pop(name, None)
    _LOADED.pop(name, None)
