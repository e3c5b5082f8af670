"""The scale corpus generator (benchmarks/scale_corpus.py) and the scale benchmark's guards.

A small source corpus is written here, so nothing depends on ../shared/corpora; no test asserts a time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import scale, scale_corpus  # noqa: E402
from benchmarks.scale_corpus import CorpusError, Plan, generate  # noqa: E402
from benchmarks.scale_model import build_model  # noqa: E402
from searchkit.articles import Article, SeedFile, read_seed, scan_seeds  # noqa: E402
from searchkit.text.shingles import article_text, jaccard, shingles  # noqa: E402


def read_seed_file(path: Path) -> Article:
    status = path.stat()
    return read_seed(SeedFile(path.stem, str(path), status.st_size, status.st_mtime_ns))[0]

WORDS = """market prices trading shares exchange company profit quarter dividend earnings growth economy
central bank interest rates inflation currency dollar crude oil barrels wheat grain exports tariff steel
copper gold coffee cocoa sugar merger takeover offer stake talks agreement minister budget bonds""".split()


def write_source(folder: Path, count: int = 40) -> Path:
    rng = random.Random(3)
    folder.mkdir(parents=True)
    for number in range(count):
        headline = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8))).upper()
        paragraphs = [" ".join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 20))).capitalize()
                               + "." for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(1, 5))]
        text = f"date 1987-03-{number % 28 + 1:02d} {headline}\n" + "\n".join(paragraphs) + "\n"
        (folder / f"{number:03d}.txt").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_source(tmp_path_factory.mktemp("source") / "seeds")


def contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.txt"))}


def test_same_seed_same_corpus_other_seed_another(source: Path, tmp_path: Path) -> None:
    generate(Plan(120, 7, source), tmp_path / "a", workers=1)
    generate(Plan(120, 7, source), tmp_path / "b", workers=2)  # worker processes change nothing
    generate(Plan(120, 8, source), tmp_path / "c", workers=1)
    assert contents(tmp_path / "a") == contents(tmp_path / "b")
    assert contents(tmp_path / "a") != contents(tmp_path / "c")


def test_corpus_is_sharded_dated_and_readable_by_searchkit(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    marker = generate(Plan(1_100, 1, source), out, workers=1)
    assert (marker["articles"], marker["extra"]) == (1_100, 11)
    folders = {p.name: len(list(p.iterdir())) for p in (out / "seeds").iterdir()}
    assert folders == {"00000": 1000, "00001": 100}
    assert len(list((out / "extra").rglob("*.txt"))) == 11
    found, problems = scan_seeds(out / "seeds")
    assert len(found) == 1_100 and not problems
    dates = [read_seed(seed)[0].date for seed in found]
    assert dates == sorted(dates)  # written in date order
    assert dt.date(1987, 1, 1) <= dates[0] and dates[-1] <= dt.date(2026, 12, 31)
    assert dates[-1].year - dates[0].year >= 35
    extra = [read_seed(seed)[0].date for seed in scan_seeds(out / "extra")[0]]
    assert min(extra) >= dates[-1]  # the 1% for the update run are the newest
    listed = [line for table in (out / scale_corpus.REWRITES).rglob("*.tsv")
              for line in table.read_text(encoding="utf-8").splitlines()]
    assert len(listed) < 1_111 * 0.02  # a thin archive: few stories are rewritten within days


def test_rewrites_follow_their_story_within_days_and_are_listed(source: Path, tmp_path: Path) -> None:
    """On a busy day (every article dated the same), about 5% are rewrites of an earlier story, listed."""
    class OneDay:
        def date(self, index: int) -> dt.date:
            return dt.date(2020, 1, 2) + dt.timedelta(days=index // 400)  # 400 articles a day

    writer = scale_corpus.Writer(build_model(source), OneDay(), 5)  # type: ignore[arg-type]
    writer.write_shard(tmp_path / "seeds", 0, 0, 1000)
    listing = tmp_path / scale_corpus.REWRITES / "seeds" / "00000.tsv"
    pairs = [tuple(map(int, line.split("\t"))) for line in listing.read_text(encoding="utf-8").splitlines()]
    assert 20 <= len(pairs) <= 90
    articles = {number: read_seed_file(tmp_path / "seeds" / "00000" / f"{number:08d}.txt")
                for number in range(1000)}
    def alike(left: int, right: int) -> float:
        return jaccard(shingles(article_text(articles[left])), shingles(article_text(articles[right])))

    for rewrite, story in pairs:
        assert story < rewrite
        assert (articles[rewrite].date - articles[story].date).days <= scale_corpus.REWRITE_DAYS
    # A rewrite keeps most of its story (some lose a paragraph and gain another: not all of it).
    assert statistics.median(alike(*pair) for pair in pairs) > 0.4
    assert statistics.median(alike(number, number - 1) for number in range(1, 200)) < 0.1


def test_untidy_files_read_as_the_same_article(tmp_path: Path) -> None:
    text = "date 2001-02-03 HEADLINE HERE\nFirst paragraph.\nSecond one.\n"
    kinds = set()
    for seed in range(40):
        data = scale_corpus._untidy(random.Random(seed), text)
        kinds.add(data[:3])
        path = tmp_path / f"{seed}.txt"
        path.write_bytes(data)
        found = [f for f in scan_seeds(tmp_path)[0] if f.id == str(seed)]
        article = read_seed(found[0])[0]
        assert (article.headline, article.body) == ("HEADLINE HERE", "First paragraph.\nSecond one.")
    assert len(kinds) >= 3  # a byte-order mark, CRLF or trailing spaces, leading blank lines


def test_complete_corpus_is_reused_and_a_partial_one_never_counts(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    generate(Plan(50, 1, source), out, workers=1)
    first = out / "seeds" / "00000" / "00000000.txt"
    os.utime(first, ns=(0, 0))
    generate(Plan(50, 1, source), out, workers=1)
    assert first.stat().st_mtime_ns == 0  # reused, not written again
    (out / scale_corpus.MARKER).unlink()  # as if the run had stopped before finishing
    assert scale_corpus.read_marker(out) is None
    generate(Plan(50, 1, source), out, workers=1)
    assert first.stat().st_mtime_ns != 0 and scale_corpus.read_marker(out) is not None


def test_partial_folder_of_an_interrupted_run_is_not_the_corpus(source: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "corpus"

    def interrupted(*args: object, **kwargs: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(scale_corpus.Writer, "write_shard", interrupted)
    with pytest.raises(KeyboardInterrupt):
        generate(Plan(50, 1, source), out, workers=1)
    assert not out.exists()  # only out.partial, which nothing takes for a corpus
    monkeypatch.undo()
    generate(Plan(50, 1, source), out, workers=1)
    assert scale_corpus.read_marker(out) is not None and not (tmp_path / "corpus.partial").exists()


@pytest.mark.parametrize("setup, message", [
    (lambda d: None, "source folder not found"),
    (lambda d: d.mkdir(), "holds no *.txt seed files"),
    (lambda d: (d.mkdir(), (d / "x.txt").write_text("no header here\n")), "no readable seed articles"),
])
def test_bad_source_is_refused_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], setup,
                                           message: str) -> None:
    source = tmp_path / "source"
    setup(source)
    out = tmp_path / "out"
    assert scale_corpus.main(["10", "--source", str(source), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and message in err and "\n" not in err
    assert not out.exists() and not (tmp_path / "out.partial").exists()


def test_too_little_disk_space_stops_before_writing(source: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9 - 10**6, 10**6))
    with pytest.raises(CorpusError, match=r"needs about [\d.]+ GB free in .*only 0.0 GB is free"):
        generate(Plan(1_000_000, 1, source), tmp_path / "big", workers=1)
    assert not (tmp_path / "big").exists() and not (tmp_path / "big.partial").exists()
    args = scale.parse_args(["--sizes", "1000000", "--work", str(tmp_path / "work")])
    with pytest.raises(SystemExit, match=r"needs about [\d.]+ GB free .*corpora [\d.]+ GB, indexes"):
        scale.check_space(args)


def test_scale_benchmark_smoke(source: Path, tmp_path: Path) -> None:
    """The whole scale benchmark at 200 articles on searchkit and FTS5: a report, JSON, every kind."""
    out = tmp_path / "report" / "scale.md"
    out.parent.mkdir()
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "scale.py"), "--sizes", "200", "--source", str(source),
         "--systems", "searchkit,sqlite_fts5", "--queries", "2", "--cold-repeats", "1",
         "--soak-queries", "20",
         "--work", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads(out.with_suffix(".json").read_text())
    size = results["sizes"]["200"]
    assert size["incremental"]["searchkit"]["add_1pct"]["check"] == "ok"
    assert size["soak"]["searchkit"]["queries"] == 20
    text = out.read_text()
    assert "| 200 | searchkit (Whoosh) |" in text and "| 200 | SQLite FTS5 |" in text
    assert '"phrase" + exact total' in text
