"""Library articles and seed files never replace each other silently: ``add()`` of an id a seed file
owns is refused, naming the file, and a seed file whose id a library article holds is skipped with a
line in the report (update and rebuild alike), the library's article kept."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from click.testing import CliRunner

import searchkit
from searchkit import Article, SeedOwnedArticleError
from searchkit.cli.commands import main

from conftest import write_seed

MINE = Article("zinc", dt.date(2021, 3, 4), "Zinc output rises", "Our own desk's zinc story.")


def test_adding_an_article_under_a_seed_files_id_is_refused_naming_the_file(index, seeds):
    before = index.get("pink")
    with pytest.raises(SeedOwnedArticleError) as refused:
        index.add_many([MINE, Article("pink", dt.date(2021, 1, 1), "Mine", "Replacing the seed")])
    assert str(refused.value) == (f"article 'pink' is read from seed file {seeds / 'pink.txt'}: edit that "
                                  "file, or add the article under another id")
    assert refused.value.path == seeds / "pink.txt"
    assert index.get("pink") == before  # nothing written, the other article of the batch neither
    with pytest.raises(searchkit.ArticleNotFoundError):
        index.get("zinc")


@pytest.mark.parametrize("write", ["update", "rebuild"])
def test_a_seed_file_with_a_library_articles_id_is_skipped_and_the_library_article_kept(
        index, seeds, write):
    index.add(MINE)
    index.add_alert("zinc", "zinc")
    index.check_alerts()
    write_seed(seeds, "zinc", "2021-05-05", "Zinc from the wire", "A wire story about zinc.")
    report = getattr(index, write)(seeds)
    (skipped,) = report.skipped
    assert skipped.path == seeds / "zinc.txt"
    assert "its id 'zinc' belongs to an article added through the library (Index.add), which is kept" \
        in str(skipped)
    assert index.get("zinc") == dataclasses.replace(MINE, language="en")
    assert index.check_alerts() == {"zinc": []}  # nothing new fired
    again = index.update(seeds)
    assert [problem.path for problem in again.skipped] == [seeds / "zinc.txt"]  # said every time
    assert index.get("zinc") == dataclasses.replace(MINE, language="en")


def test_the_cli_reports_the_skipped_file_and_exits_with_the_skip_status(tmp_path, seeds):
    folder = tmp_path / "index"
    index = searchkit.open_index(folder, create=True)
    index.update(seeds)
    index.add(MINE)
    index.close()
    write_seed(seeds, "zinc", "2021-05-05", "Zinc from the wire", "A wire story about zinc.")
    result = CliRunner().invoke(main, ["index", "--index", str(folder), "--seeds", str(seeds)])
    assert result.exit_code == 3
    assert f"skipped {seeds / 'zinc.txt'}: its id 'zinc' belongs to an article added through the library" \
        in result.output
