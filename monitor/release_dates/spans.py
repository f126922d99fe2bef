"""Resolvers for spans told relative to a reference or a named period: weekends, counts
ago and ahead, the n-th week of a month or year, ranges of months, spelled-out ordinal
days, a weekday of a named week, a month of a named year."""

from __future__ import annotations

import re
from datetime import date, timedelta

from monitor.release_dates.calendar import (
    Job,
    add_months,
    day_value,
    direction_of,
    iso_week_of,
    month_of,
    month_ok,
    pick_month_year,
    safe_date,
    weekday_of,
)
from monitor.release_dates.lexicon import (
    FEW,
    NUMBERS,
    ORDINALS,
    PART_WORDS,
    RELATIVE_MONTHS,
    RELATIVE_WEEKS,
    RELATIVE_YEARS,
    UNITS,
    WEEKENDS,
    phrase_key,
)
from monitor.release_dates.windows import tense_offset


def _count(word: str) -> int | None:
    word = phrase_key(word)
    if word.isdigit():
        return int(word)
    return 3 if word in FEW else NUMBERS.get(word)


def _weekend(saturday: date) -> str:
    return f"{saturday.isoformat()}/{(saturday + timedelta(days=1)).isoformat()}"


def weekend(m: re.Match[str], job: Job) -> str | None:
    """Saturday and Sunday: of this weekend (the current one on a Sunday), the next or the
    last one; "over the weekend" is the one the nearest tense points to."""
    ref = job.reference
    key = phrase_key(m[0])
    if key not in WEEKENDS:
        return None
    offset = WEEKENDS[key]
    delta = (5 - ref.weekday()) % 7  # days to Saturday; 6 on a Sunday
    if offset is None:
        days = -1 if ref.weekday() == 6 else tense_offset(m, delta, job.source)
    else:
        days = (-1 if ref.weekday() == 6 else delta) + 7 * offset
    return _weekend(ref + timedelta(days=days))


def count_ago(m: re.Match[str], job: Job) -> str | None:
    """ "Two days ago", "il y a trois semaines", "vor zwei Monaten", "two years ago": the
    day, ISO week, month or year that many units before the reference; "a few days ago"
    is vaguer, as in ``in_count``."""
    count = _count(m["n"] or m["n2"])
    unit = UNITS.get((m["u"] or m["u2"]).lower())
    if not count or unit is None:
        return None
    ref, vague = job.reference, phrase_key(m["n"] or m["n2"]) in FEW
    if unit == "day":
        day = ref - timedelta(days=count)
        return iso_week_of(day) if vague else day.isoformat()
    if unit == "week":
        day = ref - timedelta(days=7 * count)
        return f"{day.year:04d}-{day.month:02d}" if vague else iso_week_of(day)
    if unit == "year":
        return None if vague else str(ref.year - count)
    year, month = add_months(ref.year, ref.month, -count)
    return str(year) if vague else f"{year:04d}-{month:02d}"


def in_count(m: re.Match[str], job: Job) -> str | None:
    """ "In three days" (a day), "in two weeks" (an ISO week), "in six months" (a month);
    "in one to two weeks" is the range of days between; "in a few months" is vaguer: a
    few days give the ISO week, a few weeks the month, a few months the year."""
    ref = job.reference
    count = _count(m["n"])
    unit = UNITS.get(m["u"].lower())
    if not count or unit is None:
        return None
    if unit == "year":  # "in two years"; not "over 5 years away" nor "in a few years"
        vague = phrase_key(m["n"]) in FEW or m["n2"] or m[0].lower().startswith(("over", "within"))
        return None if vague else str(ref.year + count)
    if m["n2"]:
        until = _count(m["n2"])
        if not until or until <= count:
            return None
        if unit == "month":
            start, end = (
                add_months(ref.year, ref.month, count),
                add_months(ref.year, ref.month, until),
            )
            return f"{start[0]:04d}-{start[1]:02d}/{end[0]:04d}-{end[1]:02d}"
        days = 7 if unit == "week" else 1
        return f"{ref + timedelta(days=days * count)}/{ref + timedelta(days=days * until)}"
    if phrase_key(m["n"]) in FEW:
        return _vague_ahead(ref, unit)
    if unit == "day":
        return (ref + timedelta(days=count)).isoformat()
    if unit == "week":
        return iso_week_of(ref + timedelta(days=7 * count))
    year, month = add_months(ref.year, ref.month, count)
    return f"{year:04d}-{month:02d}"


