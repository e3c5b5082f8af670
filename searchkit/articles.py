"""Articles and the seed files they come from.

A seed file is UTF-8 text whose first line is ``date YYYY-MM-DD <headline>`` and whose remaining lines
are the body. A second line ``lang: xx`` (an ISO 639-1 code, docs/languages.md) gives the article's
language and is not part of the body. Real files are untidy, so the reader accepts a byte-order mark,
leading blank lines and spaces, CRLF or CR line ends and trailing whitespace; anything it cannot read
as an article becomes a :class:`~searchkit.errors.SeedError` naming the file and the reason. This module
never writes to, moves or deletes anything under the seeds folder, and it never imports an engine.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Optional, Union

from searchkit.errors import InvalidArticleError, SeedError, SeedsNotFoundError, UnknownLanguageError
from searchkit.text.languages import check_language

#: Files larger than this are skipped unless the caller passes another ``max_bytes``.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: A line longer than this (in characters) makes the file unreadable as an article.
MAX_LINE_CHARS = 200_000
SEED_SUFFIX = ".txt"

_FIRST_LINE = re.compile(r"date[ \t]+(\S+)(?:[ \t]+(.*))?\Z", re.DOTALL)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")
_LANG_LINE = re.compile(r"lang(?:uage)?[ \t]*:[ \t]*(\S*)\Z", re.IGNORECASE)


@dataclass(frozen=True)
class Article:
    """One news article: its stable ``id``, ``date``, ``headline`` and ``body``.

    ``path`` is the seed file it was read from, or ``None`` for articles added through the API.
    ``language`` is an ISO 639-1 code (``"de"``); ``None`` lets the index decide (its default language,
    or detection): an article read back from an index always has one.
    """

    id: str
    date: dt.date
    headline: str
    body: str
    path: Optional[str] = None
    language: Optional[str] = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise InvalidArticleError("an article needs a non-empty string id")
        if not isinstance(self.date, dt.date) or isinstance(self.date, dt.datetime):
            raise InvalidArticleError(f"article {self.id!r}: date must be a datetime.date")
        if not isinstance(self.headline, str) or not isinstance(self.body, str):
            raise InvalidArticleError(f"article {self.id!r}: headline and body must be strings")
        if self.language is not None:
            try:
                code = check_language(self.language, where=f"article {self.id!r}")
            except UnknownLanguageError as error:
                raise InvalidArticleError(str(error)) from None
            if code != self.language:
                object.__setattr__(self, "language", code)


class Fingerprint(NamedTuple):
    """What a seed file looked like when it was indexed: the manifest keeps one per file, and the engine
    stores one with each article read from a file, so either can be rebuilt from the other."""

    size: int
    mtime_ns: int
    digest: str

    def encode(self) -> str:
        """The one-string form engines store: ``size:mtime_ns:digest``."""
        return f"{self.size}:{self.mtime_ns}:{self.digest}"

    @classmethod
    def decode(cls, text: str) -> "Fingerprint":
        """The inverse of :meth:`encode`."""
        size, mtime_ns, digest = text.split(":")
        return cls(int(size), int(mtime_ns), digest)


class SeedFile(NamedTuple):
    """A seed file found by :func:`scan_seeds`, with the stat facts that tell whether it changed."""

    id: str
    location: str  # an absolute path as a string: a Path per file of a large folder costs more than the scan
    size: int
    mtime_ns: int

    @property
    def path(self) -> Path:
        return Path(self.location)


def parse_seed_text(text: str, *, article_id: str, path: Union[str, Path, None] = None) -> Article:
    """Turn the text of a seed file into an :class:`Article`; raises :class:`SeedError`."""
    where = path if path is not None else article_id  # made a Path only for an error
    lines = text.lstrip("\ufeff \t\r\n").splitlines()
    if not lines:
        raise SeedError(where, "empty file")
    if max(map(len, lines)) > MAX_LINE_CHARS:
        number = next(number for number, line in enumerate(lines, start=1) if len(line) > MAX_LINE_CHARS)
        raise SeedError(where, f"line {number} is longer than {MAX_LINE_CHARS:,} characters")
    match = _FIRST_LINE.match(lines[0].strip())
    if match is None:
        raise SeedError(where, "first line is not 'date YYYY-MM-DD <headline>'")
    date = _parse_iso_date(match.group(1), where)
    headline = (match.group(2) or "").strip()
    language, rest = None, lines[1:]
    said = _LANG_LINE.match(rest[0].strip()) if rest else None
    if said is not None:
        try:
            language = check_language(said.group(1), where=f"{where}: line 2")
        except UnknownLanguageError:
            raise SeedError(where, f"line 2: unknown language {said.group(1)!r} (use an ISO 639-1 code "
                                   "such as en, de, zh; docs/languages.md lists them)") from None
        rest = rest[1:]
    body = "\n".join(map(str.rstrip, rest)).strip("\n")
    return Article(id=article_id, date=date, headline=headline, body=body, path=str(path) if path else None,
                   language=language)


def _parse_iso_date(text: str, where: Union[str, Path]) -> dt.date:
    match = _ISO_DATE.match(text)
    if match is None:
        raise SeedError(where, f"date {text!r} is not YYYY-MM-DD")
    year, month, day = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise SeedError(where, f"date {text} does not exist") from None


def decode_seed_bytes(data: bytes, where: Union[str, Path]) -> str:
    """Decode a seed file's bytes as UTF-8, refusing binary data; raises :class:`SeedError`."""
    if not data.strip():
        raise SeedError(where, "empty file")
    if b"\x00" in data:
        raise SeedError(where, "binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SeedError(where, f"not UTF-8 (invalid byte at offset {error.start}, line {line})") from None


def content_hash(data: bytes) -> str:
    """A short, stable fingerprint of a file's bytes."""
    import hashlib  # here, not at the top: queries never hash, and hashlib costs start-up time

    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_seed(seed: SeedFile, *, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Article, str]:
    """Read one seed file; returns the article and the content hash, or raises :class:`SeedError`."""
    if seed.size > max_bytes:
        raise SeedError(seed.path, f"larger than the {max_bytes:,}-byte limit ({seed.size:,} bytes)")
    try:
        with open(seed.location, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise SeedError(seed.path, "file disappeared while indexing") from None
    except OSError as error:
        raise SeedError(seed.path, f"cannot read: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise SeedError(seed.path, f"larger than the {max_bytes:,}-byte limit")
    text = decode_seed_bytes(data, seed.location)
    return parse_seed_text(text, article_id=seed.id, path=seed.location), content_hash(data)


def scan_seeds(root: Union[str, Path]) -> tuple[list[SeedFile], list[SeedError]]:
    """List every ``*.txt`` file under ``root``, recursively, in a stable order.

    Folder symlinks are followed once (a loop is not followed twice); hidden folders (``.git``) are not
    entered. Files that cannot even be listed (broken symlinks, loops, undecodable names) come back as
    errors beside the files that can.
    """
    root = Path(os.path.abspath(root))  # absolute, so stored paths work from anywhere
    if not root.is_dir():
        raise SeedsNotFoundError(root)
    found: list[SeedFile] = []
    problems: list[SeedError] = []
    _walk(str(root), len(str(root)) + 1, set(), found, problems)
    found.sort()
    problems.sort(key=lambda problem: str(problem.path))
    return found, problems


def _walk(
    folder: str, prefix: int, seen_dirs: set[tuple[int, int]], found: list[SeedFile],
    problems: list[SeedError],
) -> None:
    try:
        folder_stat = os.stat(folder)
        key = (folder_stat.st_dev, folder_stat.st_ino)
        if key in seen_dirs:
            return
        seen_dirs.add(key)
        with os.scandir(folder) as scan:
            entries = list(scan)
    except OSError as error:
        problems.append(SeedError(folder, f"cannot list folder: {error.strerror or error}"))
        return
    is_dir, is_file, suffix, cut = stat.S_ISDIR, stat.S_ISREG, SEED_SUFFIX, -len(SEED_SUFFIX)
    add, plain_ids = found.append, os.sep == "/"
    for entry in entries:
        name = entry.name
        try:
            info = entry.stat()
        except OSError as error:
            if name.endswith(suffix):
                reason = "symlink loop" if error.errno == errno.ELOOP else (
                    "broken symlink" if entry.is_symlink() else f"cannot stat: {error.strerror or error}")
                problems.append(SeedError(entry.path, reason))
            continue
        mode = info.st_mode
        if name.endswith(suffix) and is_file(mode):
            location = entry.path
            article_id = location[prefix:cut]
            if not (plain_ids and article_id.isascii()):
                article_id = article_id.replace(os.sep, "/")
                try:
                    article_id.encode("utf-8")
                except UnicodeEncodeError:
                    problems.append(SeedError(location, "file name is not valid UTF-8"))
                    continue
            if not article_id.strip():
                problems.append(SeedError(location, "file name gives an empty article id"))
                continue
            add(SeedFile(article_id, location, info.st_size, info.st_mtime_ns))
        elif is_dir(mode) and not name.startswith("."):
            _walk(entry.path, prefix, seen_dirs, found, problems)
