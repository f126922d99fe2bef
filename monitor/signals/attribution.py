"""Which watch a cue is about, and whether it is negated."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from monitor.release_dates import DateMention
from monitor.signals.lexicon import (
    DENIAL,
    EVENT,
    FEATURE,
    NEGATION,
    NOT_NEGATION,
    RELEASE,
    RUMOR,
    SCHEDULE,
    Hit,
)
from monitor.signals.patterns import (
    AFTER_BLOCK,
    ANNOUNCE,
    BEFORE_BLOCK,
    BEFORE_WINDOW,
    BYLINE,
    CLAUSE_VERB,
    DETERMINER,
    EVENT_BESIDE,
    EVENT_NOUNS,
    NOT_RELEASE_DATE,
    SINCE_RELEASE,
    SUPERSEDED,
    SUPERSEDED_OPENING,
    WINDOW,
)
from monitor.signals.reading import (
    Context,
    Entity,
    Reading,
    neighbour_watch,
    without_dates,
)
from monitor.signals.sentences import sentence_of


def targets_of(
    ctx: Context, index: int, cue: Hit, clause: tuple[int, int], reading: Reading
) -> list[str]:
    """The watches a cue is about: the nearest thing on its side, within its clause."""
    lowered, entities = ctx.lowered, reading.entities

    def first_after() -> tuple[int, Entity] | None:
        for e in entities:
            if e.start < cue.end or e.start > clause[1]:
                continue
            # a date between the verb and its object or subject, with its preposition, is
            # passed over: "Released on August 1, X ..." (a participle opening the clause),
            # "unveiled on Wednesday X", "apresentaram na noite de quarta-feira, o X" (the
            # date right before the object); not "launched in 2023, X will ...", where X
            # opens a clause of its own
            gap = without_dates(lowered, cue.end, e.start, reading.dates).strip()
            bare = without_dates(lowered, cue.end, e.start, reading.dates, prepositions=True)
            opening = not lowered[clause[0] : cue.start].strip(" \"'“«")
            if opening or (
                _ARTICLES_ONLY.fullmatch(bare) and not CLAUSE_VERB.match(lowered, e.end)
            ):
                gap = bare.strip()
            if cue.kind == SCHEDULE and _SCHEDULE_FOR.fullmatch(gap):
                return (len(gap), e)  # "sets an October 12 release date for X"
            if len(gap) > WINDOW or AFTER_BLOCK.search(gap):
                return None
            if e.destination and gap and cue.kind in (RELEASE, EVENT):
                return None  # "brings Fortnite to Switch 2": Switch 2 is where it lands
            if (
                cue.kind == RELEASE
                and ANNOUNCE.match(lowered, cue.start)
                and CLAUSE_VERB.match(lowered, e.end)
            ):
                return None  # "announces X is in development": that clause's verb says
            return (len(gap), e)
        return None

    def first_before() -> tuple[int, Entity] | None:
        for e in reversed(entities):
            if e.end > cue.start or e.start < clause[0]:
                continue
            gap = without_dates(lowered, e.end, cue.start, reading.dates)
            gap = _RELATIVE.sub(" ", gap).strip()  # "X, which sold out in May, arrives"
            if not e.anaphor:
                # "X, que salió ayer": a relative pronoun right after a name has it for
                # subject (after a common noun, "un teléfono que introduce...", it describes)
                gap = _RELATIVE_SUBJECT.sub("", gap)
            if len(gap) > BEFORE_WINDOW or BEFORE_BLOCK.search(gap):
                return None
            if e.destination and cue.kind in (RELEASE, EVENT):
                return None  # "a new tool for Kubernetes, available today": not Kubernetes
            return (len(gap), e)
        return None

    if cue.kind == FEATURE:
        pick = first_before()  # its subject only: "want to get X" says nothing of X
    elif lowered[cue.start : cue.end] in _GET:
        # "ChatGPT gets GPT-6": only its very object ("gets sued over X" gets nothing of X)
        after = first_after()
        gap = lowered[cue.end : after[1].start].strip() if after else ""
        pick = after if after and gap in _GET_GAP else None
    else:
        found: Iterable[tuple[int, Entity] | None]
        if cue.side in ("after", "before"):
            sides = (first_after, first_before)
            # its own side first; the other is looked at only if that one gives no watch
            found = (side() for side in (sides if cue.side == "after" else sides[::-1]))
        else:
            near = [x for x in (first_after(), first_before()) if x is not None]
            near.sort(key=lambda x: x[0])  # the nearer side
            found = near
        # a stand-in that stands for no watch ("unveiled at an event", none watched) leaves
        # the cue to the thing on its other side
        for pick in found:
            if pick is None:
                continue
            entity = pick[1]
            watches = _watches_of(ctx, index, cue, entity, entities)
            if watches or not entity.anaphor:
                return watches
        return []
    if pick is None:
        return []
    return _watches_of(ctx, index, cue, pick[1], entities)


def _watches_of(
    ctx: Context, index: int, cue: Hit, pick: Entity, entities: Sequence[Entity]
) -> list[str]:
    """The watches a cue's chosen thing stands for, with those listed beside it."""
    lowered = ctx.lowered
    chosen = [pick]
    # "MAI-Voice-1 and MAI-1-preview": a cue for one is a cue for the list.
    position = entities.index(pick)
    for step in (1, -1):
        j = position + step
        while 0 <= j < len(entities):
            left, right = sorted((entities[j - step], entities[j]), key=lambda e: e.start)
            if not _LIST_GLUE.fullmatch(lowered, left.end, right.start):
                break
            chosen.append(entities[j])
            j += step
    watches: list[str] = []
    for entity in chosen:
        if entity.compared or (entity.modifier and cue.kind in (RELEASE, EVENT)):
            continue
        if entity.watch is not None:
            watches.append(entity.watch)
        elif entity.anaphor:
            resolved = _resolve_anaphor(ctx, index, entity, entities)
            if resolved:
                watches.append(resolved)
    return list(dict.fromkeys(watches))


