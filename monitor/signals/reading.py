"""What an item holds: sentences to read, cues, dates, names and pronouns."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

from monitor.model import Match, Signal
from monitor.release_dates import DateMention, find_dates
from monitor.signals.cues import LEXICON
from monitor.signals.lexicon import (
    BREAK,
    CANCEL,
    SCHEDULE,
    SOURCE,
    THEN,
    TIED,
    WORD,
    Hit,
)
from monitor.signals.names import opens_with_cue, other_names
from monitor.signals.patterns import (
    ANAPHORIC,
    ANAPHORIC_START,
    COMPARED,
    DASH,
    DESTINATION,
    DESTINATION_ON,
    MODIFIER_OF,
    NAME_HINT,
    NOT_DESTINATION,
    OWN_LAUNCH,
    PUNCTUATION_BREAK,
    SENTENCE_PRONOUNS,
    YEAR_AFTER,
)
from monitor.signals.sentences import Sentence, sentence_of

# A year right after a name, not the start of a numeric date ("Build 2025", not "2025-05-19").
_EDITION_YEAR = re.compile(r" ((?:19|20)\d{2})\b(?![-/.]\d)")
# What joins the names of a list: "PS4, PS5 et PC".
_IN_A_LIST = re.compile(r"\s*(?:,|,?\s*(?:and|et|y|e|und|&|or|ou|o|oder))\s*")


@dataclass
class Verdict:
    """The best signal one sentence gives one watch."""

    signal: Signal
    dates: tuple[str, ...] = ()
    rumored: bool = False
    span: tuple[int, int] = (0, 0)
    order: int = 0
    announced: bool = False  # released only in the sense of "announced"
    secondary: bool = False  # about pre-orders, a beta, a waitlist: not the launch itself
    # Works out ``span`` when the verdict is kept: most verdicts are outranked.
    locate: Callable[[], tuple[int, int]] | None = None

    def evidence_span(self) -> tuple[int, int]:
        if self.locate is not None:
            self.span, self.locate = self.locate(), None
        return self.span


@dataclass
class Entity:
    start: int
    end: int
    watch: str | None  # None: another thing
    anaphor: bool = False
    compared: bool = False  # only compared with ("unlike GPT-5")
    modifier: bool = False  # qualifies the noun after it ("Switch 2 accessories")
    destination: str = ""  # "on", or "to" (to, for, by): where something else arrives


@dataclass
class Context:
    text: str  # typography folded, same length as the caller's text
    lowered: str
    reference: date
    known_reference: bool
    sentences: list[Sentence]
    mentions: dict[int, list[Match]]  # sentence index -> matches in it
    single_watch: str | None
    language: str = "en"  # the item's, for the cues of one language (``tables``)
    hits: list[Hit] = field(default_factory=list)
    hit_starts: list[int] = field(default_factory=list)  # where each hit starts, to bisect
    dates: list[DateMention] = field(default_factory=list)
    # sentence index -> other things' names and words standing for a watch in it
    others: dict[int, list[Entity]] = field(default_factory=dict)
    stand_ins: list[tuple[int, int]] = field(default_factory=list)  # words that may be one
    sourced: bool = False  # a sentence read cites a second-hand source (rule 6)
    active: set[int] = field(default_factory=set)  # sentences that may give a verdict
    subjectless: set[int] = field(default_factory=set)  # opened by a cue, about the watch
    # schedule sentences right after one naming the item's one watch
    scheduled_after: set[int] = field(default_factory=set)


@dataclass
class Reading:
    """What one sentence holds: tied cues, clause markers, dates, names, clauses."""

    cues: list[Hit]
    markers: list[Hit]
    dates: list[DateMention]
    entities: list[Entity]
    clauses: list[tuple[int, int]]
    by_kind: dict[str, list[Hit]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for hit in self.markers:
            self.by_kind.setdefault(hit.kind, []).append(hit)

    def of_kind(self, kind: str) -> list[Hit]:
        """The markers of one kind, in text order."""
        return self.by_kind.get(kind, [])

    def has(self, kind: str, start: int, end: int) -> bool:
        for hit in self.by_kind.get(kind, ()):  # in text order
            if hit.start >= start:
                return hit.start < end
        return False

    def last(self, kind: str, start: int, end: int) -> Hit | None:
        found = [h for h in self.of_kind(kind) if start <= h.start < end]
        return found[-1] if found else None


def sentence_span(ctx: Context, position: int) -> tuple[int, int]:
    index = sentence_of(ctx.sentences, position)
    if index is None:
        return (position, position)
    return (ctx.sentences[index].start, ctx.sentences[index].end)


def _linked(ctx: Context, a: int, b: int) -> bool:
    """Whether two sentences may refer to each other: same passage, or title and lede."""
    return ctx.sentences[a].passage == ctx.sentences[b].passage or 0 in (a, b)


def sentences_to_read(ctx: Context) -> Iterable[int]:
    """Sentences naming a watch, their neighbours in the passage, and (for one watch) its
    whole passages: "It", "the model" and "Die" may stand for the watch there."""
    wanted: set[int] = set()
    passages = {ctx.sentences[i].passage for i in ctx.mentions}
    for index in ctx.mentions:
        wanted.add(index)
        for neighbour in (index - 1, index + 1):
            if 0 <= neighbour < len(ctx.sentences) and _linked(ctx, index, neighbour):
                wanted.add(neighbour)
    if ctx.single_watch is not None:
        for i, s in enumerate(ctx.sentences):
            if s.passage not in passages or i in ctx.mentions:
                continue
            if ANAPHORIC_START.match(ctx.lowered, s.start) or ANAPHORIC.search(
                ctx.lowered, s.start, s.end
            ):
                wanted.add(i)
            elif opens_with_cue(ctx.text, ctx.lowered, ctx.language, s) and not _names_another(
                ctx, i - 1
            ):
                ctx.subjectless.add(i)
                wanted.add(i)
    return sorted(wanted)


def _names_another(ctx: Context, index: int) -> bool:
    """Whether the sentence before names another thing and no watch: "The Orbit 5 costs
    more. Out on July 25." is about the Orbit 5."""
    if index < 0 or index in ctx.mentions:
        return False
    sentence = ctx.sentences[index]
    return next(other_names(ctx.text, sentence.start, sentence.end), None) is not None


