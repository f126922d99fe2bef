"""Parsing, and preparing new items, in worker processes limited in address space and time.

A hostile feed costs a worker, never the daemon: a worker that dies or hangs is a
``parse_error`` for its feed, and the pool is replaced so the next feed still parses.
``prepare_in_worker`` makes new items' text and story signature in the same processes; its
caller prepares in-process what a worker could not (``monitor.pipeline``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import os
import resource
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from monitor.errors import FeedError, ParseError
from monitor.model import Item
from monitor.parser.clean import MAX_ITEMS, ParsedFeed, keep_newest
from monitor.parser.core import parse
from monitor.prepare import Prepared, prepare_each

_T = TypeVar("_T")
PARENT_CHECK = 0.5  # seconds between two looks at whether the daemon is still there


def _limit_worker(memory_mb: int) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    parent = os.getppid()
    threading.Thread(target=_die_with, args=(parent,), daemon=True, name="parent-watch").start()


def _die_with(parent: int) -> None:
    """End this worker once its daemon is gone, even by SIGKILL (no clean-up runs then): an
    orphan would hold the log file and its memory forever (see #18). Polling the parent's
    pid is portable and, unlike PR_SET_PDEATHSIG, not tied to the thread that started us."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    os._exit(0)


def _ready() -> None:
    """The job that starts a worker: unpickling it imports this module, and the parser."""


def _prepare_job(items: list[Item]) -> list[Prepared] | tuple[str, str, str]:
    try:
        return prepare_each(items)
    except MemoryError:
        return ("", "parse_error", "preparing items ran out of memory")
    except Exception as exc:  # noqa: BLE001 -- as in _parse_job
        return ("", "parse_error", f"preparing items: {type(exc).__name__}: {exc}"[:200])


def _parse_job(
    url: str, content: bytes, headers: dict[str, str], max_items: int | None
) -> ParsedFeed | tuple[str, str, str]:
    # FeedError does not survive pickling (its args are the formatted message), so errors
    # travel back as (url, kind, detail).
    try:
        feed = parse(url, content, headers)
        return feed if max_items is None else keep_newest(feed, max_items)
    except FeedError as exc:
        return (exc.url, exc.kind, exc.detail)
    except MemoryError:
        return (url, "parse_error", "parser ran out of memory")
    except RecursionError:
        return (url, "parse_error", "feed nested too deeply")
    except Exception as exc:  # noqa: BLE001 -- one feed's surprise must not reach the daemon
        return (url, "parse_error", f"{type(exc).__name__}: {exc}"[:200])


class _ParserPool:
    """A small process pool, replaced whole when one of its workers dies or hangs."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._lock = threading.Lock()
        self._pools: dict[int, concurrent.futures.ProcessPoolExecutor] = {}
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
            weakref.WeakKeyDictionary()
        )

    def slots(self) -> asyncio.Semaphore:
        """One slot per worker, for the running loop: a parse's time limit then counts its
        own work, not its wait behind a hundred others queued in the executor."""
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = asyncio.Semaphore(self.workers)
        return slots

    async def get(self, memory_mb: int) -> concurrent.futures.ProcessPoolExecutor:
        """The pool for ``memory_mb``, its workers running; a new one starts in a thread."""
        pool = self._pools.get(memory_mb)
        if pool is None:
            pool = await asyncio.to_thread(self._start, memory_mb)
        return pool

    def _start(self, memory_mb: int) -> concurrent.futures.ProcessPoolExecutor:
        # Starting a worker (fork and exec of a new interpreter) takes 10-20 ms of the calling
        # thread; the executor does it in submit(), so on the event loop it would hold every
        # feed. One empty job per worker, waited for here, starts them all in this thread.
        with self._lock:
            pool = self._pools.get(memory_mb)
            if pool is not None:
                return pool
            pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=self.workers,
                # spawn: forking a process that runs an event loop and threads is unsafe.
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_limit_worker,
                initargs=(memory_mb,),
            )
            try:
                for started in [pool.submit(_ready) for _ in range(self.workers)]:
                    started.result(timeout=START_TIMEOUT)
            except BaseException:
                _kill(pool)
                raise
            self._pools[memory_mb] = pool
            return pool

    def discard(self, memory_mb: int, pool: concurrent.futures.ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pools.get(memory_mb) is pool:
                del self._pools[memory_mb]
        _kill(pool)

    def shutdown(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)


def _kill(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    # The executor has no public way to stop a worker that hangs (Python 3.14 adds one).
    processes: Mapping[int, Any] = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


_POOL = _ParserPool(workers=2)
START_TIMEOUT = 60.0  # seconds for a new worker to answer; a slow disk or a loaded machine


def shutdown_parsers() -> None:
    """Stop the parser processes (on daemon exit; the next parse starts a new pool)."""
    _POOL.shutdown()


async def parse_in_worker(
    url: str,
    content: bytes,
    headers: Mapping[str, str],
    *,
    timeout: float = 20.0,
    memory_mb: int = 300,
    max_items: int | None = MAX_ITEMS,
) -> ParsedFeed:
    """``parse`` in a worker process limited to ``memory_mb`` of address space and ``timeout``.

    A worker that dies or hangs becomes ``parse_error`` for this feed, and the pool is
    replaced so the next feed still parses. A feed whose parse was lost because another
    feed killed the shared pool is retried once. Only the newest ``max_items`` come back
    (``keep_newest``; None: all, as ``monitor scan`` prints them).
    """
    outcome = await _in_worker(
        url, timeout, memory_mb, _parse_job, url, content, dict(headers), max_items
    )
    if isinstance(outcome, ParsedFeed):
        return outcome
    _, kind, detail = outcome
    raise ParseError(url, kind, detail)


async def prepare_in_worker(
    url: str, items: Sequence[Item], *, timeout: float = 20.0, memory_mb: int = 300
) -> list[Prepared]:
    """``prepare`` of each item in a worker process, with the limits of ``parse_in_worker``:
    the process that matches and writes then spends no time reading HTML. Raises
    ``ParseError`` naming ``url`` when the worker fails; the caller may prepare in-process.
    Send items in chunks (``monitor.pipeline``): the time limit is per call."""
    outcome = await _in_worker(url, timeout, memory_mb, _prepare_job, list(items))
    if isinstance(outcome, list):
        return outcome
    _, kind, detail = outcome
    raise ParseError(url, kind, detail)


async def _in_worker(
    url: str, timeout: float, memory_mb: int, job: Callable[..., _T], *args: Any
) -> _T:
    """``job(*args)`` in the pool: a worker that dies or hangs becomes ``parse_error``."""
    loop = asyncio.get_running_loop()
    for attempt in (1, 2):
        pool: concurrent.futures.ProcessPoolExecutor | None = None
        try:
            async with _POOL.slots():
                pool = await _POOL.get(memory_mb)
                return await asyncio.wait_for(loop.run_in_executor(pool, job, *args), timeout)
        except TimeoutError:
            if pool is not None:
                _POOL.discard(memory_mb, pool)
            raise ParseError(
                url, "parse_error", f"parser gave no answer within {timeout:g} s"
            ) from None
        except concurrent.futures.process.BrokenProcessPool:
            if pool is not None:
                _POOL.discard(memory_mb, pool)
            if attempt == 1:
                continue
            raise ParseError(url, "parse_error", "parser process died (memory limit?)") from None
        except MemoryError:
            # Raised while the worker pickled its answer; the worker may be unusable now.
            if pool is not None:
                _POOL.discard(memory_mb, pool)
            raise ParseError(url, "parse_error", f"parser ran out of {memory_mb} MB") from None
    raise AssertionError("unreachable")  # pragma: no cover
