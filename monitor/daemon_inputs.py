"""What the daemon polls and when its inputs changed: the feed list built from the config
and the watchlists, the watchlist files' signature, and the targets' check.

Configured feeds come first, then each watch's own feeds and search feeds, each URL once;
a reload rebuilds the list. A target URL that Apprise cannot read stops start-up or a
reload (the README promises a wrong value stops the program).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from monitor.config_templates import DEFAULT_SEARCH_TEMPLATES
from monitor.delivery.notifier import Notifier
from monitor.errors import ConfigError
from monitor.model import FeedSpec
from monitor.settings import Settings
from monitor.watchlist import Watchlists, search_feed_urls


def feed_specs(settings: Settings, watchlists: Watchlists) -> list[FeedSpec]:
    """Configured feeds, then each watch's own feeds and search feeds, each URL once."""
    specs: dict[str, FeedSpec] = {}
    for f in settings.feeds:
        specs.setdefault(f.url, FeedSpec(f.url, f.name, f.interval, f.official))
    if not settings.watch_feeds:
        return list(specs.values())
    templates = {**DEFAULT_SEARCH_TEMPLATES, **settings.search_templates}
    for watch in watchlists.watches:
        for url in watch.feeds:
            specs.setdefault(url, FeedSpec(url, f"{watch.name} feed"))
        for url in search_feed_urls(watch, templates):
            specs.setdefault(url, FeedSpec(url, f"{watch.name} search"))
    return list(specs.values())


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
