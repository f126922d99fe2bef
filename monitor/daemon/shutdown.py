"""Stopping the daemon within one deadline, whatever a feed, a target or the database does.

systemd kills a service that has not stopped TimeoutStopSec (15 s) after SIGTERM; the
daemon is done in STOP_DEADLINE (see #18):
1. polls in flight are cancelled (their feeds' leases lapse or are released at the next
   start) and get two seconds to unwind;
2. job runs already started (a claim, a delivery round) finish their current step until
   STOP_CLOSE seconds before the deadline, then are cancelled: a send cut short is not
   marked, and goes again at the next start (at-least-once);
3. closing the fetcher, the parsers and the database gets what is left.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence

log = logging.getLogger(__name__)

STOP_DEADLINE = 8.0  # seconds from SIGTERM to the end of clean-up
STOP_CLOSE = 2.0  # of which kept for closing


async def finish_running(polls: Sequence[asyncio.Task[object]], deadline: float) -> None:
    """Steps 1 and 2; ``deadline`` is on the running loop's clock."""
    loop = asyncio.get_running_loop()
    for task in polls:
        task.cancel()
    if polls:
        await asyncio.wait(polls, timeout=2)
    running = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    if not running:
        return
    grace = max(0.5, deadline - loop.time() - STOP_CLOSE)
    _, late = await asyncio.wait(running, timeout=grace)
    for task in late:
        task.cancel()
    if late:
        log.warning(
            "stopping: %d job runs cut short (a target or the database did not answer in "
            "time); what they had not recorded is done again at the next start",
            len(late),
        )
        await asyncio.wait(late, timeout=0.5)


async def close_within(closing: Awaitable[None], deadline: float) -> None:
    """Step 3: wait for ``closing`` until the deadline, and no longer."""
    remaining = max(0.5, deadline - asyncio.get_running_loop().time())
    try:
        await asyncio.wait_for(closing, remaining)
    except TimeoutError:
        log.warning("stopping: closing did not finish in time; the next start redoes it")
