"""What hosts that only read need besides the articles, published by the writer in the state index.

The alias's state document (:mod:`~searchkit.engines.opensearch.lease`) carries ``shared``: the commit it
was published after, the schema version, the default language, and where the story labels are. The
labels (every article with near-duplicates and its story) can be many, so they are kept in documents of
their own beside it, :data:`PART_SIZE` labels each, named after the publication (``<alias>~<stamp>~<n>``):
a follower reads the state document, then exactly the parts it names; a newer publication writes new
parts before it points the state at them, and deletes the old ones after, so a follower that read a state
whose parts are already gone reads the state again.
"""

from __future__ import annotations

import secrets
from typing import Any, Optional

from searchkit.engines.opensearch.client import Cluster, Missing, Refused
from searchkit.engines.opensearch.config import STATE_INDEX
from searchkit.engines.opensearch.lease import Lease
from searchkit.engines.opensearch.state import State, read_state
from searchkit.engines.remote import SharedState

#: Story labels per part document.
PART_SIZE = 20_000
_READ_TRIES = 5


def publish(cluster: Cluster, lease: Lease, state: SharedState) -> None:
    """Publish ``state`` for ``lease``'s alias (the lease is held)."""
    alias = lease.alias
    stamp = secrets.token_hex(6)
    ordered = sorted(state.labels.items())
    parts = [ordered[start:start + PART_SIZE] for start in range(0, len(ordered), PART_SIZE)]
    for number, part in enumerate(parts):
        cluster.call("PUT", f"/{STATE_INDEX}/_doc/{_part_id(alias, stamp, number)}",
                     body={"alias": alias, "ids": [i for i, _ in part], "stories": [s for _, s in part]},
                     idempotent=True)  # the same document again, whatever the first answer was
    before = lease.state.document.get("shared")
    lease.record_shared({"commit": state.commit, "schema_version": state.schema_version,
                         "language": state.language, "stamp": stamp, "parts": len(parts)})
    if isinstance(before, dict):
        for number in range(int(before.get("parts") or 0)):
            try:
                cluster.call("DELETE", f"/{STATE_INDEX}/_doc/{_part_id(alias, str(before['stamp']), number)}")
            except Refused:  # already gone, or left for the next publication's reader to skip
                pass


def read(cluster: Cluster, alias: str) -> tuple[Optional[State], Optional[SharedState]]:
    """The alias's state document and what it shares (``None`` for either when there is none)."""
    for _ in range(_READ_TRIES):
        state = read_state(cluster, alias)
        shared = state.document.get("shared") if state is not None else None
        if state is None or not isinstance(shared, dict):
            return state, None
        labels = _labels(cluster, alias, shared)
        if labels is None:
            continue  # republished meanwhile: its parts are new
        language = shared.get("language")
        return state, SharedState(commit=str(shared["commit"]), schema_version=int(shared["schema_version"]),
                                  language=str(language) if language else None, labels=labels)
    return state, None


def _labels(cluster: Cluster, alias: str, shared: dict[str, Any]) -> Optional[dict[str, int]]:
    ids = [_part_id(alias, str(shared["stamp"]), number) for number in range(int(shared.get("parts") or 0))]
    if not ids:
        return {}
    try:
        answer = cluster.call("POST", f"/{STATE_INDEX}/_mget", body={"ids": ids})
    except Missing:
        return None
    labels: dict[str, int] = {}
    for document in answer["docs"]:
        if not document.get("found"):
            return None
        source = document["_source"]
        labels.update(zip(source["ids"], map(int, source["stories"]), strict=True))
    return labels


def _part_id(alias: str, stamp: str, number: int) -> str:
    return f"{alias}~{stamp}~{number}"
