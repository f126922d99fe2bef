"""The fetch state of polled feeds, written a batch at a time.

After a successful fetch a feed changes only its own row: when it was fetched, its
validators and content hash, when to poll it next, its lease released. Written one by one,
an all-304 cycle of 1,000 feeds is 1,000 thread hops and 1,000 transactions (each a WAL
commit on SQLite, a round trip and a commit on PostgreSQL), and costs more than the fetches;
a first poll adds 1,000 write transactions to the 1,000 that store the items.
Here each poll adds its row and waits; the rows gathered within ``window`` seconds (or
``max_rows`` of them) go to the database in one transaction, rows that arrive while it runs
go in the next, and every waiting poll then returns as if it had written its own, or gets
the same StoreError. The window is short (20 ms): at 50 ms, with 200 polls in flight over
1,000 feeds, a third of an all-304 cycle was spent waiting; with no window at all, the
transactions got so small that their CPU cost more than the wait saved (see
benchmarks/results/2026-11-28-notebook.md, "A shorter window for fetch state").

Nothing that matters is lost on a crash: a poll returns only once its row is committed, and
rows not yet committed when the process dies leave their feeds as they were before the
fetch, still leased; those feeds are polled again once the lease runs out (at once on a
restart that owns the SQLite file). An unchanged feed answers 304 again; a changed one is
fetched and parsed again, and its items, committed before its row was queued, are known and
dropped: no item is stored twice and no alert raised twice (the same as a crash between
the two transactions when each feed wrote its own). The worst case is one extra fetch per
feed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from concurrent.futures import Executor

from monitor.store import Store
from monitor.store.feeds import SuccessfulFetch

WINDOW = 0.02  # seconds a batch waits for company before its transaction
MAX_ROWS = 500


class FetchStateBatch:
    """Coalesces feeds' fetch-state writes into one transaction per short window."""

    def __init__(
        self,
        store: Store,
        *,
        window: float = WINDOW,
        max_rows: int = MAX_ROWS,
        executor: Executor | None = None,
    ) -> None:
        self.store = store
        # The thread that writes (the daemon's one writer, which also stores new items): on
        # SQLite two writing threads queue on BEGIN IMMEDIATE's lock; None: any thread.
        self.executor = executor
        self.window = window
        self.max_rows = max_rows
        self.transactions = 0
        self._pending: list[tuple[SuccessfulFetch, asyncio.Future[None]]] = []
        self._full = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None

    async def record(self, fetch: SuccessfulFetch) -> None:
        """Returns once ``fetch`` is committed; raises what the write raised."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((fetch, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write(), name="fetch state batch")
        elif len(self._pending) >= self.max_rows:
            self._full.set()
        await asyncio.shield(done)  # a cancelled poll leaves its row in the batch

    async def _write(self) -> None:
        try:
            while self._pending:
                if self.window > 0 and len(self._pending) < self.max_rows:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._full.wait(), self.window)
                self._full.clear()
                batch = self._pending[: self.max_rows]
                del self._pending[: self.max_rows]
                await self._commit(batch)
        finally:
            self._writer = None
            if self._pending:  # cancelled (the daemon stops): nobody will write these
                for _, done in self._pending:
                    done.cancel()
                self._pending.clear()

    async def _commit(self, batch: Sequence[tuple[SuccessfulFetch, asyncio.Future[None]]]) -> None:
        try:
            fetches = [f for f, _ in batch]
            await asyncio.get_running_loop().run_in_executor(
                self.executor, self.store.record_fetches, fetches
            )
        except asyncio.CancelledError:
            for _, done in batch:
                done.cancel()
            raise
        except Exception as exc:  # noqa: BLE001 -- each poll gets the error and records it
            for _, done in batch:
                if not done.done():
                    done.set_exception(exc)
            return
        self.transactions += 1
        for _, done in batch:
            if not done.done():
                done.set_result(None)
