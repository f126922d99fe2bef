"""Turn a sentence's cues and dates into a verdict per watch."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from functools import partial

from monitor.model import Signal
from monitor.release_dates import DateMention
from monitor.signals.attribution import dates_for, negated, not_release_date, targets_of
from monitor.signals.cue_context import (
    byline,
    describes,
    pictures_before,
    reveals_a_date,
    rumor_before,
)
from monitor.signals.date_values import DAY, bounds, date_span
from monitor.signals.lexicon import (
    AUX,
    CANCEL,
    DEVELOP,
    EVE,
    EVENT,
    FEATURE,
    HABITUAL,
    HEDGE,
    MODAL,
    NOT_NOW,
    NOW,
    PRELIMINARY,
    RELEASE,
    RUMOR,
    SCHEDULE,
    THEN,
    UPCOMING,
    Hit,
)
from monitor.signals.patterns import (
    ADJACENT_GAP,
    ANNOUNCE,
    DESTINATION,
    LONG_AGO,
    PAST_REFERENCE,
    PLANNED,
    RELATIVE_OBJECT,
)
from monitor.signals.reading import (
    Context,
    Entity,
    Reading,
    Verdict,
    clause_of,
    previous_dates,
    reading_of,
)
from monitor.signals.tense import condition_of, tense_of_cue


def read_sentence(ctx: Context, index: int) -> dict[str, Verdict]:
    """The verdicts one sentence gives the watches it is about (rules 3 to 6)."""
    if index not in ctx.active:  # nothing in it can stand for a watch
        return {}
    own = ctx.mentions.get(index, [])
    reading = reading_of(ctx, index, own)
    if not reading.cues and not reading.dates and not reading.has(EVE, 0, len(ctx.text)):
        return {}
    text = ctx.text
    verdicts: dict[str, Verdict] = {}

    def offer(watch: str, verdict: Verdict) -> None:
        verdict.order = index
        current = verdicts.get(watch)
        if current is None or preferred(verdict, current):
            verdicts[watch] = verdict

    for cue in reading.cues:
        clause = clause_of(reading.clauses, cue.start)
        targets = targets_of(ctx, index, cue, clause, reading)
        if not targets:
            continue
        if negated(ctx, reading, clause, cue):
            continue
        if cue.kind == RELEASE and cue.side == "before" and rumor_before(reading, clause, cue):
            continue  # "rumors about X have surfaced": what appeared is the rumor
        if (
            cue.kind == RELEASE
            and cue.side in ("before", "either")
            and cue.tense == "past"
            and pictures_before(ctx, clause, cue)
        ):
            for watch in targets:  # "images of X have surfaced": a leak
                offer(watch, Verdict(Signal.RUMOR, (), True, (clause[0], cue.end)))
            continue
        if cue.kind == RELEASE and byline(ctx, reading, cue, ctx.sentences[index].start):
            continue  # "Publicado el 04/08/2025 por ...": the article's date
        if cue.kind == RELEASE and reveals_a_date(ctx, reading, cue):
            continue  # "revealed the date of the event": the schedule word decides
        if (
            cue.kind == RELEASE
            and _PLURAL_NOUN.fullmatch(ctx.lowered, cue.start, cue.end)
            and _NOUN_PHRASE_BEFORE.search(ctx.lowered, max(0, cue.start - 30), cue.start)
        ):
            continue  # "between major releases", "the launches of the year": no one release
        if cue.kind in (RELEASE, DEVELOP) and cue.tense != "future" and describes(ctx, clause, cue):
            continue
        dates = dates_for(ctx, cue, clause, reading)
        preliminary = reading.of_kind(PRELIMINARY)
        if len(dates) > 1 or preliminary:
            piece = _piece(ctx.lowered, clause, cue)
            in_piece = [d for d in dates if piece[0] <= d.start < piece[1]]
            dates = in_piece or dates  # "arrives in June, with the release expected in September"
        if not dates and index > 0 and reading.has(THEN, clause[0], clause[1]):
            dates = previous_dates(ctx, index)
        for watch in targets:
            verdict = _decide(ctx, cue, clause, dates, reading)
            if verdict is not None:
                verdict.announced = bool(ANNOUNCE.match(ctx.lowered, cue.start))
                verdict.secondary = bool(preliminary) and reading.has(
                    PRELIMINARY, piece[0], piece[1]
                )
                verdict.locate = partial(_evidence_span, text, clause, cue, dates, reading, watch)
                offer(watch, verdict)

    # "Build, May 7-9" / "Build op 6 mei": a date right next to the name, no verb needed.
    for entity in reading.entities:
        if entity.watch is None or entity.anaphor or entity.compared or entity.modifier:
            continue
        if entity.destination == "on" or (
            entity.destination == "to" and _lands_there(ctx.lowered, reading, entity)
        ):
            continue  # "Hades 2 arrives on Switch 2 in May": May is Hades 2's
        for mention in reading.dates:
            if mention.start >= entity.end:
                gap_start, gap_end = entity.end, mention.start
            else:
                gap_start, gap_end = mention.end, entity.start
            if gap_end - gap_start > 45 or gap_end < gap_start:
                continue
            if not ADJACENT_GAP.fullmatch(ctx.lowered, gap_start, gap_end):
                continue
            if not _future(ctx, mention.value) or not_release_date(
                ctx, mention, ctx.sentences[index].start
            ):
                continue
            if _BARE_YEAR.fullmatch(mention.value) and mention.start > entity.end:
                continue  # "the best apps for iPhone in 2026": a year of the list, not of it
            clause = clause_of(reading.clauses, mention.start)
            cue = Hit("date", "", "either", mention.start, mention.end)
            if negated(ctx, reading, clause, cue):
                continue
            rumored = reading.has(HEDGE, clause[0], clause[1])
            span = _evidence_span(text, clause, cue, [mention], reading, entity.watch)
            secondary = reading.has(PRELIMINARY, clause[0], clause[1])
            verdict = Verdict(Signal.DATED, (mention.value,), rumored, span, secondary=secondary)
            offer(entity.watch, verdict)

    # "The day before the start of Build, ...": the event is tomorrow.
    for eve in reading.of_kind(EVE):
        for entity in reading.entities:
            if entity.watch and not entity.anaphor and 0 <= entity.start - eve.end <= 40:
                value = (ctx.reference + timedelta(days=1)).isoformat()
                offer(entity.watch, Verdict(Signal.DATED, (value,), False, (eve.start, entity.end)))
                break
    return verdicts


# A release noun in the plural after a determiner, a number, an adjective of a kind or a
# preposition names releases in general, not a verb ("between major releases").
_PLURAL_NOUN = re.compile(r"releases|launches|debuts|sorties|lancements|lanzamientos|lançamentos")
_NOUN_PHRASE_BEFORE = re.compile(
    r"(?<![\w-])(?:the|its|their|these|those|all|other|many|several|multiple|two|three|four|"
    r"major|minor|new|recent|future|past|previous|upcoming|annual|yearly|between|of|among|"
    r"both|some|les|des|ses|leurs|plusieurs|los|sus|varios|entre|os|seus|vários)\s+$"
)


# A comma before an alternative does not end the stretch: "en 2027, voire 2028".
_ALTERNATIVE = re.compile(r", (?:or|ou|o|oder|voire|sinon|if not)\b")


def _piece(lowered: str, clause: tuple[int, int], cue: Hit) -> tuple[int, int]:
    """The comma-delimited stretch of the clause around a cue."""
    left = lowered.rfind(", ", clause[0], cue.start)
    right = lowered.find(", ", cue.end, clause[1])
    while right >= 0 and _ALTERNATIVE.match(lowered, right):
        right = lowered.find(", ", right + 2, clause[1])
    return (left + 1 if left >= 0 else clause[0], right if right >= 0 else clause[1])


def preferred(new: Verdict, current: Verdict) -> bool:
    """Whether ``new`` beats ``current``: a launch date beats "announced" or "pre-orders
    open" (rule 7), else the higher rank wins."""
    if _gives_way(current, new):
        return True
    if _gives_way(new, current):
        return False
    return rank_of(new) > rank_of(current)


