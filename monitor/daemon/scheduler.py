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
import gc
import logging
import signal
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from monitor import logs
from monitor.analysis import Rules
from monitor.daemon import startup
from monitor.daemon.db_outage import DatabaseOutage, wait_until_reachable
from monitor.daemon.full_collections import FullCollections
from monitor.daemon.health import DaemonStatus, Metrics
from monitor.daemon.inputs import check_targets, watchlist_signature
from monitor.daemon.loop_lag import LoopLagProbe
from monitor.daemon.shutdown import STOP_DEADLINE, close_within, finish_running
from monitor.daemon.systemd import SystemdNotifier
from monitor.delivery.notifier import Notifier, secrets_of
from monitor.delivery.outbox import deliver_pending
from monitor.errors import ConfigError, StoreError, WatchlistError
from monitor.feeds import feed_specs
from monitor.fetch_state_batch import FetchStateBatch
from monitor.fetcher import Fetcher
from monitor.pipeline import PollContext, PollReport, poll_feed
from monitor.recent import RecentKeys
from monitor.redact import url_secrets
from monitor.settings import Settings, load_settings
from monitor.store import Store, make_engine, upgrade
from monitor.store.engine import InstanceLock
from monitor.store.feeds import FeedRow
from monitor.store.tables import utcnow

if TYPE_CHECKING:
    from apscheduler.events import JobExecutionEvent
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from monitor.web.server import WebServer

log = logging.getLogger(__name__)

POLL_TICK = 5.0
STATUS_TICK = 15.0
PARSE_TIMEOUT = 20.0  # parse_in_worker's and prepare_in_worker's default time limit
DELIVERY_TICK = 10.0
WATCHLIST_TICK = 3.0
RETENTION_TICK = 6 * 3600.0
DB_GIVE_UP_ONCE = 60.0  # `run --once` (cron) waits this long for the database, then fails


# Jobs that reach the database each time they run: their success ends an outage.
_DATABASE_JOBS = frozenset({"poll", "deliver", "heartbeat"})


def _writer() -> ThreadPoolExecutor:
    """The thread that writes new items (PollContext.writer); started by its first job."""
    return ThreadPoolExecutor(1, thread_name_prefix="monitor-writer")


