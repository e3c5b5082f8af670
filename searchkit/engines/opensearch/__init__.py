"""The OpenSearch engine (``pip install 'searchkit[opensearch]'``): ``opensearchpy`` is imported only
inside this package.

The articles live on an OpenSearch cluster, and the writer's lease, the commit counter and what hosts
that only read need in its hidden state index (``lease.py``, ``share.py``), the saved searches in its
hidden alerts index (``alerts.py``); a generation folder keeps only
``opensearch.json`` (the cluster's URL, the alias, this generation's physical index, a copy of the commit
counter: ``config.py``). Each
generation is one physical index; :meth:`OpenSearchEngine.publish` points the alias (the index name
users search) at it in one atomic ``_aliases`` call, and :meth:`OpenSearchEngine.discard` deletes an old
one. searchkit's own analysis decides the words, handed over already analysed, so a word finds exactly
the articles it finds on the other engines. The parts:

    config.py   the folder's record, credentials    client.py   requests, retries, errors
    schema.py   mapping, Article <-> document        compile.py  query tree -> query DSL
    reader.py   the EngineReader (a point in time)   writer.py   the EngineWriter (bulk, refresh)
    bulk.py     analysis in workers, parallel bulks  readiness.py  replicas and green before a swap
    meta.py     the index's _meta: schema, ownership of the alias
    state.py    the alias's state document in the cluster's hidden state index
    lease.py    the writer's lease and the commit counter, in that document
    share.py    what followers (hosts that only read) need: labels, language, schema version
    alerts.py   the saved searches and their matches, in the hidden alerts index
    suggest.py  did you mean
"""

from __future__ import annotations

import contextlib
import importlib.util
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Mapping, Optional

from searchkit.engines.base import ALL_CAPABILITIES
from searchkit.engines.opensearch import config
from searchkit.engines.remote import SharedState
from searchkit.errors import (
    EngineNotAvailableError,
    EngineRejectedError,
    IndexNotFoundError,
    InvalidOptionError,
    SearchkitError,
)

if TYPE_CHECKING:
    from searchkit.engines.opensearch.alerts import ClusterSavedSearches
    from searchkit.engines.opensearch.client import Cluster, Clusters
    from searchkit.engines.opensearch.reader import OpenSearchReader
    from searchkit.engines.opensearch.writer import OpenSearchWriter

#: Bumped whenever the mapping or the analysis changes: older indexes then ask for a rebuild.
# 2: U.S. indexed as us (dotted acronyms undotted); 3: each article's language; 4: undetected articles
# in "und", and stop words left out of the words of 13 languages
SCHEMA_VERSION = 4
INSTALL = "pip install 'searchkit[opensearch]'"


