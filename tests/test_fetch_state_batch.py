"""Unchanged feeds' fetch state, written a batch per transaction: each poll still returns
only once its own row is committed, and a failed write reaches every poll of the batch."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from monitor.errors import StoreError
from monitor.fetch_state_batch import FetchStateBatch
from monitor.model import FeedSpec
from monitor.store import Store
from monitor.store.feeds import SuccessfulFetch

NOW = datetime(2025, 8, 7, 12, 0, tzinfo=UTC)
URLS = [f"http://127.0.0.1/feed{i}" for i in range(5)]


def _claimed(store: Store) -> list[int]:
    store.sync_feeds([FeedSpec(u) for u in URLS])
    return [f.id for f in store.claim_due_feeds(URLS, NOW, lease=timedelta(minutes=5))]


def test_one_transaction_for_feeds_polled_together(store: Store) -> None:
    ids = _claimed(store)
    store.record_fetches(
        [SuccessfulFetch(ids[0], now=NOW, status=301, next_poll_at=NOW, moved_to="http://new/")]
    )

    async def run() -> FetchStateBatch:
        batch = FetchStateBatch(store, window=0.05)
        await asyncio.gather(
            *(
                batch.record(
                    SuccessfulFetch(
                        feed_id,
                        now=NOW,
                        status=304,
                        next_poll_at=NOW + timedelta(minutes=10 + n),
                        etag=f'"e{n}"',
                        last_modified="Thu, 07 Aug 2025 11:00:00 GMT",
                    )
                )
                for n, feed_id in enumerate(ids)
            )
        )
        return batch

    batch = asyncio.run(run())
    assert batch.transactions == 1
    rows = {f.url: f for f in store.feeds()}
    for n, url in enumerate(URLS):
        row = rows[url]
        assert row.etag == f'"e{n}"' and row.last_status == 304
        assert row.next_poll_at is not None
        assert row.next_poll_at.replace(tzinfo=UTC) == NOW + timedelta(minutes=10 + n)
        assert row.lease_until is None and row.error_count == 0
    assert rows[URLS[0]].moved_to == "http://new/"  # kept: this fetch saw no new move
    # released: every feed can be claimed again once due
    later = NOW + timedelta(hours=1)
    assert len(store.claim_due_feeds(URLS, later, lease=timedelta(minutes=5))) == len(URLS)


def test_a_full_batch_is_written_without_waiting_for_the_window(store: Store) -> None:
    ids = _claimed(store)

    async def run() -> tuple[FetchStateBatch, float]:
        batch = FetchStateBatch(store, window=30.0, max_rows=len(ids))
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.gather(
            *(batch.record(SuccessfulFetch(i, now=NOW, status=304, next_poll_at=NOW)) for i in ids)
        )
        return batch, loop.time() - start

    batch, took = asyncio.run(run())
    assert batch.transactions == 1 and took < 10


def test_rows_that_arrive_during_a_commit_go_in_the_next_one(store: Store) -> None:
    # The rows queued while a slow transaction runs are written together right after it,
    # in one more transaction, not one each.
    ids = _claimed(store)

    class Slow(Store):
        def record_fetches(self, fetches: Sequence[SuccessfulFetch]) -> None:
            time.sleep(0.3)
            super().record_fetches(fetches)

    async def run() -> tuple[FetchStateBatch, float, bool]:
        batch = FetchStateBatch(Slow(store.engine))
        loop = asyncio.get_running_loop()
        start = loop.time()
        first = asyncio.create_task(
            batch.record(SuccessfulFetch(ids[0], now=NOW, status=304, next_poll_at=NOW))
        )
        await asyncio.sleep(0.05)  # the first transaction is running
        await asyncio.gather(
            *(
                batch.record(SuccessfulFetch(i, now=NOW, status=304, next_poll_at=NOW))
                for i in ids[1:]
            )
        )
        rest = loop.time() - start
        first_done = first.done()
        await first
        return batch, rest, first_done

    batch, rest, first_done = asyncio.run(run())
    assert batch.transactions == 2 and first_done
    assert 0.55 <= rest < 1.5  # two slow commits back to back, and only the short window
    assert all(f.last_status == 304 and f.lease_until is None for f in store.feeds())


def test_a_failed_write_reaches_every_poll_of_the_batch(store: Store) -> None:
    ids = _claimed(store)
    store.engine.dispose()

    class Broken(Store):
        def record_fetches(self, fetches: object) -> None:
            raise StoreError("database error: disk I/O error")

    async def run() -> list[BaseException | None]:
        batch = FetchStateBatch(Broken(store.engine), window=0.01)
        return await asyncio.gather(
            *(batch.record(SuccessfulFetch(i, now=NOW, status=304, next_poll_at=NOW)) for i in ids),
            return_exceptions=True,
        )

    outcomes = asyncio.run(run())
    assert all(isinstance(o, StoreError) for o in outcomes)
    with pytest.raises(StoreError):
        asyncio.run(
            FetchStateBatch(Broken(store.engine)).record(
                SuccessfulFetch(ids[0], now=NOW, status=304, next_poll_at=NOW)
            )
        )


def test_a_parsed_body_leaves_its_title_count_and_hash(store: Store) -> None:
    ids = _claimed(store)
    parsed = SuccessfulFetch(
        ids[0],
        now=NOW,
        status=200,
        next_poll_at=NOW,
        title="Feed",
        items_seen=50,
        content_hash="ab" * 32,
    )
    store.record_fetches([parsed, SuccessfulFetch(ids[1], now=NOW, status=200, next_poll_at=NOW)])
    store.record_fetches([SuccessfulFetch(ids[0], now=NOW, status=304, next_poll_at=NOW)])
    store.record_fetches([parsed])
    rows = {f.id: f for f in store.feeds()}
    assert rows[ids[0]].title == "Feed" and rows[ids[0]].content_hash == "ab" * 32
    assert rows[ids[0]].items_seen == 100  # counted per parse, not per 304
    assert rows[ids[1]].title is None and rows[ids[1]].content_hash is None
