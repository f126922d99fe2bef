"""Decide what an item says about each watch it matched: released, dated, rumor or mention.

Pure: text, matches and a publication date in, one Classification per watch out.

Rules, in the order they are applied:

1. The document (title, "\\n\\n", summary, ...) is cut into sentences; the title is its own
   sentence and an ellipsis ("...") ends a passage, as it marks omitted text. Only the
   sentences naming a watch and their neighbours are read.
2. Cue words are looked up in those sentences: release verbs and nouns, event verbs,
   schedule words, development words, cancellations, rumor nouns, hedges, negations,
   denials and "now" words, in English and French first (Spanish, German, Italian,
   Portuguese, Dutch and a few CJK words too).
3. Each cue is tied to one thing: the nearest name in its clause on the side its grammar
   points to ("launches X", "X is available"). Other product names ("GPT-6", "Kimi K2")
   take the cue away from the watch, and a watch after "than"/"unlike"/"outperform" is only
   compared with; one after "on"/"to" across another object is where that thing lands
   ("brings Fortnite to Switch 2"); one qualifying another noun ("Switch 2 accessories", "a
   GPT-6 rival") or reached through "by"/"using" ("powered by GPT-6") is not what is launched;
   "gets" reaches only its very object ("ChatGPT gets GPT-6", not "gets sued over GPT-6"), and
   an announce verb no name that starts a clause of its own ("announces X is in development"). "It", "the model" or "the conference" stand for the watch named in the
   same or the neighbouring sentence; so do "the device", "the console", "the game" (in the
   sentences next to one naming it). A relative clause between a name and its verb is
   skipped ("Switch 2, which sold out in May, arrives...").
4. A negated cue counts for nothing ("no plans to release GPT-5", "n'arrivera pas"), nor
   does one after a denial in its clause ("debunks a report that X launches in May"), nor a
   rumor denied right after ("rumor debunked"). "Won't be out until 2027" is a date.
5. The cue's tense and the dates in its clause decide the signal: past or present with no
   future date is ``released``; future, scheduled or hedged with a date is ``dated``; without
   a date it is a ``rumor``; development ("is training MAI-1") is a ``rumor``,
   ``dated`` when it dates the release ("readying X for a spring debut"); a cancellation
   ("reportedly canceled", "aurait été annulé", "stellt X ein") is a ``rumor`` when hedged or
   second-hand, and says nothing of a release when confirmed; so is what the watch will have
   ("X to get a 48MP camera, analyst claims"), said of the watch as its subject. A launch noun
   after "after", "since", "following" or "depuis" is past ("after the GPT-5 launch"). A date is the
   watch's only when it sits in the clause of a cue tied to the watch, or right next to the
   watch's name ("Build, May 7-9"), and is not a dateline, money or founding date. When the
   clause holds dates in several comma-separated stretches, the cue takes those of its own
   ("beta in June, with the release expected in September"). Delay and target verbs are
   schedule cues ("delays X to August", "targets August for X", "on track for fall 2026").
   "Announced" with only dates to come dates the watch ("... on May 26, 2026, Rockstar
   announced").
6. ``rumored`` is set by a hedge in that clause (may, reportedly, selon, pourrait...) or, for
   rumors and dates, by a second-hand source in the item ("according to").
7. Per watch, the strongest sentence wins; among equals, the one with dates, then the one
   about the launch itself rather than pre-orders, a beta, a waitlist or an announcement
   event. "Announces X" and "pre-orders for X open" give way to a launch date given for X in
   the same item. A dated verdict whose dates are a month or wider gives way to one inside
   that window that is narrower ("delays X to May 2026" + "will release on May 26, 2026"),
   and a value holding another of the same verdict is dropped ("June 2-4 this year").

8. A released verdict whose dates all lie more than two weeks before the item is a
   ``mention`` that keeps them: a recap takes an older release as given (SPEC). A release
   word inside a superlative description ("le plus grand modèle déployé par", "the fastest
   PCs ever built") releases nothing.
9. Then each watch is read again as a whole item (``second_reading``): a date still to come
   beside the name where the clause rules tied none; a rumor where they found only a
   mention in an item about the watch that reports or hedges about it.

Languages: English and French cues are written out with their clause patterns (``cues``);
Spanish, German, Italian and Portuguese ones come from per-language lemma tables
(``cue_lemmas.yaml``, every inflected form listed in ``cue_forms.json``), counted in items
of that language only (the feed's tag, else a guess from function words).

Cost: work is done only where it can matter. Cues are looked up in the sentences to read
(one pass over their words, whatever the size of the lexicon); dates, other names and
pronouns only in the sentences that can give a verdict (they name a watch, or hold a cue
and a word that may stand for one). See ``reading.scan``.

Modules: ``sentences`` (splitting), ``lexicon`` (cue kinds and the index), ``cues`` (the
word lists), ``lemmas`` and ``tables`` (the per-language tables), ``patterns`` (other
regexes), ``reading`` (what an item and a sentence hold), ``attribution`` (which watch a
cue is about, negation), ``date_values`` (what a date value covers), ``decide`` (the
verdicts), ``second_reading`` (rule 9).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from monitor.model import Classification, Match, Signal
from monitor.release_dates import fold_case
from monitor.signals.date_values import every_date, narrowest
from monitor.signals.decide import (
    clean,
    preferred,
    rank_of,
    read_sentence,
    refined,
)
from monitor.signals.lemmas import language_of
from monitor.signals.lexicon import HEDGE, MODAL, RUMOR, SOURCE
from monitor.signals.patterns import OPEN_COMPOUND, REVIEW_TITLE, TYPOGRAPHY
from monitor.signals.reading import (
    Context,
    Verdict,
    scan,
    sentence_span,
    sentences_to_read,
)
from monitor.signals.second_reading import WatchReading
from monitor.signals.sentences import sentence_of, split_sentences


def classify(
    text: str,
    matches: Sequence[Match],
    published: datetime | None,
    language: str | None = None,
) -> dict[str, Classification]:
    """One Classification per watch named in ``matches``; spans index ``text``.

    ``language``: the item's (its feed's) language tag, when known; else it is guessed.
    """
    return {
        watch: reading.decided()
        for watch, reading in read(text, matches, published, language).items()
    }


def read(
    text: str,
    matches: Sequence[Match],
    published: datetime | None,
    language: str | None = None,
) -> dict[str, WatchReading]:
    """What the clause rules make of each watch named in ``matches``, to be read again."""
    if not matches:
        return {}
    if published is None:
        reference, known = datetime.now(UTC).date(), False
    else:
        reference = (published.astimezone(UTC) if published.tzinfo else published).date()
        known = True
    original = text
    for fancy, plain in TYPOGRAPHY:
        if fancy in text:
            text = text.replace(fancy, plain)
    if "pen" in text or "PEN" in text:
        text = OPEN_COMPOUND.sub("\\1\u02bc\\2", text)  # one word: no "source", no "open"
    lowered = fold_case(text)
    sentences = split_sentences(text, [m.start for m in matches])
    mentions: dict[int, list[Match]] = {}
    for match in matches:
        index = sentence_of(sentences, match.start)
        if index is not None:
            mentions.setdefault(index, []).append(match)
    watches = list(dict.fromkeys(m.watch for m in matches))
    lang = language_of(language, lowered)
    ctx = Context(
        text,
        lowered,
        reference,
        known,
        sentences,
        mentions,
        watches[0] if len(watches) == 1 else None,
        lang,
    )
    to_read = list(sentences_to_read(ctx))
    scan(ctx, matches, known, to_read)

    verdicts: dict[str, list[Verdict]] = {}
    for index in to_read:
        for watch, verdict in read_sentence(ctx, index).items():
            verdicts.setdefault(watch, []).append(verdict)

    result: dict[str, WatchReading] = {}
    for watch in watches:
        found = verdicts.get(watch, [])
        rule = _rule_classification(ctx, original, matches, watch, found)
        result[watch] = WatchReading(watch, rule, ctx, original, found)
    return result


def _rule_classification(
    ctx: Context, original: str, matches: Sequence[Match], watch: str, found: list[Verdict]
) -> Classification:
    """The rules' verdict for one watch: the strongest sentence, refined (rule 7)."""
    best = max(found, key=rank_of, default=None)
    if best is not None and best.signal is Signal.RELEASED and (best.announced or best.secondary):
        later = [v for v in found if preferred(v, best)]
        best = max(later, key=rank_of) if later else best
    elif best is not None and best.signal is Signal.RELEASED and not best.dates:
        # an undated release reading gives way to a date still to come for the same watch
        # ("Apple unveiled the phone ... it reaches stores on September 19")
        to_come = [
            v
            for v in found
            if v.signal is Signal.DATED
            and v.dates
            and not v.secondary
            and ctx.known_reference
            and _all_to_come(ctx, v.dates)
        ]
        best = max(to_come, key=rank_of) if to_come else best
    if best is not None:
        best = refined(best, found)
    if best is None or best.signal is Signal.MENTION:
        first = min((m.start for m in matches if m.watch == watch), default=0)
        span = sentence_span(ctx, first)
        return Classification(Signal.MENTION, evidence=clean(original, span))
    rumored = any(v.rumored for v in found if v.signal is best.signal) or (
        ctx.sourced and best.signal in (Signal.RUMOR, Signal.DATED)
    )
    dates = narrowest(best.dates)
    span = best.evidence_span()
    if rumored:
        span = _with_hedge(ctx, span)
    evidence = clean(original, span)
    if best.signal is Signal.RELEASED and not dates and _a_review(ctx):
        # a review takes the release as given; one dated days after it is still its news
        return Classification(Signal.MENTION, False, dates, evidence)
    if best.signal is Signal.RELEASED and ctx.known_reference and _background(ctx, dates):
        # a release told as background keeps its date; an announcement's date is not one
        # ("Team Cherry announced Silksong in 2019")
        return Classification(Signal.MENTION, False, () if best.announced else dates, evidence)
    if (
        best.signal is Signal.RELEASED
        and best.announced
        and ctx.known_reference
        and _all_to_come(ctx, dates)
    ):
        # "announced a launch event for X on September 9", read on September 1: the release
        # word tells what was announced; the date, still to come, is the news
        return Classification(Signal.DATED, rumored, dates, evidence)
    return Classification(best.signal, rumored, dates, evidence)


