"""Tantivy's copy of the stories (searchkit/engines/tantivy/stories.py): collapsing by it gives exactly
what collapsing by searchkit's labels gives, after every kind of write, and a copy out of step or
damaged is never used."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path

import pytest

pytest.importorskip("tantivy")

import searchkit  # noqa: E402
from searchkit.articles import Article  # noqa: E402
from searchkit.engines import get_engine  # noqa: E402
from searchkit.engines.tantivy import stories as tantivy_stories  # noqa: E402
from searchkit.engines.tantivy.stories import FOLDER, FOR_FILE  # noqa: E402
from searchkit.index.request import plan_search  # noqa: E402
from searchkit.news import collapse, stories  # noqa: E402

from conftest import write_seed  # noqa: E402
from test_duplicates import TOPICS, newsroom, rewrite  # noqa: E402

QUERIES = ["*", "copper", "wheat OR yen", "lead", "updated", "story", "bond -cocoa", "headline:tariff",
           "\"story 3\"", "price*",
           # a long prose query: its words' fields as a dis_max, and a reward per distinct word held
           "copper wheat yen story lead updated tariff bond prices"]
PAGES = [(10, 0), (3, 0), (3, 3), (2, 7), (5, 20)]
SORTS = ["relevance", "newest", "oldest"]


class GivenLabels(collapse.LabelCache):
    """Labels handed to collapsing as they are; ``None``: reading them fails the test."""

    def __init__(self, labels: "collapse.StoryLabels | None" = None) -> None:
        super().__init__()
        self.given = labels

    def labels(self, folder: Path) -> collapse.StoryLabels:
        if self.given is None:
            pytest.fail("labels read")
        return self.given


def live_folder(index: searchkit.Index) -> Path:
    return index.path / (index.path / "CURRENT").read_text().strip()


def both_ways(folder: Path, request) -> tuple[object, object]:
    """The collapsed answer to ``request`` by the engine's copy, and by searchkit's labels."""
    reader = get_engine("tantivy").open_reader(folder)
    try:
        assert reader.keeps_stories(), "the copy is out of step with the commit"
        labels = collapse.StoryLabels(stories.read_labels(folder))
        by_copy = collapse.search(reader, request, labels=GivenLabels(), folder=folder, kept=True)
        by_labels = collapse.search(reader, request, labels=GivenLabels(labels), folder=folder, kept=False)
    finally:
        reader.close()
    return tuple(([(h.id, h.similar, h.snippet) for h in answer.hits], answer.stories, answer.first.total)
                 for answer in (by_copy, by_labels))


def assert_same_collapse(folder: Path, queries=QUERIES) -> int:
    """Every query, page, sort and date filter collapses the same both ways; returns how many stories the
    first query's answer hid rewrites of (so a test can tell the comparison was not vacuous)."""
    hidden = 0
    for query, (limit, offset), sort, since in itertools.product(queries, PAGES, SORTS, [None, "2024-03-20"]):
        request = plan_search(query, limit=limit, offset=offset, sort=sort, since=since).request
        by_copy, by_labels = both_ways(folder, request)
        assert by_copy == by_labels, (query, limit, offset, sort, since)
        hidden = max(hidden, by_copy[2] - by_copy[1])
    return hidden


@pytest.fixture
def wire(tmp_path: Path):
    folder = tmp_path / "seeds"
    found = newsroom(folder, count=40)
    index = searchkit.open_index(tmp_path / "index", create=True, engine="tantivy")
    index.update(folder)
    yield index, folder, found
    index.close()


def test_the_copy_collapses_as_the_labels_do(wire):
    index, _, _ = wire
    assert assert_same_collapse(live_folder(index)) > 10


def test_more_shared_stories_than_one_aggregation_holds_are_counted_match_by_match(wire, monkeypatch):
    # Tantivy's terms aggregation returns at most 65,000 stories: past that the copy lists every match.
    index, _, _ = wire
    one_story = {"shared": {"terms": {**tantivy_stories._SHARED["shared"]["terms"], "size": 1}}}
    monkeypatch.setattr(tantivy_stories, "_SHARED", one_story)
    listed = []
    addresses = tantivy_stories.KeptStories._addresses
    monkeypatch.setattr(tantivy_stories.KeptStories, "_addresses",
                        lambda self, query: listed.append(1) or addresses(self, query))
    assert assert_same_collapse(live_folder(index), ["story", "copper", "*"]) > 10
    assert listed


def test_the_copy_follows_each_kind_of_write(wire):
    index, folder, found = wire
    rng = random.Random(7)
    # A rewrite edited out of its story, an original removed (its story split or gone), a new rewrite.
    (folder / f"{found['story02'][1]}.txt").write_text(
        "date 2024-03-07 copper story rewritten whole\n" + " ".join(rng.choice(TOPICS) for _ in range(60)),
        encoding="utf-8")
    (folder / "story05.txt").unlink()
    body = (folder / "story07.txt").read_text(encoding="utf-8").split("\n", 1)[1]
    write_seed(folder, "story07-late", "2024-03-23", "LATE: story 7", rewrite(rng, body))
    report = index.update(folder)
    assert report.stories_problem is None and report.changed
    assert "story07-late" in index.story_of("story07")
    assert not index.story_of(found["story02"][1])
    assert assert_same_collapse(live_folder(index)) > 10
    # Through the library: put and delete.
    index.add(Article("library-7", dt.date(2024, 3, 22), "LIBRARY: story 7", rewrite(rng, body)))
    assert assert_same_collapse(live_folder(index), ["story", "lead"]) > 10
    index.delete("library-7")
    index.delete("story07-late")
    assert "library-7" not in index.story_of("story07")
    assert assert_same_collapse(live_folder(index), ["story", "lead"]) > 10