def neighbour_watch(ctx: Context, index: int) -> str | None:
    """The one watch named in the sentence before (else after) this one, in its passage."""
    for neighbour in (index - 1, index + 1):
        if not 0 <= neighbour < len(ctx.sentences) or not _linked(ctx, index, neighbour):
            continue
        mentions = ctx.mentions.get(neighbour, [])
        names = {m.watch for m in mentions}
        if len(names) == 1:
            first = min(m.start for m in mentions)
            if any(other.start < first for other in ctx.others.get(neighbour, ())):
                return None  # "Samsung launches the Galaxy S26 to rival the iPhone 17. The phone…"
            return names.pop()
    if ctx.single_watch is not None:
        passages = {ctx.sentences[i].passage for i in ctx.mentions}
        if ctx.sentences[index].passage in passages:
            return ctx.single_watch
    return None


def scan(ctx: Context, matches: Sequence[Match], known: bool, to_read: Sequence[int]) -> None:
    """Look up cues, dates, names and pronouns once, only where they can matter.

    Cues are looked up in every sentence to read (a neighbour's "according to" makes the
    item second-hand). Dates only in the *active* ones, sentences that name a watch or hold
    a cue and a word that may stand for one (other sentences give no verdict), and in the
    sentence before an active one that says "then". Other names and pronouns only in the
    active sentences that hold a cue: they matter only to the cues of their sentence.
    """
    lowered, text, sentences = ctx.lowered, ctx.text, ctx.sentences
    ctx.hits = LEXICON.find(lowered, text, _spans(ctx, to_read), ctx.stand_ins, ctx.language)
    ctx.hit_starts = [h.start for h in ctx.hits]
    ctx.sourced = any(h.kind == SOURCE for h in ctx.hits)
    cues = [h.start for h in ctx.hits if h.kind in TIED]
    if ctx.single_watch is not None:
        schedules = [h.start for h in ctx.hits if h.kind == SCHEDULE]
        for i in to_read:
            if i not in ctx.mentions and i - 1 in ctx.mentions and _holds(sentences[i], schedules):
                ctx.scheduled_after.add(i)
    ctx.active = {
        i
        for i in to_read
        if i in ctx.mentions or (_holds(sentences[i], cues) and _may_refer(ctx, i))
    }
    then = {h.start for h in ctx.hits if h.kind == THEN}
    with_dates = set(ctx.active)
    for index in ctx.active:
        sentence = sentences[index]
        if index > 0 and any(sentence.start <= at < sentence.end for at in then):
            with_dates.add(index - 1)
    # Without a publication date, "Build 2026 ... opens June 2" tells the year of June 2.
    default_year = None
    if not known:
        for match in matches:
            year = YEAR_AFTER.match(text, match.end)
            if year:
                default_year = int(year[1])
                break
    # a number in a watch's name is no day: "le report de Zephyr 3 au 19 novembre"; nor is
    # the year that names an edition right after it ("the Build 2025 keynote")
    numbered = [m for m in matches if any(c.isdigit() for c in text[m.start : m.end])]
    for match in matches:
        edition = _EDITION_YEAR.match(text, match.end)
        if edition:
            numbered.append(Match(match.watch, edition[1], edition.start(1), edition.end(1)))
    if numbered:
        text, lowered = _blanked(text, numbered), _blanked(lowered, numbered)
    ctx.dates = find_dates(
        text,
        ctx.reference,
        default_year=default_year,
        within=_spans(ctx, sorted(with_dates)),
        lowered=lowered,
    )
    for index in sorted(ctx.active):
        if _holds(sentences[index], cues):
            _names_and_pronouns(ctx, index)


