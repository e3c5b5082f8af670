"""News in any language, through the library and the CLI: where an article's language comes from, what
each language's analysis brings together, and the lang filters (docs/languages.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from engines.multilingual import CJK, WESTERN
from engines.test_contract_languages import CJK_REASON, HAS_CJK

import searchkit
from searchkit.articles import parse_seed_text
from searchkit.cli.commands import main
from searchkit.errors import InvalidArticleError, InvalidOptionError, SeedError, UnknownLanguageError
from searchkit.text.multilingual import analyzer_for

ROOT = Path(__file__).resolve().parents[1]


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")


def as_seed(article: searchkit.Article, *, with_lang: bool) -> str:
    lang = f"lang: {article.language}\n" if with_lang else ""
    return f"date {article.date.isoformat()} {article.headline}\n{lang}{article.body}\n"


def ids(results: searchkit.Results) -> set[str]:
    return {hit.id for hit in results}


# Where the language comes from -------------------------------------------------------------------------

def test_a_seed_files_second_line_gives_its_language_and_is_not_body():
    article = parse_seed_text("date 2024-03-05 Haus\nLang: DE\nDie Häuser.\n", article_id="x")
    assert (article.language, article.body) == ("de", "Die Häuser.")
    plain = parse_seed_text("date 2024-03-05 Haus\nlanguage is English\n", article_id="y")
    assert (plain.language, plain.body) == (None, "language is English")


def test_an_unknown_language_is_one_line_naming_the_file_and_the_file_is_skipped(tmp_path):
    seeds = tmp_path / "seeds"
    write(seeds, "bad", "date 2024-03-05 Haus\nlang: xx\nDie Häuser.\n")
    write(seeds, "good", "date 2024-03-05 Oil\nlang: en\nOil prices rose.\n")
    with pytest.raises(SeedError, match="line 2: unknown language 'xx'"):
        parse_seed_text((seeds / "bad.txt").read_text(), article_id="bad", path=seeds / "bad.txt")
    result = CliRunner().invoke(main, ["index", "--seeds", str(seeds), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 3
    assert f"skipped {seeds / 'bad.txt'}: line 2: unknown language 'xx'" in result.stderr
    assert ids(searchkit.open_index(tmp_path / "ix").search("oil")) == {"good"}


def test_an_unknown_language_elsewhere_is_a_clear_error():
    with pytest.raises(InvalidArticleError, match="unknown language 'klingon'"):
        searchkit.Article("a", dt.date(2024, 1, 1), "h", "b", language="klingon")
    with pytest.raises(UnknownLanguageError, match="language: unknown language 'xx'"):
        searchkit.Index("ix", language="xx")
    result = CliRunner().invoke(main, ["index", "--language", "xx"])
    assert result.exit_code == 2 and "unknown language 'xx'" in result.stderr
    with pytest.raises(searchkit.QuerySyntaxError, match="unknown language 'xx'"):
        searchkit.parse("oil lang:xx")


def test_languages_are_detected_and_counted_in_stats(tmp_path):
    seeds = tmp_path / "seeds"
    for article in WESTERN:
        write(seeds, article.id, as_seed(article, with_lang=False))
    write(seeds, "short", "date 2024-03-09 Gold up\nGold rose.\n")  # too little to tell: undetected
    index = searchkit.open_index(tmp_path / "ix", create=True)
    index.update(seeds)
    assert {a.id: index.get(a.id).language for a in WESTERN} == {a.id: a.language for a in WESTERN}
    assert index.get("short").language == "und"
    stats = index.stats()
    assert stats.languages == {"de": 2, "fr": 2, "ru": 2, "ar": 1, "en": 1, "es": 1, "und": 1}
    assert stats.language is None
    shown = CliRunner().invoke(main, ["stats", "--index", str(tmp_path / "ix")]).stdout
    assert "languages     de 2, fr 2, ru 2, ar 1, en 1, es 1, und 1 (detected unless a file says)\n" \
           "undetected    1 (language not detected: analysed as en; lang:und finds them)\n" in shown


def test_an_undetected_article_is_found_by_lang_und_and_analysed_as_english(tmp_path):
    index = searchkit.open_index(tmp_path / "ix", create=True)
    index.add_many([searchkit.Article("short", dt.date(2024, 3, 9), "Gold prices up", "Up."),  # too short
                    *WESTERN])
    assert index.get("short").language == "und"
    assert ids(index.search("lang:und")) == ids(index.search("*", lang="und")) == {"short"}
    assert ids(index.search("prices lang:und")) == ids(index.search("price")) == {"short"}  # English stems
    assert "short" not in ids(index.search("lang:en"))
    facets = index.search("gold OR houses", facets=True).facets
    assert [(c.code, c.name, c.count) for c in facets.languages] == [("en", "English", 1),
                                                                     ("und", "Undetected", 1)]
    assert parse_seed_text("date 2024-03-05 X\nlang: und\nY\n", article_id="x").language == "und"



@pytest.mark.parametrize("headline, body", [
    ("ACME CO <ACMO> SETS QUARTERLY", "Qtly div 30 cts vs 30 cts prior Pay March 31 Record March Five"),
    ("ACE CORP <ACE> SETS QUARTERLY", "Qtly div 15 cts vs 15 cts prior Pay March 20 Record March Two"),
    ("ANITA IMAGE CORP <ANIC> SETS PAYOUT",
     "Qtly div 7-1/2 cts vs 7-1/2 cts prior Pay April 10 Record March 27"),
])
def test_an_english_wire_in_capitals_and_figures_is_english(headline, body):
    # Read in capitals, the detector took 42 of Reuters' earnings tables for Spanish.
    article = searchkit.Article(id="wire", date=dt.date(1987, 3, 3), headline=headline, body=body)
    assert searchkit.text.languages.resolve(article, None).language == "en"

def test_an_index_default_language_skips_detection_and_is_kept(tmp_path):
    seeds = tmp_path / "seeds"
    write(seeds, "kurz", "date 2024-03-05 Häuser\nDie Häuser.\n")  # too short to detect
    write(seeds, "ru", "date 2024-03-05 Книги\nlang: ru\nКниги.\n")
    index = searchkit.open_index(tmp_path / "ix", create=True, language="de")
    index.update(seeds)
    assert index.get("kurz").language == "de" and index.get("ru").language == "ru"
    assert ids(index.search("Haus")) == {"kurz"}
    index.rebuild(seeds)
    assert searchkit.open_index(tmp_path / "ix").stats().language == "de"
    with pytest.raises(InvalidOptionError, match="has default language de, not fr; rebuild it"):
        searchkit.Index(tmp_path / "ix", language="fr").update(seeds)
    searchkit.Index(tmp_path / "ix", language="fr").rebuild(seeds)
    assert searchkit.open_index(tmp_path / "ix").get("kurz").language == "fr"


def test_library_articles_without_a_language_get_the_index_default(tmp_path):
    index = searchkit.open_index(tmp_path / "ix", create=True, language="es")
    article = searchkit.Article("wire", dt.date(2024, 3, 5), "Casas", "Las casas.")
    index.add(article)
    assert index.get("wire") == dataclasses.replace(article, language="es")
    assert ids(index.search("casa")) == {"wire"}


# Analysis ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "forms"), [
    ("de", ["Häuser", "Haus", "Hauses"]),
    ("fr", ["chevaux", "cheval"]),
    ("es", ["casas", "casa"]),
    ("ru", ["книги", "книга", "книгу"]),
    ("ar", ["المنازل", "منازل", "المَنازِل"]),
])
def test_inflected_forms_share_one_indexed_word(language, forms):
    analyzer = analyzer_for(language)
    assert len({analyzer.normalize(form) for form in forms}) == 1, [analyzer.normalize(f) for f in forms]


def test_stop_words_of_a_language_are_not_its_words():
    assert analyzer_for("de").words("Die Häuser in den Gebieten") == ["haus", "gebiet"]
    assert analyzer_for("fr").words("Le cheval et la vache") == ["cheval", "vach"]
    assert analyzer_for("de", stem=False).words("Über die Grenze") == ["grenze"]  # folded as typed: uber
    assert analyzer_for("en").words("The houses") == ["the", "hous"]  # English keeps its stop words
    assert analyzer_for("ar").words("في المنازل") != []  # no list for Arabic: every word kept


def test_a_german_archive_ranks_die_haeuser_as_haeuser_and_a_stop_word_alone_finds_nothing(tmp_path):
    index = searchkit.open_index(tmp_path / "ix", create=True, language="de")
    index.add_many([article for article in WESTERN if article.language == "de"] + [
        searchkit.Article("de-dach", dt.date(2024, 3, 7), "Das Dach der Häuser",
                          "Die Dächer der alten Häuser und das Haus am See wurden repariert.",
                          language="de")])

    def ranked(query: str) -> list[tuple[str, float]]:
        return [(hit.id, hit.score) for hit in index.search(query, collapse=False)]

    assert ranked("die Häuser") == ranked("Häuser") == ranked("Häuser der") == ranked("der die Häuser")
    assert len(ranked("Häuser")) == 3
    assert index.search("die").total == index.search("der die das und").total == 0
    assert index.search('"Häuser und das Haus"').total == 1  # a phrase skips its stop words
    result = CliRunner().invoke(main, ["query", "--index", str(tmp_path / "ix"), "die"])
    assert result.exit_code == 1  # nothing matched


def test_folding_keeps_letters_that_marks_are_part_of():
    assert analyzer_for("ru", stem=False).words("Йошкар-Ола ёлка") == ["йошкар", "ола", "елка"]
    assert analyzer_for("hi", stem=False).words("हिन्दी भाषा") == ["हिन्दी", "भाषा"]  # vowel signs kept
    assert analyzer_for("en").words("Häuser") == ["hauser"]  # English as before


@pytest.mark.skipif(not HAS_CJK, reason=CJK_REASON)
def test_chinese_and_japanese_are_split_into_words():
    assert "洪水" in analyzer_for("zh").words("受洪水影响的房屋")
    assert analyzer_for("ja").words("洪水で被害を受けた住宅")[:3] == ["洪水", "で", "被害"]


@pytest.mark.parametrize(("language", "hidden", "package", "extra"), [
    ("zh", "jieba", "jieba", "cjk"), ("th", "pythainlp", "PyThaiNLP", "thai")])
def test_a_segmented_language_without_its_extra_says_which_extra_to_install(language, hidden, package, extra):
    code = (f"import sys; sys.modules[{hidden!r}] = None\n"
            "from searchkit.text.multilingual import analyzer_for\n"
            f"try:\n    analyzer_for({language!r})\n"
            "except Exception as error:\n    print(type(error).__name__, error)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                           check=True).stdout.strip()
    assert shown == (f"LanguageSupportMissingError text in language '{language}' needs the {package} word "
                     f"segmenter: pip install 'searchkit[{extra}]'")


# Queries -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """An index of the multilingual corpus, each article's language in its seed file."""
    root = tmp_path_factory.mktemp("mixed")
    for article in WESTERN + (CJK if HAS_CJK else ()):
        write(root / "seeds", article.id, as_seed(article, with_lang=True))
    index = searchkit.open_index(root / "ix", create=True)
    index.update(root / "seeds")
    return index, root


