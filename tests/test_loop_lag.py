"""The event-loop stall probe: a callback that holds the loop shows as lag, in the probe,
in the metrics and, above the threshold, in the log."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from monitor.health import Metrics
from monitor.loop_lag import LoopLagProbe


def _hold_the_loop(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_a_blocking_callback_is_measured_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    metrics = Metrics()

    async def run() -> LoopLagProbe:
        probe = LoopLagProbe(
            lambda: True, on_lag=metrics.observe_lag, busy_period=0.002, warn_after=0.03
        )
        probe.start()
        await asyncio.sleep(0.05)
        _hold_the_loop(0.08)  # a feed that parses on the loop
        await asyncio.sleep(0.02)
        await probe.stop()
        return probe

    with caplog.at_level(logging.WARNING, logger="monitor.loop_lag"):
        probe = asyncio.run(run())
    assert 0.07 <= probe.max_lag < 2
    assert probe.samples > 5
    assert "event loop blocked lag_ms=" in caplog.text
    rendered = metrics.render().decode()
    assert "monitor_event_loop_lag_max_seconds 0.0" in rendered  # 0.07… or 0.08…
    assert "monitor_event_loop_lag_seconds_count" in rendered


def test_idle_probe_wakes_rarely() -> None:
    async def run() -> int:
        probe = LoopLagProbe(lambda: False, idle_period=0.2, busy_period=0.001)
        probe.start()
        await asyncio.sleep(0.5)
        await probe.stop()
        return probe.samples

    assert asyncio.run(run()) <= 3
