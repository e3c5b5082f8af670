"""Ranking on every engine: one BM25 formula (``k1`` 1.2, ``b`` 0.75 on every field, Lucene's idf) and one
headline weight, so that an index switched to another engine keeps the order of its hits.

The scores are computed here from the articles' analysed words, independently of every engine. The
articles are short: each engine keeps field lengths in a lossy byte, exact only for short fields.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import pytest

from searchkit.articles import Article
from searchkit.engines.rules import HEADLINE_BOOST
from searchkit.query.matching import SHARED_ANALYSIS

from .harness import ask, new_index, run

K1, B = 1.2, 0.75

ARTICLES = [
    Article("a", dt.date(2024, 5, 1), "Flood warning for the valley", "Rain all week."),
    Article("b", dt.date(2024, 5, 2), "Rain all week", "The flood came and the flood went away."),
    Article("c", dt.date(2024, 5, 3), "Flood", "A flood, then another flood, then a third flood."),
    Article("d", dt.date(2024, 5, 4), "Markets calm", "Traders said the flood of orders slowed."),
    Article("e", dt.date(2024, 5, 5), "Markets calm again", "Nothing about water here at all."),
    Article("f", dt.date(2024, 5, 6), "Dry spring ahead", "Farmers fear drought, not a flood."),
]


def bm25(word: str) -> dict[str, float]:
    """Every matching article's score for ``word``: the body's BM25 plus the headline's, weighted."""
    fields = {name: [SHARED_ANALYSIS.analyze(getattr(article, name)) for article in ARTICLES]
              for name in ("headline", "body")}
    scores: Counter[str] = Counter()
    for name, texts in fields.items():
        average = sum(map(len, texts)) / len(texts)
        holding = sum(1 for words in texts if word in words)
        idf = math.log(1 + (len(texts) - holding + 0.5) / (holding + 0.5))
        weight = HEADLINE_BOOST if name == "headline" else 1.0
        for article, words in zip(ARTICLES, texts, strict=True):
            count = words.count(word)
            if count:
                norm = 1 - B + B * len(words) / average
                scores[article.id] += weight * idf * count * (K1 + 1) / (count + K1 * norm)
    return dict(scores)


def test_the_articles_are_short_enough_for_exact_lengths_and_score_no_ties():
    assert max(len(SHARED_ANALYSIS.analyze(text)) for a in ARTICLES for text in (a.headline, a.body)) <= 10
    scores = bm25("flood")
    assert len({round(score, 3) for score in scores.values()}) == len(scores) == 5


def test_a_word_is_scored_by_the_same_bm25_on_every_engine(real_engine, tmp_path):
    expected = bm25("flood")
    reader = real_engine.open_reader(new_index(real_engine, tmp_path, ARTICLES))
    try:
        hits = run(reader, ask("flood")).hits
    finally:
        reader.close()
    assert [hit.id for hit in hits] == sorted(expected, key=lambda key: -expected[key])
    # OpenSearch's Lucene leaves out BM25's constant factor (k1 + 1): compare each score to the best.
    best, expected_best = hits[0].score, max(expected.values())
    assert {hit.id: hit.score / best for hit in hits} == pytest.approx(
        {key: score / expected_best for key, score in expected.items()}, rel=1e-3)


FILLER = [f"w{i}" for i in range(30)]
PROXIMITY_ARTICLES = [
    # The same words, as often, in bodies of the same length: only how near they stand differs.
    Article("near", dt.date(2024, 6, 1), "Talks", " ".join(["japan", "trade", "deficit", *FILLER])),
    Article("apart", dt.date(2024, 6, 2), "Talks",
            " ".join(["japan", *FILLER[:14], "trade", *FILLER[14:28], "deficit", *FILLER[28:]])),
    # Articles without the query's words, so that they are not common words (which earn no bonus).
    *(Article(f"other-{i}", dt.date(2024, 6, 3), "Talks", f"Nothing of note {i}.") for i in range(8)),
]


def test_a_prose_query_ranks_its_words_standing_near_each_other_first(engine, tmp_path):
    reader = engine.open_reader(new_index(engine, tmp_path, PROXIMITY_ARTICLES))
    try:
        prose = run(reader, ask("japan trade deficit talks")).hits  # four words: a prose query
        short = run(reader, ask("japan trade deficit")).hits  # three: no proximity bonus, a tie
    finally:
        reader.close()
    assert [hit.id for hit in prose[:2]] == ["near", "apart"] and prose[0].score > prose[1].score
    assert [hit.id for hit in short] in (["near", "apart"], ["apart", "near"])
    assert short[0].score == pytest.approx(short[1].score)


WEIGHT_ARTICLES = [
    Article("rare", dt.date(2024, 1, 1), "Report", "Cocoa stocks in the port grew."),
    Article("common", dt.date(2024, 1, 2), "Report",
            "Market shares rose sharply; market shares rose sharply."),
    *(Article(f"town-{i}", dt.date(2024, 1, 3), f"Note {i}", f"Market shares rose sharply in town {i}.")
      for i in range(6)),
    *(Article(f"other-{i}", dt.date(2024, 1, 4), f"Other {i}", f"Nothing here {i}.") for i in range(3)),
]


def test_a_prose_query_weighs_a_word_most_articles_hold_less(real_engine, tmp_path):
    """Lucene's idf still gives a word in 7 of 10 articles a fifth of a rare word's weight, so four such
    words twice outscored the one rare word; in a prose query they weigh much less (rules.py)."""
    reader = real_engine.open_reader(new_index(real_engine, tmp_path, WEIGHT_ARTICLES))
    try:
        hits = run(reader, ask("cocoa market shares rose sharply today")).hits
    finally:
        reader.close()
    assert [hit.id for hit in hits[:2]] == ["rare", "common"]


COVERAGE_ARTICLES = [
    # Three of the query's words, in the short headline and again in the body.
    Article("few-words", dt.date(2024, 7, 1), "Trade deficit widens",
            "The trade deficit widened again this quarter, the ministry said on Friday."),
    # Six of its seven words, each once, in a longer body.
    Article("most-words", dt.date(2024, 7, 2), "Talks in Tokyo",
            "Japan said its trade deficit with its neighbours grew in March, as the yen rose amid talks "
            "with officials of both sides."),
    *(Article(f"other-{i}", dt.date(2024, 7, 3), "Notes", f"Nothing of note {i}.") for i in range(8)),
]


def test_a_long_query_ranks_the_article_covering_most_of_its_words_first(engine, tmp_path):
    """A sentence pasted as a query: the article about most of what it says comes before one that
    repeats two or three of its words in a short headline and body (rules.COVERAGE_BOOST, FIELD_TIE)."""
    reader = engine.open_reader(new_index(engine, tmp_path, COVERAGE_ARTICLES))
    try:
        hits = run(reader, ask("Japan trade deficit widened in March amid yen")).hits
        short = run(reader, ask("trade deficit widened")).hits  # three words, ANDed: only one matches
    finally:
        reader.close()
    assert [hit.id for hit in hits] == ["most-words", "few-words"]
    assert [hit.id for hit in short] == ["few-words"]
