"""The daemon's parts, from start to stop: settings, rules, notifier, store, fetcher, the
instance lock, systemd, the metrics and the writer thread; preparing the database (migrate,
sync the feeds), one full cycle (``monitor run --once``), a reload, and closing.

The schedule that runs them (``monitor run``) is ``monitor.daemon.scheduler``.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from monitor import logs
from monitor.analysis import Rules
from monitor.daemon import startup
from monitor.daemon.db_outage import DatabaseOutage, wait_until_reachable
from monitor.daemon.full_collections import FullCollections
from monitor.daemon.inputs import check_targets, watchlist_signature
from monitor.daemon.loop_lag import LoopLagProbe
from monitor.daemon.systemd import SystemdNotifier
from monitor.delivery.notifier import Notifier, secrets_of
from monitor.delivery.outbox import deliver_pending
from monitor.errors import ConfigError, WatchlistError
from monitor.feeds import feed_specs
from monitor.fetch_state_batch import FetchStateBatch
from monitor.fetcher import Fetcher
from monitor.pipeline import PollContext, PollReport, poll_feed
from monitor.prepare import PreparedCache
from monitor.processing import ProcessingSlots
from monitor.recent import RecentKeys
from monitor.redact import url_secrets
from monitor.settings import Settings, load_settings
from monitor.store import Store, make_engine, upgrade
from monitor.store.engine import InstanceLock
from monitor.store.feeds import FeedRow
from monitor.store.tables import utcnow
from monitor.web.health import DaemonStatus, Metrics

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler


log = logging.getLogger(__name__)

POLL_TICK = 5.0
PARSE_TIMEOUT = 20.0  # parse_in_worker's and prepare_in_worker's default time limit
DB_GIVE_UP_ONCE = 60.0
# Feeds between a changed body and its stored items at once: enough to keep the 2 parser
# processes busy while this process analyses and writes; more only holds parsed items.
PROCESSING_SLOTS = 6  # `run --once` (cron) waits this long for the database, then fails
# First fetches in flight and fetched bodies waiting for one of those slots: enough to give
# a slot a body at once; more only holds bytes (``monitor.processing``).
BODIES_WAITING = 16


def _writer() -> ThreadPoolExecutor:
    """The thread that writes new items (PollContext.writer); started by its first job."""
    return ThreadPoolExecutor(1, thread_name_prefix="monitor-writer")


class DaemonCore:
    """The daemon's parts and its state, set up and closed; one full cycle (``run --once``);
    a reload. ``monitor.daemon.scheduler.Daemon`` runs it on a schedule."""

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
        self.prepared = PreparedCache()
        self._slots: tuple[asyncio.AbstractEventLoop, ProcessingSlots] | None = None
        self._stop = asyncio.Event()
        self.metrics = Metrics(served=settings.http_listen is not None)
        self.writer = _writer()
        self.fetch_states = FetchStateBatch(self.store, executor=self.writer)
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
            prepared=self.prepared,
            processing=self._processing(),
        )

    def _processing(self) -> ProcessingSlots:
        """The one limit on feeds being parsed and stored (``PollContext.processing``) for
        every poll of the running loop, whichever tick started it."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots[0] is not loop:
            self._slots = (loop, ProcessingSlots(PROCESSING_SLOTS, BODIES_WAITING))
        return self._slots[1]

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
        self.fetch_states.executor = self.writer
        await asyncio.to_thread(writer.shutdown)
        self.engine.dispose()
        self.lock.release()

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

    def stop(self) -> None:
        self._stop.set()

    async def _prune(self) -> None:
        if self.settings.retention is None:
            return
        before = utcnow() - timedelta(seconds=self.settings.retention)
        items, stories = await asyncio.to_thread(self.store.prune, before)
        log.info("pruned items=%d stories=%d before=%s", items, stories, before.date().isoformat())

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
