"""The query parser on its own (no index): exact trees, exact error positions and messages, and properties."""

from __future__ import annotations

import datetime as dt
import string
import time

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from searchkit.errors import QuerySyntaxError
from searchkit.query.parser import (
    LONG_QUERY_WORDS,
    MAX_CLAUSES,
    MAX_DEPTH,
    MAX_QUERY_LENGTH,
    SHOULD_MATCH_EVERY,
    STOP_WORDS,
    parse,
    should_match,
)
from searchkit.query.tree import (
    And,
    DateRange,
    Fuzzy,
    MatchAll,
    Not,
    Or,
    Phrase,
    Prefix,
    Term,
    Wildcard,
    walk,
)

D = dt.date
#: What a message refusing a date value lists.
FORMS = ("YYYY, YYYY-MM, YYYY-MM-DD, or today, yesterday, a weekday (monday), N days/weeks/months/years ago, "
         "last N days, last/this week/month/year")
NODE_TYPES = (Term, Phrase, Prefix, Wildcard, Fuzzy, DateRange, MatchAll, And, Or, Not)
T, P, W = Term, Phrase, Wildcard


def H(text: str) -> Term:
    return Term(text, "headline")


def error_of(query: str, *, plain: bool = False) -> tuple[int, str]:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query, plain=plain)
    assert caught.value.query == query
    return caught.value.offset, caught.value.message  # the index into the query; position is it + 1


def leaves(node):
    return [n for n in walk(node) if not isinstance(n, (And, Or, Not))]


# Exact trees

WORDS = [
    ("everybody", T("everybody")),
    ("everybody hurts", And(T("everybody"), T("hurts"))),
    ("  everybody \t hurts\n", And(T("everybody"), T("hurts"))),
    ("Juárez", T("Juárez")),
    ("and or not", And(T("and"), T("or"), T("not"))),  # lowercase operators are words
    ("TO", T("TO")),
    ("a b c d e", And(T("a"), T("b"), T("c"), T("d"), T("e"))),
    # more than LONG_QUERY_WORDS plain words: any of them, less the stop words
    ("b c d e f g", Or(*(T(c) for c in "bcdefg"))),
    ("b c d e f g h i j k", Or(*(T(c) for c in "bcdefghijk"))),
    ("hurt* b c d e f", Or(Prefix("hurt"), *(T(c) for c in "bcdef"))),
    ("+b c d e f g", And(T("b"), Or(*(T(c) for c in "cdefg")))),
    ("+b +c +d +e +f g", And(*(T(c) for c in "bcdefg"))),
    ("b +c", And(T("b"), T("c"))),
    ("x (b c d e f g)", And(T("x"), Or(*(T(c) for c in "bcdefg")))),
    ("the pink kelly clarkson awards everybody hurts",
     Or(T("pink"), T("kelly"), T("clarkson"), T("awards"), T("everybody"), T("hurts"))),
    ("The Pink Of kelly TO hurts", Or(T("Pink"), T("kelly"), T("hurts"))),  # stop words in any case
    ("a b c d e f", Or(*(T(c) for c in "bcdef"))),
    ("a the of to in everybody", T("everybody")),  # one word left: no one-child Or
    ("to be or not to be", Or(*(T(w) for w in "to be or not to be".split()))),  # all stop words: kept
    ("the of and in a an", Or(*(T(w) for w in "the of and in a an".split()))),
    ("+the pink of kelly to hurts", And(T("the"), Or(T("pink"), T("kelly"), T("hurts")))),  # required: kept
    ("+the +of a an in pink", And(T("the"), T("of"), T("pink"))),
    ("+pink +kelly +clarkson +awards the of", And(T("pink"), T("kelly"), T("clarkson"), T("awards"),
                                                  Or(T("the"), T("of")))),
    ("+pink +kelly +clarkson +awards +hurts the",
     And(*(T(w) for w in "pink kelly clarkson awards hurts the".split()))),
    ("the* of* pink kelly to hurts", Or(Prefix("the"), Prefix("of"), T("pink"), T("kelly"), T("hurts"))),
    ("x (the pink kelly clarkson of hurts)",
     And(T("x"), Or(T("pink"), T("kelly"), T("clarkson"), T("hurts")))),
    # five words or fewer: all of them, stop words included
    ("the pink of kelly hurts", And(T("the"), T("pink"), T("of"), T("kelly"), T("hurts"))),
    ("a b c d e", And(*(T(c) for c in "abcde"))),
    # operators, fields, phrases or - turn the rule off
    ("a b c d e -f", And(T("a"), T("b"), T("c"), T("d"), T("e"), Not(T("f")))),
    ("a b c d e AND f", And(*(T(c) for c in "abcdef"))),
    ('a b c d e "f"', And(*(T(c) for c in "abcde"), P("f"))),
    ("a b c d e headline:f", And(*(T(c) for c in "abcde"), H("f"))),
    ("a b c d e f OR g", Or(And(*(T(c) for c in "abcdef")), T("g"))),
    ('the pink of kelly to "the"', And(T("the"), T("pink"), T("of"), T("kelly"), T("to"), P("the"))),
    ("the pink of kelly to headline:the", And(T("the"), T("pink"), T("of"), T("kelly"), T("to"), H("the"))),
]

