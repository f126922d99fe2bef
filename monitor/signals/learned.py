"""The learned layer: a linear model over the features of ``features`` picks the signal.

The rules find cues, dates and evidence; the model weighs them with what the rules do not
read (lemmas in six languages, tense, where the name stands, how old the dates are) and
decides the signal per watch. It was trained on the labelled development items (the tuned
part only; ``benchmarks/train_signals.py``) and ships as data, ``weights.json``: one weight
per feature and signal, scored with a dot product (microseconds).

Then, in this order:

1. ``dated`` needs a date: the rules' dates for the watch, else a date still to come (or
   under way) in a sentence naming it; with none, the model's next best signal is taken.
2. ``released`` keeps the rules' dates that are not to come; ``mention`` keeps a past date
   (a release told as background keeps its date, SPEC); ``rumor`` has none.
3. ``rumored`` is the rules' reading when they agree on the signal; otherwise a hedge, a
   rumor word or a second-hand source in a sentence naming the watch.
4. The evidence is the sentence of the rules' verdict of that signal, else the first
   sentence naming the watch that holds a cue of that kind, else the first naming it.

Without ``weights.json`` the rules' verdict stands.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from monitor.model import Classification, Signal
from monitor.signals.attribution import not_release_date
from monitor.signals.decide import clean, date_span, narrowest
from monitor.signals.features import date_relation, watch_features, words_with_kinds
from monitor.signals.lexicon import (
    DENIAL,
    DEVELOP,
    EVENT,
    FEATURE,
    HEDGE,
    NEGATION,
    NOT_NEGATION,
    RELEASE,
    RUMOR,
    SCHEDULE,
    SOURCE,
    UPCOMING,
    Hit,
)
from monitor.signals.patterns import OBLIQUE
from monitor.signals.reading import Context, Verdict
from monitor.signals.sentences import sentence_of

WEIGHTS = Path(__file__).resolve().parent / "weights.json"
CLASSES = (Signal.RELEASED, Signal.DATED, Signal.RUMOR, Signal.MENTION)
_EVIDENCE_KINDS = {
    Signal.RELEASED: {"release", "event", "announce", "now"},
    Signal.DATED: {"schedule", "release", "event", "future"},
    Signal.RUMOR: {"rumor", "hedge", "source", "develop"},
}
_HEDGING = {"hedge", "rumor", "source"}
_RUMOR_KINDS = {RUMOR, HEDGE, SOURCE}
_DENYING = {NEGATION, DENIAL}
_TIMED = {RELEASE, EVENT, SCHEDULE, DEVELOP, UPCOMING}  # what a nearby date must come with
_MAKING = {DEVELOP, SCHEDULE, UPCOMING}  # what a bare hedge must be about
_CLOSING = (":", ",", "-", "—", "–", "|")  # what opens a headline's closing attribution
_NEAR_CHARS = 70  # a hedge or a report word this close to the name is about it


@dataclass(frozen=True)
class Model:
    classes: tuple[Signal, ...]
    weights: Mapping[str, Sequence[float]]

    def scores(self, features: Mapping[str, float]) -> list[float]:
        totals = [0.0] * len(self.classes)
        for name, value in features.items():
            row = self.weights.get(name)
            if row is None or not value:
                continue
            for i, w in enumerate(row):
                totals[i] += w * value
        return totals

    def ranked(self, features: Mapping[str, float]) -> list[tuple[Signal, float]]:
        """Signals from the most to the least likely, with their probabilities."""
        scores = self.scores(features)
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        total = sum(exp)
        pairs = [(c, e / total) for c, e in zip(self.classes, exp, strict=True)]
        return sorted(pairs, key=lambda p: -p[1])


@cache
def model() -> Model | None:
    if not WEIGHTS.is_file():
        return None
    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    return Model(tuple(Signal(c) for c in data["classes"]), data["weights"])


@dataclass(frozen=True)
class WatchReading:
    """The rules' verdict on one watch and the features the model weighs."""

    watch: str
    lang: str
    rule: Classification
    features: Mapping[str, float]
    ctx: Context
    original: str
    found: Sequence[Verdict]

    def decided(self) -> Classification:
        m = model()
        if m is None:
            return self.second_reading()
        for signal, _p in m.ranked(self.features):
            decided = self._as(signal)
            if decided is not None:
                return decided
        return self.rule

    def second_reading(self) -> Classification:
        """The rules' verdict, or a rumor where they found only a mention but the item is
        about the watch (named in its title, or the only watch) and hedges or reports it:
        a rumor or leak word, a hedge or a second-hand source in the title or a sentence
        naming the watch, not negated there ("iPhone 17 Air to be thinner: report",
        "des rumeurs suggèrent...", "GTA 6 dürfte ... Gerücht"). A bare hedge counts only
        beside a word of its making (development, schedule); a source closing
        the headline ("...: report") covers the whole headline."""
        rule, ctx = self.rule, self.ctx
        if rule.signal in (Signal.MENTION, Signal.RUMOR) or (
            rule.signal is Signal.RELEASED and not rule.dates
        ):
            dated = self._nearby_dates()
            if dated is not None:
                return dated
        if rule.signal is not Signal.MENTION:
            return rule
        indexes = self._sentences()
        about = 0 in indexes or ctx.single_watch == self.watch
        if not about:
            return rule
        names = [m.start for i in indexes for m in ctx.mentions[i] if m.watch == self.watch]
        passage = {n for i in indexes for n in (i - 1, i, i + 1)}
        if any(
            h.kind == DENIAL and sentence_of(ctx.sentences, h.start) in passage for h in ctx.hits
        ):
            return rule  # "... a réfuté ces fuites": the rumor is denied
        if not ctx.sentences:
            return rule
        title_end = ctx.sentences[0].end
        for index in sorted({0, *indexes}):
            s = ctx.sentences[index]
            hits = [h for h in ctx.hits if s.start <= h.start < s.end]
            if self._denied(hits):
                continue
            others = [
                e.start for e in ctx.others.get(index, ()) if e.watch is None and not e.anaphor
            ]
            making = any(h.kind in _MAKING for h in hits)
            for hit in hits:
                # "...: report", "..., sources say" closing a headline covers all of it
                closing = (
                    index == 0
                    and hit.kind in (SOURCE, HEDGE)
                    and hit.end >= title_end - 12
                    and ctx.text[max(0, hit.start - 3) : hit.start].rstrip().endswith(_CLOSING)
                )
                if hit.kind == HEDGE and not making and not closing:
                    continue  # "GPT-5 could kill Search": a guess at its effect, no rumor
                if hit.kind in _RUMOR_KINDS and (closing or self._near(hit.start, names, others)):
                    span = (s.start, s.end)
                    return Classification(Signal.RUMOR, True, (), clean(self.original, span))
        return rule

    def _denied(self, hits: Sequence[Hit]) -> bool:
        """A negation or denial among ``hits``, not one inside "not confirmed"."""
        kept = [(h.start, h.end) for h in hits if h.kind in (SOURCE, NOT_NEGATION)]
        return any(h.kind in _DENYING and not any(a <= h.start < b for a, b in kept) for h in hits)

    def _nearby_dates(self) -> Classification | None:
        """Dated where the clause rules tied no date: a date still to come next to
        the watch's name, in a sentence naming it that holds a release, event, schedule or
        development word, with no other name between, not negated, not a dateline or a
        price ("Grok 3 ... will be launched in one to two weeks", "GTA 6, 26 mai 2026")."""
        ctx = self.ctx
        if not ctx.known_reference:
            return None
        indexes = self._sentences()
        names = [
            m.start
            for i in indexes
            for m in ctx.mentions[i]
            if m.watch == self.watch
            and not OBLIQUE.search(ctx.lowered, max(0, m.start - 12), m.start)
        ]
        for index in indexes:
            s = ctx.sentences[index]
            hits = [h for h in ctx.hits if s.start <= h.start < s.end]
            having = [(h.start, h.end) for h in hits if h.kind == FEATURE]
            timed = [  # "to get a price hike in April": what it will have, not its date
                h for h in hits if h.kind in _TIMED and not any(a <= h.start < b for a, b in having)
            ]
            if not timed or self._denied(hits):
                continue
            others = [
                e.start for e in ctx.others.get(index, ()) if e.watch is None and not e.anaphor
            ]
            others += [m.start for m in ctx.mentions[index] if m.watch != self.watch]
            values = []
            for d in ctx.dates:
                if not s.start <= d.start < s.end or not_release_date(ctx, d, s.start):
                    continue
                if date_relation(*date_span(d.value), ctx.reference) != "future":
                    continue
                nearest = min((*names, *others), key=lambda at: abs(at - d.start), default=None)
                if nearest in names and self._near(d.start, names, others):
                    values.append(d.value)
            if values:
                rumored = (
                    self.rule.rumored or ctx.sourced or any(h.kind in _RUMOR_KINDS for h in hits)
                )
                span = (s.start, s.end)
                return Classification(
                    Signal.DATED, rumored, narrowest(tuple(values)), clean(self.original, span)
                )
        return None

    @staticmethod
    def _near(at: int, names: Sequence[int], others: Sequence[int]) -> bool:
        """Whether a cue at ``at`` is next to the watch's name, with no other name between."""
        for name in names:
            low, high = min(at, name), max(at, name)
            if high - low <= _NEAR_CHARS and not any(low < o < high for o in others):
                return True
        return False

    def _sentences(self) -> list[int]:
        return sorted(
            i for i, hits in self.ctx.mentions.items() if any(h.watch == self.watch for h in hits)
        )

    def _dates(self, wanted: set[str]) -> tuple[str, ...]:
        ctx = self.ctx
        spans = [ctx.sentences[i] for i in self._sentences()]
        values = []
        for d in ctx.dates:
            if not any(s.start <= d.start < s.end for s in spans):
                continue
            first, last = date_span(d.value)
            if date_relation(first, last, ctx.reference) in wanted:
                values.append(d.value)
        return narrowest(tuple(dict.fromkeys(values)))

    def _rule_dates(self, wanted: set[str]) -> tuple[str, ...]:
        ref = self.ctx.reference
        return tuple(d for d in self.rule.dates if date_relation(*date_span(d), ref) in wanted)

    def _evidence(self, signal: Signal) -> str:
        for verdict in self.found:
            if verdict.signal is signal:
                return clean(self.original, verdict.evidence_span())
        ctx, kinds = self.ctx, _EVIDENCE_KINDS.get(signal, set())
        sentences = self._sentences()
        lang = self.lang
        for i in sentences:
            s = ctx.sentences[i]
            if any(
                k & kinds for _at, _w, k, _t in words_with_kinds(ctx.lowered, s.start, s.end, lang)
            ):
                return clean(self.original, (s.start, s.end))
        if sentences:
            s = ctx.sentences[sentences[0]]
            return clean(self.original, (s.start, s.end))
        return self.rule.evidence

    def _hedged(self) -> bool:
        return any(self.features.get(f"{scope}:{k}") for scope in ("t", "s") for k in _HEDGING)

    def _as(self, signal: Signal) -> Classification | None:
        """The classification for ``signal``, or None when the item cannot support it."""
        rule = self.rule
        if signal is rule.signal:
            return rule
        rumored = self._hedged()
        if signal is Signal.DATED:
            dates = self._rule_dates({"future", "current"}) or self._dates({"future", "current"})
            if not dates:
                return None
            return Classification(signal, rumored, dates, self._evidence(signal))
        if signal is Signal.RELEASED:
            dates = self._rule_dates({"current", "recent", "old"})
            return Classification(signal, rumored and rule.rumored, dates, self._evidence(signal))
        if signal is Signal.RUMOR:
            return Classification(signal, True, (), self._evidence(signal))
        dates = self._rule_dates({"recent", "old"}) or self._dates({"old"})
        return Classification(Signal.MENTION, False, dates, self._evidence(signal))


