"""Engine-neutral query sets drawn from the corpus with a fixed random seed.

Every system runs the same :class:`QuerySpec` list; each system module turns a spec into its own query
(searchkit's query language, a Whoosh query object, an FTS5 MATCH expression).

Words come from a random sample of articles: lowercase letters only, at least 3 of them, not a stop word,
with a document frequency between ``MIN_DF`` and ``MAX_DF`` of the sample (so a query matches tens to a
few hundred articles on the full Reuters corpus). Small corpora fall back to every word they have.
"""

from __future__ import annotations

import collections
import datetime as dt
import os
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.lang.porter import stem as porter_stem

from benchmarks.corpus import Article, read_articles

#: Query kinds in report order, with the label the report shows.
KINDS: dict[str, str] = {
    "word": "one word",
    "two_words": "two words (AND)",
    "or": "a OR b",
    "phrase": '"phrase"',
    "headline": "headline:word",
    "word_date": "word + date range",
    "date_range": "date range alone",
    "newest": "word, sort newest",
    "prefix": "prefix*",
    "word_total": "word + exact total",
    "phrase_total": '"phrase" + exact total',
}

MIN_DF = 0.005
MAX_DF = 0.05
SAMPLE_SIZE = 2000
WINDOW_DAYS = (7, 14, 30, 61)

# Whoosh's and SQL's keywords and English function words: a query made of one of them would test
# stop-word handling, not search.
STOP_WORDS = frozenset("""
a about above after again against all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers him his how i if in into is it its itself just may me might more most must my
near no nor not now of off on once only or other our out over own said same say says she should so
some such than that the their them then there these they this those through to too under until up
upon very was we were what when where which while who whom why will with within would you your
yes yet andnot andmaybe
""".split())

_WORD = re.compile(r"[a-z]+")
_PAIR = re.compile(r"(?=\b([a-z]{3,}) ([a-z]{3,})\b)")


@dataclass(frozen=True)
class QuerySpec:
    kind: str
    words: tuple[str, ...] = ()          # one word, two words, the phrase's words, or the prefix
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass
class QuerySet:
    seed: int
    per_kind: int
    sample_docs: int
    word_pool: int
    queries: dict[str, list[QuerySpec]] = field(default_factory=dict)


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if len(w) >= 3 and w not in STOP_WORDS]


def _pool(doc_freq: collections.Counter, n_docs: int) -> list[str]:
    lo, hi = max(2, MIN_DF * n_docs), MAX_DF * n_docs
    pool = sorted(w for w, df in doc_freq.items() if lo <= df <= hi)
    if len(pool) < 20:  # a tiny corpus: take every word but the most common tenth
        ranked = [w for w, _ in doc_freq.most_common()]
        pool = sorted(ranked[len(ranked) // 10:] or ranked)
    return pool


def generate(files: list[Path], per_kind: int, seed: int = 1987) -> QuerySet:
    rng = random.Random(seed)
    sample = list(read_articles(rng.sample(files, min(SAMPLE_SIZE, len(files))), skipped=[]))
    if not sample:
        raise ValueError("no readable articles to draw queries from")

    doc_words = [set(_words(a.headline + "\n" + a.body)) for a in sample]
    headline_words = [set(_words(a.headline)) for a in sample]
    df = collections.Counter(w for words in doc_words for w in words)
    pool = _pool(df, len(sample))
    pool_set = set(pool)
    headline_pool = _pool(collections.Counter(w for ws in headline_words for w in ws), len(sample))
    dates = sorted(a.date for a in sample)

    def word() -> str:
        return rng.choice(pool)

    def two_cooccurring() -> tuple[str, str]:
        for _ in range(50):
            candidates = sorted(rng.choice(doc_words) & pool_set)
            if len(candidates) >= 2:
                return tuple(rng.sample(candidates, 2))  # type: ignore[return-value]
        return word(), word()

    def phrase() -> tuple[str, str]:
        for _ in range(50):
            article: Article = rng.choice(sample)
            text = article.headline if rng.random() < 0.3 else article.body
            pairs = [
                (a, b) for a, b in _PAIR.findall(text.lower())
                if a not in STOP_WORDS and b not in STOP_WORDS and df[a] >= 2 and df[b] >= 2
            ]
            if pairs:
                return rng.choice(pairs)
        return two_cooccurring()

    def window() -> tuple[dt.date, dt.date]:
        days = rng.choice(WINDOW_DAYS)
        centre = rng.choice(dates)
        since = centre - dt.timedelta(days=rng.randrange(days))
        return since, since + dt.timedelta(days=days - 1)

    def prefix() -> str:
        # Indexes hold stems, so cut inside the part a word shares with its stem ("unchanged", stem
        # "unchang" -> "unchan*"); cutting a longer word at a fixed length ("weakn*") matches nothing.
        w = rng.choice([w for w in pool if len(w) >= 6] or pool)
        shared = os.path.commonprefix([w, porter_stem(w)])
        return shared[: len(shared) - 1] if len(shared) >= 5 else w[:4]

    makers = {
        "word": lambda: QuerySpec("word", (word(),)),
        "two_words": lambda: QuerySpec("two_words", two_cooccurring()),
        "or": lambda: QuerySpec("or", (word(), word())),
        "phrase": lambda: QuerySpec("phrase", phrase()),
        "headline": lambda: QuerySpec("headline", (rng.choice(headline_pool),)),
        "word_date": lambda: QuerySpec("word_date", (word(),), *window()),
        "date_range": lambda: QuerySpec("date_range", (), *window()),
        "newest": lambda: QuerySpec("newest", (word(),)),
        "prefix": lambda: QuerySpec("prefix", (prefix(),)),
        "word_total": lambda: QuerySpec("word_total", (word(),)),
        "phrase_total": lambda: QuerySpec("phrase_total", phrase()),
    }
    queries = {kind: [makers[kind]() for _ in range(per_kind)] for kind in KINDS}
    return QuerySet(
        seed=seed, per_kind=per_kind, sample_docs=len(sample), word_pool=len(pool), queries=queries
    )


def describe(spec: QuerySpec) -> str:
    """A readable rendering (searchkit's syntax) for the report's example column."""
    from benchmarks.systems.searchkit_system import query_string

    text, sort = query_string(spec)
    return text + (" (sort newest)" if sort == "newest" else "")
