"""The query language: text in, an engine-neutral tree out, or a :class:`QuerySyntaxError` with a position.

    query    := or_expr
    or_expr  := and_expr (("OR" | "||") and_expr)*
    and_expr := unary ([("AND" | "&&")] unary)*   (words side by side are AND-ed)
    unary    := ("NOT" | "-" | "!" | "+") unary | primary
    primary  := WORD | PREFIX | WILDCARD | FUZZY | "*" | PHRASE | DATE | FIELD primary
              | "(" or_expr ")" ["@" N]

The lexer (:mod:`searchkit.query.lexer`) does the context-sensitive work: when ``-``, ``*``, ``?``, ``:``
and quotes are syntax and when they are punctuation, and reading ``date:`` values. The parser is plain
recursive descent over its tokens, with nesting capped at :data:`MAX_DEPTH` so it never recurses deeply.
``docs/query-language.md`` is the user's guide to the language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from searchkit.errors import QuerySyntaxError
from searchkit.query.lexer import (
    AND,
    DATE,
    FIELD,
    FUZZY,
    LPAREN,
    MAX_CLAUSES,
    MINUS,
    NOT,
    OPERAND_STARTS,
    OR,
    PHRASE,
    PLUS,
    PREFIX,
    RPAREN,
    STAR,
    WILDCARD,
    WORD,
    Token,
    has_letter_or_digit,
    tokenize,
)
from searchkit.query.tree import And, Fuzzy, MatchAll, Node, Not, Or, Phrase, Prefix, Term, Wildcard

# MAX_CLAUSES is the lexer's (it counts the leaves) and listed here with the other limits.
__all__ = ["parse", "MAX_QUERY_LENGTH", "MAX_DEPTH", "MAX_CLAUSES", "LONG_QUERY_WORDS", "STOP_WORDS",
           "SHOULD_MATCH_EVERY", "should_match"]

MAX_QUERY_LENGTH = 4096
MAX_DEPTH = 32
#: A query or group of only plain words longer than this matches any of them, less its stop words.
LONG_QUERY_WORDS = 5
#: A long query's articles must hold one more of its words for every this many of them (should_match).
SHOULD_MATCH_EVERY = 24
#: Words a long query drops (compared lower-cased): Whoosh's English stop list less "us", "may" and "tbd",
#: which mean something in news.
STOP_WORDS = frozenset(
    "a an and are as at be by can for from have if in is it not of on or that the this to we when will"
    " with yet you your".split()
)

# ASCII punctuation (string.punctuation, without importing string at start-up), curly quotes, ellipsis.
_EDGE_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" "\u2018\u2019\u201c\u201d\u2026"
# What plain text strips from a word's edges. A "?" stays, as the punctuation it always was there: the
# engine drops it, and benchmarks/relevance.py takes the plain words as typed for its reference.
_PLAIN_LEFT = "\"()*:+-"
_PLAIN_RIGHT = "\"()*:"


def parse(text: str, *, plain: bool = False, now: Optional[dt.date] = None) -> Node:
    """Parse a query into a tree; raises :class:`QuerySyntaxError` pointing at the problem.

    With ``plain=True`` the text is only words: no operators, fields, phrases or wildcards. Relative dates
    (``date:yesterday``, ``date:"last week"``) become the days they mean on ``now`` (default: today).
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(text, MAX_QUERY_LENGTH, f"query longer than {MAX_QUERY_LENGTH} characters")
    if plain:
        return _parse_plain(text)
    tokens = tokenize(text, now=now or dt.date.today())  # one today for every date of the query
    if not tokens:
        raise QuerySyntaxError(text, 0, "empty query")
    return _Parser(text, tokens).parse()


def _parse_plain(text: str) -> Node:
    words = [w.lstrip(_PLAIN_LEFT).rstrip(_PLAIN_RIGHT) for w in text.split()]
    terms = [Term(w) for w in words if has_letter_or_digit(w)]
    if not terms:
        raise QuerySyntaxError(text, 0, "empty query")
    return _words_node([(term, False) for term in terms])


