"""Snippets as a reader sees them: passages that never repeat text, every query word in them marked."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchkit.text.analysis import STEMMED, WORD
from searchkit.text.snippets import BETWEEN, match_spans, snippet

VOCABULARY = ["oil", "oils", "crude", "prices", "price", "the", "said", "barrel", "opec", "U.S.", "rose",
              "fell", "analysts", "Light", "sour", "march", "level", "dlrs", "21.95", "—", "(Reuters)"]
MARKED = re.compile(r"\*\*(.+?)\*\*")


def normalized(text: str) -> str:
    return " ".join(text.split())


def pieces(shown: str) -> list[str]:
    """The snippet's passages with the marks taken out."""
    return [MARKED.sub(r"\1", part) for part in shown.split(BETWEEN)]


def check(body: str, terms: set[str]) -> str:
    shown = snippet(body, terms)
    # Every word of a query word's indexed form is marked, and nothing else is.
    for match in WORD.finditer(MARKED.sub(lambda m: "\0" * len(m.group()), shown)):
        assert STEMMED.normalize(match.group()) not in terms, (match.group(), shown)
    for marked in MARKED.findall(shown):
        assert all(STEMMED.normalize(word) in terms for word in WORD.findall(marked)), (marked, shown)
    # The passages are the body's own text, in order, never overlapping or repeating.
    text, at = normalized(body), 0
    for part in pieces(shown):
        part = part.removesuffix(" …")
        found = text.find(part, at)
        assert found >= 0, (part, text[at:])
        at = found + len(part)
    return shown


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(words=st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=160),
       query=st.sets(st.sampled_from(["oil", "crude", "prices", "barrel", "opec", "u.s"]), min_size=1))
def test_snippets_never_repeat_text_and_mark_every_query_word_they_show(words, query):
    check(" ".join(words), set(STEMMED.normalize_all(sorted(query))))


def test_passages_whose_context_overlaps_do_not_show_the_same_text_twice():
    # A passage's matches reach nearly its length; the next match starts a passage of its own, and each
    # passage's context used to reach into the other's: the text between them was shown twice.
    body = ("Sun Co raised the posted price of light sour crude to 21.95 dlrs a barrel from its march "
            "level, the company said of its oil contracts, and for the heavy grades of crude by 50 cts. "
            + "Filler. " * 40)
    crude, oil, second = body.index("crude"), body.index("oil"), body.index("crude", body.index("oil"))
    assert oil + 3 - crude <= 120 < second + 5 - crude  # two passages of matches
    shown = check(body, set(STEMMED.normalize_all(["crude", "oil"])))
    assert shown.count("21.95 dlrs a barrel") == 1 and shown.count("of its **oil** contracts") == 1
    assert shown.count("**crude**") == 2


def test_a_query_word_in_the_context_of_another_passage_is_marked_too():
    body = ("Oil prices rose. " + "filler words here " * 4 + "industry analysts said oil output fell and "
            "prices of crude climbed, the analysts said.")
    shown = check(body, set(STEMMED.normalize_all(["oil", "prices"])))
    assert "**Oil** **prices**" in shown


def test_every_match_in_a_text_is_found_as_snippets_find_them():
    text = "Oil prices rose; the oil-price index (OIL) fell."
    assert [text[start:end] for start, end in match_spans(text, frozenset({"oil"}))] == ["Oil", "oil", "OIL"]
    assert match_spans(text, frozenset()) == [] and match_spans("", frozenset({"oil"})) == []


@pytest.mark.parametrize("query, headline, body", [
    ("prices", set(), {"price"}),  # stemmed, as indexed
    ('"crude oil" houston', {"crude", "oil"}, {"crude", "oil", "houston"}),
    ("ope*", set(), {"opec"}),  # a prefix: the article's own words it starts (OPECs stems to opec)
    ("hous?on OR headline:crude", {"crude"}, {"houston"}),  # a field narrows where
    ("oil -houston NOT traders", {"oil"}, {"oil"}),  # what the reader did not ask for stays unmarked
])
def test_the_words_a_query_seeks_in_one_article(query, headline, body):
    from searchkit import Article, parse
    from searchkit.query.matching import words_sought

    article = Article(id="a", date=dt.date(1987, 3, 1), headline="Crude oil up",
                      body="Crude oil prices moved. Traders in Houston watched OPEC and the OPECs.")
    found = words_sought(parse(query), article)
    assert (set(found["headline"]), set(found["body"])) == (headline, body)


def test_a_dotted_acronym_is_marked_for_its_letters_with_its_final_dot():
    shown = snippet("Talks between the U.S. and Japan; the US said so, and the E.U. agreed.",
                    set(STEMMED.normalize_all(["US", "eu"])))
    assert shown == "Talks between the **U.S.** and Japan; the **US** said so, and the **E.U.** agreed."
