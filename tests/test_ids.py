"""Finding an article by the start of its id, and paging the library as the CLI and the API count."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

import searchkit
from searchkit.cli.commands import main


def test_a_unique_start_of_an_id_finds_the_article_seed_or_library(index):
    index.add(searchkit.Article("wire-2024-0001", dt.date(2024, 1, 2), "Library wire", "Added by code."))
    assert index.get("pin", prefix=True).id == "pink"
    assert index.get("wire-2024", prefix=True).id == "wire-2024-0001"
    with pytest.raises(searchkit.ArticleNotFoundError):
        index.get("pin")  # only when asked: get() of an id is exact


def test_an_exact_id_wins_over_longer_ids_that_start_with_it(index):
    index.add(searchkit.Article("pinkish", dt.date(2024, 1, 2), "Another", "Body."))
    assert index.get("pink", prefix=True).id == "pink"


def test_an_ambiguous_start_names_the_candidates(index):
    index.add(searchkit.Article("cocoa-2", dt.date(2024, 1, 2), "More cocoa", "Body."))
    with pytest.raises(searchkit.ArticleNotFoundError) as raised:
        index.get("coc", prefix=True)
    assert raised.value.candidates == ("cocoa", "cocoa-2")
    assert str(raised.value) == ("several articles have ids starting with 'coc' (cocoa, cocoa-2); "
                                 "give more of the id")


def test_cli_show_takes_a_unique_start_and_names_the_candidates_of_an_ambiguous_one(tmp_path, index):
    runner = CliRunner()
    shown = runner.invoke(main, ["show", "jua", "--index", str(index.path)])
    assert shown.exit_code == 0 and shown.output.startswith("Mayor of Juárez visits the border\n")
    index.add(searchkit.Article("juarez-2", dt.date(2024, 1, 2), "Juárez again", "Body."))
    ambiguous = runner.invoke(main, ["show", "jua", "--index", str(index.path)])
    assert (ambiguous.exit_code, ambiguous.output) == (
        1, "error: several articles have ids starting with 'jua' (juarez, juarez-2); give more of the id\n")
    missing = runner.invoke(main, ["show", "zzz", "--index", str(index.path)])
    assert (missing.exit_code, missing.output) == (1, "error: no article with id 'zzz'\n")


def test_library_search_pages_as_the_cli_counts(index):
    everything = [hit.id for hit in index.search("*", sort="newest", limit=100)]
    assert [hit.id for hit in index.search("*", sort="newest", limit=2, page=2)] == everything[2:4]
    assert index.search("*", limit=2, page=3).offset == 4
    with pytest.raises(searchkit.InvalidOptionError, match="page or offset, not both"):
        index.search("*", page=2, offset=10)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(searchkit.InvalidOptionError, match="page must be a whole number >= 1"):
            index.search("*", page=bad)
