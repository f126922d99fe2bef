"""Plain data that crosses stages: feeds, items, matches, signals, classifications.

Stages exchange these frozen dataclasses and nothing else, so each stage can be
tested alone with hand-made values.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Signal(StrEnum):
    """What an item says about a watched thing, weakest first (see SPEC "Signals")."""

    MENTION = "mention"
    RUMOR = "rumor"
    DATED = "dated"
    RELEASED = "released"

    @property
    def rank(self) -> int:
        """Escalation order: mention < rumor < dated < released."""
        return _SIGNAL_RANK[self]


_SIGNAL_RANK = {Signal.MENTION: 0, Signal.RUMOR: 1, Signal.DATED: 2, Signal.RELEASED: 3}


@dataclass(frozen=True)
class FeedSpec:
    """A feed to poll, as the config or a watch names it: the row the store keeps for it.

    ``interval`` is in seconds (None: the default interval); ``official`` marks the vendor's
    own newsroom, whose releases and dates are confirmed.
    """

    url: str
    name: str | None = None
    interval: float | None = None
    official: bool = False


@dataclass(frozen=True)
class Item:
    """One feed entry as parsed, before matching.

    ``summary`` and ``content`` may hold HTML; ``key`` is the item's identity within its
    feed (guid, else link, else a hash of title and summary).
    """

    key: str
    title: str
    link: str | None = None
    guid: str | None = None
    summary: str = ""
    content: str = ""
    published: datetime | None = None
    language: str | None = None


def fingerprint(item: Item) -> str:
    """Content identity: catches feeds whose guids change on every fetch."""
    text = f"{item.title.strip().casefold()}\n{item.summary.strip().casefold()}"
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Match:
    """A watch term found in an item's normalised text.

    ``term`` is the watch term or alias that hit, as written in the watchlist; ``start`` and
    ``end`` index the normalised document text (title first) the matcher searched.
    """

    watch: str
    term: str
    start: int
    end: int

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


@dataclass(frozen=True)
class Classification:
    """The strongest signal an item carries for one watch, with the text that decided it.

    ``dates`` are ISO 8601 forms as SPEC lists them (2024-05-16, 2024-05, 2024-W21,
    2024-05-21/2024-05-23, 2025-Q3, 2025-summer ...).
    """

    signal: Signal
    rumored: bool = False
    dates: tuple[str, ...] = ()
    evidence: str = ""
