"""Reading the TIME test collection (423 TIME magazine world-news articles of 1963, 83 judged queries)
for benchmarks/relevance.py, as the same :class:`~benchmarks.relevance.Collection` CISI becomes.

Its quirks (``../shared/corpora/time/README.md``): ``TIME.REL.ALL`` numbers documents by their position
in ``TIME.ALL`` (1-based), not by their ``*TEXT`` number, and counts 425 documents where the file holds
423: two were lost after position 370, so a judged position up to 370 is the document at that position
and one from 378 on is the document two places earlier (positions 371 to 377 are never judged).
``TIME.REL`` is a faulty derivative and is not read. A document's key is its judged position, so the
judgements need no translation; the text is upper case with punctuation detached (``U.S .``), and the
section name and headline run into the first sentence: the first line becomes the headline.
"""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks.relevance import Collection, Document, SetupError, doc_key

TIME_FILES = ("TIME.ALL", "TIME.QUE", "TIME.REL.ALL")
#: Judged positions after this one are two places later than the document's position in TIME.ALL.
GAP_AFTER = 370
GAP = 2
_UNJUDGED = range(GAP_AFTER + 1, GAP_AFTER + 2 * GAP + 4)  # 371..377: no judgement names them
_RECORD = re.compile(r"^\*(TEXT|FIND)\s+(\d+)", re.MULTILINE)


def judged_position(position: int) -> int:
    """The number the judgements give the document at 1-based ``position`` in TIME.ALL."""
    return position if position <= GAP_AFTER else position + GAP


def _records(text: str, kind: str) -> list[tuple[int, str]]:
    """(number, text) of each ``*TEXT`` or ``*FIND`` record, the text's lines joined, blank lines dropped."""
    found = []
    marks = [m for m in _RECORD.finditer(text) if m.group(1) == kind]
    for at, mark in enumerate(marks):
        end = marks[at + 1].start() if at + 1 < len(marks) else len(text)
        body = text[mark.end():end].partition("\n")[2]  # the header's rest (date, page) is left out
        lines = [line.strip() for line in body.splitlines() if line.strip() and line.strip() != "*STOP"]
        found.append((int(mark.group(2)), "\n".join(lines)))
    return found


def parse_documents(text: str) -> list[Document]:
    """TIME.ALL's articles in file order, each keyed by its judged position: the first line is the
    title, the rest the abstract."""
    documents = []
    for position, (_, body) in enumerate(_records(text, "TEXT"), start=1):
        first, _, rest = body.partition("\n")
        documents.append(Document(id=judged_position(position), title=first, abstract=rest))
    return documents


def parse_queries(text: str) -> dict[int, str]:
    """TIME.QUE's queries: id -> the text as one line."""
    return {number: " ".join(body.split()) for number, body in _records(text, "FIND")}


def parse_judgements(text: str) -> dict[int, frozenset[str]]:
    """TIME.REL.ALL (``qid pos pos ...`` lines): query id -> the keys of its relevant documents."""
    relevant: dict[int, frozenset[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if not all(part.isdigit() for part in parts) or len(parts) < 2:
            raise SetupError(f"TIME.REL.ALL line {number} is not 'query-id position ...': {line.strip()!r}")
        positions = [int(part) for part in parts[1:]]
        if any(position in _UNJUDGED for position in positions):
            raise SetupError(f"TIME.REL.ALL line {number} judges a position in {_UNJUDGED.start}.."
                             f"{_UNJUDGED.stop - 1}, where the README says the lost documents were")
        relevant[int(parts[0])] = frozenset(doc_key(position) for position in positions)
    return relevant


def load_time(folder: Path) -> Collection:
    """Read TIME.ALL, TIME.QUE and TIME.REL.ALL from ``folder``; raises :class:`SetupError`."""
    if not folder.is_dir():
        raise SetupError(f"TIME folder not found: {folder} (it should hold {', '.join(TIME_FILES)}; "
                         "pass --time DIR)")
    missing = [name for name in TIME_FILES if not (folder / name).is_file()]
    if missing:
        raise SetupError(f"{folder} lacks {', '.join(missing)} (a TIME folder holds {', '.join(TIME_FILES)})")

    def read(name: str) -> str:
        return (folder / name).read_text(encoding="utf-8", errors="replace")

    documents = parse_documents(read("TIME.ALL"))
    if not documents:
        raise SetupError(f"{folder / 'TIME.ALL'} holds no documents ('*TEXT' records)")
    return Collection(tuple(documents), parse_queries(read("TIME.QUE")),
                      parse_judgements(read("TIME.REL.ALL")))