def _blanked(text: str, matches: Sequence[Match]) -> str:
    """The text with these names written over by letters, same length."""
    parts, cursor = [], 0
    for m in sorted(matches, key=lambda m: m.start):
        if m.start < cursor:
            continue
        parts += [text[cursor : m.start], "x" * (m.end - m.start)]
        cursor = m.end
    parts.append(text[cursor:])
    return "".join(parts)


def _names_and_pronouns(ctx: Context, index: int) -> None:
    """Other things' names, then words that may stand for a watch, where no name, date or
    watch already stands."""
    text = ctx.text
    start, end = ctx.sentences[index].start, ctx.sentences[index].end
    taken = [(m.start, m.end) for m in ctx.mentions.get(index, ())]
    taken += [(d.start, d.end) for d in ctx.dates if start <= d.start < end]

    def free(at: int, stop: int) -> bool:
        return not any(at < te and ts < stop for ts, te in taken)

    others = ctx.others[index] = []
    if NAME_HINT.search(text, start, end):
        for m in other_names(text, start, end):
            if free(m.start(), m.end()):
                taken.append((m.start(), m.end()))
                where = _destination(ctx.lowered, max(start, m.start() - 14), m.start())
                others.append(Entity(m.start(), m.end(), None, destination=where))
    for before, after in pairwise(others):
        if (
            before.destination
            and not after.destination
            and _IN_A_LIST.fullmatch(ctx.lowered, before.end, after.start)
        ):
            after.destination = before.destination  # "sur PS4, PS5 et PC": all platforms
    stand_ins = ctx.stand_ins  # found by the cue pass over the words, in text order
    for at, stop in stand_ins[bisect_left(stand_ins, (start,)) : bisect_left(stand_ins, (end,))]:
        if stop <= end and free(at, stop):
            others.append(Entity(at, stop, None, anaphor=True))
    first = WORD.match(text, start)  # "Die vindt plaats ...": a demonstrative opens it
    if first and first[0] in SENTENCE_PRONOUNS and free(first.start(), first.end()):
        others.append(Entity(first.start(), first.end(), None, anaphor=True))
    if index in ctx.subjectless and not others and index not in ctx.mentions:
        # "Sortie le 25 juillet": the subject left out is the item's watch
        opening = WORD.search(text, start, end)
        at = opening.start() if opening else start
        others.append(Entity(at, at, None, anaphor=True))
    elif index in ctx.scheduled_after and not others:
        # "... Silksong. Team Cherry a annoncé une vidéo programmée pour le jeudi 21 août":
        # what the schedule word is about is the watch named just before
        for hit in ctx.hits:
            if hit.kind == SCHEDULE and start <= hit.start < end:
                others.append(Entity(hit.start, hit.start, None, anaphor=True))
                break


def _spans(ctx: Context, indexes: Iterable[int]) -> list[tuple[int, int]]:
    """The text of these sentences, neighbours joined into one span."""
    spans: list[tuple[int, int]] = []
    for index in indexes:
        sentence = ctx.sentences[index]
        if spans and not ctx.text[spans[-1][1] : sentence.start].strip():
            spans[-1] = (spans[-1][0], sentence.end)
        else:
            spans.append((sentence.start, sentence.end))
    return spans


def _holds(sentence: Sentence, positions: Sequence[int]) -> bool:
    """Whether one of these sorted positions lies in the sentence."""
    at = bisect_left(positions, sentence.start)
    return at < len(positions) and positions[at] < sentence.end


def _may_refer(ctx: Context, index: int) -> bool:
    """Whether a sentence holds a word that may stand for a watch ("it", "the model")."""
    sentence = ctx.sentences[index]
    stand_ins = ctx.stand_ins  # found by the cue pass over the words, in text order
    at = bisect_left(stand_ins, (sentence.start,))
    if at < len(stand_ins) and stand_ins[at][0] < sentence.end:
        return True
    first = WORD.match(ctx.text, sentence.start)
    return (
        bool(first and first[0] in SENTENCE_PRONOUNS)
        or index in ctx.subjectless
        or index in ctx.scheduled_after
    )


