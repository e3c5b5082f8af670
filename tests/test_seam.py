"""What the engine seam promises a user: the engine is recorded and named, explain shows what runs,
rebuilds never lose library articles silently, Whoosh is left as it was found, and the query forms
people bring from Lucene run."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

import searchkit
from searchkit.cli.commands import main
from searchkit.errors import ArticlesWouldBeLostError, InvalidOptionError, UnknownEngineError

from conftest import REPO


def ids(results) -> set[str]:
    return {hit.id for hit in results}


def _meta(index) -> dict:
    live = (index.path / "CURRENT").read_text().strip()
    return json.loads((index.path / live / "searchkit.json").read_text())


ENGINE = os.environ.get("SEARCHKIT_TEST_ENGINE") or "whoosh"


def _damage_stored_fields(index) -> None:
    """Cut the stored fields of every segment in half: articles can no longer be read back."""
    live = index.path / (index.path / "CURRENT").read_text().strip()
    for stored in [*live.glob("*._stored.col"), *live.glob("*.store")]:  # Whoosh's, Tantivy's
        with open(stored, "r+b") as handle:
            handle.truncate(stored.stat().st_size // 2)


def test_the_engine_is_recorded_and_reported(index):
    assert _meta(index)["engine"] == ENGINE
    assert index.engine == ENGINE
    assert index.stats().engine == ENGINE
    assert index.explain("pink").engine == ENGINE


def test_an_index_written_by_an_unknown_engine_names_the_known_ones(index, tmp_path):
    live = index.path / (index.path / "CURRENT").read_text().strip()
    meta = json.loads((live / "searchkit.json").read_text())
    (live / "searchkit.json").write_text(json.dumps({**meta, "engine": "lucene"}))
    fresh = searchkit.Index(index.path)
    with pytest.raises(UnknownEngineError, match=r"unknown search engine 'lucene'; expected one of .*whoosh"):
        fresh.search("pink")
    done = subprocess.run([sys.executable, "-m", "searchkit", "stats", "--index", str(index.path)],
                          capture_output=True, text=True, cwd=REPO)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("error: unknown search engine 'lucene'; expected one of ")
    assert len(done.stderr.splitlines()) == 1


def test_asking_an_existing_index_for_another_engine_is_refused(index, seeds):
    with pytest.raises(InvalidOptionError, match=f"uses the {ENGINE} engine, not nosuch; rebuild it"):
        searchkit.open_index(index.path, engine="nosuch")
    with pytest.raises(InvalidOptionError, match=f"uses the {ENGINE} engine"):
        searchkit.Index(index.path, engine="nosuch").update(seeds)


# Defect 3: explain shows what runs for the given sort.

def test_explain_shows_the_headline_bonus_only_for_relevance(index):
    ranked = index.explain("everybody hurts").engine_query
    assert 'ANDMAYBE headline:"everybodi hurt"' in ranked
    for sort in ("newest", "oldest"):
        by_date = index.explain("everybody hurts", sort=sort).engine_query
        assert "ANDMAYBE" not in by_date and by_date in ranked


def test_cli_explain_follows_sort(run_cli_in):
    out = run_cli_in("query", "--explain", "--sort", "newest", "everybody hurts")
    assert out.exit_code == 0 and "ANDMAYBE" not in out.stdout
    assert "ANDMAYBE" in run_cli_in("query", "--explain", "everybody hurts").stdout


@pytest.fixture
def run_cli_in(tmp_path, seeds, monkeypatch):
    monkeypatch.setenv("SEARCHKIT_SEEDS", str(seeds))
    monkeypatch.setenv("SEARCHKIT_INDEX", str(tmp_path / "index"))

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


# Defect 2: a rebuild that cannot read the library articles says so and waits for consent.

def _article(article_id: str, headline: str) -> searchkit.Article:
    return searchkit.Article(id=article_id, date=dt.date(2021, 3, 4), headline=headline, body="Zinc prices.")


def test_rebuild_carries_library_articles_over(index, seeds):
    index.add_many([_article("wire/1", "Zinc rally"), _article("wire/2", "Zinc slump")])
    report = index.rebuild(seeds)
    assert report.lost == 0 and "lost" not in report.summary()
    assert ids(index.search("zinc")) == {"wire/1", "wire/2"}


def test_rebuild_of_an_unreadable_index_refuses_to_drop_library_articles(index, seeds):
    index.add_many([_article("wire/1", "Zinc rally"), _article("wire/2", "Zinc slump")])
    index.close()
    _damage_stored_fields(index)
    with pytest.raises(ArticlesWouldBeLostError, match=r"so 2 articles added through the library .*"
                                                       r"--discard-unreadable") as caught:
        index.rebuild(seeds)
    assert caught.value.count == 2
    report = index.rebuild(seeds, discard_unreadable=True)
    assert report.lost == 2
    assert "lost 2 library articles" in report.summary()
    assert index.search("zinc").total == 0 and index.search("clarkson").total == 2


def test_a_rebuild_refuses_wherever_the_stored_fields_are_cut(index, seeds):
    # Where a cut falls decides what a read trips over (Whoosh reads some cuts as empty documents rather
    # than failing), and the files' sizes vary with the seeds' fingerprints, so every cut is tried.
    index.add_many([_article("wire/1", "Zinc rally"), _article("wire/2", "Zinc slump")])
    index.close()
    live = index.path / (index.path / "CURRENT").read_text().strip()
    for stored in [*live.glob("*._stored.col"), *live.glob("*.store")]:  # Whoosh's, Tantivy's
        whole = stored.read_bytes()
        for cut in range(len(whole)):
            stored.write_bytes(whole[:cut])
            with pytest.raises(ArticlesWouldBeLostError) as caught:
                searchkit.Index(index.path).rebuild(seeds)
            assert caught.value.count == 2, f"{stored.name} cut at byte {cut}"
        stored.write_bytes(whole)
    assert ids(searchkit.Index(index.path).search("zinc")) == {"wire/1", "wire/2"}


def test_cli_rebuild_names_the_loss_and_the_flag(run_cli_in, tmp_path):
    assert run_cli_in("index").exit_code == 0
    index = searchkit.open_index(tmp_path / "index")
    index.add(_article("wire/1", "Zinc rally"))
    index.close()
    _damage_stored_fields(index)
    refused = run_cli_in("index", "--rebuild")
    assert refused.exit_code == 2
    assert refused.stderr.startswith("error: index at ")
    assert "so 1 article added through the library" in refused.stderr
    assert "--discard-unreadable" in refused.stderr
    done = run_cli_in("index", "--rebuild", "--discard-unreadable", "--json")
    assert done.exit_code == 0 and json.loads(done.stdout)["lost"] == 1
    assert run_cli_in("index", "--discard-unreadable").exit_code == 2  # only means something with --rebuild


def test_rebuild_of_an_unreadable_index_without_library_articles_just_rebuilds(index, seeds):
    index.close()
    _damage_stored_fields(index)
    report = index.rebuild(seeds)
    assert report.lost == 0 and index.search("clarkson").total == 2


def test_an_index_with_nothing_left_rebuilds_without_asking(index, seeds):
    shutil.rmtree(index.path / (index.path / "CURRENT").read_text().strip())
    assert searchkit.Index(index.path).rebuild(seeds).lost == 0


# Defect 4: no process-wide patches of Whoosh.

def test_searchkit_leaves_whoosh_classes_as_whoosh_ships_them(index, seeds):
    from whoosh.codec import whoosh3
    from whoosh.writing import SegmentWriter

    index.rebuild(seeds)
    index.search("clarkson")
    assert whoosh3.W3PerDocReader.doc_field_length.__module__ == "whoosh.codec.whoosh3"
    assert SegmentWriter.per_document_reader.__module__ == "whoosh.writing"
    assert SegmentWriter.add_reader.__module__ == "whoosh.writing"


# Defect 6: the forms people bring from Lucene and Elasticsearch run on the engine.

@pytest.mark.parametrize(("query", "expected"), [
    ("cl?rkson", {"pink", "clarkson"}),
    ("headline:cl*on", {"clarkson", "pink"}),
    ("h?rt*", {"hurts", "pink", "juarez"}),
    ("b?hia -review", set()),
    ("clarkson || cocoa", {"pink", "clarkson", "cocoa"}),
    ("clarkson && tour", {"clarkson"}),
    ("date:{2017-06-02 TO 2018-01-05}", {"pink"}),
    ("date:[2017-06-02 TO 2018-01-05}", {"pink", "hurts"}),
    ("date:{2017-06-02 TO 2018-01-05]", {"pink", "clarkson"}),
])
def test_lucene_forms_find_what_they_mean(index, query, expected):
    assert ids(index.search(query, limit=100)) == expected


def test_a_missing_engine_library_names_what_to_install(monkeypatch):
    from searchkit import engines
    from searchkit.errors import EngineNotAvailableError

    monkeypatch.setattr(engines, "_LOADED", {})
    monkeypatch.setitem(sys.modules, "whoosh", None)  # as if whoosh-reloaded were not installed
    with pytest.raises(EngineNotAvailableError, match=r"is not available: pip install 'whoosh-reloaded"):
        engines.get_engine("whoosh")


def test_every_error_survives_a_trip_between_processes():
    """Worker processes send errors back pickled: each keeps its message, its class and its fields."""
    import pickle

    from searchkit import errors

    made = [errors.SeedError("a/b.txt", "bad date"), errors.QuerySyntaxError("a (", 2, "unclosed"),
            errors.IndexLockedError("ix", "process 1", 0.5), errors.ArticlesWouldBeLostError("ix", 3, "x"),
            errors.UnknownEngineError("lucene", ("whoosh",)), errors.InvalidDateError("2017-02-30", "no")]
    for error in made:
        back = pickle.loads(pickle.dumps(error))
        assert (type(back), str(back), back.__dict__) == (type(error), str(error), error.__dict__)


def test_a_commit_that_fails_half_way_leaves_no_engine_lock_behind(index, monkeypatch):
    """A full disk during the engine's commit: the error reaches the caller, nothing changes, and the
    next write is not refused by a lock the failed one kept."""
    import errno

    from whoosh.writing import SegmentWriter

    if index.engine != "whoosh":
        pytest.skip("fails the Whoosh engine's own commit step")

    def disk_full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(SegmentWriter, "_commit_toc", disk_full)
        with pytest.raises(OSError, match="No space left") as failed:
            index.add(_article("wire/1", "Zinc rally"))
    assert index.search("zinc").total == 0
    # The caller still holds the error (and through its traceback, the failed writer), as a caller that
    # logs it and carries on does: the engine must have let go of its lock all the same.
    index.add(_article("wire/1", "Zinc rally"))
    assert ids(index.search("zinc")) == {"wire/1"} and failed.value.errno == errno.ENOSPC