_HEDGES = frozenset({HEDGE, SOURCE, RUMOR, MODAL})
_CLAUSE_END = re.compile(r"[.;!?](?:\s|$)|\n")


def _with_hedge(ctx: Context, span: tuple[int, int]) -> tuple[int, int]:
    """The evidence span widened to the hedge or source of its sentence that made it
    rumored ("..., according to people familiar with the plans", "Selon The Information,
    ..."), when the span holds none."""
    index = sentence_of(ctx.sentences, span[0])
    if index is None:
        return span
    sentence = ctx.sentences[index]
    hedges = [h for h in ctx.hits if h.kind in _HEDGES and sentence.start <= h.start < sentence.end]
    if not hedges or any(span[0] <= h.start < span[1] for h in hedges):
        return span
    before = [h for h in hedges if h.start < span[0]]
    if before:
        return (before[0].start, span[1])
    after = hedges[0]
    stop = _CLAUSE_END.search(ctx.text, after.end, sentence.end)
    return (span[0], stop.start() if stop else sentence.end)


def _a_review(ctx: Context) -> bool:
    """Whether the title names the item a review."""
    if not ctx.sentences:
        return False
    title = ctx.sentences[0]
    return bool(REVIEW_TITLE.search(ctx.lowered[title.start : title.end]))


def _all_to_come(ctx: Context, dates: Sequence[str]) -> bool:
    """Whether every date begins after the item's date."""
    return bool(dates) and every_date(dates, ctx.reference, "future")


def _background(ctx: Context, dates: Sequence[str]) -> bool:
    """A release dated weeks before the item is told as background (SPEC "Signals")."""
    return bool(dates) and every_date(dates, ctx.reference, "old")


def strongest(classifications: Mapping[str, Classification]) -> Classification | None:
    """The classification with the highest signal; among equals, one that has dates."""
    if not classifications:
        return None
    return max(classifications.values(), key=lambda c: (c.signal.rank, bool(c.dates)))
