"""searchkit on its Tantivy engine (``pip install 'searchkit[fast]'``), measured exactly as searchkit on
Whoosh is: the same CLI, the same queries, the engine chosen once at the full build."""

from __future__ import annotations

from pathlib import Path

from benchmarks.systems import SystemUnavailable
from benchmarks.systems.searchkit_system import SearchkitSystem


class SearchkitTantivy(SearchkitSystem):
    name = "searchkit_tantivy"
    label = "searchkit (Tantivy)"

    def check_available(self) -> None:
        super().check_available()
        try:
            import tantivy  # noqa: F401 - only whether it imports
        except ImportError:
            raise SystemUnavailable("the Tantivy engine is not installed: "
                                    "pip install 'searchkit[fast]'") from None

    def build(self, seeds_dir: Path, index_path: Path, single_process: bool = False) -> dict:
        import searchkit

        ix = searchkit.Index(index_path, engine="tantivy")
        try:
            ix.rebuild(seeds_dir)
        finally:
            ix.close()
        return {}

    def build_command(self, seeds_dir: Path, index_path: Path) -> list[str]:
        return [*super().build_command(seeds_dir, index_path), "--engine", "tantivy"]
