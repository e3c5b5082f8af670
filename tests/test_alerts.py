"""Saved searches: refused when bad, their new matches reported by every write, listed once by a check,
kept across rebuilds and engine changes, and never able to stop indexing."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
from click.testing import CliRunner

import searchkit
from searchkit.cli.commands import main
from searchkit.errors import AlertExistsError, AlertNotFoundError, QuerySyntaxError

from conftest import write_seed


def ids(matches) -> list[str]:
    return sorted(match.id for match in matches)


def test_a_saved_search_is_checked_when_added(index):
    saved = index.add_alert("pop", 'pink OR "kelly clarkson"')
    assert (saved.name, saved.query, saved.plain) == ("pop", 'pink OR "kelly clarkson"', False)
    with pytest.raises(QuerySyntaxError):
        index.add_alert("broken", 'pink "oops')
    with pytest.raises(AlertExistsError):
        index.add_alert("pop", "anything")
    assert [s.name for s in index.alerts()] == ["pop"]
    index.remove_alert("pop")
    assert index.alerts() == []
    with pytest.raises(AlertNotFoundError):
        index.remove_alert("pop")


def test_an_update_reports_new_and_changed_matches_and_a_check_lists_them_once(index, seeds):
    index.add_alert("tour", "tour OR tours")
    write_seed(seeds, "new-tour", "2018-02-01", "Pink announces a tour", "Dates in the spring.")
    write_seed(seeds, "unrelated", "2018-02-02", "Cocoa harvest", "Rain in Bahia.")
    report = index.update(seeds)
    assert list(report.alerts) == ["tour"] and ids(report.alerts["tour"]) == ["new-tour"]
    assert ids(index.check_alerts()["tour"]) == ["new-tour"]
    assert index.check_alerts() == {"tour": []}  # handed out once
    (seeds / "clarkson.txt").write_text("date 2018-01-05 Clarkson announces a tour\nNew dates added.\n")
    assert ids(index.update(seeds).alerts["tour"]) == ["clarkson"]  # changed content, still matching
    os.utime(seeds / "clarkson.txt", ns=(1, 1))
    assert index.update(seeds).alerts == {}  # a new mtime alone is not news


def test_alert_matches_are_exactly_what_the_engine_finds(tmp_path, seeds):
    queries = {"phrase": '"kelly clarkson"', "prefix": "hurt*", "field": "headline:clarkson",
               "dates": "date:[2017-01-01 TO 2017-12-31]", "not": "pink -clarkson", "or": "cocoa OR mayor",
               "wild": "cl?rkson", "slop": '"pink responders"~6'}
    index = searchkit.open_index(tmp_path / "index", create=True)
    for name, query in queries.items():
        index.add_alert(name, query)
    index.update(seeds)  # every article is new
    found = index.check_alerts()
    for name, query in queries.items():
        assert ids(found[name]) == sorted(hit.id for hit in index.search(query, limit=100)), name


def test_alerts_survive_rebuilds_and_a_rebuild_reports_only_what_changed(index, seeds):
    index.add_alert("clarkson", "clarkson")
    assert index.rebuild(seeds).alerts == {}  # same articles: nothing new
    write_seed(seeds, "later", "2019-01-01", "Clarkson returns", "Kelly Clarkson is back.")
    assert ids(index.rebuild(seeds).alerts["clarkson"]) == ["later"]
    assert [s.name for s in index.alerts()] == ["clarkson"]


def test_alerts_survive_an_engine_change(tmp_path, seeds):
    pytest.importorskip("tantivy")
    index = searchkit.Index(tmp_path / "index", engine="whoosh")
    index.update(seeds)
    index.add_alert("pink", "pink")
    converted = searchkit.Index(tmp_path / "index", engine="tantivy")
    write_seed(seeds, "pink-news", "2019-03-01", "Pink news", "Pink again.")
    report = converted.rebuild(seeds)
    assert converted.engine == "tantivy" and ids(report.alerts["pink"]) == ["pink-news"]


def test_library_additions_are_percolated_too(index):
    index.add_alert("zinc", "zinc")
    index.add(searchkit.Article(id="wire/1", date=dt.date(2020, 1, 1), headline="Zinc prices",
                                body="Zinc rose."))
    assert ids(index.check_alerts()["zinc"]) == ["wire/1"]


def test_damaged_alert_state_is_named_and_never_blocks_indexing(index, seeds):
    index.add_alert("pink", "pink")
    (index.path / "alerts.sqlite").write_bytes(b"this is not a database" * 100)
    write_seed(seeds, "fresh", "2020-01-01", "Fresh pink", "Pink.")
    report = index.update(seeds)
    assert report.added == 1 and "fresh" in index
    assert "alerts.sqlite" in report.alerts_problem and "unusable" in report.alerts_problem


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_alert_commands_and_index_output(tmp_path, seeds):
    where = ["--index", str(tmp_path / "index")]
    assert run("index", "--seeds", str(seeds), *where).exit_code == 0
    added = run("alert", "add", "pop", "pink", "OR", "clarkson", *where)
    assert added.exit_code == 0 and added.stdout == "saved pop: pink OR clarkson\n"
    bad = run("alert", "add", "bad", 'pink "oops', *where)
    assert bad.exit_code == 2 and "unbalanced quote" in bad.stderr
    again = run("alert", "add", "pop", "x", *where)
    assert again.exit_code == 2 and "exists already" in again.stderr
    listed = json.loads(run("alert", "list", "--json", *where).stdout)
    assert [a["name"] for a in listed["alerts"]] == ["pop"]
    write_seed(seeds, "gig", "2019-05-05", "Pink plays Berlin", "A pink night.")
    indexed = run("index", "--seeds", str(seeds), *where)
    assert indexed.stdout.splitlines()[1:] == ["alert pop: 1 new match",
                                               "  2019-05-05  Pink plays Berlin  [gig]"]
    checked = run("alert", "check", "--json", *where)
    assert checked.exit_code == 0
    assert [m["id"] for m in json.loads(checked.stdout)["alerts"]["pop"]] == ["gig"]
    assert run("alert", "check", *where).exit_code == 1  # nothing new since
    assert run("alert", "remove", "nope", *where).exit_code == 2
    assert run("alert", "remove", "pop", *where).stdout == "removed pop\n"


def test_cli_warns_about_damaged_alert_state_and_still_indexes(tmp_path, seeds):
    where = ["--index", str(tmp_path / "index")]
    run("index", "--seeds", str(seeds), *where)
    run("alert", "add", "pop", "pink", *where)
    (tmp_path / "index" / "alerts.sqlite").write_bytes(b"garbage" * 1000)
    write_seed(seeds, "more", "2021-01-01", "More pink", "Pink.")
    result = run("index", "--seeds", str(seeds), *where)
    assert result.exit_code == 0 and result.stdout.startswith("added 1,")
    assert result.stderr.startswith("warning: saved searches at ") and "alerts.sqlite" in result.stderr
    listed = run("alert", "list", *where)
    assert listed.exit_code == 2 and "alerts.sqlite" in listed.stderr



def test_relative_dates_in_a_saved_search_count_from_the_day_of_each_write(index, seeds):
    index.add_alert("recent tours", 'tour date:"last 3 days"')
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()  # inside the window even past midnight
    write_seed(seeds, "fresh", yesterday, "Pink announces a tour", "Dates in the spring.")
    write_seed(seeds, "stale", "2000-01-01", "Cher announces a tour", "Dates in the autumn.")
    assert ids(index.update(seeds).alerts["recent tours"]) == ["fresh"]


def test_a_percolation_resolves_relative_dates_on_its_own_day(tmp_path):
    from searchkit.articles import Article
    from searchkit.news.alerts import AlertStore

    store = AlertStore(tmp_path)
    store.add("last week", 'date:"last week"')
    articles = [Article(name, dt.date.fromisoformat(day), "Headline", "Body.")
                for name, day in (("sunday", "2024-03-03"), ("monday", "2024-03-04"),
                                  ("before", "2024-02-25"))]
    assert ids(store.percolate(articles, now=dt.date(2024, 3, 6))["last week"]) == ["sunday"]
    assert ids(store.percolate(articles, now=dt.date(2024, 3, 11))["last week"]) == ["monday"]
