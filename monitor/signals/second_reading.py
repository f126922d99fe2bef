"""The second reading: what the clause rules' verdict on a watch misses, read per item.

The rules (``decide``) tie each cue to a name inside its clause. Where they find nothing
but a mention, or a release with no date, the item as a whole may still say more. In order:

0. A date whose every value is over before the item was published dates nothing: it is a
   missed or recounted schedule ("promised it would launch by the end of 2024", read in
   2025), a rumor when hedged, else a mention.

1. A date still to come beside the name dates the watch: in a sentence naming it, with a
   release, event, schedule or development word (not what it will have), nearer the watch
   than any other name, the watch not after a preposition ("arrives on X", "powered by
   X"), not negated (issue #16: dates after a colon, "in one to two weeks", a weak release
   cue outranking the date).
2. An item about the watch (named in its title, or its only watch) that reports or hedges
   about it is a rumor: a rumor or leak word, a second-hand source, or a hedge beside a
   word of its development or schedule, near the name with no other name between, not
   negated or denied in its passage; a source closing the headline ("...: report")
   covers the headline.

Both read the cues of the lexicon, the lemma tables' included, so they hold in every
language the tables cover.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from monitor.model import Classification, Signal
from monitor.signals.attribution import not_release_date
from monitor.signals.date_values import date_relation, date_span, every_date, narrowest
from monitor.signals.decide import clean
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

_RUMOR_KINDS = {RUMOR, HEDGE, SOURCE}
_DENYING = {NEGATION, DENIAL}
_TIMED = {RELEASE, EVENT, SCHEDULE, DEVELOP, UPCOMING}  # what a nearby date must come with
_MAKING = {DEVELOP, SCHEDULE, UPCOMING}  # what a bare hedge must be about
_CLOSING = (":", ",", "-", "—", "–", "|")  # what opens a headline's closing attribution
_NEAR_CHARS = 70  # a hedge or a report word this close to the name is about it


@dataclass(frozen=True)
class WatchReading:
    """The clause rules' verdict on one watch, and what the item holds to read it again."""

    watch: str
    rule: Classification
    ctx: Context
    original: str
    found: Sequence[Verdict]

    def decided(self) -> Classification:
        """The rules' verdict, or what the module's rules 1 and 2 read in its place."""
        rule, ctx = self.rule, self.ctx
        if rule.signal is Signal.DATED and self._gone_by(rule.dates):
            # "promised it would launch by the end of 2024", read in 2025: a date gone by
            # is a missed or recounted schedule, not a date for the release
            signal = Signal.RUMOR if rule.rumored else Signal.MENTION
            rule = Classification(signal, rule.rumored, (), rule.evidence)
        if rule.signal is Signal.RUMOR and not rule.dates and self._rumor_ended():
            # "rumors intensified ... the company put an end to the speculation"
            rule = Classification(Signal.MENTION, False, (), rule.evidence)
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

    def _rumor_ended(self) -> bool:
        """Whether every rumor about the watch is denied in its sentence, after it, or in
        the next sentence (a denial before it is read by the clause rules)."""
        ctx = self.ctx
        rumors = [v for v in self.found if v.signal is Signal.RUMOR]
        if not rumors:
            return False
        denials = [h.start for h in ctx.hits if h.kind == DENIAL]
        for verdict in rumors:
            at = verdict.evidence_span()[0]
            index = sentence_of(ctx.sentences, at)
            if index is None:
                return False
            stop = ctx.sentences[min(index + 1, len(ctx.sentences) - 1)].end
            if not any(at <= d < stop for d in denials):
                return False
        return True

    def _gone_by(self, dates: Sequence[str]) -> bool:
        """Whether every date is over before the item was published."""
        ctx = self.ctx
        return ctx.known_reference and every_date(dates, ctx.reference, "recent", "old")

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
        sentences = list(indexes)
        if ctx.single_watch == self.watch:
            # "Meta is set to launch Llama 3. The new model, which is expected in July, ...":
            # a word standing for the only watch, in a sentence of its passages, is its name
            passages = {ctx.sentences[i].passage for i in indexes}
            for at, _end in ctx.stand_ins:
                index = sentence_of(ctx.sentences, at)
                if (
                    index is not None
                    and index not in indexes
                    and ctx.sentences[index].passage in passages
                ):
                    names.append(at)
                    if index not in sentences:
                        sentences.append(index)
        for index in sentences:
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
            others += [m.start for m in ctx.mentions.get(index, ()) if m.watch != self.watch]
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
