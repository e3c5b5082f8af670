"""The seed reader on its own: tolerant of untidy files, precise about unreadable ones."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from searchkit.articles import Article, parse_seed_text, read_seed, scan_seeds
from searchkit.errors import InvalidArticleError, SeedError, SeedsNotFoundError

from conftest import REPO


def read(path: Path, root: Path, **kwargs):
    found, problems = scan_seeds(root)
    (seed,) = [s for s in found if s.path == path]
    return read_seed(seed, **kwargs)


def test_shipped_seed_with_leading_space_and_no_final_newline():
    seed_file = REPO / "seeds" / "000_51e2bb355a6572db.txt"
    raw = seed_file.read_bytes()
    assert raw.startswith(b" date") and not raw.endswith(b"\n")  # the untidiness we must accept
    article, digest = read(seed_file, REPO / "seeds")
    assert article.id == "000_51e2bb355a6572db"
    assert article.date == dt.date(2017, 11, 18)
    assert article.headline.startswith("Kelly Clarkson and Pink Slay")
    assert article.body.endswith("Hear the latest on Clarkson in the video below.")
    assert len(digest) == 32


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbfdate 2020-05-01 Headline here\r\nBody line\r\n",
        b"\n\n   date 2020-05-01 Headline here   \nBody line   \n\n\n",
        b"date  2020-05-01\tHeadline here\rBody line",
    ],
    ids=["bom-crlf", "blank-lines-trailing-spaces", "tabs-cr"],
)
def test_untidy_but_valid_files_are_read(tmp_path, raw):
    (tmp_path / "a.txt").write_bytes(raw)
    article, _ = read(tmp_path / "a.txt", tmp_path)
    assert (article.date, article.headline, article.body) == \
        (dt.date(2020, 5, 1), "Headline here", "Body line")


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (b"date 2020-01-01 ok\n\xff\xfe broken", "not UTF-8 (invalid byte at offset 19, line 2)"),
        (b"date 2020-01-01 ok\x00\x01\x02", "binary file (contains NUL bytes)"),
        (b"Headline without a date\nbody", "first line is not 'date YYYY-MM-DD <headline>'"),
        (b"date 2017-02-30 Feb 30th\nbody", "date 2017-02-30 does not exist"),
        (b"date 0000-01-01 Year zero\nbody", "date 0000-01-01 does not exist"),
        (b"date 9999-99-99 Garbled\nbody", "date 9999-99-99 does not exist"),
        (b"date 18/11/2017 Wrong format\nbody", "date '18/11/2017' is not YYYY-MM-DD"),
    ],
)
def test_unreadable_files_name_the_file_and_the_reason(tmp_path, raw, reason):
    (tmp_path / "bad.txt").write_bytes(raw)
    with pytest.raises(SeedError) as caught:
        read(tmp_path / "bad.txt", tmp_path)
    assert caught.value.reason == reason
    assert str(caught.value) == f"{tmp_path / 'bad.txt'}: {reason}"


def test_size_limit_is_configurable(tmp_path):
    (tmp_path / "big.txt").write_text("date 2020-01-01 Big\n" + "word " * 1000)
    assert read(tmp_path / "big.txt", tmp_path, max_bytes=100_000)[0].headline == "Big"
    with pytest.raises(SeedError, match=r"larger than the 1,000-byte limit \(5,020 bytes\)"):
        read(tmp_path / "big.txt", tmp_path, max_bytes=1000)


def test_very_long_line_is_refused(tmp_path):
    (tmp_path / "long.txt").write_text("date 2020-01-01 Long\n" + "x" * 300_000)
    with pytest.raises(SeedError, match="line 2 is longer than 200,000 characters"):
        read(tmp_path / "long.txt", tmp_path)


def test_scan_is_recursive_ids_are_relative_paths_and_other_files_are_ignored(tmp_path):
    for name in ["a.txt", "sub/b.txt", "sub/deeper/c d é.txt", "notes.md", "sub/x.TXT.bak", ".git/e.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("date 2020-01-01 x\n")
    found, problems = scan_seeds(tmp_path)
    assert [s.id for s in found] == ["a", "sub/b", "sub/deeper/c d é"]
    assert problems == []


def test_scan_reports_broken_symlinks_and_loops_and_survives_folder_loops(tmp_path):
    (tmp_path / "good.txt").write_text("date 2020-01-01 x\n")
    os.symlink(tmp_path / "missing.txt", tmp_path / "broken.txt")
    os.symlink(tmp_path / "loop2.txt", tmp_path / "loop1.txt")
    os.symlink(tmp_path / "loop1.txt", tmp_path / "loop2.txt")
    os.symlink(tmp_path, tmp_path / "myself")  # a folder loop: must not be walked forever
    found, problems = scan_seeds(tmp_path)
    assert [s.id for s in found] == ["good"]
    assert sorted((p.path.name, p.reason) for p in problems) == [
        ("broken.txt", "broken symlink"), ("loop1.txt", "symlink loop"), ("loop2.txt", "symlink loop")]


def test_missing_seeds_folder(tmp_path):
    with pytest.raises(SeedsNotFoundError, match="seeds folder not found"):
        scan_seeds(tmp_path / "nope")


def test_article_validates_its_fields():
    with pytest.raises(InvalidArticleError):
        Article(id="", date=dt.date(2020, 1, 1), headline="h", body="b")
    with pytest.raises(InvalidArticleError):
        Article(id="x", date=dt.datetime(2020, 1, 1), headline="h", body="b")  # type: ignore[arg-type]


def test_parse_seed_text_keeps_inner_blank_lines():
    article = parse_seed_text("date 2020-01-01 H\npara one\n\npara two\n", article_id="x")
    assert article.body == "para one\n\npara two"
