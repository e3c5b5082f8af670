"""Hypothesis strategies for the engine contract: small random articles, batches of changes, query trees.

The vocabulary is small and full of near-misses (stems, accents, stop words, dotted and hyphenated
words), so random articles share words, random phrases sometimes match, and prefixes and wildcards
expand to several stems. Few ids, so batches replace and delete articles that exist.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from searchkit.articles import Article, Fingerprint
from searchkit.query import tree as t

IDS = ("a", "b", "c", "d", "e", "f", "g", "ß/ü")
WORDS = (
    "gold", "golds", "gild", "golden", "color", "colour", "colder", "hurt", "hurts", "hurting", "hurtless",
    "Juárez", "juarez", "JUAREZ", "the", "of", "to", "be", "pink", "Pink", "kelly", "U.S.", "e-mail", "mail",
    "rock", "n", "test", "text", "texts", "x", "10:30",
)
#: Prefixes and wildcards as a user types them (stems are what they are matched against).
PREFIXES = ("g", "go", "gol", "gold", "col", "colo", "hurt", "hurti", "jua", "juá", "te", "tex", "u.s",
            "e-ma", "x", "—")
WILDCARDS = ("g?ld", "g*d", "col*r", "colo?r", "hurt*s", "hurt?", "te?t*", "ju?rez", "j*z", "x*", "e-m?il",
             "u.s-g?ld", "t?")
#: Fuzzy words as a user types them: near misses of WORDS, some two edits away, some too short to fuzz.
FUZZY = ("gidl", "goold", "colr", "coulour", "hurst", "huting", "juraez", "pnk", "kely", "tset", "txt", "x",
         "u.s-gol", "mial")
SEPARATORS = (" ", " ", ", ", ". ", " — ", "-")

YEARS = (1999, 2000, 2001, 2002)
_dates = st.one_of(
    st.dates(dt.date(YEARS[0], 1, 1), dt.date(YEARS[-1], 12, 31)),
    st.sampled_from((dt.date(1, 1, 1), dt.date(2000, 2, 29), dt.date(9999, 12, 31))),
)
_bounds = st.one_of(st.none(), st.sampled_from(tuple(dt.date(y, m, 1) for y in YEARS for m in (1, 7))),
                    _dates)


@st.composite
def texts(draw: st.DrawFn, most: int) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), max_size=most))
    return "".join(word + (draw(st.sampled_from(SEPARATORS)) if i < len(words) - 1 else "")
                   for i, word in enumerate(words))


articles = st.builds(
    Article,
    id=st.sampled_from(IDS),
    date=_dates,
    headline=texts(4),
    body=texts(14),
    path=st.sampled_from((None, "seeds/one.txt")),
)
fingerprints = st.one_of(
    st.none(),
    st.builds(Fingerprint, st.integers(0, 10**6), st.integers(0, 2 * 10**18), st.sampled_from(("d1", "d2"))),
)
#: One change in a batch: ("put", article, fingerprint) or ("delete", id).
changes = st.one_of(
    st.tuples(st.just("put"), articles, fingerprints),
    st.tuples(st.just("delete"), st.sampled_from(IDS)),
)
#: Batches of changes, each committed or cancelled.
batches = st.lists(
    st.tuples(st.lists(changes, max_size=9), st.sampled_from(("commit", "commit", "commit", "cancel"))),
    min_size=1, max_size=4,
)

_fields = st.sampled_from((None, None, "headline", "body"))
_words = st.sampled_from(WORDS + ("—",))
date_ranges = st.builds(t.DateRange, _bounds, _bounds)
_leaves = st.one_of(
    st.builds(t.Term, _words, _fields),
    st.builds(t.Phrase, st.lists(_words, min_size=1, max_size=3).map(" ".join), _fields, st.integers(0, 3)),
    st.builds(t.Prefix, st.sampled_from(PREFIXES), _fields),
    st.builds(t.Wildcard, st.sampled_from(WILDCARDS), _fields),
    st.builds(t.Fuzzy, st.sampled_from(FUZZY), _fields, st.sampled_from((None, 1, 2))),
    date_ranges,
    st.just(t.MatchAll()),
)


def _groups(children: st.SearchStrategy[t.Node]) -> st.SearchStrategy[t.Node]:
    some = st.lists(children, min_size=1, max_size=4)
    return st.one_of(
        st.builds(lambda kids, nots: t.And(*kids, *(t.Not(n) for n in nots)), some,
                  st.lists(children, max_size=2)),
        st.builds(lambda kids, minimum: t.Or(*kids, minimum=minimum), some, st.integers(1, 3)),
        st.builds(t.Not, children),
    )


queries = st.recursive(_leaves, _groups, max_leaves=6)
date_filters = st.one_of(st.none(), date_ranges)
