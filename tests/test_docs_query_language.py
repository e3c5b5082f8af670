"""docs/query-language.md cannot rot: every example row and the caret example are checked against the parser.

A row is ``| `QUERY` | `PARSED` | meaning |`` (PARSED is ``str(parse(QUERY))``) or
``| `QUERY` | error at N: message | meaning |`` (N is ``QuerySyntaxError.position``, counted from 1).
Rows under a heading that mentions ``--plain`` are parsed with ``plain=True``; rows under a heading that
names ``now=YYYY-MM-DD`` are parsed with that reference day (relative dates), the others with a day far
from any example's dates, so that no other row depends on today. A ``|`` in a query is written ``\\|``,
as a GitHub table needs even inside backticks.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from searchkit.errors import QuerySyntaxError
from searchkit.query.parser import parse

DOC = Path(__file__).resolve().parents[1] / "docs" / "query-language.md"
NOW_IN_HEADING = re.compile(r"now=([0-9]{4}-[0-9]{2}-[0-9]{2})")
#: The reference day of rows whose heading names none: a relative date there would show as 2041.
DEFAULT_NOW = dt.date(2041, 6, 15)

ROW = re.compile(
    r"^\| `(?P<query>[^`]+)` "
    r"\| (?:`(?P<parsed>[^`]+)`|error at (?P<position>\d+): (?P<message>[^|]+?)) "
    r"\| [^|]+ \|$"
)


def example_rows() -> list[tuple[int, str, bool, dt.date, str | None, int | None, str | None]]:
    """(line number, query, plain, now, parsed, position, message) for every example row, in order."""
    rows = []
    plain = False
    now = DEFAULT_NOW
    in_code = False
    for number, line in enumerate(DOC.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("```"):
            in_code = not in_code
        if in_code:
            continue
        if line.startswith("#"):
            plain = "--plain" in line
            named = NOW_IN_HEADING.search(line)
            now = dt.date.fromisoformat(named.group(1)) if named else DEFAULT_NOW
            continue
        if not line.startswith("| `"):
            continue
        match = ROW.match(line)
        assert match, f"line {number} looks like an example row but does not have the example format: {line}"
        position = None if match["position"] is None else int(match["position"])
        query = match["query"].replace("\\|", "|")
        rows.append((number, query, plain, now, match["parsed"], position, match["message"]))
    return rows


ROWS = example_rows()


def test_the_doc_has_examples_of_words_plain_text_and_errors():
    assert len(ROWS) >= 80
    assert any(plain for _, _, plain, *_ in ROWS)
    assert sum(1 for *_, message in ROWS if message) >= 20
    assert sum(1 for _, _, _, now, *_ in ROWS if now != DEFAULT_NOW) >= 10  # relative dates


@pytest.mark.parametrize(
    ("line", "query", "plain", "now", "parsed", "position", "message"), ROWS, ids=[row[1] for row in ROWS]
)
def test_example_row(line, query, plain, now, parsed, position, message):
    if parsed is not None:
        assert str(parse(query, plain=plain, now=now)) == parsed, f"docs/query-language.md line {line}"
        return
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query, plain=plain, now=now)
    assert (caught.value.position, caught.value.message) == (position, message), f"line {line}"


def test_caret_example():
    """The fenced block under "Errors" shows what ``searchkit query`` prints for its query."""
    blocks = re.findall(r"```text\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    (block,) = [b for b in blocks if b.startswith("error: ")]
    first, query_line, caret_line, hint = block.splitlines()
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query_line.strip())
    assert first == f"error: {caught.value}"
    indented = "\n".join("  " + line for line in caught.value.caret_lines().splitlines())
    assert f"{query_line}\n{caret_line}" == indented
    assert hint == "hint: use --plain to search for the words as typed"


def test_limits_in_the_doc_match_the_code():
    from searchkit.query.parser import MAX_CLAUSES, MAX_DEPTH, MAX_QUERY_LENGTH

    text = DOC.read_text(encoding="utf-8")
    assert f"query longer than {MAX_QUERY_LENGTH} characters" in text
    assert f"nesting deeper than {MAX_DEPTH} levels" in text
    assert f"more than {MAX_CLAUSES} terms" in text


def test_stop_words_in_the_doc_match_the_code():
    from searchkit.query.parser import LONG_QUERY_WORDS, STOP_WORDS

    text = DOC.read_text(encoding="utf-8")
    (listed,) = re.findall(r"^Stop words \(in any case\): ([^.]+)\.$", text.replace(",\n", ", "), flags=re.M)
    assert listed.split(", ") == sorted(STOP_WORDS)
    assert f"more than {LONG_QUERY_WORDS} plain words" in text
