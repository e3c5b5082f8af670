"""Relative dates: ``today``, ``yesterday``, ``monday``, ``3 days ago``, ``last week``, ``this month``,
``last 7 days``, each the period of whole days it means on a reference day ``now``.

A relative date names a period, as ``2017-11`` names a month, so it works the same way as a bound, after
``>`` or ``<``, and in a range (docs/query-language.md has the table):

- ``today``, ``yesterday`` and ``N days ago`` are one day; a weekday (``monday``) is the most recent one
  on or before ``now`` (``now`` itself when it is that weekday);
- ``last week``/``month``/``year`` and ``N weeks``/``months``/``years ago`` are whole calendar periods
  before the current one (weeks are ISO weeks, Monday to Sunday; ``1 week ago`` is ``last week``);
- ``this week``/``month``/``year`` run from the period's first day to ``now``, never past it;
- ``last N days``/``weeks``/``months``/``years`` (or ``past``) are the rolling N units that end ``now``
  (``last 7 days`` is ``now`` and the 6 days before it).

Month and year steps use dateutil's ``relativedelta`` (calendar months, clamped to a month's last day).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Optional

#: The relative forms, for messages that list what a date may be.
RELATIVE_FORMS = ("today, yesterday, a weekday (monday), N days/weeks/months/years ago, last N days, "
                  "last/this week/month/year")

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_UNITS = {"day": "days", "week": "weeks", "month": "months", "year": "years"}
_UNIT = r"(day|week|month|year)s?"
_AGO = re.compile(rf"([0-9]{{1,4}}) {_UNIT} ago")
_ROLLING = re.compile(rf"(?:last|past) ([0-9]{{1,4}}) {_UNIT}")
_CALENDAR = re.compile(r"(last|this) (week|month|year)")
_ONE_DAY = dt.timedelta(days=1)


class RelativeDateError(ValueError):
    """A relative form that names no day searchkit can hold (``0 weeks ago``, ``9999 years ago``); its
    message is fit for a user. Callers turn it into their own error with a position or a value."""


def normalized(text: str) -> str:
    """``text`` lower-cased with runs of whitespace as one space: how relative forms are compared."""
    return " ".join(text.lower().split())


def resolve(text: str, now: dt.date) -> Optional[tuple[dt.date, dt.date]]:
    """The first and last day of the relative date ``text`` on the day ``now``, or ``None`` when ``text``
    is not a relative form (it may still be an absolute date). Raises :class:`RelativeDateError` for a
    relative form whose period cannot be held (``0 days ago``, or before 0001-01-01)."""
    words = normalized(text)
    try:
        return _resolve(words, now)
    except (OverflowError, ValueError) as error:
        if isinstance(error, RelativeDateError):
            raise
        raise RelativeDateError(f"{text.strip()!r} is before {dt.date.min.isoformat()}") from None


def _resolve(words: str, now: dt.date) -> Optional[tuple[dt.date, dt.date]]:
    if words == "today":
        return now, now
    if words == "yesterday":
        day = now - _ONE_DAY
        return day, day
    if words in WEEKDAYS:
        day = now - dt.timedelta(days=(now.weekday() - WEEKDAYS.index(words)) % 7)
        return day, day
    if (calendar := _CALENDAR.fullmatch(words)) is not None:
        which, unit = calendar.groups()
        if which == "this":
            return _period_of(now, unit)[0], now
        return _periods_back(now, unit, 1)
    if (ago := _AGO.fullmatch(words)) is not None:
        count, unit = int(ago.group(1)), ago.group(2)
        if count < 1:
            instead = "today" if unit == "day" else f"this {unit}"
            raise RelativeDateError(f"'{words}' is not in the past: write {instead}")
        return _periods_back(now, unit, count)
    if (rolling := _ROLLING.fullmatch(words)) is not None:
        count, unit = int(rolling.group(1)), rolling.group(2)
        if count < 1:
            raise RelativeDateError(f"'{words}' holds no days: write last 1 {unit} or more")
        try:
            return _step(now, unit, -count) + _ONE_DAY, now
        except (OverflowError, ValueError):  # reaching back before 0001-01-01: every day up to now
            return dt.date.min, now
    return None


def _period_of(day: dt.date, unit: str) -> tuple[dt.date, dt.date]:
    """The calendar day, ISO week, month or year that holds ``day``."""
    from dateutil.relativedelta import relativedelta  # only relative dates need dateutil

    if unit == "day":
        return day, day
    if unit == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    if unit == "month":
        first = day.replace(day=1)
        return first, first + relativedelta(months=1, days=-1)
    first = day.replace(month=1, day=1)
    return first, day.replace(month=12, day=31)


def _periods_back(now: dt.date, unit: str, count: int) -> tuple[dt.date, dt.date]:
    """The whole calendar ``unit`` that is ``count`` units before the one holding ``now``."""
    return _period_of(_step(_period_of(now, unit)[0], unit, -count), unit)


def _step(day: dt.date, unit: str, count: int) -> dt.date:
    """``day`` moved by ``count`` calendar units (a month from 31 March is 30 April)."""
    from dateutil.relativedelta import relativedelta

    moved: dt.date = day + relativedelta(**{_UNITS[unit]: count})  # type: ignore[arg-type]
    return moved
