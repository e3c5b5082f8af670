"""The alias's state document in the cluster's hidden state index, read and marked without a lease.

See :mod:`~searchkit.engines.opensearch.lease` for what the document holds and how the lease is kept in
it, and :mod:`~searchkit.engines.opensearch.share` for what followers read from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from searchkit.engines.opensearch.client import Cluster, Missing, Refused
from searchkit.engines.opensearch.config import STATE_INDEX

__all__ = ["STATE_INDEX", "State", "ensure_state_index", "mark_unsettled", "read_state"]

_STATE_SETTINGS = {"settings": {"index": {"number_of_shards": 1, "auto_expand_replicas": "0-all",
                                          "hidden": True}},
                   "mappings": {"dynamic": False, "properties": {"alias": {"type": "keyword"}}}}


@dataclass(frozen=True)
class State:
    """An alias's state document as read, with what a conditional write of it needs."""

    document: dict[str, Any]
    seq_no: int
    primary_term: int

    @property
    def commits(self) -> int:
        return int(self.document.get("commits") or 0)

    @property
    def index(self) -> Optional[str]:
        index = self.document.get("index")
        return str(index) if index else None

    @property
    def holder(self) -> Optional[dict[str, Any]]:
        lease = self.document.get("lease")
        return lease if isinstance(lease, dict) else None

    def token(self) -> str:
        """What a reader compares to see a new commit: the physical index, the counter, and what was
        last shared for followers (``share.py``)."""
        shared = self.document.get("shared")
        return f"{self.index}#{self.commits}/{shared.get('stamp') if isinstance(shared, dict) else ''}"


def read_state(cluster: Cluster, alias: str) -> Optional[State]:
    """The alias's state document, ``None`` when there is none (or no state index yet)."""
    try:
        answer = cluster.call("GET", f"/{STATE_INDEX}/_doc/{alias}")
    except Missing:
        return None
    if not answer.get("found"):
        return None
    return State(dict(answer["_source"]), int(answer["_seq_no"]), int(answer["_primary_term"]))


def mark_unsettled(cluster: Cluster, alias: str) -> None:
    """Mark the alias's state unsettled (by a writer that lost its lease, and so may have sent documents
    that no commit counted): the next writer to take the lease settles it as after an abandoned one.
    Best effort: the lease is not this writer's any more."""
    for _ in range(5):
        state = read_state(cluster, alias)
        if state is None or state.document.get("unsettled"):
            return
        params = {"if_seq_no": str(state.seq_no), "if_primary_term": str(state.primary_term)}
        try:
            cluster.call("PUT", f"/{STATE_INDEX}/_doc/{alias}", body={**state.document, "unsettled": True},
                         params=params, idempotent=False)
            return
        except Refused as error:
            if error.status != 409:
                return


def ensure_state_index(cluster: Cluster) -> None:
    try:
        cluster.call("PUT", f"/{STATE_INDEX}", body=_STATE_SETTINGS, idempotent=False)
    except Refused as error:
        if "resource_already_exists_exception" not in error.types:
            raise
