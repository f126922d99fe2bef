"""What the words around a cue make of it before it decides anything.

A release word is no release in a byline ("Publicado el 04/08/2025 por"), when its object is
a schedule word ("revealed the date of"), when its subject is a rumor or pictures ("rumors
about X have surfaced": a leak), or when it only describes the thing ("the largest model
Microsoft has deployed").
"""

from __future__ import annotations

import re

from monitor.signals.lexicon import RUMOR, SCHEDULE, Hit
from monitor.signals.patterns import BYLINE_WORDS, DESCRIBED, DETERMINER
from monitor.signals.reading import Context, Reading

_ARTICLE = re.compile(rf"\s+(?:{DETERMINER}\s*)?")


def reveals_a_date(ctx: Context, reading: Reading, cue: Hit) -> bool:
    """A release verb whose object is a schedule word ("revealed the date of", "anunció la
    fecha", "nennt den Termin", "announces X's release date"), or a participle after one
    ("X release date announced")."""
    if cue.tense == "":
        return False
    lowered = ctx.lowered
    after = [c for c in reading.cues if c.start >= cue.end]
    if after and after[0].kind == SCHEDULE:
        gap_end = after[0].start
        names = [e for e in reading.entities if cue.end <= e.start and e.end <= gap_end]
        start = cue.end
        if names and _ARTICLE.fullmatch(lowered, cue.end, names[0].start):
            start = names[-1].end  # "announces [the] X [']s release date"
        if _ARTICLE.fullmatch(lowered, start, gap_end) or _POSSESSIVE.fullmatch(
            lowered, start, gap_end
        ):
            return True
    before = [c for c in reading.cues if c.end <= cue.start]
    if cue.tense != "past" or not before or before[-1].kind != SCHEDULE:
        return False
    start = before[-1].end
    names = [e for e in reading.entities if start <= e.start and e.end <= cue.start]
    if names and _OF.fullmatch(lowered, start, names[0].start):
        start = names[-1].end  # "la date de sortie d'X a été dévoilée"
    return bool(_PARTICIPLE_GAP.fullmatch(lowered, start, cue.start))


# "the release date of X", "la date de sortie d'X"
_OF = re.compile(
    r"\s*(?:of|for|de|d'|d’|du|del|della|di|dos|da|do|von|des)\s*(?:the\s+|la\s+|le\s+)?"
)
# "X's release date", "X' release date"
_POSSESSIVE = re.compile(r"['’]s?\s+")
# "release date [is|has been] [officially] announced", "date de sortie officiellement annoncée"
_PARTICIPLE_GAP = re.compile(
    r"\s+(?:(?:is|was|has been|have been|finally|officially|now|est|a été|enfin|"
    r"officiellement)\s+)*"
)


def byline(ctx: Context, reading: Reading, cue: Hit, opening: int) -> bool:
    """A release word opening a line or sentence, a date right after it: the article's own
    byline ("Publicado el 04/08/2025 por ...")."""
    start = max(opening, ctx.lowered.rfind("\n", 0, cue.start) + 1)
    if ctx.lowered[start : cue.start].strip():
        return False
    return any(
        0 <= d.start - cue.end <= 8 and BYLINE_WORDS.fullmatch(ctx.lowered, cue.start, d.start)
        for d in reading.dates
    )


# Pictures of a thing: when they appear before its launch, they are a leak.
_PICTURES = re.compile(
    r"(?<![\w-])(?:images|photos|pictures|renders|screenshots|bilder|fotos|renderings|"
    r"immagini|foto|imágenes|imagens|capturas)(?![\w-])"
)


_APPEARING = re.compile(
    r"(?:has |have )?(?:appeared|emerged|surfaced|popped up|showed up|shown up|turned up|"
    r"apparue?s?|aparec\w*|appars[aoie]|apparso|aufgetaucht|tauchte|tauchten|erschien\w*|"
    r"emers[aoie]|surgi\w*|circul\w*)"
)


def pictures_before(ctx: Context, clause: tuple[int, int], cue: Hit) -> bool:
    """Pictures in the subject of a verb of appearing ("Bilder des X sind aufgetaucht")."""
    return bool(
        _APPEARING.fullmatch(ctx.lowered, cue.start, cue.end)
        and _PICTURES.search(ctx.lowered, clause[0], cue.start)
    )


def rumor_before(reading: Reading, clause: tuple[int, int], cue: Hit) -> bool:
    """A rumor or leak word in the subject of a verb of appearing."""
    return any(c.kind == RUMOR and clause[0] <= c.start < cue.start for c in reading.cues)


def describes(ctx: Context, clause: tuple[int, int], cue: Hit) -> bool:
    """Whether the release or development word only describes the thing ("the largest
    model deployed", "is a language model developed by")."""
    start = max(clause[0], cue.start - 90)
    return bool(DESCRIBED.search(ctx.lowered, start, cue.start))
