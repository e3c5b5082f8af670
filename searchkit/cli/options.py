"""What every ``searchkit`` command shares: exit codes, common options and the error reporting."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Any, Callable, Optional

import click

from searchkit.cli import output
from searchkit.errors import ArticleNotFoundError, InvalidDateError, QuerySyntaxError, SearchkitError

EXIT_OK, EXIT_NO_MATCH, EXIT_ERROR, EXIT_SKIPPED = 0, 1, 2, 3
#: Show a progress bar when an update reads at least this many files and stderr is a terminal.
PROGRESS_MIN_FILES = 500


def index_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--index", "index_dir", envvar="SEARCHKIT_INDEX", default="index", show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Index folder (env SEARCHKIT_INDEX).",
    )(command)


def seeds_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--seeds", "seeds_dir", envvar="SEARCHKIT_SEEDS", default="seeds", show_default=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder of seed articles, read recursively (env SEARCHKIT_SEEDS).",
    )(command)


def json_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")(command)


def wait_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--wait", type=click.FloatRange(min=0), default=0, show_default=True, metavar="SECONDS",
        help="How long to wait for another writer to finish.",
    )(command)


def follow_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--url`` and ``--index-name``: search an index another host writes (``follow``)."""
    command = click.option(
        "--index-name", "follow_name", default=None, metavar="NAME",
        help="With --url: the index name on the cluster. An --index folder without an index then follows "
             "it, as a host that only searches (docs/opensearch.md, Deployment).")(command)
    return click.option(
        "--url", "follow_url", default=None, metavar="URL",
        help="With --index-name: the OpenSearch cluster of an index another host writes (comma-separated "
             "node URLs; credentials only from the environment).")(command)


def follow(index_dir: Path, url: Optional[str], name: Optional[str]) -> None:
    """Make ``index_dir`` follow the index given by ``--url`` and ``--index-name``, when they are given."""
    if url is None and name is None:
        return
    if not (url and name):
        raise click.UsageError("--url and --index-name go together")
    from searchkit.index.following import follow as follow_index

    follow_index(index_dir, engine="opensearch", engine_options={"url": url, "index_name": name})


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into a one-line message on stderr and exit status 2; with ``--json`` the
    error object (``{"error", "position"}``) is printed on stdout too, so a script always gets JSON."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except SearchkitError as raised:
            error = as_typed(raised)
            if kwargs.get("as_json"):
                click.echo(output.to_json(output.error_json(error)))
            report(error)
            sys.exit(EXIT_NO_MATCH if isinstance(error, ArticleNotFoundError) else EXIT_ERROR)

    return wrapper


def as_typed(error: SearchkitError) -> SearchkitError:
    """``error`` naming the option as it is typed here: ``--since``, not the library's ``since``."""
    if isinstance(error, InvalidDateError) and error.option is not None:
        return error.given_as(f"--{error.option}")
    return error


def report(error: SearchkitError) -> None:
    click.echo(f"error: {error}", err=True)
    if isinstance(error, QuerySyntaxError):
        click.echo(indent(error.caret_lines(), "  "), err=True)
        click.echo("hint: use --plain to search for the words as typed", err=True)



def color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def can_draw_blocks() -> bool:
    """Whether stdout's encoding has the block characters histogram bars are drawn with."""
    try:
        "█▏".encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())
