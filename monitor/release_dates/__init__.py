"""Find date and time-window expressions in news text and resolve them to ISO 8601 forms.

Pure and fast: a handful of compiled patterns built from one table of words per language
(``languages``: English, French, Spanish, German, Italian, Portuguese and Dutch; CJK month
forms as a bonus). A new language or phrase is a table entry, not a rule. No date library:
the patterns cover what news writes, and a library would cost milliseconds.

Values, as SPEC "Signals" lists them:

- a day ``2024-05-16``, a month ``2024-05``, a year ``2024``, an ISO week ``2024-W21``;
- a range of days ``2024-05-21/2024-05-23`` (a weekend is its Saturday and Sunday), a range
  of months ``2025-03/2025-04`` ("late March or early April");
- windows ``2025-Q3``, ``2025-H2``, ``2025-early``, ``2025-mid``, ``2025-late`` and the
  seasons ``2025-spring``, ``2025-summer``, ``2025-fall`` (autumn too) and
  ``2025-winter`` (the winter that *starts* in December 2025).

Rules for expressions without a year, resolved against ``reference`` (the publication date):

- a day or month takes the year that puts it between four months before and eight months
  after the reference, because news mostly announces what comes and recalls what just
  happened; "last"/"dernier" forces the past and "next"/"prochain" the future;
- a fiscal quarter or half ("in fiscal Q3", "Q3 of fiscal 2026") follows the company's
  year, not the calendar's: it gives no value rather than a wrong one;
- ``default_year`` (e.g. from "Build 2026 ... opens June 2") replaces that guess;
- a bare weekday ("on Thursday", "jeudi") is the nearest one to the reference, unless
  a verb close to it says past ("released", "a lancé") or future ("will", "lancera");
  "next Thursday" is the first Thursday after the reference, "last Thursday" the one before;
- "next week" is the ISO week seven days after the reference, "in two weeks" fourteen days,
  "two weeks ago" fourteen days before; "in three days"/"three days ago" is a day, "in six
  months" a month, "two years ago" a year; "in one to two weeks" the range of days between;
  a vague count is coarser: "in a few days" the ISO week, "a few weeks" the month, "a few
  months" the year ("in a few years" is no date); "the next 3 days" ("les 3 prochains
  jours", "in den nächsten zwei Wochen") is the range of days after the reference, "the next
  3 months" the range of months; a span gone by ("over the last seven days") is a window
  looked back over, no date; "in two years" and "two years ago" are years ("over 5 years
  away" is not);
- "the 20th of next month" ("le 20 du mois prochain", "am 5. nächsten Monats") is that day;
- "this weekend" is the coming Saturday and Sunday (the current ones on a Sunday), "next" and
  "last weekend" the ones after and before; "over the weekend" follows the nearest tense;
- "Friday next week" is the Friday of the next ISO week; "this Friday" the one of this week
  to come; "Friday the 15th"/"jeudi 21" the nearest 15th that is a Friday;
- "the second week of January" is the ISO week of the month's second Thursday, "the last
  week of July" the week of its last Thursday, "the first week of 2027" ISO week 1, "KW 21"
  ISO week 21; "le dernier week-end d'avril" the month's last Saturday and Sunday; "the
  first Friday of July" ("el primer viernes de julio") that day;
- numeric days: a number above 12 tells the day; otherwise "21.05." and "21.05.2025" are
  day.month, and "5/21", "04/05/2024" are month/day in English text (US news) and day/month
  in the other languages; "2025/08/12" is year first; two-digit years only with slashes
  ("21/04/16"). A numeric day without its year needs a preposition or a colon before it ("on
  5/21", "am 28.10.", "dates: 5/21 - 5/23") and is no fraction ("1/2 of"), so "24/7", "3-1"
  and versions ("4.5.12", "version 2.1.2024") stay numbers;
- a bare day of the month ("on the 15th") is in the reference's month, or the next one when
  that day has gone by; in the month gone by after a past-tense release ("launched on the 28th").

Spelled-out ordinal days ("the second of Aug.", "twenty-second of June", "le premier mai",
"am ersten Juni", "May twenty-first" before a pause) are days; day ranges take "and" only
after "between"/"entre"/"zwischen"/"tra". A month of a named year ("December of this year",
"décembre de cette année", "June next year") takes that year.

Bare years and bare months are only dates after a preposition ("in 2025", "en août", "to
August", "for a 2027 release", "auf 2028") or a verb aiming at them ("targets August"), so
"Build 2024" and "2000 GPUs" are not; a month after "to", "until" or "targets" is the next
one to come ("delayed to March" in April is next March). A bare season needs one too ("for
summer", "as early as fall", "al otoño", "for a spring debut", "a fall launch"); unless "this"
names it, a bare season takes its year as a month does, from its first month ("a spring
debut" in August is next spring). A bare month or season right after a release told in the
past tense ("launched in the spring", "released GPT-4o in March", "sorti au printemps") is
the one gone by; not after "be", "to" or "être" ("could be released in March"). The part
of a period before a month is such a word too ("a principios de junio", "Anfang Juni",
"all'inizio di giugno", "em meados de junho": the month). Year-end forms: "by year end",
"before year's end", "bis Jahresende", "Ende des Jahres", "a finales de año", "entro fine
anno", "até o final do ano" ("later this year" too, said from July on; before, it leaves
most of the year open and is the year); the holiday season ("this holiday season", "in time for the
holidays", "avant Noël") is the year's late window. Lower-case "may"/"march" are verbs, "MAI
1" is a model, not the first of May, and month abbreviations that are common words in
another language ("set", "ago", "out", "gen", "dez") are not months.

Speed: patterns run on lower-cased text, and each rule only where one of its key words
(a month name, a weekday, "week", a year...) stands, never across the whole text; each
key word indexes the rules it may start (a relative phrase is searched at its unit word:
"week", "semana"...). The numeric rule scans the searched spans only when they hold a digit,
a separator and a digit. ``within`` narrows the search to some spans
(``monitor.signals`` passes the sentences that can give a verdict).

Modules: ``languages`` (one table of words per language), ``lexicon`` (the tables merged),
``calendar`` (arithmetic and year guesses), ``days``, ``numeric``, ``windows`` and ``spans``
(one resolver per rule), ``rules`` (the patterns), ``gates`` (the key words of each rule) and
``joins`` (two days a range word joins, whatever their forms, are one range).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from monitor.release_dates.calendar import Job
from monitor.release_dates.gates import GATES, NUMERIC_HINT, TOKEN, YEAR_NUMBER
from monitor.release_dates.joins import anchored_years, join_ranges, with_alternatives
from monitor.release_dates.rules import RULES
from monitor.release_dates.windows import weekday_name


@dataclass(frozen=True)
class DateMention:
    """One date expression: its span in the text, its ISO value and the text it covers."""

    start: int
    end: int
    value: str
    text: str


def fold_case(text: str) -> str:
    """Lower-case without moving offsets (a few letters lower-case to two characters)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def find_dates(
    text: str,
    reference: date,
    *,
    default_year: int | None = None,
    within: Sequence[tuple[int, int]] | None = None,
    lowered: str | None = None,
) -> list[DateMention]:
    """Every date or window expression in ``text``, resolved against ``reference``.

    Each rule is tried only at the words just before its key words (a month, a weekday,
    "week", "2025"...), never across the whole text. Overlapping candidates keep the one
    that starts first, then the longest, so "May 7th to May 9th" is one range, not two days.
    ``within`` (sorted, disjoint spans) limits the search to the key words inside those
    spans; patterns still see the whole text around them. ``lowered`` is
    ``fold_case(text)``, when the caller has it already.
    """
    if lowered is None:
        lowered = fold_case(text)
    regions = [(0, len(text))] if within is None else within
    tokens = _Tokens(lowered, regions)
    words = tokens.words
    years = words.intersection(
        year for start, end in regions for year in YEAR_NUMBER.findall(lowered, start, end)
    )
    if years:
        words.add("#year")
    if "月" in lowered:
        words.add("#cjk")
    if any(NUMERIC_HINT.search(lowered, start, end) for start, end in regions):
        words.add("#numeric")
    present = words & _KEY_WORDS
    if not present:
        return []
    keys_of: dict[int, set[str]] = {}
    for word in present:
        for index in _RULES_OF[word]:
            keys_of.setdefault(index, set()).add(word)
    job = Job(text, reference, default_year)
    found: list[tuple[int, int, str, bool]] = []
    for index in sorted(keys_of):
        rule, keys = RULES[index], keys_of[index]
        gates = GATES[rule.resolve]
        if len(gates) > 1 and words.isdisjoint(gates[1]):
            continue
        candidates: list[re.Match[str] | None]
        if rule.back < 0:
            candidates = [m for s, e in regions for m in rule.pattern.finditer(lowered, s, e)]
        else:
            if "#year" in keys:
                keys = (keys - {"#year"}) | years
            match = rule.pattern.match
            candidates = [match(lowered, p) for p in tokens.starts(keys, rule.back, rule.lead)]
        for m in candidates:
            if m is None or m.end() == m.start():
                continue
            try:
                value = rule.resolve(m, job)
            except (ValueError, OverflowError, KeyError):
                value = None
            if value:
                found.append((m.start(), m.end(), value, rule.resolve is weekday_name))
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
    kept = anchored_years(with_alternatives(join_ranges(kept, lowered), lowered), lowered)
    return [DateMention(start, end, value, text[start:end]) for start, end, value, _ in kept]