class OpenSearchEngine:
    """OpenSearch, fed searchkit's analysis; data on a cluster, its whereabouts in the generation folder.

    ``options`` (see :data:`config.OPTIONS`: ``url``, one or more comma-separated node URLs;
    ``index_name``, ``shards``, ``replicas``, ``discover``: ask the cluster for its other nodes) say where
    a generation this engine creates goes; without them a new generation goes where the live one of its
    index folder is (so a rebuild stays on the same cluster and alias), else to
    ``SEARCHKIT_OPENSEARCH_URL``.
    """

    name = "opensearch"
    schema_version = SCHEMA_VERSION
    capabilities = ALL_CAPABILITIES
    options = config.OPTIONS
    #: A rebuild deletes the previous physical index right after the alias swap: a reader still on it
    #: loses its point in time and is reopened on the new generation (StaleReaderError).
    keeps_previous = False

    def __init__(self, options: Optional[Mapping[str, str]] = None,
                 clusters: Optional["Clusters"] = None) -> None:
        if importlib.util.find_spec("opensearchpy") is None:  # looked up, not imported: start-up stays lean
            raise EngineNotAvailableError(self.name, INSTALL)
        self._options = dict(options or {})
        self._clusters = clusters
        self._lock = threading.Lock()

    def configured(self, options: Mapping[str, str]) -> "OpenSearchEngine":
        """This engine, creating new generations as ``options`` say (checked when one is created)."""
        return OpenSearchEngine({**self._options, **options}, self._shared())

    def create(self, folder: Path) -> None:
        from searchkit.engines.opensearch.meta import check_alias_holders, meta
        from searchkit.engines.opensearch.schema import index_body

        location = config.new_location(folder, self._options)
        check_alias_holders(self._cluster(location), location)  # refused before anything is loaded
        # Loaded without replicas (every document indexed once, not on each copy); publish adds them.
        body = index_body(location.shards, 0, meta(location, SCHEMA_VERSION))
        self._cluster(location).call("PUT", f"/{location.index}", body=body)
        config.write(folder, replace(location, commits=1))  # an empty index is one commit

    @contextlib.contextmanager
    def writer_lease(self, index_dir: Path, *, purpose: str, wait: float) -> Iterator[None]:
        """Hold the cluster's writer lease of the alias the writes of ``index_dir`` go to (see
        :mod:`~searchkit.engines.opensearch.lease`), renewed while the block runs."""
        from searchkit.engines.opensearch import lease

        recorded = config.live_location(index_dir)
        if recorded is not None:
            _refuse_follower(index_dir, recorded)
        # Options say where a new index goes; other writes go to the live one's alias.
        options = self._options if recorded is None or purpose == "rebuild" else {}
        url, alias, discover = config.target(index_dir, options)
        cluster = self._shared().get(url, discover)
        with lease.held(cluster, alias, purpose=purpose, folder=index_dir.resolve(), wait=wait) as held:
            live = config.live_folder(index_dir)
            lease.settle(held, live)
            yield

    def share(self, folder: Path, state: SharedState) -> None:
        """Publish ``state`` in the cluster's state index, for hosts that only read (``share.py``)."""
        from searchkit.engines.opensearch import lease, share

        location = config.require(folder)
        cluster = self._cluster(location)
        with lease.for_commit(cluster, location.alias, folder.parent) as held:
            share.publish(cluster, held, state)

    def attach(self, folder: Path, options: Mapping[str, str]) -> None:
        """Record in ``folder`` the index ``options`` name (``url``, ``index_name``), to follow it."""
        from searchkit.engines.opensearch.state import read_state

        url, alias, discover = config.target(folder.parent, options)
        state = read_state(self._shared().get(url, discover), alias)
        if state is None or state.index is None:
            raise IndexNotFoundError(folder.parent, where=f"named {alias} on the search cluster at "
                                                          f"{config.shown_urls(url)}")
        config.write(folder, config.Location(url=url, alias=alias, index=state.index, shards=0, replicas=0,
                                             commits=state.commits, discover=discover, follows=True))

    def check_follows(self, folder: Path, options: Mapping[str, str]) -> None:
        location = config.require(folder)
        url, alias, _ = config.target(folder.parent, options)
        if alias != location.alias or set(url.split(",")) != set(location.url.split(",")):
            raise InvalidOptionError(
                f"index at {folder.parent} reads {location.alias} on {config.shown_urls(location.url)}, not "
                f"{alias} on {config.shown_urls(url)}: give another --index folder")

    def shared(self, folder: Path) -> Optional[SharedState]:
        """What the writer last shared; ``folder``'s record of the physical index and the counter made
        the cluster's (the writer may have rebuilt the index since)."""
        from searchkit.engines.opensearch import share

        location = config.require(folder)
        state, shared = share.read(self._cluster(location), location.alias)
        if state is not None and state.index is not None \
                and (state.index, state.commits) != (location.index, location.commits):
            config.write(folder, replace(location, index=state.index, commits=state.commits))
        return shared

    def saved_searches(self, folder: Path) -> "ClusterSavedSearches":
        """The saved searches of the alias ``folder`` writes or follows, in the cluster (``alerts.py``)."""
        from searchkit.engines.opensearch.alerts import ClusterSavedSearches

        location = config.require(folder)
        return ClusterSavedSearches(self._cluster(location), location.alias)

    def commit_token(self, folder: Path) -> str:
        return config.commit_token(folder)

    def open_reader(self, folder: Path) -> "OpenSearchReader":
        from searchkit.engines.opensearch.reader import OpenSearchReader

        return OpenSearchReader(self._cluster(config.require(folder)), folder)

    def open_writer(self, folder: Path) -> "OpenSearchWriter":
        from searchkit.engines.opensearch.meta import check_schema
        from searchkit.engines.opensearch.writer import OpenSearchWriter

        location = config.require(folder)
        _refuse_follower(folder.parent, location)
        cluster = self._cluster(location)
        check_schema(cluster, location, folder, SCHEMA_VERSION)
        return OpenSearchWriter(cluster, folder)

    def publish(self, folder: Path) -> None:
        """Give this generation's index its replicas, wait until every copy is assigned (green), then
        point the alias at it, taking it off the others, in one atomic call."""
        from searchkit.engines.opensearch.meta import check_alias_holders
        from searchkit.engines.opensearch.readiness import make_ready

        location = config.require(folder)
        cluster = self._cluster(location)
        try:
            make_ready(cluster, location)
        except EngineRejectedError:
            with contextlib.suppress(SearchkitError):  # never searched: its space is freed now if it can be
                self.discard(folder)
            raise
        from searchkit.engines.opensearch import lease

        with lease.for_commit(cluster, location.alias, folder.parent) as held:
            held.renew()  # a writer that lost its lease swaps nothing
            holders = check_alias_holders(cluster, location)  # again: it may have changed while loading
            actions = [{"remove": {"index": holder, "alias": location.alias}} for holder in holders]
            actions.append({"add": {"index": location.index, "alias": location.alias}})
            cluster.call("POST", "/_aliases", body={"actions": actions})
            commits = held.advance(location.index, after=config.require(folder).commits)
            config.write(folder, replace(config.require(folder), commits=commits))

    def discard(self, folder: Path) -> None:
        """Delete this generation's physical index (and so its alias, if it still held it)."""
        from searchkit.engines.opensearch.client import Missing

        location = config.read(folder)
        if location is None:
            return
        try:
            self._cluster(location).call("DELETE", f"/{location.index}")
        except Missing:
            pass

    def _cluster(self, location: config.Location) -> "Cluster":
        return self._shared().get(location.url, location.discover)

    def _shared(self) -> "Clusters":
        with self._lock:  # the client library is imported on first use, not when the engine is looked up
            if self._clusters is None:
                from searchkit.engines.opensearch.client import Clusters

                self._clusters = Clusters()
            return self._clusters


def _refuse_follower(index_dir: Path, location: config.Location) -> None:
    if location.follows:
        raise InvalidOptionError(f"index at {index_dir} follows the index name {location.alias} on the "
                                 f"search cluster at {config.shown_urls(location.url)}: it only reads; "
                                 "write from the host that indexes it")
