"""Search engines behind the engine-neutral query tree; each module imports only its own library.

``engine`` stands for the Whoosh engine module and imports it on first use, so commands that find
nothing to do (a no-change ``searchkit index``) never pay for loading Whoosh.
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path
from typing import Any

#: The Whoosh engine's schema version: bumped whenever old indexes cannot serve this code.
WHOOSH_SCHEMA_VERSION = 1

_TOC_NAME = re.compile(r"_MAIN_(\d+)\.toc\Z")


class _LazyModule:
    """A module imported on the first attribute access."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)


engine: Any = _LazyModule("searchkit.engines.whoosh")


def committed_generation(folder: Path) -> int:
    """The number of the latest Whoosh commit in ``folder`` (from its file names), -1 if none."""
    try:
        names = os.listdir(folder)
    except OSError:
        return -1
    numbers = [int(match.group(1)) for match in map(_TOC_NAME.match, names) if match]
    return max(numbers, default=-1)
