"""The words of every language table in ``languages``, merged for the rules."""

from __future__ import annotations

import re

from monitor.release_dates.languages import LANGUAGES


def _merged(field: str) -> dict[str, int]:
    merged: dict[str, int] = {}
    for language in LANGUAGES:
        merged.update(getattr(language, field))
    return merged


MONTHS: dict[str, int] = {
    name: number
    for language in LANGUAGES
    for number, names in enumerate(language.months, start=1)
    for name in names.split()
}

# English month names that are also common words: only capitalised ones are months.
AMBIGUOUS_MONTHS = frozenset({"may", "march", "mar", "jan", "dec", "sep", "oct", "nov"})

WEEKDAYS: dict[str, int] = {
    name: number
    for language in LANGUAGES
    for number, names in enumerate(language.weekdays)
    for name in names.split()
}

NUMBERS: dict[str, int] = _merged("numbers")
ORDINALS: dict[str, int] = _merged("ordinals")
SEASONS: dict[str, str] = {k: v for lang in LANGUAGES for k, v in lang.seasons.items()}
PART_WORDS: dict[str, str] = {k: v for lang in LANGUAGES for k, v in lang.parts.items()}
RELATIVE_DAYS: dict[str, int] = _merged("days")
RELATIVE_WEEKS: dict[str, int] = _merged("weeks")
RELATIVE_MONTHS: dict[str, int] = _merged("months_ahead")
RELATIVE_YEARS: dict[str, int] = _merged("years")
WEEKENDS: dict[str, int | None] = {k: v for lang in LANGUAGES for k, v in lang.weekends.items()}
FEW: frozenset[str] = frozenset(word for lang in LANGUAGES for word in lang.few)
COMING: tuple[str, ...] = tuple(word for lang in LANGUAGES for word in lang.coming)
PAST: tuple[str, ...] = tuple(word for lang in LANGUAGES for word in lang.past)
UNITS: dict[str, str] = {k: v for lang in LANGUAGES for k, v in lang.units.items()}
AGO_BEFORE = tuple(word for lang in LANGUAGES for word in lang.ago)  # "il y a", "hace"
AGO_AFTER = tuple(word for lang in LANGUAGES for word in lang.ago_after)  # "ago", "fa"


def alternation(words: object) -> str:
    """A regex alternation of the words, longest first so "sept" wins over "sep"."""
    names = sorted(words, key=len, reverse=True)  # type: ignore[call-overload]
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in names)


def phrase_key(text: str) -> str:
    """A matched phrase as the tables write it: lower-case, one space between words."""
    return " ".join(text.lower().split())


DAY_PARTS = ("nachmittag", "morgen", "abend", "nacht")
# English puts a month or year before the noun of what happens then, with no preposition
# ("a 2028 release", "its July unveiling", "the September event"): after a bare month or
# year, one of these makes it a date.
EVENT_NOUN_AFTER = re.compile(
    r"\s+(?:release|launch|debut|unveiling|rollout|roll-out|reveal|premiere|arrival|"
    r"showcase|event|keynote|announcement|availability|(?:ship|shipping) date)s?\b"
)
CJK_DIGITS = "〇一二三四五六七八九十"
