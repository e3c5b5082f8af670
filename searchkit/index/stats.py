"""Facts about an index (``Index.stats``): counts, dates, size, languages, its last update."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from searchkit.engines import DEFAULT_ENGINE
from searchkit.index import storage
from searchkit.index.readers import OpenReader


@dataclass(frozen=True)
class Stats:
    """Facts about an index."""

    articles: int
    first_date: Optional[dt.date]
    last_date: Optional[dt.date]
    per_year: dict[int, int]
    size_bytes: int
    last_update: Optional[str]
    seeds_dir: Optional[str]
    index_dir: str
    schema_version: int
    engine: str = DEFAULT_ENGINE
    #: Articles per language (ISO 639-1 code), most first.
    languages: dict[str, int] = field(default_factory=dict)
    #: The index's default language; ``None``: each article's is detected (docs/languages.md).
    language: Optional[str] = None


def collect(opened: OpenReader, index_dir: Path) -> Stats:
    """The stats of the commit ``opened`` reads, for the index folder ``index_dir``."""
    reader, generation = opened.reader, opened.generation
    dates = opened.dates()
    manifest = storage.Manifest.load(generation.folder)
    return Stats(
        articles=reader.count(),
        first_date=dates.first,
        last_date=dates.last,
        per_year=dict(dates.per_year),
        size_bytes=reader.size_bytes(),
        last_update=manifest.updated_at if manifest else None,
        seeds_dir=manifest.seeds_dir if manifest else None,
        index_dir=str(index_dir),
        schema_version=generation.engine.schema_version,
        engine=generation.engine.name,
        languages=dict(sorted(reader.language_counts().items(), key=lambda kv: (-kv[1], kv[0]))),
        language=generation.language,
    )
