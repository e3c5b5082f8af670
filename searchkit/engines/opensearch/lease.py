"""The writer's lease and the commit counter, kept in the cluster itself.

One hidden index, ``searchkit-state`` (:data:`~searchkit.engines.opensearch.config.STATE_INDEX`: one
shard, a copy on every node), holds one state document per alias, its ``_id`` the alias::

    {"alias": "news", "index": "news-gen-000002-1a2b3c4d", "commits": 12,
     "lease": {"token": ..., "host": "ingest1", "pid": 4242, "folder": "/srv/index", "purpose": "update",
               "since": "...", "until": "...", "until_epoch": 1765155600.0} or null,
     "stamp": ...}

One index for every alias rather than one per alias: a state document is tiny, and every index costs the
cluster a shard. Every change is optimistic: a free lease is taken with ``op_type=create`` (no document
yet) or ``if_seq_no``/``if_primary_term`` of the document read; so are the renewals, the commit counter
and the release. Two writers racing for one lease: one write wins, the other gets a conflict, reads the
document again and finds it held. ``stamp`` (random per write) tells a write that reached the cluster
before its answer was lost from another writer's.

A lease runs :data:`LEASE_VARIABLE` seconds (default 60) and is renewed from a thread every third of
that. A lease not renewed in time has expired (its writer died, or hangs) and may be taken; so may, at
once, one whose holder is a process on this host that no longer runs. The writer that takes over an
abandoned lease first refreshes the index and counts a commit: what the dead writer sent becomes
visible, the counter moves, and each host's manifest (which then no longer matches) is made again from
the cluster, so the next update converges. A writer whose lease was taken from it cannot advance the
counter (:class:`WriterLeaseLostError`), and commits nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator, Optional

from searchkit.engines.opensearch import config
from searchkit.engines.opensearch.client import Cluster, Missing, Refused
from searchkit.engines.opensearch.state import STATE_INDEX, State, ensure_state_index, read_state
from searchkit.errors import InvalidOptionError, SearchkitError, WriterLeaseHeldError, WriterLeaseLostError

LEASE_VARIABLE = "SEARCHKIT_OPENSEARCH_LEASE_SECONDS"
DEFAULT_LEASE_SECONDS = 60.0
#: How often a waiting writer looks at the lease again.
POLL_SECONDS = 0.5
#: The leases this process holds, by (cluster, alias): an engine writer commits under the one the
#: ``Index`` took for the whole write.
_HELD: dict[tuple[str, str], "Lease"] = {}
_HELD_LOCK = threading.Lock()


def lease_seconds() -> float:
    text = os.environ.get(LEASE_VARIABLE, "").strip()
    if not text:
        return DEFAULT_LEASE_SECONDS
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise InvalidOptionError(f"{LEASE_VARIABLE} must be a number of seconds > 0, not {text!r}")
    return value


def describe(holder: dict[str, Any]) -> str:
    """A lease holder as "process 123 on host (update of /srv/index, since ..., until ...)"."""
    return (f"process {holder.get('pid', '?')} on {holder.get('host', '?')} "
            f"({holder.get('purpose', 'index')} of {holder.get('folder', '?')}, "
            f"since {holder.get('since', '?')}, lease until {holder.get('until', '?')})")


class Lease:
    """This process's claim to write ``alias`` on ``cluster``; see the module docstring."""

    def __init__(self, cluster: Cluster, alias: str, *, purpose: str, folder: Path,
                 seconds: Optional[float] = None) -> None:
        self.cluster = cluster
        self.alias = alias
        self.purpose = purpose
        self.folder = folder
        self.seconds = seconds if seconds is not None else lease_seconds()
        self.token = secrets.token_hex(8)
        #: Whether the lease taken was left by a writer that never released it.
        self.abandoned = False
        self.lost_to: Optional[str] = None
        self._state: Optional[State] = None
        self._since = _now()
        self._lock = threading.Lock()  # one conditional write at a time: the renewer and the committer
        self._stop = threading.Event()
        self._renewer: Optional[threading.Thread] = None

    # --- taking and giving back ------------------------------------------------------------------

    def take(self, wait: float) -> State:
        """Take the lease, waiting up to ``wait`` seconds; :class:`WriterLeaseHeldError` naming the
        holder when it stays held."""
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            state = read_state(self.cluster, self.alias)
            if state is None:
                ensure_state_index(self.cluster)  # the first writer of any alias on this cluster makes it
            holder = state.holder if state is not None else None
            if holder is None or self._may_take(holder):
                document = dict(state.document) if state is not None else {"alias": self.alias, "commits": 0}
                with self._lock:
                    if self._put(document, state, self._record()):
                        self.abandoned = holder is not None
                        assert self._state is not None
                        return self._state
                continue  # another writer got there first: look again
            if time.monotonic() >= deadline:
                raise WriterLeaseHeldError(self.folder, self.cluster.url, self.alias, describe(holder), wait)
            time.sleep(POLL_SECONDS)

    def release(self) -> None:
        """Give the lease back (the counter stays); nothing to do once it was lost."""
        self.stop()
        with self._lock:
            for _ in range(3):
                state = self._state
                if state is None or self.lost_to is not None:
                    return
                document = dict(state.document)
                document["previous"] = document.pop("lease", None)  # who wrote last, for WriterLeaseLostError
                try:
                    if self._put(document, state, None) or not self._reread():
                        return
                except SearchkitError:  # refused or unreachable: it expires on its own
                    return

    def start(self) -> None:
        """Renew the lease from a thread every third of its length until :meth:`stop`."""
        self._renewer = threading.Thread(target=self._renew_loop, name=f"searchkit-lease-{self.alias}",
                                         daemon=True)
        self._renewer.start()

    def stop(self) -> None:
        self._stop.set()
        if self._renewer is not None and self._renewer is not threading.current_thread():
            self._renewer.join()
        self._renewer = None

    @property
    def state(self) -> State:
        """The state document as this lease last wrote or read it."""
        assert self._state is not None, "the lease was not taken"
        return self._state

    # --- while writing ---------------------------------------------------------------------------

    def renew(self) -> None:
        """Extend the lease; :class:`WriterLeaseLostError` when another writer has it now."""
        with self._lock:
            self._change(lambda document: None)

    def advance(self, index: Optional[str] = None, *, after: int = 0, settled: bool = False) -> int:
        """Count one more commit, past ``after`` too (the generation's own count: a token never comes
        back); with ``index``, point the state at that physical index (the alias was just swapped to
        it); with ``settled``, clear the unsettled mark (``state.mark_unsettled``). Returns the new
        counter."""
        def bump(document: dict[str, Any]) -> None:
            document["commits"] = max(int(document.get("commits") or 0), after) + 1
            if index is not None:
                document["index"] = index
            if settled:
                document.pop("unsettled", None)

        with self._lock:
            return self._change(bump).commits

    def record_shared(self, shared: dict[str, Any]) -> None:
        """Point the state at what was just published for followers (``share.py``)."""
        with self._lock:
            self._change(lambda document: document.__setitem__("shared", shared))

    def adopt(self, index: str, commits: int) -> State:
        """Record ``index`` and ``commits`` when the state has no index yet (an alias written before the
        state was kept in the cluster); the state as it is now."""
        def fill(document: dict[str, Any]) -> None:
            document["index"] = index
            document["commits"] = max(commits, int(document.get("commits") or 0))

        with self._lock:
            assert self._state is not None
            return self._state if self._state.index else self._change(fill)

    # -----------------------------------------------------------------------------------------------

    def _change(self, edit: Any) -> State:
        while True:
            state = self._state
            if self.lost_to is not None or state is None:
                raise WriterLeaseLostError(self.cluster.url, self.alias, self.lost_to or "another writer")
            document = dict(state.document)
            edit(document)
            if self._put(document, state, self._record()):
                assert self._state is not None
                return self._state
            if not self._reread():
                raise WriterLeaseLostError(self.cluster.url, self.alias, self.lost_to or "another writer")

    def _reread(self) -> bool:
        """After a conflict: read the state again; False (and ``lost_to`` set) when the lease is not
        ours any more."""
        state = read_state(self.cluster, self.alias)
        holder = state.holder if state is not None else None
        if state is None or holder is None or holder.get("token") != self.token:
            taker = holder or (state.document.get("previous") if state is not None else None)
            self.lost_to = describe(taker) if isinstance(taker, dict) else "another writer"
            return False
        self._state = state
        return True

    def _put(self, document: dict[str, Any], state: Optional[State], lease: Optional[dict[str, Any]]) -> bool:
        """Write ``document`` with ``lease`` if the stored one is still ``state``; False on a conflict.
        A write whose answer was lost is recognised by its stamp."""
        stamp = secrets.token_hex(8)
        body = {**document, "lease": lease, "stamp": stamp, "updated": _iso(_now())}
        params = {"op_type": "create"} if state is None else {"if_seq_no": str(state.seq_no),
                                                              "if_primary_term": str(state.primary_term)}
        try:
            answer = self.cluster.call("PUT", f"/{STATE_INDEX}/_doc/{self.alias}", body=body, params=params,
                                       idempotent=False)
        except Refused as error:
            if error.status != 409:
                raise
            again = read_state(self.cluster, self.alias)
            if again is None or again.document.get("stamp") != stamp:
                return False
            self._state = again  # ours arrived; only its answer was lost
            return True
        self._state = State(body, int(answer["_seq_no"]), int(answer["_primary_term"]))
        return True

    def _record(self) -> dict[str, Any]:
        until = _now() + dt.timedelta(seconds=self.seconds)
        return {"token": self.token, "host": _host(), "pid": os.getpid(), "folder": str(self.folder),
                "purpose": self.purpose, "since": _iso(self._since), "until": _iso(until),
                "until_epoch": until.timestamp()}

    def _may_take(self, holder: dict[str, Any]) -> bool:
        if float(holder.get("until_epoch") or 0) < time.time():
            return True  # expired: its writer died or stopped renewing
        if holder.get("host") != _host():
            return False
        pid = int(holder.get("pid") or 0)
        if pid == os.getpid():  # left by this process (a write that could not give it back)
            with _HELD_LOCK:
                return all(lease.token != holder.get("token") for lease in _HELD.values())
        return not _alive(pid)

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            try:
                self.renew()
            except WriterLeaseLostError:
                return
            except Exception:  # noqa: BLE001 (a cluster briefly unreachable: the next round tries again)
                continue


