"""Feeds on both databases: due feeds are claimed once, with a lease."""

from __future__ import annotations

from datetime import timedelta

from monitor.model import FeedSpec
from monitor.store import Store
from monitor.store.feeds import SuccessfulFetch
from tests.store.test_items import NOW


def test_due_feeds_are_claimed_once(store: Store) -> None:
    urls = [f"http://127.0.0.1/{i}" for i in range(5)]
    store.sync_feeds([FeedSpec(u) for u in urls])
    first = store.claim_due_feeds(urls, NOW, lease=timedelta(minutes=5))
    assert sorted(f.url for f in first) == sorted(urls)
    assert store.claim_due_feeds(urls, NOW, lease=timedelta(minutes=5)) == []
    store.record_fetches(
        [SuccessfulFetch(first[0].id, NOW, status=200, next_poll_at=NOW + timedelta(minutes=10))]
    )
    assert store.claim_due_feeds(urls, NOW + timedelta(minutes=6), lease=timedelta(minutes=5)) != []
