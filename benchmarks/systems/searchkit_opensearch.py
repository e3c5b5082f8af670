"""searchkit on its OpenSearch engine (``pip install 'searchkit[opensearch]'``), against the cluster named
by ``SEARCHKIT_OPENSEARCH_URL`` (``tests/cluster/run up``), measured exactly as searchkit on Whoosh is:
the same CLI, the same queries, the engine chosen once at the full build.

Every warm query is an HTTP round trip (two for a prefix: its words are listed first; relevance sorts run
``dfs_query_then_fetch``, one more phase per shard). The build's peak memory and CPU time are the client
process's only: the cluster's JVMs are not counted. The index size is the cluster's store, primaries and
replicas together.
"""

from __future__ import annotations

import os
from pathlib import Path

from benchmarks.systems import SystemUnavailable
from benchmarks.systems.searchkit_system import SearchkitSystem

INDEX_NAME = "searchkit-benchmark"


class SearchkitOpenSearch(SearchkitSystem):
    name = "searchkit_opensearch"
    label = "searchkit (OpenSearch)"

    def check_available(self) -> None:
        super().check_available()
        try:
            import opensearchpy  # noqa: F401 - only whether it imports
        except ImportError:
            raise SystemUnavailable("the OpenSearch engine is not installed: "
                                    "pip install 'searchkit[opensearch]'") from None
        if not os.environ.get("SEARCHKIT_OPENSEARCH_URL"):
            raise SystemUnavailable("no cluster: set SEARCHKIT_OPENSEARCH_URL "
                                    "(tests/cluster/run up starts one)")

    def build(self, seeds_dir: Path, index_path: Path, single_process: bool = False) -> dict:
        import searchkit

        ix = searchkit.Index(index_path, engine="opensearch", engine_options={"index_name": INDEX_NAME})
        try:
            ix.rebuild(seeds_dir)
        finally:
            ix.close()
        return {}

    def build_command(self, seeds_dir: Path, index_path: Path) -> list[str]:
        return [*super().build_command(seeds_dir, index_path), "--engine", "opensearch",
                "--index-name", INDEX_NAME]

    def index_bytes(self, index_path: Path) -> int:
        import searchkit

        with searchkit.open_index(index_path) as ix:
            return ix.stats().size_bytes