@contextmanager
def held(cluster: Cluster, alias: str, *, purpose: str, folder: Path, wait: float) -> Iterator[Lease]:
    """This process's lease of ``alias``: the one it already holds, else taken (and renewed) for the
    block and released after."""
    key = (cluster.url, alias)
    with _HELD_LOCK:
        existing = _HELD.get(key)
    if existing is not None:
        yield existing
        return
    lease = Lease(cluster, alias, purpose=purpose, folder=folder)
    lease.take(wait)
    with _HELD_LOCK:
        _HELD[key] = lease
    lease.start()
    try:
        yield lease
    finally:
        with _HELD_LOCK:
            _HELD.pop(key, None)
        lease.release()


@contextmanager
def for_commit(cluster: Cluster, alias: str, folder: Path) -> Iterator[Lease]:
    """The lease a commit of ``alias`` is made under: the one this process holds for the whole write,
    else (an engine writer used on its own) one taken for the commit alone, not waited for."""
    existing = current(cluster, alias)
    if existing is not None:
        yield existing
        return
    with held(cluster, alias, purpose="commit", folder=folder, wait=0.0) as taken:
        yield taken


def settle(lease: Lease, folder: Optional[Path]) -> None:
    """Just after ``lease`` was taken for a write to the live generation ``folder`` (``None``: no index
    yet): record the alias's physical index in a state that has none yet (written before the state was
    kept in the cluster); after an abandoned lease, refresh the index and count a commit (what the dead
    writer sent becomes visible, and manifests no longer match), and so after a writer that lost its
    lease marked the state unsettled; then make the generation's record of
    the index and the counter the cluster's (another host may have written or rebuilt it since)."""
    location = config.read(folder) if folder is not None else None
    if location is not None and (location.alias, config.split_urls(location.url)) != (lease.alias,
                                                                                     lease.cluster.urls):
        location = None  # the write goes elsewhere (a rebuild onto another alias or cluster)
    state = lease.state
    if state.index is None and location is not None:
        state = lease.adopt(location.index, location.commits)
    if (lease.abandoned or state.document.get("unsettled")) and state.index is not None:
        try:
            lease.cluster.call("POST", f"/{state.index}/_refresh")
        except Missing:  # the physical index went (a rebuild elsewhere that the writer was swapping)
            pass
        lease.advance(settled=True)
        state = lease.state
    if location is not None and folder is not None and state.index is not None \
            and (state.index, state.commits) != (location.index, location.commits):
        config.write(folder, replace(location, index=state.index, commits=state.commits))


def current(cluster: Cluster, alias: str) -> Optional[Lease]:
    """The lease of ``alias`` this process holds, if any."""
    with _HELD_LOCK:
        return _HELD.get((cluster.url, alias))


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _host() -> str:
    return socket.gethostname()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
