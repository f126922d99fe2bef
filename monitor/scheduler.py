"""The daemon: APScheduler 3.x (AsyncIOScheduler) driving polls and deliveries.

One event loop holds the HTTP client. Jobs (all ``coalesce=True, max_instances=1``):
- ``poll``: every few seconds, claim the feeds that are due (each feed keeps its own
  ``next_poll_at``, pushed back by its interval, Retry-After or error back-off) and start a
  task per feed; a slow feed never holds the others.
- ``deliver``: send pending deliveries from the outbox.
- ``watchlists``: reload the watchlists when a file in them changes.
- ``watchdog``: tell systemd we are alive, from the loop itself, so a hung loop is restarted.
SIGTERM/SIGINT stop cleanly; SIGHUP reloads the config and the watchlists.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor import parser
from monitor.delivery import deliver_pending
from monitor.errors import ConfigError, WatchlistError
from monitor.fetcher import Fetcher
from monitor.notifier import Notifier
from monitor.pipeline import FEED_LEASE, PollContext, PollReport, Rules, poll_feed
from monitor.settings import Settings, load_settings
from monitor.store import Store, make_engine, upgrade
from monitor.store.repository import FeedRow
from monitor.systemd import SystemdNotifier
from monitor.watchlist import (
    DEFAULT_SEARCH_TEMPLATES,
    Watchlists,
    search_feed_urls,
)

log = logging.getLogger(__name__)

POLL_TICK = 5.0
DELIVERY_TICK = 10.0
WATCHLIST_TICK = 3.0


def utcnow() -> datetime:
    return datetime.now(UTC)


def feed_specs(
    settings: Settings, watchlists: Watchlists
) -> list[tuple[str, str | None, float | None, bool]]:
    """Configured feeds, then each watch's own feeds and search feeds, each URL once."""
    specs: dict[str, tuple[str, str | None, float | None, bool]] = {}
    for f in settings.feeds:
        specs.setdefault(f.url, (f.url, f.name, f.interval, f.official))
    if not settings.watch_feeds:
        return list(specs.values())
    templates = {**DEFAULT_SEARCH_TEMPLATES, **settings.search_templates}
    for watch in watchlists.watches:
        for url in watch.feeds:
            specs.setdefault(url, (url, f"{watch.name} feed", None, False))
        for url in search_feed_urls(watch, templates):
            specs.setdefault(url, (url, f"{watch.name} search", None, False))
    return list(specs.values())


def watchlist_signature(paths: Sequence[Path]) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime, size) of every watchlist file: cheap to compute, changes on any edit."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(x for x in p.iterdir() if x.suffix in (".yaml", ".yml"))
        elif p.exists():
            files.append(p)
    sig = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        sig.append((str(f), st.st_mtime_ns, st.st_size))
    return tuple(sig)


