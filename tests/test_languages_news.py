"""What a reader of a non-English archive sees beyond matching: prefixes, "did you mean", snippets,
related stories and collapsed wire rewrites, each in the article's own language (docs/languages.md).
The articles are written for these tests."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from engines.multilingual import THAI
from engines.test_contract_languages import HAS_THAI, THAI_REASON

import searchkit
from searchkit.cli.commands import main


def _article(article_id: str, day: int, language: str, headline: str, body: str) -> searchkit.Article:
    return searchkit.Article(article_id, dt.date(2024, 5, day), headline, body, language=language)


GERMAN_STRIKE = ("Die Lokführergewerkschaft GDL hat am Donnerstag den Fernverkehr der Deutschen Bahn "
                 "bestreikt. Millionen Pendler mussten auf Busse und Autos ausweichen, teilte die Bahn in "
                 "Berlin mit. Der Streik soll bis Freitagabend dauern.")
ARTICLES = (
    _article("de-streik", 2, "de", "Bahnstreik legt Fernverkehr lahm", GERMAN_STRIKE),
    _article("de-streik-2", 2, "de", "Bahnstreik legt Fernverkehr weitgehend lahm",
             GERMAN_STRIKE.replace("in Berlin", "am Morgen in Berlin")),
    _article("de-neuer-streik", 9, "de", "Gewerkschaft kündigt neuen Streik bei der Bahn an",
             "Nach dem Streik der vergangenen Woche kündigte die Lokführergewerkschaft GDL einen weiteren "
             "Ausstand an. Pendler im Fernverkehr und Regionalverkehr der Bahn müssen sich auf Ausfälle "
             "einstellen."),
    _article("de-fussball", 9, "de", "Bayern gewinnt in Dortmund",
             "Der FC Bayern hat am Samstag in Dortmund mit zwei zu eins gewonnen. Die Tore fielen in der "
             "zweiten Halbzeit."),
    _article("fr-greve", 2, "fr", "Grève à la Deutsche Bahn",
             "Le syndicat des conducteurs de train GDL a paralysé jeudi les grandes lignes de la Deutsche "
             "Bahn. Des millions de pendulaires ont pris le bus ou la voiture."),
    _article("fr-secheresse", 3, "fr", "Sécheresse : les éleveurs inquiets",
             "Le gouvernement a annoncé mardi un plan d'aide aux éleveurs touchés par la sécheresse de "
             "l'été."),
    _article("es-aranceles", 4, "es", "Estados Unidos sube los aranceles al acero",
             "El Gobierno de Estados Unidos anunció el jueves nuevos aranceles a las importaciones de "
             "acero."),
    _article("ru-knigi", 6, "ru", "Школы получат новые учебники и книги",
             "Правительство одобрило закупку учебников. Книги и учебники для школьных библиотек будут "
             "закуплены до начала учебного года, сообщил министр в Москве."),
    _article("ru-uchebniki", 8, "ru", "Учебники для школ подорожали",
             "Цены на школьные учебники выросли; библиотеки школ получат меньше книг, чем планировали."),
    _article("ru-pogoda", 8, "ru", "В Москве выпал снег",
             "Синоптики сообщили, что в Москве в мае выпал снег; морозы продлятся до выходных."),
    _article("en-strike", 2, "en", "Rail strike halts German long-distance trains",
             "The GDL train drivers' union struck Deutsche Bahn's long-distance services on Thursday."),
)
#: Market wires in each language: related stories skip the words a tenth of the archive holds (the, der,
#: и), and need an archive large enough for a word of three articles to count.
FILLER = tuple(article for n in range(15) for article in (
    _article(f"en-{n}", 1 + n, "en", f"Market report number {n}",
             f"Shares of company {n} rose in quiet trading on the exchange, dealers said."),
    _article(f"de-{n}", 1 + n, "de", f"Börsenbericht Nummer {n}",
             f"Die Aktie der Firma {n} ist am Montag gestiegen, teilte der Händler an der Börse mit."),
    _article(f"ru-{n}", 1 + n, "ru", f"Биржевой отчёт номер {n}",
             f"Акции компании {n} выросли в понедельник на бирже, и сообщил трейдер.")))


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("languages-news")
    index = searchkit.open_index(root / "ix", create=True)
    index.add_many(ARTICLES + FILLER)
    return index


def ids(results: searchkit.Results) -> list[str]:
    return [hit.id for hit in results]


@pytest.mark.parametrize(("typed", "suggested"), [
    ("Sécherese", "Sécheresse"),  # the accents as the headline writes them, not the folded candidate
    ("secherese", "sécheresse"),  # in the case it was typed in
    ("книгги", "книги"),          # a Russian word is known by its Russian stem
    ("УЧИБНИКИ", "УЧЕБНИКИ"),
])
def test_a_misspelt_word_is_corrected_as_its_language_writes_it(archive, typed, suggested):
    results = archive.search(typed)
    assert (results.suggestion, results.corrected) == (suggested, True)
    assert results.total > 0
    offered = archive.search(typed, autocorrect=False)
    assert (offered.suggestion, offered.total) == (suggested, 0)


def test_the_cli_offers_the_accented_suggestion(archive):
    out = CliRunner().invoke(main, ["query", "--index", str(archive.path), "--json", "Sécherese"])
    shown = json.loads(out.stdout)
    assert shown["suggestion"] == "Sécheresse" and shown["corrected"] is True
    assert [hit["id"] for hit in shown["hits"]] == ["fr-secheresse"]


@pytest.mark.parametrize(("query", "found", "marked"), [
    ("Lokführer*", {"de-streik", "de-streik-2", "de-neuer-streik"}, "**Lokführergewerkschaft**"),
    ("lokfuhrer*", {"de-streik", "de-streik-2", "de-neuer-streik"}, "**Lokführergewerkschaft**"),
    ("учебник*", {"ru-knigi", "ru-uchebniki"}, "**учебники**"),
    ("Ausfall", {"de-neuer-streik"}, "**Ausfälle**"),        # an inflected form, marked as written
    ("книга", {"ru-knigi", "ru-uchebniki"}, "**книг**"),
])
def test_prefixes_and_inflected_forms_are_found_and_marked_in_the_snippet(archive, query, found, marked):
    results = archive.search(query, collapse=False)
    assert set(ids(results)) == found
    assert any(marked in hit.snippet for hit in results)


def test_a_phrase_matches_its_words_in_order_in_each_language(archive):
    assert set(ids(archive.search('"Deutschen Bahn"', collapse=False))) == {
        "de-streik", "de-streik-2", "fr-greve", "en-strike"}  # German stems; the name in any language
    assert ids(archive.search('"школьных библиотек"', collapse=False)) == ["ru-knigi"]
    assert ids(archive.search('"библиотек школьных"', collapse=False)) == []


@pytest.mark.parametrize(("query", "found"), [
    ('"Estados Unidos"', ["es-aranceles"]),  # estados is in Snowball's Spanish stop list: kept here
    ("estados", ["es-aranceles"]),
    ("été", ["fr-secheresse"]),              # été (summer) too, in its French list
])
def test_stop_lists_keep_the_words_news_uses_as_content(archive, query, found):
    assert ids(archive.search(query, collapse=False)) == found


def test_rewrites_of_a_german_wire_collapse_into_one_story(archive):
    results = archive.search("Streik")
    shown = {hit.id: hit.similar for hit in results}
    assert results.stories == 2 and results.total == 3
    assert shown.get("de-streik") == ("de-streik-2",) or shown.get("de-streik-2") == ("de-streik",)
    groups = [[a.id for a in group.articles] for group in archive.duplicates()]
    assert groups == [["de-streik", "de-streik-2"]]


@pytest.mark.parametrize(("article_id", "related"), [
    ("de-streik", "de-neuer-streik"),
    ("ru-knigi", "ru-uchebniki"),
])
def test_related_stories_are_found_in_the_article_s_language(archive, article_id, related):
    article = archive.get(article_id)
    found = archive.related(article_id)
    assert ids(found)[:1] == [related]
    assert all(archive.get(hit).language == article.language for hit in ids(found))
    assert not set(ids(found)) & {article_id, *archive.story_of(article_id)}


@pytest.mark.skipif(not HAS_THAI, reason=THAI_REASON)
def test_a_thai_word_inside_a_sentence_is_found_and_marked(tmp_path):
    index = searchkit.open_index(tmp_path / "ix", create=True)
    index.add_many(THAI)
    hits = index.search("ภัยแล้ง").hits  # drought, inside "...ได้รับผลกระทบจากภัยแล้ง นายก..."
    assert [hit.id for hit in hits] == ["th-phailaeng"] and "**ภัยแล้ง**" in hits[0].snippet