def _gives_way(released: Verdict, dated: Verdict) -> bool:
    return (
        released.signal is Signal.RELEASED
        and (released.announced or released.secondary)
        and dated.signal is Signal.DATED
        and bool(dated.dates)
        and not dated.secondary
    )


def rank_of(verdict: Verdict) -> tuple[int, bool, bool, int]:
    """Signal first, then having dates, then being about the launch itself (not its
    pre-orders or beta), then coming first."""
    return (verdict.signal.rank, bool(verdict.dates), not verdict.secondary, -verdict.order)


def refined(best: Verdict, found: Sequence[Verdict]) -> Verdict:
    """A dated verdict whose dates all fall inside ``best``'s and are narrower: "delays X to
    May 2026" then "X will now release on May 26, 2026" gives May 26."""
    if len(found) < 2 or best.signal is not Signal.DATED or not best.dates:
        return best
    if any("/" in v or DAY.fullmatch(v) for v in best.dates):
        return best  # days and ranges of days are as precise as news gets
    windows = [date_span(v) for v in best.dates]
    width = max(last - first for first, last in windows)
    for verdict in found:
        if verdict is best or verdict.signal is not Signal.DATED or not verdict.dates:
            continue
        if verdict.secondary and not best.secondary:
            continue
        spans = [date_span(v) for v in verdict.dates]
        inside = all(any(f <= a and b <= l for f, l in windows) for a, b in spans)
        if inside and max(b - a for a, b in spans) < width:
            return verdict
    return best


