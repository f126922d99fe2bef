"""What a date value covers, and where it sits against the item's date.

Values are SPEC's ISO forms (2024-05-16, 2024-05, 2024, 2024-W21, 2025-Q3, 2025-H2, the
seasons, 2025-early/mid/late, and ranges of them with "/"). The detector compares them to
the publication date: a date still to come dates the watch, one just gone by tells news,
one weeks gone is background (SPEC "Signals": a release is news about two weeks at most).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache

_WINDOW_MONTHS = {
    "Q1": (1, 3), "Q2": (4, 6), "Q3": (7, 9), "Q4": (10, 12), "H1": (1, 6), "H2": (7, 12),
    "early": (1, 4), "mid": (5, 8), "late": (9, 12), "spring": (3, 5), "summer": (6, 8),
    "fall": (9, 11), "autumn": (9, 11), "winter": (12, 14),
}  # fmt: skip


# A release or event this long before the item's date is background, not news (SPEC).
RECENT_DAYS = 14


def date_relation(first: date, last: date, reference: date) -> str:
    """Where a date value sits against the publication date: future, current (it covers
    the day), recent (gone by, at most ``RECENT_DAYS`` ago) or old."""
    if first > reference:
        return "future"
    if last >= reference:
        return "current"
    # a week or a month is as old as its middle: "in April", read on May 13, is background;
    # a longer window ("2024", "Q3") is not, as its middle says little of when it happened
    middle = first + (last - first) / 2 if (last - first).days <= 31 else last
    if (reference - middle).days <= RECENT_DAYS:
        return "recent"
    return "old"


def every_date(values: Sequence[str], reference: date, *relations: str) -> bool:
    """Whether every value's ``date_relation`` to ``reference`` is one of ``relations``
    (true of no values: callers that need one say so)."""
    return all(date_relation(*date_span(value), reference) in relations for value in values)


def date_span(value: str) -> tuple[date, date]:
    """First and last day of a value, ranges included."""
    return bounds(value.split("/")[0])[0], bounds(value.split("/")[-1])[1]


DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_NAMED = re.compile(r"(\d{4})-(\w+)")


@lru_cache(maxsize=4096)
def bounds(value: str) -> tuple[date, date]:
    """First and last day a date value covers."""
    try:
        if DAY.fullmatch(value):
            d = date.fromisoformat(value)
            return d, d
        if m := _WEEK.fullmatch(value):
            first = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return first, first + timedelta(days=6)
        if m := _MONTH.fullmatch(value):
            year, month = int(m[1]), int(m[2])
            first = date(year, month, 1)
            following = date(year + month // 12, month % 12 + 1, 1)
            return first, following - timedelta(days=1)
        if m := _NAMED.fullmatch(value):
            year = int(m[1])
            low, high = _WINDOW_MONTHS[m[2]]
            first = date(year, low, 1)
            end_year, end_month = year + (high - 1) // 12, (high - 1) % 12 + 1
            following = date(end_year + end_month // 12, end_month % 12 + 1, 1)
            return first, following - timedelta(days=1)
        year = int(value[:4])
        return date(year, 1, 1), date(year, 12, 31)
    except (ValueError, KeyError):
        return date.min, date.max


def narrowest(values: tuple[str, ...]) -> tuple[str, ...]:
    """Drop a value that holds another one ("June 2-4 this year": the days, not 2026)."""
    values = tuple(dict.fromkeys(values))  # the same value said twice is one
    if len(values) < 2:
        return values
    spans = [date_span(v) for v in values]
    return tuple(
        v
        for v, (first, last) in zip(values, spans, strict=True)
        if not any(first <= a and b <= last and (a, b) != (first, last) for a, b in spans)
    )
