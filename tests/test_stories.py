"""The stories store: which articles are one story rewritten, kept in step with every change."""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from searchkit.articles import Article
from searchkit.news import stories
from searchkit.text.shingles import (
    NEAR_DUPLICATE,
    SKETCH_SIZE,
    Signature,
    jaccard,
    resemblance,
    shingles,
    signature,
    sketch,
)

WORDS = ("oil copper wheat bank yen dollar port strike mine ship grain tariff rate bond loan cocoa sugar "
         "coffee steel union vote court fund price quota talks export import deficit output").split()


def story_text(rng: random.Random, words: int = 60) -> str:
    """A text of ``words`` random words: with fewer shingles than a sketch keeps, its resemblances are
    exact, so these tests do not depend on the estimate's noise (tested on its own)."""
    return " ".join(rng.choice(WORDS) + str(rng.randrange(50)) for _ in range(words))


def rewrite(rng: random.Random, text: str, changes: int = 1, lead: int = 3) -> str:
    """A wire rewrite: a new lead and a few words changed (by default about 0.8 alike)."""
    words = text.split()
    for _ in range(changes):
        words[rng.randrange(len(words))] = rng.choice(WORDS) + "x"
    return story_text(rng, lead) + " " + " ".join(words)


def article(article_id: str, text: str, date: str = "2024-05-01") -> Article:
    return Article(article_id, dt.date.fromisoformat(date), text.split(" ", 1)[0], text)


def corpus(seed: int = 7) -> tuple[list[Article], list[set[str]]]:
    """Ten stories, some rewritten once or twice on the next days; and the stories of two or more."""
    rng = random.Random(seed)
    articles, expected = [], []
    for number in range(10):
        original = story_text(rng)
        story = [article(f"s{number}", original)]
        for copy in range(number % 3):
            story.append(article(f"s{number}-r{copy}", rewrite(rng, original), f"2024-05-0{2 + copy}"))
        articles.extend(story)
        if len(story) > 1:
            expected.append({a.id for a in story})
    return articles, expected


def groups_of(folder: Path) -> list[set[str]]:
    members: dict[int, set[str]] = {}
    for article_id, story in stories.read_labels(folder).items():
        members.setdefault(story, set()).add(article_id)
    return sorted(members.values(), key=sorted)


def signatures(articles: list[Article]) -> dict[str, Signature]:
    return {a.id: signature(a) for a in articles}


def test_a_sketch_estimates_the_resemblance_of_two_texts():
    rng = random.Random(3)
    original = story_text(rng, 300)
    for changes in (2, 20, 60, 150):
        changed = rewrite(rng, original, changes, lead=8)
        exact = jaccard(shingles(original), shingles(changed))
        assert abs(resemblance(sketch(original), sketch(changed)) - exact) < 0.2, changes
    short, other = "bank rate cut", "bank rate rise"
    assert len(sketch(short)) < SKETCH_SIZE * 4  # fewer shingles than a sketch keeps: the estimate is exact
    assert resemblance(sketch(short), sketch(other)) == jaccard(shingles(short), shingles(other))


def test_a_text_has_the_same_sketch_in_every_process():
    # Sketches are stored and compared across runs: a hash that Python salts per process (that of a
    # string) would make a rewrite indexed tomorrow look unlike its story indexed today.
    text = story_text(random.Random(5), 400)
    program = ("import sys; from searchkit.text.shingles import sketch; "
               f"sys.stdout.write(sketch({text!r}).hex())")
    for salt in ("0", "1", "random"):
        made = subprocess.run([sys.executable, "-c", program], env={**os.environ, "PYTHONHASHSEED": salt},
                              capture_output=True, text=True, check=True).stdout
        assert made == sketch(text).hex(), salt


def test_rewrites_of_one_story_are_grouped_and_other_stories_are_not(tmp_path):
    articles, expected = corpus()
    stories.apply(tmp_path, signatures(articles), (), "c1", fresh=True)
    assert groups_of(tmp_path) == sorted(expected, key=sorted)
    assert stories.engine_commit(tmp_path) == "c1"


def test_the_stories_do_not_depend_on_the_order_or_batches_articles_come_in(tmp_path):
    articles, expected = corpus(11)
    for attempt in range(4):
        rng = random.Random(attempt)
        shuffled = articles[:]
        rng.shuffle(shuffled)
        folder = tmp_path / str(attempt)
        folder.mkdir()
        cut = rng.randrange(1, len(shuffled))
        stories.apply(folder, signatures(shuffled[:cut]), (), "c1", fresh=True)
        stories.apply(folder, signatures(shuffled[cut:]), (), "c2")
        assert groups_of(folder) == sorted(expected, key=sorted), attempt


