"""The CLI through click's CliRunner: exact output and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from searchkit.cli import output
from searchkit.cli.commands import main

from conftest import ARTICLES, REPO


@pytest.fixture
def run(tmp_path, seeds, monkeypatch):
    """Run the CLI with SEARCHKIT_SEEDS/SEARCHKIT_INDEX pointing at temporary folders."""
    monkeypatch.setenv("SEARCHKIT_SEEDS", str(seeds))
    monkeypatch.setenv("SEARCHKIT_INDEX", str(tmp_path / "index"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_index_summary_and_exit_code(run):
    result = run("index")
    assert result.exit_code == 0
    assert result.stdout.startswith("added 5, updated 0, removed 0, unchanged 0, skipped 0 in ")
    result = run("index", "--json")
    report = json.loads(result.stdout)
    assert report["unchanged"] == 5 and report["skipped"] == [] and report["rebuilt"] is False


def test_index_with_a_bad_file_names_it_and_exits_3(run, seeds):
    (seeds / "bad.txt").write_text("no date line here\n")
    result = run("index")
    assert result.exit_code == 3
    assert result.stderr == f"skipped {seeds / 'bad.txt'}: first line is not 'date YYYY-MM-DD <headline>'\n"
    assert "added 5," in result.stdout and "skipped 1 in" in result.stdout


def test_query_builds_the_index_on_first_use(run, tmp_path):
    result = run("query", "Everybody", "Hurts")
    assert result.exit_code == 0
    assert result.stderr.startswith(f"no index at {tmp_path / 'index'} yet: building it from ")
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "showing 1-2 of 2",
        "",
        "1. Everybody Hurts tops the chart again",
        "   2017-06-02  hurts",
    ]
    assert lines[6] == "2. Pink and Kelly Clarkson open the awards"
    assert lines[8] == '   Pink sang "Everybody Hurts" by R.E.M. while first responders watched.'
    assert run("query", "Everybody Hurts").stderr == ""  # built once


def test_query_json_is_one_object_with_the_documented_keys(run):
    run("index")
    result = run("query", "clarkson", "--json", "--limit", "1")
    data = json.loads(result.stdout)
    assert set(data) == {"query", "total", "stories", "offset", "hits", "suggestion", "corrected"}
    assert (data["query"], data["total"], data["stories"], data["offset"], data["suggestion"]) == (
        "clarkson", 2, 2, 0, None)
    (hit,) = data["hits"]
    assert set(hit) == {"id", "date", "headline", "score", "snippet", "path", "similar"}
    assert hit["similar"] == []
    assert hit["date"] in {ARTICLES["pink"][0], ARTICLES["clarkson"][0]}


def test_query_exit_status_like_grep(run):
    run("index")
    assert run("query", "cocoa").exit_code == 0
    nothing = run("query", "clarksn", "--no-autocorrect")
    assert nothing.exit_code == 1
    assert nothing.stdout == "no articles matched\ndid you mean: clarkson\n"
    offered = json.loads(run("query", "clarksn", "--json", "--no-autocorrect").stdout)
    assert offered["suggestion"] == "clarkson"
    assert run("query", "zzqx").exit_code == 1


def test_a_misspelt_query_shows_the_suggestions_results_and_says_so(run):
    run("index")
    shown = run("query", "clarksn")
    assert shown.exit_code == 0
    assert shown.stdout.splitlines()[:2] == ["no articles matched clarksn; showing results for: clarkson",
                                             "(search for the query as typed with --no-autocorrect)"]
    assert "Kelly Clarkson" in shown.stdout
    data = json.loads(run("query", "clarksn", "--json").stdout)
    assert (data["query"], data["suggestion"], data["corrected"], data["total"]) == (
        "clarksn", "clarkson", True, 2)


def test_syntax_error_shows_a_caret_and_exits_2(run):
    run("index")
    result = run("query", 'pink "oops')
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: unbalanced quote at position 6\n"
        '  pink "oops\n'
        "       ^\n"
        "hint: use --plain to search for the words as typed\n"
    )
    assert run("query", "--plain", 'pink "oops').exit_code == 1  # searched, found nothing


def test_json_errors_are_one_object_on_stdout_with_the_same_exit_codes(run, tmp_path):
    run("index")
    syntax = run("query", "--json", 'pink "oops')
    assert syntax.exit_code == 2
    assert json.loads(syntax.stdout) == {"error": "unbalanced quote at position 6", "position": 6}
    assert syntax.stderr.startswith("error: unbalanced quote at position 6\n")  # humans still see it
    bad_date = run("query", "--json", "pink", "--since", "01/02/2017")
    assert bad_date.exit_code == 2
    assert json.loads(bad_date.stdout)["position"] is None
    assert json.loads(bad_date.stdout)["error"].startswith("--since: invalid date '01/02/2017'")
    missing = run("show", "--json", "nope")
    assert missing.exit_code == 1
    assert json.loads(missing.stdout) == {"error": "no article with id 'nope'", "position": None}
    no_index = run("stats", "--json", "--index", str(tmp_path / "nowhere"))
    assert no_index.exit_code == 2 and json.loads(no_index.stdout)["error"].startswith("no index")


def test_paging_sort_and_dates(run):
    run("index")
    result = run("query", "date:[1900 TO 2100]", "--sort", "oldest", "--limit", "2", "--page", "2")
    assert result.stdout.splitlines()[0] == "showing 3-4 of 5"
    assert "   2017-06-02  hurts" in result.stdout
    result = run("query", "clarkson", "--since", "1 Jan 2018", "--json")
    assert [h["id"] for h in json.loads(result.stdout)["hits"]] == ["clarkson"]
    bad = run("query", "clarkson", "--since", "01/02/2017")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("error: --since: invalid date '01/02/2017': ambiguous")


def test_relative_dates_count_from_now(run):
    """2017-11-20 is a Monday: last week is 13 to 19 November, which holds only "pink" (the 18th)."""
    run("index")

    def found(*args: str) -> list[str]:
        result = run("query", *args, "--sort", "oldest", "--json")
        return [hit["id"] for hit in json.loads(result.stdout)["hits"]]

    assert found('date:"last week"', "--now", "2017-11-20") == ["pink"]
    assert found("*", "--since", "last week", "--until", "last week", "--now", "2017-11-20") == ["pink"]
    assert found("*", "--since", "yesterday", "--now", "2017-11-19") == ["pink", "clarkson"]
    assert found("*", "--since", "since sunday", "--now", "2017-11-20") == ["clarkson"]
    assert found("date:yesterday", "--now", "2018-01-06") == ["clarkson"]
    assert found('date:>"last year"', "--now", "2017-03-01") == ["hurts", "pink", "clarkson"]
    explained = run("query", "--explain", "date:yesterday", "--now", "2017-11-19")
    assert explained.stdout.splitlines()[0] == "query tree:   date:[2017-11-18 TO 2017-11-18]"


def test_bad_relative_dates_are_one_line_errors_with_the_forms(run):
    run("index")
    forms = ("today, yesterday, a weekday (monday), N days/weeks/months/years ago, last N days, "
             "last/this week/month/year")
    bad_since = run("query", "pink", "--since", "lst week")
    assert bad_since.exit_code == 2
    assert bad_since.stderr == ("error: --since: invalid date 'lst week': not a date (use YYYY-MM-DD, "
                                f"18 Nov 2017, YYYY-MM, YYYY, or {forms})\n")
    bad_now = run("query", "pink", "--now", "someday", "--json")
    assert bad_now.exit_code == 2
    assert json.loads(bad_now.stdout)["error"].startswith("--now: invalid date 'someday': not a date (use ")
    bad_query = run("query", "--json", 'pink date:"lst week"')
    assert bad_query.exit_code == 2
    assert json.loads(bad_query.stdout) == {
        "error": f"not a date: 'lst week' (use YYYY, YYYY-MM, YYYY-MM-DD, or {forms}) at position 11",
        "position": 11}
    unquoted = run("query", "pink", "date:last", "week")
    assert unquoted.exit_code == 2
    assert unquoted.stderr.startswith('error: quote a date of several words: date:"last week" at position 11')


def test_explain(run):
    run("index")
    result = run("query", "--explain", "headline:pink")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "query tree:   headline:pink"
    assert result.stdout.splitlines()[1].startswith("engine query: ")


def test_show(run):
    run("index")
    result = run("show", "cocoa")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == ["Bahia cocoa review", "1987-02-26  cocoa"]
    assert result.stdout.rstrip().endswith("Showers continued throughout the week in the Bahia cocoa zone.")
    data = json.loads(run("show", "cocoa", "--json").stdout)
    assert data["headline"] == "Bahia cocoa review" and data["date"] == "1987-02-26"
    missing = run("show", "nope")
    assert missing.exit_code == 1 and missing.stderr == "error: no article with id 'nope'\n"


def test_stats(run, seeds):
    run("index")
    result = run("stats")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == ["articles      5", "dates         1987-02-26 to 2018-01-05"]
    data = json.loads(run("stats", "--json").stdout)
    assert data["articles"] == 5 and data["per_year"] == {"1987": 1, "2016": 1, "2017": 2, "2018": 1}
    assert data["seeds_dir"] == str(seeds.resolve())


def test_commands_on_a_missing_index_exit_2(run):
    result = run("stats")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: no index at ") and "run 'searchkit index'" in result.stderr


def test_missing_seeds_folder_exits_2(run, tmp_path):
    result = run("index", "--seeds", str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert result.stderr == f"error: seeds folder not found: {tmp_path / 'nope'}\n"


def test_matches_are_bold_on_a_terminal_only():
    assert output.mark_snippet("a **b** c", color=False) == "a b c"
    assert output.mark_snippet("a **b** c", color=True) == "a \x1b[1mb\x1b[0m c"


def test_no_color_is_respected(monkeypatch):
    from searchkit.cli import options

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert options.color() is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert options.color() is False


def test_every_command_has_help_and_a_readme_entry():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    context = click.Context(main)
    for name in main.list_commands(context):  # the news commands too, which load when asked for
        command = main.get_command(context, name)
        assert command is not None and command.help, name
        assert f"searchkit {name}" in readme, name
        assert CliRunner().invoke(main, [name, "--help"]).exit_code == 0


def test_python_dash_m_and_the_first_command_of_the_readme(tmp_path):
    """The newcomer's command on the shipped seeds, in a fresh folder, as a real process."""
    env = {**os.environ, "SEARCHKIT_SEEDS": str(REPO / "seeds"), "SEARCHKIT_INDEX": str(tmp_path / "ix")}
    result = subprocess.run([sys.executable, "-m", "searchkit", "query", "Everybody Hurts"],
                            capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[2] == \
        "1. Kelly Clarkson and Pink Slay Their Opening Performance at 2017 American Music Awards"


def test_a_query_starts_without_the_code_that_writes(run, tmp_path):
    """A cold `searchkit query` pays for every module it imports: writing, saved searches and the
    percolator are left to the commands that use them (benchmarks/results/scale.md times the cold query)."""
    assert run("index").exit_code == 0
    script = ("import sys\nfrom searchkit.cli.commands import main\n"
              "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
              "print(' '.join(m for m in sys.modules if m.startswith('searchkit.')))")
    command = [sys.executable, "-c", script, "query", "hurts", "--index", str(tmp_path / "index")]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    loaded = set(result.stdout.splitlines()[-1].split())
    assert "searchkit.index.facade" in loaded and "searchkit.results" in loaded  # it did search
    writing = {"searchkit.index.updating", "searchkit.news.alerts", "searchkit.query.matching"}
    assert loaded.isdisjoint(writing)


def test_serve_without_its_extra_names_the_pip_command(run, monkeypatch):
    for name in [m for m in sys.modules if m == "fastapi" or m.startswith(("fastapi.", "searchkit.serve"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "fastapi", None)
    result = run("serve")
    assert result.exit_code == 2
    assert result.stderr == ("error: searchkit serve needs its extra (fastapi is missing): "
                             "pip install 'searchkit[serve]'\n")


def test_serve_on_a_port_in_use_is_one_line_and_exit_2(run):
    pytest.importorskip("fastapi")
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run("serve", "--port", str(port))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (f"error: cannot listen on 127.0.0.1:{port}: "
                                              "Address already in use")


def test_no_match_outside_the_index_s_dates_says_the_dates_it_holds(run):
    assert run("index").exit_code == 0
    text = run("query", "pink", "--since", "2030")
    assert (text.exit_code, text.output) == (
        1, "no articles matched: the index holds articles dated 1987-02-26 to 2018-01-05\n")
    as_json = json.loads(run("query", "--json", "pink date:1950").stdout)
    assert as_json["index_dates"] == {"first": "1987-02-26", "last": "2018-01-05"}
    assert "index_dates" not in json.loads(run("query", "--json", "zzzunknown").stdout)
