"""The query language: text in, an engine-neutral tree out, or a :class:`QuerySyntaxError` with a position.

    query    := or_expr
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := unary (["AND"] unary)*            (words side by side are AND-ed)
    unary    := ("NOT" | "-" | "+") unary | primary
    primary  := WORD | PREFIX | "*" | PHRASE | DATE | FIELD primary | "(" or_expr ")" ["@" N]

The lexer does the context-sensitive work (when ``-``, ``*``, ``:`` and quotes are syntax and when they are
punctuation, and reading ``date:`` values); the parser is plain recursive descent over its tokens, with
nesting capped at :data:`MAX_DEPTH` so it never recurses deeply. ``docs/query-language.md`` is the user's
guide to the language.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Optional

from searchkit.errors import QuerySyntaxError
from searchkit.query.dates import read_date_value
from searchkit.query.tree import And, DateRange, MatchAll, Node, Not, Or, Phrase, Prefix, Term

MAX_QUERY_LENGTH = 4096
MAX_DEPTH = 32
#: The most leaves (words, phrases, prefixes, dates) one query may hold.
MAX_CLAUSES = 512
#: A query or group of only plain words longer than this matches any of them, less its stop words.
LONG_QUERY_WORDS = 5
#: Words a long query drops (compared lower-cased): Whoosh's English stop list less "us", "may" and "tbd",
#: which mean something in news.
STOP_WORDS = frozenset(
    "a an and are as at be by can for from have if in is it not of on or that the this to we when will"
    " with yet you your".split()
)

#: Field names a query may use (case-insensitive) and the field each one means.
FIELD_NAMES = {"headline": "headline", "title": "headline", "body": "body", "date": "date"}
KEYWORDS = ("AND", "OR", "NOT")

_EDGE_PUNCTUATION = string.punctuation + "\u2018\u2019\u201c\u201d\u2026"  # and curly quotes, ellipsis
_WORD_RUN = re.compile(r'[^\s"()]*')  # a word runs until whitespace, a quote or a parenthesis
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")  # exactly the characters str.isalnum() accepts
_DIGITS = re.compile(r"[0-9]+")
_PLAIN_LEFT = "\"()*:+-"
_PLAIN_RIGHT = "\"()*:"


def parse(text: str, *, plain: bool = False) -> Node:
    """Parse a query into a tree; raises :class:`QuerySyntaxError` pointing at the problem.

    With ``plain=True`` the text is only words: no operators, fields, phrases or wildcards.
    """
    if len(text) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(text, MAX_QUERY_LENGTH, f"query longer than {MAX_QUERY_LENGTH} characters")
    if plain:
        return _parse_plain(text)
    tokens = _Lexer(text).run()
    if not tokens:
        raise QuerySyntaxError(text, 0, "empty query")
    return _Parser(text, tokens).parse()


def _parse_plain(text: str) -> Node:
    words = [w.lstrip(_PLAIN_LEFT).rstrip(_PLAIN_RIGHT) for w in text.split()]
    terms = [Term(w) for w in words if _has_letter_or_digit(w)]
    if not terms:
        raise QuerySyntaxError(text, 0, "empty query")
    return _words_node([(term, False) for term in terms])


def _words_node(words: list[tuple[Node, bool]]) -> Node:
    """AND plain words, each with whether it is required (``+word``), in order.

    More than LONG_QUERY_WORDS of them is pasted text rather than a query: the required words must all
    match, and any one of the others will do, less their :data:`STOP_WORDS` (all of them are kept when
    every one is a stop word). No minimum: on the CISI relevance evaluation a percentage minimum lost
    most of the relevant articles of long queries, and dropping stop words helped (benchmarks/relevance.md).
    """
    nodes = [node for node, _ in words]
    optional = [node for node, required in words if not required]
    if len(words) > LONG_QUERY_WORDS and len(optional) > 1:
        optional = [node for node in optional if not _is_stop_word(node)] or optional
        any_of = optional[0] if len(optional) == 1 else Or(*optional)
        nodes = [node for node, required in words if required] + [any_of]
    return nodes[0] if len(nodes) == 1 else And(*nodes)


def _is_stop_word(node: Node) -> bool:
    """True for a plain word with no field that is in :data:`STOP_WORDS` once lower-cased and stripped of
    edge punctuation (pasted text has "The," and "it."); never a prefix or fielded word."""
    return (isinstance(node, Term) and node.field is None
            and node.text.lower().strip(_EDGE_PUNCTUATION) in STOP_WORDS)


def _has_letter_or_digit(text: str) -> bool:
    return _LETTER_OR_DIGIT.search(text) is not None


# Lexer

# Token kinds. Leaves become tree leaves; the rest is structure.
_WORD, _PREFIX, _STAR, _PHRASE, _DATE = "word", "prefix", "star", "phrase", "date"
_FIELD, _LPAREN, _RPAREN, _AND, _OR, _NOT, _PLUS, _MINUS = "field", "(", ")", "AND", "OR", "NOT", "+", "-"
_LEAVES = frozenset({_WORD, _PREFIX, _STAR, _PHRASE, _DATE})
_OPERAND_STARTS = _LEAVES | {_FIELD, _LPAREN, _NOT, _PLUS, _MINUS}


@dataclass(frozen=True)
class _Token:
    kind: str
    pos: int
    text: str = ""  # the word, prefix stem, phrase text or canonical field name
    number: int = 0  # a phrase's slop, or N in ")@N"
    number_pos: int = -1  # where "@N" starts; -1 when there is none
    date: Optional[DateRange] = None


class _Lexer:
    """Turns query text into tokens, dropping words with no letter or digit."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[_Token] = []
        self.leaves = 0
        stripped = text.rstrip()
        self.content_end = len(stripped)  # everything from here on is whitespace

    def run(self) -> list[_Token]:
        text, i = self.text, 0
        while i < len(text):
            char = text[i]
            if char.isspace():
                i += 1
            elif char == '"':
                i = self._phrase(i)
            elif char == "(":
                self._emit(_Token(_LPAREN, i))
                i += 1
            elif char == ")":
                i = self._close(i)
            else:
                i = self._word(i)
        return self.tokens

    def _error(self, pos: int, message: str) -> QuerySyntaxError:
        return QuerySyntaxError(self.text, pos, message)

    def _emit(self, token: _Token) -> None:
        if token.kind in _LEAVES:
            self.leaves += 1
            if self.leaves > MAX_CLAUSES:
                raise self._error(token.pos, f"more than {MAX_CLAUSES} terms")
        self.tokens.append(token)

    def _phrase(self, start: int) -> int:
        text, chars, i = self.text, [], start + 1
        while i < len(text) and text[i] != '"':
            if text[i] == "\\" and i + 1 < len(text):
                i += 1
            chars.append(text[i])
            i += 1
        if i >= len(text):
            raise self._error(start, "unbalanced quote")
        phrase = "".join(chars)
        if not _has_letter_or_digit(phrase):
            raise self._error(start, "empty phrase")
        i += 1
        slop = 0
        if i < len(text) and text[i] == "~":
            digits = _DIGITS.match(text, i + 1)
            if digits is None:
                raise self._error(i, "'~' needs a number after it, like \"kelly pink\"~5")
            slop = int(digits.group())
            i = digits.end()
        self._emit(_Token(_PHRASE, start, phrase, number=slop))
        return i

    def _close(self, pos: int) -> int:
        """A ')' and the '@N' that may follow it directly."""
        text = self.text
        if pos + 1 < len(text) and text[pos + 1] == "@":
            digits = _DIGITS.match(text, pos + 2)
            if digits is not None and (digits.end() == len(text) or _ends_word(text[digits.end()])):
                self._emit(_Token(_RPAREN, pos, number=int(digits.group()), number_pos=pos + 1))
                return digits.end()
        self._emit(_Token(_RPAREN, pos))
        return pos + 1

    def _word(self, start: int) -> int:
        text = self.text
        end = _WORD_RUN.match(text, start).end()
        last_alnum = _last_letter_or_digit(text, start, end)
        i = start
        # A leading + or - is an operator only when a term, phrase or group follows it directly.
        while text[i] in "+-":
            after = i + 1
            if after < end:
                operator = last_alnum >= after
            else:
                operator = after < len(text) and text[after] in '"('
            if not operator:
                break
            self._emit(_Token(_PLUS if text[i] == "+" else _MINUS, i))
            i = after
            if i == end:
                return end  # the phrase or group is read by run()
        word = text[i:end]
        if word in ("+", "-") and (end >= self.content_end or text[end] == ")"):
            raise self._error(i, f"'{word}' needs a term after it")
        if i == start and word in KEYWORDS:
            self._emit(_Token(word, i))
            return end
        colon = word.find(":")
        if colon > 0 and word[:colon].isalpha():
            return self._field(i, colon, end)
        self._leaf(word, i)
        return end

    def _field(self, start: int, colon: int, end: int) -> int:
        """A word with a colon after letters: a field, an unknown field (an error) or a plain word."""
        text = self.text
        name = text[start:start + colon]
        value = start + colon + 1
        has_value = value < len(text) and not text[value].isspace() and text[value] != ")"
        field = FIELD_NAMES.get(name.lower())
        if field is None:
            if has_value:
                raise self._error(
                    start, f"unknown field '{name}' (expected headline, title, body or date)"
                )
            self._leaf(text[start:end], start)
            return end
        if not has_value:
            raise self._error(start, f"'{name}:' needs a value right after the colon")
        if field == "date":
            date_range, after = read_date_value(text, value)
            self._emit(_Token(_DATE, start, date=date_range))
            return after
        self._emit(_Token(_FIELD, start, field))
        if text[value] in '"(':
            return value  # the phrase or group is read by run()
        if not self._leaf(text[value:end], value):
            self.tokens.pop()  # nothing searchable after the colon: drop the field with it
        return end

    def _leaf(self, word: str, pos: int) -> bool:
        """Emit a word, a prefix or '*'; False when the word has no letter or digit and is dropped."""
        stem = word.rstrip("*")
        if word == "*":
            self._emit(_Token(_STAR, pos))
        elif stem != word and _has_letter_or_digit(stem):
            self._emit(_Token(_PREFIX, pos, stem))
        elif _has_letter_or_digit(word):
            self._emit(_Token(_WORD, pos, word))
        else:
            return False
        return True


