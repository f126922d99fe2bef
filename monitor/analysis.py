"""The decision per watch that ``run``, ``scan`` and ``replay`` share (SPEC "scan --json").

``analyse`` is pure: an item and the watchlists in force in, one ``WatchDecision`` per
matched watch out. Rules, in this order:

1. The item's text is matched against every watch (``monitor.matcher``).
2. Each matched watch is classified (``monitor.signals``): signal, rumored, dates and the
   evidence sentence with its cue.
3. An official feed (the vendor's own newsroom) confirms its releases and dates.
4. The watch alerts when its signal is in its ``alert_on`` and the item is not older than
   ``max_age`` (the daemon's ``[alerts] max_age``; ``scan`` reads content, so passes none).
   ``why`` says so in a few words: "dated 2024-05-16 (rumored)", "mention only",
   "signal not in alert_on", "older than max_age".

What the story already alerted (SPEC "Alerts") is the store's to know: the daemon and
``replay`` weigh a decision against it with ``monitor.alerting.decide``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.matcher import Matcher
from monitor.model import Classification, Item, Match, Signal
from monitor.normalize import document_text
from monitor.watchlist import Watch, Watchlists, load_watchlists

if TYPE_CHECKING:
    from monitor.prepare import Prepared
    from monitor.settings import Settings
    from monitor.stories import Signature


@dataclass(frozen=True)
class Rules:
    """The watchlists in force, compiled; replaced whole on reload."""

    watchlists: Watchlists
    matcher: Matcher
    targets: tuple[str, ...]

    @classmethod
    def build(cls, watchlists: Watchlists, targets: Sequence[str]) -> Rules:
        return cls(watchlists, Matcher(watchlists.watches), tuple(targets))

    @classmethod
    def load(
        cls, settings: Settings, paths: Sequence[Path] | None = None, *, check_targets: bool = True
    ) -> Rules:
        """Load and check the watchlists (raises WatchlistError listing every problem)."""
        watchlists = load_watchlists(
            settings.watchlist_paths if paths is None else paths,
            known_targets=settings.target_names() if check_targets else None,
            known_searches=settings.search_names(),
        )
        return cls.build(watchlists, settings.target_names())

    @property
    def watches(self) -> Mapping[str, Watch]:
        return {w.name: w for w in self.watchlists.watches}

    def targets_for(self, watch: Watch) -> tuple[str, ...]:
        if watch.targets is None:
            return self.targets
        return tuple(t for t in watch.targets if t in self.targets)


@dataclass(frozen=True)
class WatchDecision:
    """What an item says about one watch, and whether that alerts (before story history)."""

    watch: str
    match: Match  # the watch's first hit in the text
    signal: Signal
    rumored: bool
    dates: tuple[str, ...]
    evidence: str
    alert: bool
    why: str

    @property
    def classification(self) -> Classification:
        return Classification(self.signal, self.rumored, self.dates, self.evidence)

    def as_json(self) -> dict[str, object]:
        return {
            "watch": self.watch,
            "signal": self.signal.value,
            "rumored": self.rumored,
            "dates": list(self.dates),
            "evidence": self.evidence,
            "alert": self.alert,
            "why": self.why,
        }


@dataclass(frozen=True)
class Analysis:
    """One item matched and decided, watch by watch in the order they first appear."""

    item: Item
    text: str
    matches: tuple[Match, ...]
    decisions: tuple[WatchDecision, ...] = ()
    signature: Signature | None = None  # made with the text, when a parser worker made it

    def first_matches(self) -> list[Match]:
        """The first hit of each watch, in the order the watches first appear."""
        return [d.match for d in self.decisions]

    def strongest(self) -> WatchDecision | None:
        """The decision with the highest signal; among equals, one that alerts, has dates."""
        if not self.decisions:
            return None
        return max(self.decisions, key=lambda d: (d.signal.rank, d.alert, bool(d.dates)))

    def alerting(self) -> list[WatchDecision]:
        return [d for d in self.decisions if d.alert]


def describe(signal: Signal, rumored: bool, dates: Sequence[str]) -> str:
    """A few words for the signal: "dated 2024-05-16 (rumored)", "released", "mention only"."""
    if signal is Signal.MENTION:
        return "mention only"
    words = signal.value
    if dates:
        words += " " + ", ".join(dates)
    return words + (" (rumored)" if rumored else "")


def decide(
    watch: Watch,
    match: Match,
    c: Classification,
    *,
    official: bool = False,
    age: float | None = None,
    max_age: float | None = None,
) -> WatchDecision:
    """One watch's decision from its classification; ``age`` and ``max_age`` in seconds."""
    rumored = c.rumored and not (official and c.signal in (Signal.RELEASED, Signal.DATED))
    what = describe(c.signal, rumored, c.dates)
    if c.signal not in watch.alert_on:
        alert = False
        why = what if c.signal is Signal.MENTION else f"{what}: signal not in alert_on"
    elif max_age is not None and age is not None and age > max_age:
        alert, why = False, f"{what}: older than max_age"
    else:
        alert, why = True, what
    return WatchDecision(watch.name, match, c.signal, rumored, c.dates, c.evidence, alert, why)


def analyse(
    item: Item,
    rules: Rules,
    prepared: Prepared | None = None,
    *,
    official: bool = False,
    now: datetime | None = None,
    max_age: float | None = None,
) -> Analysis:
    """Match and decide ``item``; ``prepared``: its text and signature, made already.

    ``now`` and ``max_age`` (seconds) hold back alerts for old items, as the daemon does; an
    item with no date is as old as ``now`` says it was first seen (never too old).
    """
    if prepared is None:
        text, signature = document_text(item), None
    else:
        text, signature = prepared.text, prepared.signature
    matches = tuple(rules.matcher.match(text, language=item.language))
    if not matches:
        return Analysis(item, text, (), signature=signature)
    # imported on the first match: its cue tables take a tenth of a second to compile,
    # which a daemon whose feeds are unchanged never needs to pay
    from monitor import signals

    classifications = signals.classify(text, matches, item.published, item.language)
    age = None
    if now is not None and item.published is not None:
        age = (now - item.published).total_seconds()
    watches = rules.watches
    first: dict[str, Match] = {}
    for m in matches:
        first.setdefault(m.watch, m)
    decisions = tuple(
        decide(
            watches[name], match, classifications[name], official=official, age=age, max_age=max_age
        )
        for name, match in first.items()
        if name in watches and name in classifications
    )
    return Analysis(item, text, matches, decisions, signature)
