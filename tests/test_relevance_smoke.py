"""Tests for benchmarks/relevance.py: CISI and TIME parsing and the metrics on hand-made collections with
values worked out by hand, the whole script on them, and a quick run on the real CISI when it is there.

They check the arithmetic and that the reports get written; they assert nothing about how well any system
ranks CISI.
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import relevance as rel  # noqa: E402
from benchmarks import relevance_time  # noqa: E402

CISI = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "cisi"
SCRIPT = REPO / "benchmarks" / "relevance.py"

# Four documents and two queries in CISI's own format (a title over two lines, two authors, references).
TINY_ALL = """\
.I 1
.T
Dewey Decimal Classification:
a history
.A
Comaromi, J.P.
.W
   The present study is a history of the Dewey Decimal
Classification and its editions.
.X
1	5	1
.I 2
.T
Use of technical libraries
.A
Slater, M.
.A
Jones, K.
.W
An analysis of library use in technical libraries.
.X
2	1	2
.I 3
.T
Library classification schemes compared
.W
Classification schemes, Dewey among them, compared for libraries.
.I 4
.T
Citation indexing
.W
Citation indexes for science and technology.
"""
TINY_QRY = """\
.I 1
.W
Dewey decimal classification history
.I 2
.W
How are technical libraries used, and what citation indexes exist for technology?
.I 3
.W
A query nobody judged.
"""
TINY_REL = """\
     1     1	0	0.000000
     1     3	0	0.000000
     2     2	0	0.000000
     2     4	0	0.000000