def test_a_first_batch_onto_an_empty_store_makes_the_stories_a_new_store_makes(tmp_path):
    # An index made empty (open_index(create=True)), then filled by its first update: the store starts
    # empty and takes every article at once, as a rebuild's new store does (and as cheaply, by date first).
    articles, expected = corpus(13)
    alone = next(a for a in articles if a.id == "s3")  # story 3 has no rewrite: now it has one
    late = article("s3-late", alone.body, "2024-05-03")
    stories.apply(tmp_path, {}, (), "c0", fresh=True)
    stories.apply(tmp_path, signatures([*articles, late]), ["never-indexed"], "c1")
    assert stories.engine_commit(tmp_path) == "c1"
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    stories.apply(fresh, signatures([*articles, late]), (), "c1", fresh=True)
    assert stories.read_labels(tmp_path) == stories.read_labels(fresh)
    assert groups_of(tmp_path) == sorted([*expected, {"s3", "s3-late"}], key=sorted)


def test_the_same_text_a_week_later_is_another_story(tmp_path):
    text = story_text(random.Random(5))
    apart = stories.MAX_DAYS_APART + 1
    later = (dt.date(2024, 5, 1) + dt.timedelta(days=apart)).isoformat()
    stories.apply(tmp_path, signatures([article("a", text), article("b", text, later),
                                        article("c", text, "2024-05-02")]), (), "c1", fresh=True)
    assert groups_of(tmp_path) == [{"a", "b", "c"}]  # b joins through c, one day from each
    stories.apply(tmp_path, {}, ["c"], "c2")
    assert groups_of(tmp_path) == []


def test_removing_or_changing_the_link_between_rewrites_splits_their_story(tmp_path):
    rng = random.Random(9)
    words = story_text(rng, 88).split()
    first, middle, last = (" ".join(words[start:start + 60]) for start in (0, 14, 28))  # 0.6 alike in turn
    chain = [article("first", first), article("middle", middle), article("last", last)]
    assert resemblance(sketch(first), sketch(last)) < NEAR_DUPLICATE
    assert resemblance(sketch(first), sketch(middle)) > NEAR_DUPLICATE
    stories.apply(tmp_path, signatures(chain), (), "c1", fresh=True)
    assert groups_of(tmp_path) == [{"first", "middle", "last"}]
    stories.apply(tmp_path, signatures([article("middle", story_text(rng))]), (), "c2")  # a new text
    assert groups_of(tmp_path) == []
    stories.apply(tmp_path, signatures([article("middle", middle)]), (), "c3")  # back again
    assert groups_of(tmp_path) == [{"first", "middle", "last"}]
    stories.apply(tmp_path, {}, ["middle"], "c4")
    assert groups_of(tmp_path) == []


def test_boilerplate_shared_by_many_articles_links_none_of_them(tmp_path):
    rng = random.Random(4)
    boilerplate = "the company said it expects the deal to close in the second quarter"
    articles = [article(f"a{i}", boilerplate + " " + story_text(rng, 25)) for i in range(40)]
    stories.apply(tmp_path, signatures(articles), (), "c1", fresh=True)
    assert groups_of(tmp_path) == []


def test_a_missing_or_damaged_store_reads_as_no_stories(tmp_path):
    assert stories.read_labels(tmp_path) == {} and stories.engine_commit(tmp_path) is None
    stories.store_path(tmp_path).write_bytes(b"not a database" * 100)
    assert stories.read_labels(tmp_path) == {} and stories.engine_commit(tmp_path) is None
    with pytest.raises(sqlite3.DatabaseError):
        stories.apply(tmp_path, {}, ["x"], "c2")  # the writer catches this and rebuilds the store
    articles, expected = corpus()
    stories.apply(tmp_path, signatures(articles), (), "c3", fresh=True)
    assert groups_of(tmp_path) == sorted(expected, key=sorted)


def test_stories_made_with_other_settings_are_not_in_step(tmp_path, monkeypatch):
    articles, _ = corpus()
    stories.apply(tmp_path, signatures(articles), (), "c1", fresh=True)
    assert stories.engine_commit(tmp_path) == "c1"
    monkeypatch.setattr(stories, "VERSION", stories.VERSION + ", changed")
    assert stories.engine_commit(tmp_path) is None  # so the next write makes them again


def test_one_batch_joining_a_story_from_two_sides_keeps_it_one_story(tmp_path):
    rng = random.Random(21)
    words = story_text(rng, 88).split()
    y1, ym, y2 = (" ".join(words[start:start + 60]) for start in (0, 14, 28))  # a chain: y1 and y2 0.34
    x1 = story_text(rng)
    stories.apply(tmp_path, signatures([article("x1", x1), article("x2", rewrite(rng, x1)),
                                        article("y1", y1), article("ym", ym), article("y2", y2)]),
                  (), "c1", fresh=True)
    assert groups_of(tmp_path) == [{"x1", "x2"}, {"y1", "ym", "y2"}]
    # n1 joins x's story and y's at y1; n2 (a rewrite of y2) reaches y's story from its other end.
    n1 = article("n1", x1 + " " + y1)
    n2 = article("n2", rewrite(rng, y2))
    stories.apply(tmp_path, signatures([n1, n2]), (), "c2")
    assert groups_of(tmp_path) == [{"n1", "n2", "x1", "x2", "y1", "ym", "y2"}]
