"""The engine contract: what any engine behind searchkit's seam must do, checked through the seam only.

Every engine answers every query as the brute-force reference engine does (same hits, same exact total,
same dates in a date sort): the docs' examples and more on a hand-written corpus, and generated queries
on random articles across commits, replacements, deletions and cancelled batches. Every engine, the
reference included, pages without gaps or repeats, shows each reader one commit, drops a cancelled
batch whole, lets the last change of an id in a batch win, and reads seed files as the protocol says.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from searchkit.articles import Article, Fingerprint, scan_seeds
from searchkit.engines.base import DateSummary, SearchRequest, StoryKeepingEngine
from searchkit.errors import IndexCorruptError, SeedError
from searchkit.index import suggestions
from searchkit.index.request import SORTS  # the recent sort too: the blend over each engine
from searchkit.query import parse

from . import strategies
from .corpus import CORPUS, DATE_FILTERS, EXTRA_QUERIES, TREE_QUERIES, doc_queries
from .harness import (
    CREATED,
    RANKED_SORTS,
    REAL_ENGINES,
    Listing,
    apply,
    ask,
    day,
    describe,
    load_engine,
    new_index,
    outcome,
    put_all,
    random_articles,
    run,
    state,
    stories_told,
)
from .reference import ReferenceEngine

DOC_ROWS = doc_queries()
MAX_BYTES = 10_000
#: The articles asked about with ``find_ids``: every other one of the corpus, and an id nobody has.
CORPUS_FIND_IDS = frozenset([article.id for article in CORPUS][::2] + ["no-such-article"])
#: In the larger index: every third id ever written (some deleted, some replaced, some never put).
LARGE_FIND_IDS = frozenset(f"r{i}" for i in range(0, 1300, 3))


@pytest.fixture(scope="module", params=REAL_ENGINES)
def corpus_readers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Readers of the hand-written corpus: (the engine's, the reference's)."""
    engine, reference = load_engine(request.param), ReferenceEngine()
    root = tmp_path_factory.mktemp("corpus")
    readers = [e.open_reader(new_index(e, root, CORPUS)) for e in (engine, reference)]
    yield readers
    for reader in readers:
        reader.close()


def check_like_the_reference(readers, query, plain=False, where=""):
    engine_reader, reference_reader = readers
    for sort, date_filter in itertools.product(SORTS, DATE_FILTERS):
        wanted = ask(query, plain=plain, sort=sort, date_filter=date_filter, count_days=sort == "relevance",
                     find_ids=CORPUS_FIND_IDS if sort != "oldest" else ())
        assert outcome(engine_reader, wanted) == outcome(reference_reader, wanted), (
            f"{where}query {query!r} (tree {wanted.tree}), sort {sort}, date filter {date_filter}")


# (a) The docs' examples, and more, on the hand-written corpus --------------------------------------------

@pytest.mark.parametrize(("line", "query", "plain"), DOC_ROWS, ids=[row[1] for row in DOC_ROWS])
def test_every_docs_example_finds_what_the_reference_finds(corpus_readers, line, query, plain):
    check_like_the_reference(corpus_readers, query, plain, where=f"docs/query-language.md line {line}: ")


@pytest.mark.parametrize("query", EXTRA_QUERIES + TREE_QUERIES, ids=str)
def test_accents_stems_slop_and_empty_words_find_what_the_reference_finds(corpus_readers, query):
    check_like_the_reference(corpus_readers, query)


#: Misspelt queries: the suggestion depends on the engine's candidates and article counts only.
MISSPELT = ("clarksn", "headline:juarex", "body:hurst", '"everybody hurst"', "kely -pnk", "golld date:1987",
            "Juraez", "ciudad juarez", "(pnk OR kely)", "colour~ gidl", "zzzq", "hurtt-gold")


@pytest.mark.parametrize("query", MISSPELT)
def test_did_you_mean_rewrites_the_query_as_the_reference_does(corpus_readers, query):
    engine_reader, reference_reader = corpus_readers
    assert suggestions.suggest(engine_reader, query) == suggestions.suggest(reference_reader, query)


