"""Turning what a caller passes to ``Index.search`` into a :class:`SearchPlan`: the engine's
:class:`~searchkit.engines.base.SearchRequest` and what searchkit does around it."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Optional, Sequence, Union

from searchkit.engines.base import Capability, Engine, SearchRequest
from searchkit.errors import InvalidOptionError, UnsupportedQueryError
from searchkit.news.recency import DEFAULT_HALF_LIFE, parse_half_life
from searchkit.news.timeline import check_interval
from searchkit.query import DateRange, Node, parse, parse_date_bound
from searchkit.query import tree as t
from searchkit.text.languages import check_language

#: The orders a caller may ask for: an engine's, and ``"recent"`` (relevance blended with freshness).
SORTS = ("relevance", "newest", "oldest", "recent")

MAX_LIMIT = 1_000_000
DateLike = Union[str, dt.date, dt.datetime, None]
HalfLife = Union[str, dt.timedelta, None]
LanguagesLike = Union[str, Sequence[str], None]


def to_tree(query: Union[str, Node], *, plain: bool, now: Optional[dt.date] = None) -> Node:
    """Parse a query string (its relative dates on the day ``now``, default today), or pass a tree built
    in code through."""
    if isinstance(query, str):
        return _parsed(query, plain, now or dt.date.today())
    return query


@functools.lru_cache(maxsize=256)
def _parsed(text: str, plain: bool, now: dt.date) -> Node:
    # A tree is immutable and depends on nothing else, so a query asked again (the next page, a
    # reload, a saved search) is not parsed again; errors are raised every time (never cached).
    return parse(text, plain=plain, now=now)


def date_filter(since: DateLike, until: DateLike, *, now: Optional[dt.date] = None) -> Optional[DateRange]:
    """The ``since``/``until`` options as one inclusive range (relative dates on the day ``now``, default
    today), or ``None`` when neither is given."""
    if since is None and until is None:
        return None
    start = parse_date_bound(since, end=False, now=now, option="since") if since is not None else None
    end = parse_date_bound(until, end=True, now=now, option="until") if until is not None else None
    return DateRange(start, end)


def reference_day(now: DateLike) -> Optional[dt.date]:
    """The day ``now`` names (itself read relative to today: ``yesterday`` works), or ``None``."""
    return parse_date_bound(now, end=True, option="now") if now is not None else None


def check_page(limit: int, offset: int, sort: str) -> None:
    """Reject nonsense paging and sort options with :class:`InvalidOptionError`."""
    if sort not in SORTS:
        raise InvalidOptionError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    if not 0 <= limit <= MAX_LIMIT:
        raise InvalidOptionError(f"limit must be between 0 and {MAX_LIMIT:,}")
    if offset < 0:
        raise InvalidOptionError("offset must be >= 0")


@dataclass(frozen=True)
class Recency:
    """``sort="recent"``: the blend's half-life, and the day ages count back from (``None``: the newest
    article in the index)."""

    half_life: dt.timedelta
    now: Optional[dt.date]


@dataclass(frozen=True)
class SearchPlan:
    """One search: what the engine runs, and what searchkit does around it (the recency blend, the
    histogram's interval, the facets, collapsing stories)."""

    request: SearchRequest
    recency: Optional[Recency] = None
    histogram: Optional[str] = None
    collapse: bool = False
    #: The order asked for, as given (``"recent"`` runs as ``"newest"`` without words to score).
    sort: str = "relevance"
    #: The query was plain words (no syntax), as the suggestion must read it.
    plain: bool = False
    #: On zero hits, show the suggestion's hits when it has some.
    autocorrect: bool = True
    #: The day the query's relative dates were read on (a suggestion is read on the same day).
    today: Optional[dt.date] = None
    facets: bool = False
    #: The ``lang`` filter: only articles in these languages, the query's words analysed in them.
    languages: tuple[str, ...] = ()


def plan_search(
    query: Union[str, Node],
    *,
    limit: int = 10,
    offset: int = 0,
    sort: str = "relevance",
    since: DateLike = None,
    until: DateLike = None,
    plain: bool = False,
    snippets: bool = True,
    histogram: Optional[str] = None,
    half_life: HalfLife = None,
    now: DateLike = None,
    collapse: bool = False,
    autocorrect: bool = True,
    facets: bool = False,
    lang: LanguagesLike = None,
) -> SearchPlan:
    """Check the options and parse the query; raises :class:`QuerySyntaxError`,
    :class:`InvalidOptionError` or :class:`InvalidDateError`.

    ``now`` is the reference day: what ``today`` means in relative dates (default: today), and with
    ``sort="recent"`` the day ages count from (default: the newest article in the index). ``lang`` (a
    code, several separated by commas, or a sequence) keeps the articles in those languages."""
    languages = language_filter(lang)
    check_page(limit, offset, sort)
    if histogram is not None:
        check_interval(histogram)
    if sort != "recent" and half_life is not None:
        raise InvalidOptionError("half-life only applies to sort recent")
    given = reference_day(now)
    today = given or dt.date.today()  # one today for the query's dates and since/until alike
    tree = with_languages(to_tree(query, plain=plain, now=today), languages)
    recency = None
    if sort == "recent" and has_scored_words(tree):
        recency = Recency(parse_half_life(half_life) if half_life is not None else DEFAULT_HALF_LIFE, given)
    request = SearchRequest(
        tree=tree,
        query_text=query if isinstance(query, str) else str(query),
        limit=limit,
        offset=offset,
        sort="relevance" if recency is not None else "newest" if sort == "recent" else sort,
        date_filter=date_filter(since, until, now=today),
        snippets=snippets,
        count_days=histogram is not None or facets,
        count_languages=facets,
    )
    return SearchPlan(request, recency, histogram, collapse, sort, plain, autocorrect, today, facets,
                      languages)


def language_filter(lang: LanguagesLike) -> tuple[str, ...]:
    """The ``lang`` option as language codes; :class:`UnknownLanguageError` for one searchkit lacks."""
    if lang is None:
        return ()
    given = lang.split(",") if isinstance(lang, str) else list(lang)
    return tuple(dict.fromkeys(check_language(code, where="lang") for code in given if code.strip()))


def with_languages(tree: Node, languages: tuple[str, ...]) -> Node:
    """``tree`` restricted to articles in ``languages`` (none: as it is)."""
    return t.And(tree, t.Language(*languages)) if languages else tree


def check_supported(request: SearchRequest, engine: Engine) -> None:
    """Raise :class:`UnsupportedQueryError` when ``request`` uses a feature ``engine`` lacks."""
    needs = [_needs(node) for node in t.walk(request.tree)]
    if request.count_days:
        needs.append(Capability.DAY_COUNTS)
    for needed in needs:
        if needed is not None and needed not in engine.capabilities:
            raise UnsupportedQueryError(engine.name, needed.value)


def _needs(node: Node) -> Optional[Capability]:
    if isinstance(node, t.Phrase):
        return Capability.PHRASE_SLOP if node.slop else Capability.PHRASE
    if isinstance(node, t.Prefix):
        return Capability.PREFIX
    if isinstance(node, t.Wildcard):
        return Capability.WILDCARD
    if isinstance(node, t.Or) and node.minimum > 1:
        return Capability.MINIMUM_MATCH
    return None


def has_scored_words(tree: Node) -> bool:
    """Whether ``tree`` has a word, phrase, prefix or wildcard that scores (one not under a NOT). Without
    one (``*``, a date range, only exclusions) every match is equally relevant, so ``sort="recent"`` is
    newest first, and is run as ``"newest"``: exactly, on every match, not only within the rerank window."""
    if isinstance(tree, (t.Term, t.Phrase, t.Prefix, t.Wildcard, t.Fuzzy)):
        return True
    if isinstance(tree, (t.And, t.Or)):
        return any(has_scored_words(child) for child in tree.children)
    return False
