"""``monitor.processing``: first fetches wait while enough bodies wait; other polls never do."""

from __future__ import annotations

import asyncio

import pytest

from monitor.processing import ProcessingSlots


def test_first_fetches_wait_for_room_and_bodies_count_until_their_slot() -> None:
    async def scenario() -> None:
        slots = ProcessingSlots(slots=1, bodies=2)
        started: list[int] = []
        release = asyncio.Event()

        async def first_poll(n: int) -> None:
            async with slots.poll(sure_body=True) as poll:
                started.append(n)  # the fetch
                async with poll.slot():
                    await release.wait()

        tasks = [asyncio.create_task(first_poll(n)) for n in range(4)]
        await asyncio.sleep(0.01)
        # one body has the slot, one waits for it, one more fetch fits; the fourth waits
        assert started == [0, 1, 2]
        assert slots.bodies == 2
        async with slots.poll(sure_body=False):  # a feed fetched before: never waits
            pass
        release.set()
        await asyncio.gather(*tasks)
        assert started == [0, 1, 2, 3]
        assert slots.bodies == 0

    asyncio.run(scenario())


def test_a_poll_that_fails_or_brings_no_body_gives_its_room_back() -> None:
    async def scenario() -> None:
        slots = ProcessingSlots(slots=1, bodies=1)
        with pytest.raises(RuntimeError):
            async with slots.poll(sure_body=True):
                raise RuntimeError("fetch failed")
        async with slots.poll(sure_body=True):
            pass  # a 304 after all
        waiting = asyncio.create_task(slots._slots.acquire())
        await waiting
        task = asyncio.create_task(_body_then_slot(slots))
        await asyncio.sleep(0.01)
        task.cancel()  # cancelled while waiting for the slot
        with pytest.raises(asyncio.CancelledError):
            await task
        assert slots.bodies == 0

    asyncio.run(scenario())


async def _body_then_slot(slots: ProcessingSlots) -> None:
    async with slots.poll(sure_body=False) as poll, poll.slot():
        pass