@pytest.mark.parametrize(("query", "now"), [
    ("date:yesterday", "2017-11-19"),
    ('pink date:"last week"', "2017-11-20"),  # a Monday: 13 to 19 November
    ('date:"this month" OR date:"last month"', "2016-12-31"),
    ('date:>"2 years ago" hurts', "2018-06-01"),
])
def test_relative_dates_find_what_the_reference_finds(corpus_readers, query, now):
    """A relative date is resolved before any engine sees it: every engine answers the reference's days."""
    tree = parse(query, now=dt.date.fromisoformat(now))
    engine_reader, reference_reader = corpus_readers
    wanted = ask(tree)
    assert outcome(reference_reader, wanted)[0] > 0, "the corpus holds articles on those days"
    assert outcome(engine_reader, wanted) == outcome(reference_reader, wanted), (query, str(tree))


# (b) Random articles, several commits -------------------------------------------------------------------

_scenario_roots = itertools.count()


@settings(max_examples=60, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(batches=strategies.batches,
       queries=strategies.st.lists(strategies.queries, min_size=4, max_size=8),
       date_filter=strategies.date_filters)
def test_random_batches_leave_every_engine_as_the_reference(real_engine, tmp_path, batches, queries,
                                                            date_filter):
    root = tmp_path / f"scenario-{next(_scenario_roots)}"
    reference = ReferenceEngine()
    folders = {e: new_index(e, root) for e in (real_engine, reference)}
    history = []
    for changes, end in batches:
        deleted = [apply(engine, folder, changes, end) for engine, folder in folders.items()]
        history.append(f"{end}: {changes}")
        assert deleted[0] == deleted[1], "delete() said otherwise after batches\n  " + "\n  ".join(history)
        readers = [engine.open_reader(folder) for engine, folder in folders.items()]
        try:
            where = "after batches\n  " + "\n  ".join(history) + "\n"
            assert state(readers[0], strategies.IDS) == state(readers[1], strategies.IDS), where
            for query, sort in itertools.product(queries, SORTS):
                for dates in (None, date_filter):
                    wanted = ask(query, sort=sort, date_filter=dates, count_days=sort == "newest")
                    assert outcome(readers[0], wanted) == outcome(readers[1], wanted), (
                        f"{where}query {query}, sort {sort}, date filter {dates}, articles:\n"
                        + describe(readers[1].get(i) for i in strategies.IDS if readers[1].get(i)))
        finally:
            for reader in readers:
                reader.close()


@pytest.fixture(scope="module", params=REAL_ENGINES)
def large_readers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Readers of ~900 random articles written in four commits (several segments, deletions, replacements)."""
    engine, reference = load_engine(request.param), ReferenceEngine()
    rng = random.Random(20240609)
    batches = [(random_articles(rng, 300, range(1200)), [f"r{rng.randrange(1200)}" for _ in range(40)])
               for _ in range(4)]
    root = tmp_path_factory.mktemp("large")
    readers = []
    for e in (engine, reference):
        folder = new_index(e, root)
        for puts, deletes in batches:
            apply(e, folder, [("put", a, None) for a in puts] + [("delete", i) for i in deletes], "commit")
        readers.append(e.open_reader(folder))
    assert readers[0].count() > 700
    yield readers
    for reader in readers:
        reader.close()


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(query=strategies.queries, date_filter=strategies.date_filters)
def test_a_larger_index_in_several_commits_answers_as_the_reference(large_readers, query, date_filter):
    for sort, dates in itertools.product(SORTS, (None, date_filter)):
        wanted = ask(query, sort=sort, date_filter=dates, count_days=sort == "relevance",
                     find_ids=LARGE_FIND_IDS)
        assert outcome(large_readers[0], wanted) == outcome(large_readers[1], wanted), (query, sort, dates)


@pytest.fixture(scope="module", params=REAL_ENGINES)
def storied_readers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Readers of ~450 random articles written in four commits, each followed by new story labels for
    keep_stories (stories grown, split, renumbered; members replaced and deleted): (the engine's, the
    reference's)."""
    engine, reference = load_engine(request.param), ReferenceEngine()
    if not isinstance(engine, StoryKeepingEngine):
        pytest.skip(f"the {engine.name} engine keeps no stories (it collapses by searchkit's labels)")
    rng = random.Random(20261201)
    root = tmp_path_factory.mktemp("storied")
    folders = {e: new_index(e, root) for e in (engine, reference)}
    present: set[str] = set()
    for round_number in range(4):
        puts = random_articles(rng, 150, range(600))
        deletes = [f"r{rng.randrange(600)}" for _ in range(30)]
        present = (present | {a.id for a in puts}) - set(deletes)
        members = sorted(present)
        rng.shuffle(members)
        labels: dict[str, int] = {}
        at = 0
        while at < len(members) * 2 // 5:
            size = rng.randint(2, 4)
            story = 1 + (at + round_number % 2) // 2  # every other round shifts many numbers
            labels.update((article_id, story) for article_id in members[at:at + size])
            at += size
        for e, folder in folders.items():
            since = e.commit_token(folder) if round_number else None
            apply(e, folder, [("put", a, None) for a in puts] + [("delete", i) for i in deletes], "commit")
            # Bound now: an engine may call labels() after this round's loop variable has moved on.
            e.keep_stories(folder, functools.partial(dict, labels), since=since,
                           changed={a.id for a in puts} | set(deletes))
    readers = [e.open_reader(folder) for e, folder in folders.items()]
    yield readers
    for reader in readers:
        reader.close()


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(query=strategies.queries, date_filter=strategies.date_filters)
def test_an_engine_that_keeps_stories_tells_them_as_the_reference(storied_readers, query, date_filter):
    engine_reader, reference_reader = storied_readers
    assert engine_reader.keeps_stories() and reference_reader.keeps_stories()
    for sort, dates in itertools.product(SORTS, (None, date_filter)):
        wanted = ask(query, sort=sort, date_filter=dates, with_stories=True)
        told = [stories_told(reader, wanted) for reader in storied_readers]
        assert told[0] == told[1], (query, sort, dates)


def test_the_last_change_of_an_id_in_a_batch_wins(engine, tmp_path):
    first, second, third = CORPUS[:3]
    folder = new_index(engine, tmp_path, [first, second])
    writer = engine.open_writer(folder)
    writer.put(Article(first.id, day("2001-01-01"), "first draft", "gone"))
    writer.put(Article(first.id, day("2002-02-02"), "final version", "kept"), Fingerprint(3, 4, "d"))
    assert writer.delete(second.id) is True
    writer.put(Article(second.id, day("2003-03-03"), "back again", "after a delete"))
    writer.put(third)
    assert writer.delete(third.id) is True
    assert writer.delete("never-there") is False
    writer.commit()
    reader = engine.open_reader(folder)
    assert reader.get(first.id) == Article(first.id, day("2002-02-02"), "final version", "kept",
                                           language="en")
    assert reader.get(second.id) == Article(second.id, day("2003-03-03"), "back again", "after a delete",
                                            language="en")
    assert reader.get(third.id) is None and reader.count() == 2
    assert reader.fingerprints() == {first.id: Fingerprint(3, 4, "d")}
    assert [a.id for a in reader.articles_without_seed()] == [second.id]
    assert outcome(reader, ask("draft OR gone")) == (0, [])
    assert outcome(reader, ask("final kept")) == (1, [first.id])


# (c) Paging ---------------------------------------------------------------------------------------------

PAGED = ("pink OR kelly OR the OR a", "*", "gold OR silver OR oil OR -the")


@pytest.mark.parametrize("sort", SORTS)
def test_pages_put_together_are_the_one_big_page(engine, tmp_path, sort):
    reader = engine.open_reader(new_index(engine, tmp_path, CORPUS))
    for query in PAGED:
        whole = run(reader, ask(query, sort=sort, snippets=True))
        ids = [hit.id for hit in whole.hits]
        total = whole.total
        assert total == len(ids) == len(set(ids)) and total > 3, query
        if sort in RANKED_SORTS:
            scores = [hit.score for hit in whole.hits]
            assert scores == sorted(scores, reverse=True) and (scores[0] > 0 or query == "*"), query
        else:
            dates = [hit.date for hit in whole.hits]
            assert dates == sorted(dates, reverse=sort == "newest"), query
            assert {hit.score for hit in whole.hits} == {0.0}
        for limit in sorted({0, 1, 2, 3, 7, total - 1, total, total + 1}):
            for offset in range(total + 2):
                page = run(reader, ask(query, sort=sort, limit=limit, offset=offset))
                assert page.total == total
                assert [hit.id for hit in page.hits] == ids[offset:offset + limit], (query, limit, offset)


def test_a_reader_answers_each_request_as_a_fresh_reader_would_whatever_it_answered_before(engine, tmp_path):
    """Readers may keep their last ranking for the next request (engines/reuse.py): what follows another
    query, filter, sort, depth or a request for day counts or found ids must not be answered from it."""
    folder = new_index(engine, tmp_path, CORPUS)
    kept, fresh = engine.open_reader(folder), engine.open_reader(folder)
    base = [SearchRequest(parse(query), query, limit=limit, sort=sort, date_filter=dates, window=window,
                          at=at, count_days=days, find_ids=CORPUS_FIND_IDS if days else frozenset())
            for query in ("pink OR kelly OR the OR a", "pink")
            for sort in ("relevance", "newest")
            for dates in (None, DATE_FILTERS[1])
            for limit, window, at, days in ((3, 0, (), False), (0, 5, (), True), (2, 0, (4, 0), False),
                                             (1, 0, (9,), False))]
    rng = random.Random(24)
    for request in [base[0], *rng.choices(base, k=120)]:
        assert answer(kept, request) == answer(fresh, request), request
        fresh.close()
        fresh = engine.open_reader(folder)


def answer(reader, request: SearchRequest) -> tuple[object, ...]:
    page = reader.search(request)
    return (page.total, [(hit.id, hit.score) for hit in page.hits], page.day_counts, page.found_ids,
            [round(score, 4) for score, _ in page.ranking], [ordinal for _, ordinal in page.ranking])


# (d) One commit per reader ------------------------------------------------------------------------------

def test_a_reader_keeps_its_commit_and_knows_when_a_newer_one_exists(engine, tmp_path):
    kept, dropped, added = CORPUS[0], CORPUS[1], CORPUS[4]
    folder = new_index(engine, tmp_path, [kept, dropped])
    old = engine.open_reader(folder)
    token = engine.commit_token(folder)
    assert old.is_current() and token != ""
    writer = engine.open_writer(folder)
    writer.put(added)
    writer.delete(dropped.id)
    writer.commit()
    assert not old.is_current()
    assert engine.commit_token(folder) not in ("", token)
    new = engine.open_reader(folder)
    assert new.is_current()
    assert (new.count(), new.get(added.id), new.get(dropped.id)) == (2, added, None)
    assert outcome(new, ask("cocoa OR everybody")) == (2, sorted([added.id, kept.id]))
    assert (old.count(), old.get(dropped.id), old.get(added.id)) == (2, dropped, None)
    assert outcome(old, ask("cocoa OR everybody")) == (2, sorted([dropped.id, kept.id]))


def test_a_reader_answers_from_its_commit_after_later_commits_merged_it_away(engine, tmp_path):
    """Each answer of an old reader is its commit's, or IndexCorruptError (the Index facade then retries
    on a fresh reader); never another exception, never an answer about some other state."""
    first = [Article(f"old-{i}", day("2000-01-01") + dt.timedelta(days=i), "gold", f"silver {i}",
                     language="en") for i in range(20)]
    folder = new_index(engine, tmp_path, first)
    old = engine.open_reader(folder)
    for k in range(10):  # enough for Whoosh to merge the first segment away
        put_all(engine, folder, [Article(f"new-{k}-{i}", day("2001-01-01"), "gold rush", "copper")
                                 for i in range(20)])
    newest = first[::-1][:3]
    expected = {
        "count": 20,
        "get": first[3],
        "search": (20, sorted(a.id for a in newest), [a.date for a in newest]),
        "dates": DateSummary(first[0].date, first[-1].date, {2000: 20}),
    }
    asked = {"count": old.count, "get": lambda: old.get("old-3"),
             "search": lambda: outcome(old, ask("gold", sort="newest", limit=3)), "dates": old.date_summary}
    answers = {}
    for name, question in asked.items():
        try:
            answers[name] = question()
        except IndexCorruptError:
            answers[name] = expected[name]  # the facade opens a fresh reader and asks again
    assert answers == expected


def test_size_bytes_counts_on_when_a_concurrent_commit_removes_a_file(engine, tmp_path, monkeypatch):
    """A commit in another process removes files (old segments, temporary files) at any moment; here one
    vanishes right after the engine lists its folder, as one did in a stats() loop beside a writer."""
    folder = new_index(engine, tmp_path, CORPUS)
    reader = engine.open_reader(folder)
    doomed = folder / "_MAIN_7.toc.1234.5678"
    doomed.write_bytes(b"a commit's temporary file")
    listing = os.scandir

    def listing_then_commit(path):
        entries = list(listing(path))
        if doomed.exists():
            doomed.unlink()
        return Listing(entries)

    monkeypatch.setattr(os, "scandir", listing_then_commit)
    assert reader.size_bytes() >= 0


def test_a_generation_holds_no_commit_until_created_and_an_empty_index_reads_as_empty(engine, tmp_path):
    folder = tmp_path / "gen-000001"
    folder.mkdir()
    assert engine.commit_token(folder) == ""
    with pytest.raises(IndexCorruptError):
        engine.open_reader(folder)
    engine.create(folder)
    CREATED.append((engine, folder))  # a remote engine's index is deleted after the test
    reader = engine.open_reader(folder)
    assert (reader.count(), reader.fingerprints(), list(reader.articles_without_seed())) == (0, {}, [])
    assert reader.date_summary() == DateSummary(None, None, {})
    assert outcome(reader, ask("*")) == (0, [])
    tokens = [engine.commit_token(folder)]
    for end in ("commit", "cancel", "commit"):
        apply(engine, folder, [("put", CORPUS[len(tokens)], None)], end)
        tokens.append(engine.commit_token(folder))
    assert tokens[1] != tokens[0] and tokens[2] == tokens[1] and tokens[3] not in tokens[:3]


# (e) Cancel ---------------------------------------------------------------------------------------------

def test_a_cancelled_batch_changes_nothing(engine, tmp_path):
    folder = new_index(engine, tmp_path, CORPUS[:4])
    ids = [article.id for article in CORPUS]
    reader = engine.open_reader(folder)
    before, token = state(reader, ids), engine.commit_token(folder)
    hits = [outcome(reader, ask(q, sort=s)) for q in ("* -cocoa", "everybody") for s in SORTS]
    seeds = tmp_path / "seeds"
    write_seed(seeds, CORPUS[2].id, "date 2000-01-01 Replaced from a seed\nNew body.\n")
    writer = engine.open_writer(folder)
    writer.put(CORPUS[5])
    writer.put(Article(CORPUS[0].id, day("2000-01-01"), "replaced", "everybody"))
    writer.delete(CORPUS[1].id)
    writer.put_seeds(scan_seeds(seeds)[0], known_digests={}, max_bytes=MAX_BYTES)
    writer.cancel()
    assert reader.is_current() and engine.commit_token(folder) == token
    after = engine.open_reader(folder)
    assert state(after, ids) == before
    assert [outcome(after, ask(q, sort=s)) for q in ("* -cocoa", "everybody") for s in SORTS] == hits
    put_all(engine, folder, [CORPUS[5]])  # the cancelled writer let go of the index
    assert engine.open_reader(folder).get(CORPUS[5].id) == CORPUS[5]


# (f) Seed files -----------------------------------------------------------------------------------------

def write_seed(seeds: Path, article_id: str, text: str | bytes) -> Path:
    path = seeds / f"{article_id}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_put_seeds_indexes_new_content_only_touches_the_same_content_and_skips_unreadable_files(engine,
                                                                                              tmp_path):
    seeds = tmp_path / "seeds"
    write_seed(seeds, "one", "date 2017-11-18 Pink opens the awards\nEverybody hurts.\n")
    write_seed(seeds, "two", "date 1987-02-26 Bahia cocoa review\nShowers continued.\n")
    write_seed(seeds, "sub/three", "\ufeffdate 2016-03-10   Juárez\r\nThe mayor spoke.\r\n")
    bad = [write_seed(seeds, "no-date", "Pink opens the awards\n"),
           write_seed(seeds, "binary", b"date 2017-01-01 x\n\x00\x01"),
           write_seed(seeds, "too-big", "date 2017-01-01 Big\n" + "word " * MAX_BYTES)]
    found, problems = scan_seeds(seeds)
    assert problems == []
    folder = new_index(engine, tmp_path / "index")
    progress: list[tuple[int, int]] = []
    writer = engine.open_writer(folder)
    first = writer.put_seeds(found, known_digests={}, max_bytes=MAX_BYTES,
                             progress=lambda *done_total: progress.append(done_total))
    writer.commit()
    assert sorted(first.indexed) == ["one", "sub/three", "two"] and first.touched == {}
    assert all(isinstance(error, SeedError) for error in first.skipped)
    assert sorted(error.path for error in first.skipped) == sorted(bad)
    assert progress[-1] == (len(found), len(found))
    reader = engine.open_reader(folder)
    assert reader.fingerprints() == first.indexed
    assert list(reader.articles_without_seed()) == []
    assert reader.get("sub/three") == Article("sub/three", day("2016-03-10"), "Juárez", "The mayor spoke.",
                                              path=str(seeds / "sub" / "three.txt"),
                                              language="und")  # too short to detect
    assert outcome(reader, ask("juarez OR pink")) == (2, ["one", "sub/three"])

    os.utime(seeds / "one.txt", ns=(10**18, 10**18))  # a new mtime, the same content
    write_seed(seeds, "two", "date 1987-02-26 Bahia cocoa review\nShowers stopped.\n")
    changed = [seed for seed in scan_seeds(seeds)[0] if seed.id in ("one", "two")]
    known = {article_id: fingerprint.digest for article_id, fingerprint in reader.fingerprints().items()}
    writer = engine.open_writer(folder)
    second = writer.put_seeds(changed, known_digests=known, max_bytes=MAX_BYTES, workers=1)
    writer.commit()
    one, two = changed
    assert second.touched == {"one": Fingerprint(one.size, one.mtime_ns, known["one"])}
    assert list(second.indexed) == ["two"] and second.indexed["two"].digest != known["two"]
    assert second.skipped == []
    reader = engine.open_reader(folder)
    assert reader.count() == 3 and reader.get("two").body == "Showers stopped."
    assert reader.fingerprints()["two"] == second.indexed["two"]
    assert outcome(reader, ask("showers stopped")) == (1, ["two"])
    assert outcome(reader, ask("continued")) == (0, [])