"""

Q1_RELEVANT = frozenset({"0001", "0003"})
Q2_RELEVANT = frozenset({"0002", "0004"})
# Query 1: relevant at ranks 1 and 3. Query 2: one relevant at rank 1, the other never retrieved.
Q1_RANKING = ["0001", "0002", "0003", "0004"]
Q2_RANKING = ["0004"]
IDEAL_TWO = 1 + 1 / math.log2(3)  # the DCG of two relevant documents at ranks 1 and 2


# TIME's format: upper case, detached punctuation, a blank line after every line; judgements by position.
TINY_TIME_ALL = "".join(
    f"*TEXT {number:03d} 01/04/63 PAGE 020\n\nHEADLINE {number} ON COCOA\n\n"
    f"THE U.S . SOLD COCOA {number} .\n\n"
    for number in range(17, 17 + 380))
TINY_TIME_QUE = "*FIND      1\n\n COCOA SOLD BY THE U.S . TO EUROPE IN 1963 .\n\n*FIND      2\n\n NOBODY .\n"
TINY_TIME_REL = "1  2 380\n\n2  3\n"


def write_tiny_time(folder: Path) -> Path:
    folder.mkdir()
    for name, text in (("TIME.ALL", TINY_TIME_ALL), ("TIME.QUE", TINY_TIME_QUE),
                       ("TIME.REL.ALL", TINY_TIME_REL)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_time_documents_are_keyed_by_their_judged_position(tmp_path: Path) -> None:
    collection = relevance_time.load_time(write_tiny_time(tmp_path / "time"))
    first, last = collection.documents[0], collection.documents[-1]
    assert (first.id, first.title, first.abstract) == (1, "HEADLINE 17 ON COCOA", "THE U.S . SOLD COCOA 17 .")
    # The two lost documents sat after position 370: the 371st in the file is judged as 373.
    assert [d.id for d in collection.documents[369:371]] == [370, 373]
    assert last.id == 382 and last.title == "HEADLINE 396 ON COCOA"
    assert collection.queries[1] == "COCOA SOLD BY THE U.S . TO EUROPE IN 1963 ."
    assert collection.judgements == {1: frozenset({"0002", "0380"}), 2: frozenset({"0003"})}


def test_a_time_judgement_in_the_gap_or_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(rel.SetupError, match="TIME.REL.ALL line 1 judges a position in 371..377"):
        relevance_time.parse_judgements("1  372\n")
    with pytest.raises(rel.SetupError, match="TIME folder not found"):
        relevance_time.load_time(tmp_path / "nowhere")


def write_tiny_cisi(folder: Path) -> Path:
    folder.mkdir()
    for name, text in (("CISI.ALL", TINY_ALL), ("CISI.QRY", TINY_QRY), ("CISI.REL", TINY_REL)):
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL)


# Parsing and seed files


def test_tiny_collection_is_read_like_cisi(tmp_path: Path) -> None:
    collection = rel.load_collection(write_tiny_cisi(tmp_path / "cisi"))
    first = collection.documents[0]
    assert (first.id, first.title) == (1, "Dewey Decimal Classification: a history")
    assert first.abstract == ("The present study is a history of the Dewey Decimal\n"
                              "Classification and its editions.")
    assert [d.id for d in collection.documents] == [1, 2, 3, 4]
    assert collection.queries[2].startswith("How are technical libraries used, and what")
    assert collection.judgements == {1: Q1_RELEVANT, 2: Q2_RELEVANT}
    assert collection.judged_queries == [1, 2]  # query 3 has no judgements


def test_seed_files_carry_the_fixed_date_the_title_and_a_padded_id(tmp_path: Path) -> None:
    collection = rel.load_collection(write_tiny_cisi(tmp_path / "cisi"))
    assert rel.write_seeds(collection.documents, tmp_path / "seeds") == 4
    text = (tmp_path / "seeds" / "0001.txt").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "date 1980-01-01 Dewey Decimal Classification: a history"
    assert text.splitlines()[1] == "The present study is a history of the Dewey Decimal"
    assert rel.doc_key(42) == "0042"


def test_a_missing_cisi_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(rel.SetupError, match="CISI folder not found"):
        rel.load_collection(tmp_path / "nowhere")
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "CISI.ALL").write_text(TINY_ALL)
    with pytest.raises(rel.SetupError, match="lacks CISI.QRY, CISI.REL"):
        rel.load_collection(tmp_path / "half")
    proc = run_script("--cisi", str(tmp_path / "nowhere"), "--out", str(tmp_path / "r.md"), "--no-time",
                      "--work", str(tmp_path / "work"))
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: CISI folder not found: ")
    assert not (tmp_path / "r.md").exists()


def test_scratch_folders_not_made_by_the_script_are_never_deleted(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("x")
    with pytest.raises(rel.SetupError, match="refusing to delete"):
        rel.fresh_dir(tmp_path / "mine")
    assert (tmp_path / "mine" / "keep.txt").exists()


# Metrics, against values worked out by hand


def test_average_precision() -> None:
    assert rel.average_precision(Q1_RANKING, Q1_RELEVANT) == pytest.approx((1 / 1 + 2 / 3) / 2)
    assert rel.average_precision(Q2_RANKING, Q2_RELEVANT) == pytest.approx(0.5)
    assert rel.average_precision(Q1_RANKING, Q1_RELEVANT, depth=2) == pytest.approx(0.5)  # rank 3 is cut
    assert rel.average_precision([], Q1_RELEVANT) == 0.0
    assert rel.average_precision(["0001", "0003"], Q1_RELEVANT) == 1.0


def test_ndcg_at_10() -> None:
    assert rel.ndcg_at(Q1_RANKING, Q1_RELEVANT) == pytest.approx((1 + 1 / 2) / IDEAL_TWO)  # log2(4) = 2
    assert rel.ndcg_at(Q2_RANKING, Q2_RELEVANT) == pytest.approx(1 / IDEAL_TWO)
    assert rel.ndcg_at(["0003", "0001"], Q1_RELEVANT) == pytest.approx(1.0)
    assert rel.ndcg_at(["0002", "0001"], frozenset({"0001"})) == pytest.approx(1 / math.log2(3))


def test_precision_and_recall() -> None:
    assert rel.precision_at(Q1_RANKING, Q1_RELEVANT) == pytest.approx(0.2)  # out of 10 ranks, not 4 hits
    assert rel.precision_at(Q2_RANKING, Q2_RELEVANT) == pytest.approx(0.1)
    assert rel.recall_at(Q1_RANKING, Q1_RELEVANT) == 1.0
    assert rel.recall_at(Q2_RANKING, Q2_RELEVANT) == 0.5
    assert rel.recall_at(Q1_RANKING, Q1_RELEVANT, k=2) == 0.5


def test_evaluate_averages_over_queries_and_counts_empty_rankings() -> None:
    judgements = {1: Q1_RELEVANT, 2: Q2_RELEVANT}
    scores = rel.evaluate({1: Q1_RANKING, 2: Q2_RANKING}, judgements)
    assert scores.map == pytest.approx((5 / 6 + 1 / 2) / 2)  # = 2/3
    assert scores.ndcg10 == pytest.approx((1.5 / IDEAL_TWO + 1 / IDEAL_TWO) / 2)
    assert scores.p10 == pytest.approx(0.15)
    assert scores.recall1000 == pytest.approx(0.75)
    assert scores.queries == 2
    assert scores.per_query_ap == pytest.approx({1: 5 / 6, 2: 0.5})
    empty = rel.evaluate({1: Q1_RANKING, 2: []}, judgements)
    assert empty.map == pytest.approx(5 / 12)


def test_randomization_test() -> None:
    assert rel.randomization_p([0.5, 0.2], [0.5, 0.2]) == 1.0
    # Five equal wins: only the two all-same-sign flips of 32 are as extreme, p = 1/16.
    assert rel.randomization_p([1.0] * 5, [0.0] * 5) == pytest.approx(1 / 16, abs=0.01)


# The whole script


def test_script_on_the_tiny_collection(tmp_path: Path) -> None:
    pytest.importorskip("searchkit")
    out = tmp_path / "report" / "relevance.md"
    proc = run_script("--cisi", str(write_tiny_cisi(tmp_path / "cisi")), "--out", str(out),
                      "--time", str(write_tiny_time(tmp_path / "time")), "--work", str(tmp_path / "work"))
    assert proc.returncode == 0, proc.stderr
    everything = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert list(everything["collections"]) == ["cisi", "time"]
    assert everything["collections"]["time"]["collection"]["documents"] == 380
    results = everything["collections"]["cisi"]
    assert results["collection"]["documents"] == 4
    assert results["collection"]["evaluated_queries"] == 2
    systems = results["systems"]
    expected = {"searchkit", "searchkit_plain_bm25", "searchkit_no_proximity", "searchkit_no_coverage",
                "searchkit_fields_summed", "searchkit_any_one",
                "searchkit_any_word", "searchkit_old_rule", "searchkit_headline_1", "whoosh_plain",
                "sqlite_fts5"}
    if importlib.util.find_spec("tantivy") is not None:  # the Tantivy engine joins when installed
        expected.add("searchkit_tantivy")
    assert set(systems) == expected
    # Query 1 has four words, so the default search ANDs them: only document 1 holds all four.
    assert systems["searchkit"]["per_query_ap"]["1"] == 0.5
    assert results["query_lengths"] == {"long_queries": 1, "median_words": 8}
    for row in systems.values():
        assert 0.0 <= row["map"] <= 1.0 and row["queries"] == 2 and not row["errors"]
    markdown = out.read_text(encoding="utf-8")
    assert "| searchkit (default) |" in markdown and "## Machine" in markdown and "## TIME" in markdown
    assert "long library-science questions" in results["summary"]


def test_variants_use_the_default_parse_words() -> None:
    searchkit = pytest.importorskip("searchkit")
    text = "How are technical libraries used, and what citation indexes exist for technology?"
    every = [term.text for term in rel.all_terms(text)]
    assert every == text.split()
    # More than 5 words: the default ORs them less its stop words ("are", "and", "for").
    assert rel.is_long(text)
    assert [term.text for term in rel.default_terms(text)] == [
        w for w in every if w.lower() not in searchkit.query.parser.STOP_WORDS]
    assert "are" not in [term.text for term in rel.default_terms(text)]
    assert not rel.is_long("Dewey decimal classification history")
    assert rel.all_terms("- history ?") == [searchkit.Term("history")]


@pytest.mark.skipif(not (CISI / "CISI.ALL").is_file(), reason=f"no CISI collection at {CISI}")
def test_script_on_ten_cisi_queries(tmp_path: Path) -> None:
    pytest.importorskip("searchkit")
    out = tmp_path / "relevance.md"
    proc = run_script("--cisi", str(CISI), "--queries", "10", "--out", str(out), "--no-time",
                      "--work", str(tmp_path / "work"))
    assert proc.returncode == 0, proc.stderr
    assert out.is_file() and out.with_suffix(".json").is_file()
    results = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))["collections"]["cisi"]
    assert results["collection"]["evaluated_queries"] == 10
    searchkit_map = results["systems"]["searchkit"]["map"]
    assert isinstance(searchkit_map, float) and 0.0 <= searchkit_map <= 1.0
