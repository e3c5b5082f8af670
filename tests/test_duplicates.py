"""Duplicate wires collapsed: one hit per story, its rewrites named under it, on the library and the CLI.

Runs on the engine under test (Whoosh, or Tantivy with SEARCHKIT_TEST_ENGINE=tantivy); the engines'
part (which articles of a set match) is in the engine contract.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import searchkit
from searchkit.articles import Article, read_seed, scan_seeds
from searchkit.cli.commands import main
from searchkit.news import stories
from searchkit.text import shingles

from conftest import write_seed

TOPICS = "copper wheat yen strike port bond cocoa tariff".split()
FILLER = ("mine bank ship grain rate loan sugar coffee steel union vote court fund price quota talks "
          "export import deficit output dollar oil").split()


def text(rng: random.Random, topic: str, words: int = 50) -> str:
    """A story about ``topic``: random filler words (few enough for exact resemblances)."""
    chosen = [rng.choice(FILLER) + str(rng.randrange(40)) for _ in range(words)]
    chosen[rng.randrange(words)] = topic
    return " ".join(chosen)


def rewrite(rng: random.Random, body: str) -> str:
    """A wire rewrite: a new lead and one word changed."""
    words = body.split()
    at = rng.randrange(len(words))
    if words[at] not in TOPICS:
        words[at] = "updated"
    return " ".join([rng.choice(FILLER) + "lead" for _ in range(3)] + words)


def newsroom(folder: Path, seed: int = 1, count: int = 16) -> dict[str, list[str]]:
    """``count`` stories over TOPICS, story i rewritten i % 3 times on the following days; returns each
    story's ids, the original first."""
    rng = random.Random(seed)
    found = {}
    for number in range(count):
        topic = TOPICS[number % len(TOPICS)]
        body = text(rng, topic)
        day = dt.date(2024, 3, 1) + dt.timedelta(days=3 * number)
        ids = [f"story{number:02d}"]
        write_seed(folder, ids[0], day.isoformat(), f"{topic} story {number}", body)
        for copy in range(number % 3):
            ids.append(f"story{number:02d}-rewrite{copy}")
            write_seed(folder, ids[-1], (day + dt.timedelta(days=copy)).isoformat(),
                       f"UPDATE {copy + 1}: {topic} story {number}", rewrite(rng, body))
        found[ids[0]] = ids
    return found


@pytest.fixture
def news(tmp_path: Path) -> tuple[searchkit.Index, Path, dict[str, list[str]]]:
    folder = tmp_path / "seeds"
    found = newsroom(folder)
    index = searchkit.open_index(tmp_path / "index", create=True)
    index.update(folder)
    yield index, folder, found
    index.close()


def story_of(found: dict[str, list[str]]) -> dict[str, str]:
    return {article_id: ids[0] for ids in found.values() for article_id in ids}


def check_collapsed(index: searchkit.Index, query: str, found: dict[str, list[str]],
                    **options: object) -> None:
    """Collapsed results against the whole uncollapsed ranking, collapsed by hand: the same stories in the
    same order, each under its first hit, with the other matches of its story as ``similar``, and the
    counts of articles and stories."""
    everything = index.search(query, limit=1000, collapse=False, **options)  # type: ignore[arg-type]
    label = story_of(found)
    matched: dict[str, list[str]] = {}
    for hit in everything:
        matched.setdefault(label[hit.id], []).append(hit.id)
    expected = [(ids[0], sorted(ids[1:])) for ids in matched.values()]
    collapsed = index.search(query, limit=1000, **options)  # type: ignore[arg-type]
    assert [(hit.id, sorted(hit.similar)) for hit in collapsed] == expected, query
    assert (collapsed.total, collapsed.stories) == (everything.total, len(matched))
    pages = [index.search(query, limit=3, offset=offset, **options)  # type: ignore[arg-type]
             for offset in range(0, len(expected) + 3, 3)]
    assert [(hit.id, sorted(hit.similar)) for page in pages for hit in page] == expected, query
    assert all(page.stories == len(matched) for page in pages)
    snippet_of = {hit.id: hit.snippet for hit in everything}  # every page's hits come with their snippets
    assert all(hit.snippet == snippet_of[hit.id] != "" for page in pages for hit in page), query


def test_rewrites_are_shown_once_under_their_best_hit(news):
    index, _, found = news
    results = index.search("copper")
    copper = [ids for ids in found.values() if ids[0] in ("story00", "story08")]
    assert (results.total, results.stories) == (4, 2)  # story00 alone, story08 and its two rewrites
    assert sorted(sorted([hit.id, *hit.similar]) for hit in results) == sorted(map(sorted, copper))
    assert all(hit.snippet for hit in results)
    plain = index.search("copper", collapse=False)
    assert plain.stories is None and len(plain) == plain.total == results.total
    assert all(hit.similar == () for hit in plain)