class Daemon:
    def __init__(self, settings: Settings, *, config_arg: str | None = None) -> None:
        self.settings = settings
        self.config_arg = config_arg
        self.engine = make_engine(settings.database_url)
        self.store = Store(self.engine)
        self.systemd = SystemdNotifier()
        self.rules = Rules.load(settings)
        self.notifier = Notifier(
            {t.name: t.url for t in settings.targets}, timeout=settings.delivery_timeout
        )
        self.fetcher = self._fetcher(settings)
        self._signature = watchlist_signature(settings.watchlist_paths)
        self._tasks: dict[int, asyncio.Task[PollReport]] = {}
        self._stop = asyncio.Event()

    @staticmethod
    def _fetcher(settings: Settings) -> Fetcher:
        return Fetcher(
            timeout=settings.http_timeout,
            deadline=settings.fetch_deadline,
            max_bytes=settings.max_bytes,
            concurrency=settings.concurrency,
            per_host=settings.per_host,
            allow_hosts=settings.allow_hosts,
        )

    def context(self) -> PollContext:
        return PollContext(
            fetcher=self.fetcher,
            store=self.store,
            rules=lambda: self.rules,
            interval=self.settings.interval,
            backoff_max=self.settings.error_backoff_max,
            alert_max_age=self.settings.alert_max_age,
            now=utcnow,
            failing_alert_after=self.settings.failing_alert_after,
            notifier=self.notifier,
        )

    def feed_urls(self) -> list[str]:
        return [s[0] for s in feed_specs(self.settings, self.rules.watchlists)]

    async def prepare(self) -> None:
        await asyncio.to_thread(upgrade, self.engine)
        await asyncio.to_thread(
            self.store.sync_feeds, feed_specs(self.settings, self.rules.watchlists)
        )
        for problem in self.notifier.validate():
            log.error("target problem: %s", problem)

    async def close(self) -> None:
        await self.fetcher.aclose()
        parser.shutdown_parsers()
        self.engine.dispose()

    # -- one cycle (`monitor run --once`) ----------------------------------------------------

    async def run_once(self) -> list[PollReport]:
        """Poll every feed once, then deliver every pending alert, retries included."""
        await self.prepare()
        try:
            ctx = self.context()
            feeds: list[FeedRow] = []
            urls = self.feed_urls()
            while batch := self.store.claim_due_feeds(
                urls, utcnow(), lease=FEED_LEASE, limit=500, all_feeds=True
            ):
                feeds += batch
            reports = list(await asyncio.gather(*(poll_feed(f, ctx) for f in feeds)))
            report = await deliver_pending(
                self.store,
                self.notifier,
                give_up=self.settings.delivery_give_up,
                ignore_backoff=True,
                now=utcnow,
            )
            failed = sum(r.status == "failed" for r in reports)
            log.info(
                "cycle done feeds=%d failed=%d new_items=%d alerts=%d delivered=%d retrying=%d",
                len(reports),
                failed,
                sum(r.new_items for r in reports),
                sum(len(r.alerts) for r in reports),
                report.delivered,
                report.retrying,
            )
            return reports
        finally:
            await self.close()

    # -- the daemon (`monitor run`) ------------------------------------------------------------

    async def run_forever(self) -> None:
        await self.prepare()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stop.set)
        loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(self.reload("SIGHUP")))
        scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
        )
        scheduler.add_listener(self._job_error, EVENT_JOB_ERROR)
        now = datetime.now(UTC)
        scheduler.add_job(
            self._poll_due, "interval", seconds=POLL_TICK, next_run_time=now, id="poll"
        )
        scheduler.add_job(
            self._deliver, "interval", seconds=DELIVERY_TICK, next_run_time=now, id="deliver"
        )
        scheduler.add_job(
            self._check_watchlists, "interval", seconds=WATCHLIST_TICK, id="watchlists"
        )
        beat = self.systemd.watchdog_interval()
        if beat:
            scheduler.add_job(
                self._heartbeat, "interval", seconds=beat, next_run_time=now, id="watchdog"
            )
        scheduler.start()
        self.systemd.ready(self.status_line())
        log.info(
            "daemon started feeds=%d watches=%d targets=%d",
            len(self.feed_urls()),
            len(self.rules.watchlists.watches),
            len(self.rules.targets),
        )
        try:
            await self._stop.wait()
        finally:
            log.info("stopping")
            self.systemd.stopping()
            scheduler.shutdown(wait=False)
            for task in list(self._tasks.values()):
                task.cancel()
            await asyncio.wait_for(
                asyncio.gather(*self._tasks.values(), return_exceptions=True), timeout=8
            ) if self._tasks else None
            await self.close()
            log.info("stopped")

    def stop(self) -> None:
        self._stop.set()

    def _job_error(self, event: JobExecutionEvent) -> None:
        log.error("job failed job=%s error=%r", event.job_id, event.exception)

    async def _poll_due(self) -> None:
        busy = set(self._tasks)
        room = self.settings.concurrency * 2 - len(busy)
        if room <= 0:
            return
        feeds = await asyncio.to_thread(
            self.store.claim_due_feeds, self.feed_urls(), utcnow(), lease=FEED_LEASE, limit=room
        )
        ctx = self.context()
        for feed in feeds:
            if feed.id in self._tasks:
                continue
            task = asyncio.create_task(poll_feed(feed, ctx), name=f"poll {feed.url}")
            self._tasks[feed.id] = task
            task.add_done_callback(partial(self._poll_done, feed.id))

    def _poll_done(self, feed_id: int, _task: asyncio.Task[PollReport]) -> None:
        self._tasks.pop(feed_id, None)

    async def _deliver(self) -> None:
        await deliver_pending(
            self.store, self.notifier, give_up=self.settings.delivery_give_up, now=utcnow
        )

    async def _heartbeat(self) -> None:
        self.systemd.notify("WATCHDOG=1", f"STATUS={self.status_line()}")

    def status_line(self) -> str:
        return f"{len(self._tasks)} feeds in flight; {len(self.rules.watchlists.watches)} watches"

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
            self.systemd.ready(self.status_line())
            return
        except ConfigError as exc:
            log.error("config problem: %s (the last good config stays in force)", exc)
            self.systemd.ready(self.status_line())
            return
        added, removed, changed = self.rules.watchlists.diff(rules.watchlists)
        self.settings, self.rules = settings, rules
        self.notifier = Notifier(
            {t.name: t.url for t in settings.targets}, timeout=settings.delivery_timeout
        )
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
        self.systemd.ready(self.status_line())
