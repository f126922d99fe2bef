"""Calendar arithmetic and the year guesses for expressions that lack one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from monitor.release_dates.lexicon import AMBIGUOUS_MONTHS, CJK_DIGITS, DAY_PARTS, MONTHS, WEEKDAYS


@dataclass(frozen=True)
class Job:
    """One find_dates call: the text as written, the reference and the year to assume."""

    source: str
    reference: date
    default_year: int | None


def safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def iso_week_of(d: date) -> str:
    iso = d.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def add_months(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + count
    return index // 12, index % 12 + 1


def month_of(token: str) -> int | None:
    return MONTHS.get(token.lower().rstrip("."))


_ABBREVIATIONS = frozenset({"jan", "sep", "oct", "nov", "dec"})


def _is_month_token(token: str) -> bool:
    """Reject "may"/"march" as verbs and "MAI" as a model name.

    An ambiguous English month must be capitalised (or, abbreviated, end with its period),
    and no month is written in capitals
    (headlines aside, "MAI 1" is Microsoft's model, not the first of May).
    """
    bare = token.rstrip(".")
    if len(bare) > 2 and bare.isupper():
        return False
    if bare.lower() not in AMBIGUOUS_MONTHS or bare[:1].isupper():
        return True
    # "le 2 oct.": an abbreviation with its period is a month in any case, not "mar." (sea)
    return token.endswith(".") and bare in _ABBREVIATIONS


def month_ok(m: re.Match[str], group: str, job: Job) -> bool:
    """The month as the writer cased it (the pattern ran on lower-cased text)."""
    return month_of(m[group]) is not None and _is_month_token(
        job.source[m.start(group) : m.end(group)]
    )


# A day told in the future tense ("will take place January 22", "se tiendra le 6 janvier"):
# the next such day, even when this year's has gone by.
_AIMED_AHEAD = re.compile(
    r"\b(?:will|shall|to be|set for|slated for|scheduled for|sera|seront|aura lieu|auront lieu|"
    r"se tiendra|se tiendront|se déroulera|se dérouleront|wird|findet)\b[^.;]{0,40}$"
)


def aimed_ahead(text: str, start: int) -> bool:
    """Whether a future-tense verb leads up to the day at ``start``."""
    return _AIMED_AHEAD.search(text, max(0, start - 60), start) is not None


def direction_of(text: str) -> int:
    """+1 for "next"/"prochain", -1 for "last"/"dernier", 0 otherwise."""
    lowered = text.lower()
    if _PAST_WORD.search(lowered):
        return -1
    if _NEXT_WORD.search(lowered):
        return 1
    return 0


_PAST_WORD = re.compile(
    r"\b(?:last|past|dernier|dernière|passée?|pasad[oa]|letzte[nmr]?|vorige?|vergangene[nmr]?"
    r"|afgelopen|scors[oa]|[úu]ltim[oa]|passad[oa])\b"
)
_NEXT_WORD = re.compile(
    r"\b(?:next|coming|prochaine?|pr[óo]xim[oa]|nächste[nmr]?|volgende|komende|prossim[oa]"
    r"|que viene|que vem)\b"
)


# A release told in the past tense just before a bare month or season ("launched in the
# spring", "released GPT-4o in May", "sorti au printemps"): that month or season is the one
# gone by. Not after "be", "to", "être" or "sera" ("could be released in June", "set to be
# launched in the fall", "devrait être lancé en août" aim ahead), nor after a present "is"
# ("when it's released in June").
_RELEASED = (
    r"(?<!\bbe )(?<!\bto )(?<!\bêtre )(?<!\bsera )(?<!\bseront )(?<!\bserait )(?<!\bis )"
    r"(?<!\bare )(?<!'s )\b(?:launched|"
    r"released|shipped|debuted|arrived|unveiled|introduced|rolled out|came out|went live|landed|"
    r"premiered|lancée?s?|sortie?s?|dévoilée?s?)\s+"
)
_RELEASED_BEFORE = re.compile(
    _RELEASED + r"(?:[\w.-]+\s+){0,3}?(?:back\s+)?(?:in|during|over|on|en|au|à l'|à la)\s*"
    r"(?:the\s+|early\s+|late\s+|début\s+|fin\s+)*$",
    re.IGNORECASE,
)
_RELEASED_JUST_BEFORE = re.compile(_RELEASED + "$", re.IGNORECASE)


def released_before(text: str, start: int, *, preposition: bool = True) -> bool:
    """Whether a past-tense release verb leads up to the month or season at ``start``
    (through a preposition, unless ``preposition`` is False: the match holds it)."""
    pattern = _RELEASED_BEFORE if preposition else _RELEASED_JUST_BEFORE
    return pattern.search(text, max(0, start - 60), start) is not None


def _pick_day_year(month: int, day: int, ref: date, direction: int) -> date | None:
    """The year for a day-month without one: the nearest plausible occurrence."""
    candidates = [safe_date(ref.year + k, month, day) for k in (-1, 0, 1)]
    dates = [d for d in candidates if d is not None]
    if direction < 0:
        past = [d for d in dates if d <= ref]
        return max(past) if past else None
    if direction > 0:
        future = [d for d in dates if d >= ref]
        return min(future) if future else None
    for d in dates:
        if -120 < (d - ref).days <= 245:
            return d
    return min(dates, key=lambda d: abs((d - ref).days)) if dates else None


def pick_month_year(month: int, ref: date, direction: int) -> int:
    delta = month - ref.month
    if direction < 0:
        return ref.year if delta <= 0 else ref.year - 1
    if direction > 0:
        return ref.year if delta >= 0 else ref.year + 1
    if delta <= -4:
        return ref.year + 1
    if delta > 8:
        return ref.year - 1
    return ref.year


def day_value(
    month: int, day: int, year: int | None, ref: date, default_year: int | None, direction: int
) -> date | None:
    if year is not None:
        return safe_date(year, month, day)
    if default_year is not None:
        return safe_date(default_year, month, day)
    return _pick_day_year(month, day, ref, direction)


def int_or_none(group: str | None) -> int | None:
    return int(group) if group else None


def cjk_int(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    digits = {c: i for i, c in enumerate(CJK_DIGITS)}
    if token == "十":
        return 10
    if token.startswith("十"):
        return 10 + digits.get(token[1:], 0)
    if "十" in token:
        tens, _, units = token.partition("十")
        return digits.get(tens, 0) * 10 + (digits.get(units, 0) if units else 0)
    return digits.get(token)


def relative_year(text: str, ref: date) -> int:
    return ref.year + direction_of(text)


def weekday_of(word: str) -> int | None:
    """Monday is 0; German compounds ("Donnerstagabend") count as their weekday."""
    word = word.lower()
    if word in WEEKDAYS:
        return WEEKDAYS[word]
    for part in DAY_PARTS:
        if word.endswith(part):
            return WEEKDAYS.get(word[: -len(part)])
    return None
