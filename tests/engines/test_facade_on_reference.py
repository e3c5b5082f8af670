"""The public ``Index`` on the brute-force reference engine: the facade depends on the engine seam only.

The same updates, adds, deletes and rebuilds run on a Whoosh index and a reference index of the same
seeds, and a user sees the same reports, hits, articles and stats from both. An engine without a feature
refuses queries that need it, and an index written by an engine searchkit does not know says so, in the
library and on the command line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import searchkit
from searchkit.cli.commands import main
from searchkit.engines import engine_names, register_engine, unregister_engine
from searchkit.engines.base import ALL_CAPABILITIES, Capability
from searchkit.errors import (
    ArticleNotFoundError,
    InvalidOptionError,
    UnknownEngineError,
    UnsupportedQueryError,
)

from .reference import ReferenceEngine

QUERIES = ("everybody hurts", '"everybody hurts"', "hurt*", "juarez", "clarkson -pink", "*", "date:2017",
           "(pink kelly clarkson)@2", "headline:g?ld OR tour", "library")


class NoWildcards(ReferenceEngine):
    """The reference engine, less one feature."""

    name = "no-wildcards"
    capabilities = ALL_CAPABILITIES - {Capability.WILDCARD}


@pytest.fixture
def reference() -> ReferenceEngine:
    engine = ReferenceEngine()
    register_engine("reference", engine)
    yield engine
    unregister_engine("reference")


@pytest.fixture
def no_wildcards() -> NoWildcards:
    engine = NoWildcards()
    register_engine("no-wildcards", engine)
    yield engine
    unregister_engine("no-wildcards")


def seen(index: searchkit.Index) -> dict[str, object]:
    """What a user of ``index`` sees: hits of every query in every sort, and the stats that do not
    depend on the engine's files."""
    found: dict[str, object] = {}
    for query in QUERIES:
        for sort in ("relevance", "newest", "oldest"):
            results = index.search(query, sort=sort, limit=100)
            found[f"{query} / {sort}"] = (results.total, sorted(hit.id for hit in results),
                                          [hit.date for hit in results] if sort != "relevance" else None)
    stats = index.stats()
    found["stats"] = (stats.articles, stats.first_date, stats.last_date, stats.per_year, stats.seeds_dir)
    return found


def report(update: searchkit.UpdateReport) -> tuple[object, ...]:
    return (update.added, update.updated, update.removed, update.unchanged, len(update.skipped),
            update.rebuilt, update.lost)


def test_the_index_does_on_the_reference_engine_what_it_does_on_whoosh(reference, tmp_path, seeds,
                                                                       seed_writer):
    whoosh = searchkit.open_index(tmp_path / "whoosh", create=True)
    mine = searchkit.open_index(tmp_path / "reference", create=True, engine="reference")
    indexes = (whoosh, mine)
    stats = mine.stats()
    assert (mine.engine, len(mine), stats.engine, stats.schema_version) == ("reference", 0, "reference", 1)
    (meta,) = (tmp_path / "reference").glob("gen-*/searchkit.json")
    assert json.loads(meta.read_text())["engine"] == "reference"

    assert [report(ix.update(seeds)) for ix in indexes] == [(5, 0, 0, 0, 0, False, 0)] * 2
    assert seen(mine) == seen(whoosh)
    assert mine.get("juarez") == whoosh.get("juarez")
    assert mine.get("juarez").headline == "Mayor of Juárez visits the border"

    seed_writer("new", "2019-05-05", "Gold rush in the library", "A new article.")
    seed_writer("cocoa", "1987-02-26", "Bahia cocoa review", "Showers stopped.")
    (seeds / "hurts.txt").unlink()
    assert [report(ix.update(seeds)) for ix in indexes] == [(1, 1, 1, 3, 0, False, 0)] * 2
    for ix in indexes:
        ix.add(searchkit.Article("lib", dt.date(2020, 1, 1), "Library gold", "Added by hand."))
        ix.delete("clarkson")
        with pytest.raises(ArticleNotFoundError):
            ix.delete("clarkson")
    assert "lib" in mine and "clarkson" not in mine
    assert seen(mine) == seen(whoosh)

    assert [report(ix.rebuild(seeds)) for ix in indexes] == [(5, 0, 0, 0, 0, True, 0)] * 2
    assert mine.get("lib").body == "Added by hand."  # a library article is carried over
    assert seen(mine) == seen(whoosh)
    generations = {os.path.abspath(folder) for folder in (tmp_path / "reference").glob("gen-*")}
    assert reference.folders() == generations  # every folder removed was discarded first
    with pytest.raises(InvalidOptionError, match="uses the reference engine, not whoosh"):
        searchkit.open_index(tmp_path / "reference", engine="whoosh")


def test_index_with_an_engine_name_builds_on_that_engine(reference, tmp_path, seeds):
    index = searchkit.Index(tmp_path / "index", engine="reference")
    assert report(index.update(seeds)) == (5, 0, 0, 0, 0, True, 0)
    assert searchkit.open_index(tmp_path / "index").engine == "reference"
    assert [hit.id for hit in index.search('"kelly clarkson"', sort="oldest")] == ["pink", "clarkson"]


def test_an_engine_without_wildcards_refuses_them_in_one_line(no_wildcards, tmp_path, seeds):
    index = searchkit.open_index(tmp_path / "index", create=True, engine="no-wildcards")
    index.update(seeds)
    message = "the no-wildcards engine cannot run wildcards (g?ld, col*r)"
    for ask in (index.search, index.explain):
        with pytest.raises(UnsupportedQueryError) as caught:
            ask("pink -g?ld")
        assert (str(caught.value), caught.value.engine, caught.value.feature) == (
            message, "no-wildcards", Capability.WILDCARD.value)
    assert [hit.id for hit in index.search("hurt* -g?ld", plain=True)] == []  # plain: g?ld is two words
    assert {hit.id for hit in index.search("hurt*")} == {"hurts", "juarez", "pink"}
    result = CliRunner().invoke(main, ["query", "--index", str(tmp_path / "index"), "g?ld"])
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: {message}\n")


def unknown_engine_index(tmp_path: Path, seeds: Path) -> Path:
    """A reference index whose generation says it was written by an engine called "nosuch"."""
    engine = ReferenceEngine()
    register_engine("reference", engine)
    try:
        searchkit.Index(tmp_path / "index", engine="reference").update(seeds)
    finally:
        unregister_engine("reference")
    (meta,) = (tmp_path / "index").glob("gen-*/searchkit.json")
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "engine": "nosuch"}))
    return tmp_path / "index"


def test_an_index_written_by_an_unknown_engine_names_the_known_ones(tmp_path, seeds):
    path = unknown_engine_index(tmp_path, seeds)
    expected = f"unknown search engine 'nosuch'; expected one of {', '.join(engine_names())}"
    for attempt in (lambda: searchkit.open_index(path), lambda: searchkit.Index(path).search("pink")):
        with pytest.raises(UnknownEngineError) as caught:
            attempt()
        error = caught.value
        assert (str(error), error.engine, error.known) == (expected, "nosuch", engine_names())
    assert "whoosh" in engine_names() and "reference" not in engine_names()

    done = subprocess.run([sys.executable, "-m", "searchkit", "stats", "--index", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"error: {expected}\n")
