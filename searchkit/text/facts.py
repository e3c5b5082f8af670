"""Facts: the figures and names an article states, for telling template notices of different news apart.

Wire services publish many notices from one template: "Chevron gets 50.3 mln dlr contract", "Pride
Refining gets 75 mln dlr contract", a producer's copper price raised, then lowered. Their texts are alike
(word shingles, :mod:`searchkit.text.shingles`), yet each is different news: what differs is the figures
and the names. A rewrite of one story keeps them: it adds a lead, drops a paragraph, rephrases the
headline, or corrects a figure. :func:`contradiction` says when two articles disagree on their facts
more than such a rewrite does:

1. **companies**: both headlines give a company's code, as wires do ("BRAINTREE SAVINGS BANK <BTSB.O>
   SETS PAYOUT", "UNIVERSITY BANK AND TRUST CO <UBTC.O> DIVIDEND"; "<BTSB.O>" and "<BTSB>" are one
   company), no code is in both, and the headlines start with different words (a corrected code keeps
   the company's name).
2. **headline figures**: two figures of the headlines differ; or one does, and a word of the headlines
   too ("MAGMA RAISES COPPER PRICE 0.50 CT TO 66.00 CTS" and "MAGMA LOWERS ... TO 65.50 CTS"), or
   each headline names someone the other does not ("LOCKHEED UNIT GETS 304 MLN DLR SDI CONTRACT" and
   "GRUMMAN UNIT GETS 303.9 MLN ..."). One corrected figure alone is a correction.
3. **names**: each headline names someone the other article never mentions (a headline word written
   capitalised in its own body: "CHEVRON", "PUERTO", "INSURED"), a misspelling aside ("FIELDCOR" and
   "FIDELCOR"). A rewrite that names someone new in its headline still mentions the original's names.
4. **body figures**: two or more figures of the bodies differ where the bodies say the same thing
   around them, and none agrees (the Treasury's balances on two days, two markets' hog prices). A
   rewrite corrects a figure or two, and keeps the rest.

Figures and names are compared in their place: a word's place is the words either side of it, so
"awarded a 50.3 mln" and "awarded a 75 mln" disagree, while a figure of a new lead has no counterpart
and disagrees with nothing. A headline's update mark ("UPDATE 1-", "CORRECTED -") is not a word of it.

An article's :data:`Facts` are made where its signature is (at index time, see
:func:`searchkit.text.shingles.signature`) and compared only for pairs whose texts are alike.
"""

from __future__ import annotations

import array
import itertools
import operator
import re
import struct
import sys
import zlib
from collections import defaultdict
from typing import Iterable, NamedTuple, Optional

from searchkit.text.analysis import WORD, analyze, fold

#: Packed facts (see :func:`facts`): the body's figures in place and the words it holds, hashed, and
#: the headline's words, its names marked.
Facts = bytes
#: Names the packing and the rules: part of the stories' settings (stories made otherwise are made again).
FACTS_VERSION = "facts 3"

_MARK = re.compile(r"\s*[(\[]?(?:(?:UPDATE|WRAPUP)\s*\d*|CORRECTED|CORRECTION|REFILE|RPT|REPEAT|URGENT|FLASH)"
                   r"\b[)\]]?[\s\-:]*", re.IGNORECASE)
_HEADER = struct.Struct("<HH")
_NAME = "*"  # marks a headline word that is a name (never in a word: WORD finds letters, digits and dots)
_CODE = "<"  # marks a company's code in the headline ("<CHV>", "<BTSB.O>": kept as "<chv", "<btsb")
_CODES = re.compile(r"<([^<>\s.]+)(?:\.[^<>\s]*)?>")  # a code is one word: "<MDS HEALTH GROUP>" is none
_MOST = 0xFFFF  # entries of each kind kept (the header counts them in 16 bits)
_DIGIT = re.compile(r"\d")
_LOW_HALF = 0 if sys.byteorder == "little" else 1
_MIX = 1_000_003  # combines the codes of a figure's two neighbours into the code of its place