@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest", "recent"])
def test_collapsed_pages_are_the_whole_ranking_collapsed_by_hand(news, sort):
    index, _, found = news
    for query in ("*", "copper OR wheat OR yen", "updated", "NOT bond", "date:2024-03"):
        check_collapsed(index, query, found, sort=sort)
    check_collapsed(index, "*", found, sort=sort, since="2024-03-10", until="2024-04-02")


def test_a_rewrite_outside_the_date_filter_is_not_named(news):
    index, _, found = news
    story = found["story02"]  # dated 2024-03-07, rewritten on the 7th and the 8th
    results = index.search("*", since="2024-03-08", until="2024-03-08")
    assert [(hit.id, hit.similar) for hit in results] == [(story[2], ())]


def test_the_stories_follow_every_kind_of_update(news, tmp_path):
    index, folder, found = news
    story = found["story05"]  # an original and two rewrites
    assert sorted(index.story_of(story[0])) == sorted(story[1:])
    (folder / f"{story[2]}.txt").unlink()
    index.update(folder)
    assert index.story_of(story[0]) == (story[1],)
    write_seed(folder, story[1], "2024-03-16", "Something else", text(random.Random(99), "copper"))
    index.update(folder)
    assert index.story_of(story[0]) == ()
    copper = index.search("copper")  # story00, story08 and its two rewrites, and the new text
    assert (copper.total, copper.stories) == (5, 3)
    original = index.get(story[0])
    index.add(Article("wire-copy", original.date, original.headline, original.body))
    assert index.story_of(story[0]) == ("wire-copy",)
    index.delete("wire-copy")
    assert index.story_of(story[0]) == ()
    index.add(Article("wire-copy", original.date, original.headline, original.body))
    index.rebuild(folder)  # the library article is carried over, with its story
    assert index.story_of("wire-copy") == (story[0],)


def test_the_first_update_of_an_index_made_empty_sketches_each_article_once(tmp_path, monkeypatch):
    # An empty index used to have no stories, so its first update read back and sketched every article
    # it had just written: a library user's first build took twice a `searchkit index`.
    found = newsroom(tmp_path / "seeds")
    index = searchkit.open_index(tmp_path / "index", create=True)
    sketched: list[str] = []
    real_sketch = shingles.article_sketch
    monkeypatch.setattr(shingles, "article_sketch", lambda article: sketched.append(article.id) or
                        real_sketch(article))
    index.update(tmp_path / "seeds")
    assert sorted(sketched) == sorted(i for ids in found.values() for i in ids)
    assert sorted(index.story_of("story05")) == sorted(found["story05"][1:])


def test_lost_stories_of_a_big_index_are_made_again_the_same_with_progress(tmp_path):
    # 1,200 articles: past building.PARALLEL_MIN_FILES, so they are read back and signed in workers.
    folder = tmp_path / "seeds"
    found = newsroom(folder, count=600)
    every_id = [article_id for ids in found.values() for article_id in ids]
    index = searchkit.open_index(tmp_path / "index", create=True)
    index.update(folder)
    before = {article_id: index.story_of(article_id) for article_id in every_id}
    assert sum(1 for similar in before.values() if similar) > 500  # the rewrites and their originals
    live = index.path / (index.path / "CURRENT").read_text().strip()
    stories.store_path(live).unlink()
    reported: list[tuple[int, int]] = []
    report = index.update(folder, progress=lambda done, total: reported.append((done, total)))
    assert report.stories_problem is None and not report.changed
    assert {article_id: index.story_of(article_id) for article_id in every_id} == before
    assert (len(every_id), len(every_id)) in reported  # every article signed again
    done, total = reported[-1]
    assert done == total  # and the last step (on Tantivy, its copy of the stories) reported to its end


def test_a_rebuild_carries_many_library_articles_with_their_stories(tmp_path):
    # 1,200 articles added through the library: a rebuild carries them over and signs them again in
    # worker processes (past building.PARALLEL_MIN_FILES).
    found = newsroom(tmp_path / "wire", count=600)
    library = [dataclasses.replace(read_seed(seed)[0], path=None)
               for seed in scan_seeds(tmp_path / "wire")[0]]
    (tmp_path / "seeds").mkdir()
    index = searchkit.open_index(tmp_path / "index", create=True)
    index.add_many(library)
    before = {article.id: index.story_of(article.id) for article in library}
    assert sum(1 for similar in before.values() if similar) > 500
    report = index.rebuild(tmp_path / "seeds")
    assert report.stories_problem is None and report.lost == 0
    assert {article.id: index.story_of(article.id) for article in library} == before
    assert sorted(index.story_of("story05")) == sorted(found["story05"][1:])


