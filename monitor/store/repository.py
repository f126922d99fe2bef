"""The Store: every read and write the daemon makes, in short transactions.

One class over one engine, put together from a part per aggregate, each in its own module:

    Repository (base) ─┬ FeedStore (feeds)          the feed list, claims, fetch state
                       ├ StoryIndexStore (story_index) ── ItemStore (items)
                       │                            items, stories, matches, alerts
                       ├ OutboxStore (outbox)       deliveries and digests
                       ├ RetentionStore (retention) pruning old items
                       └ QueryStore (queries)       what reports and messages read

Model types cross its boundary (``FeedSpec`` in, ``FeedRow``, ``NewItem``,
``PendingDelivery`` and the query rows out); it holds no domain rules.
"""

from __future__ import annotations

from monitor.store.feeds import FeedStore
from monitor.store.items import ItemStore
from monitor.store.outbox import OutboxStore
from monitor.store.queries import QueryStore
from monitor.store.retention import RetentionStore


class Store(FeedStore, ItemStore, OutboxStore, RetentionStore, QueryStore):
    """The daemon's database, one short transaction per call (see the module docstring)."""


__all__ = ["Store"]
