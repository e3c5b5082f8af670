"""searchkit, measured the way its users run it.

Full builds and incremental runs go through the CLI (``searchkit index``) in a fresh process; warm queries
call ``Index.search`` in-process; the cold start is the whole ``searchkit query`` process. This module
codes against the planned API (``searchkit.open_index``, ``Index.update/rebuild/search/close``,
``Results.total``, ``Hit.id/headline/date/score/snippet``) and names what is missing when it is not there.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.queries import QuerySpec
from benchmarks.systems import Answer, System, SystemUnavailable, child_env

REQUIRED = ("open_index",)


def query_string(spec: QuerySpec) -> tuple[str, str]:
    """``spec`` in searchkit's query language, and the sort order to ask for."""
    words = spec.words
    dates = f"date:[{spec.since.isoformat()} TO {spec.until.isoformat()}]" if spec.since is not None else ""
    if spec.kind in ("word", "newest", "word_total"):
        text = words[0]
    elif spec.kind == "word_date":
        text = f"{words[0]} {dates}"
    elif spec.kind == "date_range":
        text = dates
    elif spec.kind == "two_words":
        text = f"{words[0]} {words[1]}"
    elif spec.kind == "or":
        text = f"{words[0]} OR {words[1]}"
    elif spec.kind in ("phrase", "phrase_total"):
        text = '"' + " ".join(words) + '"'
    elif spec.kind == "headline":
        text = f"headline:{words[0]}"
    elif spec.kind == "prefix":
        text = f"{words[0]}*"
    else:
        raise ValueError(f"unknown query kind {spec.kind!r}")
    return text, ("newest" if spec.kind == "newest" else "relevance")


def _cli() -> list[str]:
    return [sys.executable, "-m", "searchkit"]


class SearchkitSystem(System):
    name = "searchkit"
    label = "searchkit"
    build_ok = (0, 3)  # 3: indexed, but some seed files were skipped (the run records it)
    cold_ok = (0, 1)   # 1: nothing matched, as grep

    def check_available(self) -> None:
        try:
            import searchkit
        except ImportError as exc:
            raise SystemUnavailable(f"cannot import searchkit: {exc}") from None
        missing = [name for name in REQUIRED if not hasattr(searchkit, name)]
        if missing:
            raise SystemUnavailable(
                f"searchkit has no {', '.join(missing)} yet (its API is still being written); "
                "run with --systems whoosh_plain,sqlite_fts5 to measure the baselines alone"
            )
        probe = subprocess.run([*_cli(), "--help"], capture_output=True, text=True, env=child_env())
        if probe.returncode != 0:
            last = (probe.stderr.strip().splitlines() or ["no output"])[-1]
            raise SystemUnavailable(f"'python -m searchkit --help' failed: {last}")

    def build(self, seeds_dir: Path, index_path: Path, single_process: bool = False) -> dict:
        import searchkit

        ix = searchkit.open_index(index_path, create=True)
        try:
            if single_process:
                ix.rebuild(seeds_dir, procs=1)
            else:
                ix.rebuild(seeds_dir)
        finally:
            ix.close()
        return {}

    def build_command(self, seeds_dir: Path, index_path: Path) -> list[str]:
        return [*_cli(), "index", "--seeds", str(seeds_dir), "--index", str(index_path), "--rebuild"]

    def update_command(self, seeds_dir: Path, index_path: Path) -> list[str]:
        return [*_cli(), "index", "--seeds", str(seeds_dir), "--index", str(index_path)]

    def cold_command(self, index_path: Path, word: str) -> list[str]:
        return [*_cli(), "query", word, "--index", str(index_path), "--limit", "10"]

    def open(self, index_path: Path, snippets: bool = False) -> None:
        import searchkit

        self._ix = searchkit.open_index(index_path)
        self._snippets = snippets

    def count(self, query: str) -> int:
        """The exact number of matches for ``query`` (used to check the incremental run)."""
        return self._ix.search(query, limit=1).total

    def run_query(self, spec: QuerySpec) -> Answer:
        text, sort = query_string(spec)
        try:
            results = self._ix.search(text, limit=10, sort=sort, snippets=self._snippets, collapse=False)
            if self._snippets:
                fetched = [(h.id, h.headline, h.date, h.score, h.snippet) for h in results]
            else:
                fetched = [(h.id, h.headline, h.date, h.score) for h in results]
            total = results.total
        except AttributeError as exc:
            raise SystemUnavailable(
                f"searchkit's search results do not match the planned API: {exc}"
            ) from exc
        return Answer(hits=len(fetched), total=total)

    def close(self) -> None:
        self._ix.close()
