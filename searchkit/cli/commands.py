"""The ``searchkit`` command: a thin layer of click commands over the library.

Exit status, as grep: 0 success (something matched), 1 nothing matched or no such article, 2 an error
(bad query, bad option, unusable index, lock held), 3 the index was updated but some seed files were
skipped (each named on stderr).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

import click

from searchkit.cli import output
from searchkit.cli.options import (
    EXIT_ERROR,
    EXIT_NO_MATCH,
    EXIT_OK,
    EXIT_SKIPPED,
    PROGRESS_MIN_FILES,
    can_draw_blocks,
    color,
    follow,
    follow_options,
    index_option,
    json_option,
    reports_errors,
    seeds_option,
    wait_option,
)
from searchkit.engines import engine_names
from searchkit.errors import (
    IndexNotFoundError,
    InvalidOptionError,
    SeedsNotFoundError,
    shown_path,
)
from searchkit.index.facade import Index, open_index
from searchkit.index.request import SORTS
from searchkit.news.timeline import HISTOGRAM_CHOICES

if TYPE_CHECKING:  # not loaded by a query (tests/test_imports.py)
    from searchkit.reports import UpdateReport


class _Commands(click.Group):
    """The top-level group. The news commands (cli/news.py) are loaded when one of them runs or the help
    lists them, not by every ``searchkit query`` (tests/test_imports.py)."""

    _NEWS = ("alert", "duplicates", "related", "story")

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._NEWS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> Optional[click.Command]:
        if cmd_name in self._NEWS and cmd_name not in self.commands:
            from searchkit.cli import news

            news.register(self)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="searchkit")
def main() -> None:
    """Full-text search for news articles.

    Build an index from a folder of seed articles with 'searchkit index', then search it with
    'searchkit query'. Exit status: 0 found, 1 nothing found, 2 error, 3 indexed with skipped files.
    """


@main.command("index")
@seeds_option
@index_option
@click.option("--rebuild", is_flag=True, help="Build from scratch beside the live index, then swap it in.")
@click.option("--engine", type=click.Choice(engine_names()), envvar="SEARCHKIT_ENGINE", default=None,
              help="Engine of a new index (default whoosh; tantivy needs searchkit[fast]). With --rebuild, "
                   "converts an existing index.")
@click.option("--url", default=None, metavar="URL",
              help="With --engine opensearch: the cluster of a new or rebuilt index (default "
                   "$SEARCHKIT_OPENSEARCH_URL; credentials only from the environment).")
@click.option("--index-name", default=None, metavar="NAME",
              help="With --engine opensearch: the alias searched on the cluster (default searchkit-<digest "
                   "of the index folder's path>).")
@click.option("--allow-removals", is_flag=True,
              help="Go ahead even if more than half of the articles indexed from seed files would be removed "
                   "(their files are gone: a mistyped or unmounted seeds folder looks the same).")
@click.option("--discard-unreadable", is_flag=True,
              help="With --rebuild: go ahead even if articles added through the library cannot be read "
                   "from the old index (the summary says how many were lost).")
@wait_option
@click.option("--max-bytes", type=click.IntRange(min=1), default=10 * 1024 * 1024, show_default=True,
              help="Skip seed files larger than this.")
@click.option("--language", metavar="CODE", default=None,
              help="The articles' language (ISO 639-1: en, de, zh ...) unless a seed file's 'lang:' line "
                   "says otherwise; nothing is detected. Default: each article's is detected. Set when "
                   "the index is built; --rebuild changes it.")
@json_option
@reports_errors
def index_command(seeds_dir: Path, index_dir: Path, rebuild: bool, engine: Optional[str], url: Optional[str],
                  index_name: Optional[str], allow_removals: bool, discard_unreadable: bool, wait: float,
                  max_bytes: int, language: Optional[str], as_json: bool) -> None:
    """Bring the index in step with the seeds folder (new, changed and removed files)."""
    if discard_unreadable and not rebuild:
        raise click.UsageError("--discard-unreadable only applies with --rebuild")
    options = {name: value for name, value in (("url", url), ("index_name", index_name)) if value}
    index = Index(index_dir, engine=engine, engine_options=options, language=language)
    with _progress_bar() as progress:
        if rebuild:
            report = index.rebuild(seeds_dir, wait=wait, max_bytes=max_bytes, progress=progress,
                                   discard_unreadable=discard_unreadable, allow_removals=allow_removals)
        else:
            report = index.update(seeds_dir, wait=wait, max_bytes=max_bytes, progress=progress,
                                  allow_removals=allow_removals)
    _finish_index(report, as_json, seeds_dir)


def _finish_index(report: UpdateReport, as_json: bool, seeds_dir: Path) -> None:
    for problem in report.skipped:
        click.echo(f"skipped {problem}", err=True)
    if report.seed_files == 0:
        click.echo(f"warning: no seed files (*.txt) under {shown_path(seeds_dir)}", err=True)
    for warning in (report.alerts_problem, report.stories_problem):
        if warning:
            click.echo(f"warning: {warning}", err=True)
    if as_json:
        click.echo(output.to_json(output.report_json(report)))
    else:
        click.echo(report.summary())
        if report.alerts:
            click.echo(output.alerts_text(report.alerts))
    if report.skipped:
        sys.exit(EXIT_SKIPPED)


@main.command("query")
@click.argument("words", nargs=-1, required=True)
@index_option
@seeds_option
@click.option("--limit", type=click.IntRange(min=0), default=10, show_default=True, help="Hits per page.")
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True, help="Page number.")
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--since", metavar="DATE",
              help="Only articles on or after DATE (e.g. 2017-11, '18 Nov 2017', monday, 'last week', "
                   "'3 days ago').")
@click.option("--until", metavar="DATE", help="Only articles on or before DATE (e.g. yesterday).")
@click.option("--plain", is_flag=True, help="Treat the input as plain words: no operators, fields or quotes.")
@click.option("--explain", is_flag=True, help="Print the parsed query and the engine query; do not search.")
@click.option("--histogram", is_flag=False, flag_value="auto", default=None, metavar="[INTERVAL]",
              help="Also chart every match over time, under the hits: auto (10-60 bars, the default), day, "
                   "week, month, quarter or year. Put it after the query, or write --histogram=INTERVAL.")
@click.option("--half-life", metavar="DURATION",
              help="With --sort recent: the age at which freshness is worth half its most (default 30d; "
                   "e.g. 12d, 2w, 6m, 1y).")
@click.option("--now", metavar="DATE",
              help="The day relative dates count from (yesterday, 'last week'; default: today); with --sort "
                   "recent also the day ages count from (default there: the newest article).")
@click.option("--no-collapse", is_flag=True,
              help="Show every article: do not fold near-duplicate rewrites of a story under its best hit.")
@click.option("--no-autocorrect", is_flag=True,
              help="When nothing matches, only suggest a spelling: do not show the suggestion's results.")
@click.option("--facets", is_flag=True,
              help="Also count every match per year, per month and per language, under the hits.")
@click.option("--lang", metavar="CODES",
              help="Only articles in these languages (ISO 639-1, comma-separated: de or de,fr); the "
                   "query's words are analysed in them alone.")
@follow_options
@json_option
@reports_errors
def query_command(words: tuple[str, ...], index_dir: Path, seeds_dir: Path, limit: int, page: int,
                  sort: str, since: Optional[str], until: Optional[str], plain: bool, explain: bool,
                  histogram: Optional[str], half_life: Optional[str], now: Optional[str],
                  no_collapse: bool, no_autocorrect: bool, facets: bool, lang: Optional[str],
                  follow_url: Optional[str], follow_name: Optional[str], as_json: bool) -> None:
    """Search the index. QUERY is words, "phrases", field:word, date:2017-11, AND/OR/NOT ...

    Builds the index from the seeds folder first when there is none yet. Use '--' before a query that
    starts with '-'. '--sort recent' ranks by relevance blended with freshness (docs/news.md).
    Near-duplicate rewrites of a story are shown once, as "+N similar" under its best hit
    (docs/duplicates.md); --page and --limit then count stories. When nothing matches, misspelt words
    get a suggestion, and its results are shown when it has some (unless --no-autocorrect).
    """
    text = " ".join(words)
    if histogram is not None and histogram not in HISTOGRAM_CHOICES:
        raise InvalidOptionError(f"histogram interval must be one of {', '.join(HISTOGRAM_CHOICES)}, not "
                                 f"{histogram!r} (put --histogram after the query, or write "
                                 "--histogram=INTERVAL)")
    follow(index_dir, follow_url, follow_name)
    index = _open_or_build(index_dir, seeds_dir)
    if explain:
        explanation = index.explain(text, plain=plain, sort=sort, since=since, until=until,
                                    half_life=half_life, now=now, lang=lang)
        click.echo(output.to_json(explanation.__dict__) if as_json else output.explanation_text(explanation))
        return
    results = index.search(text, limit=limit, offset=(page - 1) * limit, sort=sort, since=since,
                           until=until, plain=plain, histogram=histogram, half_life=half_life, now=now,
                           collapse=not no_collapse, autocorrect=not no_autocorrect, facets=facets, lang=lang)
    if as_json:
        click.echo(output.to_json(output.results_json(results)))
    else:
        click.echo(output.results_text(results, color=color()))
        if results.histogram is not None and results.total:
            click.echo("")
            click.echo(output.histogram_text(results.histogram, width=shutil.get_terminal_size().columns,
                                             unicode=can_draw_blocks()))
        if results.facets is not None and results.total:
            click.echo("")
            click.echo(output.facets_text(results.facets))
    sys.exit(EXIT_OK if results.total else EXIT_NO_MATCH)


@main.command("show")
@click.argument("article_id")
@index_option
@follow_options
@json_option
@reports_errors
def show_command(article_id: str, index_dir: Path, follow_url: Optional[str], follow_name: Optional[str],
                 as_json: bool) -> None:
    """Print one whole article by its id, or by the start of its id when only one article's id starts
    so."""
    follow(index_dir, follow_url, follow_name)
    article = open_index(index_dir).get(article_id, prefix=True)  # unknown id: exit 1, as grep
    click.echo(output.to_json(output.article_json(article)) if as_json else output.article_text(article))


@main.command("stats")
@index_option
@follow_options
@json_option
@reports_errors
def stats_command(index_dir: Path, follow_url: Optional[str], follow_name: Optional[str],
                  as_json: bool) -> None:
    """Articles, date span, articles per year, size on disk, last update and seeds folder."""
    follow(index_dir, follow_url, follow_name)
    stats = open_index(index_dir).stats()
    click.echo(output.to_json(output.stats_json(stats)) if as_json else output.stats_text(stats))


@main.command("serve")
@index_option
@seeds_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but 127.0.0.1 lets other machines search the index.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--watch", is_flag=True,
              help="Apply new, changed and removed seed files to the index while serving.")
@click.option("--show-paths", is_flag=True,
              help="Show the server's absolute file paths in the API (default: relative to the seeds "
                   "folder).")
@follow_options
@reports_errors
def serve_command(index_dir: Path, seeds_dir: Path, host: str, port: int, watch: bool,
                  show_paths: bool, follow_url: Optional[str], follow_name: Optional[str]) -> None:
    """Serve a search page at / and a JSON API at /api (read-only), until Ctrl-C.

    Needs searchkit[serve]. The API answers what 'searchkit query --json' prints; /openapi.json
    describes it.
    """
    try:
        from searchkit.serve import create_app, server
    except ImportError as error:
        click.echo(f"error: searchkit serve needs its extra ({error.name} is missing): "
                   "pip install 'searchkit[serve]'", err=True)
        sys.exit(EXIT_ERROR)
    if watch and not seeds_dir.is_dir():
        raise SeedsNotFoundError(seeds_dir)
    follow(index_dir, follow_url, follow_name)
    index = Index(index_dir) if watch else _open_or_build(index_dir, seeds_dir)
    app = create_app(index, seeds_dir=seeds_dir if watch else None, watch=watch, show_paths=show_paths)
    sock = server.bind(host, port)
    watching = f", watching {seeds_dir}" if watch else ""
    click.echo(f"searchkit: serving {index_dir}{watching} at {server.url_of(sock)} (Ctrl-C stops)", err=True)
    server.run(app, sock)


def _open_or_build(index_dir: Path, seeds_dir: Path) -> Index:
    try:
        return open_index(index_dir)
    except IndexNotFoundError:
        click.echo(f"no index at {index_dir} yet: building it from {seeds_dir} ...", err=True)
    index = Index(index_dir)
    with _progress_bar() as progress:
        report = index.update(seeds_dir, progress=progress)
    for problem in report.skipped:
        click.echo(f"skipped {problem}", err=True)
    click.echo(report.summary(), err=True)
    return index


class _progress_bar:
    """A click progress bar on stderr, shown only for long runs on a terminal."""

    def __init__(self) -> None:
        self._bar: Any = None

    def __enter__(self) -> Optional[Callable[[int, int], None]]:
        if not sys.stderr.isatty():
            return None
        return self._update

    def _update(self, done: int, total: int) -> None:
        if self._bar is not None and total != self._bar.length:  # the next step: stories made again
            self.__exit__()
            self._bar = None
        if self._bar is None:
            if total < PROGRESS_MIN_FILES:
                return
            self._bar = click.progressbar(length=total, label="indexing", file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._bar.pos)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
