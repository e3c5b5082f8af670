"""Bad seeds: every odd file is skipped with a one-line reason naming it, the other files are indexed,
and nothing under the seeds folder is ever written, moved or deleted (issue 4, docs/reliability.md).
"""

from __future__ import annotations

import builtins
import errno
import json
import os
from pathlib import Path

import pytest

import searchkit
import searchkit.articles
import searchkit.index.facade
from searchkit.articles import DEFAULT_MAX_BYTES, MAX_LINE_CHARS, SeedFile, read_seed, scan_seeds

from helpers_reliability import run_cli, skipped_lines, snapshot, write_seed

GOOD_BODY = "A plain body about the harbour and the weather."

#: name -> (bytes, words its skip reason must contain). Each is a separate file in one seeds folder.
BAD_FILES: dict[str, tuple[bytes, str]] = {
    "invalid-utf8.txt": (b"date 2017-01-01 Caf\xe9 society\nLatin-1, not UTF-8: na\xefve\n", "not UTF-8"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary"),
    "utf16.txt": ("date 2017-01-01 UTF-16 text\nbody\n".encode("utf-16"), "binary"),
    "empty.txt": (b"", "empty"),
    "blank.txt": (b" \n\t\r\n\n", "empty"),
    "bom-only.txt": (b"\xef\xbb\xbf\n", "empty"),
    "no-date.txt": (b"Just a headline\nAnd a body.\n", "first line"),
    "date-later.txt": (b"Headline first\ndate 2017-01-01 then a date\n", "first line"),
    "date-no-value.txt": (b"date\nbody\n", "first line"),
    "feb-30.txt": (b"date 2017-02-30 An impossible day\nbody\n", "does not exist"),
    "year-0.txt": (b"date 0000-01-01 Year zero\nbody\n", "does not exist"),
    "nines.txt": (b"date 9999-99-99 All nines\nbody\n", "does not exist"),
    "month-13.txt": (b"date 2017-13-01 Month thirteen\nbody\n", "does not exist"),
    "short-date.txt": (b"date 17-1-5 Short date\nbody\n", "not YYYY-MM-DD"),
    "slash-date.txt": (b"date 2017/01/05 Slashes\nbody\n", "not YYYY-MM-DD"),
    "word-date.txt": (b"date yesterday Words\nbody\n", "not YYYY-MM-DD"),
    "garbled-date.txt": (b"date 2\xc3\xa9017-0x-\xe2\x80\x94 Garbled\nbody\n", "not YYYY-MM-DD"),
    "long-line.txt": (b"date 2017-01-01 Long line\n" + b"w" * (MAX_LINE_CHARS + 1) + b"\n", "longer than"),
    "long-first-line.txt": (b"date 2017-01-01 " + b"h" * MAX_LINE_CHARS + b"\nbody\n", "longer than"),
}

#: Files that must be indexed: odd names, odd but valid content. name (without .txt) -> first line.
GOOD_FILES: dict[str, str] = {
    "plain": "date 2017-03-01 Plain article",
    "with spaces in the name": "date 2017-03-02 Spaces in the file name",
    "café – naïve 日本語 Ελληνικά": "date 2017-03-03 Non-ASCII file name",
    "emoji 🚀 name": "date 2017-03-04 Emoji file name",
    "sub folder/nested ünïcode": "date 2017-03-05 Nested in a folder with a space",
    "first-day": "date 0001-01-01 The first day there is",
    "last-day": "date 9999-12-31 The last day there is",
    "leap-day": "date 2016-02-29 A real leap day",
    "crlf": "date 2017-03-06 Windows line ends",
    "just-under-line-limit": "date 2017-03-07 A line just under the limit",
}

#: Not seed files at all: ignored without a word.
IGNORED = ("notes.md", "photo.jpg", "README", "archive.txt.gz", "UPPER.TXT", "data.json")


def _build(root: Path) -> tuple[Path, set[str], dict[str, str]]:
    """A seeds folder with every bad and good case; returns (seeds, good ids, {bad path: reason word})."""
    seeds = root / "seeds"
    seeds.mkdir()
    for name, first_line in GOOD_FILES.items():
        path = seeds / f"{name}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = GOOD_BODY
        if name == "just-under-line-limit":
            body = "x" * MAX_LINE_CHARS
        newline = "\r\n" if name == "crlf" else "\n"
        path.write_bytes(f"{first_line}{newline}{body}{newline}".encode("utf-8"))
    bad: dict[str, str] = {}
    for name, (data, reason) in BAD_FILES.items():
        (seeds / name).write_bytes(data)
        bad[str(seeds / name)] = reason
    for name in IGNORED:
        (seeds / name).write_bytes(b"\x00\xff not a seed")
    # A symlink loop, a broken symlink, and a folder symlink that loops back to the root.
    os.symlink("loop.txt", seeds / "loop.txt")
    bad[str(seeds / "loop.txt")] = "symlink loop"
    os.symlink("nowhere/gone.txt", seeds / "dangling.txt")
    bad[str(seeds / "dangling.txt")] = "broken symlink"
    os.symlink("..", seeds / "sub folder" / "back-to-root")
    return seeds, {name for name in GOOD_FILES}, bad


def assert_holds_exactly(index_dir: Path, expected: set[str]) -> None:
    """The index at ``index_dir`` holds exactly the ids ``expected`` (checked through the public API:
    the same count, and every expected id present)."""
    index = searchkit.open_index(index_dir)
    try:
        missing = sorted(article_id for article_id in expected if article_id not in index)
        assert not missing, f"not indexed: {missing}"
        assert len(index) == len(expected), f"index holds {len(index)} articles, expected {len(expected)}"
    finally:
        index.close()


def test_bad_seeds_are_skipped_one_line_each_and_good_ones_indexed(tmp_path: Path) -> None:
    seeds, good, bad = _build(tmp_path)
    before = snapshot(seeds)
    index_dir = tmp_path / "index"

    done = run_cli("index", "--seeds", str(seeds), "--index", str(index_dir), check=3)

    lines = skipped_lines(done.stderr)
    assert len(lines) == len(bad), done.stderr
    for path, reason in bad.items():
        mine = [line for line in lines if line.startswith(f"skipped {path}: ")]
        assert len(mine) == 1, f"{path} must be named on exactly one line:\n{done.stderr}"
        assert reason in mine[0], mine[0]
    assert not [line for line in done.stderr.splitlines() if not line.startswith("skipped ")], done.stderr
    assert_holds_exactly(index_dir, good)
    stats = json.loads(run_cli("stats", "--index", str(index_dir), "--json", check=0).stdout)
    assert stats["articles"] == len(good)
    assert snapshot(seeds) == before

    # The same folder again: nothing to do, the same files skipped, the same exit status.
    again = run_cli("index", "--seeds", str(seeds), "--index", str(index_dir), "--json", check=3)
    report = json.loads(again.stdout)
    assert report["unchanged"] == len(good) and report["added"] == 0
    assert len(report["skipped"]) == len(bad)
    assert {item["path"] for item in report["skipped"]} == set(bad)
    assert snapshot(seeds) == before

    # --rebuild reports the same files.
    rebuilt = run_cli("index", "--rebuild", "--seeds", str(seeds), "--index", str(index_dir), check=3)
    assert len(skipped_lines(rebuilt.stderr)) == len(bad)
    assert_holds_exactly(index_dir, good)
    assert snapshot(seeds) == before


def test_good_articles_with_odd_names_read_back_exactly(tmp_path: Path) -> None:
    seeds, good, _ = _build(tmp_path)
    index = searchkit.open_index(tmp_path / "index", create=True)
    report = index.update(seeds)
    assert report.added == len(good)
    article = index.get("café – naïve 日本語 Ελληνικά")
    assert article.headline == "Non-ASCII file name" and article.body == GOOD_BODY
    assert index.get("sub folder/nested ünïcode").path == str(seeds / "sub folder" / "nested ünïcode.txt")
    assert index.get("first-day").date.isoformat() == "0001-01-01"
    assert index.get("last-day").date.isoformat() == "9999-12-31"
    assert index.get("crlf").body == GOOD_BODY
    # The folder symlink back to the root is not followed twice: no "sub folder/back-to-root/..." ids.
    assert not [i for i in good if "back-to-root" in i]
    assert len(index) == len(good)
    index.close()


def test_file_over_the_configured_limit_is_skipped(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_seed(seeds, "small", "2017-01-01", "Small", "fits")
    write_seed(seeds, "big", "2017-01-01", "Big", "word " * 2000)  # about 10 KB
    before = snapshot(seeds)
    done = run_cli("index", "--seeds", str(seeds), "--index", str(tmp_path / "index"),
                   "--max-bytes", "4096", check=3)
    assert skipped_lines(done.stderr) == [f"skipped {seeds / 'big.txt'}: larger than the 4,096-byte limit "
                                          f"({(seeds / 'big.txt').stat().st_size:,} bytes)"]
    assert_holds_exactly(tmp_path / "index", {"small"})
    assert snapshot(seeds) == before


def test_file_over_the_default_limit_is_skipped_without_reading_it(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_seed(seeds, "small", "2017-01-01", "Small", "fits")
    huge = seeds / "huge.txt"
    with open(huge, "wb") as handle:  # sparse: 11 MB on paper, nothing on disk
        handle.write(b"date 2017-01-01 Huge\n")
        handle.truncate(DEFAULT_MAX_BYTES + 1024 * 1024)
    done = run_cli("index", "--seeds", str(seeds), "--index", str(tmp_path / "index"), check=3)
    lines = skipped_lines(done.stderr)
    assert len(lines) == 1 and lines[0].startswith(f"skipped {huge}: larger than the 10,485,760-byte limit")
    assert_holds_exactly(tmp_path / "index", {"small"})


def test_file_that_grew_past_the_limit_after_listing_is_refused(tmp_path: Path) -> None:
    path = write_seed(tmp_path, "grew", "2017-01-01", "Grew", "word " * 2000)
    listed = SeedFile("grew", path, size=100, mtime_ns=0)  # what the listing saw
    with pytest.raises(searchkit.SeedError, match="larger than the 4,096-byte limit") as caught:
        read_seed(listed, max_bytes=4096)
    assert caught.value.path == path


def test_file_deleted_between_listing_and_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = tmp_path / "seeds"
    for name in ("one", "two", "three"):
        write_seed(seeds, name, "2017-01-01", name.title(), GOOD_BODY)
    real_scan = searchkit.index.facade.scan_seeds

    def scan_then_delete(root):  # the user deletes a file just after the listing
        found, problems = real_scan(root)
        (seeds / "two.txt").unlink()
        return found, problems

    monkeypatch.setattr(searchkit.index.facade, "scan_seeds", scan_then_delete)
    index = searchkit.open_index(tmp_path / "index", create=True)
    report = index.update(seeds)
    assert [(e.path, e.reason) for e in report.skipped] == [
        (seeds / "two.txt", "file disappeared while indexing")]
    assert "one" in index and "three" in index and "two" not in index
    index.close()


def test_file_made_unreadable_between_listing_and_reading(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod 000 does not stop root (the CI runs as root), so the permission error is injected where
    the reader opens the file; as another user the real chmod is checked too."""
    seeds = tmp_path / "seeds"
    for name in ("one", "two", "three"):
        write_seed(seeds, name, "2017-01-01", name.title(), GOOD_BODY)
    locked = seeds / "two.txt"

    def guarded_open(file, *args, **kwargs):
        if Path(file) == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
        return builtins.open(file, *args, **kwargs)

    monkeypatch.setattr(searchkit.articles, "open", guarded_open, raising=False)
    before = snapshot(seeds)
    index = searchkit.open_index(tmp_path / "index", create=True)
    report = index.update(seeds)
    assert [(e.path, e.reason) for e in report.skipped] == [(locked, "cannot read: Permission denied")]
    assert "one" in index and "three" in index and "two" not in index
    assert snapshot(seeds) == before
    index.close()
    monkeypatch.undo()

    if os.geteuid() != 0:  # a real unreadable file, where the OS enforces it
        locked.chmod(0)
        try:
            index = searchkit.open_index(tmp_path / "index2", create=True)
            report = index.update(seeds)
            assert [e.path for e in report.skipped] == [locked]
            index.close()
        finally:
            locked.chmod(0o644)


def test_unreadable_folder_is_reported_and_the_rest_indexed(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = tmp_path / "seeds"
    write_seed(seeds, "top", "2017-01-01", "Top", GOOD_BODY)
    write_seed(seeds / "private", "hidden", "2017-01-01", "Hidden", GOOD_BODY)
    real_scandir = os.scandir

    def guarded_scandir(path):
        if Path(path) == seeds / "private":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_scandir(path)

    monkeypatch.setattr(searchkit.articles.os, "scandir", guarded_scandir)
    found, problems = scan_seeds(seeds)
    assert [seed.id for seed in found] == ["top"]
    assert [(e.path, e.reason) for e in problems] == [
        (seeds / "private", "cannot list folder: Permission denied")]


def test_changed_file_that_turns_bad_keeps_its_last_good_version(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    path = write_seed(seeds, "story", "2017-01-01", "Original headline", GOOD_BODY)
    index = searchkit.open_index(tmp_path / "index", create=True)
    index.update(seeds)
    path.write_bytes(b"date 2017-02-30 Broken edit\n")
    report = index.update(seeds)
    assert [e.reason for e in report.skipped] == ["date 2017-02-30 does not exist"]
    assert index.get("story").headline == "Original headline"
    index.close()


def test_non_txt_files_are_ignored(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_seed(seeds, "real", "2017-01-01", "Real", GOOD_BODY)
    for name in IGNORED:
        (seeds / name).write_bytes(b"\x00\xff not a seed")
    (seeds / "folder.txt").mkdir()  # a folder named like a seed is walked, not read
    write_seed(seeds / "folder.txt", "inner", "2017-01-01", "Inner", GOOD_BODY)
    os.mkfifo(seeds / "pipe.txt")  # not a regular file: never opened (opening a FIFO would block)
    (seeds / ".git").mkdir()
    write_seed(seeds / ".git", "hidden-folder", "2017-01-01", "Hidden", GOOD_BODY)
    before = snapshot(seeds)
    done = run_cli("index", "--seeds", str(seeds), "--index", str(tmp_path / "index"), check=0)
    assert done.stderr == ""
    assert_holds_exactly(tmp_path / "index", {"real", "folder.txt/inner"})
    assert snapshot(seeds) == before


def test_seed_whose_name_gives_an_empty_id_is_skipped_not_fatal(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_seed(seeds, "good", "2017-01-01", "Good", GOOD_BODY)
    (seeds / ".txt").write_bytes(b"date 2017-01-01 Nameless\nbody\n")
    (seeds / " .txt").write_bytes(b"date 2017-01-01 Blank name\nbody\n")
    done = run_cli("index", "--seeds", str(seeds), "--index", str(tmp_path / "index"))
    assert done.returncode == 3, done.stderr
    lines = skipped_lines(done.stderr)
    assert len(lines) == 2 and any(f"{seeds / '.txt'}:" in line for line in lines)
    assert_holds_exactly(tmp_path / "index", {"good"})


def test_file_name_that_is_not_utf8_is_skipped(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_seed(seeds, "good", "2017-01-01", "Good", GOOD_BODY)
    raw = os.fsencode(seeds) + b"/latin1-caf\xe9.txt"
    with open(raw, "wb") as handle:
        handle.write(b"date 2017-01-01 Latin-1 name\nbody\n")
    before = snapshot(seeds)
    done = subprocess_index(seeds, tmp_path / "index")
    assert done.returncode == 3
    lines = [line for line in done.stderr.split(b"\n") if line.startswith(b"skipped ")]
    assert len(lines) == 1 and b"latin1-caf" in lines[0] and b"file name is not valid UTF-8" in lines[0]
    assert_holds_exactly(tmp_path / "index", {"good"})
    assert snapshot(seeds) == before


def test_json_report_stays_valid_utf8_with_a_non_utf8_file_name(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_seed(seeds, "good", "2017-01-01", "Good", GOOD_BODY)
    with open(os.fsencode(seeds) + b"/latin1-caf\xe9.txt", "wb") as handle:
        handle.write(b"date 2017-01-01 Latin-1 name\nbody\n")
    done = subprocess_index(seeds, tmp_path / "index", "--json")
    report = json.loads(done.stdout.decode("utf-8"))  # strict: JSON is UTF-8
    assert len(report["skipped"]) == 1


def test_bad_seed_with_a_newline_in_its_name_is_one_line(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    write_seed(seeds, "good", "2017-01-01", "Good", GOOD_BODY)
    (seeds / "two\nlines.txt").write_bytes(b"")
    done = run_cli("index", "--seeds", str(seeds), "--index", str(tmp_path / "index"), check=3)
    assert len(done.stderr.splitlines()) == 1, done.stderr


def test_seeds_folder_missing_is_one_clear_error(tmp_path: Path) -> None:
    done = run_cli("index", "--seeds", str(tmp_path / "nope"), "--index", str(tmp_path / "index"), check=2)
    assert done.stderr == f"error: seeds folder not found: {tmp_path / 'nope'}\n"
    assert not (tmp_path / "nope").exists()


def test_nothing_under_seeds_is_touched_by_any_command(tmp_path: Path) -> None:
    """index, update, --rebuild, query, show and stats, with the seeds folder read-only by intent."""
    seeds, good, _ = _build(tmp_path)
    index_dir = tmp_path / "index"
    before = snapshot(seeds)
    run_cli("index", "--seeds", str(seeds), "--index", str(index_dir), check=3)
    run_cli("index", "--seeds", str(seeds), "--index", str(index_dir), check=3)
    run_cli("index", "--rebuild", "--seeds", str(seeds), "--index", str(index_dir), check=3)
    run_cli("show", "plain", "--index", str(index_dir), check=0)
    run_cli("stats", "--index", str(index_dir), check=0)
    # A query that finds no index builds it from the seeds: that too only reads them.
    run_cli("query", "harbour", "--index", str(tmp_path / "fresh"), "--seeds", str(seeds))
    assert snapshot(seeds) == before


def subprocess_index(seeds: Path, index_dir: Path, *extra: str):
    """``searchkit index`` with bytes output (for file names that are not UTF-8)."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "searchkit", "index", "--seeds", str(seeds),
                           "--index", str(index_dir), *extra], capture_output=True, timeout=120)


# --------------------------------------------------------------------------------------------------
# docs/reliability.md cites these tests: every citation names a real test, every limit is the code's


def test_reliability_doc_cites_real_tests_and_the_real_limits() -> None:
    import re

    from searchkit.articles import MAX_LINE_CHARS as line_limit
    from searchkit.engines.rules import MAX_PREFIX_TERMS
    from searchkit.query import MAX_DEPTH, MAX_QUERY_LENGTH
    from searchkit.query.parser import MAX_CLAUSES

    tests = Path(__file__).parent
    doc = (tests.parent / "docs" / "reliability.md").read_text(encoding="utf-8")
    cited = re.findall(r"(test_reliability_\w+)\.py::(test_\w+)", doc)
    assert len(cited) >= 30
    for module, name in cited:
        source = (tests / f"{module}.py").read_text(encoding="utf-8")
        assert re.search(rf"^def {name}\(", source, re.MULTILINE), f"{module}.py::{name} is not a test"
    for number in (MAX_QUERY_LENGTH, MAX_DEPTH, MAX_CLAUSES, MAX_PREFIX_TERMS):
        assert f"{number:,}" in doc or str(number) in doc
    assert f"{line_limit:,}" in doc and f"{DEFAULT_MAX_BYTES:,}" in doc
