"""A story's versions: ``Index.story`` and ``searchkit story`` list an article's near-duplicate rewrites in
date order, each with a word-level diff of headline and body against the version before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import searchkit
from searchkit.cli.commands import main
from searchkit.text import wordiff
from searchkit.text.wordiff import word_diff

from conftest import write_seed

#: A wire story written for these tests (a corpus the project may ship), rewritten below.
LEAD = ("Rain fell across the Bahia cocoa zone all week, easing the drought that began in early January and "
        "lifting hopes for the coming mid-year crop, although soil moisture is still not normal, a local "
        "exporter said in its weekly review.")
FIGURES = "Arrivals are put at 1.5 mln bags against 1.2 mln a year earlier."


def new_text(edits) -> str:
    return "".join(edit.text for edit in edits if edit.op != "delete")


def old_text(edits) -> str:
    return "".join(edit.text for edit in edits if edit.op != "insert")


def changed(edits) -> list[tuple[str, str]]:
    return [(edit.op, edit.text.strip()) for edit in edits if edit.op != "equal"]


# The diff ------------------------------------------------------------------------------------------------

def test_a_new_lead_and_a_corrected_figure_are_the_only_changes():
    old = f"{LEAD}\n{FIGURES}"
    new = f"Cocoa growers welcomed the rain.\n{LEAD}\n{FIGURES.replace('1.5 mln', '1.7 mln')}"
    edits = word_diff(old, new)
    assert changed(edits) == [("insert", "Cocoa growers welcomed the rain."), ("delete", "1.5"),
                              ("insert", "1.7")]
    assert new_text(edits) == new and old_text(edits) == old


def test_the_edits_read_back_as_either_text_with_whitespace_tidied():
    old = "Profit  rose 5 pct.\n\n  Shares fell   sharply."
    new = "Net profit rose 6 pct.\nShares fell."
    edits = word_diff(old, new)
    assert new_text(edits) == "Net profit rose 6 pct.\nShares fell."
    assert old_text(edits) == "Profit rose 5 pct.\n\nShares fell sharply."


def test_rewrapped_text_is_no_change_and_empty_texts_diff_to_nothing_or_everything():
    assert changed(word_diff("one two three", "one   two three")) == []
    assert word_diff("", "") == ()
    assert changed(word_diff("", "all new")) == [("insert", "all new")]
    assert changed(word_diff("all gone", "")) == [("delete", "all gone")]


def test_a_text_too_long_to_align_word_by_word_is_compared_line_by_line(monkeypatch):
    monkeypatch.setattr(wordiff, "MAX_WORDS", 10)
    old = "a b c d e f\ng h i j k l\nm n o"
    new = "a b c d e f\ng h X j k l\nm n o"
    edits = word_diff(old, new)
    assert changed(edits) == [("delete", "g h i j k l"), ("insert", "g h X j k l")]
    assert new_text(edits) == new and old_text(edits) == old


# The library ---------------------------------------------------------------------------------------------

@pytest.fixture
def wire(tmp_path: Path):
    """The cocoa review and two rewrites on the following days (a new lead; a corrected figure), plus an
    unrelated article."""
    seeds = tmp_path / "seeds"
    write_seed(seeds, "cocoa", "1987-02-26", "Bahia cocoa review", f"{LEAD}\n{FIGURES}")
    write_seed(seeds, "cocoa-update2", "1987-02-28", "UPDATE 2: Bahia cocoa review",
               f"Cocoa growers welcomed the rain.\n{LEAD}\n{FIGURES.replace('1.5 mln', '1.7 mln')}")
    write_seed(seeds, "cocoa-update1", "1987-02-27", "UPDATE 1: Bahia cocoa review",
               f"Cocoa growers welcomed the rain.\n{LEAD}\n{FIGURES}")
    write_seed(seeds, "copper", "1987-03-02", "Copper output rises", "Chile mined more copper in February.")
    index = searchkit.open_index(tmp_path / "index", create=True)
    index.update(seeds)
    yield index
    index.close()


def test_a_story_lists_its_versions_oldest_first_with_what_changed_since_the_one_before(wire):
    story = wire.story("cocoa-update2")
    assert isinstance(story, searchkit.Story) and story.id == "cocoa"
    assert [version.article.id for version in story] == ["cocoa", "cocoa-update1", "cocoa-update2"]
    first, second, third = story.versions
    assert first.changes is None
    assert changed(second.changes.headline) == [("insert", "UPDATE 1:")]
    assert changed(second.changes.body) == [("insert", "Cocoa growers welcomed the rain.")]
    assert changed(third.changes.headline) == [("delete", "1:"), ("insert", "2:")]  # words as spaced
    assert changed(third.changes.body) == [("delete", "1.5"), ("insert", "1.7")]
    assert (third.changes.words_added, third.changes.words_dropped) == (2, 2)
    assert wire.story("cocoa") == story  # every version names the same story


def test_an_article_without_rewrites_is_a_story_of_one_version(wire):
    story = wire.story("copper")
    assert len(story) == 1 and story.articles == (wire.get("copper"),) and story.versions[0].changes is None


def test_an_unknown_id_raises_and_a_prefix_is_taken_when_asked(wire):
    with pytest.raises(searchkit.ArticleNotFoundError, match="no article with id 'cocoa-update9'"):
        wire.story("cocoa-update9")
    with pytest.raises(searchkit.ArticleNotFoundError):
        wire.story("copp")
    assert wire.story("copp", prefix=True).id == "copper"
    with pytest.raises(searchkit.ArticleNotFoundError) as ambiguous:
        wire.story("cocoa-up", prefix=True)
    assert ambiguous.value.candidates == ("cocoa-update1", "cocoa-update2")


# The CLI -------------------------------------------------------------------------------------------------

def run(index, *args: str):
    return CliRunner().invoke(main, ["story", *args, "--index", str(index.path)])


def test_story_prints_each_version_and_its_changes_in_wdiff_marks(wire):
    result = run(wire, "cocoa-update1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "story cocoa: 3 versions"
    assert "1. 1987-02-26  cocoa  Bahia cocoa review" in lines
    assert "   headline: {+UPDATE 1:+} Bahia cocoa review" in lines
    assert ("   body: {+Cocoa growers welcomed the rain.+} Rain fell across the Bahia cocoa ..."
            in lines)
    assert "   +7 words, -0 words" in lines and "   +2 words, -2 words" in lines
    assert "   headline: UPDATE [-1:-] {+2:+} Bahia cocoa review" in lines
    assert ("   body: ... weekly review. Arrivals are put at [-1.5-] {+1.7+} mln bags against 1.2 mln a ..."
            in lines)


def test_story_json_is_the_versions_with_their_edits(wire):
    result = run(wire, "cocoa", "--json")
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert body["id"] == "cocoa" and [v["id"] for v in body["versions"]] == ["cocoa", "cocoa-update1",
                                                                              "cocoa-update2"]
    assert body["versions"][0]["changes"] is None
    assert body["versions"][0]["body"] == wire.get("cocoa").body
    assert body["versions"][2]["changes"]["headline"] == [
        {"op": "equal", "text": "UPDATE"}, {"op": "delete", "text": " 1:"}, {"op": "insert", "text": " 2:"},
        {"op": "equal", "text": " Bahia cocoa review"}]


def test_story_of_an_unknown_id_is_one_line_and_exit_1_as_show(wire):
    for command in ("story", "show"):
        result = CliRunner().invoke(main, [command, "nope", "--index", str(wire.path)])
        assert (result.exit_code, result.stderr) == (1, "error: no article with id 'nope'\n")
    result = run(wire, "cocoa-up")
    assert result.exit_code == 1
    assert result.stderr == ("error: several articles have ids starting with 'cocoa-up' (cocoa-update1, "
                             "cocoa-update2); give more of the id\n")
    assert run(wire, "copp").stdout.startswith("story copper: 1 version (no near-duplicate rewrites)")
