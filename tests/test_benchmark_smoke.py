"""Smoke tests for benchmarks/run.py: the whole script on 30 generated articles with --quick.

They check that the reports exist and name every query kind and every system; they assert nothing about
times.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.corpus import parse_article  # noqa: E402

KIND_LABELS = [
    "one word", "two words (AND)", "a OR b", '"phrase"', "headline:word", "word + date range",
    "date range alone", "word, sort newest", "prefix*", "word + exact total", '"phrase" + exact total',
]
KIND_KEYS = ["word", "two_words", "or", "phrase", "headline", "word_date", "date_range", "newest", "prefix",
             "word_total", "phrase_total"]
VOCABULARY = """
market prices trading shares exchange company profit quarter dividend earnings growth economy central
bank interest rates inflation currency dollar yen sterling crude oil barrels refinery gasoline wheat corn
grain harvest exports imports tariff shipping cargo tanker steel copper gold silver mining coffee cocoa
sugar rubber cotton merger takeover acquisition offer stake bid talks agreement government minister
parliament budget deficit treasury bonds yields investors analysts forecast strike workers union
""".split()


def write_corpus(folder: Path, count: int = 30) -> Path:
    rng = random.Random(5)
    folder.mkdir()
    for number in range(count):
        date = dt.date(2017, 1, 1) + dt.timedelta(days=rng.randrange(365))
        headline = " ".join(rng.choice(VOCABULARY) for _ in range(6)).title()
        body = "\n".join(" ".join(rng.choice(VOCABULARY) for _ in range(40)) + "." for _ in range(3))
        text = f"date {date.isoformat()} {headline}\n{body}\n"
        if number % 10 == 1:
            text = "\ufeff" + text  # a BOM
        if number % 10 == 2:
            text = "  " + text.replace("\n", "\r\n")  # leading blanks, CRLF
        (folder / f"{number:03d}_article.txt").write_bytes(text.encode("utf-8"))
    return folder


def run_benchmark(tmp_path: Path, systems: str) -> tuple[str, dict]:
    seeds = write_corpus(tmp_path / "seeds")
    out = tmp_path / "report" / "run.md"
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick", "--seeds", str(seeds),
         "--out", str(out), "--work", str(tmp_path / "work"), "--systems", systems],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    json_path = out.with_suffix(".json")
    assert out.is_file() and json_path.is_file()
    return out.read_text(encoding="utf-8"), json.loads(json_path.read_text(encoding="utf-8"))


def check_report(markdown: str, results: dict, systems: dict[str, str]) -> None:
    for label in KIND_LABELS:
        assert f"| {label} |" in markdown
    for name, label in systems.items():
        assert f"| {label} |" in markdown
        assert set(results["queries"][name]) == set(KIND_KEYS)
        assert results["build"][name]["docs_per_s"] > 0
        assert results["cold"][name]["runs"]
    assert results["corpus"]["docs"] == 30
    assert results["machine"]["python"] and results["machine"]["whoosh"]


def test_seed_reader_tolerates_bom_crlf_and_leading_blanks() -> None:
    article = parse_article(Path("x/a1.txt"), "\ufeff  date 1987-03-02 Oil Up\r\nBody one.\r\nBody two.\r\n")
    assert (article.id, article.date, article.headline) == ("a1", dt.date(1987, 3, 2), "Oil Up")
    assert article.body == "Body one.\nBody two."


def test_baselines_smoke(tmp_path: Path) -> None:
    markdown, results = run_benchmark(tmp_path, "whoosh_plain,sqlite_fts5")
    check_report(markdown, results, {"whoosh_plain": "plain Whoosh", "sqlite_fts5": "SQLite FTS5"})


def test_all_systems_smoke(tmp_path: Path) -> None:
    searchkit = pytest.importorskip("searchkit")
    if not hasattr(searchkit, "open_index"):
        pytest.skip("searchkit.open_index is not there yet")
    markdown, results = run_benchmark(tmp_path, "searchkit,whoosh_plain,sqlite_fts5")
    check_report(markdown, results,
                 {"searchkit": "searchkit", "whoosh_plain": "plain Whoosh", "sqlite_fts5": "SQLite FTS5"})
    assert "## Targets" in markdown
    assert results["incremental"]["add_100"]["added"] == 30  # the corpus has only 30 articles to copy


def test_news_benchmark_reports_every_feature_and_kind(tmp_path):
    seeds = write_corpus(tmp_path / "seeds")
    out = tmp_path / "news.md"
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "news.py"), "--seeds", str(seeds), "--engines", "whoosh",
         "--queries", "2", "--rounds", "1", "--work", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = out.read_text()
    for heading in ("## histogram", "## histogram, no snippets", "## sort recent"):
        assert heading in report
    results = json.loads(out.with_suffix(".json").read_text())["results"]["whoosh"]
    assert set(results["histogram"]) == {"word", "two_words", "or", "phrase", "headline", "word_date",
                                         "date_range", "prefix", "everything"}