@pytest.mark.parametrize("damage", ["missing", "garbage"])
def test_lost_or_damaged_stories_are_made_again_by_the_next_index(news, damage):
    index, folder, found = news
    collapsed = index.search("*")
    live = index.path / (index.path / "CURRENT").read_text().strip()
    path = stories.store_path(live)
    if damage == "missing":  # as a writer killed between its commit and its stories leaves them
        path.unlink()
    else:
        path.write_bytes(b"\0garbage" * 512)
    meanwhile = index.search("*")
    if (live / "stories-index").is_dir():  # Tantivy's copy of the stories, for this commit, still collapses
        assert [(hit.id, hit.similar) for hit in meanwhile] == [(hit.id, hit.similar) for hit in collapsed]
        assert meanwhile.stories == collapsed.stories
    else:  # uncollapsed
        assert meanwhile.stories == meanwhile.total == collapsed.total
    assert index.update(folder).changed is False
    again = index.search("*")
    assert [(hit.id, hit.similar) for hit in again] == [(hit.id, hit.similar) for hit in collapsed]
    assert again.stories == collapsed.stories < collapsed.total


def test_duplicates_lists_each_story_published_more_than_once(news):
    index, _, found = news
    groups = index.duplicates()
    expected = sorted((sorted(ids) for ids in found.values() if len(ids) > 1),
                      key=lambda ids: (-len(ids), ids))
    assert [[a.id for a in sorted(group, key=lambda a: a.id)] for group in groups] == expected
    assert all([a.date for a in group] == sorted(a.date for a in group) for group in groups)
    assert len(index.duplicates(limit=2)) == 2


def test_related_never_shows_a_rewrite_of_the_article(news):
    index, _, found = news
    story = found["story04"]
    related = index.related(story[0], limit=50)
    assert not {hit.id for hit in related} & set(story)


# The CLI ------------------------------------------------------------------------------------------------

@pytest.fixture
def run(news):
    index, folder, _ = news

    def invoke(*args: str):
        return CliRunner().invoke(main, [*args, "--index", str(index.path)], catch_exceptions=False)
    return invoke


def test_query_says_both_counts_and_names_the_rewrites(run, news):
    _, _, found = news
    story = found["story08"]  # copper, with two rewrites; story00 is the other copper story
    result = run("query", "copper")
    assert result.exit_code == 0
    assert result.stdout.startswith("showing 1-2 of 4 articles, 2 stories\n")
    shown = [line.split(". ", 1)[0] for line in result.stdout.splitlines() if line[:1].isdigit()]
    similar = [line.strip() for line in result.stdout.splitlines() if "similar" in line]
    assert len(shown) == 2 and len(similar) == 1
    assert similar[0].startswith("+2 similar: ")
    named = similar[0].removeprefix("+2 similar: ").split(", ")
    listed = {line.split()[1] for line in result.stdout.splitlines() if line.strip().startswith("2024-")}
    assert set(named) < set(story) and set(named) | listed >= set(story)
    uncollapsed = run("query", "copper", "--no-collapse")
    assert uncollapsed.stdout.startswith("showing 1-4 of 4\n") and "similar" not in uncollapsed.stdout


def test_query_json_lists_the_similar_ids(run, news):
    _, _, found = news
    data = json.loads(run("query", "cocoa", "--json").stdout)
    cocoa = [ids for ids in found.values() if "cocoa" in run("show", ids[0]).stdout]
    assert (data["total"], data["stories"]) == (sum(map(len, cocoa)), len(cocoa))
    assert sorted(sorted([hit["id"], *hit["similar"]]) for hit in data["hits"]) == sorted(map(sorted, cocoa))
    plain = json.loads(run("query", "cocoa", "--json", "--no-collapse").stdout)
    assert plain["stories"] is None and all(hit["similar"] == [] for hit in plain["hits"])


def test_duplicates_command_prints_the_groups_and_exits_1_when_there_are_none(run, news, tmp_path):
    _, _, found = news
    result = run("duplicates")
    groups = [ids for ids in found.values() if len(ids) > 1]
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{len(groups)} stories published more than once "
                                    f"({sum(map(len, groups))} articles)\n")
    data = json.loads(run("duplicates", "--json", "--limit", "1").stdout)
    assert data["stories"] == 1 and data["groups"][0]["size"] == 3
    lone = tmp_path / "lone"
    write_seed(lone, "only", "2024-01-01", "One story", "Nothing like it anywhere.")
    searchkit.open_index(tmp_path / "lone-index", create=True).update(lone)
    empty = CliRunner().invoke(main, ["duplicates", "--index", str(tmp_path / "lone-index")])
    assert empty.exit_code == 1 and empty.stdout.startswith("no near-duplicates")


