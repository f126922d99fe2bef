"""Run ``python -m monitor ...`` timing every event-loop callback and every collection.

    LOOP_CALLBACKS_OUT=out.json python benchmarks/loop_callbacks.py run --once --config c.toml

The loop-lag probe samples lateness, which on a loaded 2-CPU box is mostly waiting for a CPU;
this times each callback itself (the thread CPU it used, and its wall time) by wrapping
``asyncio.Handle._run``, and each garbage collection (``gc.callbacks``, in any thread: a
collection holds the GIL, so the loop waits for it too). At exit it writes the worst ones to
``LOOP_CALLBACKS_OUT`` as JSON. Bench-only: the daemon itself never pays for this.
"""

from __future__ import annotations

import asyncio.events
import atexit
import collections
import gc
import heapq
import json
import os
import runpy
import sys
import threading
import time
from typing import Any

KEEP = 8  # the worst callbacks kept, with what they ran

_worst: list[tuple[float, float, str]] = []  # (thread CPU s, wall s, callback), a min-heap
_count = 0
_gc_start: dict[int, tuple[float, float, int]] = {}
_gc_worst: dict[int, float] = {0: 0.0, 1: 0.0, 2: 0.0}  # thread CPU
_gc_worst_wall: dict[int, float] = {0: 0.0, 1: 0.0, 2: 0.0}
_gc_count: dict[int, int] = {0: 0, 1: 0, 2: 0}
_original_run = asyncio.events.Handle._run
_in_cycle = False  # between the lag probe's start and stop: the polls, not the start-up


def _name(handle: asyncio.events.Handle) -> str:
    """The callback, or for a task's step the coroutine it runs (where the time went)."""
    task = getattr(handle._callback, "__self__", None)
    coro = getattr(task, "get_coro", lambda: None)()
    frame = getattr(coro, "cr_frame", None)
    if coro is not None:
        where = f" at {frame.f_code.co_filename}:{frame.f_lineno}" if frame else ""
        return f"{getattr(coro, '__qualname__', coro)}{where} ({handle!r})"[:300]
    return repr(handle)[:300]


def _timed_run(self: asyncio.events.Handle) -> None:
    global _count
    if not _in_cycle:
        _original_run(self)
        return
    cpu, wall = time.thread_time(), time.perf_counter()
    _original_run(self)
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    if not _in_cycle:  # the cycle ended in this callback, with the bench's census
        return
    _count += 1
    if len(_worst) < KEEP:
        heapq.heappush(_worst, (cpu, wall, _name(self)))
    elif cpu > _worst[0][0]:
        heapq.heapreplace(_worst, (cpu, wall, _name(self)))


def _on_gc(phase: str, info: dict[str, Any]) -> None:
    if not _in_cycle:
        return
    ident = threading.get_ident()
    if phase == "start":
        _gc_start[ident] = (time.thread_time(), time.perf_counter(), info["generation"])
        return
    started = _gc_start.pop(ident, None)
    if started is not None:
        cpu, wall, generation = started
        _gc_count[generation] += 1
        _gc_worst[generation] = max(_gc_worst[generation], time.thread_time() - cpu)
        _gc_worst_wall[generation] = max(_gc_worst_wall[generation], time.perf_counter() - wall)


_tracked: dict[str, Any] = {}


def _census() -> None:
    """What the collector tracks at the end of the cycle: what a full collection walks."""
    kinds = collections.Counter(type(o).__name__ for o in gc.get_objects())
    _tracked.update(
        total=sum(kinds.values()), frozen=gc.get_freeze_count(), top=kinds.most_common(12)
    )


def _write() -> None:
    out = os.environ.get("LOOP_CALLBACKS_OUT")
    if not out:
        return
    worst = sorted(_worst, reverse=True)
    report = {
        "callbacks": _count,
        "max_cpu_ms": worst[0][0] * 1000 if worst else 0.0,
        "worst": [
            {"cpu_ms": cpu * 1000, "wall_ms": wall * 1000, "callback": name}
            for cpu, wall, name in worst
        ],
        "gc_max_ms": {str(g): v * 1000 for g, v in _gc_worst.items()},
        "gc_max_wall_ms": {str(g): v * 1000 for g, v in _gc_worst_wall.items()},
        "gc_count": {str(g): n for g, n in _gc_count.items()},
        "tracked": _tracked,
    }
    with open(out, "w") as f:
        json.dump(report, f, indent=1)


def _watch_cycle() -> None:
    """Time only while the daemon's lag probe runs: from the first claim to the last
    delivery of ``run --once``, while feeds are polled in ``run``."""
    from monitor.daemon.loop_lag import LoopLagProbe

    start, stop = LoopLagProbe.start, LoopLagProbe.stop

    def started(self: LoopLagProbe) -> None:
        global _in_cycle
        _in_cycle = True
        start(self)

    async def stopped(self: LoopLagProbe) -> None:
        global _in_cycle
        if _in_cycle:
            _in_cycle = False  # the census is the bench's own cost, not the loop's
            _census()
        await stop(self)

    LoopLagProbe.start = started  # type: ignore[method-assign]
    LoopLagProbe.stop = stopped  # type: ignore[method-assign]


def main() -> None:
    _watch_cycle()
    asyncio.events.Handle._run = _timed_run  # type: ignore[method-assign]
    gc.callbacks.append(_on_gc)
    atexit.register(_write)
    sys.argv = ["monitor", *sys.argv[1:]]
    runpy.run_module("monitor", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
