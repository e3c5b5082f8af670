"""Before a new physical index takes the alias: its replicas, and every copy of every shard assigned.

A generation's index is created and loaded with no replicas, so a rebuild indexes each document once
rather than on every copy (OpenSearch's own bulk-loading advice). :func:`make_ready` then asks for the
recorded replica count, waits for the index to turn green (the replicas copied from the primaries) and
refreshes it; only then does the engine move the alias. When green cannot come (too few nodes for the
replicas, or copies that stay unassigned: a node down) it raises, and the alias stays where it was.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from searchkit.engines.opensearch.client import Cluster, Refused
from searchkit.engines.opensearch.config import REPLICAS_VARIABLE, Location
from searchkit.errors import EngineRejectedError

#: Seconds one health request waits for green (well under the client's request timeout).
WAIT_SECONDS = 20
#: Longest wait for green in all: copying the replicas of a large index takes a while.
MOST_SECONDS = 1800.0
#: Health answers in a row with copies unassigned and none being copied before giving up.
STALLED_ANSWERS = 2


def make_ready(cluster: Cluster, location: Location, clock: Callable[[], float] = time.monotonic) -> None:
    """Give ``location.index`` its replicas and wait for green, then refresh it (see the module)."""
    index = location.index
    nodes = int(cluster.call("GET", "/_cluster/health").get("number_of_data_nodes", 0) or 0)
    if location.replicas + 1 > nodes:
        raise EngineRejectedError(
            cluster.url, None, f"the index {index} wants {location.replicas} replica(s) of each shard, which "
            f"needs {location.replicas + 1} data nodes; the cluster has {nodes} ({REPLICAS_VARIABLE} or the "
            f"replicas option sets fewer); the alias {location.alias} was not moved")
    settings = cluster.call("GET", f"/{index}/_settings/index.number_of_replicas")
    current = int(settings[index]["settings"]["index"]["number_of_replicas"])
    if current != location.replicas:
        cluster.call("PUT", f"/{index}/_settings", body={"index": {"number_of_replicas": location.replicas}},
                     idempotent=True)
    _wait_for_green(cluster, location, clock)
    cluster.call("POST", f"/{index}/_refresh")


def _wait_for_green(cluster: Cluster, location: Location, clock: Callable[[], float]) -> None:
    deadline = clock() + MOST_SECONDS
    stalled = 0
    while True:
        health = _health(cluster, location.index)
        if health.get("status") == "green":
            return
        copying = int(health.get("initializing_shards", 0)) + int(health.get("relocating_shards", 0))
        stalled = 0 if copying else stalled + 1
        if stalled >= STALLED_ANSWERS or clock() > deadline:
            unassigned = int(health.get("unassigned_shards", 0))
            raise EngineRejectedError(cluster.url, None, f"the index {location.index} did not turn green "
                                      f"({unassigned} shard copies unassigned: a node down?); the alias "
                                      f"{location.alias} was not moved, run the rebuild again")


def _health(cluster: Cluster, index: str) -> Any:
    path = f"/_cluster/health/{index}"
    try:  # the wait in the path: the client takes a "timeout" parameter as its own request timeout
        return cluster.call("GET", f"{path}?wait_for_status=green&timeout={WAIT_SECONDS}s")
    except Refused as error:  # 408: not green within the wait; the answer is the health all the same
        if error.status != 408:
            raise
        return cluster.call("GET", path)