def _words_node(words: list[tuple[Node, bool]]) -> Node:
    """AND plain words, each with whether it is required (``+word``), in order.

    More than LONG_QUERY_WORDS of them is pasted text rather than a query: the required words must all
    match, and of the others, less their :data:`STOP_WORDS` (all of them are kept when every one is a
    stop word), :func:`should_match` will do: one for a sentence, a few for a paragraph. A steeper
    minimum lost relevant articles on the CISI and TIME evaluations: a percentage of the words lost most
    of them, and even 2 of a 4-to-11-word question lost some on CISI, whose questions have up to 134
    relevant articles sharing a word or two with them (docs/ranking.md, benchmarks/results/relevance.md).
    """
    nodes = [node for node, _ in words]
    optional = [node for node, required in words if not required]
    if len(words) > LONG_QUERY_WORDS and len(optional) > 1:
        optional = [node for node in optional if not _is_stop_word(node)] or optional
        any_of = optional[0] if len(optional) == 1 else Or(*optional, minimum=should_match(len(optional)))
        nodes = [node for node, required in words if required] + [any_of]
    return nodes[0] if len(nodes) == 1 else And(*nodes)


def should_match(words: int) -> int:
    """How many of a long query's ``words`` (its optional words less stop words) an article must hold:
    one, and one more for every :data:`SHOULD_MATCH_EVERY` words (a pasted paragraph of 60 needs 3)."""
    return 1 + words // SHOULD_MATCH_EVERY


def _is_stop_word(node: Node) -> bool:
    """True for a plain word with no field that is in :data:`STOP_WORDS` once lower-cased and stripped of
    edge punctuation (pasted text has "The," and "it."); never a prefix, wildcard or fielded word."""
    return (isinstance(node, Term) and node.field is None
            and node.text.lower().strip(_EDGE_PUNCTUATION) in STOP_WORDS)


# Parser

_PLAIN, _REQUIRED, _OTHER = "plain", "required", "other"  # what an AND-ed item is, for the long-query rule


@dataclass
class _Branch:
    """One OR alternative: its AND-ed items, each with its kind, and whether an explicit AND joined them."""

    items: list[tuple[Node, str]]
    explicit_and: bool