def reading_of(ctx: Context, index: int, own: Sequence[Match]) -> Reading:
    sentence = ctx.sentences[index]
    start, end = sentence.start, sentence.end
    starts = ctx.hit_starts
    hits = ctx.hits[bisect_left(starts, start) : bisect_left(starts, end)]
    dates = [d for d in ctx.dates if start <= d.start < end]
    if not hits and not dates:
        return Reading([], [], [], [], [(start, end)])
    # Longest first; on the same words a cancellation wins ("stellt X ein" is not "stellt vor").
    tied = sorted(
        (h for h in hits if h.kind in TIED),
        key=lambda h: (h.start, h.start - h.end, h.kind != CANCEL),
    )
    cues: list[Hit] = []
    for hit in tied:
        if not cues or hit.start >= cues[-1].end:
            cues.append(hit)
    markers = [h for h in hits if h.kind not in TIED]
    entities = _entities(ctx, index, own)
    return Reading(cues, markers, dates, entities, _clauses(ctx, start, end, markers))


def previous_dates(ctx: Context, index: int) -> list[DateMention]:
    if not _linked(ctx, index, index - 1):
        return []
    previous = ctx.sentences[index - 1]
    return [d for d in ctx.dates if previous.start <= d.start < previous.end][-1:]


def _entities(ctx: Context, index: int, own: Sequence[Match]) -> list[Entity]:
    lowered, start = ctx.lowered, ctx.sentences[index].start
    result = [
        Entity(
            m.start,
            m.end,
            m.watch,
            compared=bool(COMPARED.search(lowered, max(start, m.start - 40), m.start))
            and not OWN_LAUNCH.match(lowered, m.end),
            modifier=bool(MODIFIER_OF.match(lowered, m.end)),
            destination=_destination(lowered, max(start, m.start - 14), m.start),
        )
        for m in own
    ]
    result += ctx.others.get(index, ())
    result.sort(key=lambda e: e.start)
    return result


def _destination(lowered: str, start: int, end: int) -> str:
    if DESTINATION_ON.search(lowered, start, end):
        return "on"
    if NOT_DESTINATION.search(lowered, max(0, start - 16), end):
        return ""
    return "to" if DESTINATION.search(lowered, start, end) else ""


def _clauses(ctx: Context, start: int, end: int, markers: Sequence[Hit]) -> list[tuple[int, int]]:
    breaks = [(m.start(), m.end()) for m in PUNCTUATION_BREAK.finditer(ctx.lowered, start, end)]
    if len([b for b in breaks if DASH.fullmatch(ctx.lowered, b[0], b[1])]) >= 2:
        breaks = [b for b in breaks if not DASH.fullmatch(ctx.lowered, b[0], b[1])]
    breaks += [(h.start, h.end) for h in markers if h.kind == BREAK]
    result: list[tuple[int, int]] = []
    cursor = start
    for b_start, b_end in sorted(breaks):
        if b_start < cursor:
            continue
        result.append((cursor, b_start))
        cursor = b_end
    result.append((cursor, end))
    return result


def clause_of(clauses: Sequence[tuple[int, int]], position: int) -> tuple[int, int]:
    for clause in clauses:
        if clause[0] <= position <= clause[1]:
            return clause
    return clauses[-1]


# The preposition of a date, with a part of the day ("on", "na noite de", "on the night
# of"): "Released on August 1, X" has nothing but the date between.
_DAY_PART = (
    r"(?:(?:the|la|el|il|a)\s+)?(?:night|evening|morning|afternoon|nuit|soir|soirée|matin|"
    r"après-midi|noche|mañana|tarde|noite|manhã|sera|mattina|pomeriggio|notte)"
    r"\s+(?:of|de|du|del|della|di|da|do)\s+"
)
_DATE_PREPOSITION = re.compile(
    rf"(?<![\w-])(?:on|in|le|en|au|am|im|el|il|nel|em|no|na|dans)\s+(?:{_DAY_PART})?$"
)


def without_dates(
    text: str,
    start: int,
    end: int,
    dates: Sequence[DateMention],
    *,
    prepositions: bool = False,
) -> str:
    """The text between two points with the dates taken out (``prepositions``: theirs
    too)."""
    parts: list[str] = []
    cursor = start
    for d in dates:
        if d.end <= start or d.start >= end:
            continue
        before = _DATE_PREPOSITION.search(text, cursor, d.start) if prepositions else None
        parts.append(text[cursor : max(cursor, before.start() if before else d.start)])
        cursor = max(cursor, d.end)
    parts.append(text[cursor:end])
    return " ".join(parts)
