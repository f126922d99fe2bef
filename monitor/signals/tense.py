"""The tense of a release or event cue, from its form and the words before it.

A cue carries the tense of its form ("launched": past, "lancera": future, "launch": none);
the words before it correct that: a passive future ("will be released", "wird am 20. August
vorgestellt"), a present passive ("is released"), a verb of the recent past before an
infinitive ("vient de lancer"), a perfect ("ha comenzado", "hat ... begonnen"), the verb a
launch noun is the object of ("announced the launch of"), an auxiliary ("will", "va").
A condition or time word ("if it lands", "when it's released") is read by ``condition_of``.
"""

from __future__ import annotations

import re

from monitor.signals.lexicon import AUX, CONDITION, RELEASE, VERB_FINAL, Hit
from monitor.signals.patterns import (
    JUST_DONE,
    NOUN_OBJECT,
    OF_THING,
    PASSIVE_FUTURE,
    PERFECT,
    PERFECT_VERB_LAST,
    VERB_LAST_FUTURE,
)
from monitor.signals.reading import Context, Reading

_ROMANCE = frozenset({"es", "it", "pt"})  # the languages of PERFECT's auxiliaries
# A possessive right before a word makes it a noun, whatever verb it also spells.
_POSSESSIVE_BEFORE = re.compile(
    r"(?<![\w-])(?:its|their|son|sa|ses|leur|leurs|su|sus|seu|sua|seus|suas|sein|seine|"
    r"seinen|ihr|ihre|ihren|il suo|la sua|suo|sua)\s+$"
)
_CLAUSE_END = re.compile(r"[,;:]|\.(?!\d)")  # not the point of "Gemini 3.0"


def tense_of_cue(
    ctx: Context, cue: Hit, clause: tuple[int, int], lead_start: int, reading: Reading
) -> str:
    """The tense of a release or event cue, corrected by the words before it."""
    lowered = ctx.lowered
    tense = cue.tense
    if tense == "present" and _POSSESSIVE_BEFORE.search(lowered, max(0, cue.start - 8), cue.start):
        tense = ""  # "depuis son annonce": a noun that is also a verb ("il annonce")
    if tense == "past" and (
        PASSIVE_FUTURE.search(lowered, lead_start, cue.start)
        or VERB_LAST_FUTURE.search(lowered, clause[0], cue.start)
    ):
        tense = "future"  # "will be released", "sera lancé", "wird am Dienstag veröffentlicht"
    if tense == "past" and _PRESENT_PASSIVE.search(lowered, max(0, cue.start - 16), cue.start):
        tense = "present"  # "is released", "it's released": told now, or to come with a date
    if tense == "" and JUST_DONE.search(lowered, max(lead_start, cue.start - 30), cue.start):
        tense = "past"  # "vient de lancer", "acaba de anunciar"
    if tense == "" and reading.has(VERB_FINAL, clause[0], cue.start):
        tense = "future"  # "wird ... GPT-5 der Welt vorstellen"
    if tense == "" and (
        (
            ctx.language in _ROMANCE
            and PERFECT.search(lowered, max(lead_start, cue.start - 30), cue.start)
        )
        or (
            ctx.language == "de"
            and PERFECT_VERB_LAST.search(lowered, max(lead_start, cue.start - 60), cue.start)
        )
    ):
        tense = "past"  # "ha comenzado", "hat ... begonnen"
    if tense == "":
        # a launch noun that a verb takes as its object shares its tense: "announced the
        # launch of X", "a annoncé le lancement de X", "anunció el lanzamiento de X"
        for verb in reading.cues:
            if (
                verb.kind == RELEASE
                and verb.tense in ("past", "present")
                and verb.end <= cue.start
                and NOUN_OBJECT.fullmatch(lowered, verb.end, cue.start)
                and OF_THING.match(lowered, cue.end)
            ):
                tense = verb.tense
                break
    if tense not in ("future", "past"):
        aux = reading.last(AUX, lead_start, cue.start)
        if aux is not None and not _CLAUSE_END.search(lowered, aux.end, cue.start):
            tense = "future"
    return tense


_PRESENT_PASSIVE = re.compile(
    r"(?:\bis|\bare|'s|\bgets?|\best|\bsont|\bes|\bson|\bist|\bsind|\bè|\bé)\s+"
    r"(?:\w+ly\s+)?$"
)


def condition_of(ctx: Context, reading: Reading, clause: tuple[int, int], cue: Hit) -> str:
    """ "if" or "when" when a condition or time word governs the cue in its clause."""
    marker = reading.last(CONDITION, clause[0], cue.start)
    if marker is None or _CLAUSE_END.search(ctx.lowered, marker.end, cue.start):
        return ""
    return marker.tense