def _future(ctx: Context, value: str) -> bool:
    """Whether a date value is still to come (unknown reference: assume so).

    A day must be after the reference; a window ("later this year", "this month") only
    must not be over yet.
    """
    if not ctx.known_reference:
        return True
    first, last = bounds(value.split("/")[0])
    return first > ctx.reference if first == last else last >= ctx.reference


def _under_way(ctx: Context, value: str) -> bool:
    """Whether a window has begun and is not over ("this week", "May 19-22" on May 20)."""
    first, last = date_span(value)
    return first <= ctx.reference <= last and first < last


def _past_or_today(ctx: Context, value: str) -> bool:
    return bounds(value.split("/")[-1])[1] <= ctx.reference


_MODALS = ("could", "may", "might", "would")
# The writer as subject: "we tested", "wir haben ... getestet", "hemos probado".
_FIRST_PERSON = re.compile(r"(?<![\w-])(?:we|we've|wir|nous|hemos|abbiamo|nós|avons)(?![\w-])")
_BARE_YEAR = re.compile(r"\d{4}")
_YEAR_WORD = re.compile(r"\b(?:19|20)\d\d\b")


def _long_gone(ctx: Context, reading: Reading, start: int, end: int) -> bool:
    """Whether the launch after ``start`` is dated to a year before the reference's, by a
    year word ("since GPT-4's launch in 2023", which the date finder rightly leaves to
    "since") or by a date no release date of its own ("depuis son annonce il y a six ans"):
    background, not news."""
    if not ctx.known_reference:
        return False
    year = ctx.reference.year
    word = _YEAR_WORD.search(ctx.lowered, start, end)
    return bool(word and int(word[0]) < year) or any(
        start <= d.start < end and int(d.value[:4]) < year for d in reading.dates
    )


def _kinds_in(reading: Reading, clause: tuple[int, int]) -> set[str]:
    """The kinds of the cues in the clause."""
    return {c.kind for c in reading.cues if clause[0] <= c.start < clause[1]}


def _only_features(reading: Reading, clause: tuple[int, int]) -> bool:
    """Whether the clause tells what the watch will have, and nothing of its release."""
    kinds = _kinds_in(reading, clause)
    return FEATURE in kinds and not kinds & {RELEASE, EVENT, SCHEDULE, UPCOMING, DEVELOP}


