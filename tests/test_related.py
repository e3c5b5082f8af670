"""Related stories: other articles on the same story's subject, best first, never the article itself or
a rewrite of it; unknown ids fail as ``show`` does."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

import searchkit
from searchkit.cli.commands import main
from searchkit.errors import ArticleNotFoundError

from conftest import write_seed

SOURCE = ("Zinc smelter strike halts output in Peru",
          "Workers at the Cajamarquilla zinc smelter in Peru went on strike on Monday, halting refined zinc "
          "output. The smelter produces a large share of the country's zinc, and traders said zinc prices "
          "rose on the London Metal Exchange as stocks of refined metal fell.")
REWRITE = ("Peru zinc smelter strike halts output",
           "Workers at the Cajamarquilla zinc smelter in Peru went on strike on Monday, halting refined zinc "
           "output. The smelter produces a large share of the country's zinc, and dealers said zinc prices "
           "rose on the London Metal Exchange as stocks of refined metal fell.")
RELATED = {
    "peru-talks": ("Peru smelter strike talks resume",
                   "Union leaders and the owners of the Cajamarquilla zinc smelter met again to end the "
                   "strike that halted refined zinc output."),
    "lme-zinc": ("Zinc climbs on the London Metal Exchange",
                 "Zinc prices rose as refined metal stocks fell, with traders pointing to supply worries "
                 "from smelter strikes in Peru."),
}
TOPICS = ["coffee", "wheat", "cocoa", "sugar", "oil", "gold", "copper", "rubber", "tin", "cotton",
          "soybeans", "barley", "rice", "silver", "lumber", "pork", "cattle", "corn", "oats", "palm"]


@pytest.fixture
def newsroom(tmp_path):
    """The source story, a wire rewrite of it, two related stories and 40 others."""
    seeds = tmp_path / "seeds"
    write_seed(seeds, "source", "1987-06-01", *SOURCE)
    write_seed(seeds, "rewrite", "1987-06-01", *REWRITE)
    for name, (headline, body) in RELATED.items():
        write_seed(seeds, name, "1987-06-03", headline, body)
    for number in range(40):
        topic = TOPICS[number % len(TOPICS)]
        write_seed(seeds, f"other-{number:02d}", "1987-05-01", f"{topic.title()} harvest report {number}",
                   f"Growers said the {topic} harvest was good this season, report {number} said.")
    index = searchkit.open_index(tmp_path / "index", create=True)
    index.update(seeds)
    yield index
    index.close()


def test_related_finds_the_other_stories_not_the_article_or_its_rewrite(newsroom):
    results = newsroom.related("source")
    found = [hit.id for hit in results]
    assert set(found) == set(RELATED)
    assert "source" not in found and "rewrite" not in found
    assert results.total >= len(RELATED)


def test_a_related_story_published_twice_is_listed_once_with_its_other_version(newsroom, tmp_path):
    headline, body = RELATED["peru-talks"]
    write_seed(tmp_path / "seeds", "peru-talks-again", "1987-06-04", headline,
               body.replace("met again", "met once more"))
    newsroom.update(tmp_path / "seeds")
    assert newsroom.story_of("peru-talks") == ("peru-talks-again",)
    results = newsroom.related("source")
    shown = {hit.id: hit.similar for hit in results}
    assert len(shown) == len(RELATED)
    story = shown.get("peru-talks", shown.get("peru-talks-again"))
    assert story in (("peru-talks-again",), ("peru-talks",))


def test_undetected_and_english_articles_are_related_to_each_other(newsroom):
    # An undetected article is analysed as English, so it and English stories relate both ways.
    newsroom.add(searchkit.Article(
        "peru-union", dt.date(1987, 6, 5), "Cajamarquilla union calls new smelter strike",
        "The union at the Cajamarquilla zinc smelter in Peru called a new strike over refined zinc output "
        "bonuses, days after talks with the owners resumed.", language="und"))
    assert "peru-union" in {hit.id for hit in newsroom.related("source")}
    assert {"source", "rewrite", "peru-talks"} & {hit.id for hit in newsroom.related("peru-union")}


def test_related_respects_the_limit(newsroom):
    assert len(newsroom.related("source", limit=1).hits) == 1


def test_an_unknown_id_is_an_error(newsroom):
    with pytest.raises(ArticleNotFoundError):
        newsroom.related("nope")


def test_cli_related_text_json_and_exit_codes(newsroom):
    where = ["--index", str(newsroom.path)]
    runner = CliRunner()
    shown = runner.invoke(main, ["related", "source", *where], catch_exceptions=False)
    assert shown.exit_code == 0 and shown.stdout.startswith("showing 1-2 of ")
    data = json.loads(runner.invoke(main, ["related", "source", "--json", *where]).stdout)
    assert {hit["id"] for hit in data["hits"]} == set(RELATED) and data["query"] == "related:source"
    missing = runner.invoke(main, ["related", "nope", *where])
    assert missing.exit_code == 1 and missing.stderr == "error: no article with id 'nope'\n"


def test_the_start_of_an_id_will_do_as_for_show_and_story(newsroom):
    """``related`` takes what ``show`` and ``story`` take: a start only one article's id has."""
    assert newsroom.related("sour", prefix=True) == newsroom.related("source")
    with pytest.raises(ArticleNotFoundError):
        newsroom.related("sour")  # the library asks for the whole id unless told otherwise
    where = ["--index", str(newsroom.path)]
    runner = CliRunner()
    by_start = runner.invoke(main, ["related", "sour", "--json", *where])
    assert by_start.exit_code == 0
    assert json.loads(by_start.stdout) == json.loads(runner.invoke(main, ["related", "source", "--json",
                                                                          *where]).stdout)
    ambiguous = runner.invoke(main, ["related", "other-0", *where])
    assert ambiguous.exit_code == 1 and "other-00" in ambiguous.stderr and "other-01" in ambiguous.stderr