_GET = frozenset({"get", "gets"})
_GET_GAP = frozenset({"", "the", "a", "an", "new", "the new", "a new"})

# A relative clause between a name and its verb, set off by commas.
_RELATIVE_SUBJECT = re.compile(r"^,?\s*(?:que|qui|che|quem|which|who|that)\s+")
_RELATIVE = re.compile(
    r",\s*(?:which|who|que|qui|lequel|laquelle|die|der|das|welche[rs]?|che|cui|quem)\b[^,]*,"
)
# "sets an October 12 release date for X": a schedule noun's thing after "for".
_SCHEDULE_FOR = re.compile(rf"(?:for|pour|para|für|per)(?:\s+{DETERMINER})?")
# "won't be out until 2027": not before that date, so at it.
_NOT_UNTIL = re.compile(r"\s+(?:[\w'-]+\s+){0,4}?(?:until|till|hasta|fino a|até)\b")
# Nothing but commas and articles between a verb and its object, once a date is out.
_ARTICLES_ONLY = re.compile(rf"[\s,]*(?:{DETERMINER}[\s,]+)?")
_LIST_GLUE = re.compile(
    rf"\s*(?:,|,?\s*(?:and|et|y|e|ed|und|en|&|or|ou|o|oder|of))\s*(?:{DETERMINER}\s+)?"
)


def _event_like(ctx: Context, watch: str) -> bool:
    """Whether a watch is an event: a year in its name ("CES 2026", "Build 2024"), or an
    event noun beside it in this item ("the Build conference")."""
    if _YEAR.search(watch):
        return True
    lowered = ctx.lowered
    return any(
        EVENT_BESIDE.search(lowered, max(0, m.start - 25), m.start)
        or EVENT_BESIDE.search(lowered, m.end, m.end + 25)
        for matches in ctx.mentions.values()
        for m in matches
        if m.watch == watch
    )


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
# Up to three words between a name and a generic noun that heads its phrase.
_HEAD_GAP = re.compile(r"(?:\s+[\w-]+){0,3}\s+")
_OWNER = re.compile(r"(?<![.!?]\s)(?<!\n)\b([A-Z][a-z][\w-]*)\s+$")
# Capitalised words before a noun that open a sentence rather than name an owner.
_DETERMINERS = frozenset(
    {
        "The", "This", "That", "These", "Those", "Its", "Their", "Le", "La", "Les", "Ce",
        "Cette", "Der", "Die", "Das", "Dieses", "Diese", "El", "Los", "Las", "Este", "Esta",
        "Il", "Lo", "Questo", "Questa", "O", "A", "Het", "De", "Deze",
    }
)  # fmt: skip


def _resolve_anaphor(
    ctx: Context, index: int, anaphor: Entity, entities: Sequence[Entity]
) -> str | None:
    # the head noun of a name's own phrase: "its GPT-4 AI language model", "Orion-5 model"
    for e in reversed(entities):
        if e.anaphor or e.end > anaphor.start:
            continue
        if _HEAD_GAP.fullmatch(ctx.lowered, e.end, anaphor.start):
            return None if e.compared else e.watch
        break
    before = ctx.text[max(0, anaphor.start - 30) : anaphor.start]
    owner = _OWNER.search(before)
    if owner and owner[1] not in _DETERMINERS and not ctx.text[anaphor.start].isupper():
        return None  # "the new Claude model": a name of its own
    named = [e for e in entities if e.watch is not None and not e.compared]
    # "an event held at MIT" stands for no model: only for a watch that is an event
    event_noun = ctx.lowered[anaphor.start : anaphor.end].endswith(EVENT_NOUNS)
    if event_noun:
        named = [e for e in named if _event_like(ctx, e.watch or "")]
    preceding = [e for e in named if e.end <= anaphor.start and anaphor.start - e.end <= 90]
    if preceding:
        return preceding[-1].watch
    following = [e for e in named if e.start >= anaphor.end and e.start - anaphor.end <= 60]
    if following:
        return following[0].watch
    if any(
        (e.watch is None and not e.anaphor and not e.destination) or e.compared for e in entities
    ):
        return None  # another named thing is around (not where it lands: "sur PS4"), or the
        # watch is only compared
    watch = neighbour_watch(ctx, index)
    return None if watch is None or (event_noun and not _event_like(ctx, watch)) else watch


