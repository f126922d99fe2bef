"""Resolvers for days, ranges and months: ISO, numeric, spelled-out and CJK forms."""

from __future__ import annotations

import re
from datetime import date

from monitor.release_dates.calendar import (
    Job,
    aimed_ahead,
    cjk_int,
    day_value,
    direction_of,
    int_or_none,
    month_of,
    month_ok,
    pick_month_year,
    released_before,
    safe_date,
)
from monitor.release_dates.lexicon import (
    AMBIGUOUS_MONTHS,
    EVENT_NOUN_AFTER,
    PART_WORDS,
    alternation,
)


def iso_date(m: re.Match[str], job: Job) -> str | None:
    d = safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    return d.isoformat() if d else None


def iso_week(m: re.Match[str], job: Job) -> str | None:
    week = int(m["w"])
    return f"{m['y']}-W{week:02d}" if 1 <= week <= 53 else None


def numeric(m: re.Match[str], job: Job) -> str | None:
    first, second, year = int(m["a"]), int(m["b"]), int(m["y"])
    if first > 12 >= second:
        d = safe_date(year, second, first)
    elif second > 12 >= first:
        d = safe_date(year, first, second)
    elif m["sep"] == ".":  # German and Dutch write day.month.year
        d = safe_date(year, second, first)
    else:
        return None  # 05/06/2024: the order is the writer's secret
    return d.isoformat() if d else None


_AND = frozenset({"and", "et", "y", "e", "und"})
_BETWEEN = re.compile(r"\b(?:between|entre|zwischen|tra|fra)\s")


def range_month_first(m: re.Match[str], job: Job) -> str | None:
    ref, default_year = job.reference, job.default_year
    if not month_ok(m, "m1", job) or (m["m2"] and not month_ok(m, "m2", job)):
        return None
    month1 = month_of(m["m1"])
    month2 = month_of(m["m2"]) if m["m2"] else month1
    return _day_range(month1, int(m["d1"]), month2, int(m["d2"]), m, ref, default_year)


def range_day_first(m: re.Match[str], job: Job) -> str | None:
    ref, default_year = job.reference, job.default_year
    if not month_ok(m, "m2", job) or (m["m1"] and not month_ok(m, "m1", job)):
        return None
    month2 = month_of(m["m2"])
    month1 = month_of(m["m1"]) if m["m1"] else month2
    return _day_range(month1, int(m["d1"]), month2, int(m["d2"]), m, ref, default_year)


def _day_range(
    month1: int | None,
    day1: int,
    month2: int | None,
    day2: int,
    m: re.Match[str],
    ref: date,
    default_year: int | None,
) -> str | None:
    if month1 is None or month2 is None:
        return None
    if m["sep"] in _AND and not _BETWEEN.search(m.string, max(0, m.start() - 14), m.end()):
        return None
    year = int_or_none(m["y"])
    direction = direction_of(m[0]) or int(aimed_ahead(m.string, m.start()))
    first = day_value(month1, day1, year, ref, default_year, direction)
    if first is None:
        return None
    end_year = first.year + (1 if month2 < month1 else 0)
    last = safe_date(end_year, month2, day2)
    if last is None or last <= first or (last - first).days > 62:
        return None
    if year is not None and month2 < month1:  # "December 30 to January 2, 2025": year ends it
        first = safe_date(year - 1, month1, day1) or first
        last = safe_date(year, month2, day2) or last
    return f"{first.isoformat()}/{last.isoformat()}"


def day_month(m: re.Match[str], job: Job) -> str | None:
    ref, default_year = job.reference, job.default_year
    if not month_ok(m, "m", job):
        return None
    month = month_of(m["m"])
    if month is None:
        return None
    tail = m.string[m.end() : m.end() + 12]
    direction = direction_of(tail) or int(aimed_ahead(m.string, m.start()))
    d = day_value(month, int(m["d"]), int_or_none(m["y"]), ref, default_year, direction)
    return d.isoformat() if d else None


