"""How long the event loop was held: a timer that measures how late it wakes up.

Everything the daemon does concurrently (fetches, deliveries, the watchdog ping, the health
endpoint) waits while one callback holds the loop, so a feed that parses, hashes or matches
on the loop delays every other feed. The probe sleeps for a short period and records how much
later than asked it woke: that lateness is the time some callback kept the loop. It samples:
a block of B seconds shows as a lateness between B - period and B, so the probe runs every
few milliseconds while feeds are in flight and once a second when the daemon is idle (a
sleeping daemon should not wake the CPU a hundred times a second).

Lateness is wall time, and also counts time the process was not running (other processes
had the CPUs). ``max_held`` is the part of it the loop's own thread spent on the CPU: the
time code on the loop really held it, which is what a feed that blocks the loop costs.

``on_state`` hears at every sample whether feeds are in flight (the daemon puts off full
garbage collections meanwhile). Lags above ``warn_after`` are logged, at most once per ``log_every`` seconds with the worst
lag since the last line, so a slow loop is visible without flooding the log.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

BUSY_PERIOD = 0.005
IDLE_PERIOD = 1.0
WARN_AFTER = 0.1
LOG_EVERY = 60.0


class LoopLagProbe:
    """Measures event-loop lateness while it runs; ``max_lag`` is the worst seen so far."""

    def __init__(
        self,
        busy: Callable[[], bool],
        *,
        on_lag: Callable[[float], None] | None = None,
        on_state: Callable[[bool], None] | None = None,
        busy_period: float = BUSY_PERIOD,
        idle_period: float = IDLE_PERIOD,
        warn_after: float = WARN_AFTER,
        log_every: float = LOG_EVERY,
    ) -> None:
        self.busy = busy
        self.on_lag = on_lag
        self.on_state = on_state
        self.busy_period = busy_period
        self.idle_period = idle_period
        self.warn_after = warn_after
        self.log_every = log_every
        self.max_lag = 0.0
        self.max_held = 0.0
        self.samples = 0
        self._unlogged = 0.0
        self._logged_at = -log_every
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="loop lag probe")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        clock, cpu = time.perf_counter, time.thread_time
        while True:
            busy = self.busy()
            if self.on_state is not None:
                self.on_state(busy)
            period = self.busy_period if busy else self.idle_period
            asked, used = clock(), cpu()
            await asyncio.sleep(period)
            self.record(clock() - asked - period, cpu() - used)

    def record(self, lag: float, cpu: float | None = None) -> None:
        """One sample: how much later than asked the probe ran (negative is on time), and
        the CPU time the loop's thread used meanwhile (None: all of the lag was CPU)."""
        lag = max(lag, 0.0)
        self.samples += 1
        self.max_lag = max(self.max_lag, lag)
        self.max_held = max(self.max_held, lag if cpu is None else min(lag, cpu))
        if self.on_lag is not None:
            self.on_lag(lag)
        if lag < self.warn_after:
            return
        self._unlogged = max(self._unlogged, lag)
        now = time.monotonic()
        if now - self._logged_at >= self.log_every:
            log.warning(
                "event loop blocked lag_ms=%.0f (the worst since the last such line); "
                "every feed and delivery waited that long",
                self._unlogged * 1000,
            )
            self._logged_at, self._unlogged = now, 0.0
