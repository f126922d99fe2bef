"""Find date and time-window expressions in news text and resolve them to ISO 8601 forms.

Pure and fast: a handful of compiled patterns built from small lexicons (English and
French first, with Spanish, German, Dutch, Italian and CJK month forms as a bonus). No date
library: the patterns cover what news writes, and a library would cost milliseconds.

Values, as SPEC "Signals" lists them:

- a day ``2024-05-16``, a month ``2024-05``, a year ``2024``, an ISO week ``2024-W21``;
- a range of days ``2024-05-21/2024-05-23``;
- windows ``2025-Q3``, ``2025-H2``, ``2025-early``, ``2025-mid``, ``2025-late`` and the
  seasons ``2025-spring``, ``2025-summer``, ``2025-autumn`` ("fall" too) and
  ``2025-winter`` (the winter that *starts* in December 2025).

Rules for expressions without a year, resolved against ``reference`` (the publication date):

- a day or month takes the year that puts it between four months before and eight months
  after the reference, because news mostly announces what comes and recalls what just
  happened; "last"/"dernier" forces the past and "next"/"prochain" the future;
- ``default_year`` (e.g. from "Build 2026 ... opens June 2") replaces that guess;
- a bare weekday ("on Thursday", "jeudi") is the nearest one to the reference, unless
  a verb close to it says past ("released", "a lancé") or future ("will", "lancera");
  "next Thursday" is the first Thursday after the reference, "last Thursday" the one before;
- "next week" is the ISO week seven days after the reference, "in two weeks" fourteen days.

Bare years and bare months are only dates after a preposition ("in 2025", "en août"), so
"Build 2024" and "2000 GPUs" are not. Lower-case "may"/"march" are verbs, and "MAI 1" is a
model, not the first of May.

Speed: patterns run on lower-cased text, and each rule only where one of its key words
(a month name, a weekday, "week", a year...) stands, never across the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class DateMention:
    """One date expression: its span in the text, its ISO value and the text it covers."""

    start: int
    end: int
    value: str
    text: str


# --- lexicons --------------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan janvier janv enero ene januar jänner januari gennaio",
        "february feb février fevrier févr fevr febrero februar februari febbraio",
        "march mar mars marzo märz maerz maart",
        "april apr avril avr abril aprile",
        "may mai mayo mei maggio",
        "june jun juin junio juni giugno",
        "july jul juillet juil julio juli luglio",
        "august aug août aout agosto augustus",
        "september sep sept septembre septiembre setiembre settembre",
        "october oct octobre octubre oktober ottobre",
        "november nov novembre noviembre",
        "december dec décembre decembre déc dic diciembre dezember dicembre",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

# English month names that are also common words: only capitalised ones are months.
_AMBIGUOUS_MONTHS = frozenset({"may", "march", "mar", "jan", "dec", "sep", "oct", "nov"})

_WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "monday lundi lunes montag maandag lunedì lunedi",
        "tuesday mardi martes dienstag dinsdag martedì martedi",
        "wednesday mercredi miércoles miercoles mittwoch woensdag mercoledì mercoledi",
        "thursday jeudi jueves donnerstag donderdag giovedì giovedi",
        "friday vendredi viernes freitag vrijdag venerdì venerdi",
        "saturday samedi sábado sabado samstag sonnabend zaterdag sabato",
        "sunday dimanche domingo sonntag zondag domenica",
    )
):
    for _name in _names.split():
        _WEEKDAYS[_name] = _number

_NUMBERS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "un": 1, "une": 1, "ein": 1, "eine": 1, "einer": 1,
    "einem": 1, "uno": 1, "una": 1, "een": 1,
    "two": 2, "deux": 2, "zwei": 2, "dos": 2, "twee": 2, "due": 2,
    "three": 3, "trois": 3, "drei": 3, "tres": 3, "drie": 3, "tre": 3,
    "four": 4, "quatre": 4, "vier": 4, "cuatro": 4, "quattro": 4,
    "five": 5, "cinq": 5, "fünf": 5, "cinco": 5, "vijf": 5, "cinque": 5,
    "six": 6, "sechs": 6, "seis": 6, "zes": 6, "sei": 6,
    "seven": 7, "sept": 7, "sieben": 7, "siete": 7, "zeven": 7,
    "eight": 8, "huit": 8, "acht": 8, "ocho": 8, "otto": 8,
    "nine": 9, "neuf": 9, "neun": 9, "nueve": 9, "negen": 9,
    "ten": 10, "dix": 10, "zehn": 10, "diez": 10, "tien": 10,
}  # fmt: skip

_SEASONS: dict[str, str] = {
    "spring": "spring", "printemps": "spring", "primavera": "spring", "frühling": "spring",
    "frühjahr": "spring", "lente": "spring", "voorjaar": "spring",
    "summer": "summer", "été": "summer", "verano": "summer", "sommer": "summer",
    "zomer": "summer", "estate": "summer",
    "fall": "autumn", "autumn": "autumn", "automne": "autumn", "otoño": "autumn",
    "herbst": "autumn", "herfst": "autumn", "najaar": "autumn", "autunno": "autumn",
    "winter": "winter", "hiver": "winter", "invierno": "winter", "inverno": "winter",
}  # fmt: skip


def _alternation(words: object) -> str:
    """A regex alternation of the words, longest first so "sept" wins over "sep"."""
    names = sorted(words, key=len, reverse=True)  # type: ignore[call-overload]
    return "|".join(re.escape(w) for w in names)


# Any word where a month may stand: the resolvers look it up in _MONTHS, which is far
# cheaper than a regex alternation of a hundred month names tried at every character.
_MONTH = r"(?:[^\W\d_]{3,11}\.?)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_ORD = r"(?:st|nd|rd|th|er|re|e|ème|\.|º)?"
_YEAR = r"(?:19|20)\d{2}"
_WEEKDAY = rf"(?:{_alternation(_WEEKDAYS)})"
_NUMBER = rf"(?:\d{{1,2}}|{_alternation(_NUMBERS)})"
_SEASON = rf"(?:{_alternation(_SEASONS)})"
_CJK_DIGITS = "〇一二三四五六七八九十"
_CJK_NUM = rf"(?:\d{{1,2}}|[{_CJK_DIGITS}]{{1,3}})"

# A range separator between two days: "7-9", "7 to 9", "du 21 au 23", "6 tot en met 8".
_RANGE_SEP = (
    r"\s*(?:-|–|—|‑|\bto\b|\bthrough\b|\bthru\b|\buntil\b|\bau\b|\bal\b|\bbis\b"
    r"|\btot en met\b|\bt/m\b|\btot\b|\bhasta el\b|\bjusqu'au\b|\bal\b)\s*"
)

_F = re.IGNORECASE


@dataclass(frozen=True)
class _Job:
    """One find_dates call: the text as written, the reference and the year to assume."""

    source: str
    reference: date
    default_year: int | None


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    resolve: Callable[[re.Match[str], _Job], str | None]
    back: int = 0  # how far before its key word a match may start; -1: scan the whole text


# --- calendar helpers ------------------------------------------------------------------


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _week(d: date) -> str:
    iso = d.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def _add_months(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + count
    return index // 12, index % 12 + 1


def _month_of(token: str) -> int | None:
    return _MONTHS.get(token.lower().rstrip("."))


def _is_month_token(token: str) -> bool:
    """Reject "may"/"march" as verbs and "MAI" as a model name.

    An ambiguous English month must be capitalised, and no month is written in capitals
    (headlines aside, "MAI 1" is Microsoft's model, not the first of May).
    """
    bare = token.rstrip(".")
    if len(bare) > 2 and bare.isupper():
        return False
    return bare.lower() not in _AMBIGUOUS_MONTHS or bare[:1].isupper()


def _month_ok(m: re.Match[str], group: str, job: _Job) -> bool:
    """The month as the writer cased it (the pattern ran on lower-cased text)."""
    return _month_of(m[group]) is not None and _is_month_token(
        job.source[m.start(group) : m.end(group)]
    )


def _direction(text: str) -> int:
    """+1 for "next"/"prochain", -1 for "last"/"dernier", 0 otherwise."""
    lowered = text.lower()
    if re.search(
        r"\b(?:last|past|dernier|dernière|passée?|pasad[oa]|letzte[nmr]?|vorige?|vergangene[nmr]?|afgelopen|scorso)\b",
        lowered,
    ):
        return -1
    if re.search(
        r"\b(?:next|coming|prochaine?|próxim[oa]|nächste[nmr]?|volgende|komende|prossim[oa]|que viene)\b",
        lowered,
    ):
        return 1
    return 0


def _pick_day_year(month: int, day: int, ref: date, direction: int) -> date | None:
    """The year for a day-month without one: the nearest plausible occurrence."""
    candidates = [_safe_date(ref.year + k, month, day) for k in (-1, 0, 1)]
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


def _pick_month_year(month: int, ref: date, direction: int) -> int:
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


def _day_value(
    month: int, day: int, year: int | None, ref: date, default_year: int | None, direction: int
) -> date | None:
    if year is not None:
        return _safe_date(year, month, day)
    if default_year is not None:
        return _safe_date(default_year, month, day)
    return _pick_day_year(month, day, ref, direction)


def _int(group: str | None) -> int | None:
    return int(group) if group else None


def _cjk_int(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    digits = {c: i for i, c in enumerate(_CJK_DIGITS)}
    if token == "十":
        return 10
    if token.startswith("十"):
        return 10 + digits.get(token[1:], 0)
    if "十" in token:
        tens, _, units = token.partition("十")
        return digits.get(tens, 0) * 10 + (digits.get(units, 0) if units else 0)
    return digits.get(token)


# --- resolvers (one per rule) -----------------------------------------------------------


def _iso(m: re.Match[str], job: _Job) -> str | None:
    d = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    return d.isoformat() if d else None


def _iso_week(m: re.Match[str], job: _Job) -> str | None:
    week = int(m["w"])
    return f"{m['y']}-W{week:02d}" if 1 <= week <= 53 else None


def _numeric(m: re.Match[str], job: _Job) -> str | None:
    first, second, year = int(m["a"]), int(m["b"]), int(m["y"])
    if first > 12 >= second:
        d = _safe_date(year, second, first)
    elif second > 12 >= first:
        d = _safe_date(year, first, second)
    elif m["sep"] == ".":  # German and Dutch write day.month.year
        d = _safe_date(year, second, first)
    else:
        return None  # 05/06/2024: the order is the writer's secret
    return d.isoformat() if d else None


def _range_month_first(m: re.Match[str], job: _Job) -> str | None:
    ref, default_year = job.reference, job.default_year
    if not _month_ok(m, "m1", job) or (m["m2"] and not _month_ok(m, "m2", job)):
        return None
    month1 = _month_of(m["m1"])
    month2 = _month_of(m["m2"]) if m["m2"] else month1
    return _day_range(month1, int(m["d1"]), month2, int(m["d2"]), m, ref, default_year)


def _range_day_first(m: re.Match[str], job: _Job) -> str | None:
    ref, default_year = job.reference, job.default_year
    if not _month_ok(m, "m2", job) or (m["m1"] and not _month_ok(m, "m1", job)):
        return None
    month2 = _month_of(m["m2"])
    month1 = _month_of(m["m1"]) if m["m1"] else month2
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
    year = _int(m["y"])
    first = _day_value(month1, day1, year, ref, default_year, _direction(m[0]))
    if first is None:
        return None
    end_year = first.year + (1 if month2 < month1 else 0)
    last = _safe_date(end_year, month2, day2)
    if last is None or last <= first or (last - first).days > 62:
        return None
    if year is not None and month2 < month1:  # "December 30 to January 2, 2025": year ends it
        first = _safe_date(year - 1, month1, day1) or first
        last = _safe_date(year, month2, day2) or last
    return f"{first.isoformat()}/{last.isoformat()}"


def _day_month(m: re.Match[str], job: _Job) -> str | None:
    ref, default_year = job.reference, job.default_year
    if not _month_ok(m, "m", job):
        return None
    month = _month_of(m["m"])
    if month is None:
        return None
    tail = m.string[m.end() : m.end() + 12]
    d = _day_value(month, int(m["d"]), _int(m["y"]), ref, default_year, _direction(tail))
    return d.isoformat() if d else None


def _month_year(m: re.Match[str], job: _Job) -> str | None:
    if not _month_ok(m, "m", job):
        return None
    month = _month_of(m["m"])
    return f"{int(m['y']):04d}-{month:02d}" if month else None


# A month alone is a date only after a preposition: "in August", "en août", "by March".
_BEFORE_MONTH = re.compile(
    r"\b(?:in|by|until|till|for|from|since|this|next|last|early|mid|late|"
    r"as early as|as soon as|as late as|dès|"
    r"end of|the end of|start of|beginning of|before|en|d'ici|dès|depuis|jusqu'en|"
    r"au mois d'|au mois de|du mois d'|du mois de|courant|début|mi-|fin|"
    r"à partir d'|à partir de|avant|im|ab|bis|seit|anfang|mitte|ende|vor|"
    r"a principios de|principios de|a mediados de|mediados de|a finales de|"
    r"finales de|para|hasta|desde|antes de|tegen|eind|begin|medio|vanaf|sinds|"
    r"voor|entro|a|di|ad|per)\b[\s-]*$"
)


def _month_only(m: re.Match[str], job: _Job) -> str | None:
    ref, default_year = job.reference, job.default_year
    if not _month_ok(m, "m", job):
        return None
    pre = _BEFORE_MONTH.search(m.string, max(0, m.start() - 22), m.start())
    if pre is None:
        return None
    month = _month_of(m["m"])
    if month is None:
        return None
    if default_year is not None:
        return f"{default_year:04d}-{month:02d}"
    tail = m.string[m.end() : m.end() + 12]
    year = _pick_month_year(month, ref, _direction(pre[0] + " " + tail))
    return f"{year:04d}-{month:02d}"


def _cjk_date(m: re.Match[str], job: _Job) -> str | None:
    ref, default_year = job.reference, job.default_year
    month = _cjk_int(m["m"])
    if month is None or not 1 <= month <= 12:
        return None
    year = _int(m["y"])
    if m["d"]:
        day = _cjk_int(m["d"])
        if day is None:
            return None
        d = _day_value(month, day, year, ref, default_year, 0)
        return d.isoformat() if d else None
    if year is None:
        year = default_year if default_year is not None else _pick_month_year(month, ref, 0)
    return f"{year:04d}-{month:02d}"


def _relative_year(text: str, ref: date) -> int:
    return ref.year + _direction(text)


def _season(m: re.Match[str], job: _Job) -> str | None:
    ref, default_year = job.reference, job.default_year
    season = _SEASONS[m["s"].lower()]
    year = _int(m["y"])
    if year is None:
        if default_year is not None:
            year = default_year
        else:
            # "this winter" in January is the winter that began in the previous December.
            year = ref.year - 1 if season == "winter" and ref.month <= 2 else ref.year
            year += _direction(m[0])
    return f"{year}-{season}"


_PART_WORDS = {
    "early": "early", "beginning": "early", "start": "early", "début": "early",
    "debut": "early", "principios": "early", "comienzos": "early", "inicios": "early",
    "anfang": "early", "begin": "early", "inizio": "early",
    "mid": "mid", "middle": "mid", "mi": "mid", "milieu": "mid", "mediados": "mid",
    "mitte": "mid", "medio": "mid", "midden": "mid", "metà": "mid",
    "late": "late", "end": "late", "fin": "late", "finales": "late", "fines": "late",
    "ende": "late", "eind": "late", "eerder": "early", "fine": "late",
}  # fmt: skip


def _year_part(m: re.Match[str], job: _Job) -> str | None:
    ref, default_year = job.reference, job.default_year
    part = _PART_WORDS.get(m["p"].lower())
    if part is None:
        return None
    if m["y"]:
        year = int(m["y"])
    elif m["rel"]:
        year = ref.year + _direction(m["rel"])
    else:
        year = default_year or ref.year
    return f"{year}-{part}"


def _later_this_year(m: re.Match[str], job: _Job) -> str | None:
    ref = job.reference
    year = ref.year + _direction(m[0])
    part = "early" if re.match(r"(?i)earlier|plus tôt|früher", m[0]) else "late"
    return f"{year}-{part}"


def _year(m: re.Match[str], job: _Job) -> str | None:
    return m["y"]


def _relative_year_word(m: re.Match[str], job: _Job) -> str | None:
    ref = job.reference
    return str(ref.year + _direction(m[0]))


def _relative_day(m: re.Match[str], job: _Job) -> str | None:
    ref = job.reference
    word = m[0].lower()
    offset = 0
    for pattern, days in _DAY_WORDS:
        if re.search(pattern, word):
            offset = days
            break
    return (ref + timedelta(days=offset)).isoformat()


def _relative_week(m: re.Match[str], job: _Job) -> str | None:
    ref = job.reference
    return _week(ref + timedelta(days=7 * _direction(m[0])))


def _week_prior(m: re.Match[str], job: _Job) -> str | None:
    ref = job.reference
    return _week(ref - timedelta(days=7))


def _relative_month(m: re.Match[str], job: _Job) -> str | None:
    ref = job.reference
    year, month = _add_months(ref.year, ref.month, _direction(m[0]))
    return f"{year:04d}-{month:02d}"


def _in_count(m: re.Match[str], job: _Job) -> str | None:
    ref = job.reference
    count = _NUMBERS.get(m["n"].lower()) if not m["n"].isdigit() else int(m["n"])
    if not count:
        return None
    unit = m["u"].lower()
    if unit.startswith(("day", "jour", "tag", "día", "dia", "dag", "giorn")):
        return (ref + timedelta(days=count)).isoformat()
    if unit.startswith(("week", "semaine", "woche", "semana", "weken", "settiman")):
        return _week(ref + timedelta(days=7 * count))
    year, month = _add_months(ref.year, ref.month, count)
    return f"{year:04d}-{month:02d}"


_DAY_PARTS = ("nachmittag", "morgen", "abend", "nacht")


def _weekday_of(word: str) -> int | None:
    """Monday is 0; German compounds ("Donnerstagabend") count as their weekday."""
    word = word.lower()
    if word in _WEEKDAYS:
        return _WEEKDAYS[word]
    for part in _DAY_PARTS:
        if word.endswith(part):
            return _WEEKDAYS.get(word[: -len(part)])
    return None


def _weekday(m: re.Match[str], job: _Job) -> str | None:
    ref = job.reference
    weekday = _weekday_of(m["wd"])
    if weekday is None:
        return None
    delta = (weekday - ref.weekday()) % 7  # 0..6 days ahead
    direction = _direction(m.string[max(0, m.start() - 16) : m.start()] + " " + m[0])
    if direction > 0:
        offset = delta or 7
    elif direction < 0:
        offset = delta - 7 if delta else -7
    else:
        offset = _tense_offset(m, delta, job.source)
    return (ref + timedelta(days=offset)).isoformat()


_PAST_CUE = re.compile(
    r"\b(?:was|were|had|did|said|made|began|came|went|took|held|saw|got|led|ran|shut|told|"
    r"[a-z]{2,}ed|ago|last|fut|dernier|dernière|hat|haben|hatte|wurde|wurden|war|waren|"
    r"heeft|hebben|werd|[a-záéíóú]{3,}ó|(?:ha|han)\s+\w+(?:ado|ido)|"
    r"(?:a|ont|avait|avaient|est|sont)\s+(?:été\s+)?\w+(?:é|ée|és|ées|is|it|u|us|ert))\b"
    r"|(?-i:\b[a-zäöü]{3,}(?:te|ten)\b)",
    _F,
)
_FUTURE_CUE = re.compile(
    r"\b(?:will|'ll|shall|going to|set to|due|expected|scheduled|slated|planned|upcoming|"
    r"next|ahead|coming|plans|[a-zé]{3,}ra|[a-zé]{3,}ront|va|vont|prochain|prochaine|"
    r"wird|werden|soll|[a-záéíóú]{3,}rá|[a-záéíóú]{3,}rán|zal|zullen|gaat|komende)\b",
    _F,
)
_NOT_PAST = frozenset(
    {"need", "speed", "feed", "seed", "red", "bed", "shed", "indeed", "expected",
     "scheduled", "planned", "slated", "based", "called", "named", "dubbed", "fed",
     "ahead", "hundred", "embed", "breed", "proceed", "succeed", "exceed", "weed",
     "heute", "erste", "ersten", "zweite", "dritte", "letzte", "letzten", "nächste", "beste",
     "besten", "neueste", "neuesten", "gute", "guten", "große", "großen", "leute", "seite",
     "mitte", "halte", "weiten", "meisten", "neunte", "konnte"}
)  # fmt: skip


def _tense_offset(m: re.Match[str], delta: int, source: str) -> int:
    """Past or future weekday, judged by the closest tense cue in the same sentence."""
    text = source
    left = max(text.rfind(".", 0, m.start()), text.rfind("\n", 0, m.start()), m.start() - 90)
    right_candidates = [i for i in (text.find(". ", m.end()), text.find("\n", m.end())) if i >= 0]
    right = min([*right_candidates, m.end() + 90])
    best: tuple[int, int] | None = None  # (distance, sign)
    for pattern, sign in ((_FUTURE_CUE, 1), (_PAST_CUE, -1)):
        for cue in pattern.finditer(text, max(left, 0), right):
            if sign < 0 and cue[0].lower() in _NOT_PAST:
                continue
            distance = cue.start() - m.end() if cue.start() >= m.end() else m.start() - cue.end()
            if best is None or distance < best[0] or (distance == best[0] and sign > 0):
                best = (distance, sign)
    if best is None:
        return delta if delta <= 3 else delta - 7
    if best[1] > 0:
        return delta
    return delta - 7 if delta else 0


_ORDINALS = {
    "first": 1, "1st": 1, "premier": 1, "première": 1, "1er": 1, "primer": 1, "primero": 1,
    "erste": 1, "ersten": 1, "eerste": 1,
    "second": 2, "2nd": 2, "deuxième": 2, "seconde": 2, "2e": 2, "2ème": 2, "segundo": 2,
    "zweite": 2, "zweiten": 2, "tweede": 2,
    "third": 3, "3rd": 3, "troisième": 3, "3e": 3, "3ème": 3, "tercer": 3, "tercero": 3,
    "dritte": 3, "dritten": 3, "derde": 3,
    "fourth": 4, "4th": 4, "quatrième": 4, "4e": 4, "4ème": 4, "cuarto": 4, "vierte": 4,
    "vierten": 4, "vierde": 4,
}  # fmt: skip

_DAY_WORDS: tuple[tuple[str, int], ...] = (
    (r"after tomorrow|après-demain|übermorgen|pasado mañana|overmorgen|dopodomani", 2),
    (r"before yesterday|avant-hier|vorgestern|anteayer|eergisteren|altro ieri", -2),
    (r"tomorrow|demain|morgen|mañana|domani", 1),
    (r"yesterday|hier|gestern|ayer|gisteren|ieri", -1),
)


def _quarter_any(m: re.Match[str], job: _Job) -> str | None:
    ref, default_year = job.reference, job.default_year
    number = m["q"] or m["q2"] or m["q3"] or m["qw"]
    if number is None:
        return None
    quarter = int(number) if number.isdigit() else _ORDINALS.get(number.lower(), 0)
    if not 1 <= quarter <= 4:
        return None
    year = _int(m["y"] or m["y2"] or m["y4"]) or default_year or _relative_year(m[0], ref)
    return f"{year}-Q{quarter}"


def _half_any(m: re.Match[str], job: _Job) -> str | None:
    ref, default_year = job.reference, job.default_year
    number = m["h"] or m["h2"] or m["h3"] or m["hw"]
    if number is None:
        return None
    half = int(number) if number.isdigit() else _ORDINALS.get(number.lower(), 0)
    if half not in (1, 2):
        return None
    year = _int(m["y"] or m["y2"] or m["y4"]) or default_year or _relative_year(m[0], ref)
    return f"{year}-H{half}"


def _season_any(m: re.Match[str], job: _Job) -> str | None:
    if m["s2"]:
        return f"{m['y2']}-{_SEASONS[m['s2'].lower()]}"
    return _season(m, job)


# --- the rules, most specific first ----------------------------------------------------

_ORDINAL = _alternation(_ORDINALS)
_REL = r"(?:this|next|last|coming|ce|cet|cette|l'an|este|esta|el próximo|diese[ms]?|nächste[ns]?|dit|deze|volgend|komend)"

_RULES: tuple[_Rule, ...] = (
    _Rule(re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<m>0[1-9]|1[0-2])-(?P<d>[0-3]\d)\b"), _iso),
    _Rule(re.compile(r"\b(?P<y>(?:19|20)\d{2})-?w(?P<w>[0-5]\d)\b"), _iso_week),
    _Rule(
        re.compile(rf"\b(?P<a>{_DAY})(?P<sep>[./])(?P<b>{_DAY}|1[0-2])(?P=sep)(?P<y>{_YEAR})\b"),
        _numeric,
        back=8,
    ),
    _Rule(
        re.compile(
            rf"\b(?P<m1>{_MONTH})\s+(?P<d1>{_DAY}){_ORD}{_RANGE_SEP}"
            rf"(?:(?P<m2>{_MONTH})\s+)?(?P<d2>{_DAY})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>{_YEAR})\b)?",
        ),
        _range_month_first,
        back=0,
    ),
    _Rule(
        re.compile(
            rf"(?:\b(?:du|from|van|vom|del|de|dal|entre le|between)\s+)?\b(?P<d1>{_DAY}){_ORD}"
            rf"(?:\s+(?:de\s+)?(?P<m1>{_MONTH}))?{_RANGE_SEP}(?P<d2>{_DAY}){_ORD}\s+(?:de\s+|of\s+)?"
            rf"(?P<m2>{_MONTH})(?!\w)(?:,?\s+(?:de\s+|del\s+)?(?P<y>{_YEAR})\b)?",
        ),
        _range_day_first,
        back=24,
    ),
    _Rule(
        re.compile(
            rf"\b(?P<m>{_MONTH})\s+(?P<d>{_DAY})(?:st|nd|rd|th)?(?![\d:.,]\d|\w)"
            rf"(?:,?\s+(?P<y>{_YEAR})\b)?",
        ),
        _day_month,
        back=0,
    ),
    _Rule(
        re.compile(
            rf"\b(?P<d>{_DAY}){_ORD}\s+(?:of\s+|de\s+)?(?P<m>{_MONTH})(?!\w)"
            rf"(?:,?\s+(?:de\s+|del\s+)?(?P<y>{_YEAR})\b)?",
        ),
        _day_month,
        back=24,
    ),
    _Rule(
        re.compile(
            rf"\b(?P<m>{_MONTH})(?:,?\s+(?:de\s+|of\s+|del\s+)?(?P<y>{_YEAR}))\b",
        ),
        _month_year,
        back=0,
    ),
    _Rule(
        re.compile(
            rf"\b(?P<m>{_MONTH})(?![\w-])",
        ),
        _month_only,
        back=0,
    ),
    _Rule(
        re.compile(
            rf"(?:(?P<y>\d{{4}})年)?(?P<m>{_CJK_NUM})月(?:(?P<d>{_CJK_NUM})[日号])?"
            r"(?:[初中底末旬])?"
        ),
        _cjk_date,
        back=-1,
    ),
    _Rule(
        re.compile(
            rf"\b(?:q(?P<q>[1-4])|t(?P<q2>[1-4])(?=\s+{_YEAR}))(?:\s*['’]?\s*(?P<y>{_YEAR})\b)?"
            rf"|\b(?P<y2>{_YEAR})\s*[-/]?\s*q(?P<q3>[1-4])\b"
            rf"|\b(?P<qw>{_ORDINAL})\s+(?:quarter|trimestre|quartal|kwartaal)"
            rf"(?:\s+(?:of|de|del|van)?\s*(?:{_REL}\s+year|l'année|(?P<y4>{_YEAR})))?",
        ),
        _quarter_any,
        back=12,
    ),
    _Rule(
        re.compile(
            rf"\b(?:h(?P<h>[12])|s(?P<h2>[12])(?=\s+{_YEAR}))(?:\s*['’]?\s*(?P<y>{_YEAR})\b)?"
            rf"|\b(?P<y2>{_YEAR})\s*[-/]?\s*h(?P<h3>[12])\b"
            rf"|\b(?P<hw>{_ORDINAL})\s+(?:half|semestre|moitié|jahreshälfte|helft)"
            rf"(?:\s+(?:of|de|del|van)?\s*(?:(?:the|this|next|l'|la|dit)\s*(?:year|année|"
            rf"año|jaar)|(?P<y4>{_YEAR})))?",
        ),
        _half_any,
        back=12,
    ),
    _Rule(
        re.compile(
            rf"(?:\b(?:this|next|last|coming|in|by|over|during|early|late|mid|in the|"
            rf"the|ce|cet|cette|au|à l'|l'|en|d'ici l'|d'ici|dès l'|este|el|en|el próximo|"
            rf"im|diesen|nächsten|letzten|deze|dit|in de|komende|afgelopen|vorige|quest')"
            rf"[\s-]?(?P<s>{_SEASON})\b(?:\s+(?:of\s+|de\s+|del\s+)?(?P<y>{_YEAR})\b)?"
            rf"(?:\s+(?:prochain|dernier|próximo|pasado))?)"
            rf"|\b(?P<s2>{_SEASON})\s+(?:of\s+|de\s+|del\s+)?(?P<y2>{_YEAR})\b",
        ),
        _season_any,
        back=16,
    ),
    _Rule(
        re.compile(
            rf"\b(?P<p>early|mid|late|end|beginning|start|début|debut|mi|milieu|fin|"
            rf"principios|comienzos|inicios|mediados|finales|fines|anfang|mitte|ende|begin|"
            rf"medio|eind|midden|inizio|fine)(?:\s+of|\s+de|\s+del|\s+van)?[\s-]+"
            rf"(?:(?P<y>{_YEAR})\b|(?P<rel>(?:the|this|next|last|cette|l'|la|l'année|"
            rf"este|el|diese[sm]?|des|nächste[ns]?|dit|volgend)\s*(?:prochaine?\s*)?"
            rf"(?:year|année|an|año|jahres|jahr|jaar)\b(?:\s+prochaine?)?))",
        ),
        _year_part,
        back=0,
    ),
    _Rule(
        re.compile(
            r"\b(?:later|earlier)\s+(?:this|next|in the)\s+year\b|\bplus (?:tard|tôt) cette année"
            r"|\b(?:by|before|until|at) (?:the )?end of (?:the|this|next) year\b"
            r"|\b(?:by )?year[- ]end\b|\b(?:d'ici|avant|à) la fin de (?:l'année|cette année)"
            r"(?: prochaine)?|\bfin de l'année(?: prochaine)?|\bfin d'année"
            r"|\b(?:a|para) finales de (?:este )?año\b|\bende (?:des|dieses) jahres\b"
            r"|\b(?:later|eind) dit jaar\b|\bspäter in diesem jahr\b|\bmás adelante este año\b",
        ),
        _later_this_year,
        back=30,
    ),
    _Rule(
        re.compile(
            rf"\b(?:in|by|for|until|before|since|from|during|throughout|en|d'ici|dès|depuis|"
            rf"courant|avant|pour|jusqu'en|im jahr|im|bis|seit|ab|vor|en el|para|hasta|desde|"
            rf"antes de|in het jaar|sinds|voor|tegen|nel|entro il)\s+(?P<y>{_YEAR})\b(?![-/.]\d)",
        ),
        _year,
        back=16,
    ),
    _Rule(
        re.compile(
            r"\b(?:this|next|last) year\b(?!['’]s)|\bcette année\b|\bl'(?:année|an) (?:prochaine?|"
            r"dernière?|passée)\b|\b(?:dieses|nächstes|letztes|kommendes) jahr\b|"
            r"\b(?:este|el próximo|el pasado) año\b|\bel año (?:que viene|pasado)\b|"
            r"\b(?:dit|volgend|vorig) jaar\b|\bquest'anno\b",
        ),
        _relative_year_word,
        back=14,
    ),
    _Rule(
        re.compile(
            r"\b(?:(?:the )?day (?:after tomorrow|before yesterday)|après-demain|avant-hier|"
            r"übermorgen|vorgestern|pasado mañana|anteayer|overmorgen|eergisteren|dopodomani|"
            r"today|tonight|this (?:morning|afternoon|evening)|aujourd'hui|ce (?:soir|matin)|"
            r"heute(?: (?:abend|morgen|nachmittag))?|hoy|esta (?:noche|mañana|tarde)|"
            r"vandaag|vanavond|vanochtend|oggi|stasera|"
            r"tomorrow|demain|mañana|domani|"
            r"yesterday|gestern|ayer|gisteren|ieri)\b"
            r"|(?<![Aa]m )(?<![Jj]eden )(?<![Gg]uten )\bmorgen\b"
            r"|\bhier(?=\s*(?:,|soir|matin|après-midi|\.|$))"
            r"|(?:(?<=é )|(?<=és )|(?<=ée )|(?<=u )|(?<=is )|(?<=it )|(?<=depuis )|(?<=dès )"
            r"|(?<=d')|(?<=qu'))hier\b"
            r"",
        ),
        _relative_day,
        back=18,
    ),
    _Rule(
        re.compile(
            r"\b(?:(?:this|next|last|the coming|the past) week|cette semaine|"
            r"la semaine (?:prochaine|dernière|passée)|(?:diese|nächste|letzte|vergangene|"
            r"kommende) woche|(?:esta|la próxima|la pasada) semana|la semana (?:que viene|"
            r"pasada)|(?:deze|volgende|vorige|afgelopen|komende) week|"
            r"questa settimana|la settimana (?:prossima|scorsa))\b",
        ),
        _relative_week,
        back=18,
    ),
    _Rule(
        re.compile(
            r"\bthe (?:week (?:prior|before)|previous week|prior week)\b|"
            r"\bla semaine (?:précédente|d'avant)\b|\bdie woche davor\b|\bvorige week\b",
        ),
        _week_prior,
        back=16,
    ),
    _Rule(
        re.compile(
            r"\b(?:(?:this|next|last|the coming) month|ce mois(?:-ci)?|le mois (?:prochain|"
            r"dernier)|(?:diesen|nächsten|letzten|kommenden) monat|(?:este|el próximo|el "
            r"pasado) mes|el mes (?:que viene|pasado)|(?:deze|volgende|vorige) maand|"
            r"questo mese|il mese prossimo)\b",
        ),
        _relative_month,
        back=18,
    ),
    _Rule(
        re.compile(
            rf"\b(?:in|within|dans|d'ici|en|dentro de|over|binnen|tra|fra)\s+(?P<n>{_NUMBER})"
            r"\s+(?P<u>days?|weeks?|months?|jours?|semaines?|mois|tagen|wochen|monaten|días|"
            r"dias|semanas|meses|dagen|weken|maanden|giorni|settimane|mesi)\b",
        ),
        _in_count,
        back=22,
    ),
    _Rule(
        re.compile(
            r"\b(?P<wd>[^\W\d_]{5,18})\b"
            r"(?:\s+(?:night|evening|morning|afternoon|soir|matin|abend|noche|avond))?"
            r"(?:\s+(?:prochain|dernier|passé|próximo|pasado|prossimo|scorso))?",
        ),
        _weekday,
        back=0,
    ),
)


_TOKEN = re.compile(r"[^\W_]+")
_YEAR_NUMBER = re.compile(r"(?<![\d.])(?:19|20)\d\d(?!\d)")
_MONTH_WORDS = frozenset(_MONTHS)
_WEEKDAY_WORDS = frozenset(_WEEKDAYS) | frozenset(
    day + part for day in _WEEKDAYS for part in _DAY_PARTS
)
_YEAR_WORDS = frozenset(
    ["#year", "year", "years", "année", "an", "jahr", "jahres", "año", "jaar", "anno", "quest"]
)


def _words(*groups: str) -> frozenset[str]:
    return frozenset(" ".join(groups).split())


# Each rule runs only when the text holds a word of each of its sets: most sentences hold
# none, and even lower-cased, a pattern costs a fraction of a microsecond per character.
_GATES: dict[object, tuple[frozenset[str], ...]] = {
    _iso: (_words("#year"),),
    _iso_week: (_words("#year"),),
    _numeric: (_words("#year"),),
    _range_month_first: (_MONTH_WORDS,),
    _range_day_first: (_MONTH_WORDS,),
    _day_month: (_MONTH_WORDS,),
    _month_year: (_MONTH_WORDS, _words("#year")),
    _month_only: (_MONTH_WORDS,),
    _cjk_date: (_words("#cjk"),),
    _quarter_any: (_words("q1 q2 q3 q4 t1 t2 t3 t4 quarter trimestre quartal kwartaal"),),
    _half_any: (_words("h1 h2 s1 s2 half semestre moitié jahreshälfte helft"),),
    _season_any: (frozenset(_SEASONS),),
    _year_part: (frozenset(_PART_WORDS) | {"mi"}, _YEAR_WORDS),
    _later_this_year: (_words("year année año jahres jaar"),),
    _year: (_words("#year"),),
    _relative_year_word: (_YEAR_WORDS,),
    _relative_day: (
        _words(
            "today tonight tomorrow yesterday morning afternoon evening aujourd demain hier",
            "soir matin heute morgen gestern übermorgen vorgestern hoy noche mañana tarde ayer",
            "anteayer vandaag vanavond vanochtend gisteren overmorgen eergisteren oggi stasera",
            "domani dopodomani ieri",
        ),
    ),
    _relative_week: (_words("week semaine woche semana settimana"),),
    _week_prior: (_words("week semaine woche"),),
    _relative_month: (_words("month mois monat mes maand mese"),),
    _in_count: (
        _words(
            "day days week weeks month months jour jours semaine semaines mois tagen wochen",
            "monaten días dias semanas meses dagen weken maanden giorni settimane mesi",
        ),
    ),
    _weekday: (_WEEKDAY_WORDS,),
}


def _lower(text: str) -> str:
    """Lower-case without moving offsets (a few letters lower-case to two characters)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def find_dates(text: str, reference: date, *, default_year: int | None = None) -> list[DateMention]:
    """Every date or window expression in ``text``, resolved against ``reference``.

    Each rule is tried only at the words just before its key words (a month, a weekday,
    "week", "2025"...), never across the whole text. Overlapping candidates keep the one
    that starts first, then the longest, so "May 7th to May 9th" is one range, not two days.
    """
    lowered = _lower(text)
    words = set(_TOKEN.findall(lowered))
    years = set(_YEAR_NUMBER.findall(lowered))
    if years:
        words.add("#year")
    if "月" in lowered:
        words.add("#cjk")
    job = _Job(text, reference, default_year)
    found: list[tuple[int, int, str, bool]] = []
    for rule in _RULES:
        gates = _GATES[rule.resolve]
        keys = words & gates[0]
        if not keys or (len(gates) > 1 and words.isdisjoint(gates[1])):
            continue
        candidates: Iterable[re.Match[str] | None]
        if rule.back < 0:
            candidates = rule.pattern.finditer(lowered)
        else:
            if "#year" in keys:
                keys = (keys - {"#year"}) | years
            starts = _starts(lowered, keys, rule.back)
            candidates = (rule.pattern.match(lowered, p) for p in starts)
        for m in candidates:
            if m is None or m.end() == m.start():
                continue
            try:
                value = rule.resolve(m, job)
            except (ValueError, OverflowError, KeyError):
                value = None
            if value:
                found.append((m.start(), m.end(), value, rule.resolve is _weekday))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    kept: list[tuple[int, int, str, bool]] = []
    for entry in found:
        if kept and entry[0] < kept[-1][1]:
            continue
        # "Monday, 13 May 2024": the weekday only names the day that follows it.
        if (
            kept
            and kept[-1][3]
            and _DAY_VALUE.match(entry[2])
            and _WEEKDAY_GLUE.fullmatch(lowered, kept[-1][1], entry[0])
        ):
            entry = (kept.pop()[0], entry[1], entry[2], False)
        kept.append(entry)
    return [DateMention(start, end, value, text[start:end]) for start, end, value, _ in kept]


def _starts(lowered: str, keys: Iterable[str], back: int) -> list[int]:
    """Where a rule may match: each key word, and the words up to ``back`` characters before."""
    starts: set[int] = set()
    for key in keys:
        at = lowered.find(key)
        while at >= 0:
            end = at + len(key)
            if (at == 0 or not lowered[at - 1].isalnum()) and (
                end == len(lowered) or not lowered[end].isalnum()
            ):
                starts.add(at)
                if back:
                    starts.update(
                        t.start() for t in _TOKEN.finditer(lowered, max(0, at - back), at)
                    )
            at = lowered.find(key, end)
    return sorted(starts)


_DAY_VALUE = re.compile(r"\d{4}-\d{2}-\d{2}$")
_WEEKDAY_GLUE = re.compile(r",?\s+(?:the\s+|le\s+|den\s+|el\s+)?")
