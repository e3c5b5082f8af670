"""Big Whoosh builds: a worker starts a new segment when its posting pool is nearly full, and a small
update after such a build merges none of the large segments."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import searchkit
from searchkit.engines.whoosh import store
from searchkit.index import storage

from conftest import write_seed

WORDS = "oil gold wheat bank rates dollar crude cocoa shares profit merger tariff".split()


def segment_sizes(index: searchkit.Index) -> list[int]:
    ix = store.open_folder(index.path / storage.current_generation(index.path))
    return sorted(segment.doc_count_all() for segment in ix._segments())


@pytest.fixture
def many_seeds(tmp_path: Path) -> Path:
    rng = random.Random(4)
    folder = tmp_path / "seeds"
    for number in range(1_200):  # above the threshold for worker processes
        body = " ".join(rng.choice(WORDS) for _ in range(60))
        write_seed(folder / f"{number // 100:02d}", f"a{number:04d}", "2001-02-03", f"story {number}", body)
    return folder


def test_full_pools_start_new_segments_and_later_updates_leave_them_alone(
        tmp_path: Path, many_seeds: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "SEGMENT_WRITER_MB", 1)  # a pool of 1 MB: a new segment every few hundred
    monkeypatch.setattr(store, "MERGE_BELOW_DOCS", 50)
    index = searchkit.Index(tmp_path / "index", engine="whoosh")
    index.rebuild(many_seeds, procs=2)
    sizes = segment_sizes(index)
    assert len(sizes) > 2 and sum(sizes) == 1_200
    expected = sum(1 for path in many_seeds.rglob("*.txt") if " oil " in f" {path.read_text()} ")
    assert index.search("oil", limit=1).total == expected
    assert index.search("headline:story", limit=1).total == 1_200
    for number in range(6):  # small updates, one segment each
        write_seed(many_seeds / "new", f"n{number}", "2001-02-04", f"fresh {number}", "oil")
        index.update(many_seeds)
    after = segment_sizes(index)
    assert [s for s in after if s >= 50] == [s for s in sizes if s >= 50]  # the large ones untouched
    assert index.search("headline:fresh", limit=1).total == 6
    index.close()


@pytest.mark.parametrize("listing", ["scan", "lookup"])
def test_collapsed_answers_stay_the_same_once_the_reader_lists_the_rewrites(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, listing: str) -> None:
    # A reader first reads each match's id to find the articles with rewrites, then, once that has cost
    # enough, lists their document numbers per segment (reading the id column, or looking each up).
    from searchkit.engines.whoosh import reader as whoosh_reader

    monkeypatch.setattr(whoosh_reader, "_SCAN_US", 0.7 if listing == "scan" else 1e6)
    monkeypatch.setattr(store, "SEGMENT_WRITER_MB", 1)
    rng = random.Random(7)
    vocabulary = WORDS + [f"word{n}" for n in range(60)]  # so that each query matches some articles
    folder = tmp_path / "seeds"
    for number in range(400):
        body = " ".join(rng.choice(vocabulary) for _ in range(40))
        write_seed(folder, f"a{number:03d}", "2001-02-03", f"story {number}", body)
        if number % 4 == 0:  # a wire rewrite: one word changed
            write_seed(folder, f"a{number:03d}-2", "2001-02-04", f"story {number}", body + " again")
    index = searchkit.Index(tmp_path / "index", engine="whoosh")
    index.rebuild(folder, procs=2)
    queries = ["oil", "gold OR wheat", "bank rates", '"crude cocoa"', "story"]

    def answers() -> list[tuple[int, int | None, list[tuple[str, tuple[str, ...]]]]]:
        found = []
        for query in queries:
            results = index.search(query, limit=20, snippets=False)
            found.append((results.total, results.stories, [(hit.id, hit.similar) for hit in results]))
        return found

    first = answers()
    assert all(stories is not None and stories < total for total, stories, _ in first)
    for _ in range(30):
        later = answers()
    listed = index._readers._current(fresh=False).reader._looked_up
    assert listed is not None and listed[1], "the reader never listed the rewrites"
    assert later == first
