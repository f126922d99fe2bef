"""The delivery outbox: send pending deliveries, mark them only when the target accepted.

Rules:
- A delivery is claimed with a lease before sending, so two workers never send it together;
  a crash between sending and marking resends at most that one delivery (or that one digest)
  once the lease ends.
- Deliveries go out per target in the order their alerts were created; when a target fails,
  its later deliveries wait for the next round, so order survives an outage.
- Each target's policy (``monitor.delivery.policy``) may hold a due delivery for a digest: digest
  mode, quiet hours, or a rate limit reached. Held deliveries go out as one message when
  their slot comes, and are marked delivered together only when that message is accepted.
- A failed attempt is retried with exponential back-off and jitter, never sooner than the
  target's Retry-After (or two minutes, doubling, after a 429 that does not say); a delivery still failing
  ``give_up`` seconds after its alert was created is marked ``failed``, kept, and reported
  once: the target's other deliveries that old are given up with it, and one operator notice
  goes to the other targets (or to the log when there is none that accepts it).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor import alerting
from monitor.delivery.messages import AlertView, TimelineEntry, render_digest, render_notice
from monitor.delivery.notifier import Notifier, retry_after
from monitor.errors import NotifyError
from monitor.model import Signal
from monitor.store import Store
from monitor.store.outbox import PendingDelivery

log = logging.getLogger(__name__)

RETRY_BASE = 30.0
RETRY_MAX = 3600.0
RATE_LIMITED_WAIT = 120.0  # seconds: a 429 without a Retry-After we can read
DIGEST_MAX = 30  # alerts per digest message; a longer digest goes out in several messages


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    held: int = 0
    digests: int = 0
    notices: int = 0
    errors: list[str] = field(default_factory=list)


def retry_delay(attempts: int) -> float:
    """30 s, 1 min, 2 min … capped at 1 h, ±20 % jitter so retries do not arrive in herds."""
    return min(RETRY_MAX, RETRY_BASE * 2.0 ** min(attempts, 16)) * random.uniform(0.8, 1.2)


def _next_delay(error: str, attempts: int) -> float:
    """The back-off, or longer when the target rate-limits: its Retry-After when known, at
    least RATE_LIMITED_WAIT (doubling) for a bare 429, since Apprise keeps response headers
    to itself and sending sooner would only meet another 429."""
    delay = retry_delay(attempts - 1)
    asked = retry_after(error)
    if asked is None:
        return delay
    floor = asked or min(RETRY_MAX, RATE_LIMITED_WAIT * 2.0 ** min(attempts - 1, 6))
    return max(delay, min(floor, RETRY_MAX * 24))


def watch_timeline(store: Store, watch: str, *, limit: int = 12) -> list[TimelineEntry]:
    """The dates claimed for ``watch`` over time, and by whom, oldest first: each claim
    (signal, source, dates) once, a match without dates only when it is a release."""
    found: list[TimelineEntry] = []
    claims: set[tuple[str, ...]] = set()
    for at, dates, rumored, official, source, signal in store.timeline_claims(
        watch, limit=limit * 4
    ):
        key = (signal, source, *sorted(dates))
        if (not dates and signal != "released") or key in claims:
            continue
        claims.add(key)
        found.append(TimelineEntry(at, tuple(dates), rumored, official, source, signal))
    found.reverse()
    return found[-limit:]


def alert_view(store: Store, alert_id: int) -> AlertView | None:
    alert = store.alert(alert_id)
    if alert is None:
        return None
    head = alerting.headline(
        alert.watch, Signal(alert.signal), alert.rumored, alert.dates or (), alert.official
    )
    timeline = watch_timeline(store, alert.watch)
    return AlertView(
        watch=alert.watch,
        headline=head,
        title=alert.title,
        link=alert.link,
        evidence=alert.evidence,
        term=alert.term,
        sources=store.story_sources(alert.story_id, alert.item_id),
        change=alert.change,
        signal=alert.signal,
        dates=tuple(alert.dates or ()),
        timeline=timeline,
        created=alert.created_at,
    )


def _views(store: Store, batch: Sequence[PendingDelivery]) -> list[AlertView]:
    return [v for v in (alert_view(store, d.alert_id) for d in batch) if v]


def _release(store: Store, batch: Sequence[PendingDelivery]) -> None:
    for d in batch:
        store.release_delivery(d.id)


class _Round:
    """One pass over the outbox: what each target did, so a failing target is left alone."""

    def __init__(
        self,
        store: Store,
        notifier: Notifier,
        give_up: float,
        now: Callable[[], datetime],
        report: DeliveryReport,
        stopping: Callable[[], bool] = lambda: False,
    ) -> None:
        self.store = store
        self.notifier = notifier
        self.give_up = give_up
        self.now = now
        self.report = report
        self.stopping = stopping
        self.blocked: set[str] = set()

    async def digests(self, *, ignore_backoff: bool) -> None:
        due = await asyncio.to_thread(
            self.store.due_digest_targets, self.now(), ignore_backoff=ignore_backoff
        )
        for target in due:
            if self.stopping():
                return
            claimed = await asyncio.to_thread(
                self.store.claim_digest,
                target,
                self.now(),
                lease=delivery_lease(self.notifier),
                ignore_backoff=ignore_backoff,
            )
            for start in range(0, len(claimed), DIGEST_MAX):
                if target in self.blocked or self.stopping():
                    await asyncio.to_thread(_release, self.store, claimed[start:])
                    break
                await self._send_digest(target, claimed[start : start + DIGEST_MAX])

    async def _send_digest(self, target: str, batch: Sequence[PendingDelivery]) -> None:
        views = await asyncio.to_thread(_views, self.store, batch)
        error: str | None = "alerts no longer exist" if not views else None
        if views:
            try:
                message = render_digest(views, self.notifier.style(target))
                error = await self.notifier.send(target, message)
            except NotifyError as exc:
                error = str(exc)
        ids = [d.id for d in batch]
        if error is None:
            await asyncio.to_thread(self.store.mark_many_delivered, ids, self.now())
            self.report.delivered += len(ids)
            self.report.digests += 1
            log.info("digest delivered target=%s alerts=%d", target, len(ids))
            return
        await self._failed(target, batch, error)

    async def hold(self, d: PendingDelivery) -> bool:
        """Hold ``d`` for a digest when its target's policy says so."""
        policy = self.notifier.policy(d.target)
        now = self.now()
        recent: list[datetime] = []
        if policy.rate is not None:
            recent = await asyncio.to_thread(
                self.store.instant_sends, d.target, now - timedelta(seconds=policy.rate[1])
            )
        held_until = await asyncio.to_thread(self.store.held_until, d.target)
        until = policy.hold(now, recent_sends=recent, held_until=held_until)
        if until is None:
            return False
        await asyncio.to_thread(self.store.hold_for_digest, d.id, until)
        self.report.held += 1
        log.info(
            "alert held for digest alert_id=%d target=%s until=%s",
            d.alert_id,
            d.target,
            until.isoformat(timespec="minutes"),
        )
        return True

    async def instant(self, d: PendingDelivery) -> None:
        view = await asyncio.to_thread(alert_view, self.store, d.alert_id)
        error: str | None
        if view is None:
            error = "alert no longer exists"
        else:
            try:
                error = await self.notifier.send(d.target, self.notifier.render(d.target, view))
            except NotifyError as exc:
                error = str(exc)
        if error is None:
            await asyncio.to_thread(self.store.mark_delivered, d.id, self.now())
            self.report.delivered += 1
            log.info("alert delivered alert_id=%d target=%s", d.alert_id, d.target)
            return
        await self._failed(d.target, [d], error)

    async def _failed(self, target: str, batch: Sequence[PendingDelivery], error: str) -> None:
        at = self.now()
        self.blocked.add(target)
        self.report.errors.append(f"{target}: {error}")
        ids = [d.id for d in batch]
        oldest = min(batch, key=lambda d: d.created_at)
        attempts = max(d.attempts for d in batch) + 1
        alert_ids = ",".join(str(d.alert_id) for d in batch)
        if (at - oldest.created_at).total_seconds() < self.give_up:
            retry_at = at + timedelta(seconds=_next_delay(error, attempts))
            await asyncio.to_thread(
                self.store.mark_many_failed, ids, error=error, next_attempt_at=retry_at
            )
            self.report.retrying += len(ids)
            log.warning(
                "delivery failed alert_id=%s target=%s attempts=%d error=%s next_attempt=%s",
                alert_ids,
                target,
                attempts,
                error,
                retry_at.isoformat(timespec="seconds"),
            )
            return
        await asyncio.to_thread(self.store.mark_many_failed, ids, error=error, next_attempt_at=None)
        stale = await asyncio.to_thread(
            self.store.give_up_stale,
            target,
            created_before=at - timedelta(seconds=self.give_up),
            error=error,
        )
        count = len(ids) + stale
        self.report.failed += count
        log.error(
            "delivery failed, giving up alert_id=%s target=%s attempts=%d given_up=%d error=%s",
            alert_ids,
            target,
            attempts,
            count,
            error,
        )
        await self._notice(target, count, error)

    async def _notice(self, failed_target: str, count: int, error: str) -> None:
        """One operator notice for a give-up, through every other target that is up."""
        message = render_notice(failed_target, count, error, self.give_up)
        sent = []
        for other in self.notifier.targets:
            if other == failed_target or other in self.blocked:
                continue
            try:
                problem = await self.notifier.send(other, message)
            except NotifyError as exc:
                problem = str(exc)
            if problem is None:
                sent.append(other)
            else:
                log.warning("operator notice not sent target=%s error=%s", other, problem)
        self.report.notices += bool(sent)
        log.error(
            "operator notice: %d alerts to target %s failed for good (%s); sent_to=%s",
            count,
            failed_target,
            error,
            ",".join(sent) or "-",
        )


