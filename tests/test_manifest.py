"""The manifest in SQLite: what an update remembers about each seed file, and how it recovers."""

from __future__ import annotations

from pathlib import Path

import searchkit
from searchkit.articles import Fingerprint
from searchkit.index import storage
from searchkit.index.manifest import LEGACY_NAME, MANIFEST_NAME, Manifest


def live_folder(index: searchkit.Index) -> Path:
    return index.path / storage.current_generation(index.path)


def counts(report) -> tuple[int, int, int, int]:
    return report.added, report.updated, report.removed, report.unchanged


def test_saved_changes_read_back(tmp_path: Path) -> None:
    new = Manifest(seeds_dir="/seeds", files={"a": Fingerprint(1, 10, "aa"), "b": Fingerprint(2, 20, "bb")})
    new.save(tmp_path)
    loaded = Manifest.load(tmp_path)
    assert loaded is not None and loaded.seeds_dir == "/seeds"
    loaded.put("c", Fingerprint(3, 30, "cc"))
    loaded.remove("a")
    loaded.put("b", Fingerprint(2, 21, "b2"))
    assert loaded.file_count() == 2
    loaded.save(tmp_path)
    again = Manifest.load(tmp_path)
    assert again is not None
    assert again.stamps() == {"b": (2, 21), "c": (3, 30)}
    assert again.digests(["a", "b", "c", "zz"]) == {"b": "b2", "c": "cc"}
    assert again.file_count() == 2


def test_file_count_of_pending_changes_without_reading_every_file(tmp_path: Path) -> None:
    Manifest(files={"a": Fingerprint(1, 1, "a"), "b": Fingerprint(1, 1, "b")}).save(tmp_path)
    loaded = Manifest.load(tmp_path)
    assert loaded is not None
    loaded.put("a", Fingerprint(5, 5, "a5"))   # replaces
    loaded.put("new", Fingerprint(1, 1, "n"))  # adds
    loaded.remove("b")                         # removes
    loaded.remove("never-there")
    assert loaded.file_count() == 2


def test_damaged_manifest_is_rebuilt_from_the_engine(index: searchkit.Index, seeds: Path) -> None:
    (live_folder(index) / MANIFEST_NAME).write_bytes(b"not a database at all" * 100)
    assert counts(index.update(seeds)) == (0, 0, 0, 5)
    assert len(Manifest.load(live_folder(index)).stamps()) == 5  # type: ignore[union-attr]


def test_index_with_a_json_manifest_updates_without_reindexing(index: searchkit.Index, seeds: Path) -> None:
    """An index written before the manifest moved to SQLite: its files are not read again, and the old
    manifest.json is replaced."""
    folder = live_folder(index)
    (folder / MANIFEST_NAME).unlink()
    (folder / LEGACY_NAME).write_text('{"engine_commit": "1", "files": {}}')
    assert counts(index.update(seeds)) == (0, 0, 0, 5)
    assert not (folder / LEGACY_NAME).exists()
    assert (folder / MANIFEST_NAME).exists()


def test_library_articles_are_counted_across_updates(index: searchkit.Index, seeds: Path) -> None:
    import datetime as dt

    index.add(searchkit.Article(id="lib/1", date=dt.date(2020, 1, 1), headline="Zinc", body="Zinc body"))
    index.update(seeds)
    manifest = Manifest.load(live_folder(index))
    assert manifest is not None and manifest.library_articles == 1 and manifest.file_count() == 5
