"""Health for operators: Prometheus metrics and an optional HTTP endpoint.

The endpoint is off by default; when ``[http] listen`` is set it binds there (127.0.0.1 by
default: it is not meant for the internet) and serves:
- ``/healthz``: 200 with a JSON summary while the scheduler loop is alive, 503 when it has
  not ticked for three poll periods;
- ``/metrics``: Prometheus text format;
- ``/calendar.ics``: the claimed dates, as ``monitor calendar`` writes them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
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


Route = Callable[[], Awaitable[tuple[int, str, bytes]]]


class HealthServer:
    """A tiny HTTP/1.0 server on the event loop: GET only, a few fixed routes."""

    def __init__(self, host: str, port: int, routes: dict[str, Route]) -> None:
        self.host, self.port, self.routes = host, port, routes
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self.port)
        sock = self._server.sockets[0].getsockname()
        self.port = sock[1]
        log.info("health endpoint listening on http://%s:%d/healthz", self.host, self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), 5)
            while (line := await asyncio.wait_for(reader.readline(), 5)) not in (
                b"\r\n",
                b"\n",
                b"",
            ):
                if len(line) > 8192:
                    break
            parts = request.decode("latin-1").split()
            path = parts[1].split("?")[0] if len(parts) >= 2 else ""
            route = self.routes.get(path) if parts and parts[0] == "GET" else None
            if route is None:
                status, ctype, body = 404, "text/plain", b"not found\n"
            else:
                status, ctype, body = await route()
            reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}.get(status, "")
            head = (
                f"HTTP/1.0 {status} {reason}\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode() + body)
            await writer.drain()
        except (TimeoutError, ConnectionError, UnicodeDecodeError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


def healthz_body(alive: bool, summary: dict[str, Any]) -> tuple[int, str, bytes]:
    data = {"status": "ok" if alive else "stalled", "checked": time.time(), **summary}
    return (200 if alive else 503), "application/json", json.dumps(data).encode() + b"\n"