def _ends_word(char: str) -> bool:
    return char.isspace() or char in '"()'


def _last_letter_or_digit(text: str, start: int, end: int) -> int:
    """The index of the last letter or digit in ``text[start:end]``, or -1."""
    for i in range(end - 1, start - 1, -1):
        if text[i].isalnum():
            return i
    return -1


# Parser

_PLAIN, _REQUIRED, _OTHER = "plain", "required", "other"  # what an AND-ed item is, for the long-query rule


@dataclass
class _Branch:
    """One OR alternative: its AND-ed items, each with its kind, and whether an explicit AND joined them."""

    items: list[tuple[Node, str]]
    explicit_and: bool


class _Parser:
    """Recursive descent over the lexer's tokens; ``field`` is the field of an enclosing ``field:( )``."""

    def __init__(self, text: str, tokens: list[_Token]) -> None:
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

    def _peek(self, ahead: int = 0) -> Optional[_Token]:
        at = self.i + ahead
        return self.tokens[at] if at < len(self.tokens) else None

    def _starts_operand(self, ahead: int = 0) -> bool:
        token = self._peek(ahead)
        return token is not None and token.kind in _OPERAND_STARTS

    def _enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self._error(pos, f"nesting deeper than {MAX_DEPTH} levels")

    def _or(self, field: Optional[str]) -> list[_Branch]:
        branches = [self._and(field)]
        while (token := self._peek()) is not None and token.kind == _OR:
            if not self._starts_operand(1):
                raise self._error(token.pos, "OR needs a term on both sides")
            self.i += 1
            branches.append(self._and(field))
        return branches

    def _and(self, field: Optional[str]) -> _Branch:
        items: list[tuple[Node, str]] = []
        explicit = False
        while (token := self._peek()) is not None:
            if token.kind == _AND:
                if not items or not self._starts_operand(1):
                    raise self._error(token.pos, "AND needs a term on both sides")
                self.i += 1
                explicit = True
            elif token.kind in _OPERAND_STARTS:
                items.append(self._unary(field))
            else:
                break
        if not items:
            if token is not None and token.kind == _OR:
                raise self._error(token.pos, "OR needs a term on both sides")
            if token is not None:
                raise self._error(token.pos, "unexpected ')'")
            raise self._error(0, "empty query")
        return _Branch(items, explicit)

    def _unary(self, field: Optional[str]) -> tuple[Node, str]:
        token = self._peek()
        assert token is not None
        if token.kind not in (_NOT, _MINUS, _PLUS):
            return self._primary(field)
        self.i += 1
        if not self._starts_operand():
            what = "NOT" if token.kind == _NOT else f"'{token.kind}'"
            raise self._error(token.pos, f"{what} needs a term after it")
        self._enter(token.pos)
        node, kind = self._unary(field)
        self.depth -= 1
        if token.kind == _PLUS:
            return node, _REQUIRED if kind == _PLAIN else _OTHER
        return Not(node), _OTHER

    def _primary(self, field: Optional[str]) -> tuple[Node, str]:
        token = self.tokens[self.i]
        self.i += 1
        if token.kind == _WORD:
            return Term(token.text, field), _PLAIN
        if token.kind == _PREFIX:
            return Prefix(token.text, field), _PLAIN
        if token.kind == _STAR:
            return MatchAll(), _OTHER
        if token.kind == _PHRASE:
            return Phrase(token.text, field, token.number), _OTHER
        if token.kind == _DATE:
            if field is not None:
                raise self._error(token.pos, f"date: can't be inside {field}:( )")
            assert token.date is not None
            return token.date, _OTHER
        if token.kind == _FIELD:
            if field is not None and token.text != field:
                raise self._error(token.pos, f"{token.text}: can't be inside {field}:( )")
            node, _ = self._primary(token.text)  # the lexer put the field's value right after it
            return node, _OTHER
        assert token.kind == _LPAREN, token
        return self._group(token, field), _OTHER

    def _group(self, opening: _Token, field: Optional[str]) -> Node:
        self._enter(opening.pos)
        token = self._peek()
        if token is None:
            raise self._error(opening.pos, "unclosed parenthesis")
        if token.kind == _RPAREN:
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

    def _at_least(self, branches: list[_Branch], closing: _Token) -> Node:
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