def test_stories_that_cannot_be_written_are_a_warning_and_made_at_the_next_index(news, monkeypatch, tmp_path):
    index, folder, found = news
    story = found["story05"]
    write_seed(folder, "late-rewrite", "2024-03-16", "UPDATE 3: tariff story 5", index.get(story[0]).body)

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(stories, "apply", disk_full)
        report = index.update(folder)
    assert report.added == 1 and "No space left on device" in report.stories_problem
    assert "late-rewrite" in index and index.story_of(story[0]) == tuple(story[1:])  # indexed; stories behind
    result = CliRunner().invoke(main, ["index", "--seeds", str(folder), "--index", str(index.path)])
    assert result.exit_code == 0 and "warning" not in result.stderr
    assert sorted(index.story_of(story[0])) == sorted([*story[1:], "late-rewrite"])


CONTRACT = ("{company} is being awarded a {amount} mln dlr Navy contract for work on two guided missile "
            "destroyers, the Defense Department said.\nIt said the work, part of a multi-year procurement "
            "program, is expected to be completed by June 1989.")
NOTICES = {  # id: date, headline, body
    "litton": ("1987-03-17", "LITTON <LIT> UNIT GETS 41.2 MLN DLR NAVY CONTRACT",
               CONTRACT.format(company="Litton Industries Inc's Ingalls Shipbuilding division",
                               amount="41.2")),
    "raytheon": ("1987-03-17", "RAYTHEON <RTN> GETS 38.7 MLN DLR NAVY CONTRACT",
                 CONTRACT.format(company="Raytheon Co's Missile Systems division", amount="38.7")),
    "litton-corrected": ("1987-03-18", "CORRECTED - LITTON <LIT> UNIT GETS 42.1 MLN DLR NAVY CONTRACT",
                         CONTRACT.format(company="Litton Industries Inc's Ingalls Shipbuilding division",
                                         amount="42.1")),
    "magma-up": ("1987-04-07", "MAGMA RAISES COPPER PRICE 0.50 CT TO 66.00 CTS",
                 "Magma Copper Co, a subsidiary of Newmont Mining Corp, said it is raising its copper "
                 "cathode price by 0.50 cent to 66.00 cents a lb, effective immediately."),
    "magma-down": ("1987-04-07", "MAGMA LOWERS COPPER PRICE 0.50 CT TO 65.50 CTS",
                   "Magma Copper Co, a subsidiary of Newmont Mining Corp, said it is lowering its copper "
                   "cathode price by 0.50 cent to 65.50 cents a lb, effective immediately."),
}


@pytest.mark.parametrize("engine", ["memory", "whoosh", "tantivy"])
def test_template_notices_of_different_news_are_different_stories_and_a_correction_is_not(tmp_path, engine):
    # Stories are searchkit's, above the engine seam: the same on every engine, the reference included.
    if engine == "tantivy":
        pytest.importorskip("tantivy")
    folder = tmp_path / "seeds"
    for name, (date, headline, body) in NOTICES.items():
        write_seed(folder, name, date, headline, body)
    index = searchkit.open_index(tmp_path / "index", create=True, engine=engine)
    index.update(folder)
    assert [sorted(a.id for a in group) for group in index.duplicates()] == [["litton", "litton-corrected"]]
    assert index.search("navy contract").stories == 2  # Litton's (corrected) and Raytheon's
    result = CliRunner().invoke(main, ["duplicates", "--json", "--index", str(tmp_path / "index")])
    assert [[a["id"] for a in group["articles"]] for group in json.loads(result.stdout)["groups"]] == [
        ["litton", "litton-corrected"]]
    index.close()


def test_stories_of_a_store_older_than_facts_are_made_again_with_them(tmp_path):
    folder = tmp_path / "seeds"
    for name, (date, headline, body) in NOTICES.items():
        write_seed(folder, name, date, headline, body)
    index = searchkit.open_index(tmp_path / "index", create=True)
    index.update(folder)
    live = index.path / (index.path / "CURRENT").read_text().strip()
    with sqlite3.connect(stories.store_path(live)) as db:  # as store 3 wrote it: no facts, templates merged
        db.execute("ALTER TABLE sketches DROP COLUMN facts")
        db.execute("UPDATE meta SET value = 'store 3, shingles 4' WHERE key = 'version'")
        db.execute("UPDATE stories SET story = 1")
        db.executemany("INSERT OR REPLACE INTO stories VALUES (?, 1)", [("raytheon",), ("magma-up",)])
    assert stories.engine_commit(live) is None
    assert [len(group) for group in index.duplicates()] == [4]  # until the next write
    assert index.update(folder).changed is False  # nothing to index: the stories alone are made again
    assert [sorted(a.id for a in group) for group in index.duplicates()] == [["litton", "litton-corrected"]]
    index.close()