class _Tokens:
    """The words of the searched spans, and where the key words among them stand."""

    def __init__(self, lowered: str, regions: Sequence[tuple[int, int]]) -> None:
        self.lowered = lowered
        self.regions = regions
        self.words: set[str] = set()
        for start, end in regions:
            self.words.update(TOKEN.findall(lowered, start, end))
        self._starts: dict[tuple[str, int, re.Pattern[str] | None], list[int]] = {}
        self._where: dict[str, list[int]] = {}

    def starts(self, keys: Iterable[str], back: int, lead: re.Pattern[str] | None) -> list[int]:
        """Where a rule may match: each key word, and the words up to ``back`` characters
        before it (those may stand before the searched span) when ``lead`` is found there."""
        found: set[int] = set()
        for key in keys:
            starts = self._starts.get((key, back, lead))
            if starts is None:
                starts = self._starts[key, back, lead] = self._find(key, back, lead)
            found.update(starts)
        return sorted(found)

    def _find(self, key: str, back: int, lead: re.Pattern[str] | None) -> list[int]:
        lowered, result = self.lowered, []
        for at in self._occurrences(key):
            result.append(at)
            if back and (lead is None or lead.search(lowered, max(0, at - back), at)):
                result += [t.start() for t in TOKEN.finditer(lowered, max(0, at - back), at)]
        return result

    def _occurrences(self, key: str) -> list[int]:
        """Where ``key`` stands as a whole word in the searched spans (found once per key)."""
        found = self._where.get(key)
        if found is None:
            lowered, size, found = self.lowered, len(self.lowered), []
            for region_start, region_end in self.regions:
                at = lowered.find(key, region_start, region_end)
                while at >= 0:
                    end = at + len(key)
                    if (at == 0 or not lowered[at - 1].isalnum()) and (
                        end == size or not lowered[end].isalnum()
                    ):
                        found.append(at)
                    at = lowered.find(key, end, region_end)
            self._where[key] = found
        return found


_KEY_WORDS = frozenset().union(*(gates[0] for gates in GATES.values()))
# Key word -> the rules it may start, in rule order.
_RULES_OF: dict[str, list[int]] = {
    word: [i for i, rule in enumerate(RULES) if word in GATES[rule.resolve][0]]
    for word in _KEY_WORDS
}
_DAY_VALUE = re.compile(r"\d{4}-\d{2}-\d{2}$")
_WEEKDAY_GLUE = re.compile(r",?\s+(?:the\s+|le\s+|den\s+|el\s+)?")