def test_an_id_put_seeds_wrote_cannot_be_changed_again_in_the_same_batch(engine, tmp_path):
    """The protocol's one exception to "the last change of an id wins": seed files go straight into the
    engine's segments, so a later put or delete of one of their ids in the same batch is refused loudly
    (RuntimeError) rather than silently lost; the batch can still be committed as it was."""
    seeds = tmp_path / "seeds"
    write_seed(seeds, "old", "date 2017-01-01 Old article\nStill here.\n")
    write_seed(seeds, "new", "date 2017-01-02 New article\nJust written.\n")
    folder = new_index(engine, tmp_path / "index")
    found = scan_seeds(seeds)[0]
    writer = engine.open_writer(folder)
    writer.put_seeds([seed for seed in found if seed.id == "old"], known_digests={}, max_bytes=MAX_BYTES)
    writer.commit()
    writer = engine.open_writer(folder)
    writer.put_seeds(found, known_digests={}, max_bytes=MAX_BYTES)
    with pytest.raises(RuntimeError, match="'old' was written from its seed file in this batch"):
        writer.delete("old")
    with pytest.raises(RuntimeError, match="'new' was written from its seed file in this batch"):
        writer.put(Article("new", day("2017-01-03"), "Other", "Text."))
    writer.commit()
    reader = engine.open_reader(folder)
    assert (reader.count(), reader.get("old").headline, reader.get("new").headline) == (
        2, "Old article", "New article")