def test_a_query_finds_each_article_in_its_own_language(mixed):
    index, _ = mixed
    assert ids(index.search("Haus")) == {"de-flut", "de-markt"}
    assert ids(index.search("chevaux")) == {"fr-secheresse", "fr-course"}
    assert ids(index.search("книга")) == {"ru-knigi", "ru-kniga"}
    assert ids(index.search('"Häuser in Bayern"')) == {"de-flut"}
    assert "**Häuser**" in index.search("Haus", collapse=False).hits[0].snippet or \
        "**Haus**" in index.search("Haus", collapse=False).hits[0].snippet


@pytest.mark.skipif(not HAS_CJK, reason=CJK_REASON)
def test_a_word_inside_a_chinese_sentence_is_found_and_marked(mixed):
    index, _ = mixed
    hits = index.search("房屋").hits
    assert [hit.id for hit in hits] == ["zh-hongshui"] and "**房屋**" in hits[0].snippet


def test_lang_filters_the_cli_the_library_and_lang_in_the_query(mixed):
    index, root = mixed
    assert ids(index.search("minister", lang="de")) == {"de-flut"}
    assert ids(index.search("minister", lang=["de", "en"])) == {"de-flut", "en-floods"}
    assert ids(index.search("minister lang:en")) == {"en-floods"}
    result = CliRunner().invoke(main, ["query", "--index", str(root / "ix"), "--lang", "de,en", "--json",
                                       "minister"])
    assert {hit["id"] for hit in json.loads(result.stdout)["hits"]} == {"de-flut", "en-floods"}
    bad = CliRunner().invoke(main, ["query", "--index", str(root / "ix"), "--lang", "xx", "oil"])
    assert bad.exit_code == 2 and "lang: unknown language 'xx'" in bad.stderr