PUNCTUATION = [
    ("R.E.M.'s", T("R.E.M.'s")),
    ("hip-hop", T("hip-hop")),
    ("10:30", T("10:30")),
    ("U.S.", T("U.S.")),
    ("$5", T("$5")),
    ("e-mail", T("e-mail")),
    ("C++", T("C++")),
    ("rock 'n' roll", And(T("rock"), T("'n'"), T("roll"))),
    ("rock — roll ... !", And(T("rock"), T("roll"))),  # no letter or digit: dropped
    ("rock - roll", And(T("rock"), T("roll"))),  # a bare - between spaces is punctuation
    ("rock + roll", And(T("rock"), T("roll"))),
    ("- pink", T("pink")),
    ("rock -- roll", And(T("rock"), T("roll"))),
    ("a- b+", And(T("a-"), T("b+"))),
    ("note: hi", And(T("note:"), T("hi"))),  # a colon then a space is not a field
    ("pink:", T("pink:")),
    (":x", T(":x")),
    ("R.E.M.:live", T("R.E.M.:live")),
    ("a\\b", T("a\\b")),
    ("[x] {y} <z> =w ~v@u", And(T("[x]"), T("{y}"), T("<z>"), T("=w"), T("~v@u"))),
    ("don't", T("don't")),
]

OPERATORS = [
    ("hurt*", Prefix("hurt")),
    ("hurt**", Prefix("hurt")),
    ("R.E.M*", Prefix("R.E.M")),
    ("*", MatchAll()),
    ("* -pink", And(MatchAll(), Not(T("pink")))),
    ("-pink", Not(T("pink"))),
    ("-pink -red", And(Not(T("pink")), Not(T("red")))),
    ("pink -red", And(T("pink"), Not(T("red")))),
    ("-$5", Not(T("$5"))),
    ('-"a b"', Not(P("a b"))),
    ("-(a OR b)", Not(Or(T("a"), T("b")))),
    ("-headline:x", Not(H("x"))),
    ("-hurt*", Not(Prefix("hurt"))),
    ("--pink", Not(Not(T("pink")))),
    ("-AND", Not(T("AND"))),  # a word right after - or + is never an operator
    ("+pink", T("pink")),
    ('+"a b" c', And(P("a b"), T("c"))),
    ("a AND b", And(T("a"), T("b"))),
    ("a OR b", Or(T("a"), T("b"))),
    ("a OR b OR c", Or(T("a"), T("b"), T("c"))),
    ("NOT a", Not(T("a"))),
    ("NOT NOT a", Not(Not(T("a")))),
    ("a NOT b", And(T("a"), Not(T("b")))),
    ("a AND NOT b", And(T("a"), Not(T("b")))),
    # precedence: NOT > AND (explicit or implicit) > OR
    ("a b OR c", Or(And(T("a"), T("b")), T("c"))),
    ("a OR b c", Or(T("a"), And(T("b"), T("c")))),
    ("a AND b OR c AND d", Or(And(T("a"), T("b")), And(T("c"), T("d")))),
    ("NOT a b", And(Not(T("a")), T("b"))),
    ("NOT a OR b", Or(Not(T("a")), T("b"))),
    ("a (b OR c)", And(T("a"), Or(T("b"), T("c")))),
    ("(a OR b) AND (c OR d)", And(Or(T("a"), T("b")), Or(T("c"), T("d")))),
    ("((a))", T("a")),
    ("(a)(b)", And(T("a"), T("b"))),
    ("(a)AND(b)", And(T("a"), T("b"))),
    ("a OR +b", Or(T("a"), T("b"))),
    # at least N of a group, the way str() renders a minimum
    ("(a OR b OR c)@2", Or(T("a"), T("b"), T("c"), minimum=2)),
    ("(a b c)@2", Or(T("a"), T("b"), T("c"), minimum=2)),
    ("(a b c d e f)@2", Or(*(T(c) for c in "abcdef"), minimum=2)),
    ("(a OR b)@1", Or(T("a"), T("b"))),
    ("((a AND b) OR c)@2", Or(And(T("a"), T("b")), T("c"), minimum=2)),
    ("(a OR (b OR c))@2", Or(T("a"), Or(T("b"), T("c")), minimum=2)),
    ("NOT (a OR b)@2", Not(Or(T("a"), T("b"), minimum=2))),
    ("(a OR b)@2x", And(Or(T("a"), T("b")), T("@2x"))),
    # Lucene's && and || are AND and OR; like them they stand alone
    ("oil || gold", Or(T("oil"), T("gold"))),
    ("oil && gold", And(T("oil"), T("gold"))),
    ("a && b || c", Or(And(T("a"), T("b")), T("c"))),
    ("(a || b) && -c", And(Or(T("a"), T("b")), Not(T("c")))),
    ("a || b OR c", Or(T("a"), T("b"), T("c"))),
    ("(a||b)", T("a||b")),  # not standalone: part of the word, as AND is in "aANDb"
    ("oil&&gold", T("oil&&gold")),
    # ! directly before a term, phrase or group is NOT, like -; anywhere else it is punctuation
    ("!gold", Not(T("gold"))),
    ("oil !gold", And(T("oil"), Not(T("gold")))),
    ('!"a b"', Not(P("a b"))),
    ("!(a OR b)", Not(Or(T("a"), T("b")))),
    ("!-gold", Not(Not(T("gold")))),
    ("rock ! roll", And(T("rock"), T("roll"))),
    ("wow !", T("wow")),
    ("Yahoo!", T("Yahoo!")),
]

