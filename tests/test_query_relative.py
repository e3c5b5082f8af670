"""Relative dates against a fixed reference day: the periods they mean at week, month and year turns, leap
days and on the weekday itself; how they read in date: values, since/until, and their errors."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searchkit.errors import InvalidDateError, QuerySyntaxError
from searchkit.query import parse
from searchkit.query.dates import parse_date_bound, read_date_value
from searchkit.query.relative import WEEKDAYS, RelativeDateError, resolve
from searchkit.query.tree import DateRange

D = dt.date


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def span(first: str, last: str) -> tuple[dt.date, dt.date]:
    return day(first), day(last)


# The reference days: a Wednesday in March of a leap year, the 1st of March after a leap day (a Friday),
# New Year's Day (a Wednesday) whose ISO week began in the old year, a Monday and a Sunday.
@pytest.mark.parametrize(("now", "text", "expected"), [
    ("2024-03-06", "today", span("2024-03-06", "2024-03-06")),
    ("2024-03-06", "yesterday", span("2024-03-05", "2024-03-05")),
    ("2024-03-06", "3 days ago", span("2024-03-03", "2024-03-03")),
    ("2024-03-06", "1 day ago", span("2024-03-05", "2024-03-05")),
    ("2024-03-06", "this week", span("2024-03-04", "2024-03-06")),
    ("2024-03-06", "last week", span("2024-02-26", "2024-03-03")),
    ("2024-03-06", "1 week ago", span("2024-02-26", "2024-03-03")),
    ("2024-03-06", "2 weeks ago", span("2024-02-19", "2024-02-25")),
    ("2024-03-06", "this month", span("2024-03-01", "2024-03-06")),
    ("2024-03-06", "last month", span("2024-02-01", "2024-02-29")),
    ("2024-03-06", "this year", span("2024-01-01", "2024-03-06")),
    ("2024-03-06", "last year", span("2023-01-01", "2023-12-31")),
    ("2024-03-06", "last 7 days", span("2024-02-29", "2024-03-06")),
    ("2024-03-06", "past 1 day", span("2024-03-06", "2024-03-06")),
    ("2024-03-06", "last 2 weeks", span("2024-02-22", "2024-03-06")),
    # month turn after a leap day
    ("2024-03-01", "yesterday", span("2024-02-29", "2024-02-29")),
    ("2024-03-01", "this month", span("2024-03-01", "2024-03-01")),
    ("2024-03-01", "last month", span("2024-02-01", "2024-02-29")),
    ("2024-03-01", "this week", span("2024-02-26", "2024-03-01")),
    ("2024-03-01", "2 months ago", span("2024-01-01", "2024-01-31")),
    ("2023-03-01", "yesterday", span("2023-02-28", "2023-02-28")),
    ("2023-03-01", "last month", span("2023-02-01", "2023-02-28")),
    # the leap day itself; a rolling month or year clamps to the shorter month
    ("2024-02-29", "1 year ago", span("2023-01-01", "2023-12-31")),
    ("2024-02-29", "last 1 year", span("2023-03-01", "2024-02-29")),
    ("2024-03-31", "last 1 month", span("2024-03-01", "2024-03-31")),
    ("2024-03-31", "last month", span("2024-02-01", "2024-02-29")),
    # year turn: the ISO week of 1 January 2025 began on 30 December 2024
    ("2025-01-01", "yesterday", span("2024-12-31", "2024-12-31")),
    ("2025-01-01", "this week", span("2024-12-30", "2025-01-01")),
    ("2025-01-01", "last week", span("2024-12-23", "2024-12-29")),
    ("2025-01-01", "this month", span("2025-01-01", "2025-01-01")),
    ("2025-01-01", "last month", span("2024-12-01", "2024-12-31")),
    ("2025-01-01", "this year", span("2025-01-01", "2025-01-01")),
    ("2025-01-01", "last year", span("2024-01-01", "2024-12-31")),
    ("2025-01-01", "3 days ago", span("2024-12-29", "2024-12-29")),
    ("2021-01-03", "this week", span("2020-12-28", "2021-01-03")),  # a Sunday in the old year's week
    # Monday itself: "monday" is today and this week is one day
    ("2024-03-04", "monday", span("2024-03-04", "2024-03-04")),
    ("2024-03-04", "this week", span("2024-03-04", "2024-03-04")),
    ("2024-03-04", "last week", span("2024-02-26", "2024-03-03")),
    ("2024-03-04", "sunday", span("2024-03-03", "2024-03-03")),
    ("2024-03-04", "tuesday", span("2024-02-27", "2024-02-27")),
    # Sunday ends the ISO week
    ("2024-03-10", "this week", span("2024-03-04", "2024-03-10")),
    ("2024-03-10", "last week", span("2024-02-26", "2024-03-03")),
    ("2024-03-10", "monday", span("2024-03-04", "2024-03-04")),
    # case and spacing
    ("2024-03-06", "  Last   WEEK ", span("2024-02-26", "2024-03-03")),
    ("2024-03-06", "Friday", span("2024-03-01", "2024-03-01")),
])
def test_relative_periods(now, text, expected):
    assert resolve(text, day(now)) == expected


@pytest.mark.parametrize("text", ["2017", "junk", "lst week", "last", "next week", "tomorrow", "3 days",
                                  "days ago", "last monday", "3 fortnights ago", "٣ days ago", ""])
def test_what_is_not_a_relative_date(text):
    assert resolve(text, D(2024, 3, 6)) is None


@pytest.mark.parametrize(("text", "message"), [
    ("0 days ago", "'0 days ago' is not in the past: write today"),
    ("0 months ago", "'0 months ago' is not in the past: write this month"),
    ("last 0 weeks", "'last 0 weeks' holds no days: write last 1 week or more"),
    ("3000 years ago", "'3000 years ago' is before 0001-01-01"),
])
def test_relative_dates_that_name_no_period(text, message):
    with pytest.raises(RelativeDateError) as caught:
        resolve(text, D(2024, 3, 6))
    assert str(caught.value) == message


def test_near_the_first_day():
    assert resolve("yesterday", D(1, 1, 2)) == (D(1, 1, 1), D(1, 1, 1))
    assert resolve("last 1 day", D(1, 1, 1)) == (D(1, 1, 1), D(1, 1, 1))
    assert resolve("last 9999 years", D(2024, 3, 6)) == (D(1, 1, 1), D(2024, 3, 6))  # all there is
    with pytest.raises(RelativeDateError):
        resolve("yesterday", D(1, 1, 1))
    with pytest.raises(RelativeDateError):
        resolve("last week", D(1, 1, 3))  # 0001-01-01 was a Monday: no week before it


@given(st.dates(min_value=D(2, 1, 1), max_value=D(9999, 12, 31)),
       st.sampled_from(["week", "month", "year"]), st.integers(min_value=1, max_value=30))
def test_period_rules_hold_on_every_day(now, unit, count):
    this_first, this_last = resolve(f"this {unit}", now)
    last_first, last_last = resolve(f"last {unit}", now)
    assert this_first <= now == this_last
    assert last_last == this_first - dt.timedelta(days=1)  # last week ends where this week starts
    assert resolve(f"1 {unit} ago", now) == (last_first, last_last)
    if unit == "week":
        assert this_first.weekday() == last_first.weekday() == 0 and last_last.weekday() == 6
    rolling_first, rolling_last = resolve(f"last {count} days", now)
    assert rolling_last == now and (now - rolling_first).days == count - 1
    assert resolve(f"{count} days ago", now) == (now - dt.timedelta(days=count),) * 2
    for weekday in WEEKDAYS:
        found, same = resolve(weekday, now)
        assert found == same and 0 <= (now - found).days < 7 and WEEKDAYS[found.weekday()] == weekday


# In the query language


NOW = D(2024, 3, 6)  # a Wednesday


@pytest.mark.parametrize(("value", "expected"), [
    ("yesterday", DateRange(D(2024, 3, 5), D(2024, 3, 5))),
    ('"last week"', DateRange(D(2024, 2, 26), D(2024, 3, 3))),
    ('"since monday"', DateRange(D(2024, 3, 4), None)),
    ('"Since 2024-02"', DateRange(D(2024, 2, 1), None)),
    ('>"3 days ago"', DateRange(D(2024, 3, 4), None)),
    ('>=yesterday', DateRange(D(2024, 3, 5), None)),
    ('<"last month"', DateRange(None, D(2024, 1, 31))),
    ('<="last month"', DateRange(None, D(2024, 2, 29))),
    ('["2 weeks ago" TO yesterday]', DateRange(D(2024, 2, 19), D(2024, 3, 5))),
    ('{"last week" TO today]', DateRange(D(2024, 3, 4), D(2024, 3, 6))),
    ('[2024-01 TO "last week"}', DateRange(D(2024, 1, 1), D(2024, 2, 25))),
    ('"2017-11"', DateRange(D(2017, 11, 1), D(2017, 11, 30))),
])
def test_relative_date_values(value, expected):
    query = f"date:{value} pink"
    assert read_date_value(query, 5, now=NOW) == (expected, 5 + len(value))


@pytest.mark.parametrize(("query", "position", "message"), [
    ("oil date:last week", 10, 'quote a date of several words: date:"last week"'),
    ("(date:3 days ago)", 7, 'quote a date of several words: date:"3 days ago"'),
    ("date:since monday", 6, 'quote a date of several words: date:"since monday"'),
    ("date:>=last month", 8, 'quote a date of several words: date:>="last month"'),
    ('oil date:"lst week"', 10, "not a date: 'lst week' (use YYYY, YYYY-MM, YYYY-MM-DD, or today, "
                               "yesterday, a weekday (monday), N days/weeks/months/years ago, last N days, "
                               "last/this week/month/year)"),
    ('date:"0 weeks ago"', 6, "'0 weeks ago' is not in the past: write this week"),
    ('date:>"since monday"', 7, "'>' and 'since' say the same: write one of them"),
    ('date:["since monday" TO *]', 7, "'since' starts a whole date: value, like date:\"since monday\""),
    ('date:"last week', 6, "unbalanced quote"),
    ('date:"last week"~2', 17, "a quoted date ends at its quote: put a space after it"),
    ('date:["last week"TO today]', 18, "a quoted date ends at its quote: put a space after it"),
    ('date:""', 6, "expected a date (YYYY, YYYY-MM, YYYY-MM-DD, or today, yesterday, a weekday (monday), "
                   "N days/weeks/months/years ago, last N days, last/this week/month/year)"),
    ('date:[yesterday TO "last week"]', 6, "date range ends before it starts"),
])
def test_relative_date_errors_point_at_the_date(query, position, message):
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query, now=NOW)
    assert (caught.value.position, caught.value.message) == (position, message)


def test_a_bare_date_word_followed_by_search_words_is_no_error():
    assert str(parse("date:monday morning", now=NOW)) == "(date:[2024-03-04 TO 2024-03-04] AND morning)"
    assert str(parse("date:2024 last week", now=NOW)) == "(date:[2024-01-01 TO 2024-12-31] AND last AND week)"


def test_a_quoted_date_may_close_a_group_or_a_range():
    assert str(parse('(date:"last week")', now=NOW)) == "date:[2024-02-26 TO 2024-03-03]"
    tree = parse('date:[2024 TO "last week"] oil', now=NOW)
    assert str(tree) == "(date:[2024-01-01 TO 2024-03-03] AND oil)"


def test_now_may_itself_be_relative_to_today():
    from searchkit.index.request import reference_day

    assert reference_day("2024-03") == D(2024, 3, 31)  # a month means its last day, as for recency
    assert reference_day("today") in (dt.date.today(), dt.date.today() - dt.timedelta(days=1))
    assert reference_day(None) is None


def test_now_defaults_to_today():
    before = dt.date.today()
    tree = parse("date:today")
    after = dt.date.today()
    assert tree in (DateRange(before, before), DateRange(after, after))


# since / until


@pytest.mark.parametrize(("value", "start", "end"), [
    ("yesterday", D(2024, 3, 5), D(2024, 3, 5)),
    ("last week", D(2024, 2, 26), D(2024, 3, 3)),
    ("this month", D(2024, 3, 1), D(2024, 3, 6)),
    ("3 days ago", D(2024, 3, 3), D(2024, 3, 3)),
    ("monday", D(2024, 3, 4), D(2024, 3, 4)),
    ("last 7 days", D(2024, 2, 29), D(2024, 3, 6)),
    ("Last Month", D(2024, 2, 1), D(2024, 2, 29)),
])
def test_relative_since_and_until(value, start, end):
    assert parse_date_bound(value, now=NOW) == start
    assert parse_date_bound(value, end=True, now=NOW) == end


def test_since_a_day():
    assert parse_date_bound("since monday", now=NOW) == D(2024, 3, 4)
    assert parse_date_bound("since 18 Nov 2017", now=NOW) == D(2017, 11, 18)
    with pytest.raises(InvalidDateError) as caught:
        parse_date_bound("since monday", end=True, now=NOW)
    assert caught.value.reason == "'since' starts a range: give it as since, not until"


def test_a_bad_relative_bound_says_why():
    with pytest.raises(InvalidDateError) as caught:
        parse_date_bound("0 days ago", now=NOW)
    assert str(caught.value) == "invalid date '0 days ago': '0 days ago' is not in the past: write today"