@pytest.mark.parametrize("read_batch", [4_000, 7])
def test_a_rebuild_makes_the_copy_in_its_new_generation(wire, monkeypatch, read_batch):
    """Also when the labelled articles are read back from the main index over many openings of it (7 at a
    time here; at 1M, 78,000 of them take 20 batches of 4,000)."""
    monkeypatch.setattr(tantivy_stories, "_READ_BATCH", read_batch)
    index, folder, _ = wire
    index.rebuild(folder)
    assert (live_folder(index) / FOLDER / FOR_FILE).is_file()
    assert assert_same_collapse(live_folder(index), ["story", "copper"]) > 10


@pytest.mark.parametrize("damage", ["out of step", "older format", "missing", "garbage", "garbage segments"])
def test_a_copy_out_of_step_or_damaged_is_not_used_and_the_next_write_makes_it_again(wire, damage):
    index, folder, found = wire
    live = live_folder(index)
    expected = [(hit.id, hit.similar) for hit in index.search("story", limit=50)]
    side = live / FOLDER
    if damage == "out of step":  # as a writer killed between the commit and the copy leaves it
        (side / FOR_FILE).write_text("another commit")
    elif damage == "older format":  # made by an older searchkit (no whole-story documents), for this commit
        (side / FOR_FILE).write_text("copy-2 " + get_engine("tantivy").commit_token(live))
    elif damage == "missing":
        for path in side.iterdir():
            path.unlink()
    else:  # every file, or all but Tantivy's meta.json (the copy then opens, and fails when searched)
        for path in side.iterdir():
            if path.name != FOR_FILE and (damage == "garbage" or path.name != "meta.json"):
                path.write_bytes(b"\0garbage" * 64)
    reader = get_engine("tantivy").open_reader(live)
    if damage != "garbage segments":
        assert not reader.keeps_stories()
    reader.close()
    with searchkit.open_index(index.path) as fresh:  # a new process's view: collapsed by the labels
        assert [(hit.id, hit.similar) for hit in fresh.search("story", limit=50)] == expected
        assert fresh.update(folder).changed is False
        reader = get_engine("tantivy").open_reader(live)
        # With nothing to write, an update makes again a copy that names no commit or another one (as a
        # writer killed while making it leaves it); a damaged copy naming this one waits for a write.
        assert reader.keeps_stories() == (damage in ("out of step", "older format", "missing"))
        reader.close()
        write_seed(folder, "unrelated", "2024-06-01", "An unrelated story", "nothing like the others")
        assert fresh.update(folder).stories_problem is None
        assert fresh.search("story", limit=50).stories == len(expected) + 1
    assert assert_same_collapse(live_folder(index), ["story", "lead"]) > 10


def test_a_reader_keeps_the_copy_of_its_own_commit(wire):
    index, folder, found = wire
    live = live_folder(index)
    engine = get_engine("tantivy")
    request = plan_search("story", limit=50).request
    pinned, unopened = engine.open_reader(live), engine.open_reader(live)
    try:
        assert pinned.keeps_stories()
        unused = GivenLabels()
        before = collapse.search(pinned, request, labels=unused, folder=live, kept=True)
        # A new rewrite of story 3 joins its story in the next commit's copy.
        body = (folder / "story03.txt").read_text(encoding="utf-8").split("\n", 1)[1]
        write_seed(folder, "story03-late", "2024-03-11", "LATE: story 3", rewrite(random.Random(3), body))
        index.update(folder)
        assert "story03-late" in index.story_of("story03")
        assert not unopened.keeps_stories()  # the copy now names the newer commit
        after = collapse.search(pinned, request, labels=unused, folder=live, kept=True)  # its commit's copy
        assert [(hit.id, hit.similar) for hit in after.hits] == [(hit.id, hit.similar) for hit in before.hits]
        assert after.stories == before.stories
    finally:
        pinned.close()
        unopened.close()


def test_a_copy_that_fails_while_searched_gives_way_to_the_labels(wire, monkeypatch):
    # Tantivy checks a copy's files when it opens; this is for what it cannot see then (a file removed
    # under a reader, say): collapsing starts again by the labels, and the reader stops asking the copy.
    from searchkit.engines.tantivy.stories import KeptStories

    index, _, _ = wire
    live = live_folder(index)
    request = plan_search("story", limit=20).request
    reader = get_engine("tantivy").open_reader(live)
    try:
        assert reader.keeps_stories()
        expected = collapse.search(reader, request, labels=GivenLabels(), folder=live, kept=True)

        def unreadable(*args, **kwargs):
            raise ValueError("Failed to open file for read: 'gone.idx'")

        monkeypatch.setattr(KeptStories, "tell", unreadable)
        labels = collapse.StoryLabels(stories.read_labels(live))
        found = collapse.search(reader, request, labels=GivenLabels(labels), folder=live, kept=True)
        assert [(h.id, h.similar) for h in found.hits] == [(h.id, h.similar) for h in expected.hits]
        assert found.stories == expected.stories < found.first.total
        assert not reader.keeps_stories()
    finally:
        reader.close()
