"""Behaviour of DATE normalisation."""

from __future__ import annotations

from datetime import date

import pytest

from workers.nlp.dates import normalise_date, parse_published

THURSDAY = date(2024, 11, 28)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2024-11-28", date(2024, 11, 28)), ("2024-11-28T23:30:00-05:00", date(2024, 11, 28)), (None, None), ("x", None)],
)
def test_publication_date_is_read_in_its_own_time_zone(value: str | None, expected: date | None) -> None:
    assert parse_published(value) == expected


def test_weekday_is_the_last_such_day_up_to_publication() -> None:
    assert normalise_date("Thursday", THURSDAY) == "2024-11-28"
    assert normalise_date("on Monday", THURSDAY) == "2024-11-25"


def test_weekday_of_a_future_event_is_the_next_one() -> None:
    assert normalise_date("Thursday", THURSDAY, future=True) == "2024-12-05"


def test_last_weekday_is_strictly_before_publication() -> None:
    assert normalise_date("last Thursday", THURSDAY) == "2024-11-21"


@pytest.mark.parametrize(
    ("text", "expected"), [("yesterday", "2024-11-27"), ("today", "2024-11-28"), ("tomorrow", "2024-11-29")]
)
def test_day_words_are_relative_to_publication(text: str, expected: str) -> None:
    assert normalise_date(text, THURSDAY) == expected


def test_month_and_year_is_an_iso_month() -> None:
    assert normalise_date("March 2011", None) == "2011-03"


def test_year_is_an_iso_year() -> None:
    assert normalise_date("2016", None) == "2016"


def test_full_date_needs_no_publication_date() -> None:
    assert normalise_date("Friday, July 21, 2017", None) == "2017-07-21"


def test_day_without_year_takes_the_year_nearest_publication() -> None:
    assert normalise_date("November 27", THURSDAY) == "2024-11-27"
    assert normalise_date("January 3", date(2024, 12, 30)) == "2025-01-03"


def test_abbreviated_month_is_read() -> None:
    assert normalise_date("Sept. 5, 2023", None) == "2023-09-05"


def test_last_month_and_next_year_are_relative() -> None:
    assert (normalise_date("last month", THURSDAY), normalise_date("next year", THURSDAY)) == ("2024-10", "2025")


@pytest.mark.parametrize("text", ["three days", "the 1990s", "this week", "2010 to 2012", "27"])
def test_durations_periods_and_ranges_have_no_date(text: str) -> None:
    assert normalise_date(text, THURSDAY) is None


def test_relative_date_without_publication_date_has_none() -> None:
    assert normalise_date("Thursday", None) is None


def test_impossible_date_has_none() -> None:
    assert normalise_date("February 30, 2024", None) is None
