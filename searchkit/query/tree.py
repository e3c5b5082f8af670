"""The engine-neutral query tree.

The parser produces these nodes, programs may build them directly, and each engine module compiles them
into its own query objects. Nodes hold user text as typed (an engine applies its own analysis: case,
accents, stemming), are immutable and compare by value. ``str(node)`` renders the tree back in the query
language, which ``--explain`` shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Optional, Union

#: The text fields a query may name; ``None`` on a node means "headline and body".
TEXT_FIELDS = ("headline", "body")


def _check_field(name: Optional[str]) -> None:
    if name is not None and name not in TEXT_FIELDS:
        raise ValueError(f"unknown field {name!r}; expected one of {', '.join(TEXT_FIELDS)} or None")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _scoped(field_name: Optional[str], rendered: str) -> str:
    return f"{field_name}:{rendered}" if field_name else rendered


@dataclass(frozen=True)
class Term:
    """One word, matched after analysis; ``field=None`` searches headline and body."""

    text: str
    field: Optional[str] = None

    def __post_init__(self) -> None:
        _check_field(self.field)
        if not self.text:
            raise ValueError("Term needs non-empty text")

    def __str__(self) -> str:
        # A trailing "?" is written bare: the parser reads "who?" as this word, not as a wildcard.
        stem = self.text.rstrip("?")
        plain = bool(stem) and all(c.isalnum() or c in "'.-_" for c in stem) and not stem.startswith("-")
        return _scoped(self.field, self.text if plain else _quote(self.text))


@dataclass(frozen=True)
class Phrase:
    """Words in order; with ``slop`` > 0, within that many positions of each other."""

    text: str
    field: Optional[str] = None
    slop: int = 0

    def __post_init__(self) -> None:
        _check_field(self.field)
        if self.slop < 0:
            raise ValueError("Phrase slop must be >= 0")

    def __str__(self) -> str:
        suffix = f"~{self.slop}" if self.slop else ""
        return _scoped(self.field, _quote(self.text) + suffix)


@dataclass(frozen=True)
class Prefix:
    """Every word starting with ``text`` (``hurt*``); engines cap how many words it expands to."""

    text: str
    field: Optional[str] = None

    def __post_init__(self) -> None:
        _check_field(self.field)
        if not self.text:
            raise ValueError("Prefix needs non-empty text")

    def __str__(self) -> str:
        return _scoped(self.field, f"{self.text}*")


@dataclass(frozen=True)
class Wildcard:
    """Every word matching ``text``, where ``?`` is exactly one character and ``*`` any run, even empty.

    The text is kept as typed, like a :class:`Prefix`; an engine expands it into the matching words of its
    index and should cap them as it caps a prefix. It must have a letter or digit before its first ``?``
    or ``*``: a leading wildcard would make the engine scan every word of the index, so the node refuses
    it just as the parser does.
    """

    text: str
    field: Optional[str] = None

    def __post_init__(self) -> None:
        _check_field(self.field)
        if not self.text:
            raise ValueError("Wildcard needs non-empty text")
        first = min((i for i in (self.text.find("?"), self.text.find("*")) if i >= 0), default=-1)
        if first < 0:
            raise ValueError(f"Wildcard text needs a ? or *: {self.text!r}")
        if not any(c.isalnum() for c in self.text[:first]):
            raise ValueError(f"Wildcard text needs a letter or digit before its first ? or *: {self.text!r}")

    def __str__(self) -> str:
        return _scoped(self.field, self.text)


@dataclass(frozen=True)
class Fuzzy:
    """Every word within ``distance`` edits of ``text`` (``petrolium~``, ``petrolium~1``), as Lucene writes
    it; ``distance=None`` is automatic: 0 for words of one or two letters, 1 up to five, 2 beyond.

    Edits are insertions, deletions, substitutions and swaps of two neighbours; the first letter must
    agree, so engines list the candidates as they list a prefix's words, and cap them the same way.
    """

    text: str
    field: Optional[str] = None
    distance: Optional[int] = None

    def __post_init__(self) -> None:
        _check_field(self.field)
        if not self.text:
            raise ValueError("Fuzzy needs non-empty text")
        if self.distance is not None and self.distance not in (0, 1, 2):
            raise ValueError(f"Fuzzy distance must be 0, 1 or 2, not {self.distance!r}")

    def edits_for(self, word: str) -> int:
        """The edits allowed for ``word`` (the analysed text): as asked, else automatic by its length."""
        if self.distance is not None:
            return self.distance
        return 0 if len(word) <= 2 else 1 if len(word) <= 5 else 2

    def __str__(self) -> str:
        term = str(Term(self.text))
        return _scoped(self.field, f"{term}~{'' if self.distance is None else self.distance}")


@dataclass(frozen=True)
class DateRange:
    """Articles dated from ``start`` to ``end``, both inclusive; ``None`` leaves that end open."""

    start: Optional[dt.date] = None
    end: Optional[dt.date] = None

    def __post_init__(self) -> None:
        for value in (self.start, self.end):
            if value is not None and (not isinstance(value, dt.date) or isinstance(value, dt.datetime)):
                raise TypeError("DateRange bounds must be datetime.date or None")

    @property
    def is_empty(self) -> bool:
        """True when no date can match (start after end)."""
        return self.start is not None and self.end is not None and self.start > self.end

    def __str__(self) -> str:
        start = self.start.isoformat() if self.start else "*"
        end = self.end.isoformat() if self.end else "*"
        return f"date:[{start} TO {end}]"


@dataclass(frozen=True)
class Language:
    """Articles in one of ``codes`` (ISO 639-1: ``lang:de``, ``lang:(de OR fr)``); scores nothing. Words
    of a query whose only language filters are these are analysed in these languages alone."""

    codes: tuple[str, ...]

    def __init__(self, *codes: str) -> None:
        if not codes or not all(isinstance(code, str) and code for code in codes):
            raise ValueError("Language needs at least one language code")
        object.__setattr__(self, "codes", tuple(dict.fromkeys(code.lower() for code in codes)))

    def __str__(self) -> str:
        return f"lang:{self.codes[0]}" if len(self.codes) == 1 else \
            "(" + " OR ".join(f"lang:{code}" for code in self.codes) + ")"


@dataclass(frozen=True)
class MatchAll:
    """Every article (a bare ``*``)."""

    def __str__(self) -> str:
        return "*"


@dataclass(frozen=True)
class And:
    """Articles matching every child."""

    children: tuple["Node", ...]

    def __init__(self, *children: "Node") -> None:
        object.__setattr__(self, "children", _flatten(children, And))

    def __str__(self) -> str:
        return "(" + " AND ".join(str(c) for c in self.children) + ")"


@dataclass(frozen=True)
class Or:
    """Articles matching at least ``minimum`` children (1 by default: any of them)."""

    children: tuple["Node", ...]
    minimum: int = field(default=1)

    def __init__(self, *children: "Node", minimum: int = 1) -> None:
        flat = _flatten(children, Or) if minimum == 1 else tuple(children)
        object.__setattr__(self, "children", flat)
        object.__setattr__(self, "minimum", max(1, min(minimum, max(1, len(flat)))))

    def __str__(self) -> str:
        inner = " OR ".join(str(c) for c in self.children)
        if self.minimum > 1:
            return f"({inner})@{self.minimum}"
        return f"({inner})"


@dataclass(frozen=True)
class Not:
    """Articles not matching ``child``; inside an :class:`And` it excludes, alone it means all-but."""

    child: "Node"

    def __str__(self) -> str:
        return f"NOT {self.child}"


Node = Union[Term, Phrase, Prefix, Wildcard, Fuzzy, DateRange, Language, MatchAll, And, Or, Not]


_NODE_TYPES = (Term, Phrase, Prefix, Wildcard, Fuzzy, DateRange, Language, MatchAll, And, Or, Not)


def _flatten(children: tuple["Node", ...], kind: type) -> tuple["Node", ...]:
    flat: list[Node] = []
    for child in children:
        if not isinstance(child, _NODE_TYPES):
            raise TypeError(f"not a query node: {child!r}")
        if type(child) is kind and getattr(child, "minimum", 1) == 1:
            flat.extend(child.children)  # type: ignore[union-attr]
        else:
            flat.append(child)
    if not flat:
        raise ValueError(f"{kind.__name__} needs at least one child")
    return tuple(flat)


def walk(node: Node):  # type: ignore[no-untyped-def]
    """Yield ``node`` and every node below it, depth first."""
    yield node
    if isinstance(node, (And, Or)):
        for child in node.children:
            yield from walk(child)
    elif isinstance(node, Not):
        yield from walk(node.child)
