"""Hostile queries: whatever is typed or pasted, the outcome is results or a QuerySyntaxError -- never
another exception, never unbounded time or memory (issue 4, docs/reliability.md).

The parser alone has its own property tests (tests/test_query_parser.py); these run the whole search
path -- parse, compile against a real index (prefix expansion), search, snippets, "did you mean" --
on a small generated index whose vocabulary has more than 512 words starting with "a".
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import searchkit
from searchkit.cli.commands import main
from searchkit.query import MAX_DEPTH, MAX_QUERY_LENGTH
from searchkit.query.parser import MAX_CLAUSES

from helpers_reliability import EVERYONE, _vocab, marker, write_corpus, write_seed

#: A safety cap per search, not a speed target: a search that takes longer is a bug.
SECONDS_PER_SEARCH = 2.0
#: Address space allowed to a process running the worst-case queries (a memory cap, not a target).
MEMORY_CAP_BYTES = 1024 * 1024 * 1024
PREFIX_LIMIT = 512  # searchkit.engines.rules.MAX_PREFIX_TERMS
QUERY_PREFIX_LIMIT = 2048  # searchkit.engines.rules.MAX_QUERY_PREFIX_TERMS

_rng = random.Random(11)
_CONSONANTS, _VOWELS = "bcdfghjklmnpqrstvwxz", "aeiou"


def _words(first: str, count: int) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        words.add(first + "".join(_rng.choice(_CONSONANTS) + _rng.choice(_VOWELS) for _ in range(3)))
    return sorted(words)


#: 700 distinct words starting with "a" (over the prefix limit) and 480 starting with "q" (under it).
A_WORDS = _words("a", 700)
Q_WORDS = _words("q", 480)
VOCAB = _vocab(4)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("queries")
    seeds = root / "seeds"
    write_corpus(seeds, range(300), words=80)
    rng = random.Random(5)
    for number in range(100):
        body = " ".join(rng.sample(A_WORDS, 60) + rng.sample(Q_WORDS, 40))
        write_seed(seeds, f"lexicon/v{number:03d}", "2001-02-03", f"Lexicon page {number}", body)
    for number, word in enumerate(A_WORDS):  # every a-word at least once
        write_seed(seeds, f"lexicon/a{number:03d}", "2001-02-04", "Lexicon entry", word)
    for number, word in enumerate(Q_WORDS):
        write_seed(seeds, f"lexicon/q{number:03d}", "2001-02-05", "Lexicon entry", word)
    index = searchkit.open_index(root / "index", create=True)
    report = index.update(seeds)
    assert not report.skipped
    index.close()
    return root / "index"


@pytest.fixture(scope="module")
def index(index_dir: Path):
    ix = searchkit.open_index(index_dir)
    yield ix
    ix.close()


def search_or_syntax_error(index, query: str, **options):
    """Search; the only error allowed is QuerySyntaxError. Checks the time cap and that the results
    are well formed. Returns the Results or the error."""
    started = time.perf_counter()
    try:
        results = index.search(query, **options)
    except searchkit.QuerySyntaxError as error:
        outcome = error
        assert 0 <= error.offset <= len(query) and error.position == error.offset + 1
        assert error.message and str(error)
        error.caret_lines()
    else:
        outcome = results
        assert isinstance(results, searchkit.Results)
        assert results.total >= len(results.hits)
        ids = [hit.id for hit in results.hits]
        assert len(ids) == len(set(ids))
        for hit in results.hits:
            assert hit.id and isinstance(hit.snippet, str) and isinstance(hit.headline, str)
    elapsed = time.perf_counter() - started
    assert elapsed < SECONDS_PER_SEARCH, f"{query[:80]!r} took {elapsed:.1f} s"
    return outcome


# --------------------------------------------------------------------------------------------------
# Strategies: what people type and paste

OPERATORS = ["AND", "OR", "NOT", "and", "or", "not", "-", "+", "*", "(", ")", '"', ":", "~", "@", "~2",
             "@2", "@0", "@99999999999", "\\", "'", "[", "]", "{", "}", "TO", "date:", "headline:",
             "title:", "body:", "date:[", "date:2017", "date:2017-11", "date:2017-02-30", "date:0000",
             "date:9999-99-99", "date:..", "date:>", "date:<=2017", " ", "  ", "\t", "\n"]
WORDS = [EVERYONE, marker(3), "a", "q", "qa", "ab", "zzz", VOCAB[0], VOCAB[5], "Juárez", "naïve", "日本",
         "R.E.M.", "C++", "10:30", "e-mail", "x" * 300]

tokens = st.one_of(st.sampled_from(OPERATORS), st.sampled_from(WORDS),
                   st.sampled_from(VOCAB[:50]).map(lambda w: w[:3] + "*"),
                   st.sampled_from(A_WORDS + Q_WORDS).map(lambda w: w[:2] + "*"),
                   st.text(max_size=6))
token_soup = st.lists(tokens, max_size=60).map(lambda parts: " ".join(parts))
glued_soup = st.lists(tokens, max_size=60).map("".join)
unicode_text = st.text(max_size=200)
any_chars = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)  # controls, NUL, RTL, emoji...


@st.composite
def nested(draw) -> str:
    depth = draw(st.integers(0, MAX_DEPTH + 20))
    opener = draw(st.sampled_from(["(", "NOT (", "-(", "+(", "headline:(", "((", "( "]))
    inner = draw(st.one_of(st.sampled_from(WORDS), token_soup))
    closers = draw(st.integers(0, depth + 3))  # balanced or not
    return opener * depth + inner + ")" * closers


@st.composite
def long_text(draw) -> str:
    unit = draw(st.one_of(token_soup.filter(bool), st.text(min_size=1, max_size=20)))
    size = draw(st.integers(MAX_QUERY_LENGTH - 50, MAX_QUERY_LENGTH + 200))
    return (unit * (size // len(unit) + 1))[:size]


date_junk = st.one_of(st.text(max_size=30), st.sampled_from(
    ["2017-02-30", "0000-01-01", "9999-99-99", "2017-13", "1e9", "-1", "[2017 TO", "[* TO *]",
     "[2020 TO 2010]", "..", "2017..", "..2017", "yesterday", "Feb 30 2017", "٢٠١٧", "２０１７-０１"]))
date_queries = st.builds(lambda junk, tail: f"date:{junk}{tail}", date_junk, st.sampled_from(["", " x", ")"]))

#: Prefixes are the one costly kind of leaf: each is looked up in the vocabulary of both fields, even
#: when it matches nothing (about 1.5 ms each here, 340 of them 0.5 s). Their total expansion is capped
#: per query (test_many_prefixes_in_one_query_are_capped_in_total); texts with more than this many are
#: left to that test, so that the time cap here never trips on a loaded machine.
MANY_PREFIXES = 16
hostile = st.one_of(unicode_text, any_chars, token_soup, glued_soup, nested(), long_text(),
                    date_queries).filter(lambda query: query.count("*") <= MANY_PREFIXES)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------------------------------
# Properties


@SETTINGS
@given(query=hostile, plain=st.booleans(), sort=st.sampled_from(["relevance", "newest", "oldest"]),
       limit=st.integers(0, 50), offset=st.integers(0, 500))
def test_any_query_gives_results_or_a_syntax_error(index, query: str, plain: bool, sort: str, limit: int,
                                                    offset: int) -> None:
    search_or_syntax_error(index, query, plain=plain, sort=sort, limit=limit, offset=offset)


@SETTINGS
@given(query=hostile)
def test_explain_gives_an_explanation_or_a_syntax_error(index, query: str) -> None:
    try:
        explanation = index.explain(query)
    except searchkit.QuerySyntaxError:
        return
    assert isinstance(explanation, searchkit.Explanation) and explanation.tree


@SETTINGS
@given(since=st.one_of(st.none(), date_junk), until=st.one_of(st.none(), date_junk))
def test_any_date_bounds_give_results_or_an_invalid_date_error(index, since, until) -> None:
    started = time.perf_counter()
    try:
        results = index.search(EVERYONE, since=since, until=until, limit=5)
    except searchkit.InvalidDateError as error:
        assert error.option in ("since", "until") and str(error).startswith(f"{error.option}: invalid date")
        assert error.value == {"since": since, "until": until}[error.option]
    else:
        assert results.total >= len(results.hits)
    assert time.perf_counter() - started < SECONDS_PER_SEARCH


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=hostile, plain=st.booleans())
def test_the_query_command_exits_0_1_or_2_with_one_error_line(index_dir: Path, query: str,
                                                               plain: bool) -> None:
    """Through the CLI (in-process): exit 0 (found), 1 (nothing) or 2 (an error message with a caret and a
    hint for a syntax error), never an exception."""
    args = ["query", "--index", str(index_dir), "--limit", "3", *(["--plain"] if plain else []), "--", query]
    result = CliRunner().invoke(main, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 1, 2), result.output
    if result.exit_code == 2:
        assert result.stderr.startswith("error: "), result.stderr


# --------------------------------------------------------------------------------------------------
# The limits, each named in its error


def test_prefix_over_the_expansion_limit_is_a_syntax_error_naming_the_limit(index) -> None:
    with pytest.raises(searchkit.QuerySyntaxError) as caught:
        index.search("a*")
    assert f"matches more than {PREFIX_LIMIT} words" in str(caught.value)
    assert caught.value.offset == 0
    with pytest.raises(searchkit.QuerySyntaxError, match=f"more than {PREFIX_LIMIT} words"):
        index.search(f"{EVERYONE} OR (lexicon a*)")


def test_prefix_under_the_limit_answers(index) -> None:
    assert search_or_syntax_error(index, "q*").total == 100 + len(Q_WORDS)
    assert search_or_syntax_error(index, "ab*").total > 0


def test_prefix_limit_through_the_cli(index_dir: Path) -> None:
    result = CliRunner().invoke(main, ["query", "--index", str(index_dir), "a*"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: prefix 'a*' matches more than {PREFIX_LIMIT} words; make it longer at position 1",
        "  a*",
        "  ^",
        "hint: use --plain to search for the words as typed",
    ]


@pytest.mark.parametrize(("query", "message"), [
    ("x" * MAX_QUERY_LENGTH + "y", f"query longer than {MAX_QUERY_LENGTH} characters"),
    ("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1), f"nesting deeper than {MAX_DEPTH} levels"),
    ("NOT " * (MAX_DEPTH + 1) + "x", f"nesting deeper than {MAX_DEPTH} levels"),
    (" OR ".join(f"w{i}" for i in range(MAX_CLAUSES + 1)), f"more than {MAX_CLAUSES} terms"),
])
def test_query_over_a_limit_is_a_syntax_error_naming_it(index, query: str, message: str) -> None:
    outcome = search_or_syntax_error(index, query)
    assert isinstance(outcome, searchkit.QuerySyntaxError)
    assert message in str(outcome)


@pytest.mark.parametrize("query", [
    "x" * MAX_QUERY_LENGTH,
    "(" * MAX_DEPTH + EVERYONE + ")" * MAX_DEPTH,
    " OR ".join(VOCAB[:MAX_CLAUSES])[:MAX_QUERY_LENGTH].rsplit(" OR ", 1)[0],
])
def test_query_at_a_limit_answers(index, query: str) -> None:
    assert isinstance(search_or_syntax_error(index, query), searchkit.Results)


def test_plain_query_has_only_the_length_limit(index) -> None:
    query = " ".join(VOCAB[i % 200] for i in range(800))[:MAX_QUERY_LENGTH]
    assert isinstance(search_or_syntax_error(index, query, plain=True), searchkit.Results)
    with pytest.raises(searchkit.QuerySyntaxError, match=f"longer than {MAX_QUERY_LENGTH}"):
        index.search("x" * (MAX_QUERY_LENGTH + 1), plain=True)


# --------------------------------------------------------------------------------------------------
# Worst cases, in a process with a memory cap


_WORST_RUNNER = r"""
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))
import searchkit
index = searchkit.open_index(sys.argv[1])
out = []
for line in sys.stdin:
    case = json.loads(line)
    started = time.perf_counter()
    try:
        results = index.search(case["query"], plain=case.get("plain", False), limit=10)
        outcome = f"results {results.total}"
    except searchkit.QuerySyntaxError as error:
        outcome = f"syntax error: {error}"
    out.append({"label": case["label"], "outcome": outcome, "seconds": time.perf_counter() - started})