ACRONYM_ARTICLES = [
    Article("dotted", day("1987-03-02"), "U.S. trade deficit widens", "The U.S. trade gap with Japan grew."),
    Article("bare", day("1987-03-03"), "US trade talks", "US trade officials met the U.K. and E.U. envoys."),
    Article("lower", day("1987-03-04"), "Talks in Tokyo",
            "Officials from the u.s and the u.s.a. said trade rose."),
    Article("other", day("1987-03-05"), "Japan trade", "Japan sold more cars in Europe."),
]


ALL_THREE = ["bare", "dotted", "lower"]


@pytest.mark.parametrize(("query", "found"), [
    ("US", ALL_THREE), ("U.S.", ALL_THREE), ("u.s", ALL_THREE), ("U.S", ALL_THREE),
    ('"U.S. trade"', ["bare", "dotted"]), ('"us trade"', ["bare", "dotted"]),
    ("headline:u.s.", ["bare", "dotted"]), ("USA", ["lower"]), ("U.S.A.", ["lower"]), ("UK", ["bare"]),
    ("e.u.", ["bare"]), ("U.S* trade", ALL_THREE),
])
def test_a_dotted_acronym_and_its_letters_are_one_word(engine, tmp_path, query, found):
    """U.S., US, u.s and U.S all find one another, in phrases and prefixes too, on every engine."""
    reader = engine.open_reader(new_index(engine, tmp_path, ACRONYM_ARTICLES))
    try:
        assert sorted(hit.id for hit in run(reader, ask(query)).hits) == found
    finally:
        reader.close()
