"""Spelling help as a reader meets it: "did you mean" rewrites only the misspelt words of the query as
typed, the suggestion's results are shown when the query as typed finds nothing, and fuzzy words
(``petrolium~``) match near spellings on purpose. Run on the engine under test."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

import searchkit
from searchkit import Article, Fuzzy, QuerySyntaxError, parse
from searchkit.cli.commands import main

ARTICLES = [
    Article("opec", dt.date(1987, 3, 2), "OPEC ministers meet in Vienna",
            "OPEC oil ministers met in Vienna."),
    Article("open1", dt.date(1987, 3, 3), "Markets open higher", "Shares rose at the start of trading."),
    Article("open2", dt.date(1987, 3, 4), "Stores open late", "Shops stay open late for the holidays."),
    Article("crude", dt.date(1987, 3, 5), "Crude oil prices rise", "Crude oil rose a dollar a barrel."),
    Article("petro-march", dt.date(1987, 3, 6), "Petroleum exports grow", "Petroleum exports grew in March."),
    Article("petro-june", dt.date(1987, 6, 9), "Petroleum output falls", "Petroleum output fell in June."),
    Article("mine1", dt.date(1987, 4, 1), "Mine reopens", "The pit reopened after the strike."),
    Article("mine2", dt.date(1987, 4, 2), "Copper mine sold", "The pit was sold to a rival."),
    Article("mile1", dt.date(1987, 4, 3), "Mile record falls", "A runner ran the mile in record time."),
    Article("mile2", dt.date(1987, 4, 4), "Marathon", "Every mile counted, and the last mile most."),
    Article("mile3", dt.date(1987, 4, 5), "Road race", "The final mile was uphill."),
]


@pytest.fixture
def news(tmp_path):
    index = searchkit.open_index(tmp_path / "index", create=True)
    index.add_many(ARTICLES)
    yield index
    index.close()


def suggested(index, query: str) -> str | None:
    return index.search(query, autocorrect=False).suggestion


def test_a_suggestion_keeps_the_dates_fields_phrases_and_exclusions_as_typed(news):
    assert suggested(news, "petrolium date:1987-03") == "petroleum date:1987-03"
    assert suggested(news, '"crude oli"') == '"crude oil"'
    assert suggested(news, "headline:(petrolium OR exprts)") == "headline:(petroleum OR exports)"
    assert suggested(news, "petrolium -opek") == "petroleum -opek"  # an excluded word is the user's
    assert suggested(news, "Petrolium  exports") == "Petroleum  exports"  # case and spacing as typed


def test_of_two_candidates_as_near_the_one_that_sounds_like_the_word_wins(news):
    # "open" is in more headlines than "opec", but "opek" sounds like OPEC.
    assert suggested(news, "headline:opek") == "headline:opec"


def test_candidates_rank_by_how_many_articles_hold_them_in_the_field_asked(news):
    # "mine" heads two articles, "mile" one; but bodies say "mile" three times as often.
    assert suggested(news, "headline:mime") == "headline:mine"
    assert suggested(news, "body:mime") == "body:mile"


def test_a_word_the_field_holds_is_never_rewritten(news):
    # Both words exist; no article holds both: nothing to correct.
    assert suggested(news, "petroleum vienna") is None


def test_nothing_matched_shows_the_suggestions_results_and_says_so(news):
    results = news.search("petrolium date:1987-03")
    assert (results.query, results.suggestion, results.corrected) == (
        "petrolium date:1987-03", "petroleum date:1987-03", True)
    assert [hit.id for hit in results] == ["petro-march"]
    as_typed = news.search("petrolium date:1987-03", autocorrect=False)
    assert (as_typed.total, as_typed.corrected) == (0, False)


def test_a_suggestion_that_finds_nothing_either_is_only_offered(news):
    results = news.search("petrolium vienna")
    assert (results.total, results.suggestion, results.corrected) == (0, "petroleum vienna", False)


def test_fuzzy_words_match_near_spellings_within_their_edits(news):
    def found(query: str) -> set[str]:
        return {hit.id for hit in news.search(query, collapse=False)}

    assert found("petrolium~") == {"petro-march", "petro-june"}
    assert found("petrolium~1 date:1987-06") == {"petro-june"}
    assert found("petrolum~0") == set()  # no edits: the word as typed
    assert found("headline:opek~1") == {"opec", "open1", "open2"}
    assert found("mime~") == {"mine1", "mine2", "mile1", "mile2", "mile3"}
    assert found("ile~") == set()  # one edit from "mile", but the first letter must agree
    assert found("headline:mle~") == {"mile1"}


def test_a_fuzzy_words_snippet_marks_the_spelling_it_matched(news):
    (hit,) = news.search("body:exprts~ date:1987-03").hits
    assert "**exports**" in hit.snippet


def test_fuzzy_words_parse_as_lucene_writes_them():
    assert parse("petrolium~") == Fuzzy("petrolium")
    assert parse("headline:opek~1") == Fuzzy("opek", "headline", 1)
    assert str(parse("opek~2")) == "opek~2"
    with pytest.raises(QuerySyntaxError) as raised:
        parse("oil opek~3")
    assert raised.value.position == 10 and "0, 1 or 2" in str(raised.value)


def test_the_cli_and_json_say_which_results_they_show(tmp_path, news):
    runner = CliRunner()
    folder = str(tmp_path / "index")
    shown = runner.invoke(main, ["query", "--index", folder, "headline:opek"])
    assert shown.exit_code == 0
    assert shown.output.startswith("no articles matched headline:opek; showing results for: headline:opec\n")
    data = json.loads(runner.invoke(main, ["query", "--index", folder, "--json", "headline:opek"]).output)
    assert (data["suggestion"], data["corrected"], [h["id"] for h in data["hits"]]) == (
        "headline:opec", True, ["opec"])
    offered = runner.invoke(main, ["query", "--index", folder, "--no-autocorrect", "headline:opek"])
    assert (offered.exit_code, offered.output) == (1, "no articles matched\ndid you mean: headline:opec\n")


def test_a_suggestion_reads_its_relative_dates_on_the_query_s_day(news):
    results = news.search('petrolium date:"last week"', now="1987-03-11")
    assert (results.suggestion, results.corrected, [hit.id for hit in results]) == (
        'petroleum date:"last week"', True, ["petro-march"])