def _lands_there(lowered: str, reading: Reading, entity: Entity) -> bool:
    """Whether a release or event cue before ``entity`` has an object of its own before the
    "to" that names it ("brings Fortnite to Switch 2"), which then lands on the watch."""
    for cue in reading.cues:
        if cue.kind in (RELEASE, EVENT) and cue.end <= entity.start:
            gap = lowered[cue.end : entity.start].strip()
            if gap and not DESTINATION.fullmatch(gap):
                return True
    return False


def _decide(
    ctx: Context,
    cue: Hit,
    clause: tuple[int, int],
    dates: Sequence[DateMention],
    reading: Reading,
) -> Verdict | None:
    """Rule 5: the cue's kind and tense, and the dates of its clause, give the signal.

    What each kind needs is worked out only when that kind is decided."""
    lead_start = max(clause[0], cue.start - 45)
    values = tuple(dict.fromkeys(d.value for d in dates))
    future_values = tuple(v for v in values if _future(ctx, v))
    if cue.kind == RUMOR:
        if future_values and _only_features(reading, clause):
            future_values = ()  # "Leak: X to get a price hike in April": the hike's date
        return Verdict(Signal.DATED if future_values else Signal.RUMOR, future_values, True)
    condition = condition_of(ctx, reading, clause, cue)
    hedged = (
        reading.has(HEDGE, clause[0], clause[1])
        or reading.has(MODAL, lead_start, cue.start)
        or condition == "if"
    )
    if (
        cue.kind == DEVELOP
        and cue.tense == "past"
        and _FIRST_PERSON.search(ctx.lowered, clause[0], cue.start)
    ):
        return None  # "Wir haben die Switch 2 getestet", "hemos probado": a review
    if cue.kind == DEVELOP:
        # "readying X for a spring debut": the date given is the release's
        if future_values and ctx.known_reference:
            return Verdict(Signal.DATED, future_values, hedged)
        return Verdict(Signal.RUMOR, (), hedged)
    if cue.kind == FEATURE:
        # "iPhone 18 to get X, analyst claims": a claim about it, second-hand or hedged; a
        # date in it is the feature's ("to get a price hike in April"), not the release's
        if hedged or ctx.sourced or ctx.lowered.startswith(_MODALS, cue.start):
            return Verdict(Signal.RUMOR, (), True)
        return None
    if cue.kind == CANCEL:
        # a reported cancellation is a rumor; a confirmed one says nothing of a release
        if hedged or ctx.sourced:
            return Verdict(Signal.RUMOR, (), True)
        return None
    if cue.kind in (SCHEDULE, UPCOMING):
        if future_values:
            return Verdict(Signal.DATED, future_values, hedged)
        return Verdict(Signal.RUMOR, (), hedged)
    # release and event cues
    if (
        cue.kind == EVENT
        and not future_values
        and RELATIVE_OBJECT.search(ctx.lowered, lead_start, cue.start)
    ):
        return None  # "Llama 5, which it began in 2024": the work began, not the watch
    tense = tense_of_cue(ctx, cue, clause, lead_start, reading)
    if condition == "if" or (condition == "when" and tense in ("present", "")):
        tense = "future"  # "if X lands as promised", "when it's released in a few months"
    if tense == "past":
        # "... will release on May 26, 2026, Rockstar announced": a date was announced
        if (
            future_values
            and len(future_values) == len(values)
            and ctx.known_reference
            and ANNOUNCE.match(ctx.lowered, cue.start)
        ):
            return Verdict(Signal.DATED, future_values, hedged)
        return Verdict(Signal.RELEASED, values, hedged)
    if tense == "future":
        if future_values:
            return Verdict(Signal.DATED, future_values, hedged)
        if values:
            return Verdict(Signal.DATED, values, hedged)
        return Verdict(Signal.RUMOR, (), hedged)
    if tense == "present" and reading.has(HABITUAL, clause[0], clause[1]):
        return None  # "where Sony traditionally announces its hardware": a habit
    if tense == "present":
        if (
            cue.kind == EVENT
            and future_values
            and ctx.known_reference
            and all(_under_way(ctx, v) for v in future_values)
        ):
            return Verdict(Signal.RELEASED, future_values, hedged)  # "is hosting X this week"
        if future_values and (ctx.known_reference or cue.kind == EVENT):
            return Verdict(Signal.DATED, future_values, hedged)
        if reading.has(MODAL, lead_start, cue.start) and not _said_now(reading, clause):
            return Verdict(Signal.RUMOR, (), True)
        return Verdict(Signal.RELEASED, values, hedged)
    # a noun or a bare verb: its surroundings say when ("the launch of X is live now"; not
    # "already speak of the arrival of the next model")
    if LONG_AGO.search(ctx.lowered, clause[0], cue.start) and not future_values:
        return None  # "nearly five years after release": background
    if not future_values and _said_now(reading, clause) and not _scheduled(reading, clause):
        return Verdict(Signal.RELEASED, values, hedged)
    if (
        not future_values
        and PAST_REFERENCE.search(ctx.lowered, lead_start, cue.start)
        and not LONG_AGO.search(ctx.lowered, clause[0], cue.start)
        and not _long_gone(ctx, reading, cue.end, clause[1])
        and not reading.has(AUX, clause[0], clause[1])
        and not reading.has(MODAL, clause[0], clause[1])
        and not _kinds_in(reading, clause) & {SCHEDULE, UPCOMING, DEVELOP}
        and not PLANNED.search(ctx.lowered, clause[0], clause[1])
    ):
        return Verdict(Signal.RELEASED, values, hedged)  # "after GPT-5 launch": it happened
    scheduled = _scheduled(reading, clause)
    if future_values and (scheduled or hedged or ctx.known_reference):
        return Verdict(Signal.DATED, future_values, hedged)
    if values and not ctx.known_reference and (scheduled or hedged):
        return Verdict(Signal.DATED, values, hedged)
    past_values = tuple(v for v in values if ctx.known_reference and _past_or_today(ctx, v))
    if past_values and not scheduled:
        return Verdict(Signal.RELEASED, past_values, hedged)
    if scheduled or hedged:
        return Verdict(Signal.RUMOR, (), hedged)
    return None


