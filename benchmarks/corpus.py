"""A tiny seed-file reader for the baselines, and the seed-folder copies a benchmark run works on.

This is deliberately not searchkit's reader: the baselines must not depend on the library they are
compared with. Seed format: UTF-8 text whose first line is ``date YYYY-MM-DD <headline>`` (leading
whitespace, a BOM and CRLF line ends are tolerated); the rest of the file is the body.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

_HEADER = re.compile(r"date\s+(\d{4})-(\d{2})-(\d{2})\s+(.*\S)\s*$")

#: Every article written by :func:`add_new_articles` carries this word in its headline.
NEW_ARTICLE_MARK = "zqxbenchcopy"


class SeedFormatError(ValueError):
    """A seed file does not start with ``date YYYY-MM-DD <headline>``."""


@dataclass(frozen=True)
class Article:
    id: str          # the file name without its extension
    path: str
    date: dt.date
    headline: str
    body: str


def seed_files(seeds_dir: Path, limit: int | None = None) -> list[Path]:
    """The ``*.txt`` files under ``seeds_dir`` (in sub-folders too, hidden ones skipped, as searchkit
    reads them), sorted by path, at most ``limit`` of them."""
    files = []
    for folder, dirs, names in os.walk(seeds_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        files.extend(Path(folder, name) for name in names if name.endswith(".txt"))
    files = sorted(p for p in files if p.is_file())
    return files[:limit] if limit is not None else files


def parse_article(path: Path, text: str) -> Article:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip().lstrip("\ufeff").lstrip()
    first, _, body = text.partition("\n")
    match = _HEADER.match(first.strip())
    if match is None:
        raise SeedFormatError(f"{path}: first line is not 'date YYYY-MM-DD <headline>'")
    year, month, day, headline = match.groups()
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise SeedFormatError(f"{path}: {exc}") from None
    return Article(id=path.stem, path=str(path), date=date, headline=headline, body=body.strip())


def read_article(path: Path) -> Article:
    return parse_article(path, path.read_bytes().decode("utf-8-sig"))


def read_articles(files: list[Path], skipped: list[str] | None = None) -> Iterator[Article]:
    """Yield each readable article; unreadable files are appended to ``skipped`` (or raise without it)."""
    for path in files:
        try:
            yield read_article(path)
        except (SeedFormatError, UnicodeDecodeError) as exc:
            if skipped is None:
                raise
            skipped.append(f"{path.name}: {exc}")


def copy_seeds(files: list[Path], dest: Path) -> None:
    """Copy ``files`` into the fresh folder ``dest``, keeping their modification times."""
    dest.mkdir(parents=True)
    for path in files:
        shutil.copy2(path, dest / path.name)


def add_new_articles(seeds_dir: Path, count: int, seed: int) -> list[Path]:
    """Write ``count`` new articles into ``seeds_dir``: copies of existing ones under new names with a
    changed headline (which carries :data:`NEW_ARTICLE_MARK`)."""
    originals = random.Random(seed).sample(seed_files(seeds_dir), min(count, len(seed_files(seeds_dir))))
    written = []
    for number, path in enumerate(originals):
        article = read_article(path)
        new = seeds_dir / f"zz_benchcopy_{number:04d}_{path.name}"
        new.write_text(
            f"date {article.date.isoformat()} {article.headline} ({NEW_ARTICLE_MARK} {number})\n"
            f"{article.body}\n",
            encoding="utf-8",
        )
        written.append(new)
    return written


def total_bytes(files: list[Path]) -> int:
    return sum(os.path.getsize(p) for p in files)
