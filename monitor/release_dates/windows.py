"""Resolvers for windows and relative expressions: quarters, halves, seasons, parts of
a year, "next week", "in two weeks", weekdays."""

from __future__ import annotations

import re
from datetime import timedelta

from monitor.release_dates.calendar import (
    Job,
    add_months,
    direction_of,
    int_or_none,
    iso_week_of,
    pick_month_year,
    relative_year,
    released_before,
    weekday_of,
)
from monitor.release_dates.lexicon import (
    ORDINALS,
    PART_WORDS,
    RELATIVE_DAYS,
    RELATIVE_MONTHS,
    RELATIVE_WEEKS,
    RELATIVE_YEARS,
    SEASONS,
    phrase_key,
)

_SEASON_START = {"spring": 3, "summer": 6, "fall": 9, "winter": 12}
# A season said to be "this" one keeps the reference's year, even when it is over.
_THIS = re.compile(r"\b(?:this|ce|cet|cette|este|esta|diese[nms]?|deze|dit|neste|nesta)\b|quest'")


def _season(m: re.Match[str], job: Job) -> str | None:
    ref, default_year = job.reference, job.default_year
    season = SEASONS[m["s"].lower()]
    year = int_or_none(m["y"])
    if year is None:
        if default_year is not None:
            year = default_year
        else:
            # "this winter" in January is the winter that began in the previous December.
            direction = direction_of(m[0])
            if direction == 0 and not _THIS.search(m[0].lower()):
                # "for a spring debut" in August is next spring, as months are guessed;
                # "launched in the spring" is the spring gone by
                past = released_before(m.string, m.start("s"))
                year = pick_month_year(_SEASON_START[season], ref, -1 if past else 0)
            else:
                year = ref.year - 1 if season == "winter" and ref.month <= 2 else ref.year
                year += direction
    return f"{year}-{season}"


def year_part(m: re.Match[str], job: Job) -> str | None:
    ref, default_year = job.reference, job.default_year
    part = PART_WORDS.get(m["p"].lower())
    if part is None:
        return None
    if m["y"]:
        year = int(m["y"])
    elif m["rel"]:
        year = ref.year + direction_of(m["rel"])
    else:
        year = default_year or ref.year
    return f"{year}-{part}"


def later_this_year(m: re.Match[str], job: Job) -> str | None:
    """The year's end ("by the end of the year", "bis Jahresende"); "later this year" said
    in the first half of the year leaves most of it open: the year (#16)."""
    ref = job.reference
    year = ref.year + direction_of(m[0])
    if re.match(r"(?i)earlier|plus tôt|früher", m[0]):
        return f"{year}-early"
    if year == ref.year and ref.month <= 6 and _LATER.match(m[0]):
        return str(year)
    return f"{year}-late"


_LATER = re.compile(r"(?i)later|plus tard|später|más adelante")


def holiday_season(m: re.Match[str], job: Job) -> str | None:
    """The end of the year: "this holiday season", "holiday 2026", "pour les fêtes"; the
    one gone by after "last" or a past-tense release, unless the year is near its end."""
    year = m["y"] or m["y0"]
    if year:
        return f"{year}-late"
    ref = job.reference
    if m["rel"] == "next":
        return f"{ref.year + 1}-late"
    gone_by = released_before(m.string, m.start(), preposition=m["rel"] is not None)
    if m["rel"] == "last" or (ref.month < 11 and gone_by):
        return f"{ref.year - 1}-late"
    return f"{ref.year}-late"


def bare_year(m: re.Match[str], job: Job) -> str | None:
    return m["y"]


def relative_year_word(m: re.Match[str], job: Job) -> str | None:
    offset = RELATIVE_YEARS.get(phrase_key(m[0]))
    return None if offset is None else str(job.reference.year + offset)


def relative_day(m: re.Match[str], job: Job) -> str | None:
    """A day word of the tables; "morgen" and "hier" alone (their rule gates them) are
    German "tomorrow" and French "yesterday". Two of them joined ("today and tomorrow",
    "heute und morgen") are the range of days they span."""
    ref = job.reference
    if m["a"]:
        first, last = _day_offset(m["a"]), _day_offset(m["b"])
        if first is None or last is None or not 0 < last - first <= 3:
            return None
        return f"{ref + timedelta(days=first)}/{ref + timedelta(days=last)}"
    offset = _day_offset(m[0])
    if offset == -1 and m[0] == "hier" and _german_around(m.string, m.start()):
        return None  # German "mehr dazu hier.": here, not yesterday
    return None if offset is None else (ref + timedelta(days=offset)).isoformat()


