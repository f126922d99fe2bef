"""The key words that gate each rule: a rule runs only where one of its key words stands
(and, for some, where the text holds a word of a second set too)."""

from __future__ import annotations

import re

from monitor.release_dates.days import (
    cjk_date,
    day_month,
    day_only,
    iso_date,
    iso_week,
    month_only,
    month_year,
    range_day_first,
    range_month_first,
)
from monitor.release_dates.lexicon import (
    AGO_AFTER,
    AGO_BEFORE,
    COMING,
    DAY_PARTS,
    MONTHS,
    ORDINALS,
    PART_WORDS,
    PAST,
    RELATIVE_DAYS,
    SEASONS,
    UNITS,
    WEEKDAYS,
)
from monitor.release_dates.numeric import numeric, numeric_month
from monitor.release_dates.spans import (
    calendar_week,
    count_ago,
    count_span,
    day_of_month,
    in_count,
    month_of_year,
    month_range,
    nth_week,
    ordinal_day,
    weekday_day,
    weekday_of_week,
    weekend,
)
from monitor.release_dates.windows import (
    bare_year,
    half_any,
    holiday_season,
    later_this_year,
    quarter_any,
    relative_day,
    relative_month,
    relative_week,
    relative_year_word,
    season_any,
    week_prior,
    weekday_name,
    year_part,
)

TOKEN = re.compile(r"[^\W_]+")
YEAR_NUMBER = re.compile(r"(?=[12])(?<![\d.])(?:19|20)\d\d(?!\d)")  # lookahead: speed only
_MONTH_WORDS = frozenset(MONTHS)
_WEEKDAY_WORDS = frozenset(day.split("-")[0] for day in WEEKDAYS) | frozenset(
    day + part for day in WEEKDAYS for part in DAY_PARTS
)
NUMERIC_HINT = re.compile(r"\d[./-]\d")  # where a numeric date may stand
_STOP = frozenset(
    [
        "the",
        "this",
        "next",
        "last",
        "les",
        "los",
        "las",
        "del",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "que",
        "une",
        "est",
        "cet",
        "cette",
        "este",
        "esta",
        "over",
    ]
)


_ORDINAL_WORDS = frozenset(word for ordinal in ORDINALS for word in TOKEN.findall(ordinal))
_SPAN_AFTER = "prochains prochaines derniers dernières passés passées précédents précédentes"


def _first_words(phrases: object) -> frozenset[str]:
    return frozenset(TOKEN.findall(phrase)[0] for phrase in phrases)  # type: ignore[attr-defined]


def _last_words(phrases: object) -> frozenset[str]:
    """The last word of each phrase: "the day after tomorrow" is searched at "tomorrow"."""
    return frozenset(TOKEN.findall(phrase)[-1] for phrase in phrases)  # type: ignore[attr-defined]


def _keys(phrases: object, *, short: bool = False) -> frozenset[str]:
    """The words that may start a search for the phrases: each word but articles and the
    like (and but short ones, unless ``short``)."""
    return frozenset(
        word
        for phrase in phrases  # type: ignore[attr-defined]
        for word in TOKEN.findall(phrase)
        if (short or len(word) >= 3) and word not in _STOP
    )


def _words(*groups: str) -> frozenset[str]:
    return frozenset(" ".join(groups).split())


_YEAR_WORDS = _words("#year year years année an jahr jahres año ano jaar anno quest")
YEAR_UNIT_WORDS = _YEAR_WORDS - {"#year"}
WEEK_WORDS = _words("week weekend semaine semana woche wochenende settimana")
WEEKEND_WORDS = _words("weekend wochenende end fin fine fim")
MONTH_UNIT_WORDS = _words("month mois monat monats mes mês maand mese")


def lead_before(phrases: object, keys: frozenset[str]) -> re.Pattern[str]:
    """The words that stand before a key word in the phrases: a rule is tried at the words
    before its key word only where one of them stands there."""
    words = set()
    for phrase in phrases:  # type: ignore[attr-defined]
        for word in TOKEN.findall(phrase):
            if word in keys:
                break
            words.add(word)
    return re.compile(rf"\b(?:{'|'.join(sorted(map(re.escape, words)))})\b")


# Each rule runs only when the text holds a word of each of its sets: most sentences hold
# none, and even lower-cased, a pattern costs a fraction of a microsecond per character.
GATES: dict[object, tuple[frozenset[str], ...]] = {
    iso_date: (_words("#year"),),
    iso_week: (_words("#year"),),
    numeric: (_words("#numeric"),),
    numeric_month: (_words("#numeric"),),
    range_month_first: (_MONTH_WORDS,),
    range_day_first: (_MONTH_WORDS,),
    day_month: (_MONTH_WORDS,),
    month_year: (_MONTH_WORDS, _words("#year")),
    month_only: (_MONTH_WORDS,),
    cjk_date: (_words("#cjk"),),
    quarter_any: (_words("q1 q2 q3 q4 t1 t2 t3 t4 quarter trimestre quartal kwartaal"),),
    half_any: (_words("h1 h2 s1 s2 half semestre moitié jahreshälfte helft"),),
    season_any: (frozenset(SEASONS),),
    year_part: (frozenset(PART_WORDS) | {"mi"}, _YEAR_WORDS),
    later_this_year: (_words("year année año ano jahres jaar jahresende anno"),),
    holiday_season: (_words("holiday holidays christmas fêtes noël"),),
    day_only: (_words("on"),),
    bare_year: (_words("#year"),),
    relative_year_word: (YEAR_UNIT_WORDS,),
    relative_day: (_last_words(RELATIVE_DAYS) | {"morgen", "hier"},),
    relative_week: (WEEK_WORDS,),
    week_prior: (_words("week semaine woche"),),
    relative_month: (MONTH_UNIT_WORDS,),
    in_count: (_keys(UNITS),),
    weekend: (WEEKEND_WORDS, WEEK_WORDS),
    count_ago: (_keys(UNITS), _first_words([*AGO_BEFORE, *AGO_AFTER])),
    nth_week: (WEEK_WORDS | _WEEKDAY_WORDS, _ORDINAL_WORDS),
    month_range: (_MONTH_WORDS,),
    ordinal_day: (_MONTH_WORDS, _ORDINAL_WORDS),
    weekday_of_week: (_WEEKDAY_WORDS, WEEK_WORDS),
    weekday_day: (_WEEKDAY_WORDS,),
    day_of_month: (MONTH_UNIT_WORDS,),
    count_span: (_keys(UNITS), _last_words([*COMING, *PAST]) | _words(_SPAN_AFTER)),
    calendar_week: (_words("kw kalenderwoche calendar iso"),),
    month_of_year: (_MONTH_WORDS, _YEAR_WORDS),
    weekday_name: (_WEEKDAY_WORDS,),
}
