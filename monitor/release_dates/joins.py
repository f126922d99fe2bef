"""Two days joined by a range word are one range: "from Oct 2 to Oct 22", "du 12 janvier
2016 au 22/01/2016", "entre el 1 de diciembre y el 4 de febrero", "dal 2 ott al 22 ottobre".

The rules read each day on its own, whatever its form (a month name, numbers, a weekday
with its day); this pass joins two that only a range word separates. "And" ("et", "y",
"e", "und") joins them only after "between" ("entre", "zwischen", "tra"), as in the day
rules: "on May 5 and May 7" are two days. The second day must come after the first and
within a year of it, so two dates of a list ("May 7 - Sept 2 2027") stay apart.

Alternatives share what the last one writes out: "le 2 ou le 9 juillet" is July 2 and July
9, "2027, voire 2028" and "in 2027 or 2028" are both years (``with_alternatives``). A month
written without a year after one written with it, in the same sentence, is of that year or
the next ("in September 2025 and Opus 4.5 in November": November 2025; ``anchored_years``).
"""

from __future__ import annotations

import re
from datetime import date

# (start, end, value, is a bare weekday): the candidates find_dates keeps.
Entry = tuple[int, int, str, bool]

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}$")
_AND = frozenset({"and", "et", "y", "e", "und"})
# What may stand between the two days: a range word, and an article after it.
_GLUE = re.compile(
    r"\s*,?\s*(?P<sep>-|–|—|to|through|thru|until|till|au|à|jusqu'au|jusqu'à|al|a|ao|"
    r"hasta(?:\s+el)?|bis(?:\s+(?:zum|zu|den))?|fino\s+al|fino\s+a|até(?:\s+(?:o|ao|a))?|"
    r"and|et|y|e|und)\s*(?:(?:the|le|el|il|lo|dem|den|o)\s+)?",
)
_BETWEEN = re.compile(r"\b(?:between|entre|zwischen|tra|fra)\s+(?:(?:the|le|el|il|o|dem)\s+)?$")
_FROM = re.compile(
    r"\b(?:from|du|del|de|desde|dal|dall'|dalla|vom|von|do|da|entre|between|zwischen|tra|fra)"
    r"\s+(?:(?:the|le|el|il|o|dem|den)\s+)?$"
)
_LONGEST = 366  # days: a longer span is two dates of a list, not one window
_OR = r"(?:or|ou|o|oder|of|and|et|y|e|und|voire|or even|ou même|o incluso|ou até)"
# A bare day before a day of the same month: "2 or 9 July", "du 2 ou du 9 juillet".
_DAY_BEFORE = re.compile(
    rf"(?<![\d.,/])(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|º)?\s*,?\s*{_OR}\s+"
    r"(?:(?:the|le|du|el|del|il|dal|o|do|am|den|dem)\s+)?$"
)
# A bare year after a year: "2027, voire 2028", "in 2027 or 2028".
_YEAR_AFTER = re.compile(
    rf"\s*,?\s*{_OR}\s+(?:(?:in|en|im|nel|em)\s+)?(?P<y>(?:19|20)\d\d)(?![\w/.-]\d*)"
)
_YEAR = re.compile(r"\d{4}$")


def join_ranges(kept: list[Entry], lowered: str) -> list[Entry]:
    """``kept`` (sorted, disjoint) with each pair of days joined by a range word merged."""
    joined: list[Entry] = []
    for entry in kept:
        if joined and (merged := _join(joined[-1], entry, lowered)) is not None:
            if len(joined) > 1 and merged[0] < joined[-2][1]:  # the lead word is taken
                merged = (joined[-1][0], *merged[1:])
            joined[-1] = merged
        else:
            joined.append(entry)
    return joined


def _join(first: Entry, second: Entry, lowered: str) -> Entry | None:
    if not (_DAY.match(first[2]) and _DAY.match(second[2])):
        return None
    glue = _GLUE.fullmatch(lowered, first[1], second[0])
    if glue is None:
        return None
    before = lowered[max(0, first[0] - 20) : first[0]]
    if glue["sep"] in _AND and not _BETWEEN.search(before):
        return None
    start, end = date.fromisoformat(first[2]), date.fromisoformat(second[2])
    if not 0 < (end - start).days <= _LONGEST:
        return None
    lead = _FROM.search(before)
    begin = first[0] - (len(before) - lead.start()) if lead else first[0]
    return (begin, second[1], f"{start.isoformat()}/{end.isoformat()}", False)


def with_alternatives(kept: list[Entry], lowered: str) -> list[Entry]:
    """``kept`` with the alternatives of its days and years added, in text order."""
    added: list[Entry] = []
    for start, end, value, _ in kept:
        if _DAY.match(value):
            before = _DAY_BEFORE.search(lowered, max(0, start - 24), start)
            if before and 0 < int(before["d"]) < int(value[8:]):
                day = f"{value[:8]}{int(before['d']):02d}"
                added.append((before.start(), before.end("d"), day, False))
        elif _YEAR.match(value):
            after = _YEAR_AFTER.match(lowered, end)
            if after and int(value) < int(after["y"]) <= int(value) + 3:
                added.append((after.start("y"), after.end("y"), after["y"], False))
    if not added:
        return kept
    taken = [(s, e) for s, e, _, _ in kept]
    fresh = [a for a in added if not any(s < a[1] and a[0] < e for s, e in taken)]
    return sorted([*kept, *fresh])


_MONTH_VALUE = re.compile(r"(\d{4})-(\d{2})$")
_HAS_YEAR = re.compile(r"(?:19|20)\d\d")
_SENTENCE_END = re.compile(r"[.!?;]\s")


def anchored_years(kept: list[Entry], lowered: str) -> list[Entry]:
    """``kept`` with each yearless month dated from the month with a year before it in its
    sentence, rather than from the publication date."""
    result: list[Entry] = []
    anchor: tuple[int, int, int] | None = None  # (end, year, month) of the last written year
    for start, end, value, weekday in kept:
        month = _MONTH_VALUE.match(value)
        if anchor and _SENTENCE_END.search(lowered, anchor[0], start):
            anchor = None
        if month and _HAS_YEAR.search(lowered, start, end):
            anchor = (end, int(month[1]), int(month[2]))
        elif month and anchor:
            year = anchor[1] if int(month[2]) >= anchor[2] else anchor[1] + 1
            value = f"{year:04d}-{month[2]}"
        result.append((start, end, value, weekday))
    return result
