"""Dates on their own: query date values with exact error positions, and the API's since/until bounds."""

from __future__ import annotations

import datetime as dt
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchkit.errors import InvalidDateError, QuerySyntaxError
from searchkit.query.dates import parse_date_bound, period, read_date_value
from searchkit.query.tree import DateRange

D = dt.date
#: What a message refusing a date value lists.
FORMS = ("YYYY, YYYY-MM, YYYY-MM-DD, or today, yesterday, a weekday (monday), N days/weeks/months/years ago, "
         "last N days, last/this week/month/year")
BOUND_FORMS = ("YYYY-MM-DD, 18 Nov 2017, YYYY-MM, YYYY, or today, yesterday, a weekday (monday), "
               "N days/weeks/months/years ago, last N days, last/this week/month/year")


# period: YYYY, YYYY-MM, YYYY-MM-DD


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2017", D(2017, 1, 1), D(2017, 12, 31)),
        ("2017-11", D(2017, 11, 1), D(2017, 11, 30)),
        ("2017-11-18", D(2017, 11, 18), D(2017, 11, 18)),
        ("2016-02", D(2016, 2, 1), D(2016, 2, 29)),
        ("2017-2", D(2017, 2, 1), D(2017, 2, 28)),
        ("2017-2-3", D(2017, 2, 3), D(2017, 2, 3)),
        ("0001", D(1, 1, 1), D(1, 12, 31)),
        ("9999-12", D(9999, 12, 1), D(9999, 12, 31)),
    ],
)
def test_period(text, first, last):
    assert period(text) == (first, last)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2017-02-30", "impossible date 2017-02-30"),
        ("2017-02-29", "impossible date 2017-02-29"),
        ("0000", "impossible date 0000"),
        ("9999-99-99", "impossible date 9999-99-99"),
        ("2017-13", "impossible date 2017-13"),
        ("2017-00", "impossible date 2017-00"),
        ("2017-11-00", "impossible date 2017-11-00"),
        ("junk", f"not a date: 'junk' (use {FORMS})"),
        ("17", f"not a date: '17' (use {FORMS})"),
        ("2017-", f"not a date: '2017-' (use {FORMS})"),
        ("2017/11/18", f"not a date: '2017/11/18' (use {FORMS})"),
        ("2017-001", f"not a date: '2017-001' (use {FORMS})"),
        ("٢٠١٧", f"not a date: '٢٠١٧' (use {FORMS})"),  # non-ASCII digits
    ],
)
def test_period_errors(text, message):
    with pytest.raises(QuerySyntaxError) as caught:
        period(text)
    assert (caught.value.offset, caught.value.message) == (0, message)


def test_period_error_points_into_the_query():
    query = "pink date:2017-02-30"
    with pytest.raises(QuerySyntaxError) as caught:
        period("2017-02-30", query=query, offset=10)
    assert caught.value.query == query
    assert caught.value.offset == 10


# read_date_value: what follows "date:"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2017-11-18", DateRange(D(2017, 11, 18), D(2017, 11, 18))),
        ("2017-11", DateRange(D(2017, 11, 1), D(2017, 11, 30))),
        ("2017", DateRange(D(2017, 1, 1), D(2017, 12, 31))),
        ("[2017-11-01 TO 2017-11-30]", DateRange(D(2017, 11, 1), D(2017, 11, 30))),
        ("[2017 TO 2018-02]", DateRange(D(2017, 1, 1), D(2018, 2, 28))),
        ("[2017-11 to 2017-11]", DateRange(D(2017, 11, 1), D(2017, 11, 30))),
        ("[ 2017   To 2018 ]", DateRange(D(2017, 1, 1), D(2018, 12, 31))),
        ("[2017 TO *]", DateRange(D(2017, 1, 1), None)),
        ("[* TO 2017-06]", DateRange(None, D(2017, 6, 30))),
        ("[* TO *]", DateRange(None, None)),
        (">=2017-06-01", DateRange(D(2017, 6, 1), None)),
        (">=2017-06", DateRange(D(2017, 6, 1), None)),
        (">2017-06", DateRange(D(2017, 7, 1), None)),
        (">2017-06-30", DateRange(D(2017, 7, 1), None)),
        (">2017", DateRange(D(2018, 1, 1), None)),
        ("<2018", DateRange(None, D(2017, 12, 31))),
        ("<2018-03-01", DateRange(None, D(2018, 2, 28))),
        ("<=2017-11", DateRange(None, D(2017, 11, 30))),
        ("<=2017-11-18", DateRange(None, D(2017, 11, 18))),
        (">=0001", DateRange(D(1, 1, 1), None)),
        ("<=9999", DateRange(None, D(9999, 12, 31))),
    ],
)
def test_read_date_value(value, expected):
    query = f"date:{value} pink"
    assert read_date_value(query, 5) == (expected, 5 + len(value))