# A denial reaches up to a comma or a new coordinated verb ("dismisses concerns and
# launches X" launches X).
_DENIAL_STOP = re.compile(r",|;|\s(?:and|et|und|y|e)\s")


def negated(ctx: Context, reading: Reading, clause: tuple[int, int], cue: Hit) -> bool:
    """Whether a negation just before the cue ("no plans to release"), right after it
    ("n'arrivera pas"), or a denial earlier in its clause ("denies reports that") voids it.
    A denial right after a rumor voids the rumor ("rumor debunked"); "not ... until 2027"
    is a date, not a negation."""
    lowered = ctx.lowered
    for hit in reading.of_kind(DENIAL):
        if clause[0] <= hit.start <= cue.start and not _DENIAL_STOP.search(
            lowered, hit.end, cue.start
        ):
            return True  # "denies reports that it will launch X", "pushes back on claims"
        if cue.kind == RUMOR and cue.end <= hit.start <= cue.end + 12:
            return True  # "Windows 12 rumor debunked"
    negations = reading.of_kind(NEGATION)
    if not negations:
        return False
    window = max(clause[0], cue.start - 40)
    comma = max(lowered.rfind(",", window, cue.start), lowered.rfind("(", window, cue.start))
    window = comma + 1 if comma >= 0 else window
    spared = [(h.start, h.end) for h in reading.of_kind(NOT_NEGATION)]
    for hit in negations:
        if any(s <= hit.start < e for s, e in spared):
            continue
        if window <= hit.start < cue.start:
            return not _NOT_UNTIL.match(lowered, cue.end, clause[1])
        if cue.end <= hit.start <= cue.end + 2 and lowered[hit.start : hit.end] in (
            "pas",
            "nicht",
            "niet",
            "not",
        ):
            return True
    return False


def not_release_date(ctx: Context, mention: DateMention, floor: int) -> bool:
    """A price, a founding year, a "since", a byline, or a date a delay replaced."""
    lowered, start = ctx.lowered, mention.start
    sentence = sentence_of(ctx.sentences, start)
    opening = ctx.sentences[sentence].start if sentence is not None else floor
    return bool(
        NOT_RELEASE_DATE.search(lowered, max(floor, start - 40), start)
        or SUPERSEDED.search(lowered, max(floor, start - 70), start)
        or SUPERSEDED_OPENING.match(lowered, opening, start)
        or BYLINE.search(lowered, max(0, start - 40), start)
    )


def dates_for(
    ctx: Context, cue: Hit, clause: tuple[int, int], reading: Reading
) -> list[DateMention]:
    result: list[DateMention] = []
    for mention in reading.dates:
        if not clause[0] <= mention.start < clause[1]:
            continue
        since_release = cue.kind == RELEASE and bool(
            SINCE_RELEASE.fullmatch(ctx.lowered, cue.end, mention.start)
        )
        if not since_release and not_release_date(ctx, mention, clause[0]):
            continue  # "founded in 2019", "$20", "since 2023"; not "available since April 29"
        # Another product named between this cue and the date claims it ("GPT-4 ... 2023"),
        # unless a watch named there is nearer the date, alone or in one list with it
        # ("to unveil the Flip 7, Fold 7 this week").
        after = mention.start >= cue.end
        lo, hi = (cue.end, mention.start) if after else (mention.end, cue.start)
        between = [
            e
            for e in reading.entities
            if not e.anaphor
            and not (e.watch is None and e.destination)
            and lo <= e.start
            and e.end <= hi
        ]
        if any(e.watch is None for e in between) and not _watch_nearest(
            ctx.lowered, between, after
        ):
            continue
        if _ruled_out(ctx, reading, cue, mention):
            continue
        result.append(mention)
    return result


def _watch_nearest(lowered: str, names: Sequence[Entity], date_after: bool) -> bool:
    """Whether the name nearest the date, or one joined to it in a list, is a watch."""
    ordered = sorted(names, key=lambda e: e.start)
    if not date_after:
        ordered.reverse()
    for i in range(len(ordered) - 1, -1, -1):
        if ordered[i].watch is not None:
            return True
        if i == 0:
            break
        left, right = sorted((ordered[i - 1], ordered[i]), key=lambda e: e.start)
        if not _LIST_GLUE.fullmatch(lowered, left.end, right.start):
            break
    return False


def _ruled_out(ctx: Context, reading: Reading, cue: Hit, mention: DateMention) -> bool:
    """A date a negated verb rules out ("non arriverà nel 2023", "won't launch in 2025"),
    read by another cue of the clause; "not until 2027" is a date, not ruled out."""
    start = max(0, mention.start - 40)
    for verb in reading.cues:
        if verb is cue or not start <= verb.start < mention.start:
            continue
        if _NOT_UNTIL.match(ctx.lowered, verb.end, mention.end):
            continue
        if negated(ctx, reading, (start, mention.start), verb):
            return True
    return False
