"""Normalise DATE expressions to ISO 8601, relative ones by the publication date.

News dates events by the weekday ("on Thursday"), by a day without a year
("November 27") or by words ("yesterday", "last month"); only the publication date
turns those into calendar dates. Absolute dates ("March 2011", "2016",
"July 21, 2017") need nothing. Durations ("three days") and vague periods ("the
1990s", "this week") name no single day, month or year and stay None.

The result is a calendar date ("2024-11-28"), a month ("2011-03") or a year ("2016").
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Final

__all__ = ["normalise_date", "parse_published"]

_MONTHS: Final = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")],
        start=1,
    )
    for name in names
}  # fmt: skip
_WEEKDAYS: Final = {
    name: number
    for number, names in enumerate(
        [("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"), ("thursday", "thu", "thurs"),
         ("friday", "fri"), ("saturday", "sat"), ("sunday", "sun")]
    )
    for name in names
}  # fmt: skip
_DAY_WORDS: Final = {"today": 0, "yesterday": -1, "tomorrow": 1}
_SHIFT: Final = {"last": -1, "this": 0, "next": 1}
#: Words that may open or close a date expression without changing it.
_NOISE: Final = frozenset(
    {
        "on",
        "in",
        "the",
        "of",
        "early",
        "late",
        "mid",
        "since",
        "until",
        "by",
        "during",
        "before",
        "after",
        "from",
        "st",
        "nd",
        "rd",
        "th",
    }
)
_WORD: Final = re.compile(r"\d+|[a-z]+")
_ISO: Final = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_published(published_at: str | None) -> date | None:
    """The calendar date of ``published_at`` (RFC 3339 date-time or full-date), as
    written in its own time zone; None when absent or unreadable."""
    if not published_at:
        return None
    match = _ISO.match(published_at)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def normalise_date(text: str, published: date | None, *, future: bool = False) -> str | None:
    """The ISO 8601 day, month or year that a DATE expression names, or None.

    Args:
        text: The expression as written ("Thursday", "March 2011", "Nov. 27").
        published: The article's publication date; relative expressions need it.
        future: The expression is about something still to come ("will meet on
            Thursday"), so a bare weekday is the next one rather than the last.

    Returns:
        "YYYY-MM-DD", "YYYY-MM" or "YYYY"; None for durations, vague periods and
        relative expressions without a publication date.
    """
    iso = _ISO.search(text)
    if iso is not None:
        return _day(int(iso[1]), int(iso[2]), int(iso[3]))
    words = [w for w in _WORD.findall(text.lower()) if w not in _NOISE]
    if not words or len(words) > 5:
        return None
    years = [int(w) for w in words if w.isdigit() and len(w) == 4 and 1000 <= int(w) <= 2999]
    days = [int(w) for w in words if w.isdigit() and len(w) <= 2 and 1 <= int(w) <= 31]
    months = [_MONTHS[w] for w in words if w in _MONTHS]
    weekdays = [_WEEKDAYS[w] for w in words if w in _WEEKDAYS]
    known = len(years) + len(days) + len(months) + len(weekdays)
    if known != len(words):
        return _relative(words, published)  # "last month", "yesterday", or nothing we read
    if len(years) > 1 or len(days) > 1 or len(months) > 1 or len(weekdays) > 1:
        return None  # a range ("2010 to 2012"): no single date
    if months:
        month = months[0]
        if days:
            if years:
                return _day(years[0], month, days[0])
            return _nearest_day(month, days[0], published)
        if not years:
            return _nearest_month(month, published)
        return f"{years[0]:04d}-{month:02d}"
    if days:
        return None  # a day number alone
    if years:
        return f"{years[0]:04d}"
    if weekdays and published is not None:
        return _weekday(weekdays[0], published, 1 if future else -1).isoformat()
    return None


def _relative(words: list[str], published: date | None) -> str | None:
    """ "yesterday", "last Thursday", "this month", "next year", or None."""
    if published is None:
        return None
    if len(words) == 1 and words[0] in _DAY_WORDS:
        return (published + timedelta(days=_DAY_WORDS[words[0]])).isoformat()
    if len(words) != 2 or words[0] not in _SHIFT:
        return None
    shift, unit = _SHIFT[words[0]], words[1]
    if unit == "year":
        return f"{published.year + shift:04d}"
    if unit == "month":
        index = published.year * 12 + published.month - 1 + shift
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    if unit in _WEEKDAYS and shift:
        return _weekday(_WEEKDAYS[unit], published, shift, strict=True).isoformat()
    return None


def _weekday(weekday: int, published: date, direction: int, *, strict: bool = False) -> date:
    """The nearest ``weekday`` before (direction -1) or after (1) ``published``.

    Reported past events may be on the day of publication itself ("said on
    Thursday" in Thursday's paper); "last Thursday" and future ones may not.
    """
    if direction < 0:
        back = (published.weekday() - weekday) % 7
        return published - timedelta(days=back or (7 if strict else 0))
    ahead = (weekday - published.weekday()) % 7
    return published + timedelta(days=ahead or 7)


def _day(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _nearest_day(month: int, day: int, published: date | None) -> str | None:
    """A day without a year: the one in the year that puts it nearest publication."""
    if published is None:
        return None
    options = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue
    if not options:
        return None
    return min(options, key=lambda d: (abs((d - published).days), d)).isoformat()


def _nearest_month(month: int, published: date | None) -> str | None:
    """A month without a year: the one nearest publication."""
    if published is None:
        return None
    year = min(
        (published.year - 1, published.year, published.year + 1),
        key=lambda y: abs((y * 12 + month) - (published.year * 12 + published.month)),
    )
    return f"{year:04d}-{month:02d}"
