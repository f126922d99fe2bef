"""Feeds: the configured list, claims with a lease, and each feed's fetch state.

Feeds are *claimed* with a lease (``lease_until``), with ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several instances never poll the same feed and a feed held by a dead instance
is taken over when its lease expires.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, bindparam, func, or_, select, update

from monitor.model import FeedSpec
from monitor.store import tables as t
from monitor.store.base import Repository, cap


@dataclass(frozen=True)
class FeedRow:
    """A feed as the poller needs it: its identity, schedule and fetch state."""

    id: int
    url: str
    name: str | None
    official: bool
    interval_s: float | None
    etag: str | None
    last_modified: str | None
    error_count: int
    failing_since: datetime | None
    moved_to: str | None = None
    redirect_seen: str | None = None
    operator_notified_at: datetime | None = None
    content_hash: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.url

    @property
    def fetch_url(self) -> str:
        """Where the feed is fetched from: its URL, or where a permanent redirect moved it."""
        return self.moved_to or self.url


# The columns of a FeedRow, by its fields' names: rows are read by name, not position.
_FEED_ROW = tuple(t.feed.c[f.name] for f in fields(FeedRow))


def _feed_row(row: Any) -> FeedRow:
    return FeedRow(**row._mapping)


@dataclass(frozen=True)
class SuccessfulFetch:
    """The fetch state a successful fetch (200 or 304) leaves on its feed row, as
    ``record_fetches`` writes it; ``title`` and ``content_hash`` only when the body was parsed."""

    feed_id: int
    now: datetime
    status: int | None
    next_poll_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    redirect_seen: str | None = None
    moved_to: str | None = None
    title: str | None = None
    items_seen: int = 0
    content_hash: str | None = None


class FeedStore(Repository):
    def sync_feeds(self, feeds: Sequence[FeedSpec]) -> None:
        """Make sure a row exists for each configured feed, with its name, interval and
        official flag.

        Run at every start and reload: one SELECT, then one executemany INSERT for the new
        feeds and one UPDATE for the changed ones (a statement per feed took a third of a
        second for 1,000 feeds). The INSERT still ignores a row another instance just added.
        """
        wanted = {f.url: (f.name, f.interval, f.official) for f in feeds}
        if not wanted:
            return
        with self.transaction() as s:
            rows = s.execute(
                select(t.feed.c.url, t.feed.c.name, t.feed.c.interval_s, t.feed.c.official)
            ).all()
            known = {url: (name, interval, official) for url, name, interval, official in rows}
            now = t.utcnow()
            new = [
                {"b_url": u, "b_name": n, "b_interval": i, "b_official": o}
                for u, (n, i, o) in wanted.items()
                if u not in known
            ]
            changed = [
                {"b_url": u, "b_name": n, "b_interval": i, "b_official": o}
                for u, (n, i, o) in wanted.items()
                if u in known and known[u] != (n, i, o)
            ]
            columns = {
                "name": bindparam("b_name", type_=t.feed.c.name.type),
                "interval_s": bindparam("b_interval", type_=t.feed.c.interval_s.type),
                "official": bindparam("b_official", type_=t.feed.c.official.type),
            }
            connection = s
            if new:
                connection.execute(
                    self._insert(t.feed)
                    .values(
                        url=bindparam("b_url", type_=t.feed.c.url.type),
                        **columns,
                        error_count=0,
                        items_seen=0,
                        disabled=False,
                        created_at=now,
                    )
                    .on_conflict_do_nothing(index_elements=["url"]),
                    new,
                )
            if changed:
                connection.execute(
                    update(t.feed).where(t.feed.c.url == bindparam("b_url")).values(**columns),
                    changed,
                )

    def claim_due_feeds(
        self,
        urls: Sequence[str],
        now: datetime,
        *,
        lease: timedelta,
        limit: int = 100,
        all_feeds: bool = False,
    ) -> list[FeedRow]:
        """Claim configured feeds that are due (or every one with ``all_feeds``) for a lease."""
        query = select(*_FEED_ROW).where(
            t.feed.c.url.in_(urls),
            t.feed.c.disabled.is_(False),
            or_(t.feed.c.lease_until.is_(None), t.feed.c.lease_until < now),
        )
        if not all_feeds:
            query = query.where(or_(t.feed.c.next_poll_at.is_(None), t.feed.c.next_poll_at <= now))
        query = query.order_by(
            t.feed.c.next_poll_at.is_not(None), t.feed.c.next_poll_at, t.feed.c.id
        )
        # Core rows and one UPDATE, not ORM objects flushed one by one: claiming is on the
        # path of every poll, 304s included.
        with self.transaction() as s:
            connection = s
            rows = connection.execute(query.limit(limit).with_for_update(skip_locked=True)).all()
            if rows:
                connection.execute(
                    update(t.feed)
                    .where(t.feed.c.id.in_([r.id for r in rows]))
                    .values(lease_until=now + lease)
                )
            return [_feed_row(r) for r in rows]

    def release_all_leases(self) -> None:
        """Forget every lease: only for an instance that knows it is alone on the database
        (SQLite), after a crash left leases that nobody holds any more."""
        with self.transaction() as s:
            connection = s
            connection.execute(
                update(t.feed).where(t.feed.c.lease_until.is_not(None)).values(lease_until=None)
            )
            connection.execute(
                update(t.delivery)
                .where(t.delivery.c.lease_until.is_not(None))
                .values(lease_until=None)
            )

    def release_feeds(self, feed_ids: Collection[int]) -> None:
        """Give back the leases of these feeds, whose poll could not be recorded (the
        database was down): they are polled at the next tick, not when the lease ends."""
        with self.transaction() as s:
            s.execute(
                update(t.feed).where(t.feed.c.id.in_(list(feed_ids))).values(lease_until=None)
            )

    def feed(self, url: str) -> FeedRow | None:
        with self.transaction() as s:
            row = s.execute(select(*_FEED_ROW).where(t.feed.c.url == url)).first()
            return _feed_row(row) if row else None

    def record_fetches(self, fetches: Sequence[SuccessfulFetch]) -> None:
        """A successful fetch (200 or 304) of each feed: clear its error state, schedule its
        next poll, in one transaction.

        One UPDATE statement executed for every row (``executemany``): an all-304 cycle of
        1,000 feeds costs a few transactions instead of 1,000 (see ``fetch_state_batch``).
        """
        if not fetches:
            return
        statement = (
            update(t.feed)
            .where(t.feed.c.id == bindparam("b_id"))
            .values(
                last_fetch_at=bindparam("b_now"),
                last_success_at=bindparam("b_now"),
                last_status=bindparam("b_status"),
                last_error=None,
                error_kind=None,
                error_count=0,
                failing_since=None,
                next_poll_at=bindparam("b_next"),
                lease_until=None,
                etag=bindparam("b_etag"),
                last_modified=bindparam("b_last_modified"),
                redirect_seen=bindparam("b_redirect_seen"),
                moved_to=func.coalesce(bindparam("b_moved_to", type_=String), t.feed.c.moved_to),
                title=func.coalesce(bindparam("b_title", type_=String), t.feed.c.title),
                items_seen=t.feed.c.items_seen + bindparam("b_items_seen"),
                content_hash=func.coalesce(
                    bindparam("b_content_hash", type_=String), t.feed.c.content_hash
                ),
            )
        )
        rows = [
            {
                "b_id": f.feed_id,
                "b_now": f.now,
                "b_status": f.status,
                "b_next": f.next_poll_at,
                "b_etag": f.etag,
                "b_last_modified": f.last_modified,
                "b_redirect_seen": cap(f.redirect_seen, 2048),
                "b_moved_to": f.moved_to[:2048] if f.moved_to else None,
                "b_title": f.title[:512] if f.title else None,
                "b_items_seen": f.items_seen,
                "b_content_hash": f.content_hash or None,
            }
            for f in fetches
        ]
        with self.transaction() as s:
            s.execute(statement, rows)

    def record_failure(
        self,
        feed_id: int,
        *,
        now: datetime,
        kind: str,
        message: str,
        status: int | None,
        next_poll_at: datetime,
        disable: bool = False,
    ) -> None:
        with self.transaction() as s:
            s.execute(
                update(t.feed)
                .where(t.feed.c.id == feed_id)
                .values(
                    last_fetch_at=now,
                    last_status=status,
                    last_error=message[:2000],
                    error_kind=kind,
                    error_count=t.feed.c.error_count + 1,
                    failing_since=func.coalesce(t.feed.c.failing_since, now),
                    next_poll_at=next_poll_at,
                    lease_until=None,
                    **({"disabled": True} if disable else {}),
                )
            )

    def mark_operator_notified(self, feed_id: int, now: datetime) -> None:
        """Remember that this failing period of the feed was reported to the operator."""
        with self.transaction() as s:
            s.execute(update(t.feed).where(t.feed.c.id == feed_id).values(operator_notified_at=now))

    def feeds(self) -> list[t.Feed]:
        with self.session() as s:
            return list(s.scalars(select(t.Feed).order_by(t.feed.c.id)))
