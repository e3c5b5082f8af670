"""The systems under test, behind one small interface.

Each module defines a :class:`System` subclass. A system builds an index from a seeds folder (in-process,
for the build worker and the profiler), names the command a user would run for a full build and for a
one-off query (both timed in a fresh process), and answers warm queries in-process after :meth:`open`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks.queries import QuerySpec

REPO_ROOT = Path(__file__).resolve().parents[2]


class SystemUnavailable(RuntimeError):
    """The system cannot be measured here (a library or API piece is missing); the message says why."""


@dataclass(frozen=True)
class Answer:
    """What a warm query returned: how many hits were fetched, and the exact total when it was asked for."""

    hits: int
    total: int | None = None


def child_env() -> dict[str, str]:
    """The environment for child processes: the repo root importable, so ``-m searchkit`` and
    ``-m benchmarks.worker`` work whether or not searchkit is installed.

    Bytecode caching is left on even where the caller turned it off (``PYTHONDONTWRITEBYTECODE``):
    the installed baselines come with compiled ``.pyc`` files, and without them a cold start of this
    uninstalled checkout would pay for compiling its own source on every run.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH")) if p)
    return env


class System:
    name: str = ""
    label: str = ""
    #: Exit statuses that mean success for the build command and for the cold query command.
    build_ok: tuple[int, ...] = (0,)
    cold_ok: tuple[int, ...] = (0,)

    def check_available(self) -> None:
        """Raise :class:`SystemUnavailable` when the system cannot run here."""

    def index_path(self, work_dir: Path) -> Path:
        """Where this system's index lives under ``work_dir``."""
        return work_dir / self.name

    def build(self, seeds_dir: Path, index_path: Path, single_process: bool = False) -> dict:
        """Build a fresh index in-process; returns counts (``docs``, ``skipped``). ``single_process``
        keeps all the work in this process (for the profiler) where the system would spread it."""
        raise NotImplementedError

    def index_bytes(self, index_path: Path) -> int:
        """What the built index takes (on disk here; a remote engine says what it takes there)."""
        from benchmarks.measure import disk_size

        return disk_size(index_path)

    def build_command(self, seeds_dir: Path, index_path: Path) -> list[str]:
        """The command timed for a full build; by default :meth:`build` in a fresh worker process."""
        return [
            sys.executable, "-m", "benchmarks.worker", "build", self.name, str(seeds_dir), str(index_path)
        ]

    def cold_command(self, index_path: Path, word: str) -> list[str]:
        """A whole process that opens the index, searches ``word`` and prints the top 10."""
        raise NotImplementedError

    def open(self, index_path: Path, snippets: bool = False) -> None:
        raise NotImplementedError

    def run_query(self, spec: QuerySpec) -> Answer:
        """Run one warm query: top 10, with stored fields (or snippets) loaded."""
        raise NotImplementedError

    def close(self) -> None:
        pass


def get_system(name: str) -> System:
    if name == "searchkit":
        from benchmarks.systems.searchkit_system import SearchkitSystem
        return SearchkitSystem()
    if name == "searchkit_tantivy":
        from benchmarks.systems.searchkit_tantivy import SearchkitTantivy
        return SearchkitTantivy()
    if name == "searchkit_opensearch":
        from benchmarks.systems.searchkit_opensearch import SearchkitOpenSearch
        return SearchkitOpenSearch()
    if name == "tantivy_raw":
        from benchmarks.systems.tantivy_raw import TantivyRaw
        return TantivyRaw()
    if name == "whoosh_plain":
        from benchmarks.systems.whoosh_plain import WhooshPlain
        return WhooshPlain()
    if name == "sqlite_fts5":
        from benchmarks.systems.sqlite_fts5 import SqliteFts5
        return SqliteFts5()
    raise ValueError(f"unknown system {name!r}; expected one of {', '.join(SYSTEM_NAMES)}")


#: Systems in report order; searchkit first, then the baselines it is compared with.
SYSTEM_NAMES = ("searchkit", "searchkit_tantivy", "searchkit_opensearch", "whoosh_plain", "sqlite_fts5",
                "tantivy_raw")
#: Systems left out of a default run, with a note, when they are not installed here (or, for OpenSearch,
#: when no cluster is named).
OPTIONAL = ("searchkit_tantivy", "searchkit_opensearch", "tantivy_raw")
BASELINES = ("whoosh_plain", "sqlite_fts5")
