"""The contract on a multilingual corpus: every engine finds what the reference finds, query by query,
in every sort, with the words of each article analysed in its language (tests/engines/multilingual.py)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from searchkit.index.request import SORTS
from searchkit.query import tree as t

from .harness import ALL, REAL_ENGINES, ask, load_engine, new_index, outcome
from .multilingual import CJK, CJK_EXPECTED, EXPECTED, THAI, THAI_EXPECTED, WESTERN
from .reference import ReferenceEngine


def _cjk_installed() -> bool:
    try:
        import fugashi  # noqa: F401
        import jieba  # noqa: F401
        import unidic_lite  # noqa: F401
    except ImportError:
        return False
    return True


def _thai_installed() -> bool:
    try:
        import pythainlp  # noqa: F401
    except ImportError:
        return False
    return True


CJK_REASON = "needs the cjk extra (pip install 'searchkit[cjk]')"
HAS_CJK = _cjk_installed()
THAI_REASON = "needs the thai extra (pip install 'searchkit[thai]')"
HAS_THAI = _thai_installed()
CORPUS = WESTERN + (CJK if HAS_CJK else ()) + (THAI if HAS_THAI else ())


@pytest.fixture(scope="module", params=REAL_ENGINES)
def readers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    engine, reference = load_engine(request.param), ReferenceEngine()
    root = tmp_path_factory.mktemp("multilingual")
    opened = [e.open_reader(new_index(e, root, CORPUS)) for e in (engine, reference)]
    yield opened
    for reader in opened:
        reader.close()


def _check(readers, query: str, found: set[str]) -> None:
    engine_reader, reference_reader = readers
    for sort in SORTS:
        wanted = ask(query, sort=sort)
        assert outcome(engine_reader, wanted) == outcome(reference_reader, wanted), (query, sort)
    total, ids = outcome(reference_reader, ask(query))[:2]
    assert set(ids) == found, query


@pytest.mark.parametrize("query", sorted(EXPECTED))
def test_each_language_matches_its_inflected_forms_as_the_reference_does(readers, query):
    _check(readers, query, EXPECTED[query])


@pytest.mark.skipif(not HAS_CJK, reason=CJK_REASON)
@pytest.mark.parametrize("query", sorted(CJK_EXPECTED))
def test_chinese_and_japanese_words_are_found_inside_sentences(readers, query):
    _check(readers, query, CJK_EXPECTED[query])


@pytest.mark.skipif(not HAS_THAI, reason=THAI_REASON)
@pytest.mark.parametrize("query", sorted(THAI_EXPECTED))
def test_thai_words_are_found_inside_sentences(readers, query):
    _check(readers, query, THAI_EXPECTED[query])


def test_every_engine_counts_the_articles_of_each_language(readers):
    engine_reader, reference_reader = readers
    counts = engine_reader.language_counts()
    assert counts == reference_reader.language_counts()
    assert counts["de"] == 2 and counts["ru"] == 2 and counts["en"] == 1


@pytest.mark.parametrize(("query", "language"), list(itertools.product(["Haus", "книга"], ["de", "ru"])))
def test_a_language_filter_analyses_the_words_in_that_language_only(readers, query, language):
    engine_reader, reference_reader = readers
    wanted = ask(f"{query} lang:{language}")
    assert outcome(engine_reader, wanted) == outcome(reference_reader, wanted)


#: Misspelt words of the corpus's headlines, and the candidate (folded, as the engines list them).
MISSPELT = {"Hochwaser": "Hochwasser", "Häusr": "Hauser", "Sécherese": "Secheresse", "книгга": "книга",
            "ИНУНДАЦИОНЕС": None, "inundacinoes": "inundaciones"}


@pytest.mark.parametrize("typed", sorted(MISSPELT))
def test_a_misspelt_word_of_any_language_gets_the_reference_s_candidate(readers, typed):
    from searchkit.index import suggestions

    engine_reader, reference_reader = readers
    held = tuple(sorted(reference_reader.language_counts()))
    suggested = suggestions.suggest(engine_reader, typed, languages=held)
    assert suggested == suggestions.suggest(reference_reader, typed, languages=held)
    assert suggested == MISSPELT[typed]


LANGUAGE_FACET_QUERIES = ("*", "Haus OR cheval OR houses OR книга", "-lang:de", "minister OR ministro",
                          "lang:de OR lang:ru", "nothingmatchesthis", "date:2024-03-05")


@pytest.mark.parametrize("query", LANGUAGE_FACET_QUERIES)
def test_every_match_is_counted_per_language_as_the_reference_counts_it(readers, query):
    engine_reader, reference_reader = readers
    for sort, count_days, limit in itertools.product(SORTS, (False, True), (0, ALL)):
        wanted = ask(query, sort=sort, count_languages=True, count_days=count_days, limit=limit)
        assert outcome(engine_reader, wanted) == outcome(reference_reader, wanted), (query, sort, limit)
    dated = ask(query, count_languages=True, date_filter=t.DateRange(dt.date(2024, 3, 6), None))
    assert outcome(engine_reader, dated) == outcome(reference_reader, dated), query


def test_the_language_counts_are_of_every_match_not_the_page(readers):
    engine_reader, _ = readers
    page = engine_reader.search(ask("Haus OR cheval OR houses OR книга", count_languages=True, limit=1))
    assert len(page.hits) == 1
    assert dict(page.language_counts) == {"de": 2, "fr": 2, "ru": 2, "en": 1}
    assert engine_reader.search(ask("*", count_languages=True, limit=0)).language_counts == \
        engine_reader.language_counts()


@pytest.mark.parametrize(("query", "without"), [
    ("die Häuser", "Häuser"), ("Häuser der", "Häuser"), ("la course", "course"),
    ("der Minister lang:de", "Minister lang:de")])
def test_a_stop_word_beside_other_words_changes_no_score(readers, query, without):
    for reader in readers:
        asked, plain = reader.search(ask(query)), reader.search(ask(without))
        assert [(hit.id, hit.score) for hit in asked.hits] == [(hit.id, hit.score) for hit in plain.hits]
        assert asked.total == plain.total > 0