def count_span(m: re.Match[str], job: Job) -> str | None:
    """ "The next 3 days" (the days after the reference), "les 3 prochains mois" (the months
    to come): a range; a vague count is resolved as "in a few ..." is. A span gone by ("over
    the last seven days", "in the past 24 hours") is a window the writer looks back over,
    mostly not when something happened: no value."""
    ref = job.reference
    word = m["n"] or m["n2"]
    count, unit = _count(word), UNITS.get((m["u"] or m["u2"]).lower())
    if not (m["c"] or m["c2"]) or not count or unit is None or unit == "year":
        return None
    if phrase_key(word) in FEW:
        return _vague_ahead(ref, unit)
    if unit == "month":
        first, last = add_months(ref.year, ref.month, 1), add_months(ref.year, ref.month, count)
        return f"{first[0]:04d}-{first[1]:02d}/{last[0]:04d}-{last[1]:02d}"
    days = count * (7 if unit == "week" else 1)
    return f"{ref + timedelta(days=1)}/{ref + timedelta(days=days)}"


def _vague_ahead(ref: date, unit: str) -> str:
    """ "In a few days" is the ISO week three days on, "a few weeks" the month three weeks
    on, "a few months" the year three months on."""
    if unit == "day":
        return iso_week_of(ref + timedelta(days=3))
    if unit == "week":
        day = ref + timedelta(days=21)
        return f"{day.year:04d}-{day.month:02d}"
    return str(add_months(ref.year, ref.month, 3)[0])


