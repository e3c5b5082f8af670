"""The matching rules every engine's query compiler follows, so that a query finds the same articles
on each: the headline weight, the prefix and wildcard caps, how a prefix or wildcard splits its text,
how a group's minimum shrinks, and which queries earn the headline-phrase bonus. Engine-neutral: no
engine library is imported here.
"""

from __future__ import annotations

import math
import re
from typing import Callable, NamedTuple, Optional, TypeVar

from searchkit.errors import QuerySyntaxError
from searchkit.query import tree as t
from searchkit.query.lexer import WORD_PIECE  # the parser's own split, so both agree on a word's parts
from searchkit.text.analysis import STEMMED, WORD, fold, undot

#: What a headline match counts for against a body match (an article matching in both gets both).
#: The headline's match weighs less than the body's, 0.75 rather than 1.5, because the long text says
#: more of what an article is about: it scored better on the CISI relevance evaluation, on Whoosh and
#: Tantivy alike (docs/query-language.md, "Measurements behind the design").
HEADLINE_BOOST = 0.75
#: The headline-phrase bonus, relative to a body match: several words of a short query, in order, in the
#: headline.
BONUS_BOOST = 4.5
#: A prose query: a plain word query (no fields, operators or patterns) of at least this many words.
#: Its words are weighted by how common they are (:func:`common_word_weight`), and each two neighbouring
#: words of it found in this order within PROXIMITY_SLOP + 1 positions of each other in the body earn a
#: bonus: that pair's phrase score times PROXIMITY_BOOST (shared out among the pairs when there are more
#: than PROXIMITY_PAIRS), times both words' weights, when those multiply to PROXIMITY_LEAST_WEIGHT or
#: more. Shorter queries go without, and cost nothing more.
#: Tuned on TIME and CISI (docs/ranking.md).
PROSE_WORDS = 4
PROXIMITY_SLOP = 12
PROXIMITY_BOOST = 0.05
PROXIMITY_PAIRS = 10
PROXIMITY_LEAST_WEIGHT = 0.5
#: A long prose query (its words OR-ed: more than the parser's LONG_QUERY_WORDS) rewards the articles that
#: hold more of its distinct words: each of its words an article holds, in the headline or the body,
#: earns COVERAGE_BOOST times the word's weight and its idf (what one occurrence in a body of average
#: length scores, about), when the query has at most COVERAGE_MOST_WORDS distinct words (a sentence, not
#: a paragraph: on CISI's paragraph-long questions the reward cost MAP). And a word's headline and body
#: scores combine as a dis_max: the better one plus FIELD_TIE times the other, so that a short article
#: with a word in both fields gains less from it. Together they keep a word or two that a short article
#: repeats in its headline and body from outranking the articles that cover the rest of the sentence as
#: easily.
#: Tuned on TIME and CISI (docs/ranking.md).
COVERAGE_BOOST = 0.25
COVERAGE_MOST_WORDS = 20
FIELD_TIE = 0.6
#: The least natural log of (articles without a word / articles with it) a prose query word counts for.
COMMON_FLOOR = 0.1
#: A prefix or wildcard may expand to at most this many indexed words.
MAX_PREFIX_TERMS = 512
#: "Did you mean" offers words at most this many edits away (sharing the first letter).
MAX_EDITS = 2
#: All the prefixes and wildcards of one query together may expand to at most this many (counted per field).
MAX_QUERY_PREFIX_TERMS = 2048


class Pattern(NamedTuple):
    """A prefix or wildcard split for matching: ``pattern`` is matched unstemmed against the indexed
    words; ``others`` are the other words of its text, which must match as they are."""

    pattern: str
    others: list[str]


def split_prefix(text: str) -> Optional[Pattern]:
    """``hurt*``'s text ("hurt", "u.s-bo") as its prefix and other words; ``None`` if it has no word.
    A dotted acronym loses its dots as in the index ("u.s*" is "us*")."""
    words = WORD.findall(fold(text))
    return Pattern(undot(words[-1]), [STEMMED.normalize(w) for w in words[:-1]]) if words else None


def split_wildcard(text: str) -> Optional[Pattern]:
    """A wildcard's text ("g?ld", "x-r?y") as its pattern and other words; ``None`` if it has none."""
    pieces = WORD_PIECE.findall(fold(text))
    patterns = [piece for piece in pieces if is_pattern(piece)]
    if not patterns:
        return None
    pattern = patterns[-1]
    return Pattern(pattern, [STEMMED.normalize(piece) for piece in pieces if piece != pattern])


def split_fuzzy(text: str) -> Optional[Pattern]:
    """A fuzzy word's text ("petrolium", "u.s-trade") as its analysed last word, the one matched within
    some edits, and its other words; ``None`` if it has no word (a stop word alone)."""
    words = STEMMED.words(text)
    return Pattern(words[-1], words[:-1]) if words else None


def is_pattern(piece: str) -> bool:
    return "?" in piece or "*" in piece


def literal_prefix(pattern: str) -> str:
    """The characters of a wildcard pattern before its first ``?`` or ``*``."""
    return re.split(r"[?*]", pattern, maxsplit=1)[0]


def wildcard_matcher(pattern: str) -> re.Pattern[str]:
    """A regular expression matching whole words: ``?`` one character, ``*`` any run."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex + r"\Z", re.DOTALL)


def scaled_minimum(node: t.Or, kept: int) -> int:
    """A group's minimum once its children that analyse to nothing (they cannot match) are left out."""
    return math.ceil(node.minimum * kept / len(node.children))