class _Parser:
    """Recursive descent over the lexer's tokens; ``field`` is the field of an enclosing ``field:( )``."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def parse(self) -> Node:
        branches = self._or(None)
        extra = self._peek()
        if extra is not None:  # only a ')' stops an expression early
            raise self._error(extra.pos, "unexpected ')'")
        return _build_or(branches)

    def _error(self, pos: int, message: str) -> QuerySyntaxError:
        return QuerySyntaxError(self.text, pos, message)

    def _peek(self, ahead: int = 0) -> Optional[Token]:
        at = self.i + ahead
        return self.tokens[at] if at < len(self.tokens) else None

    def _starts_operand(self, ahead: int = 0) -> bool:
        token = self._peek(ahead)
        return token is not None and token.kind in OPERAND_STARTS

    def _enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self._error(pos, f"nesting deeper than {MAX_DEPTH} levels")

    def _or(self, field: Optional[str]) -> list[_Branch]:
        branches = [self._and(field)]
        while (token := self._peek()) is not None and token.kind == OR:
            if not self._starts_operand(1):
                raise self._error(token.pos, f"{_spelled(token)} needs a term on both sides")
            self.i += 1
            branches.append(self._and(field))
        return branches

    def _and(self, field: Optional[str]) -> _Branch:
        items: list[tuple[Node, str]] = []
        explicit = False
        while (token := self._peek()) is not None:
            if token.kind == AND:
                if not items or not self._starts_operand(1):
                    raise self._error(token.pos, f"{_spelled(token)} needs a term on both sides")
                self.i += 1
                explicit = True
            elif token.kind in OPERAND_STARTS:
                items.append(self._unary(field))
            else:
                break
        if not items:
            if token is not None and token.kind == OR:
                raise self._error(token.pos, f"{_spelled(token)} needs a term on both sides")
            if token is not None:
                raise self._error(token.pos, "unexpected ')'")
            raise self._error(0, "empty query")
        return _Branch(items, explicit)

    def _unary(self, field: Optional[str]) -> tuple[Node, str]:
        token = self._peek()
        assert token is not None
        if token.kind not in (NOT, MINUS, PLUS):
            return self._primary(field)
        self.i += 1
        if not self._starts_operand():
            raise self._error(token.pos, f"{_spelled(token)} needs a term after it")
        self._enter(token.pos)
        node, kind = self._unary(field)
        self.depth -= 1
        if token.kind == PLUS:
            return node, _REQUIRED if kind == _PLAIN else _OTHER
        return Not(node), _OTHER

    def _primary(self, field: Optional[str]) -> tuple[Node, str]:
        token = self.tokens[self.i]
        self.i += 1
        if token.kind == WORD:
            return Term(token.text, field), _PLAIN
        if token.kind == PREFIX:
            return Prefix(token.text, field), _PLAIN
        if token.kind == WILDCARD:
            return Wildcard(token.text, field), _PLAIN
        if token.kind == FUZZY:
            if token.number == 0:
                return Term(token.text, field), _PLAIN
            return Fuzzy(token.text, field, None if token.number < 0 else token.number), _PLAIN
        if token.kind == STAR:
            return MatchAll(), _OTHER
        if token.kind == PHRASE:
            return Phrase(token.text, field, token.number), _OTHER
        if token.kind == DATE:
            if field is not None:
                raise self._error(token.pos, f"date: can't be inside {field}:( )")
            assert token.date is not None
            return token.date, _OTHER
        if token.kind == FIELD:
            if field is not None and token.text != field:
                raise self._error(token.pos, f"{token.text}: can't be inside {field}:( )")
            node, _ = self._primary(token.text)  # the lexer put the field's value right after it
            return node, _OTHER
        assert token.kind == LPAREN, token
        return self._group(token, field), _OTHER

    def _group(self, opening: Token, field: Optional[str]) -> Node:
        self._enter(opening.pos)
        token = self._peek()
        if token is None:
            raise self._error(opening.pos, "unclosed parenthesis")
        if token.kind == RPAREN:
            raise self._error(opening.pos, "empty parentheses")
        branches = self._or(field)
        closing = self._peek()
        if closing is None:
            raise self._error(opening.pos, "unclosed parenthesis")
        self.i += 1
        self.depth -= 1
        if closing.number_pos >= 0:
            return self._at_least(branches, closing)
        return _build_or(branches)

    def _at_least(self, branches: list[_Branch], closing: Token) -> Node:
        """``(a OR b OR c)@2`` or ``(a b c)@2``: at least N of the alternatives."""
        wanted = closing.number
        if len(branches) > 1:
            alternatives = [_build_and(branch, long_rule=False) for branch in branches]
        elif not branches[0].explicit_and and all(kind == _PLAIN for _, kind in branches[0].items):
            alternatives = [node for node, _ in branches[0].items]
        else:
            alternatives = []
        if len(alternatives) < 2:
            raise self._error(closing.number_pos, f"'@{wanted}' needs alternatives, like (a OR b OR c)@2")
        if wanted < 1:
            raise self._error(closing.number_pos, f"'@{wanted}' must be at least 1")
        if wanted > len(alternatives):
            raise self._error(
                closing.number_pos, f"'@{wanted}' is more than the {len(alternatives)} alternatives"
            )
        return Or(*alternatives, minimum=wanted)


def _spelled(operator: Token) -> str:
    """An operator as the user typed it, for an error: AND bare, symbols quoted ('&&', '-')."""
    return operator.text if operator.text.isalpha() else f"'{operator.text}'"


def _build_or(branches: list[_Branch]) -> Node:
    if len(branches) == 1:
        return _build_and(branches[0], long_rule=True)
    return Or(*(_build_and(branch, long_rule=False) for branch in branches))


def _build_and(branch: _Branch, *, long_rule: bool) -> Node:
    """AND the branch's items; a long run of only plain words gets the long-query rule (see _words_node)."""
    items = branch.items
    if long_rule and not branch.explicit_and and all(kind != _OTHER for _, kind in items):
        return _words_node([(node, kind == _REQUIRED) for node, kind in items])
    nodes = [node for node, _ in items]
    return nodes[0] if len(nodes) == 1 else And(*nodes)
