"""The daemon's side of a database outage: wait at start-up, say it once while running.

At start-up (``wait_until_reachable``) an unreachable database (PostgreSQL down or
restarting) is retried with back-off, one log line per attempt, and systemd is told why
it is still starting (STATUS=, EXTEND_TIMEOUT_USEC=) so READY=1 comes only once connected.
A fault that waiting cannot mend (a garbage file, a read-only file system) raises at once.

While running (``DatabaseOutage``), every job that touches the database fails at its tick
until the database is back; instead of a traceback per job run, the outage is logged when
it begins, once a minute while it lasts, and when it ends. Jobs simply run again at their
next tick, so nothing is lost: the outbox and the feeds' next poll times are in the
database itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Callable

from monitor.daemon.systemd import SystemdNotifier
from monitor.errors import StoreError

log = logging.getLogger(__name__)

RETRY_FIRST = 1.0  # seconds before the second attempt; doubles up to RETRY_MAX
RETRY_MAX = 30.0
REPEAT_EVERY = 60.0  # seconds between two lines about the same running outage


async def wait_until_reachable(
    attempt_once: Callable[[], None],
    *,
    stop: asyncio.Event,
    systemd: SystemdNotifier,
    give_up: float | None = None,
) -> None:
    """Run ``attempt_once`` (in a thread) until it does not raise a transient StoreError,
    ``stop`` is set, or ``give_up`` seconds have passed (then the last error is raised)."""
    started = time.monotonic()
    delay = RETRY_FIRST
    for attempt in itertools.count(1):
        try:
            await asyncio.to_thread(attempt_once)
            if attempt > 1:
                log.info("database reachable attempt=%d", attempt)
            return
        except StoreError as exc:
            waited = time.monotonic() - started
            if not exc.transient or (give_up is not None and waited + delay > give_up):
                raise
            log.warning("%s (attempt %d, next in %gs)", exc, attempt, delay)
            systemd.extend_start(delay + 30, f"waiting for the database: {exc}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        if stop.is_set():
            return
        delay = min(delay * 2, RETRY_MAX)


class DatabaseOutage:
    """Whether the running daemon can reach its database, said in few lines."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.since: float | None = None
        self._said = 0.0
        self.error = ""

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, exc: StoreError) -> None:
        now = self.clock()
        self.error = str(exc)
        if self.since is None:
            self.since, self._said = now, now
            log.error("database unavailable: %s; jobs retry at their next tick", exc)
        elif now - self._said >= REPEAT_EVERY:
            self._said = now
            log.error("database still unavailable after %.0fs: %s", now - self.since, exc)

    def succeeded(self) -> None:
        if self.since is not None:
            log.info("database reachable again after %.0fs", self.clock() - self.since)
            self.since = None