PHRASES = [
    ('"everybody hurts"', P("everybody hurts")),
    ('"pink"', P("pink")),
    ('"kelly pink"~5', P("kelly pink", slop=5)),
    ('"kelly pink"~0', P("kelly pink")),
    ('"a \\"b\\" c"', P('a "b" c')),
    ('"a\\\\b"', P("a\\b")),
    ('"  spaced  out  "', P("  spaced  out  ")),
    ('x "a b"~5y', And(T("x"), P("a b", slop=5), T("y"))),
    ('"a"b"c"', And(P("a"), T("b"), P("c"))),
    ('pink"hurts"', And(T("pink"), P("hurts"))),
    ('"R.E.M. — live!"', P("R.E.M. — live!")),
]

FIELDS = [
    ("headline:pink", H("pink")),
    ("title:pink", H("pink")),
    ("HEADLINE:pink", H("pink")),
    ("Title:pink", H("pink")),
    ("body:pink", T("pink", "body")),
    ('body:"first responders"', P("first responders", "body")),
    ('body:"first responders"~3', P("first responders", "body", 3)),
    ("headline:hurt*", Prefix("hurt", "headline")),
    ("headline:*", MatchAll()),
    ("headline:AND", H("AND")),
    ("headline:a:b", H("a:b")),
    ("headline:(pink OR clarkson)", Or(H("pink"), H("clarkson"))),
    ("title:(pink clarkson)", And(H("pink"), H("clarkson"))),
    (
        'headline:(pink -"kelly clarkson" hurt*)',
        And(H("pink"), Not(P("kelly clarkson", "headline")), Prefix("hurt", "headline")),
    ),
    ("headline:(b c d e f g)", Or(*(H(c) for c in "bcdefg"))),
    ("headline:(the pink of kelly to hurts)", Or(*(H(w) for w in "the pink of kelly to hurts".split()))),
    ("headline:(headline:a b)", And(H("a"), H("b"))),
    ("headline:(a OR b)@2", Or(H("a"), H("b"), minimum=2)),
    ("headline:pink body:hurts", And(H("pink"), T("hurts", "body"))),
    ("headline:... pink", T("pink")),  # nothing searchable after the colon: dropped with its field
]

WILDCARDS = [
    ("g?ld", W("g?ld")),
    ("col*r", W("col*r")),
    ("hurt*s", W("hurt*s")),
    ("a*b", W("a*b")),
    ("g??d", W("g??d")),
    ("te?t*", W("te?t*")),  # a trailing * after a ? is part of the wildcard, not a prefix
    ("5?0", W("5?0")),
    ("R.E.M?s", W("R.E.M?s")),
    ("Juá?ez", W("Juá?ez")),
    ("headline:g?ld", W("g?ld", "headline")),
    ("body:col*r", W("col*r", "body")),
    ("headline:(g?ld OR silv*r)", Or(W("g?ld", "headline"), W("silv*r", "headline"))),
    ("-g?ld", Not(W("g?ld"))),
    ("gold -g?ld", And(T("gold"), Not(W("g?ld")))),
    ("g?ld b c d e f", Or(W("g?ld"), *(T(c) for c in "bcdef"))),  # counts as a word for the long rule
    # a ? that ends a word with no other wildcard is a question mark, punctuation like "fell."
    ("who?", T("who?")),
    ("who??", T("who??")),
    ("what is inflation?", And(T("what"), T("is"), T("inflation?"))),
    ("headline:why?", H("why?")),
    ("pink ?", T("pink")),  # no letter or digit: dropped like "!"
    ("pink ? ?? ?*", T("pink")),
    # ...but with another wildcard in the word it is a wildcard too
    ("g?ld?", W("g?ld?")),
    ("col*r?", W("col*r?")),
    ("hurt*?", W("hurt*?")),
    ('"g?ld"', P("g?ld")),  # no wildcards inside a phrase
]

DATES = [
    ("date:2017-11-18", DateRange(D(2017, 11, 18), D(2017, 11, 18))),
    ("date:2017-11", DateRange(D(2017, 11, 1), D(2017, 11, 30))),
    ("date:2017", DateRange(D(2017, 1, 1), D(2017, 12, 31))),
    ("DATE:2017", DateRange(D(2017, 1, 1), D(2017, 12, 31))),
    ("date:2016-02", DateRange(D(2016, 2, 1), D(2016, 2, 29))),
    ("date:[2017-11-01 TO 2017-11-30]", DateRange(D(2017, 11, 1), D(2017, 11, 30))),
    ("date:[2017 TO 2018-02]", DateRange(D(2017, 1, 1), D(2018, 2, 28))),
    ("date:[2017-11 to 2017-11]", DateRange(D(2017, 11, 1), D(2017, 11, 30))),
    ("date:[2017 TO *]", DateRange(D(2017, 1, 1), None)),
    ("date:[* TO 2017]", DateRange(None, D(2017, 12, 31))),
    ("date:[* TO *]", DateRange(None, None)),
    ("date:>=2017-06-01", DateRange(D(2017, 6, 1), None)),
    ("date:>2017-06", DateRange(D(2017, 7, 1), None)),
    ("date:<2018", DateRange(None, D(2017, 12, 31))),
    ("date:<=2017-11", DateRange(None, D(2017, 11, 30))),
    ("pink date:2017", And(T("pink"), DateRange(D(2017, 1, 1), D(2017, 12, 31)))),
    ("-date:2017", Not(DateRange(D(2017, 1, 1), D(2017, 12, 31)))),
    ("(date:2017)", DateRange(D(2017, 1, 1), D(2017, 12, 31))),
    ("date:[2017 TO 2018]pink", And(DateRange(D(2017, 1, 1), D(2018, 12, 31)), T("pink"))),
    ("date:2017 OR date:2018-01", Or(DateRange(D(2017, 1, 1), D(2017, 12, 31)),
                                     DateRange(D(2018, 1, 1), D(2018, 1, 31)))),
    # { } leaves out the whole period it names: the tree stays inclusive, in days
    ("date:{1987-03-01 TO 1987-04-01}", DateRange(D(1987, 3, 2), D(1987, 3, 31))),
    ("date:{1987-03 TO 1987-05}", DateRange(D(1987, 4, 1), D(1987, 4, 30))),
    ("date:{2016 TO 2018}", DateRange(D(2017, 1, 1), D(2017, 12, 31))),
    ("date:[1987-03-01 TO 1987-04-01}", DateRange(D(1987, 3, 1), D(1987, 3, 31))),
    ("date:{1987-03-01 TO 1987-04-01]", DateRange(D(1987, 3, 2), D(1987, 4, 1))),
    ("date:[2017-06 TO 2017-09}", DateRange(D(2017, 6, 1), D(2017, 8, 31))),
    ("date:{2016-02-28 TO 2016-03-01}", DateRange(D(2016, 2, 29), D(2016, 2, 29))),
    ("date:{2017 to 2019}", DateRange(D(2018, 1, 1), D(2018, 12, 31))),
    ("date:{ 2016 TO 2018 }", DateRange(D(2017, 1, 1), D(2017, 12, 31))),
    ("date:{2017 TO *}", DateRange(D(2018, 1, 1), None)),  # the same as date:>2017
    ("date:{* TO 2017}", DateRange(None, D(2016, 12, 31))),  # the same as date:<2017
    ("date:{* TO *]", DateRange(None, None)),
    ("date:{* TO *}", DateRange(None, None)),
    ("date:{9999-12-30 TO *}", DateRange(D(9999, 12, 31), None)),
    ("date:{2016 TO 2018}pink", And(DateRange(D(2017, 1, 1), D(2017, 12, 31)), T("pink"))),
    ("-date:{2016 TO 2018}", Not(DateRange(D(2017, 1, 1), D(2017, 12, 31)))),
]


