"""Every error searchkit raises, rooted at :class:`SearchkitError`.

Each error carries the facts a caller may act on as attributes (the file, the query position, the lock
holder), and its ``str()`` is a one-line message fit to show a user.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Optional

#: How many of an ambiguous id prefix's candidates a message names.
_CANDIDATES_SHOWN = 5


class SearchkitError(Exception):
    """The root of every error searchkit raises on purpose."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross process boundaries (a parallel build's workers report skipped files); their
        # constructors take fields, not the message, so they are rebuilt from message and fields.
        return (_rebuild, (type(self), str(self), dict(self.__dict__)))


def _rebuild(kind: type[SearchkitError], message: str, fields: dict[str, Any]) -> SearchkitError:
    error = kind.__new__(kind)
    Exception.__init__(error, message)
    error.__dict__.update(fields)
    return error


class SeedError(SearchkitError):
    """A seed file could not be read as an article; ``path`` names it, ``reason`` says why."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{shown_path(self.path)}: {reason}")


class SeedsNotFoundError(SearchkitError):
    """The seeds folder does not exist or is not a folder."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        super().__init__(f"seeds folder not found: {self.path}")


class IndexNotFoundError(SearchkitError):
    """No index exists at ``path`` yet."""

    def __init__(self, path: Path | str, *, where: str = "") -> None:
        self.path = Path(path)
        super().__init__(f"no index {where or f'at {self.path}'}: run 'searchkit index' to build it")


class IndexCorruptError(SearchkitError):
    """The index at ``path`` is damaged or from an incompatible version; a rebuild recovers it."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"index at {self.path} is unusable ({reason}): run 'searchkit index --rebuild'")


class IndexVersionError(IndexCorruptError):
    """The index was written with another schema version."""

    def __init__(self, path: Path | str, found: object, expected: int) -> None:
        self.found = found
        self.expected = expected
        super().__init__(path, f"schema version {found}, this searchkit needs {expected}")


class IndexLockedError(SearchkitError):
    """Another writer holds the index lock; ``holder`` describes it (pid, host, since)."""

    def __init__(self, path: Path | str, holder: str, waited: float) -> None:
        self.path = Path(path)
        self.holder = holder
        self.waited = waited
        super().__init__(
            f"index at {self.path} is locked by {holder} (waited {waited:g} s; try --wait SECONDS)"
        )


class WriterLeaseHeldError(IndexLockedError):
    """Another writer (maybe on another host) holds the cluster's writer lease of ``alias``; ``holder``
    names it (process, host, since when, until when the lease runs unless renewed)."""

    def __init__(self, path: Path | str, url: str, alias: str, holder: str, waited: float) -> None:
        self.path = Path(path)  # the index folder whose write was refused
        self.url = url
        self.alias = alias
        self.holder = holder
        self.waited = waited
        SearchkitError.__init__(
            self, f"index name {alias} on the search cluster at {url} is being written by {holder} "
                  f"(waited {waited:g} s; try --wait SECONDS)")


class WriterLeaseLostError(SearchkitError):
    """This writer's lease of ``alias`` ran out and another writer took it: nothing was committed."""

    def __init__(self, url: str, alias: str, holder: str) -> None:
        self.url = url
        self.alias = alias
        self.holder = holder
        super().__init__(f"the writer's lease of index name {alias} on the search cluster at {url} ran out "
                         f"and {holder} took it; nothing was committed (run 'searchkit index' again)")


class ArticleNotFoundError(SearchkitError, LookupError):
    """No article with id ``article_id`` is in the index; ``candidates`` (when it was looked up as a
    prefix) are the first ids that start with it, which it does not tell apart."""

    def __init__(self, article_id: str, candidates: tuple[str, ...] = ()) -> None:
        self.article_id = article_id
        self.candidates = tuple(candidates)
        message = f"no article with id {article_id!r}"
        if self.candidates:
            shown = ", ".join(self.candidates[:_CANDIDATES_SHOWN])
            more = ", ..." if len(self.candidates) > _CANDIDATES_SHOWN else ""
            message = f"several articles have ids starting with {article_id!r} ({shown}{more}); " \
                      "give more of the id"
        super().__init__(message)


