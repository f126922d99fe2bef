"""Per-feed fetch state: when to poll next, when a feed has moved, when it needs a person.

Pure: takes what a fetch said and what the feed row holds, returns decisions; the pipeline
stores them and logs. The rules:

1. After a success the next poll is one interval away, or later when the server asks for it
   (``Retry-After``, else ``Cache-Control: max-age``); a server cannot push a feed further than
   ``backoff_max`` (default 24 h) nor pull it closer than its interval.
2. After a failure the delay doubles with each consecutive failure, from the interval up to
   ``backoff_max``, with ±20 % jitter (still under the cap) so feeds that failed together do
   not retry together. A 429 or 503 with ``Retry-After`` waits that long instead, clamped to
   between the interval and ``backoff_max``.
3. 410 Gone disables the feed; it is not polled again until its row is re-enabled.
4. A permanent redirect (301/308 all the way) is believed when two consecutive fetches see
   the same target: the feed is then fetched from there, and the move is logged. One sighting
   is remembered, not acted on, so a misconfigured server for an hour does not move a feed.
   A feed found through the page at the configured address (``monitor.feed_discovery``)
   moves at once: the page names it on purpose, and the feed's validators sent to the page
   could earn a 304 that would keep the feed from ever being fetched again.
5. A 200 whose body is byte for byte the one last stored counts as not modified: no parse,
   no matching, no writes beyond the fetch state. Many servers ignore If-None-Match and
   If-Modified-Since but serve the same bytes until the feed changes.
6. A feed failing for longer than ``failing_alert_after`` (default 3 days) since its first
   failure raises one operator notice; a success ends the failing period, and the next period
   may raise a notice again.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_BACKOFF_MAX = 86400.0
DEFAULT_FAILING_ALERT_AFTER = 3 * 86400.0
JITTER = 0.2


@dataclass(frozen=True)
class FetchPolicy:
    """The knobs of the rules above, from ``[fetch]`` and ``[defaults]``."""

    backoff_max: float = DEFAULT_BACKOFF_MAX
    failing_alert_after: float = DEFAULT_FAILING_ALERT_AFTER


@dataclass(frozen=True)
class Failure:
    """What to do after a failed fetch."""

    next_poll_at: datetime
    disable: bool
    notify_operator: bool


@dataclass(frozen=True)
class Redirect:
    """The redirect state to store, and where the feed moves to if it does now."""

    seen: str | None
    move_to: str | None


def next_poll_after_success(
    now: datetime, interval: float, hint: float | None, policy: FetchPolicy
) -> datetime:
    """Rule 1: ``hint`` is the server's Retry-After or max-age in seconds."""
    delay = interval
    if hint is not None and hint > interval:
        delay = min(hint, max(policy.backoff_max, interval))
    return now + timedelta(seconds=delay)


def backoff_delay(
    interval: float,
    failures: int,
    retry_after: float | None,
    policy: FetchPolicy,
    uniform: Callable[[float, float], float] = random.uniform,
) -> float:
    """Rule 2: seconds until the next attempt after ``failures`` consecutive failures."""
    cap = max(policy.backoff_max, interval)
    if retry_after is not None and retry_after > 0:
        return min(max(retry_after, interval), cap)
    base = interval * 2.0 ** min(max(failures - 1, 0), 32)
    return min(min(base, cap) * uniform(1 - JITTER, 1 + JITTER), cap)


def after_failure(
    *,
    now: datetime,
    interval: float,
    failures: int,
    kind: str,
    retry_after: float | None,
    failing_since: datetime | None,
    operator_notified_at: datetime | None,
    policy: FetchPolicy,
    uniform: Callable[[float, float], float] = random.uniform,
) -> Failure:
    """Rules 2, 3 and 6 for a feed that just failed for the ``failures``-th time in a row.

    ``failing_since`` and ``operator_notified_at`` are the row's values before this failure.
    """
    delay = backoff_delay(interval, failures, retry_after, policy, uniform)
    since = failing_since or now
    notified_this_period = operator_notified_at is not None and operator_notified_at >= since
    overdue = (now - since).total_seconds() >= policy.failing_alert_after
    return Failure(
        next_poll_at=now + timedelta(seconds=delay),
        disable=kind == "gone",
        notify_operator=overdue and not notified_this_period,
    )


def content_hash(content: bytes) -> str:
    """Rule 5: the digest stored per feed to recognise an unchanged body."""
    return hashlib.sha256(content).hexdigest()


def after_redirect(
    seen_before: str | None, permanent_redirect: str | None, *, discovered: bool = False
) -> Redirect:
    """Rule 4: ``seen_before`` is the target remembered from the previous fetch;
    ``discovered``: the target is a feed the configured page named."""
    if permanent_redirect is None:
        return Redirect(seen=None, move_to=None)
    if permanent_redirect == seen_before or discovered:
        return Redirect(seen=None, move_to=permanent_redirect)
    return Redirect(seen=permanent_redirect, move_to=None)
