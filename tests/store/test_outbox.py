"""The outbox on both databases: deliveries are claimed with a lease."""

from __future__ import annotations

from datetime import timedelta

from monitor.store import Store
from tests.store import test_items
from tests.store.test_items import NOW


def test_deliveries_are_claimed_with_a_lease(store: Store) -> None:
    test_items.test_an_alert_is_unique_per_watch_story_and_change(store)
    claimed = store.claim_deliveries(NOW, lease=timedelta(minutes=2))
    assert len(claimed) == 2
    assert store.claim_deliveries(NOW, lease=timedelta(minutes=2)) == []
    later = store.claim_deliveries(NOW + timedelta(minutes=3), lease=timedelta(minutes=2))
    assert len(later) == 2  # a crashed sender's lease ran out: the work is taken over
    store.mark_delivered(later[0].id, NOW)
    store.mark_many_failed([later[1].id], error="500", next_attempt_at=NOW + timedelta(hours=1))
    assert store.claim_deliveries(NOW + timedelta(minutes=10), lease=timedelta(minutes=2)) == []
    retry = store.claim_deliveries(
        NOW + timedelta(minutes=10), lease=timedelta(minutes=2), ignore_backoff=True
    )
    assert [d.id for d in retry] == [later[1].id]
