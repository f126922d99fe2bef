"""Resolvers for numeric dates: 21/05/2024, 5/21/24, 2024/05/21, 21.05., ranges 5/21 - 5/23,
and months: 2024-05, 2024/05, 05/2024, 05.2024.

The order of day and month: a number above 12 decides; otherwise a dot says day.month
(German, Dutch), and a slash or a hyphen says month/day in English text (US news) and
day/month in the other languages.
"""

from __future__ import annotations

import re
from datetime import date

from monitor.release_dates.calendar import Job, aimed_ahead, day_value, direction_of, safe_date

# Function words that tell English text from the other languages of the tables.
_ENGLISH = re.compile(r"\b(?:the|and|of|to|is|will|on|for|with|its|was|has|from|by)\b")
_OTHER = re.compile(
    r"\b(?:le|la|les|des|du|et|el|los|las|del|y|der|die|das|und|den|dem|il|di|che|della|"
    r"o|os|em|do|da|que|est|sur|ist|wird|sera|será|sarà)\b"
)


def english_around(text: str, at: int) -> bool:
    """Whether the words around ``at`` read as English rather than another language."""
    window = text[max(0, at - 160) : at + 160].lower()
    return len(_ENGLISH.findall(window)) > len(_OTHER.findall(window))


def _year_of(token: str | None) -> int | None:
    if not token:
        return None
    year = int(token)
    if len(token) == 2:
        year += 2000 if year < 50 else 1900
    return year


def _order(first: int, second: int, sep: str, m: re.Match[str]) -> tuple[int, int] | None:
    """(month, day) of two numbers as the writer meant them."""
    if sep == ".":  # always day.month: "am 10.30." is no date
        return (second, first) if second <= 12 else None
    if first > 12 >= second:
        return second, first
    if second > 12 >= first:
        return first, second
    if first > 12:
        return None
    if sep == "." or not english_around(m.string, m.start()):
        return second, first
    return first, second


def _day(
    first: int, second: int, sep: str, year: int | None, m: re.Match[str], job: Job
) -> date | None:
    order = _order(first, second, sep, m)
    if order is None:
        return None
    month, day = order
    if year is not None:
        return safe_date(year, month, day)
    tail = m.string[m.end() : m.end() + 12]
    direction = direction_of(tail) or int(aimed_ahead(m.string, m.start()))
    return day_value(month, day, None, job.reference, job.default_year, direction)


# Before a day without its year: a preposition or a colon ("on 5/21", "am 28.10.",
# "dates: 5/21 - 5/23"), so that fractions and scores ("1/2", "24/7", "3-1") stay numbers.
_CUE = re.compile(
    r"(?:\b(?:on|from|since|until|till|through|starting|le|du|dès|depuis|jusqu'au|el|del|desde|"
    r"hasta|am|vom|seit|ab|bis|zum|den|il|dal|em|no|entre|between|a partir de)\s+|:\s*)$"
)


_VERSION = re.compile(
    r"\b(?:version|versión|versione|versão|v|build|release|update|firmware|patch)\s*$",
    re.IGNORECASE,
)
_FRACTION = re.compile(r"\s+(?:of|de|du|des|del|der|di|do|da)\b")  # "1/2 of the budget"


def numeric(m: re.Match[str], job: Job) -> str | None:
    """A day in numbers: year last (21/05/2024, 5/21/24, 21-04-2016, 13.5.2015), first
    (2024/05/21) or left out (on 5/21, am 28.10.); a range when a second day follows
    ("5/21 - 5/23")."""
    if m["yf"]:
        found = safe_date(int(m["yf"]), int(m["mf"]), int(m["df"]))
        return found.isoformat() if found else None
    sep, year = m["sep"], m["y"]
    if sep != "/" and year and len(year) != 4:
        return None  # 4.5.12 is a version, 3-1-24 a score
    if sep == "." and _VERSION.search(m.string, max(0, m.start() - 12), m.start()):
        return None  # "version 2.1.2024"
    if not year and not m["a2"]:
        if sep == "-" or (sep == "." and not m.string.startswith(".", m.end())):
            return None
        if not _CUE.search(m.string, max(0, m.start() - 14), m.start()):
            return None
        if _FRACTION.match(m.string, m.end()):
            return None
    first = _day(int(m["a"]), int(m["b"]), sep, _year_of(year), m, job)
    if first is None or not m["a2"]:
        return first.isoformat() if first else None
    order = _order(int(m["a2"]), int(m["b2"]), sep, m)
    if order is None:
        return None
    last_year = _year_of(m["y2"]) or first.year + (order[0] < first.month)
    last = safe_date(last_year, *order)
    if last is None or not 0 < (last - first).days <= 62:
        return None
    return f"{first.isoformat()}/{last.isoformat()}"


def numeric_month(m: re.Match[str], job: Job) -> str | None:
    """A month in numbers, always with a four-digit year: ISO "2024-05" (not a season or
    fiscal year "2011-12", whose second number is the next year's), "2024/05", "5/2024",
    "05.2024" (German news: "Stand 05.2024"), "05-2024". A year-first dotted "2024.3" is
    a version (JetBrains, Unity), never a month."""
    if m["ya"]:
        year, month = int(m["ya"]), int(m["ma"])
        if m["s1"] == "-" and (len(m["ma"]) != 2 or month == (year + 1) % 100):
            return None
    else:
        year, month = int(m["yb"]), int(m["mb"])
        if m["s2"] != "/" and len(m["mb"]) != 2:
            return None
        if m["s2"] == "." and _VERSION.search(m.string, max(0, m.start() - 12), m.start()):
            return None
    return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None