def delivery_lease(notifier: Notifier) -> timedelta:
    """How long a claimed delivery is ours: the longest send and a margin. A delivery held by
    a dead instance is sent by another one after this."""
    return timedelta(seconds=notifier.longest_send + 10)


async def deliver_pending(
    store: Store,
    notifier: Notifier,
    *,
    give_up: float = 86400.0,
    ignore_backoff: bool = False,
    now: Callable[[], datetime] = lambda: datetime.now().astimezone(),
    stopping: Callable[[], bool] = lambda: False,
) -> DeliveryReport:
    """Send what is due: digests whose slot came, then single alerts, oldest first.

    When ``stopping()`` turns true, the round ends after the send in progress, whose outcome
    is recorded, and gives back what it claimed and did not send: a send cut short would be
    made again by the next run."""
    report = DeliveryReport()
    round_ = _Round(store, notifier, give_up, now, report, stopping)
    await round_.digests(ignore_backoff=ignore_backoff)
    while not stopping():
        claimed = await asyncio.to_thread(
            store.claim_deliveries,
            now(),
            lease=delivery_lease(notifier),
            ignore_backoff=ignore_backoff,
            exclude_targets=round_.blocked,
        )
        if not claimed:
            break
        for d in claimed:
            if d.target in round_.blocked or stopping():
                await asyncio.to_thread(store.release_delivery, d.id)
                continue
            if await round_.hold(d):
                continue
            await round_.instant(d)
    # a delivery held this round may be due already (a rate window that freed up meanwhile)
    if not stopping():
        await round_.digests(ignore_backoff=False)
    return report