def month_year(m: re.Match[str], job: Job) -> str | None:
    if not month_ok(m, "m", job):
        return None
    month = month_of(m["m"])
    return f"{int(m['y']):04d}-{month:02d}" if month else None


# A month alone is a date only after a preposition: "in August", "en août", "by March",
# or a verb that moves or aims a launch at it: "delays X to August", "targets August".
_BEFORE_MONTH = re.compile(
    r"\b(?:in|by|until|till|to|for|pour|per|für|from|since|this|next|last|early|mid|late|"
    r"targets|targeting|targeted|target|eyes|eyeing|"
    r"as early as|as soon as|as late as|dès|"
    r"end of|the end of|start of|beginning of|before|en|d'ici|dès|depuis|jusqu'en|"
    r"au mois d'|au mois de|du mois d'|du mois de|courant|début|mi-|fin|"
    r"à partir d'|à partir de|avant|im|ab|bis|seit|anfang|mitte|ende|vor|"
    r"a principios de|principios de|a mediados de|mediados de|a finales de|"
    r"finales de|para|hasta|desde|antes de|tegen|eind|begin|medio|vanaf|sinds|"
    r"voor|entro|a|à|al|di|ad|per|em|até|für|auf|ce|cet|cette|este|questo|diesen|"
    r"prochain|próximo|proximo|prossimo|nächsten|kommenden|pasado|passado|último|ultimo|"
    r"scorso|lo scorso|el pasado|el último|o último|o próximo|el próximo|il prossimo|"
    rf"(?:{alternation(PART_WORDS)})(?:\s+(?:de|di|do|del|of))?)\b[\s-]*$"
)

# Words that aim at a month to come, never one gone by.
_TOWARDS = re.compile(r"(?:to|until|till|target\w*|eye\w*)\b")


def month_only(m: re.Match[str], job: Job) -> str | None:
    ref, default_year = job.reference, job.default_year
    if not month_ok(m, "m", job):
        return None
    pre = _BEFORE_MONTH.search(m.string, max(0, m.start() - 22), m.start())
    if pre is None and (
        m["m"].rstrip(".") in AMBIGUOUS_MONTHS or not EVENT_NOUN_AFTER.match(m.string, m.end())
    ):
        return None  # "a July launch" is a date; "May launch", also a verb, is not read
    month = month_of(m["m"])
    if month is None:
        return None
    if default_year is not None:
        return f"{default_year:04d}-{month:02d}"
    before = pre[0] if pre else ""
    tail = m.string[m.end() : m.end() + 12]
    direction = direction_of(before + " " + tail)
    if direction == 0 and _TOWARDS.match(before):
        direction = 1  # "delayed to March" in April is next March
    elif direction == 0 and released_before(m.string, m.start("m")):
        direction = -1  # "released in March" in August is the March gone by
    year = pick_month_year(month, ref, direction)
    return f"{year:04d}-{month:02d}"


def day_only(m: re.Match[str], job: Job) -> str | None:
    """ "On the 15th": that day of this month, or of the next once it has gone by; of the
    month gone by after a past-tense release verb ("launched on the 28th")."""
    ref, day = job.reference, int(m["d"])
    year, month = ref.year, ref.month
    if m["which"] == "next":
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    elif m["which"] == "this":
        pass
    elif released_before(m.string, m.start("d")):
        if day > ref.day:
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    elif day < ref.day:
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    found = safe_date(year, month, day)
    return found.isoformat() if found else None


def cjk_date(m: re.Match[str], job: Job) -> str | None:
    ref, default_year = job.reference, job.default_year
    month = cjk_int(m["m"])
    if month is None or not 1 <= month <= 12:
        return None
    year = int_or_none(m["y"])
    if m["d"]:
        day = cjk_int(m["d"])
        if day is None:
            return None
        d = day_value(month, day, year, ref, default_year, 0)
        return d.isoformat() if d else None
    if year is None:
        year = default_year if default_year is not None else pick_month_year(month, ref, 0)
    return f"{year:04d}-{month:02d}"
