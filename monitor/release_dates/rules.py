"""The grammar: one compiled pattern per rule, most specific first, and the key words
that gate each rule."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from monitor.release_dates.calendar import Job
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
from monitor.release_dates.gates import (
    MONTH_UNIT_WORDS,
    WEEK_WORDS,
    WEEKEND_WORDS,
    YEAR_UNIT_WORDS,
    lead_before,
)
from monitor.release_dates.lexicon import (
    AGO_AFTER,
    AGO_BEFORE,
    CJK_DIGITS,
    COMING,
    EVENT_NOUN_AFTER,
    FEW,
    NUMBERS,
    ORDINALS,
    PART_WORDS,
    PAST,
    RELATIVE_DAYS,
    RELATIVE_MONTHS,
    RELATIVE_WEEKS,
    RELATIVE_YEARS,
    SEASONS,
    UNITS,
    WEEKDAYS,
    WEEKENDS,
    alternation,
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

# Any word where a month may stand: the resolvers look it up in MONTHS, which is far
# cheaper than a regex alternation of a hundred month names tried at every character.
_MONTH = r"(?:[^\W\d_]{3,11}\.?)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_ORD = r"(?:st|nd|rd|th|er|re|e|ème|\.|º|°)?"
_YEAR = r"(?:19|20)\d{2}"
_WEEKDAY = rf"(?:{alternation(WEEKDAYS)})"
_NUMBER = rf"(?:\d{{1,2}}|{alternation([*NUMBERS, *FEW])})"
_SEASON = rf"(?:{alternation(SEASONS)})"
_CJK_NUM = rf"(?:\d{{1,2}}|[{CJK_DIGITS}]{{1,3}})"

# A range separator between two days: "7-9", "7 to 9", "du 21 au 23", "6 tot en met 8",
# "de 5 a 7 de maio", "do dia 5 ao dia 7".
# "And" joins two days only after "between" ("between May 2 and 5", "entre el 4 y el 8").
_RANGE_SEP = (
    r"\s*(?P<sep>-|–|—|‑|\bto\b|\bthrough\b|\bthru\b|\buntil\b|\bau\b|\bal\b|\bbis(?:\s+zum)?\b"
    r"|\btot en met\b|\bt/m\b|\btot\b|\bhasta(?:\s+el)?\b|\bjusqu'au\b|\baté(?:\s+(?:o|ao))?(?!\w)"
    r"|\bfino\s+al?\b|\band\b|\bet\b|\by\b|\be\b|\bund\b|\bao\b|\ba\b)\s*"
    r"(?:(?:the|le|el|il|dem|den|o)\s+|l')?(?:dia\s+)?"
)


# Day-first rules start with the day ("16 mai", "from 21 to 23 May"): before the month a
# match holds a digit.
_DIGIT = re.compile(r"[0-9]")


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    resolve: Callable[[re.Match[str], Job], str | None]
    back: int = 0  # how far before its key word a match may start; -1: scan the whole text
    # What the text before the key word must hold for a match to start there (None: no
    # such condition). Most month names have no number before them: one search, not a
    # pattern tried at every word before each of them.
    lead: re.Pattern[str] | None = None


_ORDINAL = alternation(o for o, n in ORDINALS.items() if 1 <= n <= 4)
_DAY_ORDINAL = "|".join(
    re.escape(w).replace(r"\-", r"[\s-]") for w in sorted(ORDINALS, key=len, reverse=True)
)
_YEARS_REL = alternation(RELATIVE_YEARS)
# What must stand before a key word for a rule to be tried at the words before it.
_IN_LEAD = re.compile(r"\b(?:in|within|dans|d'ici|en|dentro|over|binnen|tra|fra|entro|em|daqui)\b")
_PART_LEAD = re.compile(rf"\b(?:{alternation(PART_WORDS)})\b")
_SPAN_LEAD = re.compile(
    r"\b(?:next|coming|following|past|last|previous|prochain\w*|derni\w*|pass\w*|précédent\w*"
    r"|pr[óo]xim\w*|[úu]ltim\w*|pasad\w*|nächsten|kommenden|letzten|vergangenen|prossim\w*)\b"
)
_ORDINAL_LEAD = re.compile(rf"\b(?:{_DAY_ORDINAL})\b")
_UNIT = alternation(UNITS)
_REL = r"(?:this|next|last|coming|ce|cet|cette|l'an|este|esta|el próximo|diese[ms]?|nächste[ns]?|dit|deze|volgend|komend)"

RULES: tuple[_Rule, ...] = (
    _Rule(re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<m>0[1-9]|1[0-2])-(?P<d>[0-3]\d)\b"), iso_date),
    _Rule(re.compile(r"\b(?P<y>(?:19|20)\d{2})-?w(?P<w>[0-5]\d)\b"), iso_week),
    _Rule(
        re.compile(
            r"(?<![\w./-])(?:(?P<yf>(?:19|20)\d\d)(?P<sf>[/.])(?P<mf>0?[1-9]|1[0-2])(?P=sf)"
            r"(?P<df>[0-3]?\d)|(?P<a>[0-3]?\d)(?P<sep>[/.-])(?P<b>[0-3]?\d)"
            r"(?:(?P=sep)(?P<y>(?:19|20)\d\d|\d\d))?(?:\s*(?:-|–|—|to|through|until|au|al|bis|a)\s*"
            r"(?P<a2>[0-3]?\d)(?P=sep)(?P<b2>[0-3]?\d)(?:(?P=sep)(?P<y2>(?:19|20)\d\d|\d\d))?)?)"
            r"(?![\w/-]|\.\d)"
        ),
        numeric,
        back=-1,
    ),
    _Rule(
        re.compile(
            r"(?<![\w./,$€£-])(?:(?P<ya>(?:19|20)\d\d)(?P<s1>[/-])(?P<ma>0?[1-9]|1[0-2])"
            r"|(?P<mb>0?[1-9]|1[0-2])(?P<s2>[/.-])(?P<yb>(?:19|20)\d\d))(?![\w/-]|[.,]\d)"
        ),
        numeric_month,
        back=-1,
    ),
    _Rule(
        re.compile(
            rf"\b(?P<m1>{_MONTH})\s+(?P<d1>{_DAY}){_ORD}{_RANGE_SEP}"
            rf"(?:(?P<m2>{_MONTH})\s+)?(?P<d2>{_DAY})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>{_YEAR})\b)?",
        ),
        range_month_first,
        back=0,
    ),
    _Rule(
        re.compile(
            r"(?:\b(?:du|from|van|vom|del|de|dal|dalle|do|desde(?:\s+el)?|entre(?:\s+(?:le|el|o))?"
            r"|between(?:\s+the)?|zwischen(?:\s+dem)?|tra(?:\s+il)?|fra(?:\s+il)?)\s+(?:dia\s+)?)?"
            rf"\b(?P<d1>{_DAY}){_ORD}"
            rf"(?:\s+(?:de\s+|di\s+)?(?P<m1>{_MONTH}))?{_RANGE_SEP}(?P<d2>{_DAY}){_ORD}\s+"
            r"(?:de\s+|of\s+|di\s+)?"
            rf"(?P<m2>{_MONTH})(?!\w)(?:,?\s+(?:de\s+|del\s+)?(?P<y>{_YEAR})\b)?",
        ),
        range_day_first,
        back=24,
        lead=_DIGIT,
    ),
    _Rule(
        re.compile(
            rf"\b(?P<m>{_MONTH})\s+(?P<d>{_DAY})(?:st|nd|rd|th)?(?![\d:.,]\d|\w)"
            rf"(?:,?\s+(?P<y>{_YEAR})\b)?",
        ),
        day_month,
        back=0,
    ),
    _Rule(
        re.compile(
            rf"\b(?P<d>{_DAY}){_ORD}\s+(?:of\s+|de\s+)?(?P<m>{_MONTH})(?!\w)"
            rf"(?:,?\s+(?:de\s+|del\s+)?(?P<y>{_YEAR})\b)?",
        ),
        day_month,
        back=24,
        lead=_DIGIT,
    ),
    _Rule(
        re.compile(
            rf"\b(?P<m>{_MONTH})(?:,?\s+(?:de\s+|of\s+|del\s+)?(?P<y>{_YEAR}))\b",
        ),
        month_year,
        back=0,
    ),
    _Rule(
        re.compile(
            rf"\b(?P<m>{_MONTH})(?![\w-])",
        ),
        month_only,
        back=0,
    ),
    _Rule(
        re.compile(
            rf"(?:(?P<y>\d{{4}})年)?(?P<m>{_CJK_NUM})月(?:(?P<d>{_CJK_NUM})[日号])?"
            r"(?:[初中底末旬])?"
        ),
        cjk_date,
        back=-1,
    ),
    _Rule(
        re.compile(
            rf"\b(?:q(?P<q>[1-4])|t(?P<q2>[1-4])(?=\s+{_YEAR}))(?:\s*['’]?\s*(?P<y>{_YEAR})\b)?"
            rf"|\b(?P<y2>{_YEAR})\s*[-/]?\s*q(?P<q3>[1-4])\b"
            rf"|\b(?P<qw>{_ORDINAL})\s+(?:quarter|trimestre|quartal|kwartaal)"
            rf"(?:\s+(?:of|de|del|van)?\s*(?:{_REL}\s+year|l'année|(?P<y4>{_YEAR})))?",
        ),
        quarter_any,
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
        half_any,
        back=12,
    ),
    _Rule(
        re.compile(
            rf"(?:\b(?:for (?:a|an|its|the|their)|(?:a|an|its|their)(?= {_SEASON}[\s-](?:launch|release|debut|arrival|rollout|unveiling))|"
            rf"this|next|last|coming|in|by|for|until|till|over|during|early|late|mid|in the|"
            rf"as early as|as soon as|as late as|al|"
            rf"the|ce|cet|cette|au|à l'|l'|en|d'ici l'|d'ici|dès l'|este|el|en|el próximo|"
            rf"im|diesen|nächsten|letzten|deze|dit|in de|komende|afgelopen|vorige|quest'|no(?= ver| out| inv)|na(?= prim)|neste|nesta|nel|nell'|"
            rf"questa|questo|la prossima|il prossimo|prossima|prossimo|la próxima|próxima|próximo|"
            rf"esta|diesem|a la|em|all'|dell')"
            rf"[\s-]?(?P<s>{_SEASON})\b(?:\s+(?:of\s+|de\s+|del\s+)?(?P<y>{_YEAR})\b)?"
            rf"(?:\s+(?:prochain|dernier|próximo|pasado))?)"
            rf"|\b(?P<s2>{_SEASON})\s+(?:of\s+|de\s+|del\s+)?(?P<y2>{_YEAR})\b",
        ),
        season_any,
        back=16,
    ),
    _Rule(
        re.compile(
            rf"\b(?P<p>{alternation(PART_WORDS)})(?:\s+(?:of|de|del|van|do|da|di|des|du)"
            rf"|\s+dell'|\s+d')?[\s-]*"
            rf"(?:(?P<y>{_YEAR})\b|(?P<rel>{_YEARS_REL}|(?:the|this|next|last|cette|l'|la|l'année|"
            rf"este|el|diese[sm]?|des|nächste[ns]?|dit|volgend|o|il|quest')?\s*(?:prochaine?\s*)?"
            rf"(?:year|année|an|año|ano|anno|jahres|jahr|jaar)\b(?:\s+prochaine?)?))",
        ),
        year_part,
        back=0,
    ),
    _Rule(
        re.compile(
            r"\b(?:later|earlier)\s+(?:this|next|in the)\s+year\b|\bplus (?:tard|tôt) cette année"
            r"|\b(?:by|before|until|at) (?:the )?end of (?:the|this|next) year\b"
            r"|\b(?:by |before |until )?(?:the )?year[- ]end\b|\b(?:by|before|until) (?:the )?year['’]s end\b"
            r"|\b(?:bis )?(?:zum )?jahresende\b|\bentro (?:la )?fine (?:dell'anno|d'anno|anno)\b|\b(?:d'ici|avant|à) la fin de (?:l'année|cette année)"
            r"(?: prochaine)?|\bfin de l'année(?: prochaine)?|\bfin d'année"
            r"|\b(?:a|para) finales de (?:este )?año\b|\bende (?:des|dieses) jahres\b"
            r"|\b(?:later|eind) dit jaar\b|\bspäter in diesem jahr\b|\bmás adelante este año\b",
        ),
        later_this_year,
        back=30,
    ),
    _Rule(
        re.compile(
            r"\bon the (?P<d>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)\b"
            r"(?:\s+of\s+(?P<which>this|next)\s+month\b"
            # a day, not a rank ("on the 1st spot") nor a day of a named month
            r"|(?=\s*(?:$|[,.;:!?)]|\s(?:at|and|with|in|when|as|after|before|for|from)\b)))"
        ),
        day_only,
    ),
    _Rule(
        re.compile(
            r"\b(?:(?P<rel>this|next|last|the)\s+)?holidays?\s+season\b"
            r"|\b(?:(?P<y0>20\d\d)\s+holidays?\s+season|holiday\s+(?P<y>20\d\d))\b"
            r"|\b(?:in time for|for|by|before) (?:the )?(?:holidays|christmas)\b"
            r"|\bpour (?:les )?fêtes(?: de fin d'année)?\b|\b(?:avant|pour|à) noël\b"
        ),
        holiday_season,
        back=16,
    ),
    _Rule(
        re.compile(
            rf"\b(?:in|into|by|for(?: a| an| the| its)?|to|until|before|since|from|during|throughout|"
            rf"en|d'ici|dès|depuis|à|auf|"
            rf"courant|avant|pour|jusqu'en|im jahr|im|bis|seit|ab|vor|en el|para|hasta|desde|"
            rf"antes de|in het jaar|sinds|voor|tegen|nel|entro il|em|até|für|no ano de|al|fino al|"
            rf"dal|a partire dal|a partir de|erst|frühestens|spätestens)\s+(?P<y>{_YEAR})\b(?![-/.]\d)",
        ),
        bare_year,
        back=16,
    ),
    _Rule(re.compile(rf"\b(?P<y>{_YEAR})(?={EVENT_NOUN_AFTER.pattern})"), bare_year, back=0),
    _Rule(
        re.compile(rf"\b(?:{_YEARS_REL})(?![\w'’])"),
        relative_year_word,
        back=14,
        lead=lead_before(RELATIVE_YEARS, YEAR_UNIT_WORDS),
    ),
    _Rule(
        re.compile(
            rf"\b(?P<a>{alternation(RELATIVE_DAYS)})\s+(?:and|und|et|y|e)\s+"
            rf"(?P<b>{alternation(RELATIVE_DAYS)}|morgen)(?![\w-])"
            rf"|\b(?:{alternation(RELATIVE_DAYS)})(?![\w-])"
            r"|(?<![Aa]m )(?<![Jj]eden )(?<![Gg]uten )\bmorgen\b"
            r"|\bhier(?=\s*(?:,|soir|matin|après-midi|\.|$))"
            r"|(?:(?<=é )|(?<=és )|(?<=ée )|(?<=u )|(?<=is )|(?<=it )|(?<=depuis )|(?<=dès )"
            r"|(?<=d')|(?<=qu'))hier\b"
            r"",
        ),
        relative_day,
        back=20,
    ),
    _Rule(
        re.compile(rf"\b(?:{alternation(RELATIVE_WEEKS)})(?!\w)"),
        relative_week,
        back=18,
        lead=lead_before(RELATIVE_WEEKS, WEEK_WORDS),
    ),
    _Rule(
        re.compile(
            r"\bthe (?:week (?:prior|before)|previous week|prior week)\b|"
            r"\bla semaine (?:précédente|d'avant)\b|\bdie woche davor\b|\bvorige week\b",
        ),
        week_prior,
        back=16,
    ),
    _Rule(
        re.compile(rf"\b(?:{alternation(RELATIVE_MONTHS)})(?![\w-])"),
        relative_month,
        back=18,
        lead=lead_before(RELATIVE_MONTHS, MONTH_UNIT_WORDS),
    ),
    _Rule(
        re.compile(
            rf"\b(?:in|within|dans|d'ici|en|dentro de|over|binnen|tra|fra|entro|em|daqui a)\s+"
            rf"(?P<n>{_NUMBER})(?:\s*(?:to|-|–|or|à|a|ou|o|bis|oder)\s*(?P<n2>{_NUMBER}))?"
            rf"\s+(?P<u>{_UNIT})\b",
        ),
        in_count,
        back=22,
        lead=_IN_LEAD,
    ),
    _Rule(
        re.compile(rf"\b(?:{alternation(WEEKENDS)})(?![\w-])"),
        weekend,
        back=26,
        lead=lead_before(WEEKENDS, WEEKEND_WORDS),
    ),
    _Rule(
        re.compile(
            rf"\b(?:{alternation(AGO_BEFORE)})\s+(?P<n>{_NUMBER})\s+(?P<u>{_UNIT})\b"
            rf"|\b(?P<n2>{_NUMBER})\s+(?P<u2>{_UNIT})\s+(?:{alternation(AGO_AFTER)})\b"
        ),
        count_ago,
        back=22,
    ),
    _Rule(
        re.compile(
            rf"\b(?:(?P<c>{alternation(COMING)})|(?P<p>{alternation(PAST)}))\s+(?P<n>{_NUMBER})"
            rf"\s+(?P<u>{_UNIT})\b|\b(?P<n2>{_NUMBER})\s+(?:(?P<c2>prochains|prochaines)|"
            rf"(?P<p2>derniers|dernières|passés|passées|précédents|précédentes))\s+(?P<u2>{_UNIT})\b"
        ),
        count_span,
        back=30,
        lead=_SPAN_LEAD,
    ),
    _Rule(
        re.compile(
            rf"\b(?P<o>{_DAY_ORDINAL})\s+(?P<u>week-?end|weekend|week|semaine|semana|woche|"
            rf"settimana|fin de semana|fine settimana|fim de semana|wochenende|"
            rf"(?P<wd>{_WEEKDAY})(?:-feira)?)\s+"
            r"(?:of\s+|de\s+|d'|du\s+|del\s+|di\s+|della\s+|dello\s+|do\s+|da\s+|des\s+|im\s+"
            r"|in\s+|von\s+)(?:(?:the|la|el|il|o)\s+)?"
            rf"(?:(?P<mrel>{alternation(RELATIVE_MONTHS)})\b|(?P<yrel>{_YEARS_REL})|"
            rf"(?P<y>{_YEAR})\b|(?P<m>{_MONTH})(?:,?\s+(?P<my>{_YEAR})\b)?)"
        ),
        nth_week,
        back=30,
        lead=_ORDINAL_LEAD,
    ),
    _Rule(
        re.compile(
            rf"(?:\b(?P<p1>{alternation(PART_WORDS)})[\s-]+(?:of\s+|de\s+|d'|di\s+)?)?"
            rf"\b(?P<m1>{_MONTH})\s+(?:or|to|through|-|–|ou|à|au|a|o|oder|bis)\s+"
            rf"(?:(?P<p2>{alternation(PART_WORDS)})[\s-]+(?:of\s+|de\s+|d'|di\s+)?)?"
            rf"(?P<m2>{_MONTH})(?![\w-])(?:,?\s+(?:de\s+|del\s+)?(?P<y>{_YEAR})\b)?"
        ),
        month_range,
        back=16,
        lead=_PART_LEAD,
    ),
    _Rule(
        re.compile(
            rf"(?:\b(?P<o>{_DAY_ORDINAL})\s+(?:of\s+|de\s+|di\s+)?(?P<m>{_MONTH})(?![\w-])"
            rf"|\b(?P<m2>{_MONTH})\s+(?:the\s+)?(?P<o2>{_DAY_ORDINAL})\b)"
            rf"(?:,?\s+(?:de\s+|del\s+)?(?P<y>{_YEAR})\b)?"
        ),
        ordinal_day,
        back=24,
        lead=_ORDINAL_LEAD,
    ),
    _Rule(
        re.compile(
            rf"\b(?P<wd>{_WEEKDAY})(?:-feira)?,?\s+(?P<the>the\s+|le\s+|el\s+|den\s+)?(?P<d>{_DAY})"
            r"(?:st|nd|rd|th|er|º|\.)?(?![\w:/.,-]?\d|[\w%])"
        ),
        weekday_day,
        back=0,
    ),
    _Rule(
        re.compile(
            r"(?:\b(?P<lead>du|del|dal|vom|desde\s+el|desde|from|between|entre|zwischen|tra)\s+"
            r"(?:(?:the|le|el|il|dem)\s+)?)?"
            rf"(?<![\w.,-])(?:(?P<d1>{_DAY}){_ORD}{_RANGE_SEP})?(?P<d>{_DAY})(?:(?:st|nd|rd|th|er|e|º)?"
            r"\s+(?:of\s+(?:the\s+)?|du\s+|de\s+|del\s+|di\s+|do\s+|des\s+)|\.\s+|(?P<bare>\s+))"
            rf"(?P<rel>{alternation(RELATIVE_MONTHS)})(?![\w-])"
        ),
        day_of_month,
        back=36,
        lead=_DIGIT,
    ),
    _Rule(
        re.compile(
            rf"\b(?:kw|kalenderwoche|calendar\s+week|iso\s+week)\s*(?P<w>[0-5]?\d)\b"
            rf"(?:\s+(?:of\s+)?(?P<y>{_YEAR})\b)?"
        ),
        calendar_week,
        back=10,
    ),
    _Rule(
        re.compile(
            rf"\b(?P<wd>{_WEEKDAY})(?:-feira)?,?(?:\s+(?:of|de|del|della|der|da|do))?\s+"
            rf"(?P<wk>{alternation(RELATIVE_WEEKS)})(?!\w)"
            rf"|\b(?P<wk2>{alternation(RELATIVE_WEEKS)}),?\s+(?:on\s+|am\s+|le\s+|el\s+|di\s+)?"
            rf"(?P<wd2>{_WEEKDAY})(?:-feira)?\b"
        ),
        weekday_of_week,
        back=24,
    ),
    _Rule(
        re.compile(
            rf"\b(?P<m>{_MONTH})\s+(?:(?:of|de|del|di|des|do|da)\s+)?(?P<rel>{_YEARS_REL})(?![\w'’])"
        ),
        month_of_year,
        back=0,
    ),
    _Rule(
        re.compile(
            r"\b(?P<wd>[^\W\d_]{5,18}(?:-feira)?)\b"
            r"(?:\s+(?:night|evening|morning|afternoon|soir|matin|abend|noche|avond))?"
            r"(?:\s+(?:prochain|dernier|passé|próximo|pasado|prossimo|scorso|que vem|passado))?",
        ),
        weekday_name,
        back=0,
    ),
)
