"""The Tantivy engine as a user meets it: chosen once, recorded, converted both ways, same answers.

The engine contract suite (tests/engines) checks it query by query against the reference engine; these
tests check what the CLI and the library promise around it.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading

import pytest
from click.testing import CliRunner

import searchkit
from searchkit.cli.commands import main
from searchkit.errors import EngineNotAvailableError

pytest.importorskip("tantivy", reason="the Tantivy engine needs: pip install 'searchkit[fast]'")


def ids(results) -> set[str]:
    return {hit.id for hit in results}


@pytest.fixture
def run(tmp_path, seeds, monkeypatch):
    monkeypatch.setenv("SEARCHKIT_SEEDS", str(seeds))
    monkeypatch.setenv("SEARCHKIT_INDEX", str(tmp_path / "index"))
    monkeypatch.delenv("SEARCHKIT_ENGINE", raising=False)

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def fast(tmp_path, seeds):
    ix = searchkit.open_index(tmp_path / "fast", create=True, engine="tantivy")
    ix.update(seeds)
    yield ix
    ix.close()


QUERIES = ["clarkson", "kelly clarkson", '"everybody hurts"', '"kelly pink"~5', "headline:pink -body:tour",
           "hurt*", "cl?rkson", "date:2017", "date:{2017-06-02 TO 2018-01-05]", "(pink kelly juarez)@2",
           "clarkson || cocoa", "* -clarkson", "juarez", "Juárez"]


@pytest.mark.parametrize("query", QUERIES)
def test_both_engines_find_the_same_articles(index, fast, query):
    for sort in ("relevance", "newest", "oldest"):
        whoosh, tantivy = index.search(query, limit=100, sort=sort), fast.search(query, limit=100, sort=sort)
        assert (tantivy.total, ids(tantivy)) == (whoosh.total, ids(whoosh)), (query, sort)
    if sort != "relevance":
        assert [h.date for h in fast.search(query, limit=100, sort="newest")] == sorted(
            (h.date for h in whoosh), reverse=True)


def test_the_engine_is_recorded_and_every_later_command_uses_it(run, tmp_path):
    assert run("index", "--engine", "tantivy").exit_code == 0
    assert searchkit.open_index(tmp_path / "index").engine == "tantivy"
    stats = json.loads(run("stats", "--json").stdout)
    assert (stats["engine"], stats["articles"]) == ("tantivy", 5)
    found = json.loads(run("query", "--json", "everybody hurts").stdout)
    assert found["total"] == 2 and found["hits"][0]["id"] == "hurts"
    assert "**Everybody** **Hurts**" in found["hits"][1]["snippet"]
    shown = run("show", "cocoa", "--json")
    assert json.loads(shown.stdout)["headline"] == "Bahia cocoa review"
    assert run("index").stdout.startswith("added 0, updated 0, removed 0, unchanged 5")


def test_rebuild_converts_between_engines_keeping_library_articles(run, tmp_path, seeds):
    assert run("index").exit_code == 0
    index = searchkit.open_index(tmp_path / "index")
    index.add(searchkit.Article(id="wire/1", date=dt.date(2021, 3, 4), headline="Zinc rally", body="Zinc."))
    index.close()
    converted = run("index", "--rebuild", "--engine", "tantivy")
    assert converted.exit_code == 0, converted.stderr
    index = searchkit.open_index(tmp_path / "index")
    assert index.engine == "tantivy" and ids(index.search("zinc")) == {"wire/1"} and len(index) == 6
    refused = run("index", "--engine", "whoosh")  # an update never changes the engine
    assert refused.exit_code == 2 and "uses the tantivy engine, not whoosh; rebuild it" in refused.stderr
    assert run("index", "--rebuild", "--engine", "whoosh").exit_code == 0
    assert searchkit.open_index(tmp_path / "index").engine == "whoosh" and len(index) == 6


def test_asking_for_tantivy_without_the_extra_names_the_pip_command(run, monkeypatch, tmp_path):
    from searchkit import engines

    monkeypatch.setattr(engines, "_LOADED", {})
    monkeypatch.setitem(sys.modules, "tantivy", None)  # as if searchkit[fast] were not installed
    done = run("index", "--engine", "tantivy")
    assert done.exit_code == 2
    assert done.stderr == ("error: search engine 'tantivy' is not available: "
                           "pip install 'searchkit[fast]'\n")
    with pytest.raises(EngineNotAvailableError):
        searchkit.Index(tmp_path / "anywhere", engine="tantivy").update(tmp_path)


def test_a_reader_sees_another_writers_commits_without_reopening(fast, tmp_path):
    assert fast.search("zinc").total == 0
    other = searchkit.open_index(fast.path)
    other.add(searchkit.Article(id="wire/1", date=dt.date(2021, 3, 4), headline="Zinc rally", body="Zinc."))
    assert ids(fast.search("zinc")) == {"wire/1"}
    other.delete("wire/1")
    assert fast.search("zinc").total == 0 and "wire/1" not in fast


def test_threads_share_one_index(fast):
    answers: list[int] = []

    def ask() -> None:
        for _ in range(20):
            answers.append(fast.search("clarkson").total)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [2] * 80


def test_stats_and_explain(fast):
    stats = fast.stats()
    assert (stats.articles, stats.first_date, stats.last_date) == (
        5, dt.date(1987, 2, 26), dt.date(2018, 1, 5))
    assert stats.per_year == {1987: 1, 2016: 1, 2017: 2, 2018: 1} and stats.engine == "tantivy"
    explained = fast.explain("everybody hurts")
    assert explained.engine == "tantivy" and 'ANDMAYBE headline:"everybodi hurt"' in explained.engine_query
    assert "ANDMAYBE" not in fast.explain("everybody hurts", sort="newest").engine_query


def test_did_you_mean(fast):
    assert fast.search("clarksn", autocorrect=False).suggestion == "clarkson"


def test_a_damaged_file_is_reported_and_rebuild_recovers(fast, seeds):
    live = fast.path / (fast.path / "CURRENT").read_text().strip()
    fast.close()
    for store in live.glob("*.store"):
        with open(store, "r+b") as handle:
            handle.truncate(store.stat().st_size // 2)
    with pytest.raises(searchkit.IndexCorruptError, match="run 'searchkit index --rebuild'"):
        searchkit.open_index(fast.path).search("clarkson")
    report = searchkit.Index(fast.path).rebuild(seeds)
    assert report.rebuilt and searchkit.open_index(fast.path).search("clarkson").total == 2


def test_a_write_killed_before_its_commit_landed_does_not_block_the_same_write_again(fast, seeds):
    # A writer killed after Tantivy wrote a delete file but before its meta.json (Tantivy lists a file in
    # .managed.json before writing it): the same update again deletes the same articles at the same
    # opstamp, so it would write a file of the same name.
    live = fast.path / (fast.path / "CURRENT").read_text().strip()
    before = {name: (live / name).read_bytes() for name in ("meta.json",)}
    (seeds / "pink.txt").write_text("date 2017-11-18 Pink rewritten\nA new body for the pink story.\n",
                                    encoding="utf-8")
    assert fast.update(seeds).updated == 1
    assert list(live.glob("*.del"))
    fast.close()
    for name, data in before.items():  # the commit undone, its files left behind
        (live / name).write_bytes(data)
    with searchkit.open_index(fast.path) as again:
        assert again.search("headline:rewritten").total == 0
        assert again.update(seeds).updated == 1
        assert again.search("headline:rewritten").total == 1


def test_a_phrase_too_loose_for_tantivy_is_refused_with_the_reason(fast):
    from searchkit.errors import UnsupportedQueryError

    words = "one two three four five six seven eight nine ten"
    with pytest.raises(UnsupportedQueryError, match=r"can be arranged 512 ways, and it runs at most 256"):
        fast.search(f'"{words}"~1')
    assert fast.search(f'"{words}"').total == 0  # exact phrases of any length run