def test_facets_count_every_match_per_language_in_the_cli_text_and_json(mixed):
    index, root = mixed
    shown = CliRunner().invoke(main, ["query", "--index", str(root / "ix"), "--facets", "--limit", "1",
                                      "Haus OR cheval OR houses OR книга"])
    assert shown.exit_code == 0
    assert shown.stdout.endswith("\nmatches per language  German (de): 2  French (fr): 2  Russian (ru): 2  "
                                 "English (en): 1\n")
    body = json.loads(CliRunner().invoke(main, ["query", "--index", str(root / "ix"), "--facets", "--json",
                                                "--limit", "1", "Haus OR cheval OR houses OR книга"]).stdout)
    assert len(body["hits"]) == 1
    assert body["facets"]["languages"] == [
        {"value": "de", "name": "German", "count": 2}, {"value": "fr", "name": "French", "count": 2},
        {"value": "ru", "name": "Russian", "count": 2}, {"value": "en", "name": "English", "count": 1}]
    assert body["facets"]["index_languages"] == len(index.stats().languages)
    narrowed = index.search("Haus OR cheval OR houses OR книга", lang="fr", facets=True)
    assert narrowed.total == 2 and [(c.code, c.count) for c in narrowed.facets.languages] == [("fr", 2)]


def test_the_same_story_in_two_languages_is_not_folded_as_a_rewrite(tmp_path):
    index = searchkit.open_index(tmp_path / "ix", create=True)
    index.add_many([
        searchkit.Article("en", dt.date(2024, 3, 5), "Siemens to cut 3,500 jobs in Munich",
                          "Siemens AG said on Tuesday it would cut 3,500 jobs in Munich by 2026, Joe Kaeser "
                          "told reporters in Munich, citing weak demand for gas turbines in 2025 and 2026.",
                          language="en"),
        searchkit.Article("de", dt.date(2024, 3, 5), "Siemens streicht 3.500 Stellen in München",
                          "Die Siemens AG will bis 2026 in München 3.500 Stellen streichen, sagte Joe Kaeser "
                          "am Dienstag in München wegen schwacher Nachfrage nach Gasturbinen 2025 und 2026.",
                          language="de"),
    ])
    results = index.search("Siemens")
    assert {hit.id for hit in results} == {"en", "de"} and all(not hit.similar for hit in results)
