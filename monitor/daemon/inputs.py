"""When the daemon's inputs changed, and whether its targets can be used: the watchlist
files' signature, and the targets' check.

A target URL that Apprise cannot read stops start-up or a reload (the README promises a
wrong value stops the program).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from monitor.delivery.notifier import Notifier
from monitor.errors import ConfigError


def watchlist_signature(paths: Sequence[Path]) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime, size) of every watchlist file: cheap to compute, changes on any edit."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(x for x in p.iterdir() if x.suffix in (".yaml", ".yml"))
        elif p.exists():
            files.append(p)
    sig = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        sig.append((str(f), st.st_mtime_ns, st.st_size))
    return tuple(sig)


def check_targets(notifier: Notifier) -> None:
    """A target URL Apprise cannot read stops start-up (or a reload), as documented."""
    problems = notifier.validate()
    if problems:
        raise ConfigError("\n".join(f"[targets] {p}" for p in problems))