class RemovalsNotAllowedError(SearchkitError):
    """A write would remove more than half of the articles indexed from seed files (their files are not
    in the seeds folder, which is often a mistyped or unmounted folder); nothing was written."""

    def __init__(self, seeds_dir: Path, removing: int, indexed: int) -> None:
        self.seeds_dir = Path(seeds_dir)
        self.removing = removing
        self.indexed = indexed
        super().__init__(f"{shown_path(self.seeds_dir)}: this would remove {removing:,} of the {indexed:,} "
                         "articles indexed from seed files, whose files are not there; check the seeds "
                         "folder, or allow it with --allow-removals (allow_removals=True)")


class SeedOwnedArticleError(SearchkitError, ValueError):
    """:meth:`Index.add <searchkit.Index.add>` was given the id of an article read from a seed file;
    nothing was written. The file stays the article's source: the next update would read it back."""

    def __init__(self, article_id: str, path: Path | str | None) -> None:
        self.article_id = article_id
        self.path = Path(path) if path else None
        where = f"seed file {shown_path(self.path)}" if self.path else "a seed file"
        super().__init__(f"article {article_id!r} is read from {where}: edit that file, or add the "
                         "article under another id")


#: Why a seed file whose id is a library article's is skipped (its report line).
LIBRARY_ID_REASON = ("its id {id!r} belongs to an article added through the library (Index.add), "
                     "which is kept; rename the file, or delete that article first")


class InvalidArticleError(SearchkitError, ValueError):
    """An article given through the API is not valid (empty id, bad date type, ...)."""


class QuerySyntaxError(SearchkitError, ValueError):
    """A query could not be parsed. ``position`` is where, counted from 1 as people count columns (the
    message, the CLI's JSON and the HTTP API say the same number); ``offset`` is the same place as a
    0-based index into ``query``."""

    def __init__(self, query: str, offset: int, message: str) -> None:
        self.query = query
        self.offset = max(0, min(offset, len(query)))
        self.position = self.offset + 1
        self.message = message
        super().__init__(f"{message} at position {self.position}")

    def caret_lines(self) -> str:
        """The query and a caret under the offending character, for a terminal."""
        return f"{self.query}\n{' ' * self.offset}^"


class EngineNotAvailableError(SearchkitError):
    """The engine's library is not installed; ``hint`` says how to install it."""

    def __init__(self, engine: str, hint: str) -> None:
        self.engine = engine
        self.hint = hint
        super().__init__(f"search engine {engine!r} is not available: {hint}")


class EngineUnreachableError(SearchkitError):
    """A remote engine's cluster did not answer (refused, timed out, TLS failed); ``url`` names it
    (never with credentials). Nothing was changed that the next run would not redo."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"cannot reach the search cluster at {url}: {reason}")


class EngineRejectedError(SearchkitError):
    """A remote engine's cluster answered with an error (bad credentials, a refused request); ``status``
    is its HTTP status, ``reason`` what it said (never the credentials)."""

    def __init__(self, url: str, status: int | None, reason: str) -> None:
        self.url = url
        self.status = status
        self.reason = reason
        code = f" (HTTP {status})" if status is not None else ""
        super().__init__(f"the search cluster at {url} refused the request{code}: {reason}")


class StaleReaderError(SearchkitError):
    """A reader can no longer answer from the state it was pinned to (a remote engine's point in time
    expired, or a copy of a shard it used went away); the ``Index`` facade retries on a fresh reader."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"the reader's view of the index is gone ({reason}); open a new reader")


class BuildWorkerDiedError(SearchkitError):
    """A worker process of a parallel build died (killed, out of memory); nothing was committed."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        super().__init__(
            f"a worker process of the parallel build died (one of {workers}; killed, or out of memory?): "
            "nothing was committed; run 'searchkit index' again"
        )


class UnknownEngineError(SearchkitError):
    """No engine of that name exists; ``known`` lists the ones that do."""

    def __init__(self, engine: str, known: tuple[str, ...]) -> None:
        self.engine = engine
        self.known = known
        super().__init__(f"unknown search engine {engine!r}; expected one of {', '.join(known)}")


class UnsupportedQueryError(SearchkitError):
    """The index's engine cannot run a feature the query uses (``feature`` names it)."""

    def __init__(self, engine: str, feature: str) -> None:
        self.engine = engine
        self.feature = feature
        super().__init__(f"the {engine} engine cannot run {feature}")


