"""The oracle checked by hand: answers a person reads off the hand-written corpus, on every engine (the
reference included, so a wrong reference cannot make the contract pass), and a corpus that tells the
docs' examples apart."""

from __future__ import annotations

import datetime as dt

import pytest

from searchkit.query import tree as t

from .corpus import CORPUS, doc_queries
from .harness import ask, new_index, outcome
from .reference import ReferenceEngine

EVERY_ID = sorted(article.id for article in CORPUS)

#: (query, the ids it must find); a tree stands for what the parser would never build.
BY_HAND = (
    ("juárez", ["juarez-accent", "juarez-plain"]),  # accents do not matter, either way round
    ("JUAREZ", ["juarez-accent", "juarez-plain"]),
    ("body:juarez", ["juarez-plain"]),
    ("hurting", ["headline-pink", "hurt-headline", "hurts-chart", "hurts-everybody", "juarez-accent",
                 "malcolm-x", "pink-awards", "pink-tour"]),  # stems: hurting, hurts, hurt
    ("headline:pink", ["headline-pink", "pink-awards", "pink-tour"]),  # not hurt-headline: pink in its body
    ('"everybody hurts"', ["hurts-chart", "pink-awards", "pink-tour"]),  # not "Hurts everybody"
    ('"kelly pink"~5', ["clarkson-tour"]),  # Kelly Clarkson will tour with Pink: 5 words apart
    ('"kelly pink"~10', ["clarkson-tour"]),
    ('"kelly pink"~11', ["clarkson-tour", "kelly-far"]),  # Kelly sang ... then Pink: 12 words apart
    ('"pink kelly"~0', []),  # "Pink and Kelly": exact means next to each other
    ('"pink kelly"~1', ["awards-night", "pink-awards"]),
    ("oil&&gold", ["oil-gold"]),  # one word, split by the engine: "oil gold" as a phrase
    ("oil gold", ["oil-apart", "oil-gold"]),
    ("pink kelly clarkson awards everybody -hurts", ["awards-night"]),
    ("the pink of kelly hurts", ["malcolm-x"]),  # stop words are indexed
    ("and or not", ["everybody-dance"]),
    ("hurt*s", ["juarez-plain"]),  # prefixes and wildcards meet stems: hurts is indexed as hurt
    ("everybody*", []),  # ...and everybody as everybodi
    ("g?ld", ["gold-rush", "gold-words", "oil-apart", "oil-gold"]),
    ("g?ld?", ["gold-words"]),  # goldy is indexed as goldi
    ("col*r", ["gold-rush", "gold-words"]),
    ("x-ra*", ["clarke"]),  # X-ray: the x must be there as it is
    ("x-r?y", ["clarke"]),  # ray stays ray (the stemmer keeps a y after a vowel)
    ("who? g?ld col*r", ["censored"]),
    ("date:{1987-03 TO 1987-05}", ["oil-apart"]),
    ("date:{1987-03-01 TO 1987-04-01}", ["oil-gold", "test-1987"]),
    ("date:2016-02", ["rem"]),
    ("-clarkson", sorted(set(EVERY_ID) - {"awards-night", "clarkson-tour", "pink-awards"})),
    ("the -the", []),
    (t.Or(t.Term("gold"), t.Term("—"), t.Term("silver"), minimum=2), ["oil-gold"]),  # 2 of 3 -> 2 of 2
    (t.Or(t.Term("gold"), t.Term("—"), t.Term("…"), minimum=3), ["gold-rush", "oil-apart", "oil-gold"]),
    (t.Not(t.Term("…")), EVERY_ID),
    (t.And(t.Term("—"), t.Not(t.Term("…"))), []),
    (t.DateRange(dt.date(2018, 1, 1), dt.date(2017, 1, 1)), []),
    (t.Phrase("the the", slop=3), ["cocoa", "hurts-chart", "juarez-accent", "juarez-plain"]),
)


@pytest.mark.parametrize(("query", "expected"), BY_HAND, ids=[str(q) for q, _ in BY_HAND])
def test_every_engine_finds_what_a_person_reads_off_the_corpus(engine, tmp_path, query, expected):
    reader = engine.open_reader(new_index(engine, tmp_path, CORPUS))
    assert outcome(reader, ask(query, plain=query == "who? g?ld col*r")) == (len(expected), expected)


def test_a_wildcard_left_without_a_letter_before_it_is_a_syntax_error_at_its_position(engine, tmp_path):
    reader = engine.open_reader(new_index(engine, tmp_path, CORPUS))
    assert outcome(reader, ask("pink e-?x")) == ("QuerySyntaxError", 6)


def test_every_docs_example_but_star_matches_some_articles_of_the_corpus_and_misses_others(tmp_path):
    reference = ReferenceEngine()
    reader = reference.open_reader(new_index(reference, tmp_path, CORPUS))
    found = {query: outcome(reader, ask(query, plain=plain))[0] for _, query, plain in doc_queries()}
    assert {query for query, total in found.items() if not 0 < total < len(CORPUS)} == {"*"}
