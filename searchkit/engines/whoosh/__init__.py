"""The Whoosh engine (the default): ``whoosh`` is imported only inside this package.

This module is the engine's front door and stays light: commands that find nothing to do (a no-change
``searchkit index``) ask :meth:`WhooshEngine.commit_token` and never load Whoosh. The parts, one job each:

    analysis.py   words, case, accents, stems          schema.py    fields <-> Article
    store.py      open, create, write, commit          parallel.py  worker processes writing segments
    compile.py    query tree -> Whoosh query           queries.py   searchkit's own Whoosh query classes
    evaluate.py   term-at-a-time scoring, top N        postings.py  block-wise posting reads
    columns.py    length and date columns, per segment highlight.py snippets
    suggest.py    did you mean                         verify.py    is this index damaged?
    reader.py     the EngineReader                     writer.py    the EngineWriter
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from searchkit.engines.base import ALL_CAPABILITIES, LocalEngine
from searchkit.errors import EngineNotAvailableError

if TYPE_CHECKING:
    from searchkit.engines.whoosh.reader import WhooshReader
    from searchkit.engines.whoosh.writer import WhooshWriter

#: Bumped whenever the schema or the analysis changes: older indexes then ask for a rebuild.
# 3: the id in a column too (collapsing tells which of many articles match by it); 4: U.S. indexed as us;
# 5: each article's language, its words analysed in it; 6: undetected articles in "und", and stop words
# left out of the words of 13 languages
SCHEMA_VERSION = 6

_TOC_NAME = re.compile(r"_MAIN_(\d+)\.toc\Z")


class WhooshEngine(LocalEngine):
    """Whoosh, with searchkit's analysis and term-at-a-time evaluation; files in the generation folder."""

    name = "whoosh"
    schema_version = SCHEMA_VERSION
    capabilities = ALL_CAPABILITIES

    def __init__(self) -> None:
        if importlib.util.find_spec("whoosh") is None:  # looked up, not imported: start-up stays lean
            raise EngineNotAvailableError(self.name, "pip install 'whoosh-reloaded>=2.7.5,<2.8'")

    def create(self, folder: Path) -> None:
        from searchkit.engines.whoosh import store

        store.create(folder)

    def commit_token(self, folder: Path) -> str:
        """The number of Whoosh's latest ``_MAIN_N.toc`` in ``folder``, read from file names."""
        try:
            names = os.listdir(folder)
        except OSError:
            return ""
        numbers = [int(match.group(1)) for match in map(_TOC_NAME.match, names) if match]
        return str(max(numbers)) if numbers else ""

    def open_reader(self, folder: Path) -> "WhooshReader":
        from searchkit.engines.whoosh.reader import WhooshReader

        return WhooshReader(folder)

    def open_writer(self, folder: Path) -> "WhooshWriter":
        from searchkit.engines.whoosh.writer import WhooshWriter

        return WhooshWriter(folder)



def __getattr__(name: str) -> Any:
    # Indexes written before the engine became a package pickled their schema naming
    # searchkit.engines.whoosh.NewsAnalyzer and .FusedPositions: resolve those names on demand.
    if name in ("NewsAnalyzer", "FusedPositions"):
        from searchkit.engines.whoosh import analysis

        return getattr(analysis, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
