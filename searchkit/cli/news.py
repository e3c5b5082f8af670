"""The news commands of ``searchkit``: related stories, duplicate wires, a story's versions and saved
searches."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click

from searchkit.cli import output
from searchkit.cli.options import (
    EXIT_NO_MATCH,
    EXIT_OK,
    color,
    follow,
    follow_options,
    index_option,
    json_option,
    reports_errors,
)
from searchkit.index.facade import Index, open_index


def register(main: click.Group) -> None:
    """Add the news commands to ``main``."""
    main.add_command(related_command)
    main.add_command(duplicates_command)
    main.add_command(story_command)
    main.add_command(alert_group)


@click.command("related")
@click.argument("article_id")
@index_option
@click.option("--limit", type=click.IntRange(min=1, max=100), default=10, show_default=True)
@json_option
@reports_errors
def related_command(article_id: str, index_dir: Path, limit: int, as_json: bool) -> None:
    """The articles most like ARTICLE_ID: other stories sharing its distinctive words (never the
    article itself or its near-duplicates). ARTICLE_ID may be the start of one article's id; exit 1 for
    an unknown id or when none is found."""
    results = open_index(index_dir).related(article_id, limit=limit, prefix=True)
    if as_json:
        click.echo(output.to_json(output.results_json(results)))
    else:
        click.echo(output.results_text(results, color=color()))
    sys.exit(EXIT_OK if results.hits else EXIT_NO_MATCH)


@click.command("duplicates")
@index_option
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the N largest stories.")
@json_option
@reports_errors
def duplicates_command(index_dir: Path, limit: Optional[int], as_json: bool) -> None:
    """The stories published more than once: near-duplicate rewrites of one story, grouped, largest
    first (docs/duplicates.md). Exit 1 when there are none."""
    found = open_index(index_dir).duplicates(limit=limit)
    if as_json:
        click.echo(output.to_json(output.duplicates_json(found)))
    else:
        click.echo(output.duplicates_text(found))
    sys.exit(EXIT_OK if found else EXIT_NO_MATCH)


@click.command("story")
@click.argument("article_id")
@index_option
@json_option
@reports_errors
def story_command(article_id: str, index_dir: Path, as_json: bool) -> None:
    """Every version of ARTICLE_ID's story (its near-duplicate rewrites) in date order, with what changed
    between consecutive versions: words added {+like this+}, dropped [-like this-]. ARTICLE_ID may be the
    start of one article's id; exit 1 for an unknown id."""
    found = open_index(index_dir).story(article_id, prefix=True)
    click.echo(output.to_json(output.story_json(found)) if as_json else output.story_text(found))


@click.group("alert")
def alert_group() -> None:
    """Saved searches: 'searchkit index' reports their new matches, 'alert check' lists them."""


@alert_group.command("add")
@click.argument("name")
@click.argument("words", nargs=-1, required=True)
@index_option
@click.option("--plain", is_flag=True, help="Treat the query as plain words.")
@follow_options
@reports_errors
def alert_add_command(name: str, words: tuple[str, ...], index_dir: Path, plain: bool,
                      follow_url: Optional[str], follow_name: Optional[str]) -> None:
    """Save QUERY as NAME. The query is checked now; a bad one is refused."""
    follow(index_dir, follow_url, follow_name)
    saved = Index(index_dir).add_alert(name, " ".join(words), plain=plain)
    click.echo(f"saved {saved.name}: {saved.query}")


@alert_group.command("list")
@index_option
@json_option
@follow_options
@reports_errors
def alert_list_command(index_dir: Path, as_json: bool, follow_url: Optional[str],
                       follow_name: Optional[str]) -> None:
    """The saved searches."""
    follow(index_dir, follow_url, follow_name)
    searches = Index(index_dir).alerts()
    if as_json:
        click.echo(output.to_json({"alerts": [output.saved_search_json(s) for s in searches]}))
    elif not searches:
        click.echo("no saved searches ('searchkit alert add NAME QUERY' saves one)")
    else:
        width = max(len(s.name) for s in searches)
        for saved in searches:
            click.echo(f"{saved.name:<{width}}  {saved.query}{'  (plain)' if saved.plain else ''}")


@alert_group.command("remove")
@click.argument("name")
@index_option
@follow_options
@reports_errors
def alert_remove_command(name: str, index_dir: Path, follow_url: Optional[str],
                         follow_name: Optional[str]) -> None:
    """Forget the saved search NAME."""
    follow(index_dir, follow_url, follow_name)
    Index(index_dir).remove_alert(name)
    click.echo(f"removed {name}")


@alert_group.command("check")
@index_option
@json_option
@follow_options
@reports_errors
def alert_check_command(index_dir: Path, as_json: bool, follow_url: Optional[str],
                        follow_name: Optional[str]) -> None:
    """The matches new since the last check, per saved search; exit 1 when there are none."""
    follow(index_dir, follow_url, follow_name)
    found = Index(index_dir).check_alerts()
    if as_json:
        click.echo(output.to_json({"alerts": {name: [output.alert_match_json(m) for m in matches]
                                              for name, matches in found.items()}}))
    else:
        news = {name: matches for name, matches in found.items() if matches}
        click.echo(output.alerts_text(news, every=True) if news else "no new matches")
    sys.exit(EXIT_OK if any(found.values()) else EXIT_NO_MATCH)
