""""Did you mean": the query as typed with only its misspelt words rewritten.

A word is misspelt when no article holds it in the field it was asked in (headline, body, or either).
Its candidates are the words of the index's headlines (edited text: a body's typos would be suggested
back) that share its first letter and lie at most :data:`MAX_EDITS` edits away; the nearest wins, then
one that sounds like the word typed (the same Metaphone key: ``opek`` is ``opec`` rather than ``open``),
then the one in most articles of the field it was asked in, then the first in order. Candidates that no
article of that field holds are not offered. The engine lists the candidates and counts the articles
(:meth:`~searchkit.engines.base.EngineReader.spelling_candidates`,
:meth:`~searchkit.engines.base.EngineReader.document_frequencies`); the rule is this module's, the same
on every engine.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Optional, Sequence

from searchkit.engines.base import EngineReader
from searchkit.query.rewrite import TypedWord, rewrite, typed_words
from searchkit.query.tree import TEXT_FIELDS
from searchkit.text.analysis import fold
from searchkit.text.edits import edit_distance
from searchkit.text.multilingual import query_analyses, stopped_in, word_any

#: Queries of more than this many words get no suggestion: pasted text, not a misspelt search.
SUGGEST_MAX_WORDS = 8
#: ... nor a word longer than this: no misspelt word is, and edit distances grow with the square of a
#: word's length (a pasted 4,000-letter word took seconds on every engine's vocabulary).
SUGGEST_MAX_CHARS = 40
#: Words shorter than this are left alone (initials, "u" of "u.s.").
MIN_LETTERS = 3


def suggest(reader: EngineReader, query: str, *, plain: bool = False,
            languages: Sequence[str] = ()) -> Optional[str]:
    """``query`` with each misspelt word replaced by its best candidate, or ``None`` if none is."""
    fixes = misspellings(reader, query, plain=plain, languages=languages)
    return rewrite(query, fixes) if fixes else None


def misspellings(reader: EngineReader, query: str, *, plain: bool = False,
                 languages: Sequence[str] = ()) -> dict[TypedWord, str]:
    """Each misspelt word of ``query`` and its best candidate (a headline word, folded). Words are
    analysed in each of ``languages`` (none: English), as a query's are: a word is known when one of
    its analyses is indexed, and a candidate counts the articles of its most frequent analysis. A stop
    word of one of ``languages`` is no misspelling: no article holds it as a word."""
    words = typed_words(query, plain=plain)
    if len(words) > SUGGEST_MAX_WORDS or any(len(w.text) > SUGGEST_MAX_CHARS for w in words):
        return {}
    asked = [w for w in words if len(w.text) >= MIN_LETTERS]
    stems = {w.text: _analysed(w.text, languages) for w in asked}
    counts = _frequencies(reader, [(w.field, stem) for w in asked for stem in stems[w.text]])
    unknown = [w for w in asked if stems[w.text] and _count(counts, w.field, stems[w.text]) == 0
               and not (languages and stopped_in(w.text, languages))]
    if not unknown:
        return {}
    candidates = reader.spelling_candidates(sorted({fold(w.text) for w in unknown}))
    for candidate in {c for w in unknown for c in candidates.get(fold(w.text), ())}:
        stems[candidate] = _analysed(candidate, languages)
    counts.update(_frequencies(reader, [(w.field, stem) for w in unknown
                                        for c in candidates.get(fold(w.text), ()) for stem in stems[c]]))
    replacements: dict[TypedWord, str] = {}
    for word in unknown:
        best = _best(fold(word.text), word.field, candidates.get(fold(word.text), ()), counts, stems)
        if best is not None:
            replacements[word] = best
    return replacements


def as_written(fixes: Mapping[TypedWord, str], headlines: Iterable[str]) -> dict[TypedWord, str]:
    """``fixes`` with each candidate as ``headlines`` write it when one does (its accents: "sécheresse",
    not the folded "secheresse"), else as it is. Headlines, because candidates are headline words."""
    written: dict[str, str] = {}
    for headline in headlines:
        for match in word_any().finditer(headline):
            surface = match.group().lower()
            written.setdefault(fold(surface), surface)
    return {word: written.get(candidate, candidate) for word, candidate in fixes.items()}


def _analysed(word: str, languages: Sequence[str]) -> list[str]:
    """The indexed forms of ``word`` as a query word, one per distinct analysis of ``languages``."""
    return [words[-1] for words in query_analyses(word, languages) if words]


Counts = dict[tuple[str, str], int]


def _frequencies(reader: EngineReader, asked: Sequence[tuple[Optional[str], str]]) -> Counts:
    """Articles holding each (field, analysed word); a word asked without a field is counted in both."""
    counts: Counts = {}
    for name in TEXT_FIELDS:
        terms = sorted({stem for field, stem in asked if field in (None, name)})
        if terms:
            for term, count in reader.document_frequencies(name, terms).items():
                counts[(name, term)] = count
    return counts


def _count(counts: Counts, field: Optional[str], stems: Sequence[str]) -> int:
    """The articles of the most frequent of ``stems`` (one word's analyses) in ``field``."""
    fields = (field,) if field else TEXT_FIELDS
    return max((sum(counts.get((name, stem), 0) for name in fields) for stem in stems), default=0)


def _best(word: str, field: Optional[str], candidates: Sequence[str], counts: Counts,
          stems: Mapping[str, Sequence[str]]) -> Optional[str]:
    from jellyfish import metaphone  # on first use: only a query that found nothing needs it

    ranked = []
    sound = metaphone(word)
    for candidate in candidates:
        frequency = _count(counts, field, stems[candidate])
        if frequency > 0:
            sounds_else = metaphone(candidate) != sound
            ranked.append((edit_distance(word, candidate), sounds_else, -frequency, candidate))
    return min(ranked)[-1] if ranked else None
