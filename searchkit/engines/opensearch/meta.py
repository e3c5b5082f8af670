"""What a physical index says about itself: searchkit's ``_meta`` in its mapping.

Each physical index searchkit creates carries ``_meta.searchkit``: the schema version, the alias it was
made for, its shard and replica counts. So the cluster itself tells a searchkit index from another one:

- a writer opening an index whose ``_meta`` names another schema version raises
  :class:`~searchkit.errors.IndexVersionError` (asks for ``--rebuild``), as a local index would;
- the alias is moved only off indexes searchkit made (its ``_meta``, or the mapping of an index made
  before ``_meta`` was written); an alias that points at any other index is refused, never overwritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from searchkit.engines.opensearch.client import Cluster, Missing
from searchkit.engines.opensearch.config import Location
from searchkit.errors import EngineRejectedError, IndexVersionError

KEY = "searchkit"
#: Fields only searchkit's own mapping has: how an index made before ``_meta`` is still known as ours.
OWN_FIELDS = ("headline_words", "body_words", "fingerprint")


def meta(location: Location, schema_version: int) -> dict[str, Any]:
    """The ``_meta`` of a new physical index."""
    return {KEY: {"schema_version": schema_version, "alias": location.alias, "shards": location.shards,
                  "replicas": location.replicas}}


def _mapping(cluster: Cluster, index: str) -> dict[str, Any]:
    answer = cluster.call("GET", f"/{index}/_mapping")
    entry: dict[str, Any] = answer.get(index) or next(iter(answer.values()), None) or {}
    mapping: dict[str, Any] = entry.get("mappings") or {}
    return mapping


def made_by_searchkit(mapping: dict[str, Any]) -> bool:
    properties = mapping.get("properties") or {}
    return KEY in (mapping.get("_meta") or {}) or all(field in properties for field in OWN_FIELDS)


def schema_version_of(mapping: dict[str, Any]) -> Optional[int]:
    found = ((mapping.get("_meta") or {}).get(KEY) or {}).get("schema_version")
    return int(found) if isinstance(found, int) else None


def check_schema(cluster: Cluster, location: Location, folder: Path, schema_version: int) -> None:
    """:class:`IndexVersionError` when the index's ``_meta`` names another schema version."""
    found = schema_version_of(_mapping(cluster, location.index))
    if found is not None and found != schema_version:
        raise IndexVersionError(folder.parent, found, schema_version)


def check_alias_holders(cluster: Cluster, location: Location) -> list[str]:
    """The indexes the alias points at now (besides ``location.index``); refused when one of them was
    not made by searchkit."""
    try:
        answer = cluster.call("GET", f"/_alias/{location.alias}")
        holders = [name for name in answer if name != location.index]
    except Missing:
        return []
    for holder in holders:
        if not made_by_searchkit(_mapping(cluster, holder)):
            raise EngineRejectedError(cluster.url, None, f"the alias {location.alias} points at the index "
                                      f"{holder}, which searchkit did not make; it is not moved (choose "
                                      "another --index-name)")
    return holders