_GERMAN = re.compile(
    r"\b(?:der|die|das|und|ist|nicht|sich|mit|auf|ein|eine|im|dem|den|wird|sind|gibt|es|"
    r"mehr|dazu|sie|wir|ich|finden|lesen|klicken)\b"
)
_FRENCH = re.compile(
    r"\b(?:le|la|les|et|est|des|du|une|été|qui|que|pour|dans|sur|il|elle|ont|au|soir|matin)\b"
)


def _german_around(text: str, at: int) -> bool:
    """Whether the words around ``at`` read as German rather than French."""
    window = text[max(0, at - 80) : at + 80].lower()
    return len(_GERMAN.findall(window)) > len(_FRENCH.findall(window))


def _day_offset(text: str) -> int | None:
    word = phrase_key(text)
    return {"morgen": 1, "hier": -1}.get(word, RELATIVE_DAYS.get(word))


def relative_week(m: re.Match[str], job: Job) -> str | None:
    offset = RELATIVE_WEEKS.get(phrase_key(m[0]))
    return None if offset is None else iso_week_of(job.reference + timedelta(days=7 * offset))


def week_prior(m: re.Match[str], job: Job) -> str | None:
    ref = job.reference
    return iso_week_of(ref - timedelta(days=7))


def relative_month(m: re.Match[str], job: Job) -> str | None:
    ref, offset = job.reference, RELATIVE_MONTHS.get(phrase_key(m[0]))
    if offset is None:
        return None
    year, month = add_months(ref.year, ref.month, offset)
    return f"{year:04d}-{month:02d}"


def weekday_name(m: re.Match[str], job: Job) -> str | None:
    ref = job.reference
    weekday = weekday_of(m["wd"])
    if weekday is None:
        return None
    delta = (weekday - ref.weekday()) % 7  # 0..6 days ahead
    direction = direction_of(m.string[max(0, m.start() - 16) : m.start()] + " " + m[0])
    if direction > 0:
        offset = delta or 7
    elif direction < 0:
        offset = delta - 7 if delta else -7
    elif _THIS_BEFORE.search(m.string, max(0, m.start() - 10), m.start()):
        # "this Friday", "ce vendredi": the one of this week, to come unless a past verb
        # tells the one gone by ("was launched this Tuesday", read on Thursday)
        gone = delta - 7
        offset = (
            gone if delta and gone >= -ref.weekday() and tense_sign(m, job.source) < 0 else delta
        )
    else:
        offset = tense_offset(m, delta, job.source)
    return (ref + timedelta(days=offset)).isoformat()


_THIS_BEFORE = re.compile(
    r"\b(?:this|ce|cette|este|esta|questo|questa|diesen|dieser|diesem|deze|neste|nesta)\s+$"
)


# Each cue starts with a letter ("'ll" with an apostrophe): the leading lookaheads say so, and
# spare the searches the alternatives at every space and punctuation mark.
_PAST_CUE = re.compile(
    r"(?=\w)(?:\b(?:was|were|had|did|said|made|began|came|went|took|held|saw|got|led|ran|"
    r"shut|told|[a-z]{2,}ed|ago|last|fut|dernier|dernière|hat|haben|hatte|wurde|wurden|war|waren|"
    r"heeft|hebben|werd|[a-záéíóú]{3,}ó|(?:ha|han)\s+\w+(?:ado|ido)|[a-zç]{3,}ou|"
    r"(?:foi|foram|fue|fueron)\s+\w+(?:ad|id)[oa]s?|(?:è|sono)\s+stat[oaie]|"
    r"(?:a|ont|avait|avaient|est|sont)\s+(?:été\s+)?\w+(?:é|ée|és|ées|is|it|u|us|ert))\b"
    r"|(?-i:\b[a-zäöü]{3,}(?:te|ten)\b))",
    re.IGNORECASE,
)
_FUTURE_CUE = re.compile(
    r"(?=[\w'])\b(?:will|'ll|shall|going to|set to|due|expected|scheduled|slated|planned|"
    r"upcoming|next|ahead|coming|plans|[a-zé]{3,}ra|[a-zé]{3,}ront|va|vont|prochain|prochaine|"
    r"wird|werden|soll|[a-záéíóú]{3,}rá|[a-záéíóú]{3,}rán|zal|zullen|gaat|komende)\b",
    re.IGNORECASE,
)
_NOT_PAST = frozenset(
    {"need", "speed", "feed", "seed", "red", "bed", "shed", "indeed", "expected",
     "scheduled", "planned", "slated", "based", "called", "named", "dubbed", "fed",
     "ahead", "hundred", "embed", "breed", "proceed", "succeed", "exceed", "weed",
     "heute", "erste", "ersten", "zweite", "dritte", "letzte", "letzten", "nächste", "beste",
     "besten", "neueste", "neuesten", "gute", "guten", "große", "großen", "leute", "seite",
     "mitte", "halte", "weiten", "meisten", "neunte", "konnte"}
)  # fmt: skip