print(json.dumps({"cases": out, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def run_worst_cases(index_dir: Path, cases: list[dict], timeout: float) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _WORST_RUNNER, str(index_dir), str(MEMORY_CAP_BYTES)],
        input="".join(json.dumps(case) + "\n" for case in cases), capture_output=True, text=True,
        timeout=timeout)
    assert done.returncode == 0, done.stderr  # a MemoryError would end here, with its traceback
    return json.loads(done.stdout)


def _worst_cases() -> list[dict]:
    deep = "(" * MAX_DEPTH + " ".join(f"{w[:3]}*" for w in VOCAB[:20]) + ")" * MAX_DEPTH
    nots = "NOT (" * (MAX_DEPTH // 2) + EVERYONE + ")" * (MAX_DEPTH // 2)
    ors = " OR ".join(VOCAB[:MAX_CLAUSES])[:MAX_QUERY_LENGTH].rsplit(" OR ", 1)[0]
    phrases = " OR ".join(f'"{VOCAB[i]} {VOCAB[i + 1]}"~5' for i in range(0, 600, 2))
    phrases = phrases[:MAX_QUERY_LENGTH].rsplit(" OR ", 1)[0]
    minimum = "(" + " ".join(VOCAB[:400])[:MAX_QUERY_LENGTH - 10].rsplit(" ", 1)[0] + ")@200"
    return [
        {"label": "bare star", "query": "*"},
        {"label": "star and NOT", "query": f"* -{EVERYONE}"},
        {"label": "prefix just under the limit", "query": "q*"},
        {"label": "prefix over the limit", "query": "a*"},
        {"label": "32 levels of nesting around 20 prefixes", "query": deep},
        {"label": "16 nested NOTs", "query": nots},
        {"label": "about 500 ORed words", "query": ors},
        {"label": "about 300 sloppy phrases", "query": phrases},
        {"label": "1000 characters of pasted one-letter words, plain",
         "query": " ".join("abcdefghijklmnopqrstuvwxyz"[i % 26] for i in range(500)), "plain": True},
        {"label": "at least 200 of 400 words", "query": minimum},
        {"label": "4096 characters of one word", "query": EVERYONE * (MAX_QUERY_LENGTH // len(EVERYONE))},
        {"label": "800 real words, plain", "query": " ".join(VOCAB[:800])[:MAX_QUERY_LENGTH], "plain": True},
    ]


def test_worst_case_queries_stay_within_time_and_memory(index_dir: Path) -> None:
    cases = _worst_cases()
    report = run_worst_cases(index_dir, cases, timeout=60)
    slow = [(c["label"], round(c["seconds"], 2)) for c in report["cases"]
            if c["seconds"] >= SECONDS_PER_SEARCH]
    assert not slow, slow
    outcomes = {c["label"]: c["outcome"] for c in report["cases"]}
    assert outcomes["prefix over the limit"].startswith("syntax error: prefix 'a*' matches more than 512")
    assert outcomes["prefix just under the limit"] == f"results {100 + len(Q_WORDS)}"
    assert outcomes["bare star"] == f"results {300 + 100 + len(A_WORDS) + len(Q_WORDS)}"
    lines = [f"{c['label']}: {c['outcome'][:60]} in {c['seconds']:.2f} s" for c in report["cases"]]
    print("\nworst cases:", *lines, f"peak RSS {report['maxrss_kb'] // 1024} MB", sep="\n  ")


def _cli_within_cap(index_dir: Path, *query: str) -> subprocess.CompletedProcess:
    """``searchkit query`` with the time cap (plus interpreter start-up); a run over it is killed."""
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "searchkit", "query", "--index", str(index_dir), *query],
                              capture_output=True, text=True, timeout=SECONDS_PER_SEARCH + 3)
    except subprocess.TimeoutExpired:
        pytest.fail(f"searchkit query took over {SECONDS_PER_SEARCH + 3:.0f} s (killed)")
    assert time.perf_counter() - started < SECONDS_PER_SEARCH + 3
    return done


def test_many_prefixes_in_one_query_are_capped_in_total(index_dir: Path) -> None:
    query = " OR ".join(["q*"] * 400)  # 400 x 480 words: stopped at the query's limit, not expanded
    done = _cli_within_cap(index_dir, query)
    assert done.returncode == 2, done.stderr
    assert f"the prefixes in this query match more than {QUERY_PREFIX_LIMIT} words in all" in done.stderr


def test_prefixes_up_to_the_query_total_answer_and_one_more_is_refused(index) -> None:
    fits = QUERY_PREFIX_LIMIT // len(Q_WORDS)  # q* expands to 480 body words and no headline word
    assert search_or_syntax_error(index, " OR ".join(["q*"] * fits)).total == 100 + len(Q_WORDS)
    with pytest.raises(searchkit.QuerySyntaxError, match=f"more than {QUERY_PREFIX_LIMIT} words in all"):
        index.search(" OR ".join(["q*"] * (fits + 1)))


# --------------------------------------------------------------------------------------------------
# Other things pasted into the command line


def test_query_argument_that_is_not_utf8(index_dir: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "searchkit", "query", "--index", str(index_dir),
                           b"caf\xe9"], capture_output=True, timeout=30)
    assert done.returncode in (1, 2) and b"Traceback" not in done.stderr, done.stderr


def test_show_with_an_id_that_is_not_utf8(index_dir: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "searchkit", "show", b"caf\xe9", "--index", str(index_dir)],
                          capture_output=True, timeout=30)
    assert b"Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1
