"""The index folder and the ``Index`` facade over it.

    facade.py      Index, open_index: the one object an application holds
    stats.py       Stats: facts about an index    story_reads.py  duplicates, a story's versions
    request.py     what a caller passes to Index.search -> a SearchRequest for the engine
    searching.py   the one search path: a request and an engine reader -> Results
    readers.py     one engine reader per thread, reopened on new commits, retried on damage
    updating.py    writes: plans from the manifest, one commit, rebuilds, library articles
    generations.py gen-N folders + CURRENT, each naming its engine
    storage.py     files on disk   manifest.py  the seed files' bookkeeping   lock.py  one writer

This ``__init__`` imports nothing: a process that only searches never loads the writing modules.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # `from searchkit.index import Index` kept working when index.py became this package.
    if name in ("Index", "Stats", "open_index"):
        from searchkit.index import facade

        return getattr(facade, name)  # Stats too: the facade imports it
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
