"""The Tantivy engine (``pip install 'searchkit[fast]'``): ``tantivy`` is imported only inside this package.

Tantivy (Rust, through the official bindings) stores, matches and ranks; searchkit's own analysis
(:mod:`searchkit.text.analysis`) decides the words, handed over already analysed, so a word finds exactly the
articles it finds on Whoosh. This module stays light: the commit token is read from ``meta.json`` without
loading Tantivy. The parts:

    schema.py   fields <-> Article          compile.py  query tree -> Tantivy query (+ its description)
    reader.py   the EngineReader            writer.py   the EngineWriter
    verify.py   is this index damaged?      suggest.py  did you mean
    stories.py  the labelled articles again, with their stories (for collapsing)
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Collection, Mapping, Optional

from searchkit.engines.base import ALL_CAPABILITIES, LocalEngine, Progress
from searchkit.engines.files import read_small_file
from searchkit.errors import EngineNotAvailableError

try:  # BLAKE2 itself: hashlib loads OpenSSL first, a cost on every cold query's start
    from _blake2 import blake2b
except ImportError:  # a Python built without its own BLAKE2
    from hashlib import blake2b

if TYPE_CHECKING:
    from searchkit.engines.tantivy.reader import TantivyReader
    from searchkit.engines.tantivy.writer import TantivyWriter

#: Bumped whenever the schema or the analysis changes: older indexes then ask for a rebuild.
SCHEMA_VERSION = 5  # 2: each article's id hash in a fast column (KEY_FIELD); 3: U.S. indexed as us;
# 4: each article's language (LANGUAGE_FIELD), its words analysed in it; 5: undetected articles in "und",
# and stop words left out of the words of 13 languages
META_FILE = "meta.json"
#: The copy of the stories (``stories.py``), and the file in it naming the commit it is for.
STORIES_FOLDER, STORIES_FOR_FILE = "stories-index", "FOR"
#: Written in STORIES_FOR_FILE before the commit; a copy in another format is made again.
STORIES_FORMAT = "copy-3"  # 2: each article's id hash in KEY_FIELD; 3: a whole-story document per story


def commit_token(folder: Path) -> str:
    """A digest of Tantivy's ``meta.json`` (rewritten atomically by every commit), "" when absent.

    Not the opstamp alone: a fresh index starts counting again, and an empty commit changes it too.
    """
    data = commit_record(folder)
    return token_of(data) if data is not None else ""


def token_of(record: bytes) -> str:
    """The commit token of a ``meta.json`` as :func:`commit_record` read it."""
    return blake2b(record, digest_size=16).hexdigest()


def commit_record(folder: Path) -> Optional[bytes]:
    """Tantivy's ``meta.json`` as it is now (``None`` when unreadable): a reader compares it with the one
    it opened on before every search, which is cheaper than a digest."""
    try:
        return read_small_file(os.path.join(folder, META_FILE))
    except OSError:
        return None


def stories_kept_for(folder: Path) -> Optional[str]:
    """The commit the copy of the stories in ``folder`` is for (``stories.py``), if any (none for a copy
    in another format: it is made again)."""
    data = read_small_file(os.path.join(folder, STORIES_FOLDER, STORIES_FOR_FILE))
    form, _, commit = (data or b"").decode("ascii", "replace").partition(" ")
    return commit if form == STORIES_FORMAT else None


class TantivyEngine(LocalEngine):
    """Tantivy, fed searchkit's analysis; files in the generation folder."""

    name = "tantivy"
    schema_version = SCHEMA_VERSION
    capabilities = ALL_CAPABILITIES

    def __init__(self) -> None:
        if importlib.util.find_spec("tantivy") is None:  # looked up, not imported: start-up stays lean
            raise EngineNotAvailableError(self.name, "pip install 'searchkit[fast]'")

    def create(self, folder: Path) -> None:
        from searchkit.engines.tantivy import schema

        schema.create(folder)

    def commit_token(self, folder: Path) -> str:
        return commit_token(folder)

    def open_reader(self, folder: Path) -> "TantivyReader":
        from searchkit.engines.tantivy.reader import TantivyReader

        return TantivyReader(folder)

    def open_writer(self, folder: Path) -> "TantivyWriter":
        from searchkit.engines.tantivy.writer import TantivyWriter

        return TantivyWriter(folder)

    def keep_stories(self, folder: Path, labels: Callable[[], Mapping[str, int]], *, since: Optional[str],
                     changed: Collection[str], progress: Optional[Progress] = None) -> None:
        """Index the labelled articles again with their stories, beside the main index (``stories.py``)."""
        if not changed and since is not None and stories_kept_for(folder) == since == commit_token(folder):
            return  # a no-change update, the copy in step: Tantivy is not even loaded
        from searchkit.engines.tantivy import stories

        stories.keep(folder, labels, since=since, changed=changed, progress=progress)
