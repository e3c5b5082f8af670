"""The optional protocols of an engine whose data lives outside the index folder (OpenSearch).

:class:`ConfigurableEngine` takes options saying where new indexes go; :class:`LeasingEngine` holds a
writer's lease where the data is, so writers on several hosts take turns; :class:`SharingEngine` lets a
host with only the data's address *follow* an index (:mod:`searchkit.index.following`), from the
:class:`SharedState` the writer publishes; :class:`AlertingEngine` keeps the saved searches where the data
is (:class:`SavedSearches`), so every host sees the same. The engines that keep their index in the folder
implement none of them (:mod:`searchkit.engines.base` holds the protocol every engine implements).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ContextManager, Mapping, Optional, Protocol, Sequence, runtime_checkable

from searchkit.engines.base import Engine

if TYPE_CHECKING:  # annotations only: a query does not load the reports' module (tests/test_imports.py)
    from searchkit.reports import AlertMatch, SavedSearch


@runtime_checkable
class ConfigurableEngine(Engine, Protocol):
    """An engine that takes options saying where it creates new indexes (optional: a remote engine's
    cluster URL and index name). Whatever a generation needs later, the engine records in the
    generation folder at :meth:`Engine.create`; options never hold secrets."""

    #: The option names it takes.
    options: tuple[str, ...]

    def configured(self, options: Mapping[str, str]) -> Engine:
        """This engine, creating new generations as ``options`` say."""
        ...


@runtime_checkable
class LeasingEngine(Engine, Protocol):
    """An engine whose data other hosts may write too (optional: a remote engine, where two index
    folders on two hosts can write one index name). searchkit's write lock is a file in the local index
    folder; this lease is held where the data is, so writers on any host are one at a time."""

    def writer_lease(self, index_dir: Path, *, purpose: str, wait: float) -> ContextManager[None]:
        """Hold the writer's lease of the data the writes of ``index_dir`` go to (its live generation's,
        or where this engine creates a new one) for a ``with`` block, renewing it while the block runs;
        waiting up to ``wait`` seconds for another holder, then raising
        :class:`~searchkit.errors.WriterLeaseHeldError` naming it. A commit made after the lease was lost
        raises :class:`~searchkit.errors.WriterLeaseLostError`. The caller holds searchkit's write lock."""
        ...


@dataclass(frozen=True)
class SharedState:
    """What hosts that only read an index need besides its articles, as its writer published it:
    ``commit`` (the :meth:`Engine.commit_token` it was published after), the schema version, the
    default language (``None``: detected) and the story labels (each article with near-duplicates mapped
    to its story)."""

    commit: str
    schema_version: int
    language: Optional[str]
    labels: Mapping[str, int]


@runtime_checkable
class SharingEngine(Engine, Protocol):
    """An engine whose data other hosts can read without the index folder (optional: a remote engine).
    A host given only where the data is (its options, such as a URL and an index name) *follows* it: its
    local generation folder holds no more than the engine's record of the data and a copy of the
    :class:`SharedState`, which searchkit brings up to date whenever the writer published a newer one."""

    def share(self, folder: Path, state: SharedState) -> None:
        """Publish ``state`` for followers (called by the writer, holding the lock and the lease, after
        a commit of ``folder`` and its stories)."""
        ...

    def attach(self, folder: Path, options: Mapping[str, str]) -> None:
        """Make the new generation ``folder`` follow the data ``options`` name (nothing is created);
        :class:`~searchkit.errors.IndexNotFoundError` when there is none."""
        ...

    def check_follows(self, folder: Path, options: Mapping[str, str]) -> None:
        """Raise :class:`~searchkit.errors.InvalidOptionError`, naming what ``folder`` reads, unless its
        data is the data ``options`` name (asked again of a folder that holds an index already)."""
        ...

    def shared(self, folder: Path) -> Optional[SharedState]:
        """The state last published for the data generation ``folder`` follows (``None``: none yet),
        the folder's record of the data brought up to date with it."""
        ...


class SavedSearches(Protocol):
    """Where an index's saved searches and their unchecked matches are kept (``alerts.sqlite`` in the
    index folder, or an :class:`AlertingEngine`'s store); :mod:`searchkit.news.alerts` checks the queries
    and percolates above it. Each call is one consistent change, safe from several processes or hosts."""

    def add(self, saved: SavedSearch) -> None:
        """Keep ``saved``; :class:`~searchkit.errors.AlertExistsError` when its name is in use."""
        ...

    def remove(self, name: str) -> None:
        """Forget ``name`` and its unchecked matches; :class:`~searchkit.errors.AlertNotFoundError`."""
        ...

    def searches(self) -> list[SavedSearch]:
        """Every saved search, by name."""
        ...

    def record(self, matches: Sequence[AlertMatch]) -> None:
        """Keep ``matches`` as unchecked, each replacing an unchecked one of the same search and article."""
        ...

    def take(self) -> dict[str, list[AlertMatch]]:
        """The unchecked matches by search (every saved search listed, by name; newest article first),
        forgotten as they are handed out: two callers at once never both get one."""
        ...


@runtime_checkable
class AlertingEngine(Engine, Protocol):
    """An engine that keeps the saved searches of an index where its data is (optional: a remote
    engine), so that every host reading the index lists, checks and adds the same ones."""

    def saved_searches(self, folder: Path) -> SavedSearches:
        """The saved searches of the index generation ``folder`` writes or follows (its index name's:
        they outlive rebuilds)."""
        ...
