"""A hand-written corpus for the engine contract, and the queries run on it.

The articles are written so that each kind of query in docs/query-language.md matches some of them and
misses others: accents (Juárez / Juarez), stems (hurts / hurting / hurt), stop words (the Who), dates on
both sides of every range boundary the docs name, words in the headline only or the body only, phrases
in and out of order and at several distances (for ``~N``), and punctuation inside words.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from searchkit.articles import Article
from searchkit.query import tree as t

DOC = Path(__file__).resolve().parents[2] / "docs" / "query-language.md"


def _article(article_id: str, date: str, headline: str, body: str) -> Article:
    return Article(article_id, dt.date.fromisoformat(date), headline, body, language="en")


CORPUS = (
    _article("pink-awards", "2017-11-18", "Pink and Kelly Clarkson open the awards",
             'Pink sang "Everybody Hurts" by R.E.M. while first responders watched.'),
    _article("hurts-chart", "2017-06-02", "Everybody Hurts tops the chart again",
             "The song returned to the top of the chart after a radio campaign."),
    _article("juarez-accent", "2016-03-10", "Mayor of Juárez visits the border",
             "The mayor spoke about trade and the hurting economy of the region."),
    _article("juarez-plain", "2016-12-31", "Juarez trade report",
             "Exports from Ciudad Juarez rose; the hurtless recovery surprised the economy of Juárez."),
    _article("cocoa", "1987-03-01", "Bahia cocoa review",
             "Showers continued throughout the week in the Bahia cocoa zone."),
    _article("clarkson-tour", "2018-01-05", "Clarkson announces a tour",
             "Kelly Clarkson will tour with Pink in the spring, her label said on Friday."),
    _article("kelly-far", "2017-07-04", "Kelly at the fair",
             "Kelly sang old songs for the crowd all night long and then Pink came."),
    _article("everybody-dance", "2017-08-31", "Everybody dance now",
             "A club hit that everybody knows, and not only or mainly in clubs."),
    _article("awards-night", "2017-12-31", "Awards night for everybody",
             "Pink and Kelly Clarkson shared the stage; nobody was left out."),
    _article("malcolm-x", "1987-05-20", "Malcolm X film planned",
             "The pink of health, Kelly said of the director, who hurts nobody."),
    _article("rem", "2016-02-29", "R.E.M.'s last album",
             "Hip-hop fans sent e-mail about rock 'n' roll at 10:30 in the U.S. for $5 each, learning C++."),
    _article("rem-plain", "2016-06-01", "R.E.M. reunion rumours",
             "The band said no. Rock and roll lives on; hip hop too; email me."),
    _article("note", "2018-06-15", "Note: hi there",
             'Say "hi" now, he wrote in a note:x style memo. What is inflation? Nobody knows.'),
    _article("oil-gold", "1987-03-15", "Oil, gold and silver prices",
             "Oil gold futures rose while silver fell."),
    _article("oil-apart", "1987-04-01", "Oil prices fall", "Gold was steady but oil fell."),
    _article("silver", "2019-01-10", "Silver lining", "Silver rose in Asia."),
    _article("yahoo", "2017-06-01", "Yahoo! News buys a blog", "The news site paid a lot."),
    _article("abc", "2017-06-30", "Plan B for vitamin C", "A plan b and vitamin c study."),
    _article("ac", "2017-01-01", "A is for apple", "Only a and c here."),
    _article("b-only", "2015-05-05", "Plan B", "Nothing else."),
    _article("gold-words", "2017-11-30", "Golden gild and goldy",
             "Colour and color of the tests and texts; textile tent."),
    _article("gold-rush", "2018-01-01", "Gold rush", "The gold price hit a record; the collar was colder."),
    _article("clarke", "2017-06-15", "Arthur C. Clarke anniversary",
             "Clarke wrote of space and X-ray stars."),
    _article("responders", "2017-11-17", "First responders honoured", "Responders first arrived."),
    _article("the-who", "2018-03-03", "The Who: who?", "To be or not to be is the question."),
    _article("hurt-headline", "2017-11-19", "Hurting in the headline", "A body with pink in it."),
    _article("headline-pink", "2016-12-30", "headline: Pink at the show",
             "The show was unbalanced but fun; foo: bar stools, C++ hurts and tour dates."),
    _article("pink-tour", "2018-01-06", "Pink tour", "Everybody hurts, Pink said before the tour."),
    _article("hurts-everybody", "2017-06-03", "Hurts everybody", "Hurts, said everybody."),
    _article("say-hi", "2017-05-31", "Say hi", 'Say it: "hi" now or never.'),
    _article("test-1987", "1987-03-31", "Test of the text", "A tenet tested at 10 30."),
    _article("empty-body", "2017-08-01", "Telex from Bahia", ""),
    _article("censored", "2018-02-02", "Who said g-ld or col-r?", "Censored words: g-ld, col-r."),
)

#: Queries beyond the docs' examples, for what the corpus was also written to show.
EXTRA_QUERIES = (
    "juárez", "JUAREZ", '"ciudad juárez"', "juá*", "ju?rez", "headline:juárez", "body:juarez",
    "hurting", "hurt", '"hurting economy"', '"the hurting economy"~1', '"trade economy"~3',
    '"trade economy"~4',
    '"kelly pink"~6', '"kelly pink"~11', '"pink kelly"~0', '"kelly clarkson"~1', '"clarkson kelly"~2',
    "everybody*", "hurtl*", "hurtless", "hurt*s", "R.E.M*", "u.s-fo*", "hip-ho*", "x-r?y", "e-mai*",
    "date:1987 oil", "date:2016-02-29", "date:[1987-03-31 TO 1987-04-01]", "(gold silver oil)@2",
    "(gold silver oil)@3", "headline:(hurt* g?ld)", "body:te?t*", "-(pink OR kelly OR the)",
    "the -the", "* -*", "-pink -gold", "-pink -g?ld -clark*", '"to be or not to be"', '"to be"~1 -question',
    "10:30", '"10 30"',
    "juraez~", "juraez~1", "headline:goald~2", "body:hurst~", "hurst~0", "clarksn~ -pnk~", "u.s-trad~",
    "pnk~2", "(gold~ silver~)@2",
)

#: Trees the parser would not build: children that analyse to nothing, a wildcard whose pattern ends up
#: without a literal start once split (an error), an empty date range.
TREE_QUERIES = (
    t.Term("—"),
    t.Or(t.Term("gold"), t.Term("—"), t.Term("silver"), minimum=2),
    t.Or(t.Term("gold"), t.Term("—"), t.Term("…"), minimum=3),
    t.Or(t.Term("gold"), t.Term("pink"), t.Term("—"), t.Term("silver"), minimum=3),
    t.And(t.Term("—"), t.Not(t.Term("…"))),
    t.And(t.Term("—"), t.Not(t.Term("gold"))),
    t.And(t.Term("pink"), t.Not(t.Term("…"))),
    t.Or(t.Term("—"), t.Not(t.Term("…"))),
    t.Not(t.Prefix("—")),
    t.And(t.Prefix("—"), t.Term("pink")),
    t.Wildcard("e-?x"),
    t.Wildcard("g?ld-c*t"),
    t.Wildcard("gold-c*r", "body"),
    t.DateRange(dt.date(2018, 1, 1), dt.date(2017, 1, 1)),
    t.Or(t.DateRange(dt.date(2018, 1, 1), dt.date(2017, 1, 1)), t.Term("silver")),
    t.And(t.DateRange(), t.Term("oil")),
    t.Phrase("the the", slop=3),
    t.Phrase("a and", "body", slop=1),
    t.Phrase("pink kelly clarkson", slop=4),
    t.Phrase("clarkson pink kelly", slop=9),
)

#: Date filters every query also runs under (``since``/``until``): none, one year, up to a day, empty.
DATE_FILTERS = (
    None,
    t.DateRange(dt.date(2017, 1, 1), dt.date(2017, 12, 31)),
    t.DateRange(None, dt.date(2016, 12, 31)),
    t.DateRange(dt.date(2017, 11, 18), None),
    t.DateRange(dt.date(2017, 1, 1), dt.date(2016, 1, 1)),
)

_ROW = re.compile(
    r"^\| `(?P<query>[^`]+)` "
    r"\| (?:`(?P<parsed>[^`]+)`|error at (?P<position>\d+): (?P<message>[^|]+?)) "
    r"\| [^|]+ \|$"
)


def doc_queries() -> list[tuple[int, str, bool]]:
    """``(line, query, plain)`` for every example row of docs/query-language.md that parses (error rows
    are left out), read as tests/test_docs_query_language.py reads them. Rows under a heading that names
    a reference day (``now=``: relative dates) are left out too: they mean days of 2024, not of this
    corpus, and test_contract.py checks relative dates on the corpus's own days."""
    rows = []
    plain = in_code = relative = False
    for number, line in enumerate(DOC.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("```"):
            in_code = not in_code
        if in_code:
            continue
        if line.startswith("#"):
            plain = "--plain" in line
            relative = "now=" in line
            continue
        match = _ROW.match(line) if line.startswith("| `") and not relative else None
        if match is not None and match["parsed"] is not None:
            rows.append((number, match["query"].replace("\\|", "|"), plain))
    return rows
