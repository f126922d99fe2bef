"""The daemon: APScheduler 3.x (AsyncIOScheduler) driving polls and deliveries.

One event loop holds the HTTP client. Jobs (all ``coalesce=True, max_instances=1``):
- ``poll``: every few seconds, claim the feeds that are due (each feed keeps its own
  ``next_poll_at``, pushed back by its interval, Retry-After or error back-off) and start a
  task per feed; a slow feed never holds the others.
- ``deliver``: send pending deliveries from the outbox.
- ``watchlists``: reload the watchlists when a file in them changes.
- ``watchdog``: tell systemd we are alive, from the loop itself, so a hung loop is restarted.
- ``retention``: every few hours, prune items older than ``[storage] retention``.
SIGTERM/SIGINT stop cleanly; SIGHUP reloads the config and the watchlists.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from monitor.daemon.core import DaemonCore
from monitor.daemon.inputs import watchlist_signature
from monitor.daemon.shutdown import STOP_DEADLINE, close_within, finish_running
from monitor.delivery.outbox import deliver_pending
from monitor.errors import ConfigError, StoreError
from monitor.pipeline import PollContext, PollReport, poll_feed
from monitor.store.feeds import FeedRow
from monitor.store.tables import utcnow

if TYPE_CHECKING:
    from apscheduler.events import JobExecutionEvent

    from monitor.web.server import WebServer

log = logging.getLogger(__name__)

STATUS_TICK = 15.0
DELIVERY_TICK = 10.0
WATCHLIST_TICK = 3.0
RETENTION_TICK = 6 * 3600.0

# Jobs that reach the database each time they run: their success ends an outage.
_DATABASE_JOBS = frozenset({"poll", "deliver", "heartbeat"})


class Daemon(DaemonCore):
    """``monitor run``: the jobs of the module docstring on one AsyncIOScheduler."""

    async def run_forever(self, stops: Sequence[int] = ()) -> None:
        """Run until SIGTERM or SIGINT; ``stops`` holds those that came before the loop's own
        handlers were set (the command line keeps them while modules load)."""
        from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        # Signals are ours before start-up work begins: a SIGTERM while migrating or loading
        # stops cleanly once that is done, and a SIGHUP then reloads what changed meanwhile.
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stop.set)
        if stops:
            self._stop.set()
        early_hup: list[bool] = []
        loop.add_signal_handler(signal.SIGHUP, lambda: early_hup.append(True))
        await self.prepare()
        try:
            health = await self._start_health(self.poll_tick())
        except ConfigError:
            await self.close()
            raise
        if self._stop.is_set():
            if health is not None:
                await health.close()
            await self.close()
            log.info("stopped during start-up")
            return
        loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(self.reload("SIGHUP")))
        if early_hup:
            await self.reload("SIGHUP during start-up")
        scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
        )
        scheduler.add_listener(self._job_done, EVENT_JOB_ERROR | EVENT_JOB_EXECUTED)
        self._scheduler = scheduler
        now = datetime.now(UTC)
        tick = self.poll_tick()
        scheduler.add_job(self._poll_due, "interval", seconds=tick, next_run_time=now, id="poll")
        scheduler.add_job(
            self._deliver, "interval", seconds=DELIVERY_TICK, next_run_time=now, id="deliver"
        )
        scheduler.add_job(
            self._check_watchlists, "interval", seconds=WATCHLIST_TICK, id="watchlists"
        )
        if self.settings.retention is not None:
            scheduler.add_job(
                self._prune,
                "interval",
                seconds=RETENTION_TICK,
                next_run_time=now + timedelta(minutes=1),
                id="retention",
            )
        beat = self.systemd.watchdog_interval()
        scheduler.add_job(
            self._heartbeat,
            "interval",
            seconds=min(beat or STATUS_TICK, STATUS_TICK),
            next_run_time=now,
            id="heartbeat",
        )
        scheduler.start()
        self.loop_lag.start()
        await self._heartbeat()
        self.systemd.ready(self._status)
        self._announce("daemon started")
        try:
            await self._stop.wait()
        finally:
            log.info("stopping: finishing the current writes")
            self.systemd.stopping()
            deadline = loop.time() + STOP_DEADLINE
            # No new job runs; the scheduler's shutdown would cancel those already started,
            # a delivery round in the middle of a send among them (sent, not recorded: sent
            # again by the next start), so it comes last, when they are done.
            scheduler.pause()
            await self.loop_lag.stop()  # it never ends by itself: not a job to wait for
            self.full_collections.release()
            await finish_running(list(self._tasks.values()), deadline)
            scheduler.shutdown(wait=False)
            if health is not None:
                await health.close()
            await close_within(self.close(), deadline)
            log.info("stopped")

    async def _start_health(self, tick: float) -> WebServer | None:
        """The HTTP listener of ``[http] listen``: health, metrics and the dashboard."""
        listen = self.settings.http_listen
        if not listen:
            return None
        from monitor.web.server import Daemon, WebServer, listen_address

        def alive() -> bool:
            return time.monotonic() - self._last_tick < max(3 * tick, 3 * STATUS_TICK)

        view = Daemon(
            lambda: self.settings,
            self.store,
            lambda: self.rules,
            self.metrics,
            self.web_status,
            alive,
        )
        server = WebServer(view, *listen_address(listen))
        try:
            await server.start()
        except OSError as exc:
            raise ConfigError(
                f"[http] listen = {listen!r}: cannot listen there: {exc.strerror or exc}"
            ) from None
        return server

    def _job_done(self, event: JobExecutionEvent) -> None:
        """One line per failure, never a traceback; a database outage is said once."""
        exc = event.exception
        if isinstance(exc, StoreError):
            self.outage.failed(exc)
            self.web_status.error(f"database: {exc}")
        elif isinstance(exc, asyncio.CancelledError):
            pass  # cut short by a stop, which says so itself
        elif exc is not None:
            log.error("job failed job=%s error=%s: %s", event.job_id, type(exc).__name__, exc)
            self.web_status.error(f"job {event.job_id} failed: {type(exc).__name__}: {exc}")
        elif event.job_id in _DATABASE_JOBS:
            self.outage.succeeded()

    async def _poll_due(self) -> None:
        self._last_tick = time.monotonic()
        self.metrics.last_tick.set_to_current_time()
        if self._stranded:
            stranded = set(self._stranded)
            await asyncio.to_thread(self.store.release_feeds, stranded)
            self._stranded -= stranded
        room = self.settings.concurrency * 2 - len(self._tasks)
        if room <= 0:
            return
        feeds = await asyncio.to_thread(
            self.store.claim_due_feeds,
            self.feed_urls(),
            utcnow(),
            lease=self.feed_lease,
            limit=room,
        )
        if self._stop.is_set():
            return  # stopping meanwhile: these leases lapse (or the next start releases them)
        ctx = self.context()
        if feeds:
            self.web_status.round_started()
        for feed in feeds:
            if feed.id in self._tasks:
                continue
            task = asyncio.create_task(self._timed_poll(feed, ctx), name=f"poll {feed.url}")
            self._tasks[feed.id] = task
            task.add_done_callback(partial(self._poll_done, feed.id))

    async def _timed_poll(self, feed: FeedRow, ctx: PollContext) -> PollReport:
        with self.metrics.poll_seconds.time():
            return await poll_feed(feed, ctx)

    def _poll_done(self, feed_id: int, task: asyncio.Task[PollReport]) -> None:
        self._tasks.pop(feed_id, None)
        if not self._tasks:
            self.web_status.round_done()
        if task.cancelled():
            return
        exc = task.exception()
        if isinstance(exc, StoreError):
            self.outage.failed(exc)
            self.web_status.error(f"database: {exc}")
            return
        if exc is not None:
            log.error("poll crashed feed_id=%d error=%s: %s", feed_id, type(exc).__name__, exc)
            self.web_status.error(f"poll crashed: {type(exc).__name__}: {exc}")
            return
        report = task.result()
        if report.error is not None and report.error.kind == "db_error":
            self._stranded.add(feed_id)  # its lease could not be given back: at reconnection
        outcome = report.error.kind if report.error else report.status
        self.metrics.fetches.labels(outcome=outcome).inc()
        self.metrics.items.inc(report.new_items)
        self.metrics.alerts.inc(len(report.alerts))
        if report.alerts:
            self._wake_delivery()

    def _wake_delivery(self) -> None:
        """Deliver new alerts now rather than at the next tick, one delivery run at a time."""
        if self._delivering:
            self._deliver_again = True
        elif self._scheduler is not None:
            self._scheduler.modify_job("deliver", next_run_time=datetime.now(UTC))

    async def _deliver(self) -> None:
        self._delivering = True
        try:
            while True:
                self._deliver_again = False
                await self._deliver_once()
                if not self._deliver_again:
                    return
        finally:
            self._delivering = False

    async def _deliver_once(self) -> None:
        report = await deliver_pending(
            self.store,
            self.notifier,
            give_up=self.settings.delivery_give_up,
            now=utcnow,
            stopping=self._stop.is_set,
        )
        self.metrics.delivered.inc(report.delivered)
        self.metrics.delivery_failures.inc(report.retrying + report.failed)

    async def _heartbeat(self) -> None:
        """Runs on the loop: a hung loop sends no WATCHDOG=1 and systemd restarts us."""
        watchdog = ["WATCHDOG=1"] if self.systemd.watchdog_interval() else []
        try:
            feeds = await asyncio.to_thread(self.store.feed_health, self.feed_urls())
            deliveries = await asyncio.to_thread(self.store.delivery_counts)
        except StoreError as exc:
            # the loop is alive: say so, and why nothing moves
            self._status = f"database unavailable: {exc}"
            self.systemd.notify(*watchdog, f"STATUS={self._status}")
            raise
        self.metrics.pending.set(deliveries.get("pending", 0))
        self.metrics.feeds_failing.set(feeds["failing"])
        self._status = (
            f"feeds {feeds['ok']} ok, {feeds['failing']} failing, {feeds['disabled']} disabled; "
            f"alerts {deliveries.get('pending', 0)} pending, {deliveries.get('failed', 0)} failed"
        )
        self.web_status.summary = self._status
        self.systemd.notify(*watchdog, f"STATUS={self._status}")

    async def _check_watchlists(self) -> None:
        signature = watchlist_signature(self.settings.watchlist_paths)
        if signature != self._signature:
            self._signature = signature
            await self.reload("watchlist change", config=False)
