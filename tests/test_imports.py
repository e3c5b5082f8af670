"""What a cold ``searchkit query`` loads. Every module it imports is paid for by every query process
(``benchmarks/run.py`` times the cold start against a minimal SQLite FTS5 script), so the code that
writes, the alerts, the story pages and, on an engine that keeps its stories, SQLite stay out of it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import searchkit

#: Loaded by the commands that need them, never by a plain query.
NOT_FOR_A_QUERY = {
    "searchkit.index.updating", "searchkit.news.alerts", "searchkit.query.matching",  # writing, alerts
    "searchkit.reports", "searchkit.news.versions", "searchkit.news.related", "searchkit.text.wordiff",
    "difflib", "searchkit.serve", "searchkit.engines.memory", "searchkit.cli.news",
}

#: Runs ``searchkit ARGS`` as ``python -m searchkit`` does, then prints the modules it loaded.
PROBE = """
import json, runpy, sys
sys.argv = ["searchkit", *sys.argv[1:]]
try:
    runpy.run_module("searchkit", run_name="__main__")
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def loaded_by(*args: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True)
    return set(json.loads(result.stdout.splitlines()[-1]))


@pytest.mark.parametrize("engine", ["whoosh", "tantivy"])
def test_a_query_loads_only_what_searching_needs(engine, seeds, tmp_path):
    if engine == "tantivy":
        pytest.importorskip("tantivy")
    index = searchkit.open_index(tmp_path / "index", create=True, engine=engine)
    index.update(seeds)
    index.close()
    loaded = loaded_by("query", "hurts", "--index", str(tmp_path / "index"))
    assert {"searchkit.results", f"searchkit.engines.{engine}"} <= loaded  # it did search
    assert loaded.isdisjoint(NOT_FOR_A_QUERY), sorted(loaded & NOT_FOR_A_QUERY)
    if engine == "tantivy":  # its stories are in the engine: neither the story store nor the manifest is read
        assert loaded.isdisjoint({"sqlite3", "searchkit.engines.batch", "searchkit.engines.tantivy.verify"})


def test_importing_searchkit_loads_a_public_name_when_it_is_first_used():
    code = ("import sys, searchkit\nbefore = 'searchkit.reports' in sys.modules\n"
            "report = searchkit.UpdateReport\n"
            "print(before, 'searchkit.reports' in sys.modules, report.__name__)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "True", "UpdateReport"]
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        searchkit.Nothing  # noqa: B018
    assert set(searchkit.__all__) <= set(dir(searchkit))


def test_ascii_text_in_another_language_finds_its_words_without_listing_every_combining_mark():
    # Listing the marks and compiling their pattern takes a cold query on an archive holding any
    # language but English several milliseconds; ASCII text holds no mark, so it is not needed there.
    code = """
import json
from searchkit.text import multilingual
text = "Los precios del U.S. crudo subieron 3.5 pct, dijo Opep."
words = multilingual.analyzer_for("es").words(text)
spans = list(multilingual.analyzer_for("es").spans(text))
built = multilingual._word_any is not None
pattern = multilingual.word_any()
print(json.dumps([built, spans == [(m.start(), m.end(), m.group()) for m in pattern.finditer(text)], words]))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    built, same_spans, words = json.loads(result.stdout)
    assert not built and same_spans
    # U.S. one word, its dots dropped; the Spanish stop words "los" and "del" are not words
    assert words[:4] == ["preci", "us", "crud", "sub"] and "3.5" in words