class Daemon:
    def __init__(self, settings: Settings, *, config_arg: str | None = None) -> None:
        self.settings = settings
        self.config_arg = config_arg
        # what the config says is checked before anything is created on disk
        self.rules = Rules.load(settings)
        self.notifier = Notifier.from_settings(settings)
        check_targets(self.notifier)
        self.engine = make_engine(settings.database_url, daemon=True)
        self.store = Store(self.engine)
        self.lock = InstanceLock(settings.database_url)
        self.systemd = SystemdNotifier()
        self.fetcher = Fetcher.from_settings(settings)
        self._signature = watchlist_signature(settings.watchlist_paths)
        self._feed_urls: list[str] | None = None
        self._tasks: dict[int, asyncio.Task[PollReport]] = {}
        self.recent = RecentKeys()
        self._stop = asyncio.Event()
        self.metrics = Metrics(served=settings.http_listen is not None)
        self.fetch_states = FetchStateBatch(self.store)
        self.writer = _writer()
        self._cycle = False  # `run --once` is polling
        self.full_collections = FullCollections()
        self.loop_lag = LoopLagProbe(
            lambda: self._cycle or bool(self._tasks),
            on_lag=self.metrics.observe_lag,
            on_state=self.full_collections.update,
        )
        self._status = "starting"
        self.web_status = DaemonStatus()  # what the dashboard's status strip shows
        self.outage = DatabaseOutage()
        self._stranded: set[int] = set()  # feeds whose poll the database did not record
        self._scheduler: AsyncIOScheduler | None = None
        self._delivering = self._deliver_again = False
        self._last_tick = time.monotonic()

    def context(self) -> PollContext:
        return PollContext(
            fetcher=self.fetcher,
            store=self.store,
            rules=lambda: self.rules,
            interval=self.settings.interval,
            backoff_max=self.settings.error_backoff_max,
            alert_max_age=self.settings.alert_max_age,
            now=utcnow,
            recent=self.recent,
            failing_alert_after=self.settings.failing_alert_after,
            notifier=self.notifier,
            fetch_states=self.fetch_states,
            writer=self.writer,
        )

    @property
    def feed_lease(self) -> timedelta:
        """How long a claimed feed is ours: the fetch deadline, the parse time limit, that of
        preparing its new items (a chunk at a time, each far below it) and a margin. Another
        instance takes a feed over only after this, so a dead instance's feeds wait at most
        this long."""
        return timedelta(seconds=self.settings.fetch_deadline + 2 * PARSE_TIMEOUT + 10)

    def poll_tick(self) -> float:
        """How often to look for due feeds: often enough for the shortest interval."""
        shortest = min(
            [self.settings.interval] + [f.interval for f in self.settings.feeds if f.interval]
        )
        return max(0.5, min(POLL_TICK, shortest / 2))

    def feed_urls(self) -> list[str]:
        """The configured feeds' URLs; asked at every poll tick, so kept until a reload."""
        if self._feed_urls is None:
            self._feed_urls = [s.url for s in feed_specs(self.settings, self.rules.watchlists)]
        return self._feed_urls

    async def prepare(self, *, give_up: float | None = None) -> None:
        self.lock.acquire()
        await wait_until_reachable(
            partial(upgrade, self.engine), stop=self._stop, systemd=self.systemd, give_up=give_up
        )
        if self._stop.is_set():
            return
        if self.lock.exclusive:
            # alone on this database: leases left by a killed process are stale
            await asyncio.to_thread(self.store.release_all_leases)
        await asyncio.to_thread(
            self.store.sync_feeds, feed_specs(self.settings, self.rules.watchlists)
        )
        # Start-up made some hundred thousand objects (modules, the ORM's mappings) that live
        # as long as the process: out of the collector's sight, a full collection takes
        # about a tenth of the time, and no longer holds the event loop for 50 ms.
        gc.freeze()

    async def close(self) -> None:
        await self.fetcher.aclose()
        if "monitor.parser.worker" in sys.modules:  # loaded by the first parse, else no workers
            # An import another thread has begun (a stop during the first poll) is waited for
            # here by the import system, not found half-made in sys.modules.
            from monitor.parser import worker

            worker.shutdown_parsers()
        # A write in flight finishes before the engine goes; a next run gets a new thread.
        writer, self.writer = self.writer, _writer()
        await asyncio.to_thread(writer.shutdown)
        self.engine.dispose()
        self.lock.release()

    # -- one cycle (`monitor run --once`) ----------------------------------------------------

    def _announce(self, event: str) -> None:
        """The start line: config, database (secrets hidden), what is watched and where to."""
        startup.announce(
            self.settings,
            event,
            feeds=len(self.feed_urls()),
            watches=len(self.rules.watchlists.watches),
            targets=len(self.rules.targets),
        )

    async def run_once(self) -> list[PollReport]:
        """Poll every feed once, then deliver every pending alert, retries included."""
        await self.prepare(give_up=DB_GIVE_UP_ONCE)
        self._announce("one cycle")  # once the database is open: a failed start says only why
        started, cpu = time.perf_counter(), time.process_time()
        self._cycle = True
        self.loop_lag.start()
        try:
            ctx = self.context()
            feeds: list[FeedRow] = []
            urls = self.feed_urls()
            while batch := await asyncio.to_thread(
                self.store.claim_due_feeds,
                urls,
                utcnow(),
                lease=self.feed_lease,
                limit=500,
                all_feeds=True,
            ):
                feeds += batch
            reports = await self._poll_all(feeds, ctx)
            report = await deliver_pending(
                self.store,
                self.notifier,
                give_up=self.settings.delivery_give_up,
                ignore_backoff=True,
                now=utcnow,
            )
            await self._prune()
            failed = sum(r.status == "failed" for r in reports)
            await self.loop_lag.stop()
            # seconds and CPU from the first claim to the last delivery: the cycle without
            # start-up (CPU of this process, its threads included, parser workers not)
            log.info(
                "cycle done feeds=%d failed=%d new_items=%d alerts=%d delivered=%d retrying=%d "
                "seconds=%.3f cpu_seconds=%.3f loop_lag_max_ms=%.1f loop_held_max_ms=%.1f",
                len(reports),
                failed,
                sum(r.new_items for r in reports),
                sum(len(r.alerts) for r in reports),
                report.delivered,
                report.retrying,
                time.perf_counter() - started,
                time.process_time() - cpu,
                self.loop_lag.max_lag * 1000,
                self.loop_lag.max_held * 1000,
            )
            return reports
        finally:
            self._cycle = False
            await self.loop_lag.stop()
            self.full_collections.release()
            await self.close()

    async def _poll_all(self, feeds: Sequence[FeedRow], ctx: PollContext) -> list[PollReport]:
        """Poll ``feeds`` with as many workers as the daemon keeps polls in flight.

        A task per feed, all started at once, would run a thousand first steps in one pass
        of the event loop (tens of milliseconds in which nothing else runs) and hold a
        thousand coroutines waiting on the fetcher's limits; the fetcher cannot use more
        than this many at a time anyway.
        """
        reports: list[PollReport | None] = [None] * len(feeds)
        queue = iter(range(len(feeds)))

        async def worker() -> None:
            for i in queue:
                reports[i] = await poll_feed(feeds[i], ctx)

        # Twice the fetch limit, so parsing and storing overlap with fetching; a limit of one
        # polls one feed after another, in order (`monitor demo`'s output is then the same
        # on every run: which of two reports of a story comes first decides its alerts).
        concurrency = self.settings.concurrency
        workers = min(len(feeds), concurrency * 2 if concurrency > 1 else 1)
        await asyncio.gather(*(worker() for _ in range(workers)))
        return [r for r in reports if r is not None]

    # -- the daemon (`monitor run`) ------------------------------------------------------------

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

    def stop(self) -> None:
        self._stop.set()

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

    async def _prune(self) -> None:
        if self.settings.retention is None:
            return
        before = utcnow() - timedelta(seconds=self.settings.retention)
        items, stories = await asyncio.to_thread(self.store.prune, before)
        log.info("pruned items=%d stories=%d before=%s", items, stories, before.date().isoformat())

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

    async def reload(self, why: str, *, config: bool = True) -> None:
        """Re-read config and watchlists; on any error keep what is in force and say why."""
        self.systemd.reloading()
        try:
            settings = load_settings(self.config_arg) if config else self.settings
            if settings.database_url != self.settings.database_url:
                log.warning("reload: the database URL changed; restart to use it")
            rules = Rules.load(settings)
        except WatchlistError as exc:
            for problem in exc.problems:
                log.error("watchlist problem %s (the last good watchlists stay in force)", problem)
            self.systemd.ready(self._status)
            return
        except ConfigError as exc:
            log.error("config problem: %s (the last good config stays in force)", exc)
            self.systemd.ready(self._status)
            return
        notifier = Notifier.from_settings(settings)
        try:
            check_targets(notifier)
        except ConfigError as exc:
            for line in str(exc).splitlines():
                log.error("config problem: %s (the last good config stays in force)", line)
            self.systemd.ready(self._status)
            return
        added, removed, changed = self.rules.watchlists.diff(rules.watchlists)
        self.settings, self.rules = settings, rules
        self._feed_urls = None
        self.notifier = notifier
        logs.SECRETS.update(p for t in settings.targets for p in secrets_of(t.url))
        logs.SECRETS.update(p for f in settings.feeds for p in url_secrets(f.url))
        self._signature = watchlist_signature(settings.watchlist_paths)
        await asyncio.to_thread(self.store.sync_feeds, feed_specs(settings, rules.watchlists))
        log.info(
            "reloaded (%s) watches=%d added=%s removed=%s changed=%s",
            why,
            len(rules.watchlists.watches),
            ",".join(added) or "-",
            ",".join(removed) or "-",
            ",".join(changed) or "-",
        )
        self.systemd.ready(self._status)
