"""A mistyped, emptied or unmounted seeds folder must not silently empty the index."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import searchkit
from searchkit.cli.commands import main

from conftest import ARTICLES


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_an_update_from_an_empty_folder_stops_and_writes_nothing(index, tmp_path):
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    with pytest.raises(searchkit.RemovalsNotAllowedError) as raised:
        index.update(empty)
    assert (raised.value.removing, raised.value.indexed, raised.value.seeds_dir) == (5, 5, empty)
    assert len(index) == len(ARTICLES)
    report = index.update(empty, allow_removals=True)
    assert report.removed == 5 and len(index) == 0


def test_the_cli_names_the_count_and_the_flag_and_exits_2(index, tmp_path):
    empty = tmp_path / "mnt"
    empty.mkdir()
    refused = cli("index", "--seeds", str(empty), "--index", str(index.path))
    assert refused.exit_code == 2
    assert refused.output == (
        f"error: {empty}: this would remove 5 of the 5 articles indexed from seed files, whose files are "
        "not there; check the seeds folder, or allow it with --allow-removals (allow_removals=True)\n")
    assert len(index) == 5
    allowed = cli("index", "--seeds", str(empty), "--index", str(index.path), "--allow-removals")
    assert allowed.exit_code == 0 and "removed 5," in allowed.output


def test_removing_up_to_half_goes_ahead(index, seeds):
    for name in ("pink", "hurts"):
        (seeds / f"{name}.txt").unlink()
    assert index.update(seeds).removed == 2
    (seeds / "cocoa.txt").unlink()
    (seeds / "juarez.txt").unlink()
    with pytest.raises(searchkit.RemovalsNotAllowedError):  # 2 of the 3 left
        index.update(seeds)


def test_a_rebuild_from_a_folder_missing_most_files_is_refused_too(index, seeds, tmp_path):
    partial = tmp_path / "partial"
    partial.mkdir()
    shutil.copy(seeds / "pink.txt", partial)
    with pytest.raises(searchkit.RemovalsNotAllowedError) as raised:
        index.rebuild(partial)
    assert (raised.value.removing, raised.value.indexed) == (4, 5)
    assert len(index) == 5
    assert index.rebuild(partial, allow_removals=True).added == 1 and len(index) == 1


def test_a_new_index_from_a_folder_without_seed_files_warns(tmp_path: Path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.md").write_text("not a seed file")
    runner = CliRunner()
    done = runner.invoke(main, ["index", "--seeds", str(empty), "--index", str(tmp_path / "index")])
    assert done.exit_code == 0
    assert done.stderr == f"warning: no seed files (*.txt) under {empty}\n"
    assert done.stdout.startswith("added 0,")