def bonus_words(node: t.Node) -> Optional[list[str]]:
    """The words of a plain word query (``everybody hurts``) whose exact phrase in the headline earns a
    bonus, or ``None``. (A body-phrase bonus was tried too, and dropped: it made two-word queries much
    costlier.)"""
    if isinstance(node, (t.And, t.Or)) and all(
        isinstance(child, t.Term) and child.field is None for child in node.children
    ):
        words = [w for child in node.children for w in STEMMED.words(child.text)]  # type: ignore[union-attr]
        if len(words) >= 2:
            return words
    return None


def prose_words(node: t.Node) -> Optional[list[str]]:
    """The analysed words of a prose query (see :data:`PROSE_WORDS`), in order; ``None`` for any other."""
    if not (isinstance(node, (t.And, t.Or)) and all(
            isinstance(child, t.Term) and child.field is None for child in node.children)):
        return None
    words = [w for child in node.children for w in STEMMED.words(child.text)]  # type: ignore[union-attr]
    return words if len(words) >= PROSE_WORDS else None


def is_prose(node: t.Node) -> bool:
    return prose_words(node) is not None


def common_word_weight(holding: int, total: int) -> float:
    """A prose query word's weight when ``holding`` of ``total`` articles hold it: SQLite FTS5's idf,
    ``ln((N - n + 0.5) / (n + 0.5))`` (at least :data:`COMMON_FLOOR`), over the Lucene idf every engine's
    BM25 uses, ``ln(1 + (N - n + 0.5) / (n + 0.5))``; at most 1. A rare word keeps about its weight, a
    word in half the articles drops to a seventh: in a sentence the common words say little."""
    rest = (max(total, holding) - holding + 0.5) / (holding + 0.5)
    return min(1.0, max(COMMON_FLOOR, math.log(rest)) / math.log(1 + rest))


def lucene_idf(holding: int, total: int) -> float:
    """The idf every engine's BM25 uses, ``ln(1 + (N - n + 0.5) / (n + 0.5))``."""
    return math.log(1 + (max(total, holding) - holding + 0.5) / (holding + 0.5))


def is_long_prose(node: t.Node) -> bool:
    """A prose query of more than LONG_QUERY_WORDS words, OR-ed (the long-query rule): its articles hold
    different numbers of its words, which the coverage reward and the headline-body dis_max weigh. A
    query of 5 words or fewer (ANDed, or OR-ed by hand) ranks without them."""
    from searchkit.query.parser import LONG_QUERY_WORDS  # the parser's own limit

    words = prose_words(node) if isinstance(node, t.Or) else None
    return words is not None and len(words) > LONG_QUERY_WORDS


def coverage_words(node: t.Node) -> Optional[list[str]]:
    """The distinct words of a long prose query that earn the coverage reward (see
    :data:`COVERAGE_BOOST`), in order; ``None`` for any other query, or one of more than
    :data:`COVERAGE_MOST_WORDS` distinct words."""
    if not is_long_prose(node):
        return None
    words = list(dict.fromkeys(prose_words(node) or ()))
    return words if len(words) <= COVERAGE_MOST_WORDS else None


def proximity_pairs(node: t.Node) -> Optional[list[list[str]]]:
    """The pairs of neighbouring words of a prose query (``trade deficit japan widened``: trade deficit,
    deficit japan, japan widened), each pair once and never a word with itself; ``None`` for any other
    query."""
    words = prose_words(node)
    if words is None:
        return None
    pairs: list[list[str]] = []
    for pair in zip(words, words[1:], strict=False):
        if pair[0] != pair[1] and list(pair) not in pairs:
            pairs.append(list(pair))
    return pairs or None


class ExpansionBudget:
    """The prefix and wildcard caps of one query; errors point at the culprit in the query text."""

    def __init__(self, query_text: str) -> None:
        self.query_text = query_text
        self.expanded = 0

    def spend(self, text: str, what: str, words: int) -> None:
        """Count ``words`` expansions of ``what`` (whose text is ``text``); raise past a cap."""
        self.expanded += words
        if words > MAX_PREFIX_TERMS:
            raise self.error(text, f"{what} matches more than {MAX_PREFIX_TERMS} words; make it longer")
        if self.expanded > MAX_QUERY_PREFIX_TERMS:
            raise self.error(text, f"the prefixes in this query match more than {MAX_QUERY_PREFIX_TERMS} "
                                   "words in all; use fewer or longer ones")

    def check_wildcard(self, text: str, pattern: str) -> None:
        """Refuse a pattern with nothing before its first wildcard ("e-?x": the part after the dash),
        which would scan every word of the index."""
        if not literal_prefix(pattern):
            raise self.error(text, f"wildcard '{text}' needs a letter or digit before its first ? or *")

    def error(self, text: str, message: str) -> QuerySyntaxError:
        at = self.query_text.find(text)
        return QuerySyntaxError(self.query_text, at if at >= 0 else 0, message)


Compiled = TypeVar("Compiled")


def split_and(node: t.And, compile_child: Callable[[t.Node], Optional[Compiled]]
              ) -> tuple[list[Compiled], list[Compiled]]:
    """An AND's children compiled, as (required, excluded): a NOT child's inner query is excluded; a
    child that compiles to nothing (a word with no indexable characters) constrains nothing and is
    dropped."""
    required: list[Compiled] = []
    excluded: list[Compiled] = []
    for child in node.children:
        target = excluded if isinstance(child, t.Not) else required
        compiled = compile_child(child.child if isinstance(child, t.Not) else child)
        if compiled is not None:
            target.append(compiled)
    return required, excluded
