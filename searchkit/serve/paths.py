"""Which file paths the API shows: relative to the seeds folder, never the server's absolute paths (they
tell a stranger how the server's disks are laid out), unless the operator asks (``serve --show-paths``).

The JSON bodies are the CLI's (:mod:`searchkit.cli.output`); this rewrites their path fields only.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Optional

from searchkit.index.facade import Index


class ShownPaths:
    """Rewrites the path fields of API bodies for one index. Thread-safe."""

    def __init__(self, index: Index, *, absolute: bool = False) -> None:
        self.index = index
        self.absolute = absolute
        self._lock = threading.Lock()
        self._seeds: Optional[str] = None  # the seeds folder of the last update, read when first needed

    def file(self, path: Optional[str]) -> Optional[str]:
        """``path`` relative to the seeds folder (``/`` separated); ``None`` stays ``None``. A path
        outside the seeds folder (an index updated from another folder since) is shown by its file name."""
        if path is None or self.absolute:
            return path
        relative = self._relative(path, self._seeds_dir(refresh=False))
        if relative is None:
            relative = self._relative(path, self._seeds_dir(refresh=True))
        return relative if relative is not None else os.path.basename(path)

    def folder(self, path: Optional[str]) -> Optional[str]:
        """A server folder (the index, the seeds) by its name only."""
        if path is None or self.absolute:
            return path
        return os.path.basename(os.path.normpath(path)) or path

    def results(self, body: dict[str, Any]) -> dict[str, Any]:
        """A search's or related search's body with each hit's path rewritten."""
        return {**body, "hits": [{**hit, "path": self.file(hit["path"])} for hit in body["hits"]]}

    def article(self, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "path": self.file(body["path"])}

    def story(self, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "versions": [self.article(version) for version in body["versions"]]}

    def duplicates(self, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "groups": [{**group, "articles": [self.article(a) for a in group["articles"]]}
                                   for group in body["groups"]]}

    def stats(self, body: dict[str, Any]) -> dict[str, Any]:
        return {**body, "seeds_dir": self.folder(body["seeds_dir"]),
                "index_dir": self.folder(body["index_dir"])}

    def _seeds_dir(self, *, refresh: bool) -> Optional[str]:
        with self._lock:
            known = self._seeds
        if known is not None and not refresh:
            return known
        seeds = self.index.stats().seeds_dir
        with self._lock:
            self._seeds = seeds
        return seeds

    @staticmethod
    def _relative(path: str, seeds: Optional[str]) -> Optional[str]:
        if seeds is None:
            return None
        root = os.path.normpath(seeds)
        full = os.path.normpath(path)
        if not full.startswith(root + os.sep):
            return None
        return os.path.relpath(full, root).replace(os.sep, "/")