ALL_CASES = WORDS + PUNCTUATION + OPERATORS + WILDCARDS + PHRASES + FIELDS + DATES


@pytest.mark.parametrize(("query", "expected"), ALL_CASES)
def test_parse(query, expected):
    assert parse(query) == expected


def test_long_query_rule_follows_the_constants():
    words = [f"w{i}" for i in range(40)]
    assert isinstance(parse(" ".join(words[:LONG_QUERY_WORDS])), And)
    for n in range(LONG_QUERY_WORDS + 1, 40):
        assert parse(" ".join(words[:n])) == Or(*(T(w) for w in words[:n]), minimum=should_match(n))
    stop = sorted(STOP_WORDS)
    assert parse(" ".join(stop[:LONG_QUERY_WORDS - 1] + ["pink", "hurts"])) == Or(T("pink"), T("hurts"))
    assert parse(" ".join(stop[:LONG_QUERY_WORDS])) == And(*(T(w) for w in stop[:LONG_QUERY_WORDS]))


def test_a_long_query_needs_more_of_its_words_as_it_grows():
    assert [should_match(n) for n in (6, 23, 24, 47, 48, 60, 200)] == [1, 1, 2, 2, 3, 3, 9]
    paragraph = " ".join(f"w{i}" for i in range(SHOULD_MATCH_EVERY * 2))
    assert parse(paragraph).minimum == 3  # type: ignore[union-attr]
    # Stop words do not count: 23 words once they are dropped.
    assert parse(" ".join(f"w{i}" for i in range(23)) + " the of and").minimum == 1  # type: ignore[union-attr]
    assert str(parse(paragraph)).endswith(")@3")


def test_stop_words():
    assert isinstance(STOP_WORDS, frozenset)
    assert all(word == word.lower() for word in STOP_WORDS)
    assert {"the", "a", "of", "and", "or", "not", "yet"} <= STOP_WORDS
    assert not {"us", "may", "tbd"} & STOP_WORDS  # the United States, the month, to be decided