class ArticlesWouldBeLostError(SearchkitError):
    """A rebuild cannot carry over the articles added through the library, because the old index cannot
    be read; ``count`` is how many there are (``None`` when unknown)."""

    def __init__(self, path: Path | str, count: int | None, reason: str) -> None:
        self.path = Path(path)
        self.count = count
        self.reason = reason
        what = "the articles" if count is None else f"{count:,} article{'s' if count != 1 else ''}"
        super().__init__(
            f"index at {self.path} cannot be read ({reason}), so {what} added through the library (not "
            "from seed files) cannot be carried over: run 'searchkit index --rebuild --discard-unreadable' "
            "to rebuild from the seeds alone"
        )


class InvalidDateError(SearchkitError, ValueError):
    """A date given as ``since``/``until`` (or ``--since``/``--until``) is not a date or is ambiguous;
    ``option`` names what gave it, when known."""

    def __init__(self, value: object, reason: str, option: Optional[str] = None) -> None:
        self.value = value
        self.reason = reason
        self.option = option
        named = f"{option}: " if option else ""
        super().__init__(f"{named}invalid date {str(value)!r}: {reason}")

    def given_as(self, option: str) -> "InvalidDateError":
        """The same error, naming ``option`` as what gave the date."""
        return InvalidDateError(self.value, self.reason, option)


class InvalidOptionError(SearchkitError, ValueError):
    """An option has a value outside what it accepts (a negative limit, an unknown sort order)."""


class UnknownLanguageError(InvalidOptionError):
    """A language code searchkit does not analyse; ``where`` names what gave it (an option, a file)."""

    def __init__(self, code: object, where: str) -> None:
        self.code = code
        self.where = where
        super().__init__(f"{where}: unknown language {code!r} (use an ISO 639-1 code such as en, de, fr, "
                         "zh; docs/languages.md lists them)")


class LanguageSupportMissingError(SearchkitError):
    """Text in a language whose analysis needs an optional extra that is not installed."""

    def __init__(self, language: str, extra: str, package: str) -> None:
        self.language = language
        self.extra = extra
        super().__init__(f"text in language {language!r} needs the {package} word segmenter: "
                         f"pip install 'searchkit[{extra}]'")


class SearchTimeoutError(SearchkitError):
    """A search took longer than the server's time budget (``searchkit serve``)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"the search took longer than {seconds:g} s: narrow the query or try again")


class AlertExistsError(SearchkitError):
    """A saved search of that name exists already."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"a saved search named {name!r} exists already (remove it first)")


class AlertNotFoundError(SearchkitError):
    """No saved search has that name."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no saved search named {name!r} ('searchkit alert list' shows them)")


class AlertStateError(SearchkitError):
    """The saved searches' file cannot be read or written; indexing goes on without alerts."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"saved searches at {self.path} are unusable ({reason}); move the file away to "
                         "start afresh")


class AlertsConflictError(AlertStateError):
    """A saved search of the folder's ``alerts.sqlite`` has the name of another the index keeps on its
    cluster: the file is not moved there until one of them is removed."""

    def __init__(self, path: Path | str, name: str, query: str, held: str) -> None:
        self.path = Path(path)
        self.name = name
        self.reason = f"saved search {name!r} is {query!r} there, {held!r} in the index"
        SearchkitError.__init__(
            self, f"saved searches at {shown_path(self.path)} are not moved into the index: {self.reason}; "
                  f"remove one ('searchkit alert remove {name}' removes the index's)")


def shown_path(path: Path | str) -> str:
    """``path`` as printable UTF-8 on one line: undecodable bytes as ``\\xNN``, control characters escaped."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
