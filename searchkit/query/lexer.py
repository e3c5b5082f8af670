"""The query language's lexer: query text in, tokens out, or a :class:`QuerySyntaxError` with a position.

Whether a character is syntax depends on where it stands, and this module alone decides it: ``-``, ``+``
and ``!`` are operators only at the start of a word and directly before a term, a phrase or a group;
``*`` and ``?`` are wildcards only inside a word (``*`` alone matches everything, and a ``?`` that only
ends a word is a question mark); a colon makes a field only after letters; ``AND``, ``OR``, ``NOT``,
``&&`` and ``||`` are operators only as words of their own. The lexer also reads ``date:`` values (with
:mod:`searchkit.query.dates`), drops words with no letter or digit, and stops at :data:`MAX_CLAUSES`
leaves, so the parser (:mod:`searchkit.query.parser`) is plain recursive descent over its tokens.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Optional

from searchkit.errors import QuerySyntaxError
from searchkit.query.dates import read_date_value
from searchkit.query.tree import DateRange
from searchkit.text.languages import LANGUAGES

#: The most leaves (words, phrases, prefixes, wildcards, dates) one query may hold.
MAX_CLAUSES = 512

#: Field names a query may use (case-insensitive) and the field each one means.
FIELD_NAMES = {"headline": "headline", "title": "headline", "body": "body", "date": "date", "lang": "lang",
               "language": "lang"}

# Token kinds. Leaves become tree leaves; the rest is structure.
WORD, PREFIX, WILDCARD, FUZZY, STAR, PHRASE, DATE, LANG = (
    "word", "prefix", "wildcard", "fuzzy", "star", "phrase", "date", "lang")
FIELD, LPAREN, RPAREN, AND, OR, NOT, PLUS, MINUS = "field", "(", ")", "AND", "OR", "NOT", "+", "-"
LEAVES = frozenset({WORD, PREFIX, WILDCARD, FUZZY, STAR, PHRASE, DATE, LANG})
OPERAND_STARTS = LEAVES | {FIELD, LPAREN, NOT, PLUS, MINUS}

#: Words that are operators when they stand alone, and the operator each one is (Lucene's && and ||).
OPERATOR_WORDS = {"AND": AND, "OR": OR, "NOT": NOT, "&&": AND, "||": OR}
#: Characters that are an operator at the start of a word, right before a term, phrase or group.
_PREFIX_OPERATORS = {"+": PLUS, "-": MINUS, "!": NOT}
#: The parts of a word an engine matches one by one ("u.s-bo*" is u.s and bo*), wildcards included.
WORD_PIECE = re.compile(r"[\w?*]+(?:\.[\w?*]+)*", re.UNICODE)
#: What an error about a wildcard with nothing before it suggests instead.
_WILDCARD_EXAMPLES = {"?": "g?ld", "*": "col*r"}

_WORD_END = re.compile(r'[\s"()]')  # a word runs until whitespace, a quote or a parenthesis
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")  # exactly the characters str.isalnum() accepts
_DIGITS = re.compile(r"[0-9]+")
_FUZZY = re.compile(r"(.*[^\W_])~([0-9]*)\Z", re.DOTALL)  # "petrolium~", "petrolium~1"
#: The largest edit distance a fuzzy word may ask for, as in Lucene.
MAX_FUZZY_DISTANCE = 2


def has_letter_or_digit(text: str) -> bool:
    return _LETTER_OR_DIGIT.search(text) is not None


@dataclass(frozen=True)
class Token:
    kind: str
    pos: int
    text: str = ""  # the word, prefix stem, wildcard, phrase text, canonical field name or operator as typed
    number: int = 0  # a phrase's slop, N in ")@N", or a fuzzy word's distance (-1: automatic)
    number_pos: int = -1  # where "@N" starts; -1 when there is none
    date: Optional[DateRange] = None


def tokenize(text: str, *, now: Optional[dt.date] = None) -> list[Token]:
    """The tokens of ``text``, its relative dates resolved on the day ``now`` (default: today); raises
    :class:`QuerySyntaxError` for what no parse could mend (an unbalanced quote, a bad date, an unknown
    field, a leading wildcard, too many leaves)."""
    return _Lexer(text, now).run()


class _Lexer:
    def __init__(self, text: str, now: Optional[dt.date] = None) -> None:
        self.text = text
        self.now = now
        self.tokens: list[Token] = []
        self.leaves = 0
        self.content_end = len(text.rstrip())  # everything from here on is whitespace

    def run(self) -> list[Token]:
        text, i = self.text, 0
        while i < len(text):
            char = text[i]
            if char.isspace():
                i += 1
            elif char == '"':
                i = self._phrase(i)
            elif char == "(":
                self._emit(Token(LPAREN, i))
                i += 1
            elif char == ")":
                i = self._close(i)
            else:
                i = self._word(i)
        return self.tokens

    def _error(self, pos: int, message: str) -> QuerySyntaxError:
        return QuerySyntaxError(self.text, pos, message)

    def _emit(self, token: Token) -> None:
        if token.kind in LEAVES:
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
        if not has_letter_or_digit(phrase):
            raise self._error(start, "empty phrase")
        i += 1
        slop = 0
        if i < len(text) and text[i] == "~":
            digits = _DIGITS.match(text, i + 1)
            if digits is None:
                raise self._error(i, "'~' needs a number after it, like \"kelly pink\"~5")
            slop = int(digits.group())
            i = digits.end()
        self._emit(Token(PHRASE, start, phrase, number=slop))
        return i

    def _close(self, pos: int) -> int:
        """A ')' and the '@N' that may follow it directly."""
        text = self.text
        if pos + 1 < len(text) and text[pos + 1] == "@":
            digits = _DIGITS.match(text, pos + 2)
            if digits is not None and (digits.end() == len(text) or _ends_word(text[digits.end()])):
                self._emit(Token(RPAREN, pos, number=int(digits.group()), number_pos=pos + 1))
                return digits.end()
        self._emit(Token(RPAREN, pos))
        return pos + 1

    def _word(self, start: int) -> int:
        text = self.text
        found = _WORD_END.search(text, start)
        end = len(text) if found is None else found.start()
        last_alnum = _last_letter_or_digit(text, start, end)
        i = start
        # A leading +, - or ! is an operator only when a term, phrase or group follows it directly.
        while text[i] in _PREFIX_OPERATORS:
            after = i + 1
            if after < end:
                operator = last_alnum >= after
            else:
                operator = after < len(text) and text[after] in '"('
            if not operator:
                break
            self._emit(Token(_PREFIX_OPERATORS[text[i]], i, text[i]))
            i = after
            if i == end:
                return end  # the phrase or group is read by run()
        word = text[i:end]
        if word in ("+", "-") and (end >= self.content_end or text[end] == ")"):
            raise self._error(i, f"'{word}' needs a term after it")
        if i == start and word in OPERATOR_WORDS:
            self._emit(Token(OPERATOR_WORDS[word], i, word))
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
                    start, f"unknown field '{name}' (expected headline, title, body, date or lang)"
                )
            self._leaf(text[start:end], start)
            return end
        if not has_value:
            raise self._error(start, f"'{name}:' needs a value right after the colon")
        if field == "date":
            date_range, after = read_date_value(text, value, now=self.now)
            self._emit(Token(DATE, start, date=date_range))
            return after
        if field == "lang":
            code = text[value:end]
            if code.lower() not in LANGUAGES:
                raise self._error(value, f"unknown language '{code}' (an ISO 639-1 code: en, de, zh, ...)")
            self._emit(Token(LANG, start, code.lower()))
            return end
        self._emit(Token(FIELD, start, field))
        if text[value] in '"(':
            return value  # the phrase or group is read by run()
        if not self._leaf(text[value:end], value):
            self.tokens.pop()  # nothing searchable after the colon: drop the field with it
        return end

    def _leaf(self, word: str, pos: int) -> bool:
        """Emit a word, a prefix, a wildcard or '*'; False when a word with no letter or digit is dropped.

        Stars only at the end make a prefix, the cheaper query. A "?" that only ends a word ("who?",
        "what is inflation?") is a question mark: people paste questions into a news search far more often
        than they mean one unknown last letter, and a word with another wildcard keeps its "?" as one.
        A wildcard needs a letter or digit before its first "?" or "*", since a leading one would make the
        engine try every word of the index.
        """
        if word == "*":
            self._emit(Token(STAR, pos))
            return True
        if not has_letter_or_digit(word):
            return False
        fuzzy = _FUZZY.match(word)
        if fuzzy is not None and "?" not in word and "*" not in word:
            self._emit(Token(FUZZY, pos, fuzzy[1], number=self._distance(fuzzy[2], pos + fuzzy.start(2))))
            return True
        unquestioned = word.rstrip("?")
        if "?" not in unquestioned and "*" not in unquestioned:
            self._emit(Token(WORD, pos, word))
        elif "?" not in word and "*" not in word.rstrip("*"):
            self._emit(Token(PREFIX, pos, word.rstrip("*")))
        else:
            first = min(at for at in (word.find("?"), word.find("*")) if at >= 0)
            if not has_letter_or_digit(word[:first]):
                wildcard = word[first]
                raise self._error(pos + first, f"'{wildcard}' needs a letter or digit before it, like "
                                               f"{_WILDCARD_EXAMPLES[wildcard]}")
            patterns = [piece for piece in WORD_PIECE.finditer(word) if "?" in piece[0] or "*" in piece[0]]
            if len(patterns) > 1:  # "col*r-g?ld": engines expand one pattern per word
                second = patterns[1]
                at = min(i for i in (second[0].find("?"), second[0].find("*")) if i >= 0)
                raise self._error(pos + second.start() + at, "only one part of a word may hold ? or *")
            self._emit(Token(WILDCARD, pos, word))
        return True

    def _distance(self, digits: str, pos: int) -> int:
        if not digits:
            return -1
        if int(digits) > MAX_FUZZY_DISTANCE:
            raise self._error(pos, f"a fuzzy word's distance is 0, 1 or 2 edits, not {int(digits)}")
        return int(digits)


def _ends_word(char: str) -> bool:
    return char.isspace() or char in '"()'


def _last_letter_or_digit(text: str, start: int, end: int) -> int:
    """The index of the last letter or digit in ``text[start:end]``, or -1."""
    for i in range(end - 1, start - 1, -1):
        if text[i].isalnum():
            return i
    return -1