def _nth_week_of_month(year: int, month: int, nth: int) -> date | None:
    """The Monday of the n-th week of a month (the week holding its n-th Thursday), or of
    the last one when ``nth`` is -1."""
    first = safe_date(year, month, 1)
    if first is None:
        return None
    thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    if nth < 0:
        following = safe_date(*add_months(year, month, 1), 1)
        assert following is not None
        last = following - timedelta(days=1)
        thursday = last - timedelta(days=(last.weekday() - 3) % 7)
    else:
        thursday += timedelta(days=7 * (nth - 1))
        if thursday.month != month:
            return None
    return thursday - timedelta(days=3)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date | None:
    """The n-th given weekday of a month (Monday is 0), or the last one when ``nth`` is -1;
    for Saturdays, the last one whose Sunday is in the month too."""
    first = safe_date(year, month, 1)
    if first is None:
        return None
    if nth < 0:
        following = safe_date(*add_months(year, month, 1), 1)
        assert following is not None
        last = following - timedelta(days=2 if weekday == 5 else 1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    found = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    return found if found.month == month else None


def nth_week(m: re.Match[str], job: Job) -> str | None:
    """ "The second week of January" (an ISO week), "the first week of 2027" (ISO week 1),
    "le dernier week-end d'avril" (its Saturday and Sunday), "the first Friday of July"."""
    ref = job.reference
    nth = ORDINALS.get(phrase_key(m["o"]).replace(" ", "-"))
    if not nth or nth > 5:
        return None
    weekday = weekday_of(m["wd"]) if m["wd"] else None
    is_weekend = weekday is None and any(w in m["u"] for w in ("end", "fin", "ende"))
    if m["m"]:
        if not month_ok(m, "m", job):
            return None
        month = month_of(m["m"])
        if month is None:
            return None
        year = int(m["my"]) if m["my"] else job.default_year or pick_month_year(month, ref, 0)
    elif m["mrel"]:
        offset = RELATIVE_MONTHS.get(phrase_key(m["mrel"]), 0)
        year, month = add_months(ref.year, ref.month, offset)
    else:
        year = int(m["y"]) if m["y"] else ref.year + RELATIVE_YEARS.get(phrase_key(m["yrel"]), 0)
        if is_weekend or m["wd"]:
            return None
        if nth < 0:
            return iso_week_of(date(year, 12, 28))
        monday = date.fromisocalendar(year, nth, 1) if nth <= 52 else None
        return iso_week_of(monday) if monday else None
    if weekday is not None:
        found = _nth_weekday(year, month, weekday, nth)
        return found.isoformat() if found else None
    if is_weekend:
        saturday = _nth_weekday(year, month, 5, nth)
        return _weekend(saturday) if saturday else None
    monday = _nth_week_of_month(year, month, nth)
    return iso_week_of(monday) if monday else None


def month_range(m: re.Match[str], job: Job) -> str | None:
    """ "Late March or early April", "de marzo a abril": the two months, ``2025-03/2025-04``."""
    if not month_ok(m, "m1", job) or not month_ok(m, "m2", job):
        return None
    first, second = month_of(m["m1"]), month_of(m["m2"])
    if first is None or second is None or first == second:
        return None
    if m["p1"] and PART_WORDS.get(m["p1"].lower()) is None:
        return None
    if m["y"]:
        end_year = int(m["y"])
        year = end_year - (second < first)
    else:
        year = job.default_year or pick_month_year(first, job.reference, direction_of(m[0]))
        end_year = year + (second < first)
    if (end_year * 12 + second) - (year * 12 + first) > 6:
        return None
    return f"{year:04d}-{first:02d}/{end_year:04d}-{second:02d}"


# The tens of a compound ordinal that the tables do not spell: "vigésimo segundo" is the
# 22nd, not the 2nd.
_TENS_BEFORE = re.compile(r"\b(?:vig[ée]simo|trig[ée]simo|ventesimo|trentesimo|vingt|trente)\s+$")


def ordinal_day(m: re.Match[str], job: Job) -> str | None:
    """ "The second of Aug.", "twenty second of June 2017", "le premier mai", "ersten Januar",
    "May twenty-first"."""
    day = ORDINALS.get(phrase_key(m["o"] or m["o2"]).replace(" ", "-"))
    if not day or day < 1 or _TENS_BEFORE.search(m.string, max(0, m.start() - 12), m.start()):
        return None
    if not month_ok(m, "m" if m["m"] else "m2", job):
        return None
    if m["m2"] and not m["y"] and " the " not in m[0] and not _DAY_END.match(m.string, m.end()):
        return None  # "launched in March first in the US"
    month = month_of(m["m"] or m["m2"])
    if month is None:
        return None
    year = int(m["y"]) if m["y"] else None
    direction = direction_of(m.string[m.end() : m.end() + 12])
    found = day_value(month, day, year, job.reference, job.default_year, direction)
    return found.isoformat() if found else None


def weekday_day(m: re.Match[str], job: Job) -> str | None:
    """ "Friday the 15th", "jeudi 21", "giovedì 21": the day of that number, in the month
    before, of or after the reference's, that falls on that weekday (the nearest one)."""
    weekday = weekday_of(m["wd"])
    following = _NEXT_WORD.match(m.string, m.end())
    if weekday is None or (following and month_of(following[1]) is not None):
        return None  # "vendredi 22 mai" is the day-month rule's
    if not m["the"] and not m[0].endswith(_SUFFIXES) and not _DAY_END.match(m.string, m.end()):
        return None  # "Friday 13 employees left"
    ref, number = job.reference, int(m["d"])
    found = []
    for offset in (-1, 0, 1):
        year, month = add_months(ref.year, ref.month, offset)
        day = safe_date(year, month, number)
        if day is not None and day.weekday() == weekday:
            found.append(day)
    if not found:
        return None
    return min(found, key=lambda d: abs((d - ref).days)).isoformat()


# What may follow a day number standing alone: the end of a clause, a time, "and", a
# range word before a second weekday ("du vendredi 11 au mardi 15"; not "Friday 13 to 15
# people").
_DAY_END = re.compile(
    r"\s*(?:$|[,.;:!?)\]]|(?:at|à|um|alle|às|a las|and|et|und|y|e)\b"
    r"|(?:[-–—]|(?:to|until|au|al|ao|bis|hasta|até|fino)\b)\s*(?:(?:le|el|the|o)\s+)?[^\W\d_]{3})"
)
_SUFFIXES = ("st", "nd", "rd", "th", "er", "º", ".")
_NEXT_WORD = re.compile(r"\s*(?:de\s+|of\s+)?([^\W\d_]*)")


def weekday_of_week(m: re.Match[str], job: Job) -> str | None:
    """ "Friday next week", "next week on Friday", "el viernes de la próxima semana"."""
    weekday = weekday_of(m["wd"] or m["wd2"])
    offset = RELATIVE_WEEKS.get(phrase_key(m["wk"] or m["wk2"]))
    if weekday is None or offset is None:
        return None
    ref = job.reference
    monday = ref - timedelta(days=ref.weekday()) + timedelta(days=7 * offset)
    return (monday + timedelta(days=weekday)).isoformat()


# Leads that only dates take ("du 4 au 22", "del 4 al 23"; a count goes "de 4 à 22"): after
# them a range needs no "of" before its month ("du 4 au 22 ce mois-ci").
_DATE_LEADS = frozenset({"du", "del", "dal", "vom", "desde el"})
_BETWEEN_LEADS = frozenset({"between", "entre", "zwischen", "tra"})


def day_of_month(m: re.Match[str], job: Job) -> str | None:
    """ "The 20th of next month", "le 20 du mois prochain", "am 5. nächsten Monats", and
    ranges: "from the 4th to the 23rd of next month", "du 4 au 22 ce mois-ci"."""
    offset = RELATIVE_MONTHS.get(phrase_key(m["rel"]))
    lead = phrase_key(m["lead"] or "")
    if offset is None or (m["bare"] is not None and lead not in _DATE_LEADS):
        return None  # "grew from 4 to 23 this month" counts
    if m["d1"] and m["sep"] in _AND_WORDS and lead not in _BETWEEN_LEADS:
        return None
    year, month = add_months(job.reference.year, job.reference.month, offset)
    found = safe_date(year, month, int(m["d"]))
    if found is None or not m["d1"]:
        return found.isoformat() if found else None
    first = safe_date(year, month, int(m["d1"]))
    if first is None or first >= found:
        return None
    return f"{first.isoformat()}/{found.isoformat()}"


_AND_WORDS = frozenset({"and", "et", "y", "e", "und"})


def calendar_week(m: re.Match[str], job: Job) -> str | None:
    """ "KW 21", "Kalenderwoche 21", "calendar week 21": that ISO week of the year named, or
    of the reference's."""
    week, year = int(m["w"]), int(m["y"]) if m["y"] else job.reference.year
    if not 1 <= week <= 53:
        return None
    try:
        return iso_week_of(date.fromisocalendar(year, week, 1))
    except ValueError:
        return None


def month_of_year(m: re.Match[str], job: Job) -> str | None:
    """ "December of this year", "décembre de cette année", "June next year"."""
    offset = RELATIVE_YEARS.get(phrase_key(m["rel"]))
    if offset is None or not month_ok(m, "m", job):
        return None
    month = month_of(m["m"])
    return f"{job.reference.year + offset:04d}-{month:02d}" if month else None