def _said_now(reading: Reading, clause: tuple[int, int]) -> bool:
    """A "now" word in the clause ("today", "désormais"), not one of "for now", "until now"."""
    spared = [(h.start, h.end) for h in reading.of_kind(NOT_NOW)]
    return any(
        clause[0] <= h.start < clause[1] and not any(s <= h.start < e for s, e in spared)
        for h in reading.of_kind(NOW)
    )


def _scheduled(reading: Reading, clause: tuple[int, int]) -> bool:
    """A schedule or "upcoming" cue in the clause."""
    return bool(_kinds_in(reading, clause) & {SCHEDULE, UPCOMING})


def _evidence_span(
    text: str,
    clause: tuple[int, int],
    cue: Hit,
    dates: Sequence[DateMention],
    reading: Reading,
    watch: str,
) -> tuple[int, int]:
    """The comma-delimited stretch of the clause that holds the cue, the name and the dates."""
    points = [cue.start, cue.end]
    for d in dates:
        points += [d.start, d.end]
    named = [e for e in reading.entities if e.watch == watch and clause[0] <= e.start < clause[1]]
    if named:
        nearest = min(named, key=lambda e: abs(e.start - cue.start))
        points += [nearest.start, nearest.end]
    low, high = min(points), max(points)
    left = max(text.rfind(",", clause[0], low), text.rfind("(", clause[0], low))
    low = left + 1 if left >= 0 else clause[0]
    right = [
        i for i in (text.find(",", high, clause[1]), text.find(")", high, clause[1])) if i >= 0
    ]
    return (low, min(right) if right else clause[1])


def clean(text: str, span: tuple[int, int]) -> str:
    snippet = " ".join(text[span[0] : span[1]].split())
    return snippet.strip(" ,;:—–-").rstrip(".")
