"""The delivery outbox: send pending deliveries, mark them only when the target accepted.

Rules:
- A delivery is claimed with a lease before sending, so two workers never send it together;
  a crash between sending and marking resends at most that one delivery once the lease ends.
- Deliveries go out per target in the order their alerts were created; when a target fails,
  its later deliveries wait for the next round, so order survives an outage.
- A failed attempt is retried with exponential back-off and jitter; a delivery still failing
  ``give_up`` seconds after its alert was created is marked ``failed``, kept, and reported.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor import alerting
from monitor.errors import NotifyError
from monitor.model import Signal
from monitor.notifier import AlertView, Notifier, render
from monitor.store import Store

log = logging.getLogger(__name__)

DELIVERY_LEASE = timedelta(minutes=2)
RETRY_BASE = 30.0
RETRY_MAX = 3600.0


@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def retry_delay(attempts: int) -> float:
    """30 s, 1 min, 2 min … capped at 1 h, ±20 % jitter so retries do not arrive in herds."""
    return min(RETRY_MAX, RETRY_BASE * 2.0 ** min(attempts, 16)) * random.uniform(0.8, 1.2)


def alert_view(store: Store, alert_id: int) -> AlertView | None:
    alert = store.alert(alert_id)
    if alert is None:
        return None
    head = alerting.headline(
        alert.watch, Signal(alert.signal), alert.rumored, alert.dates or (), alert.official
    )
    return AlertView(
        watch=alert.watch,
        headline=head,
        title=alert.title,
        link=alert.link,
        evidence=alert.evidence,
        term=alert.term,
        sources=store.story_sources(alert.story_id, alert.item_id),
        change=alert.change,
    )


async def deliver_pending(
    store: Store,
    notifier: Notifier,
    *,
    give_up: float = 86400.0,
    ignore_backoff: bool = False,
    now: Callable[[], datetime] = lambda: datetime.now().astimezone(),
) -> DeliveryReport:
    report = DeliveryReport()
    blocked: set[str] = set()
    while True:
        claimed = store.claim_deliveries(
            now(), lease=DELIVERY_LEASE, ignore_backoff=ignore_backoff, exclude_targets=blocked
        )
        if not claimed:
            return report
        for d in claimed:
            if d.target in blocked:
                store.release_delivery(d.id)
                continue
            view = alert_view(store, d.alert_id)
            error: str | None
            if view is None:
                error = "alert no longer exists"
            else:
                try:
                    message = render(view, email=notifier.is_email(d.target))
                    error = await notifier.send(d.target, message)
                except NotifyError as exc:
                    error = str(exc)
            at = now()
            if error is None:
                store.mark_delivered(d.id, at)
                report.delivered += 1
                log.info("alert delivered alert_id=%d target=%s", d.alert_id, d.target)
                continue
            blocked.add(d.target)
            report.errors.append(f"{d.target}: {error}")
            if (at - d.created_at).total_seconds() >= give_up:
                store.mark_attempt_failed(d.id, error=error, next_attempt_at=None)
                report.failed += 1
                log.error(
                    "delivery failed, giving up alert_id=%d target=%s attempts=%d error=%s",
                    d.alert_id,
                    d.target,
                    d.attempts + 1,
                    error,
                )
            else:
                retry_at = at + timedelta(seconds=retry_delay(d.attempts))
                store.mark_attempt_failed(d.id, error=error, next_attempt_at=retry_at)
                report.retrying += 1
                log.warning(
                    "delivery failed alert_id=%d target=%s attempts=%d error=%s next_attempt=%s",
                    d.alert_id,
                    d.target,
                    d.attempts + 1,
                    error,
                    retry_at.isoformat(timespec="seconds"),
                )