def facts(headline: str, body: str) -> Facts:
    """The facts of an article: its body's figures in place, the words it holds, its headline's words
    (as indexed: folded and stemmed) with its names marked.

    Made from the words the article's sketch was made from (:func:`~searchkit.text.analysis.analyze`
    remembers them), so that signing an article costs little more.
    """
    headline = _without_marks(headline)
    words, written = analyze(headline), WORD.findall(headline)
    if len(written) != len(words):  # an analysis that is not a word for a word: no names, never a crash
        written = [""] * len(words)
    said = analyze(body)
    codes = word_codes(said)
    # The low 16 bits of each distinct word's code, cut at C level (little- or big-endian alike, as long
    # as one machine reads what it wrote, as with sketches).
    distinct = array.array("I", set(itertools.chain(codes, word_codes(words))))
    held = memoryview(distinct).cast("B").cast("H")[_LOW_HALF::2][:_MOST]
    places = _figures(said, codes)
    lowered = body.lower()
    marked = " ".join(_NAME + word if word and _is_name(spelt, body, lowered) else word
                      for word, spelt in zip(words, written, strict=True))
    companies = "".join(f" {_CODE}{fold(code)}" for code in _CODES.findall(headline))
    return (_HEADER.pack(len(places) // 2, len(held)) + array.array("I", places).tobytes()
            + held.tobytes() + (marked + companies).encode("utf-8", "surrogatepass"))


def word_codes(words: list[str]) -> list[int]:
    """Each word's CRC-32 (remembered: a corpus has far fewer words than word occurrences)."""
    try:
        return list(map(_WORD_CODES.__getitem__, words))
    except KeyError:
        if len(_WORD_CODES) > _WORD_CODES_LIMIT:
            _WORD_CODES.clear()
        codes = []
        for word in words:  # never reads back what another thread may have cleared since
            code = _WORD_CODES.get(word)
            if code is None:
                code = _WORD_CODES[word] = zlib.crc32(word.encode("utf-8", "surrogatepass"))
            codes.append(code)
        return codes


_WORD_CODES: dict[str, int] = {}
_WORD_CODES_LIMIT = 500_000


class _Read(NamedTuple):
    figures: dict[int, frozenset[int]]  # place -> the figures there
    mentioned: frozenset[int]
    headline: list[str]
    names: set[str]
    companies: set[str]  # the codes of the companies the headline names ("chv" for "<CHV>")


def contradiction(left: Facts, right: Facts) -> Optional[str]:
    """Why two articles state different news (``"companies"``, ``"headline figures"``, ``"names"`` or
    ``"body figures"``), or ``None`` when their facts agree as a rewrite's do."""
    mine, theirs = _read(left), _read(right)
    if _companies_differ(mine, theirs):
        return "companies"
    if _headline_figures_differ(mine, theirs):
        return "headline figures"
    if _names_differ(mine, theirs):
        return "names"
    differ, agree = _compare(mine.figures, theirs.figures)
    if differ >= 2 and not agree:
        return "body figures"
    return None


def _without_marks(headline: str) -> str:
    while (mark := _MARK.match(headline)) and mark.end():
        headline = headline[mark.end():]
    return headline


def _figures(words: list[str], codes: list[int]) -> list[int]:
    """``place, figure`` code pairs (flat, sorted, distinct) of the figures among ``words``: a figure is
    a word that starts with a digit, its place the words either side of it."""
    last = len(words) - 1
    try:
        initials = "".join(map(operator.itemgetter(0), words))  # found at C level: most words are no figure
    except IndexError:  # a word folded to nothing (a letter that decomposes into a space and a mark)
        initials = "".join(word[:1] or " " for word in words)
    pairs = {(((codes[at - 1] if at else 0) * _MIX ^ (codes[at + 1] if at < last else 0)) & 0xFFFFFFFF,
              codes[at])
             for at in (found.start() for found in _DIGIT.finditer(initials))}
    return [value for pair in sorted(pairs)[:_MOST] for value in pair]


def _is_name(spelt: str, body: str, lowered: str) -> bool:
    """Whether a headline word is a name: written capitalised, as a word's start, in the body ("Chevron"
    or "McDonalds" for "CHEVRON" or "MCDONALDS"). ``lowered`` is the body in lower case."""
    if len(spelt) < 2 or spelt[0].isdigit():
        return False
    if len(lowered) != len(body):  # a letter that lower-cases into two: look for the usual spelling
        return (spelt[0].upper() + spelt[1:].lower()) in body
    word = spelt.lower()
    at = lowered.find(word)
    while at >= 0:
        if body[at].isupper() and (at == 0 or not body[at - 1].isalnum()):
            return True
        at = lowered.find(word, at + 1)
    return False


def _short(word: str) -> int:
    """A 16-bit code of a word: a name missing from the other article is taken as held only by a chance
    collision (the articles are then compared as before facts were)."""
    return word_codes([word])[0] & 0xFFFF


def _read(packed: Facts) -> _Read:
    count, mentions = _HEADER.unpack_from(packed)
    start = _HEADER.size
    places = array.array("I")
    places.frombytes(packed[start:start + 8 * count])
    start += 8 * count
    mentioned = array.array("H")
    mentioned.frombytes(packed[start:start + 2 * mentions])
    figures: dict[int, set[int]] = defaultdict(set)
    for at in range(0, len(places), 2):
        figures[places[at]].add(places[at + 1])
    words = packed[start + 2 * mentions:].decode("utf-8", "surrogatepass").split()
    return _Read({place: frozenset(found) for place, found in figures.items()}, frozenset(mentioned),
                 [word.removeprefix(_NAME) for word in words if not word.startswith(_CODE)],
                 {word[1:] for word in words if word.startswith(_NAME)},
                 {word[1:] for word in words if word.startswith(_CODE)})


def _compare(mine: dict[int, frozenset[int]], theirs: dict[int, frozenset[int]]) -> tuple[int, int]:
    """How many places hold different figures (each distinct difference once), and how many agree."""
    differences, agree = set(), 0
    for place in mine.keys() & theirs.keys():
        if mine[place] & theirs[place]:
            agree += 1
        else:
            differences.add((mine[place], theirs[place]))
    return len(differences), agree


def _companies_differ(mine: _Read, theirs: _Read) -> bool:
    """Whether the headlines name different companies: each gives a company code, none the same, and
    they start with different words (a corrected code keeps the company's name: "C.O.M.B. <COQ>" and
    "CORRECTED - C.O.M.B <CMCO>")."""
    return (bool(mine.companies) and bool(theirs.companies) and not mine.companies & theirs.companies
            and bool(mine.headline) and bool(theirs.headline)
            and not _misspelt(mine.headline[0], theirs.headline[0]))


def _headline_figures_differ(mine: _Read, theirs: _Read) -> bool:
    figures, words = set(), set()
    mine_at, theirs_at = _places(mine.headline), _places(theirs.headline)
    for place in mine_at.keys() & theirs_at.keys():
        left, right = mine_at[place], theirs_at[place]
        if left & right:
            continue
        kinds = {word[0].isdigit() for word in left | right}
        if kinds == {True}:
            figures.add((left, right))
        elif kinds == {False} and not any(_misspelt(one, other) for one in left for other in right):
            words.add((left, right))
    if len(figures) != 1:
        return len(figures) > 1
    # One figure differs: a correction, unless the headlines also differ in a word or in whom they name.
    return bool(words) or _each_names_another(mine.names - set(theirs.headline),
                                              theirs.names - set(mine.headline))


def _places(words: list[str]) -> dict[tuple[str, str], frozenset[str]]:
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for at, word in enumerate(words):
        found[(words[at - 1] if at else "", words[at + 1] if at + 1 < len(words) else "")].add(word)
    return {place: frozenset(there) for place, there in found.items()}


def _names_differ(mine: _Read, theirs: _Read) -> bool:
    return _each_names_another({name for name in mine.names if _short(name) not in theirs.mentioned},
                               {name for name in theirs.names if _short(name) not in mine.mentioned})


def _each_names_another(mine: set[str], theirs: set[str]) -> bool:
    """Whether both of two sets of names hold one that is not a misspelling of one of the other."""
    return bool(_unpaired(mine, theirs)) and bool(_unpaired(theirs, mine))


def _unpaired(names: Iterable[str], others: Iterable[str]) -> list[str]:
    """The ``names`` that are not a misspelling of one of ``others``."""
    return [name for name in names if not any(_misspelt(name, other) for other in others)]




def _misspelt(one: str, other: str) -> bool:
    """Whether two words differ by a typing slip: one edit in a short word, two in a longer one
    (Levenshtein distance)."""
    allowed = 1 if min(len(one), len(other)) < 5 else 2
    if abs(len(one) - len(other)) > allowed:
        return False
    previous = list(range(len(other) + 1))
    for row, letter in enumerate(one, start=1):
        current = [row]
        for column, theirs in enumerate(other, start=1):
            current.append(min(previous[column] + 1, current[column - 1] + 1,
                               previous[column - 1] + (letter != theirs)))
        previous = current
    return previous[-1] <= allowed
