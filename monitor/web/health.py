"""Health for operators: Prometheus metrics and an optional HTTP endpoint.

The endpoint is off by default; when ``[http] listen`` is set, ``monitor.web`` serves there
(127.0.0.1 by default: it is not meant for the internet):
- ``/healthz``: 200 with a JSON summary while the scheduler loop is alive, 503 when it has
  not ticked for three poll periods;
- ``/metrics``: Prometheus text format;
- ``/calendar.ics``: the claimed dates, as ``monitor calendar`` writes them;
- the dashboard's pages.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from prometheus_client import Counter, Gauge, Histogram

log = logging.getLogger(__name__)


class _Unread:
    """A metric that nothing can read (no endpoint serves /metrics): each update does
    nothing, and the Prometheus client is not even imported (15 ms of every start)."""

    def labels(self, *_: Any, **__: Any) -> _Unread:
        return self

    def inc(self, amount: float = 1) -> None:
        pass

    def set(self, value: float) -> None:
        pass

    def set_to_current_time(self) -> None:
        pass

    def observe(self, amount: float) -> None:
        pass

    def time(self) -> contextlib.nullcontext[None]:
        return contextlib.nullcontext()


class Metrics:
    """The daemon's counters, in a registry of its own (no process-global state); with
    ``served=False`` (no endpoint to serve them) they count nothing."""

    fetches: Counter
    items: Counter
    alerts: Counter
    delivered: Counter
    delivery_failures: Counter
    poll_seconds: Histogram
    pending: Gauge
    feeds_failing: Gauge
    loop_lag: Histogram
    loop_lag_max: Gauge
    last_tick: Gauge

    def __init__(self, *, served: bool = True) -> None:
        self._max_lag = 0.0
        self.registry: Any = None
        if not served:
            unread = cast(Any, _Unread())
            for name in Metrics.__annotations__:  # every metric declared above
                setattr(self, name, unread)
            return
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = registry = CollectorRegistry()
        self.fetches = Counter(
            "monitor_fetches", "Feed fetches by outcome", ["outcome"], registry=registry
        )
        self.items = Counter("monitor_new_items", "New items stored", registry=registry)
        self.alerts = Counter("monitor_alerts", "Alerts raised", registry=registry)
        self.delivered = Counter(
            "monitor_deliveries", "Deliveries accepted by their target", registry=registry
        )
        self.delivery_failures = Counter(
            "monitor_delivery_failures", "Delivery attempts that failed", registry=registry
        )
        self.poll_seconds = Histogram(
            "monitor_feed_poll_seconds",
            "Time to poll one feed, fetch to store",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=registry,
        )
        self.pending = Gauge(
            "monitor_deliveries_pending", "Deliveries waiting to be sent", registry=registry
        )
        self.feeds_failing = Gauge(
            "monitor_feeds_failing", "Feeds whose last fetch failed", registry=registry
        )
        self.loop_lag = Histogram(
            "monitor_event_loop_lag_seconds",
            "How late the event loop ran a timer: how long something held it",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5),
            registry=registry,
        )
        self.loop_lag_max = Gauge(
            "monitor_event_loop_lag_max_seconds",
            "The longest the event loop was held since the daemon started",
            registry=registry,
        )
        self.last_tick = Gauge(
            "monitor_last_tick_timestamp_seconds",
            "When the scheduler loop last ran",
            registry=registry,
        )

    def observe_lag(self, lag: float) -> None:
        """One event-loop lateness sample (``loop_lag.LoopLagProbe``)."""
        self.loop_lag.observe(lag)
        if lag > self._max_lag:
            self._max_lag = lag
            self.loop_lag_max.set(lag)

    def render(self) -> bytes:
        if self.registry is None:
            return b""
        from prometheus_client import generate_latest

        return generate_latest(self.registry)


@dataclass
class DaemonStatus:
    """What the daemon knows of itself and the database does not: shown by the dashboard's
    status strip and ``/healthz``. The event loop writes it, the pages read it."""

    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    summary: str = "starting"
    cycle_seconds: float | None = None  # the last round of due feeds, first claim to last poll
    last_error: str | None = None
    last_error_at: datetime | None = None
    _round_started: float | None = None

    def round_started(self) -> None:
        if self._round_started is None:
            self._round_started = time.monotonic()

    def round_done(self) -> None:
        if self._round_started is not None:
            self.cycle_seconds = time.monotonic() - self._round_started
            self._round_started = None

    def error(self, message: str) -> None:
        self.last_error, self.last_error_at = message, datetime.now(UTC)


def healthz_body(alive: bool, summary: dict[str, Any]) -> tuple[int, str, bytes]:
    data = {"status": "ok" if alive else "stalled", "checked": time.time(), **summary}
    return (200 if alive else 503), "application/json", json.dumps(data).encode() + b"\n"
