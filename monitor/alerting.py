"""Alert decisions: whether a classified item raises an alert, and what changed.

Rules, in this order (SPEC "Alerts"):
1. The watch must alert on the item's signal (``alert_on``, default released, dated, rumor).
2. The first qualifying item of a story raises the story's alert for that watch.
3. A later item on the same story alerts again only when the signal escalates
   (mention → rumor → dated → released) or a date appears that the story has not claimed
   before; the alert then says what changed ("date moved from 2025-06 to 2025-08-07").
4. Anything else joins the story silently (it shows up as one more source).

``change_key`` names the state an alert announces; the store's unique constraint on
(watch, story, change_key) makes a second alert for the same change impossible, even when
two instances process the story at once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from monitor.model import Classification, Signal


@dataclass(frozen=True)
class Prior:
    """What an earlier alert of the same (watch, story) announced."""

    signal: Signal
    dates: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    change_key: str
    change: str | None  # None for the story's first alert


def change_key(c: Classification) -> str:
    return f"{c.signal.value}|{','.join(sorted(c.dates))}"


def decide(
    watch: str, c: Classification, alert_on: Collection[Signal], prior: Sequence[Prior]
) -> Decision | None:
    """The alert this classification raises given the story's earlier alerts, or None."""
    if c.signal not in alert_on:
        return None
    if not prior:
        return Decision(change_key(c), None)
    best = max(p.signal.rank for p in prior)
    known = {d for p in prior for d in p.dates}
    new_dates = [d for d in c.dates if d not in known]
    changes = []
    if c.signal.rank > best:
        was = max(prior, key=lambda p: p.signal.rank).signal
        changes.append(f"{describe_signal(was)} → {describe_signal(c.signal)}")
    if new_dates:
        last = next((p.dates for p in reversed(prior) if p.dates), ())
        if last:
            changes.append(f"date moved from {', '.join(last)} to {', '.join(new_dates)}")
        else:
            changes.append(f"new date {', '.join(new_dates)}")
    if not changes:
        return None
    return Decision(change_key(c), f"{watch}: {'; '.join(changes)}")


class StoryPriors:
    """What each (watch, story) has alerted so far in a pass over stored items, oldest
    first (``monitor replay``, the dashboard's preview): weighed as the daemon weighs a new
    item against the alerts its story already has, so a story told by ten feeds alerts once."""

    def __init__(self) -> None:
        self._priors: dict[tuple[str, int], list[Prior]] = {}

    def decide(
        self, watch: str, c: Classification, alert_on: Collection[Signal], story: int
    ) -> Decision | None:
        """``decide`` against the story's earlier alerts in this pass, recording this one;
        ``story``: the story id (an item with none is its own story: pass ``-item_id``)."""
        prior = self._priors.setdefault((watch, story), [])
        decision = decide(watch, c, alert_on, prior)
        if decision is not None:
            prior.append(Prior(c.signal, c.dates))
        return decision


def describe_signal(signal: Signal) -> str:
    return {
        Signal.RELEASED: "released",
        Signal.DATED: "dated",
        Signal.RUMOR: "rumor",
        Signal.MENTION: "mention",
    }[signal]


def headline(
    watch: str, signal: Signal, rumored: bool, dates: Sequence[str], official: bool
) -> str:
    """One line that says the news: "MAI-1: rumored date 2024-05-16"."""
    certainty = "confirmed" if official else ("rumored" if rumored else "")
    when = ", ".join(dates)
    if signal is Signal.RELEASED:
        words = "released" if not certainty or official else "reportedly released"
        return f"{watch}: {words}{' ' + when if when else ''}"
    if signal is Signal.DATED:
        return f"{watch}: {certainty + ' ' if certainty else ''}date {when}".replace("  ", " ")
    if signal is Signal.RUMOR:
        return f"{watch}: rumor"
    return f"{watch}: mentioned"
