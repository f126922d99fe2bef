"""What to watch, as loaded: terms, context, watches and the watchlists they come in."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from monitor.model import Signal

DEFAULT_ALERT_ON = frozenset({Signal.RELEASED, Signal.DATED, Signal.RUMOR})
DEFAULT_CONTEXT_WITHIN = 5


@dataclass(frozen=True)
class Term:
    """A term, alias, exclude phrase or context word as written in the watchlist."""

    text: str
    regex: bool = False


@dataclass(frozen=True)
class Context:
    """Words of which one must occur near a hit, at most ``within`` words away."""

    words: tuple[Term, ...]
    within: int = DEFAULT_CONTEXT_WITHIN


@dataclass(frozen=True)
class Watch:
    """One watched thing. Equality ignores where it was written (``path``, ``line``)."""

    name: str
    terms: tuple[Term, ...]
    aliases: tuple[Term, ...] = ()
    case_sensitive: bool = False
    exclude: tuple[Term, ...] = ()
    context: Context | None = None
    languages: tuple[str, ...] | None = None
    alert_on: frozenset[Signal] = DEFAULT_ALERT_ON
    targets: tuple[str, ...] | None = None
    feeds: tuple[str, ...] = ()
    search: tuple[str, ...] = ()
    path: Path = field(default=Path(), compare=False)
    line: int = field(default=0, compare=False)

    @property
    def all_terms(self) -> tuple[Term, ...]:
        """Terms, then aliases: everything that makes a hit."""
        return self.terms + self.aliases

    def wants_language(self, language: str | None) -> bool:
        """Whether an item in ``language`` (None: unknown) is matched against this watch."""
        if self.languages is None or not language:
            return True
        primary = language.strip().lower().replace("_", "-").split("-", 1)[0]
        return primary in self.languages or language.strip().lower() in self.languages


class WatchlistDiff(NamedTuple):
    """Watch names added, removed and changed between two loads (for the reload log)."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]


@dataclass(frozen=True)
class Watchlists:
    """Every watch of a set of watchlist paths, in file order then order in the file."""

    watches: tuple[Watch, ...] = ()
    paths: tuple[Path, ...] = ()  # as given: files or folders (what to watch for edits)
    files: tuple[Path, ...] = ()  # the files read

    def __iter__(self) -> Iterator[Watch]:
        return iter(self.watches)

    def __len__(self) -> int:
        return len(self.watches)

    def get(self, name: str) -> Watch | None:
        """The watch called ``name``, if any."""
        return next((w for w in self.watches if w.name == name), None)

    def diff(self, other: Watchlists) -> WatchlistDiff:
        """Compare these (old) watchlists with ``other`` (new): ``old.diff(new)``."""
        old = {w.name: w for w in self.watches}
        new = {w.name: w for w in other.watches}
        return WatchlistDiff(
            added=tuple(sorted(new.keys() - old.keys())),
            removed=tuple(sorted(old.keys() - new.keys())),
            changed=tuple(sorted(n for n in old.keys() & new.keys() if old[n] != new[n])),
        )