def test_read_date_value_stops_at_a_parenthesis_or_quote():
    assert read_date_value("(date:2017)", 6) == (DateRange(D(2017, 1, 1), D(2017, 12, 31)), 10)
    assert read_date_value('date:2017"a b"', 5)[1] == 9


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ("date:junk", 5, f"not a date: 'junk' (use {FORMS})"),
        ("date:2017-02-30", 5, "impossible date 2017-02-30"),
        ("date:(2017 OR 2018)", 5, "date: takes a date or a [range], not a group"),
        ("date:{2017 TO 2018}", 5, "date range is empty: a { } end leaves out its whole period"),
        ("date:[2017 TO 2017}", 5, "date range is empty: a { } end leaves out its whole period"),
        ("date:[2017 TO 2018", 5, "unclosed date range"),
        ("date:[2017 TO", 5, "unclosed date range"),
        ("date:[]", 5, "empty date range: write [START TO END]"),
        ("date:[2017]", 10, "expected TO in the date range [START TO END]"),
        ("date:[2017 2018]", 11, "expected TO in the date range [START TO END]"),
        ("date:[2017 TO]", 13, "expected a date after TO"),
        ("date:[2017 TO 2018 pink]", 19, "expected ']' to close the date range"),
        ("date:[2018 TO 2017]", 5, "date range ends before it starts"),
        ("date:[2017-11-19 TO 2017-11-18]", 5, "date range ends before it starts"),
        ("date:[2017-02-30 TO 2018]", 6, "impossible date 2017-02-30"),
        ("date:[2017 TO 2018-13]", 14, "impossible date 2018-13"),
        ("date:[x TO 2018]", 6, f"not a date: 'x' (use {FORMS})"),
        ("date:>", 6, "expected a date after '>'"),
        ("date:>=", 7, "expected a date after '>='"),
        ("date:<=x", 7, f"not a date: 'x' (use {FORMS})"),
        ("date:<2017-02-30", 6, "impossible date 2017-02-30"),
        ("date:>9999", 6, "no dates after 9999-12-31"),
        ("date:>9999-12-31", 6, "no dates after 9999-12-31"),
        ("date:<0001", 6, "no dates before 0001-01-01"),
        ("date:=2017", 5, f"not a date: '=2017' (use {FORMS})"),
    ],
)
def test_read_date_value_errors(query, position, message):
    with pytest.raises(QuerySyntaxError) as caught:
        read_date_value(query, 5)
    assert (caught.value.offset, caught.value.message) == (position, message)
    assert caught.value.query == query


# parse_date_bound: since= / until=


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2017-11-18", D(2017, 11, 18), D(2017, 11, 18)),
        ("18 Nov 2017", D(2017, 11, 18), D(2017, 11, 18)),
        ("2017/11/18", D(2017, 11, 18), D(2017, 11, 18)),
        ("2017/01/02", D(2017, 1, 2), D(2017, 1, 2)),  # year first is always year-month-day
        ("November 18, 2017", D(2017, 11, 18), D(2017, 11, 18)),
        ("13/02/2017", D(2017, 2, 13), D(2017, 2, 13)),  # only one reading is a date
        ("18.11.2017", D(2017, 11, 18), D(2017, 11, 18)),
        ("2017-11-18 10:30", D(2017, 11, 18), D(2017, 11, 18)),
        ("2017-11-18T23:30:00+05:00", D(2017, 11, 18), D(2017, 11, 18)),
        ("  2017-11-18  ", D(2017, 11, 18), D(2017, 11, 18)),
        ("2017", D(2017, 1, 1), D(2017, 12, 31)),
        ("2017-11", D(2017, 11, 1), D(2017, 11, 30)),
        ("Nov 2017", D(2017, 11, 1), D(2017, 11, 30)),
        ("February 2016", D(2016, 2, 1), D(2016, 2, 29)),
        (D(2017, 11, 18), D(2017, 11, 18), D(2017, 11, 18)),
        (dt.datetime(2017, 11, 18, 23, 59), D(2017, 11, 18), D(2017, 11, 18)),
    ],
)
def test_parse_date_bound(value, start, end):
    for wanted, at_end in ((start, False), (end, True)):
        got = parse_date_bound(value, end=at_end)
        assert got == wanted
        assert type(got) is dt.date


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("01/02/2017", "ambiguous: write it as YYYY-MM-DD"),
        ("1/2/03", "ambiguous: write it as YYYY-MM-DD"),
        ("Nov 18", "ambiguous: write it as YYYY-MM-DD"),  # no year
        ("junk", f"not a date (use {BOUND_FORMS})"),
        ("lst week", f"not a date (use {BOUND_FORMS})"),
        ("", f"not a date (use {BOUND_FORMS})"),
        ("   ", f"not a date (use {BOUND_FORMS})"),
        ("2017-02-30", "not a date"),
        ("0000", "not a date"),
        ("99999", f"not a date (use {BOUND_FORMS})"),
        (20171118, f"not a date (use {BOUND_FORMS})"),
        (None, f"not a date (use {BOUND_FORMS})"),
    ],
)
def test_parse_date_bound_errors(value, reason):
    with pytest.raises(InvalidDateError) as caught:
        parse_date_bound(value)
    assert caught.value.reason == reason
    assert caught.value.value == value
    assert str(caught.value) == f"invalid date {str(value)!r}: {reason}"


def test_parse_date_bound_ignores_time_zones_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert parse_date_bound("2017-11-18 23:30 XYZ") == D(2017, 11, 18)
        assert parse_date_bound("18 Nov 2017 10:00 F") == D(2017, 11, 18)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet="0123456789/-. :JanNovFebTZ+", max_size=25)))
def test_parse_date_bound_gives_a_date_or_invalid_date_error(text):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for end in (False, True):
            try:
                result = parse_date_bound(text, end=end)
            except InvalidDateError:
                continue
            assert type(result) is dt.date


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=D(1, 1, 1), max_value=D(9999, 12, 31)))
def test_iso_dates_read_back_exactly(day):
    text = day.isoformat()
    assert parse_date_bound(text) == parse_date_bound(text, end=True) == day
    assert period(text) == (day, day)
