"""The delivery outbox: pending deliveries claimed with a lease, sent, retried, given up,
or held for a target's digest (see ``monitor.delivery.policy``).

Deliveries are *claimed* with a lease (``lease_until``), with ``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several instances never send the same delivery.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, or_, select, update

from monitor.store import tables as t
from monitor.store.base import Repository


@dataclass(frozen=True)
class PendingDelivery:
    id: int
    alert_id: int
    target: str
    attempts: int
    created_at: datetime


class OutboxStore(Repository):
    def claim_deliveries(
        self,
        now: datetime,
        *,
        lease: timedelta,
        limit: int = 50,
        ignore_backoff: bool = False,
        exclude_targets: Collection[str] = (),
    ) -> list[PendingDelivery]:
        """Claim pending deliveries, oldest alert first, for ``lease``."""
        with self.transaction() as s:
            query = select(*_PENDING).where(
                t.delivery.c.state == "pending",
                t.delivery.c.digest.is_(False),
                or_(t.delivery.c.lease_until.is_(None), t.delivery.c.lease_until < now),
            )
            if exclude_targets:
                query = query.where(t.delivery.c.target.not_in(list(exclude_targets)))
            if not ignore_backoff:
                query = query.where(t.delivery.c.next_attempt_at <= now)
            query = query.order_by(t.delivery.c.alert_id, t.delivery.c.id).limit(limit)
            rows = s.execute(query.with_for_update(skip_locked=True)).all()
            return _leased(s, rows, now + lease)

    def mark_delivered(self, delivery_id: int, now: datetime) -> None:
        with self.transaction() as s:
            s.execute(
                update(t.delivery)
                .where(t.delivery.c.id == delivery_id)
                .values(
                    state="delivered",
                    delivered_at=now,
                    lease_until=None,
                    attempts=t.delivery.c.attempts + 1,
                    last_error=None,
                )
            )

    def release_delivery(self, delivery_id: int) -> None:
        """Give a claimed delivery back untried (its target failed earlier this round)."""
        with self.transaction() as s:
            s.execute(
                update(t.delivery).where(t.delivery.c.id == delivery_id).values(lease_until=None)
            )

    # -- digests: deliveries held for one message per target (see monitor.delivery.policy) --

    def hold_for_digest(self, delivery_id: int, until: datetime) -> None:
        """Put a claimed delivery in the target's next digest, due at ``until``."""
        with self.transaction() as s:
            s.execute(
                update(t.delivery)
                .where(t.delivery.c.id == delivery_id)
                .values(digest=True, next_attempt_at=until, lease_until=None)
            )

    def held_until(self, target: str) -> datetime | None:
        """The slot of the deliveries ``target`` holds for a digest, if it holds any."""
        with self.transaction() as s:
            until: datetime | None = s.scalar(
                select(func.min(t.delivery.c.next_attempt_at)).where(
                    t.delivery.c.target == target,
                    t.delivery.c.state == "pending",
                    t.delivery.c.digest.is_(True),
                )
            )
            return until

    def instant_sends(self, target: str, since: datetime) -> list[datetime]:
        """When ``target`` was last sent single alerts (for its rate limit)."""
        with self.transaction() as s:
            return list(
                s.scalars(
                    select(t.delivery.c.delivered_at).where(
                        t.delivery.c.target == target,
                        t.delivery.c.state == "delivered",
                        t.delivery.c.digest.is_(False),
                        t.delivery.c.delivered_at > since,
                    )
                )
            )

    def due_digest_targets(self, now: datetime, *, ignore_backoff: bool = False) -> list[str]:
        with self.transaction() as s:
            return list(
                s.scalars(
                    select(t.delivery.c.target)
                    .where(t.delivery.c.state == "pending", t.delivery.c.digest.is_(True))
                    .where(*_due(now, ignore_backoff))
                    .distinct()
                    .order_by(t.delivery.c.target)
                )
            )

    def claim_digest(
        self, target: str, now: datetime, *, lease: timedelta, ignore_backoff: bool = False
    ) -> list[PendingDelivery]:
        """Claim every held delivery of ``target`` once its digest is due, oldest alert first."""
        with self.transaction() as s:
            due = s.scalar(
                select(func.count())
                .select_from(t.delivery)
                .where(
                    t.delivery.c.target == target,
                    t.delivery.c.state == "pending",
                    t.delivery.c.digest.is_(True),
                    *_due(now, ignore_backoff),
                )
            )
            if not due:
                return []
            rows = s.execute(
                select(*_PENDING)
                .where(
                    t.delivery.c.target == target,
                    t.delivery.c.state == "pending",
                    t.delivery.c.digest.is_(True),
                    or_(t.delivery.c.lease_until.is_(None), t.delivery.c.lease_until < now),
                )
                .order_by(t.delivery.c.alert_id, t.delivery.c.id)
                .with_for_update(skip_locked=True)
            ).all()
            return _leased(s, rows, now + lease)

    def mark_many_delivered(self, ids: Sequence[int], now: datetime) -> None:
        """A digest was accepted: all its deliveries are delivered, together."""
        with self.transaction() as s:
            s.execute(
                update(t.delivery)
                .where(t.delivery.c.id.in_(list(ids)))
                .values(
                    state="delivered",
                    delivered_at=now,
                    lease_until=None,
                    attempts=t.delivery.c.attempts + 1,
                    last_error=None,
                )
            )

    def mark_many_failed(
        self, ids: Sequence[int], *, error: str, next_attempt_at: datetime | None
    ) -> None:
        """Retry at ``next_attempt_at``, or with None give up on all of them."""
        values: dict[str, Any] = {
            "attempts": t.delivery.c.attempts + 1,
            "last_error": error[:2000],
            "lease_until": None,
        }
        if next_attempt_at is None:
            values["state"] = "failed"
        else:
            values["next_attempt_at"] = next_attempt_at
        with self.transaction() as s:
            s.execute(update(t.delivery).where(t.delivery.c.id.in_(list(ids))).values(**values))

    def give_up_stale(self, target: str, *, created_before: datetime, error: str) -> int:
        """Mark failed every pending delivery of ``target`` older than the give-up age, so a
        long outage ends in one operator notice, not one per alert. Returns how many."""
        with self.transaction() as s:
            result = s.execute(
                update(t.delivery)
                .where(
                    t.delivery.c.target == target,
                    t.delivery.c.state == "pending",
                    t.delivery.c.created_at <= created_before,
                )
                .values(state="failed", last_error=error[:2000], lease_until=None)
            )
            return int(getattr(result, "rowcount", 0) or 0)


_PENDING = (
    t.delivery.c.id,
    t.delivery.c.alert_id,
    t.delivery.c.target,
    t.delivery.c.attempts,
    t.delivery.c.created_at,
)


def _leased(conn: Connection, rows: Sequence[Any], until: datetime) -> list[PendingDelivery]:
    """``rows`` (of ``_PENDING``), claimed until ``until`` in the caller's transaction."""
    if rows:
        conn.execute(
            update(t.delivery)
            .where(t.delivery.c.id.in_([r.id for r in rows]))
            .values(lease_until=until)
        )
    return [PendingDelivery(r.id, r.alert_id, r.target, r.attempts, r.created_at) for r in rows]


def _due(now: datetime, ignore_backoff: bool) -> tuple[Any, ...]:
    """A held delivery is due at its slot; ``ignore_backoff`` also takes retries now."""
    if ignore_backoff:
        return (or_(t.delivery.c.next_attempt_at <= now, t.delivery.c.attempts > 0),)
    return (t.delivery.c.next_attempt_at <= now,)
