"""The limit on feeds between a changed body and their stored items (``PollContext``).

The parser processes are the bottleneck of a first poll. Without a limit every fetched feed
parses, then queues its items for preparing behind every other feed's parse, and the daemon
holds all their parsed items meanwhile (80 MB on 1,000 real feeds): at most ``slots`` feeds
are parsed, prepared and stored at once.

A fetched body that waits for a slot holds its bytes. With twice the fetch limit of polls in
flight, some 200 bodies waited on the real-feed farm's first poll (50 MB of the daemon's
peak, see #17), where a few keep the parsers busy. So a feed never fetched before (no
validators, no content hash: it will send a body) starts its fetch only while fewer than
``bodies`` such fetches and fetched bodies wait. Other feeds fetch at once: most answer 304
or the same bytes, and an all-304 cycle never waits here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class ProcessingSlots:
    def __init__(self, slots: int, bodies: int) -> None:
        self._slots = asyncio.Semaphore(slots)
        self.bodies_max = bodies
        self.bodies = 0  # fetches sure to bring a body, and fetched bodies without a slot
        self._room = asyncio.Event()
        self._room.set()

    @asynccontextmanager
    async def poll(self, *, sure_body: bool) -> AsyncIterator[Poll]:
        """One feed's poll; with ``sure_body`` it waits for room before its fetch."""
        if sure_body:
            while self.bodies >= self.bodies_max:
                await self._room.wait()
        poll = Poll(self, counted=sure_body)
        if sure_body:
            self._count(1)
        try:
            yield poll
        finally:
            if poll.counted:
                self._count(-1)

    def _count(self, change: int) -> None:
        self.bodies += change
        if self.bodies < self.bodies_max:
            self._room.set()
        else:
            self._room.clear()


class Poll:
    """A poll's place in ``ProcessingSlots``: its body counts until it has a slot."""

    def __init__(self, slots: ProcessingSlots, *, counted: bool) -> None:
        self.slots = slots
        self.counted = counted

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Parsing, preparing and storing this poll's body."""
        if not self.counted:
            self.slots._count(1)
            self.counted = True
        try:
            await self.slots._slots.acquire()
        finally:
            self.slots._count(-1)
            self.counted = False
        try:
            yield
        finally:
            self.slots._slots.release()
