"""The index on temporary folders: incremental updates, rebuilds, the API writers, stats and locking."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import time

import pytest

import searchkit
from searchkit.errors import (
    ArticleNotFoundError,
    IndexCorruptError,
    IndexLockedError,
    IndexNotFoundError,
    IndexVersionError,
)
from searchkit.index import storage
from searchkit.index.lock import WriteLock

from conftest import ARTICLES, REUTERS, write_seed


def ids(results) -> set[str]:
    return {hit.id for hit in results}


def counts(report) -> tuple[int, int, int, int, int]:
    return report.added, report.updated, report.removed, report.unchanged, len(report.skipped)


def test_first_update_builds_and_second_changes_nothing(tmp_path, seeds):
    index = searchkit.Index(tmp_path / "index")
    assert counts(index.update(seeds)) == (5, 0, 0, 0, 0)
    assert counts(index.update(seeds)) == (0, 0, 0, 5, 0)
    assert len(index) == 5


def test_update_adds_changes_and_removes(index, seeds, seed_writer):
    seed_writer("new-one", headline="Brand new story")
    seed_writer("new-two", headline="Another new story")
    (seeds / "cocoa.txt").write_text("date 1987-02-27 Bahia cocoa revised\nA revised body.\n")
    (seeds / "juarez.txt").unlink()
    report = index.update(seeds)
    assert counts(report) == (2, 1, 1, 3, 0)
    assert report.summary().startswith("added 2, updated 1, removed 1, unchanged 3, skipped 0 in ")
    assert index.get("cocoa").headline == "Bahia cocoa revised"
    assert "juarez" not in index and "new-two" in index
    assert ids(index.search("new story")) == {"new-one", "new-two"}


def test_touched_but_identical_file_is_unchanged(index, seeds):
    path = seeds / "pink.txt"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10_000_000_000))
    assert counts(index.update(seeds)) == (0, 0, 0, 5, 0)
    # ... and the new mtime is remembered, so the next run does not even read it.
    assert storage.Manifest.load(index.path / storage.current_generation(index.path)).stamps()["pink"][1] == \
        path.stat().st_mtime_ns


def test_bad_file_is_skipped_and_the_rest_indexed(tmp_path, seeds):
    (seeds / "broken.txt").write_bytes(b"\xff\xfe\x00garbage")
    report = searchkit.Index(tmp_path / "index").update(seeds)
    assert counts(report) == (5, 0, 0, 0, 1)
    assert report.skipped[0].path == seeds / "broken.txt"


def test_a_file_that_turns_bad_keeps_its_indexed_version_until_fixed(index, seeds):
    (seeds / "pink.txt").write_bytes(b"not an article any more")
    report = index.update(seeds)
    assert [e.path.name for e in report.skipped] == ["pink.txt"]
    assert index.get("pink").headline == ARTICLES["pink"][1]
    write_seed(seeds, "pink", "2017-11-19", "Pink fixed", "Fixed body.")
    assert counts(index.update(seeds)) == (0, 1, 0, 4, 0)
    assert index.get("pink").headline == "Pink fixed"


def test_rebuild_swaps_in_a_new_generation_and_keeps_ids(index, seeds):
    before = storage.current_generation(index.path)
    report = index.rebuild(seeds)
    after = storage.current_generation(index.path)
    assert report.rebuilt and report.added == 5
    assert after > before
    assert sorted(storage.generations(index.path)) == [before, after]  # previous kept for open readers
    index.rebuild(seeds)
    assert before not in storage.generations(index.path)
    assert ids(index.search("clarkson")) == {"pink", "clarkson"}


def test_long_lived_index_object_sees_commits_from_other_writers(index, seeds, seed_writer):
    assert index.search("zeppelin").total == 0
    seed_writer("zep", headline="Zeppelin returns")
    searchkit.Index(index.path).update(seeds)  # another writer object, as another process would be
    assert ids(index.search("zeppelin")) == {"zep"}
    searchkit.Index(index.path).rebuild(seeds)
    assert ids(index.search("zeppelin")) == {"zep"}


def test_api_add_get_delete(index, seeds):
    article = searchkit.Article(id="wire/1", date=dt.date(2021, 3, 4), headline="Wire story on zinc",
                                body="Zinc prices rose.")
    index.add(article)
    # Read back in the language the index gave it: too short to detect, undetected (analysed as English).
    assert index.get("wire/1") == dataclasses.replace(article, language="und")
    assert ids(index.search("zinc")) == {"wire/1"}
    # An update from the seeds folder does not remove articles that came through the API ...
    assert counts(index.update(seeds)) == (0, 0, 0, 5, 0)
    # ... and neither does a rebuild: they are carried over.
    index.rebuild(seeds)
    assert index.get("wire/1") == dataclasses.replace(article, language="und")
    index.delete("wire/1")
    assert "wire/1" not in index
    with pytest.raises(ArticleNotFoundError):
        index.delete("wire/1")
    with pytest.raises(ArticleNotFoundError, match="no article with id 'nope'"):
        index.get("nope")


def test_add_creates_an_index_when_there_is_none(tmp_path):
    index = searchkit.open_index(tmp_path / "fresh", create=True)
    index.add(searchkit.Article(id="a", date=dt.date(2020, 1, 1), headline="h", body="b"))
    assert len(index) == 1


def test_open_missing_index(tmp_path):
    with pytest.raises(IndexNotFoundError, match="run 'searchkit index'"):
        searchkit.open_index(tmp_path / "none")


def test_stats(index, seeds):
    stats = index.stats()
    assert stats.articles == 5
    assert (stats.first_date, stats.last_date) == (dt.date(1987, 2, 26), dt.date(2018, 1, 5))
    assert stats.per_year == {1987: 1, 2016: 1, 2017: 2, 2018: 1}
    assert stats.seeds_dir == str(seeds.resolve())
    assert stats.size_bytes > 0 and stats.last_update


def test_incompatible_schema_version_is_refused_and_update_rebuilds(index, seeds):
    folder = index.path / storage.current_generation(index.path)
    meta = json.loads((folder / storage.META_NAME).read_text())
    meta["schema_version"] = 0
    (folder / storage.META_NAME).write_text(json.dumps(meta))
    fresh = searchkit.Index(index.path)
    with pytest.raises(IndexVersionError, match=r"schema version 0.*searchkit index --rebuild"):
        fresh.search("pink")
    report = fresh.update(seeds)
    assert report.rebuilt and fresh.search("pink").total == 1


def test_damaged_index_file_gives_a_rebuild_hint_and_rebuild_recovers(index, seeds):
    folder = index.path / storage.current_generation(index.path)
    for commit in [*folder.glob("_MAIN_*.toc"), *folder.glob("meta.json")]:  # Whoosh's, Tantivy's
        commit.write_bytes(b"garbage")
    fresh = searchkit.Index(index.path)
    with pytest.raises(IndexCorruptError, match="searchkit index --rebuild"):
        fresh.search("pink")
    fresh.rebuild(seeds)
    assert fresh.search("pink").total == 1


def test_stale_manifest_is_rebuilt_from_stored_fields(index, seeds):
    folder = index.path / storage.current_generation(index.path)
    (folder / storage.MANIFEST_NAME).unlink()  # as if a writer died between commit and manifest
    assert counts(index.update(seeds)) == (0, 0, 0, 5, 0)


def test_second_writer_waits_then_fails_naming_the_holder(index, seeds):
    with WriteLock(index.path, purpose="update"):
        started = time.monotonic()
        with pytest.raises(IndexLockedError, match=rf"locked by process {os.getpid()} on .*update") as caught:
            searchkit.Index(index.path).update(seeds, wait=0.3)
        assert time.monotonic() - started >= 0.3
        assert caught.value.waited == 0.3
    assert counts(index.update(seeds))[3] == 5  # free again once the holder is gone


def test_lock_file_left_behind_is_taken_over(index, seeds):
    (index.path / "write.lock").write_text('{"pid": 999999, "host": "gone", "since": "then"}')
    with WriteLock(index.path, purpose="update"):
        record = json.loads((index.path / "write.lock").read_text())
        assert (record["pid"], record["purpose"]) == (os.getpid(), "update")
    assert counts(index.update(seeds))[3] == 5


def test_readers_never_need_the_lock(index):
    with WriteLock(index.path):
        assert index.search("clarkson").total == 2


@pytest.mark.skipif(not REUTERS.is_dir(), reason="needs ../shared/corpora/reuters21578")
def test_reuters_full_build_then_exact_incremental_report(tmp_path):
    seeds = tmp_path / "reuters"
    shutil.copytree(REUTERS, seeds)
    index = searchkit.Index(tmp_path / "index")
    full = index.update(seeds)
    assert counts(full) == (19_043, 0, 0, 0, 0)
    names = sorted(p.name for p in seeds.glob("*.txt"))
    for number in range(5):
        shutil.copy(seeds / names[number], seeds / f"new-{number}.txt")
    changed = seeds / names[10]
    changed.write_text(changed.read_text() + "\nAn added paragraph.")
    (seeds / names[20]).unlink()
    (seeds / names[21]).unlink()
    assert counts(index.update(seeds)) == (5, 1, 2, 19_043 - 3, 0)
    again = index.update(seeds)
    assert counts(again) == (0, 0, 0, 19_043 + 5 - 2, 0)
    assert index.stats().articles == 19_046


def test_progress_is_reported_up_to_the_total(tmp_path, seeds):
    calls: list[tuple[int, int]] = []
    searchkit.Index(tmp_path / "index").update(
        seeds, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (5, 5)
    assert all(done <= total == 5 for done, total in calls)


def test_a_parallel_build_reports_an_unreadable_file_like_a_single_process_one(tmp_path):
    """Skipped files travel back from the worker processes with their path and reason intact."""
    folder = tmp_path / "many"
    for number in range(1200):  # above the threshold where workers start
        write_seed(folder, f"n{number:04d}", "2020-01-01", f"Story {number}", "Body.")
    (folder / "broken.txt").write_text("date 2017-02-30 Not a day\nBody.\n", encoding="utf-8")
    for procs in (1, 2):
        report = searchkit.Index(tmp_path / f"index-{procs}").rebuild(folder, procs=procs)
        assert report.added == 1200
        skipped = [(error.path.name, error.reason) for error in report.skipped]
        assert skipped == [("broken.txt", "date 2017-02-30 does not exist")]


def test_parallel_build_matches_a_single_process_build(tmp_path):
    folder = tmp_path / "many"
    for number in range(1200):  # above the threshold where workers start
        write_seed(folder, f"n{number:04d}", f"2020-{number % 12 + 1:02d}-01", f"Story {number}",
                   f"Body of story {number} about topic{number % 7}.")
    single = searchkit.Index(tmp_path / "one")
    single.rebuild(folder, procs=1)
    double = searchkit.Index(tmp_path / "two")
    calls: list[tuple[int, int]] = []
    report = double.rebuild(folder, procs=2, progress=lambda done, total: calls.append((done, total)))
    assert report.added == 1200 and calls[-1] == (1200, 1200)
    for query in ["topic3", "story", "date:2020-05", '"story 17"']:
        expected = {h.id for h in single.search(query, limit=2000)}
        assert {h.id for h in double.search(query, limit=2000)} == expected
    # An update of the parallel-built index still finds changes file by file.
    write_seed(folder, "n0001", "2021-01-01", "Changed story", "New body.")
    assert counts(double.update(folder)) == (0, 1, 0, 1199, 0)
