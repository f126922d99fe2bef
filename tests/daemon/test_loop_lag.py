"""The event-loop stall probe: a callback that holds the loop shows as lag, in the probe,
in the metrics and, above the threshold, in the log."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from monitor.daemon.loop_lag import LoopLagProbe
from monitor.web.health import Metrics


def _hold_the_loop(seconds: float) -> None:
    end = time.thread_time() + seconds  # CPU time: the same hold on a busy machine
    while time.thread_time() < end:
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

    with caplog.at_level(logging.WARNING, logger="monitor.daemon.loop_lag"):
        probe = asyncio.run(run())
    assert 0.07 <= probe.max_lag < 5
    assert 0.07 <= probe.max_held <= probe.max_lag  # the loop's thread was on the CPU
    assert probe.samples > 5
    assert "event loop blocked lag_ms=" in caplog.text
    rendered = metrics.render().decode()
    gauge = rendered.split("monitor_event_loop_lag_max_seconds ")[-1].split()[0]
    assert float(gauge) == pytest.approx(probe.max_lag)
    assert "monitor_event_loop_lag_seconds_count" in rendered


def test_time_off_the_cpu_is_lag_but_not_held() -> None:
    probe = LoopLagProbe(lambda: True)
    probe.record(0.2, cpu=0.001)  # descheduled: late, but nothing on the loop held it
    assert probe.max_lag == 0.2 and probe.max_held == 0.001
    probe.record(0.05, cpu=0.3)
    assert probe.max_held == 0.05


def test_idle_probe_wakes_rarely() -> None:
    async def run() -> int:
        probe = LoopLagProbe(lambda: False, idle_period=0.2, busy_period=0.001)
        probe.start()
        await asyncio.sleep(0.5)
        await probe.stop()
        return probe.samples

    assert asyncio.run(run()) <= 3