stop_or_word = st.one_of(st.sampled_from(sorted(STOP_WORDS)).map(lambda w: w.title() if len(w) > 2 else w),
                         st.sampled_from(["pink", "kelly", "hurts", "us", "May", "tbd", "x"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(stop_or_word, st.booleans()), min_size=1, max_size=12), st.booleans())
def test_long_query_rule(words, plain):
    """Required words stay, stop words go unless nothing optional would be left, and (up to 12 words)
    no minimum."""
    query = " ".join(("+" if required and not plain else "") + word for word, required in words)
    tree = parse(query, plain=plain)
    flags = [required and not plain for _, required in words]
    terms = [T(word) for word, _ in words]
    required = [term for term, flag in zip(terms, flags, strict=True) if flag]
    optional = [term for term, flag in zip(terms, flags, strict=True) if not flag]
    assert all(isinstance(node, (Term, And, Or)) for node in walk(tree))
    assert all(node.minimum == 1 for node in walk(tree) if isinstance(node, Or))
    if len(words) <= LONG_QUERY_WORDS or len(optional) <= 1:
        assert tree == (terms[0] if len(terms) == 1 else And(*terms))  # all of them, stop words included
        return
    if required:
        assert isinstance(tree, And) and list(tree.children[:-1]) == required
    (any_of,) = tree.children[len(required):] if required else [tree]
    alternatives = list(any_of.children) if isinstance(any_of, Or) else [any_of]
    content = [term for term in optional if term.text.lower() not in STOP_WORDS]
    if content:
        assert alternatives == content
        assert not any(term.text.lower() in STOP_WORDS for term in alternatives)
    else:
        assert alternatives == optional  # only stop words: all kept


# Errors: exact position and message

ERRORS = [
    # empty
    ("", 0, "empty query"),
    ("   \t\n", 0, "empty query"),
    ("... — !", 0, "empty query"),
    ("-...", 0, "empty query"),
    ("**", 0, "empty query"),
    # quotes and phrases
    ('"everybody hurts', 0, "unbalanced quote"),
    ('pink "everybody hurts', 5, "unbalanced quote"),
    ('"a" "b', 4, "unbalanced quote"),
    ('"ends with a backslash\\"', 0, "unbalanced quote"),
    ('12"', 2, "unbalanced quote"),
    ('""', 0, "empty phrase"),
    ('pink "..."', 5, "empty phrase"),
    ('"a b"~', 5, "'~' needs a number after it, like \"kelly pink\"~5"),
    ('"a b"~x', 5, "'~' needs a number after it, like \"kelly pink\"~5"),
    # parentheses
    ("(pink", 0, "unclosed parenthesis"),
    ("a (b (c)", 2, "unclosed parenthesis"),
    ("pink (", 5, "unclosed parenthesis"),
    ("pink)", 4, "unexpected ')'"),
    (")", 0, "unexpected ')'"),
    ("(a))", 3, "unexpected ')'"),
    (":)", 1, "unexpected ')'"),
    ("()", 0, "empty parentheses"),
    ("a ( ... )", 2, "empty parentheses"),
    # dangling operators
    ("AND", 0, "AND needs a term on both sides"),
    ("AND pink", 0, "AND needs a term on both sides"),
    ("pink AND", 5, "AND needs a term on both sides"),
    ("a AND AND b", 2, "AND needs a term on both sides"),
    ("a AND OR b", 2, "AND needs a term on both sides"),
    ("(a AND)", 3, "AND needs a term on both sides"),
    ("&&", 0, "'&&' needs a term on both sides"),
    ("&& pink", 0, "'&&' needs a term on both sides"),
    ("pink &&", 5, "'&&' needs a term on both sides"),
    ("a && && b", 2, "'&&' needs a term on both sides"),
    ("a && OR b", 2, "'&&' needs a term on both sides"),
    ("(a &&)", 3, "'&&' needs a term on both sides"),
    ("||", 0, "'||' needs a term on both sides"),
    ("|| pink", 0, "'||' needs a term on both sides"),
    ("pink ||", 5, "'||' needs a term on both sides"),
    ("a || || b", 2, "'||' needs a term on both sides"),
    ("(|| a)", 1, "'||' needs a term on both sides"),
    ("a OR && b", 2, "OR needs a term on both sides"),
    ("OR", 0, "OR needs a term on both sides"),
    ("pink OR", 5, "OR needs a term on both sides"),
    ("OR pink", 0, "OR needs a term on both sides"),
    ("a OR OR b", 2, "OR needs a term on both sides"),
    ("(OR a)", 1, "OR needs a term on both sides"),
    ("NOT", 0, "NOT needs a term after it"),
    ("pink NOT", 5, "NOT needs a term after it"),
    ("(a NOT)", 3, "NOT needs a term after it"),
    ("a NOT OR b", 2, "NOT needs a term after it"),
    ("+", 0, "'+' needs a term after it"),
    ("-", 0, "'-' needs a term after it"),
    ("pink -", 5, "'-' needs a term after it"),
    ("pink +  \n", 5, "'+' needs a term after it"),
    ("(a -)", 3, "'-' needs a term after it"),
    ("-(", 1, "unclosed parenthesis"),
    # fields
    ("foo:bar", 0, "unknown field 'foo' (expected headline, title, body or date)"),
    ("pink Foo:bar", 5, "unknown field 'Foo' (expected headline, title, body or date)"),
    ('note:"a b"', 0, "unknown field 'note' (expected headline, title, body or date)"),
    ("note:(a)", 0, "unknown field 'note' (expected headline, title, body or date)"),
    ("http://example.com", 0, "unknown field 'http' (expected headline, title, body or date)"),
    ("-foo:bar", 1, "unknown field 'foo' (expected headline, title, body or date)"),
    ("headline:", 0, "'headline:' needs a value right after the colon"),
    ("Headline: pink", 0, "'Headline:' needs a value right after the colon"),
    ("(body:)", 1, "'body:' needs a value right after the colon"),
    ("headline:(date:2017)", 10, "date: can't be inside headline:( )"),
    ("title:(a -date:2017)", 10, "date: can't be inside headline:( )"),
    ("headline:(body:x)", 10, "body: can't be inside headline:( )"),
    ("headline:()", 9, "empty parentheses"),
    # dates
    ("date:", 0, "'date:' needs a value right after the colon"),
    ("date: 2017", 0, "'date:' needs a value right after the colon"),
    ("date:junk", 5, f"not a date: 'junk' (use {FORMS})"),
    ("pink date:2017-02-30", 10, "impossible date 2017-02-30"),
    ("date:0000", 5, "impossible date 0000"),
    ("date:9999-99-99", 5, "impossible date 9999-99-99"),
    ("date:2017-13", 5, "impossible date 2017-13"),
    ("date:(2017)", 5, "date: takes a date or a [range], not a group"),
    ("date:{2017 TO 2018", 5, "unclosed date range"),
    ("date:{2017 TO 2018 pink}", 19, "expected '}' to close the date range"),
    ("date:{}", 5, "empty date range: write [START TO END]"),
    ("date:{2017}", 10, "expected TO in the date range [START TO END]"),
    ("date:{2018 TO 2016}", 5, "date range ends before it starts"),
    ("date:{2017 TO 2018}", 5, "date range is empty: a { } end leaves out its whole period"),
    ("date:{2017-01-01 TO 2017-01-02}", 5, "date range is empty: a { } end leaves out its whole period"),
    ("date:[2017-01-01 TO 2017-01-01}", 5, "date range is empty: a { } end leaves out its whole period"),
    ("date:[2017-03 TO 2017}", 5, "date range is empty: a { } end leaves out its whole period"),
    ("date:{9999 TO *}", 6, "no dates after 9999-12-31"),
    ("date:[* TO 0001}", 11, "no dates before 0001-01-01"),
    ("date:{2017-02-30 TO 2018}", 6, "impossible date 2017-02-30"),
    ("date:[2017 TO 2018)", 18, "a date range closes with ']' or '}', not ')'"),
    ("(date:{2017 TO *)", 16, "a date range closes with ']' or '}', not ')'"),
    ("date:[2017)", 10, "a date range closes with ']' or '}', not ')'"),
    ("date:[2017 TO 2018", 5, "unclosed date range"),
    ("date:[2017 2018]", 11, "expected TO in the date range [START TO END]"),
    ("date:[2018 TO 2017]", 5, "date range ends before it starts"),
    ("date:[2017-11-01 TO 2017-02-30]", 20, "impossible date 2017-02-30"),
    ("date:>", 6, "expected a date after '>'"),
    ("date:>9999", 6, "no dates after 9999-12-31"),
    ("a date:<=x b", 9, f"not a date: 'x' (use {FORMS})"),
    # wildcards need a letter or digit before the first ? or *: a leading one would scan every word
    ("*pink", 0, "'*' needs a letter or digit before it, like col*r"),
    ("?old", 0, "'?' needs a letter or digit before it, like g?ld"),
    ("pink ?old", 5, "'?' needs a letter or digit before it, like g?ld"),
    ("headline:?old", 9, "'?' needs a letter or digit before it, like g?ld"),
    ("-*pink", 1, "'*' needs a letter or digit before it, like col*r"),
    ("...*pink", 3, "'*' needs a letter or digit before it, like col*r"),
    ("*p?nk", 0, "'*' needs a letter or digit before it, like col*r"),
    ("?*x", 0, "'?' needs a letter or digit before it, like g?ld"),
    ("*pink*", 0, "'*' needs a letter or digit before it, like col*r"),
    # at least N
    ("(a)@2", 3, "'@2' needs alternatives, like (a OR b OR c)@2"),
    ("(a AND b)@2", 9, "'@2' needs alternatives, like (a OR b OR c)@2"),
    ("(a +b)@2", 6, "'@2' needs alternatives, like (a OR b OR c)@2"),
    ("(a OR b)@3", 8, "'@3' is more than the 2 alternatives"),
    ("(a OR b)@0", 8, "'@0' must be at least 1"),
    ("(a OR b)@00", 8, "'@0' must be at least 1"),
]


@pytest.mark.parametrize(("query", "position", "message"), ERRORS)
def test_errors(query, position, message):
    assert error_of(query) == (position, message)


def test_error_str_and_caret():
    with pytest.raises(QuerySyntaxError) as caught:
        parse("headline:(pink OR clarkson")
    assert str(caught.value) == "unclosed parenthesis at position 10"
    assert caught.value.caret_lines() == "headline:(pink OR clarkson\n         ^"


# Limits


def test_length_limit():
    assert parse("a" * MAX_QUERY_LENGTH) == T("a" * MAX_QUERY_LENGTH)
    too_long = "a" * (MAX_QUERY_LENGTH + 1)
    assert error_of(too_long) == (MAX_QUERY_LENGTH, f"query longer than {MAX_QUERY_LENGTH} characters")
    assert error_of(too_long, plain=True) == error_of(too_long)


def test_depth_limit():
    deepest = "(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH
    assert parse(deepest) == T("a")
    assert error_of("(" + deepest + ")") == (MAX_DEPTH, f"nesting deeper than {MAX_DEPTH} levels")
    assert parse("NOT " * MAX_DEPTH + "a") == parse("-" * MAX_DEPTH + "a")
    too_deep = f"nesting deeper than {MAX_DEPTH} levels"
    assert error_of("NOT " * (MAX_DEPTH + 1) + "a") == (4 * MAX_DEPTH, too_deep)
    assert error_of("-" * (MAX_DEPTH + 1) + "a") == (MAX_DEPTH, f"nesting deeper than {MAX_DEPTH} levels")
    mixed = "(NOT " * (MAX_DEPTH // 2) + "a" + ")" * (MAX_DEPTH // 2)
    assert isinstance(parse(mixed), Not)
    assert error_of("-" + mixed)[1] == f"nesting deeper than {MAX_DEPTH} levels"


def test_clause_limit():
    most = " ".join(f"w{i}" for i in range(MAX_CLAUSES))
    assert len(leaves(parse(most))) == MAX_CLAUSES
    query = most + " one-more"
    assert error_of(query) == (len(most) + 1, f"more than {MAX_CLAUSES} terms")
    assert error_of(" OR ".join(["a"] * (MAX_CLAUSES + 1)))[1] == f"more than {MAX_CLAUSES} terms"


@pytest.mark.parametrize(
    "query",
    [
        "(" * MAX_QUERY_LENGTH,
        ")" * MAX_QUERY_LENGTH,
        "-" * (MAX_QUERY_LENGTH - 1) + "a",
        "- " * (MAX_QUERY_LENGTH // 2),
        '"' * MAX_QUERY_LENGTH,
        '"' + "\\" * (MAX_QUERY_LENGTH - 1),
        "NOT " * (MAX_QUERY_LENGTH // 4),
        "date:[" * (MAX_QUERY_LENGTH // 6),
        "a:" * (MAX_QUERY_LENGTH // 2),
        "*" * MAX_QUERY_LENGTH,
        "(a OR " * (MAX_QUERY_LENGTH // 6),
        "x" * MAX_QUERY_LENGTH,
        ". " * (MAX_QUERY_LENGTH // 2),
        "a " * (MAX_QUERY_LENGTH // 2),
    ],
)
def test_worst_case_inputs_are_fast(query):
    started = time.perf_counter()
    for plain in (False, True):
        try:
            parse(query, plain=plain)
        except QuerySyntaxError:
            pass
    assert time.perf_counter() - started < 0.5


# plain=True


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("everybody hurts", And(T("everybody"), T("hurts"))),
        ("rock (and) roll", And(T("rock"), T("and"), T("roll"))),
        ('"everybody hurts"', And(T("everybody"), T("hurts"))),
        ("NOT pink -red +blue", And(T("NOT"), T("pink"), T("red"), T("blue"))),
        ("hurt* * C++ --x", And(T("hurt"), T("C++"), T("x"))),
        ("headline:pink 10:30 note:", And(T("headline:pink"), T("10:30"), T("note"))),
        ("R.E.M.'s hip-hop $5 — ...", And(T("R.E.M.'s"), T("hip-hop"), T("$5"))),
        ("foo:bar date:junk (", And(T("foo:bar"), T("date:junk"))),
        ("b c d e f g", Or(*(T(c) for c in "bcdefg"))),
        ("a OR b AND c d e f", Or(*(T(c) for c in "bcdef"))),  # in plain text OR and AND are stop words
        ("the pink (of) kelly -to +hurts", Or(T("pink"), T("kelly"), T("hurts"))),
        # ? is punctuation kept as typed, as before wildcards (the engine drops it); * is stripped at edges
        ("who? ?old g?ld col*r *pink", And(T("who?"), T("?old"), T("g?ld"), T("col*r"), T("pink"))),
        ("oil || gold && !silver", And(T("oil"), T("gold"), T("!silver"))),
    ],
)
def test_plain(query, expected):
    assert parse(query, plain=True) == expected


@pytest.mark.parametrize("query", ["", "   ", '"" () * - + : ...', "? ?? && ||"])
def test_plain_empty(query):
    assert error_of(query, plain=True) == (0, "empty query")


def test_plain_has_no_clause_limit():
    words = " ".join(f"w{i}" for i in range(MAX_CLAUSES + 10))
    assert len(leaves(parse(words, plain=True))) == MAX_CLAUSES + 10


# Properties

QUERYISH = [
    *'"()*?!:+-~[]{}<>=@\\ ', "AND", "OR", "NOT", "&&", "||", "date", "headline", "title", "body", "2017-11",
    "2017", "TO", " ", "  ", "a", "pink", "é", "9999-12-31", "0000", "@2", "~3", "\t",
]
queryish_texts = st.lists(st.sampled_from(QUERYISH), max_size=40).map("".join)
char_texts = st.text(alphabet='"()*?!&|:+-~[]{}<>=ANDORNOT date headline body 2017-11 TO \\@', max_size=60)


def check_parses_or_raises(query: str, *, plain: bool = False) -> None:
    started = time.perf_counter()
    try:
        tree = parse(query, plain=plain)
    except QuerySyntaxError as error:
        assert 0 <= error.offset <= len(query) and error.position == error.offset + 1
        assert error.message and error.query == query
    else:
        assert isinstance(tree, NODE_TYPES)
        found = leaves(tree)
        assert 1 <= len(found) <= (len(query) if plain else MAX_CLAUSES)
        str(tree)
    assert time.perf_counter() - started < 0.5


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), queryish_texts, char_texts))
def test_any_text_gives_a_tree_or_a_syntax_error(query):
    check_parses_or_raises(query)
    check_parses_or_raises(query, plain=True)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=300).filter(lambda text: any(c.isalpha() for c in text)))
def test_plain_never_raises_on_text_with_a_letter(text):
    tree = parse(text, plain=True)
    assert all(isinstance(leaf, Term) and any(c.isalnum() for c in leaf.text) for leaf in leaves(tree))


# Round trip: str(tree) parses back to the same tree.
# Only texts the renderer writes back faithfully are generated; test_round_trip_gaps lists the ones it
# does not.

KEYWORDS = {"AND", "OR", "NOT"}
word_texts = st.text(alphabet=string.ascii_letters + string.digits + "éÜ'.-_", min_size=1, max_size=8).filter(
    lambda w: any(c.isalnum() for c in w) and not w.startswith("-") and w not in KEYWORDS
)
phrase_texts = st.text(min_size=1, max_size=20).filter(lambda t: any(c.isalnum() for c in t))
fields = st.sampled_from([None, "headline", "body"])
days = st.dates(min_value=D(1, 1, 1), max_value=D(9999, 12, 31))


@st.composite
def date_ranges(draw):
    first, last = sorted([draw(days), draw(days)])
    return DateRange(draw(st.one_of(st.none(), st.just(first))), draw(st.one_of(st.none(), st.just(last))))


alnum_texts = st.text(alphabet=string.ascii_letters + string.digits + "é", min_size=1, max_size=4)
# A letter or digit first, a ? or * with text after it (a trailing-only * is a Prefix, a trailing-only ? a
# question mark), and more of either.
wildcard_texts = st.builds(
    lambda head, pieces: head + "".join(pieces),
    word_texts.filter(lambda w: w[0].isalnum()),
    st.lists(st.tuples(st.sampled_from(["?", "*", "??", "*?", "?*"]), alnum_texts).map("".join),
             min_size=1, max_size=3),
)

leaf_nodes = st.one_of(
    st.builds(Term, word_texts, fields),
    st.builds(Prefix, word_texts, fields),
    st.builds(Wildcard, wildcard_texts, fields),
    st.builds(Phrase, phrase_texts, fields, st.integers(0, 20)),
    date_ranges(),
    st.just(MatchAll()),
)


def compound(children):
    groups = st.lists(children, min_size=2, max_size=4)
    return st.one_of(
        groups.map(lambda nodes: And(*nodes)),
        groups.flatmap(lambda nodes: st.integers(1, len(nodes)).map(lambda m: Or(*nodes, minimum=m))),
        children.map(Not),
    )


trees = st.recursive(leaf_nodes, compound, max_leaves=12)


def depth(node) -> int:
    if isinstance(node, (And, Or)):
        return 1 + max(depth(child) for child in node.children)
    if isinstance(node, Not):
        return 1 + depth(node.child)
    return 0


@settings(max_examples=300, deadline=None)
@given(trees)
def test_round_trip(tree):
    assume(depth(tree) <= MAX_DEPTH)
    assert parse(str(tree)) == tree


def renders_faithfully(tree) -> bool:
    """False when a Term's text is one str() cannot write back as a word (see test_round_trip_gaps); a
    trailing run of ? is written back bare, as the question mark it is read as."""
    return all(
        not isinstance(leaf, Term)
        or (bool(stem := leaf.text.rstrip("?")) and all(c.isalnum() or c in "'.-_" for c in stem)
            and not leaf.text.startswith("-") and leaf.text not in KEYWORDS)
        for leaf in leaves(tree)
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [case for case in ALL_CASES if renders_faithfully(case[1])],
)
def test_parsed_examples_round_trip(query, expected):
    assert parse(str(parse(query))) == expected


@pytest.mark.parametrize(
    ("tree", "rendered", "reparsed"),
    [
        # Term text with characters outside [alnum ' . - _] is rendered quoted, which reads back as a Phrase.
        (T("C++"), '"C++"', P("C++")),
        (T("10:30"), '"10:30"', P("10:30")),
        (T("-x"), '"-x"', P("-x")),
        (T("note:", "headline"), 'headline:"note:"', P("note:", "headline")),
        # Operator words are rendered bare, so they read back as operators.
        (T("AND"), "AND", None),
        # A Wildcard the parser reads as something else: a trailing * alone is a prefix, a trailing ? alone
        # a question mark, and a leading - an exclusion.
        (W("hurt*"), "hurt*", Prefix("hurt")),
        (W("who?", "headline"), "headline:who?", H("who?")),
        (W("-g?ld"), "-g?ld", Not(W("g?ld"))),
        # One-child groups render as a bare parenthesised child.
        (And(T("a")), "(a)", T("a")),
        (Or(T("a")), "(a)", T("a")),
    ],
)
def test_round_trip_gaps(tree, rendered, reparsed):
    """Trees the renderer in tree.py cannot write back exactly (documented, not fixed here)."""
    assert str(tree) == rendered
    if reparsed is None:
        with pytest.raises(QuerySyntaxError):
            parse(rendered)
    else:
        assert parse(rendered) == reparsed


def test_pasted_stop_words_with_punctuation_are_dropped_too():
    tree = parse("The, markets fell. It is the worst day “since” 1987…", plain=True)
    assert [child.text for child in tree.children] == ["markets", "fell.", "worst", "day", "“since”", "1987…"]


# The Wildcard node on its own


def test_wildcard_node():
    assert str(W("g?ld")) == "g?ld"
    assert str(W("col*r", "body")) == "body:col*r"
    assert W("g?ld") == W("g?ld") and W("g?ld") != W("g?ld", "headline")
    tree = And(T("gold"), Or(W("g?ld"), W("col*r")))
    assert [n for n in walk(tree) if isinstance(n, Wildcard)] == [W("g?ld"), W("col*r")]
    with pytest.raises(AttributeError):
        W("g?ld").text = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("", None, "Wildcard needs non-empty text"),
        ("gold", None, "Wildcard text needs a ? or *: 'gold'"),
        ("?old", None, "Wildcard text needs a letter or digit before its first ? or *: '?old'"),
        ("*", None, "Wildcard text needs a letter or digit before its first ? or *: '*'"),
        ("..*x", None, "Wildcard text needs a letter or digit before its first ? or *: '..*x'"),
        ("g?ld", "date", "unknown field 'date'; expected one of headline, body or None"),
    ],
)
def test_wildcard_node_refuses(text, field, message):
    with pytest.raises(ValueError) as caught:
        W(text, field)
    assert str(caught.value) == message


def test_term_with_a_trailing_question_mark_renders_bare():
    assert str(T("who?")) == "who?" and parse("who?") == T("who?")
    assert str(T("who??", "headline")) == "headline:who??"
    assert str(T("?")) == '"?"'  # nothing before the question mark: quoted as before


def test_wildcard_is_public():
    import searchkit
    import searchkit.query

    assert searchkit.Wildcard is Wildcard and searchkit.query.Wildcard is Wildcard
    assert "Wildcard" in searchkit.__all__ and "Wildcard" in searchkit.query.__all__
