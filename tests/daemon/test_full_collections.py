"""Full collections are put off while feeds are polled, and run once the daemon is idle."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest

from monitor.daemon.full_collections import FullCollections
from monitor.daemon.loop_lag import LoopLagProbe


@pytest.fixture(autouse=True)
def _thresholds() -> Iterator[None]:
    # The old generation holds only what a test makes: a full collection is due after the
    # same work whatever ran before in this process.
    saved = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.collect()  # the collector's idea of the old generation's size, now near empty
    yield
    gc.unfreeze()
    gc.set_threshold(*saved)


def _full_collections_during(work: int) -> int:
    """How many generation-2 collections the interpreter starts while cycles are made."""
    seen = 0

    def count(phase: str, info: dict[str, int]) -> None:
        nonlocal seen
        seen += phase == "start" and info["generation"] == 2

    gc.callbacks.append(count)
    try:
        keep = []
        for i in range(work):
            node: list[object] = [i]
            node.append(node)  # a cycle: only the collector frees it
            if i % 3 == 0:
                keep.append(node)  # survivors, so the old generation grows
        del keep
    finally:
        gc.callbacks.remove(count)
    return seen


def test_no_full_collection_while_busy_and_one_when_idle() -> None:
    gc.set_threshold(100, 2, 2)  # small, so a full collection is due within the test
    assert _full_collections_during(100_000) > 0
    pacing = FullCollections()
    pacing.update(True)
    assert _full_collections_during(100_000) == 0
    pacing.update(True)
    assert pacing.collections == 0
    pacing.update(False)
    assert pacing.collections == 1
    assert gc.get_threshold() == (100, 2, 2)
    assert _full_collections_during(100_000) > 0


def test_a_daemon_that_is_never_idle_still_collects() -> None:
    pacing = FullCollections(max_defer=0.0)
    pacing.update(True)
    pacing.update(True)  # overdue: collects and puts off the next one again
    assert pacing.collections == 1
    assert gc.get_threshold()[2] > 1_000_000
    pacing.release()
    assert gc.get_threshold()[2] < 1_000_000


def test_the_probe_reports_busy_and_idle() -> None:
    states: list[bool] = []
    busy = True

    async def run() -> None:
        nonlocal busy
        probe = LoopLagProbe(lambda: busy, on_state=states.append, busy_period=0.002)
        probe.start()
        await asyncio.sleep(0.03)
        busy = False
        probe.idle_period = 0.002
        await asyncio.sleep(0.03)
        await probe.stop()

    asyncio.run(run())
    assert states[0] is True and states[-1] is False
