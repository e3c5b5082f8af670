"""Dates: the periods and ranges of the query language's ``date:`` field, and the API's date bounds.

A date in a query names a period: ``2017`` a year, ``2017-11`` a month, ``2017-11-18`` a day, and the
relative forms of :mod:`searchkit.query.relative` (``yesterday``, ``"last week"``) the period they mean on
a reference day ``now`` (default: today). The parser asks :func:`read_date_value` for the range a
``date:`` value means; errors point into the query. :func:`parse_date_bound` reads the looser dates people
pass as ``since=``/``until=`` (``--since``/``--until``) and refuses the ones that could mean two different
days.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Optional, Union

from searchkit.errors import InvalidDateError, QuerySyntaxError
from searchkit.query.relative import RELATIVE_FORMS, RelativeDateError, normalized, resolve
from searchkit.query.tree import DateRange

# Four-digit years only, so a stray number is never taken for a date.
_PERIOD = re.compile(r"([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?")
_VALUE_END = re.compile(r'[\s()"]')  # a date value ends where a query word ends
_RANGE_WORD_END = re.compile(r"[\s\]})]")
_BETWEEN_WORDS = re.compile(r'[\s()"]+')
_YEAR_FIRST = re.compile(r"[0-9]{4}(?![0-9])")
_COMPARISONS = (">=", "<=", ">", "<")
_ONE_DAY = dt.timedelta(days=1)
_FORMATS = f"YYYY, YYYY-MM, YYYY-MM-DD, or {RELATIVE_FORMS}"
#: What since/until accept, for the message that refuses a value.
BOUND_FORMATS = f"YYYY-MM-DD, 18 Nov 2017, YYYY-MM, YYYY, or {RELATIVE_FORMS}"
_SINCE = "since "

# Two defaults that differ in year, month and day: a field dateutil fills from the default is one the
# text did not give.
_DEFAULT_A = dt.datetime(2000, 1, 1)
_DEFAULT_B = dt.datetime(2004, 12, 28)


def period(text: str, *, query: Optional[str] = None, offset: int = 0,
           now: Optional[dt.date] = None) -> tuple[dt.date, dt.date]:
    """The first and last day of ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or a relative date on the day
    ``now`` (default: today).

    Errors are :class:`QuerySyntaxError` positioned at ``offset`` in ``query`` (``text`` itself by default).
    """
    where = text if query is None else query
    match = _PERIOD.fullmatch(text)
    if match is None:
        try:
            relative = resolve(text, now or dt.date.today())
        except RelativeDateError as error:
            raise QuerySyntaxError(where, offset, str(error)) from None
        if relative is None and normalized(text).startswith(_SINCE):
            raise QuerySyntaxError(where, offset, f"'since' starts a whole date: value, like date:\"{text}\"")
        if relative is None:
            raise QuerySyntaxError(where, offset, f"not a date: {text!r} (use {_FORMATS})")
        return relative
    try:
        return _bounds(*_numbers(match))
    except ValueError:
        raise QuerySyntaxError(where, offset, f"impossible date {text}") from None


def read_date_value(query: str, start: int, *, now: Optional[dt.date] = None) -> tuple[DateRange, int]:
    """Read the value of a ``date:`` field that starts at ``query[start]``.

    Returns the range it means and the index just after it. Accepted: ``2017``, ``2017-11``, ``2017-11-18``,
    a relative date on the day ``now`` (default: today; one word bare, several in quotes:
    ``yesterday``, ``"last week"``), ``"since <date>"`` (that date's first day onwards),
    ``[2017-11-01 TO 2017-11-30]`` (either bound may be ``*``, and ``{`` or ``}`` excludes its end), and
    ``>=``, ``>``, ``<=``, ``<`` before a date.
    """
    first_char = query[start] if start < len(query) else ""
    if first_char in ("[", "{"):
        return _read_range(query, start, now)
    if first_char == "(":
        raise QuerySyntaxError(query, start, "date: takes a date or a [range], not a group")
    comparison = next((c for c in _COMPARISONS if query.startswith(c, start)), "")
    at = start + len(comparison)
    value, end = _read_word(query, at, _VALUE_END)
    if not value:
        if comparison:
            raise QuerySyntaxError(query, at, f"expected a date after '{comparison}'")
        raise QuerySyntaxError(query, start, f"expected a date ({_FORMATS})")
    if query[at] == '"' and normalized(value).startswith(_SINCE):
        if comparison:
            raise QuerySyntaxError(query, at, f"'{comparison}' and 'since' say the same: write one of them")
        first, _ = period(normalized(value)[len(_SINCE):], query=query, offset=at, now=now)
        return DateRange(first, None), end
    if query[at] != '"':
        _refuse_unquoted_words(query, at, value, now, comparison)
    first, last = period(value, query=query, offset=at, now=now)
    if comparison:
        return _open_range(comparison, first, last, query, at), end
    return DateRange(first, last), end


def parse_date_bound(value: Union[str, dt.date, dt.datetime], *, end: bool = False,
                     now: Optional[dt.date] = None, option: Optional[str] = None) -> dt.date:
    """The day a ``since``/``until`` value means.

    Takes a date, a datetime (its date is used) or a string: ``2017-11-18``, ``18 Nov 2017``,
    ``November 18, 2017``, ``2017/11/18``, or a relative date on the day ``now`` (default: today:
    ``yesterday``, ``last week``, ``3 days ago``; ``since monday`` as a start). A period (``2017``,
    ``2017-11``, ``Nov 2017``, ``last month``) means its first day, or its last day when ``end`` is true.
    Raises :class:`InvalidDateError` for a string that is not a date or that could be read as two
    different days (``01/02/2017``), naming ``option`` (what gave the value) when given.
    """
    try:
        return _bound(value, end=end, now=now)
    except InvalidDateError as error:
        if option is None:
            raise
        raise error.given_as(option) from None


def _bound(value: Union[str, dt.date, dt.datetime], *, end: bool, now: Optional[dt.date]) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    not_a_date = f"not a date (use {BOUND_FORMATS})"
    if not isinstance(value, str):
        raise InvalidDateError(value, not_a_date)
    text = value.strip()
    if normalized(text).startswith(_SINCE):
        if end:
            raise InvalidDateError(value, "'since' starts a range: give it as since, not until")
        text = normalized(text)[len(_SINCE):]
    match = _PERIOD.fullmatch(text)
    if match is not None:
        try:
            first, last = _bounds(*_numbers(match))
        except ValueError:
            raise InvalidDateError(value, "not a date") from None
    else:
        try:
            relative = resolve(text, now or dt.date.today())
        except RelativeDateError as error:
            raise InvalidDateError(value, str(error)) from None
        first, last = relative if relative is not None else _read_loose(value, text, not_a_date)
    return last if end else first


def _bounds(year: int, month: Optional[int] = None, day: Optional[int] = None) -> tuple[dt.date, dt.date]:
    """The first and last day of a year, a month or a day; ValueError when it cannot exist."""
    if month is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if day is None:
        first = dt.date(year, month, 1)
        return first, dt.date(year, 12, 31) if month == 12 else dt.date(year, month + 1, 1) - dt.timedelta(1)
    single = dt.date(year, month, day)
    return single, single


def _numbers(match: re.Match[str]) -> tuple[int, Optional[int], Optional[int]]:
    year, month, day = match.groups()
    return int(year), int(month) if month else None, int(day) if day else None


def _end_of(ending: re.Pattern[str], text: str, start: int) -> int:
    """Where the run of text from ``start`` ends: at the first match of ``ending``, or the end of ``text``."""
    found = ending.search(text, start)
    return len(text) if found is None else found.start()


def _read_word(query: str, start: int, ending: re.Pattern[str]) -> tuple[str, int]:
    """The date word at ``start``: quoted (``"last week"``, without its quotes) or running until
    ``ending``; returns it and the index after it. A quoted word must end where a bare one could."""
    if start < len(query) and query[start] == '"':
        close = query.find('"', start + 1)
        if close < 0:
            raise QuerySyntaxError(query, start, "unbalanced quote")
        after = close + 1
        if after < len(query) and query[after] != '"' and not ending.match(query, after):
            raise QuerySyntaxError(query, after, "a quoted date ends at its quote: put a space after it")
        return query[start + 1:close].strip(), after
    end = _end_of(ending, query, start)
    return query[start:end], end


def _refuse_unquoted_words(query: str, start: int, value: str, now: Optional[dt.date],
                            comparison: str) -> None:
    """Raise when the bare ``value`` and the words after it make a relative date (``date:last week``):
    the query would otherwise search for the word ``week``. Says to quote them."""
    if _PERIOD.fullmatch(value) or resolve(value, dt.date.max) is not None:
        return
    words = [word for word in _BETWEEN_WORDS.split(query[start:]) if word][:4]
    for count in (4, 3, 2):
        phrase = normalized(" ".join(words[:count]))
        candidate = phrase[len(_SINCE):] if phrase.startswith(_SINCE) else phrase
        try:
            known = resolve(candidate, now or dt.date.today()) is not None
        except RelativeDateError:
            known = True
        if len(words) >= count and known:
            raise QuerySyntaxError(query, start,
                                   f'quote a date of several words: date:{comparison}"{phrase}"')


def _open_range(comparison: str, first: dt.date, last: dt.date, query: str, at: int) -> DateRange:
    """The open range for ``>= > <= <`` a period: ``>`` starts after it ends, ``<`` ends before it starts."""
    if comparison == ">=":
        return DateRange(first, None)
    if comparison == ">":
        return DateRange(_day_after(last, query, at), None)
    if comparison == "<=":
        return DateRange(None, last)
    return DateRange(None, _day_before(first, query, at))


def _day_after(day: dt.date, query: str, at: int) -> dt.date:
    """The day after ``day``: where ``>`` a period or a ``{`` start begins. An error after 9999-12-31."""
    if day == dt.date.max:
        raise QuerySyntaxError(query, at, f"no dates after {dt.date.max.isoformat()}")
    return day + _ONE_DAY


def _day_before(day: dt.date, query: str, at: int) -> dt.date:
    """The day before ``day``: where ``<`` a period or a ``}`` end stops. An error before 0001-01-01."""
    if day == dt.date.min:
        raise QuerySyntaxError(query, at, f"no dates before {dt.date.min.isoformat()}")
    return day - _ONE_DAY


def _read_range(query: str, bracket: int, now: Optional[dt.date]) -> tuple[DateRange, int]:
    """Read ``[START TO END]`` from the ``[`` or ``{`` at ``bracket``; returns the range and the index after
    the ``]`` or ``}`` that closes it.

    A curly end is excluded with the whole period it names, the way ``>`` and ``<`` exclude theirs, so the
    tree keeps its inclusive days: ``{2017-03 TO 2017-05}`` is April. A range that can hold no day is an
    error, never a search that silently finds nothing: backwards as written, or empty once its curly ends
    are left out.
    """
    words: list[tuple[str, int]] = []
    i = bracket + 1
    while True:
        while i < len(query) and query[i].isspace():
            i += 1
        if i == len(query):
            raise QuerySyntaxError(query, bracket, "unclosed date range")
        if query[i] in "]}":
            break
        if query[i] == ")":
            raise QuerySyntaxError(query, i, "a date range closes with ']' or '}', not ')'")
        if len(words) == 3:
            mirror = "]" if query[bracket] == "[" else "}"
            raise QuerySyntaxError(query, i, f"expected '{mirror}' to close the date range")
        word, end = _read_word(query, i, _RANGE_WORD_END)
        words.append((word, i))
        i = end
    close = i
    if not words:
        raise QuerySyntaxError(query, bracket, "empty date range: write [START TO END]")
    if len(words) < 2 or words[1][0].upper() != "TO":
        at = words[1][1] if len(words) > 1 else close
        raise QuerySyntaxError(query, at, "expected TO in the date range [START TO END]")
    if len(words) < 3:
        raise QuerySyntaxError(query, close, "expected a date after TO")
    (low, low_at), _, (high, high_at) = words
    low_period = None if low == "*" else period(low, query=query, offset=low_at, now=now)
    high_period = None if high == "*" else period(high, query=query, offset=high_at, now=now)
    if low_period is not None and high_period is not None and low_period[0] > high_period[1]:
        raise QuerySyntaxError(query, bracket, "date range ends before it starts")
    start = stop = None
    if low_period is not None:
        first, last = low_period
        start = _day_after(last, query, low_at) if query[bracket] == "{" else first
    if high_period is not None:
        first, last = high_period
        stop = _day_before(first, query, high_at) if query[close] == "}" else last
    if start is not None and stop is not None and start > stop:
        raise QuerySyntaxError(query, bracket, "date range is empty: a { } end leaves out its whole period")
    return DateRange(start, stop), close + 1


def _read_loose(value: str, text: str, not_a_date: str) -> tuple[dt.date, dt.date]:
    """Read a free-form date with dateutil; the period it names, or InvalidDateError."""
    # Only friendly dates need dateutil: keep start-up lean. (It ships no type information.)
    from dateutil import parser as dateutil_parser

    # A year written first is always year-month-day; otherwise the day-first reading must agree.
    readings = (False,) if _YEAR_FIRST.match(text) else (False, True)
    # The date as written is the day meant; time zones are ignored (an unknown one would only warn).
    try:
        parsed = [
            (dateutil_parser.parse(text, dayfirst=dayfirst, default=_DEFAULT_A, ignoretz=True),
             dateutil_parser.parse(text, dayfirst=dayfirst, default=_DEFAULT_B, ignoretz=True))
            for dayfirst in readings
        ]
    except (ValueError, OverflowError):
        raise InvalidDateError(value, not_a_date) from None
    ambiguous = InvalidDateError(value, "ambiguous: write it as YYYY-MM-DD")
    if len({(a.date(), b.date()) for a, b in parsed}) > 1:
        raise ambiguous
    a, b = parsed[0]
    missing = {name for name in ("year", "month", "day") if getattr(a, name) != getattr(b, name)}
    if not missing:
        return a.date(), a.date()
    if missing == {"day"}:
        return _bounds(a.year, a.month)
    if missing == {"month", "day"}:
        return _bounds(a.year)
    if "year" in missing:
        raise ambiguous
    raise InvalidDateError(value, not_a_date)