def reading_features(
    ctx: Context, lang: str, watch: str, rule: Classification, found: Sequence[Verdict]
) -> dict[str, float]:
    """The features of one watch in a read item (``features.watch_features``)."""
    indexes = sorted(i for i, hits in ctx.mentions.items() if any(h.watch == watch for h in hits))
    spans = [(ctx.sentences[i].start, ctx.sentences[i].end) for i in indexes]
    matches = [h for i in indexes for h in ctx.mentions[i] if h.watch == watch]
    title_end = ctx.sentences[0].end if ctx.sentences else 0
    dates = []
    for d in ctx.dates:
        if any(a <= d.start < b for a, b in spans):
            first, last = date_span(d.value)
            if first != date.min:
                dates.append((d, first, last))
    signals = {v.signal for v in found}
    names = [f"rule:{rule.signal.value}"]
    names += [f"found:{s.value}" for s in signals]
    if rule.rumored:
        names.append("rule:rumored")
    if ctx.sourced:
        names.append("sourced")
    for value in rule.dates:
        names.append(f"rule:date:{date_relation(*date_span(value), ctx.reference)}")
    if any(v.announced for v in found):
        names.append("rule:announced")
    if any(v.secondary for v in found):
        names.append("rule:secondary")
    features = watch_features(
        lowered=ctx.lowered,
        lang=lang,
        title_end=title_end,
        sentences=spans,
        matches=matches,
        dates=dates,
        reference=ctx.reference if ctx.known_reference else None,
        rule=names,
    )
    return features
