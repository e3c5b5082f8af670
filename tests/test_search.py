"""Search behaviour on small hand-written articles, and completeness checks on the Reuters corpus."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
import threading

import pytest

import searchkit
from searchkit import And, DateRange, Not, Phrase, Term
from searchkit.articles import read_seed, scan_seeds
from searchkit.engines.whoosh.analysis import analyze
from searchkit.errors import InvalidDateError, InvalidOptionError, QuerySyntaxError

from conftest import REUTERS


def ids(results) -> list[str]:
    return [hit.id for hit in results]


def test_words_are_anded_when_every_word_matches_somewhere(index):
    assert set(ids(index.search("kelly clarkson"))) == {"pink", "clarkson"}
    assert ids(index.search("clarkson tour")) == ["clarkson"]


def test_exact_headline_phrase_ranks_first(index):
    # "hurts" has the words as its headline; "pink" only mentions them in the body.
    assert ids(index.search("Everybody Hurts")) == ["hurts", "pink"]


def test_long_pasted_text_still_ranks_instead_of_returning_nothing(index):
    results = index.search("Kelly Clarkson will tour in the spring with an orchestra and a choir")
    assert ids(results)[0] == "clarkson"


def test_phrases_and_proximity(index):
    assert ids(index.search('"first responders"')) == ["pink"]
    assert ids(index.search('"responders first"')) == []
    assert ids(index.search('"pink kelly"')) == []
    assert ids(index.search('"pink kelly"~1')) == ["pink"]  # one word between
    assert ids(index.search('"pink clarkson"~3')) == ["pink"]


def test_fields(index):
    assert ids(index.search("headline:pink")) == ["pink"]
    assert ids(index.search("title:cocoa")) == ["cocoa"]
    assert ids(index.search("body:responders")) == ["pink"]
    assert ids(index.search("headline:responders")) == []
    assert set(ids(index.search("headline:(cocoa OR tour)"))) == {"cocoa", "clarkson"}


def test_boolean_operators(index):
    assert set(ids(index.search("cocoa OR juarez"))) == {"cocoa", "juarez"}
    assert ids(index.search("clarkson NOT tour")) == ["pink"]
    assert ids(index.search("clarkson -tour")) == ["pink"]
    assert set(ids(index.search("-clarkson"))) == {"hurts", "juarez", "cocoa"}
    assert ids(index.search("+clarkson +tour")) == ["clarkson"]


def test_case_accents_and_stemming(index):
    assert ids(index.search("juarez")) == ["juarez"]
    assert ids(index.search("JUÁREZ")) == ["juarez"]
    assert set(ids(index.search("hurt"))) == {"hurts", "pink", "juarez"}  # hurts, hurting


def test_prefix(index):
    assert set(ids(index.search("clark*"))) == {"pink", "clarkson"}


def test_punctuation_in_words_is_not_an_error(index):
    assert ids(index.search("R.E.M.")) == ["pink"]
    with pytest.raises(QuerySyntaxError, match="empty query"):
        index.search("... -- & ;")  # nothing searchable: said, not silently ignored
    assert ids(index.search('"Everybody Hurts" by R.E.M.')) == ["pink"]


def test_date_queries(index):
    assert ids(index.search("date:2017-11-18")) == ["pink"]
    assert set(ids(index.search("date:2017"))) == {"pink", "hurts"}
    assert ids(index.search("date:2017-06")) == ["hurts"]
    assert set(ids(index.search("date:[2016-01-01 TO 2017-06-30]"))) == {"juarez", "hurts"}
    assert set(ids(index.search("date:>=2017-06-01"))) == {"hurts", "pink", "clarkson"}
    assert ids(index.search("date:<2016")) == ["cocoa"]
    assert set(ids(index.search("date:[2017 TO *]"))) == {"hurts", "pink", "clarkson"}
    assert ids(index.search("everybody date:2017-11")) == ["pink"]


def test_since_and_until_accept_friendly_dates(index):
    assert ids(index.search("clarkson", since="18 Nov 2017", until="2017/11/18")) == ["pink"]
    assert ids(index.search("clarkson", since=dt.date(2018, 1, 1))) == ["clarkson"]
    assert set(ids(index.search("clarkson", until="2017"))) == {"pink"}
    with pytest.raises(InvalidDateError, match="ambiguous"):
        index.search("clarkson", since="01/02/2017")


def test_sort_by_date(index):
    assert ids(index.search("the", sort="newest")) == sorted(ids(index.search("the")),
                                                            key=lambda i: index.get(i).date, reverse=True)
    assert ids(index.search("date:[1900 TO 2100]", sort="oldest")) == \
        ["cocoa", "juarez", "hurts", "pink", "clarkson"]


def test_hits_carry_fields_snippet_and_exact_total(index):
    results = index.search("clarkson", limit=1)
    assert results.total == 2 and len(results) == 1
    hit = results[0]
    assert isinstance(hit, searchkit.Hit)
    assert hit.path is not None and hit.path.endswith(f"{hit.id}.txt")
    assert isinstance(hit.date, dt.date) and hit.score > 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        hit.id = "x"  # type: ignore[misc]


def test_snippet_marks_matches_or_falls_back_to_the_body_start(index):
    (hit,) = index.search("responders").hits
    assert "**responders**" in hit.snippet
    (hit,) = index.search("headline:cocoa").hits
    assert hit.snippet.startswith("Showers continued throughout the week")


def test_paging(index):
    everything = ids(index.search("date:[1900 TO 2100]", sort="oldest"))
    page2 = index.search("date:[1900 TO 2100]", sort="oldest", limit=2, offset=2)
    assert ids(page2) == everything[2:4] and page2.total == 5 and page2.offset == 2
    with pytest.raises(InvalidOptionError):
        index.search("x", limit=-1)
    with pytest.raises(InvalidOptionError):
        index.search("x", sort="random")


def test_zero_hits_suggests_a_spelling(index):
    results = index.search("clarksn", autocorrect=False)
    assert (results.total, results.suggestion, results.corrected) == (0, "clarkson", False)
    assert index.search("clarkson").suggestion is None


def test_zero_hits_show_the_suggestions_hits_by_default(index):
    results = index.search("clarksn")
    assert (results.query, results.suggestion, results.corrected) == ("clarksn", "clarkson", True)
    assert [hit.id for hit in results] == [hit.id for hit in index.search("clarkson")]


def test_bad_syntax_raises_with_position(index):
    with pytest.raises(QuerySyntaxError) as caught:
        index.search('pink "unfinished')
    assert (caught.value.position, caught.value.offset) == (6, 5)  # as in its message: 1-based
    assert ids(index.search('pink "unfinished', plain=True)) == []  # words as typed, no error


def test_trees_built_in_code(index):
    tree = And(Term("clarkson"), Not(Phrase("tour", field="headline")), DateRange(dt.date(2017, 1, 1), None))
    assert ids(index.search(tree)) == ["pink"]


def test_explain_shows_tree_and_engine_query(index):
    explanation = index.explain("headline:pink date:2017")
    assert explanation.tree == "(headline:pink AND date:[2017-01-01 TO 2017-12-31])"
    assert "headline:pink" in explanation.engine_query and "date" in explanation.engine_query


def test_search_from_many_threads(index):
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(20):
                assert set(ids(index.search("clarkson"))) == {"pink", "clarkson"}
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


# --------------------------------------------------------------------------------------------------
# Completeness on real news: every expected article is found, nothing outside the query is.


@pytest.fixture(scope="module")
def reuters(tmp_path_factory):
    if not REUTERS.is_dir():
        pytest.skip("needs ../shared/corpora/reuters21578")
    folder = tmp_path_factory.mktemp("reuters")
    index = searchkit.Index(folder / "index")
    index.update(REUTERS)
    found, _ = scan_seeds(REUTERS)
    articles = {}
    for seed in found:
        article, _digest = read_seed(seed)
        articles[article.id] = (article, analyze(article.headline), analyze(article.body))
    return index, articles


def _contains(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(words[i:i + n] == phrase for i in range(len(words) - n + 1))


def _raw_span(text: str, start_word: int, count: int) -> str:
    matches = list(re.finditer(r"\w+(?:\.?\w+)*", text))
    chosen = matches[start_word:start_word + count]
    return text[chosen[0].start(): chosen[-1].end()]


def test_reuters_every_article_with_a_phrase_is_returned(reuters):
    index, articles = reuters
    rng = random.Random(7)
    for article_id in rng.sample(sorted(articles), 8):
        article, _, body_words = articles[article_id]
        if len(body_words) < 10:
            continue
        raw = _raw_span(article.body, rng.randrange(len(body_words) - 3), 2)
        phrase = analyze(raw)
        expected = {
            other.id for other, headline, body in articles.values()
            if phrase[0] in headline or phrase[0] in body
            if _contains(headline, phrase) or _contains(body, phrase)
        }
        assert article_id in expected
        got = set(ids(index.search(f'"{raw}"', limit=100_000, collapse=False)))
        assert got == expected, raw


def test_reuters_headline_field_only_matches_headlines(reuters):
    index, articles = reuters
    results = index.search("headline:cocoa", limit=100_000, collapse=False)
    expected = {a.id for a, headline, _ in articles.values() if "cocoa" in headline}
    assert set(ids(results)) == expected and results.total == len(expected)


def test_reuters_date_range_is_exact(reuters):
    index, articles = reuters
    start, end = dt.date(1987, 3, 5), dt.date(1987, 3, 9)
    results = index.search("oil date:[1987-03-05 TO 1987-03-09]", limit=100_000, collapse=False)
    expected = {
        a.id for a, headline, body in articles.values()
        if start <= a.date <= end and ("oil" in headline or "oil" in body)
    }
    assert set(ids(results)) == expected
    assert all(start <= hit.date <= end for hit in results)


def test_reuters_a_sentence_query_ranks_articles_on_its_subject_near_the_top(reuters):
    """The query of issue 25: before the coverage reward and the headline-body dis_max, the first five
    hits were the Turkish, Thai, Norwegian and German trade figures, none of which mentions the U.S. or
    Japan; now most of them are about both."""
    index, articles = reuters
    hits = index.search("U.S. trade deficit with Japan widened in March amid yen", limit=5).hits
    about = [hit.headline for hit in hits
             if all(word in articles[hit.id][1] + articles[hit.id][2] for word in ("us", "japan"))]
    assert len(about) >= 3, [hit.headline for hit in hits]


def test_snippets_can_be_skipped(index):
    (hit,) = index.search("responders", snippets=False).hits
    assert hit.snippet == "" and hit.id == "pink"


def test_long_zero_hit_query_gets_no_suggestion(index):
    """Spelling help is for short queries: a pasted paragraph with no match is not rewritten."""
    words = ["clarksn"] + [f"zzq{n}" for n in range(8)]
    assert index.search(" ".join(words[:8]), plain=True, autocorrect=False).suggestion is not None
    results = index.search(" ".join(words), plain=True)
    assert results.total == 0 and results.suggestion is None


# --------------------------------------------------------------------------------------------------
# Totals and exclusions stay exact when the engine could cut corners


def _article(article_id: str, headline: str, body: str, day: int = 1) -> searchkit.Article:
    return searchkit.Article(id=article_id, date=dt.date(2020, 1, day), headline=headline, body=body)


@pytest.fixture(scope="module")
def skewed(tmp_path_factory):
    """A few articles with 'alpha' in the headline (high scores) and many with 'bravo' once in a long
    body (low scores): once the top hit is known, no bravo-only article can beat it."""
    ix = searchkit.open_index(tmp_path_factory.mktemp("skewed") / "index", create=True)
    filler = " ".join(f"filler{n}" for n in range(60))
    # Scores rise over the first articles, so an engine keeping only the best hit keeps raising its bar.
    articles = [_article("a0", "News", f"alpha {filler}"), _article("a1", "Alpha news", "alpha report"),
                _article("a2", "Alpha alpha news", "alpha alpha report")]
    articles += [_article(f"b{n:03d}", "Other news", f"{filler} bravo {filler}") for n in range(150)]
    articles += [_article(f"c{n}", "Charlie", f"alpha {filler} bravo {filler}") for n in range(5)]
    ix.add_many(articles)
    yield ix
    ix.close()


@pytest.mark.parametrize(("query", "expected"), [
    ("alpha OR bravo", 158),
    ("alpha bravo", 5),
    ("bravo -alpha", 150),
    ("(alpha bravo charlie)@2", 5),
    ("bravo date:[2020-01-01 TO 2020-01-31]", 155),
])
def test_total_is_exact_however_few_hits_are_asked_for(skewed, query, expected):
    for limit in (1, 3, 10, 1000):
        assert skewed.search(query, limit=limit).total == expected, limit
    assert len(skewed.search(query, limit=1000, collapse=False).hits) == expected


def test_excluded_word_never_appears_in_a_hit(tmp_path):
    """The first article holding the positive word also holds the excluded one, and an article with
    only the excluded word comes before it (Whoosh's own AndNot let such a first match through)."""
    ix = searchkit.open_index(tmp_path / "index", create=True)
    ix.add_many([
        _article("d0", "Only the other word", "an aside"),
        _article("d1", "Bookings", "bookings for an event"),
        _article("d2", "Bookings", "bookings alone"),
    ])
    assert ids(ix.search("bookings -an")) == ["d2"]
    assert ids(ix.search("-an")) == ["d2"]
    ix.close()


def test_minimum_of_a_group_is_enforced(tmp_path):
    ix = searchkit.open_index(tmp_path / "index", create=True)
    rng = random.Random(7)
    words = ["alpha", "bravo", "charlie", "delta"]
    held = {}
    articles = []
    for n in range(120):
        chosen = [w for w in words if rng.random() < 0.4]
        held[f"n{n}"] = set(chosen)
        articles.append(_article(f"n{n}", "x", " ".join(chosen) + " filler"))
    ix.add_many(articles)
    for minimum in (1, 2, 3, 4):
        results = ix.search(f"(alpha bravo charlie delta)@{minimum}", limit=1000, collapse=False)
        assert set(ids(results)) == {key for key, have in held.items() if len(have) >= minimum}
        scores = [hit.score for hit in results]
        assert scores == sorted(scores, reverse=True)
    ix.close()


def test_hits_are_exactly_the_matching_articles_across_segments_and_deletions(tmp_path):
    """Random articles in several segments, some deleted and some replaced: every query kind returns
    exactly the articles a brute-force reading of the words says it should, with an exact total."""
    rng = random.Random(2026)
    vocab = ["oil", "price", "bank", "rate", "trade", "gold", "wheat", "yen", "tax", "strike"]
    ix = searchkit.open_index(tmp_path / "index", create=True)
    articles: dict[str, searchkit.Article] = {}
    for _ in range(4):  # one segment per commit
        made = []
        for _n in range(40):
            article_id = f"n{rng.randrange(120):03d}"  # some ids come again: an update
            made.append(searchkit.Article(
                id=article_id, date=dt.date(2020, 1 + rng.randrange(12), 1 + rng.randrange(28)),
                headline=" ".join(rng.choices(vocab, k=3)), body=" ".join(rng.choices(vocab, k=12))))
        ix.add_many(made)
        articles.update((article.id, article) for article in made)
        for article_id in rng.sample(sorted(articles), 5):
            ix.delete(article_id)
            del articles[article_id]

    def words(article):
        return analyze(article.headline), analyze(article.body)

    def has(article, word):
        return any(analyze(word)[0] in field for field in words(article))

    def has_phrase(article, first, second):
        a, b = analyze(first)[0], analyze(second)[0]
        pairs = (zip(field, field[1:], strict=False) for field in words(article))
        return any((a, b) in set(adjacent) for adjacent in pairs)

    expectations = {
        "oil": lambda art: has(art, "oil"),
        "oil price": lambda art: has(art, "oil") and has(art, "price"),
        "gold OR yen": lambda art: has(art, "gold") or has(art, "yen"),
        "bank -rate": lambda art: has(art, "bank") and not has(art, "rate"),
        "-tax": lambda art: not has(art, "tax"),
        '"trade strike"': lambda art: has_phrase(art, "trade", "strike"),
        "(oil gold wheat)@2": lambda art: sum(has(art, w) for w in ("oil", "gold", "wheat")) >= 2,
        "headline:wheat": lambda art: analyze("wheat")[0] in analyze(art.headline),
        "yen date:[2020-03-01 TO 2020-06-30]":
            lambda art: has(art, "yen") and dt.date(2020, 3, 1) <= art.date <= dt.date(2020, 6, 30),
        "tax*": lambda art: has(art, "tax"),
    }
    for query, matches in expectations.items():
        expected = {article_id for article_id, article in articles.items() if matches(article)}
        for sort in ("relevance", "newest"):
            assert set(ids(ix.search(query, limit=1000, sort=sort))) == expected, (query, sort)
            assert ix.search(query, limit=1, sort=sort).total == len(expected), (query, sort)
        newest = ix.search(query, limit=1000, sort="newest")
        assert [hit.date for hit in newest] == sorted((hit.date for hit in newest), reverse=True)
    ix.close()


def test_an_id_given_twice_in_one_batch_keeps_its_last_article(tmp_path):
    ix = searchkit.open_index(tmp_path / "index", create=True)
    given = ix.add_many([_article("x", "First draft", "oil"), _article("x", "Final", "gold")])
    assert given == 2
    assert ix.search("oil").total == 0
    assert ids(ix.search("gold")) == ["x"]
    assert ix.get("x").headline == "Final"
    assert len(ix) == 1
    ix.close()


@pytest.mark.parametrize("bug", [TypeError, KeyError, IndexError, ValueError])
def test_a_bug_in_searchkit_is_not_reported_as_a_damaged_index(index, monkeypatch, bug):
    """Damaged files become IndexCorruptError ("run --rebuild"); a programming error must not, whatever
    its type: KeyError, IndexError and ValueError are also what damaged files raise."""
    def broken(*args, **kwargs):
        raise bug("a bug in searchkit's own code")

    if index.engine == "whoosh":
        from searchkit.engines.whoosh import evaluate

        monkeypatch.setattr(evaluate, "_add_into", broken)
    else:
        from searchkit.engines.tantivy import reader

        monkeypatch.setattr(reader, "snippet", broken)
    with pytest.raises(bug, match="a bug in searchkit's own code"):
        index.search("clarkson")


def test_a_pasted_run_of_letters_gets_no_spelling_suggestion(index):
    # Edit distances grow with the square of a word's length: a 4,000-letter "word" took seconds to
    # compare with every word of the index, for a suggestion no one could use.
    assert index.search("k" * 4000).suggestion is None
    assert index.search("clarksom", autocorrect=False).suggestion == "clarkson"


def test_nothing_matched_because_the_dates_lie_outside_the_index_says_what_it_holds(index):
    holds = (dt.date(1987, 2, 26), dt.date(2018, 1, 5))
    assert index.search("pink date:2020").index_dates == holds
    assert index.search("pink", since="2019").index_dates == holds
    assert index.search("pink", until="1980-05").index_dates == holds
    assert index.search("zzzunknown date:2017").index_dates is None  # the dates were not the reason
    assert index.search("zzzunknown -date:2030").index_dates is None  # an exclusion restricts nothing
    assert index.search("pink date:2017").index_dates is None  # it matched
