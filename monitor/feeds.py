"""Which feeds to poll: the configured ones, then each watch's own feeds and search feeds.

Configured feeds come first, then each watch's own feeds and search feeds, each URL once;
a reload rebuilds the list. The store keeps a row per ``FeedSpec`` (``Store.sync_feeds``).
"""

from __future__ import annotations

from monitor.config.templates import DEFAULT_SEARCH_TEMPLATES
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