# Words that end like a French future ("-ra") but are none: "terça-feira", "para", "agora".
_NOT_FUTURE = frozenset(
    {"feira", "para", "agora", "ahora", "hora", "otra", "outra", "nuestra", "vuestra",
     "primera", "primeira", "tercera", "terceira", "era", "fuera", "fora", "ora", "obra",
     "compra", "contra", "entra", "mostra", "muestra", "cámara", "câmara", "camera"}
)  # fmt: skip


# A participle after an article or an adverb of degree describes a noun: "a highly
# anticipated event", "the leaked images" tell no past.
_ADJECTIVE_BEFORE = re.compile(
    r"\b(?:a|an|the|its|their|his|her|our|highly|most|much|long|widely|eagerly|newly|"
    r"much-|long-)[\s-]+$",
    re.IGNORECASE,
)


# A capitalised word right after another is a name's: "Galaxy Unpacked" tells no past.
_NAME_BEFORE = re.compile(r"\b[A-Z][\w-]* $")


def _in_a_name(text: str, start: int) -> bool:
    return text[start].isupper() and bool(_NAME_BEFORE.search(text, max(0, start - 30), start))


def tense_offset(m: re.Match[str], delta: int, source: str) -> int:
    """Past or future weekday, judged by the closest tense cue in the same sentence."""
    sign = tense_sign(m, source)
    if sign == 0:
        return delta if delta <= 3 else delta - 7
    if sign > 0:
        return delta
    return delta - 7 if delta else 0


def tense_sign(m: re.Match[str], source: str) -> int:
    """1 when the closest tense cue of the sentence is a future, -1 a past, 0 none."""
    text = source
    left = max(text.rfind(".", 0, m.start()), text.rfind("\n", 0, m.start()), m.start() - 90)
    right_candidates = [i for i in (text.find(". ", m.end()), text.find("\n", m.end())) if i >= 0]
    right = min([*right_candidates, m.end() + 90])
    best: tuple[int, int] | None = None  # (distance, sign)
    for pattern, sign in ((_FUTURE_CUE, 1), (_PAST_CUE, -1)):
        for cue in pattern.finditer(text, max(left, 0), right):
            if sign < 0 and (
                cue[0].lower() in _NOT_PAST
                or _ADJECTIVE_BEFORE.search(text, max(0, cue.start() - 12), cue.start())
                or _in_a_name(text, cue.start())
            ):
                continue
            if sign > 0 and cue[0].lower() in _NOT_FUTURE:
                continue
            distance = cue.start() - m.end() if cue.start() >= m.end() else m.start() - cue.end()
            if best is None or distance < best[0] or (distance == best[0] and sign > 0):
                best = (distance, sign)
    return 0 if best is None else best[1]


# A fiscal quarter or half follows the company's year, not the calendar's: no value.
_FISCAL_BEFORE = re.compile(
    r"(?:fiscal(?: year)?|fy\s?['’]?(?:\d{2}|\d{4})?|exercice|geschäftsjahr)\s*$"
)
_FISCAL_AFTER = re.compile(r"\s+(?:of\s+(?:the\s+)?)?(?:fiscal|fy|exercice)\b")


def _fiscal(m: re.Match[str]) -> bool:
    before = m.string[max(0, m.start() - 20) : m.start()]
    return bool(_FISCAL_BEFORE.search(before) or _FISCAL_AFTER.match(m.string, m.end()))


def quarter_any(m: re.Match[str], job: Job) -> str | None:
    ref, default_year = job.reference, job.default_year
    number = m["q"] or m["q2"] or m["q3"] or m["qw"]
    if number is None:
        return None
    quarter = int(number) if number.isdigit() else ORDINALS.get(number.lower(), 0)
    if not 1 <= quarter <= 4 or _fiscal(m):
        return None
    year = int_or_none(m["y"] or m["y2"] or m["y4"]) or default_year or relative_year(m[0], ref)
    return f"{year}-Q{quarter}"


def half_any(m: re.Match[str], job: Job) -> str | None:
    ref, default_year = job.reference, job.default_year
    number = m["h"] or m["h2"] or m["h3"] or m["hw"]
    if number is None:
        return None
    half = int(number) if number.isdigit() else ORDINALS.get(number.lower(), 0)
    if half not in (1, 2) or _fiscal(m):
        return None
    year = int_or_none(m["y"] or m["y2"] or m["y4"]) or default_year or relative_year(m[0], ref)
    return f"{year}-H{half}"


def season_any(m: re.Match[str], job: Job) -> str | None:
    if m["s2"]:
        return f"{m['y2']}-{SEASONS[m['s2'].lower()]}"
    return _season(m, job)
