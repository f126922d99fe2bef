"""Recently seen items per feed, in memory: a re-poll of known items skips matching and the
database.

Most polls return items the store already has. Each feed keeps the keys and content
fingerprints of its last :data:`PER_FEED` items in an LRU; an item whose key or fingerprint is
there is known and dropped before matching. The store stays the authority: a miss (a restart,
an evicted key) only costs the slower path, which dedupes in the database.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence

from monitor.model import Item, fingerprint

PER_FEED = 2000  # keys kept per feed: a few polls' worth of the largest feeds
MAX_FEEDS = 5000  # feeds kept, least recently polled dropped first


class RecentKeys:
    """Per feed, an LRU of item keys and fingerprints. Not thread-safe: one event loop uses it."""

    def __init__(self, per_feed: int = PER_FEED, max_feeds: int = MAX_FEEDS) -> None:
        self.per_feed = per_feed
        self.max_feeds = max_feeds
        self._feeds: OrderedDict[int, OrderedDict[str, None]] = OrderedDict()

    def unseen(self, feed_id: int, items: Sequence[Item]) -> list[Item]:
        """The items not seen lately in this feed, in their order."""
        seen = self._feeds.get(feed_id)
        if not seen:
            return list(items)
        fresh = []
        for item in items:
            key = f"k:{item.key}"
            if key in seen:
                seen.move_to_end(key)
                continue
            content = f"f:{fingerprint(item)}"
            if content in seen:
                seen.move_to_end(content)
                continue
            fresh.append(item)
        return fresh

    def remember(
        self, feed_id: int, items: Iterable[Item], prints: Mapping[str, str] | None = None
    ) -> None:
        """Record items the store now has (call after their transaction committed).

        ``prints``: the items' fingerprints by key, when the caller has them already
        (computed off the event loop); the others are computed here."""
        seen = self._feeds.get(feed_id)
        if seen is None:
            seen = self._feeds[feed_id] = OrderedDict()
            while len(self._feeds) > self.max_feeds:
                self._feeds.popitem(last=False)
        else:
            self._feeds.move_to_end(feed_id)
        for item in items:
            seen[f"k:{item.key}"] = None
            known = prints.get(item.key) if prints else None
            seen[f"f:{known or fingerprint(item)}"] = None
        while len(seen) > 2 * self.per_feed:
            seen.popitem(last=False)

    def forget(self, feed_id: int) -> None:
        self._feeds.pop(feed_id, None)
