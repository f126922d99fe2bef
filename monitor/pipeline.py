"""The one place where stages meet: fetch → parse → match → classify → store → alert.

The decision per watch is ``monitor.analysis.analyse`` (the same for ``scan`` and ``replay``);
``poll_feed`` runs one feed end to end and never raises for a feed's own failure: it records
the error on the feed row, logs one line, and schedules the next attempt with back-off.
The parser processes parse the body, then make the text and story signature of the items the
store does not know (``monitor.prepare``); this process matches and classifies them in a
thread, and one writer thread (``PollContext.writer``) stores them. Alerts are written in the
same transaction as the items that raise them; delivery is a separate stage
(``delivery.py``) that reads that outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from monitor import alerting, feed_state
from monitor.analysis import Analysis, Rules, analyse
from monitor.delivery.notifier import Message, Notifier
from monitor.errors import FeedError, FetchError, StoreError
from monitor.feed_discovery import fetch_feed
from monitor.fetch_state_batch import FetchStateBatch
from monitor.fetcher import FetchCache, Fetcher, FetchResult, redact
from monitor.links import canonical_url
from monitor.model import Item, Signal, fingerprint
from monitor.prepare import PreparedCache, prepare_all
from monitor.recent import RecentKeys
from monitor.store import Store
from monitor.store.feeds import FeedRow, SuccessfulFetch
from monitor.store.items import NewItem, Unit
from monitor.stories import Signature

if TYPE_CHECKING:
    from monitor.parser.clean import ParsedFeed
    from monitor.prepare import Prepared, PrepareInWorker
    from monitor.processing import Poll, ProcessingSlots

    ParseInWorker = Callable[[str, bytes, Mapping[str, str]], Awaitable[ParsedFeed]]

_T = TypeVar("_T")

log = logging.getLogger(__name__)

STORY_WINDOW = timedelta(hours=72)


@dataclass
class PollReport:
    feed: FeedRow
    status: str = "ok"  # ok | not_modified | failed
    items: int = 0
    new_items: int = 0
    alerts: list[int] = field(default_factory=list)
    error: FeedError | None = None


@dataclass(frozen=True)
class PollContext:
    fetcher: Fetcher
    store: Store
    rules: Callable[[], Rules]
    interval: float
    backoff_max: float = 86400.0
    alert_max_age: float | None = None
    now: Callable[[], datetime] = field(default=lambda: datetime.now().astimezone())
    recent: RecentKeys | None = None  # items seen lately per feed: skip them early
    failing_alert_after: float = feed_state.DEFAULT_FAILING_ALERT_AFTER
    # Where the one notice about a feed failing for too long goes (every target); None: log only.
    notifier: Notifier | None = None
    # Where feeds' fetch state goes, a batch per transaction; None: one by one.
    fetch_states: FetchStateBatch | None = None
    # The one thread that writes new items (None: any): a batch's story look-ups, made
    # before its transaction, then still hold when the transaction starts, where another
    # batch committed meanwhile would send it to look them all up again.
    writer: Executor | None = None
    # New items' text and signature by content, shared by the feeds of a cycle (None: none).
    prepared: PreparedCache | None = None
    # Feeds between a changed body and its stored items at once, and fetched bodies waiting
    # for them (``monitor.processing``; None: no limit).
    processing: ProcessingSlots | None = None
    # The parse and prepare steps (None: the parser processes, imported on first use).
    workers: tuple[ParseInWorker, PrepareInWorker] | None = None

    @property
    def policy(self) -> feed_state.FetchPolicy:
        return feed_state.FetchPolicy(self.backoff_max, self.failing_alert_after)


def _redirect(feed: FeedRow, result: FetchResult) -> feed_state.Redirect:
    """Rule 4 of feed_state, logged when the feed moves."""
    redirect = feed_state.after_redirect(
        feed.redirect_seen, result.permanent_redirect, discovered=result.discovered_in is not None
    )
    if redirect.move_to:
        log.warning(
            "feed moved permanently url=%s from=%s new_url=%s",
            feed.url,
            redact(feed.fetch_url),
            redact(redirect.move_to),
            extra={"feed_url": feed.url},
        )
    return redirect


async def _record_success(
    ctx: PollContext,
    feed: FeedRow,
    result: FetchResult,
    interval: float,
    now: datetime,
    *,
    title: str | None = None,
    items_seen: int = 0,
    content_hash: str | None = None,
) -> None:
    """The feed's fetch state after a 200 or a 304 (title, items seen and content hash only
    when the body was parsed), with other feeds' in one transaction when the daemon batches
    them (``fetch_state_batch`` says why that is safe)."""
    redirect = _redirect(feed, result)
    fetch = SuccessfulFetch(
        feed.id,
        now=now,
        status=result.status,
        next_poll_at=feed_state.next_poll_after_success(
            now, interval, result.retry_after, ctx.policy
        ),
        etag=result.cache.etag,
        last_modified=result.cache.last_modified,
        redirect_seen=redirect.seen,
        moved_to=redirect.move_to,
        title=title,
        items_seen=items_seen,
        content_hash=content_hash,
    )
    if ctx.fetch_states is not None:
        await ctx.fetch_states.record(fetch)
    else:
        await asyncio.to_thread(ctx.store.record_fetches, [fetch])


_WORKERS: list[tuple[ParseInWorker, PrepareInWorker]] = []


async def _workers() -> tuple[ParseInWorker, PrepareInWorker]:
    """``parse_in_worker`` and ``prepare_in_worker``, imported on the first changed body (an
    all-304 cycle never loads the parser), in a thread: the import takes some 40 ms that
    would hold the event loop."""
    if not _WORKERS:

        def load() -> tuple[ParseInWorker, PrepareInWorker]:
            from monitor.parser.worker import parse_in_worker, prepare_in_worker

            return parse_in_worker, prepare_in_worker

        loaded = await asyncio.to_thread(load)
        if not _WORKERS:
            _WORKERS.append(loaded)
    return _WORKERS[0]


async def _in_writer(ctx: PollContext, job: Callable[..., _T], *args: Any) -> _T:
    if ctx.writer is None:
        return await asyncio.to_thread(job, *args)
    return await asyncio.get_running_loop().run_in_executor(ctx.writer, job, *args)


async def poll_feed(feed: FeedRow, ctx: PollContext) -> PollReport:
    # Never fetched: no validators to send and no hash to compare, so a body will come.
    sure_body = feed.etag is None and feed.last_modified is None and feed.content_hash is None
    if ctx.processing is None:
        return await _poll(feed, ctx, None)
    async with ctx.processing.poll(sure_body=sure_body) as poll:
        return await _poll(feed, ctx, poll)


async def _poll(feed: FeedRow, ctx: PollContext, poll: Poll | None) -> PollReport:
    report = PollReport(feed)
    interval = feed.interval_s or ctx.interval
    try:
        result = await fetch_feed(
            ctx.fetcher, feed.fetch_url, FetchCache(feed.etag, feed.last_modified)
        )
        digest = None if result.not_modified else feed_state.content_hash(result.content)
        if result.not_modified or digest == feed.content_hash:
            # A 304, or the server ignored our validators but sent the same bytes: as good.
            report.status = "not_modified"
            await _record_success(ctx, feed, result, interval, ctx.now())
            return report
        async with poll.slot() if poll is not None else contextlib.nullcontext():
            parsed, items, prints, alerts, now = await _process(ctx, feed, result)
        if ctx.recent is not None:
            ctx.recent.remember(feed.id, items, prints)
        report.items, report.new_items, report.alerts = len(parsed.items), alerts[0], alerts[1]
        await _record_success(
            ctx,
            feed,
            result,
            interval,
            now,
            title=parsed.title,
            items_seen=len(parsed.items),
            content_hash=digest,
        )
        log.info(
            "feed polled url=%s items=%d new=%d alerts=%d",
            feed.url,
            report.items,
            report.new_items,
            len(report.alerts),
            extra={"feed_url": feed.url},
        )
        return report
    except FeedError as exc:
        report.status, report.error = "failed", exc
        await _record_failure(ctx, feed, exc, interval)
        return report
    except StoreError as exc:
        report.status = "failed"
        report.error = FeedError(feed.url, "db_error", str(exc))
        await _record_failure(ctx, feed, report.error, interval)
        return report


async def _process(
    ctx: PollContext, feed: FeedRow, result: FetchResult
) -> tuple[ParsedFeed, Sequence[Item], dict[str, str], tuple[int, list[int]], datetime]:
    """A changed body: parse, drop the known items, prepare, analyse and store the new ones.
    Returns the parsed feed, its items not seen lately, their fingerprints, (new items,
    alert ids) and the time they were stored."""
    parse_in_worker, prepare_in_worker = ctx.workers or await _workers()
    parsed = await parse_in_worker(result.url, result.content, result.headers)
    for warning in parsed.warnings:
        log.info("feed warning url=%s warning=%s", feed.url, warning, extra={"feed_url": feed.url})
    rules = ctx.rules()
    # Known items are dropped before matching (a re-poll of an unchanged feed is mostly
    # them): first those this process saw lately, then those the database knows.
    items = parsed.items if ctx.recent is None else ctx.recent.unseen(feed.id, parsed.items)
    unknown, links, prints = await asyncio.to_thread(_screen, ctx, feed.id, items)
    now = ctx.now()
    alerts: tuple[int, list[int]] = (0, [])
    if unknown:
        prepared = await prepare_all(feed.url, unknown, prepare_in_worker, ctx.prepared)
        analyses = await asyncio.to_thread(
            _analyse_all, unknown, prepared, rules, feed.official, ctx.now(), ctx.alert_max_age
        )
        now = ctx.now()
        alerts = await _in_writer(ctx, _persist, ctx, feed, analyses, rules, now, links)
    return parsed, items, prints, alerts, now


def _screen(
    ctx: PollContext, feed_id: int, items: Sequence[Item]
) -> tuple[list[Item], list[str | None], dict[str, str]]:
    """In a worker thread, so a long item never holds the event loop: drop the items the
    database knows, and fingerprint them all for ``RecentKeys`` (50 hashes of up to 8 KB
    would cost the loop a millisecond a feed).

    Returns the unknown items with their canonical links (computed once, for the known-item
    look-up and the insert), and the fingerprints.
    """
    links = [canonical_url(item.link) if item.link else None for item in items]
    known = ctx.store.known_items(feed_id, items, links) if items else set()
    unknown = [
        (item, link) for item, link in zip(items, links, strict=True) if item.key not in known
    ]
    prints = {item.key: fingerprint(item) for item in items} if ctx.recent is not None else {}
    return [item for item, _ in unknown], [link for _, link in unknown], prints


def _analyse_all(
    items: Sequence[Item],
    prepared: Sequence[Prepared],
    rules: Rules,
    official: bool,
    now: datetime,
    max_age: float | None,
) -> list[Analysis]:
    return [
        analyse(item, rules, p, official=official, now=now, max_age=max_age)
        for item, p in zip(items, prepared, strict=True)
    ]


async def _record_failure(ctx: PollContext, feed: FeedRow, exc: FeedError, interval: float) -> None:
    """Back-off, 410 and the failing-too-long notice: the rules of ``feed_state``."""
    failures = feed.error_count + 1
    fetch = exc if isinstance(exc, FetchError) else None
    retry_after = fetch.retry_after if fetch else None
    status = fetch.status if fetch else None
    now = ctx.now()
    decision = feed_state.after_failure(
        now=now,
        interval=interval,
        failures=failures,
        kind=exc.kind,
        retry_after=retry_after,
        failing_since=feed.failing_since,
        operator_notified_at=feed.operator_notified_at,
        policy=ctx.policy,
    )
    next_at = decision.next_poll_at
    gone = decision.disable
    log.warning(
        "feed failed url=%s kind=%s detail=%s failures=%d next_attempt=%s%s",
        feed.url,
        exc.kind,
        exc.detail or "-",
        failures,
        "never (disabled)" if gone else next_at.isoformat(timespec="seconds"),
        "",
        extra={"feed_url": feed.url, "error_kind": exc.kind},
    )
    try:
        await asyncio.to_thread(
            ctx.store.record_failure,
            feed.id,
            now=now,
            kind=exc.kind,
            message=exc.detail or exc.kind,
            status=status,
            next_poll_at=next_at,
            disable=gone,
        )
        # Told once it reached a target: a notice that reached none (every target down) is
        # tried again at the feed's next failure, so an outage delays it and never drops it.
        if decision.notify_operator and await _notify_operator(
            ctx, feed, exc, failures, now, next_at
        ):
            await asyncio.to_thread(ctx.store.mark_operator_notified, feed.id, now)
    except StoreError as store_exc:
        log.error("cannot record feed failure url=%s error=%s", feed.url, store_exc)


async def _notify_operator(
    ctx: PollContext,
    feed: FeedRow,
    exc: FeedError,
    failures: int,
    now: datetime,
    next_at: datetime,
) -> bool:
    """The one notice of a failing period (rule 6 of feed_state): a log line, then every
    target. True when it is given: it reached a target, or there is none to send it to."""
    since = feed.failing_since or now
    days = (now - since).total_seconds() / 86400
    title = f"newsmonitor: feed failing for {days:.1f} days: {feed.label}"
    body = (
        f"{feed.label} ({redact(feed.fetch_url)}) has failed since "
        f"{since.isoformat(timespec='seconds')}, {failures} times in a row.\n"
        f"Last error: {exc.kind}: {exc.detail or '-'}\n"
        f"Next attempt: {next_at.isoformat(timespec='seconds')}. "
        "`monitor status` shows every feed's health."
    )
    log.error(
        "feed failing too long url=%s since=%s failures=%d kind=%s next_attempt=%s",
        feed.url,
        since.isoformat(timespec="seconds"),
        failures,
        exc.kind,
        next_at.isoformat(timespec="seconds"),
        extra={"feed_url": feed.url, "error_kind": exc.kind},
    )
    if ctx.notifier is None or not ctx.notifier.targets:
        return True
    message = Message(title=title[:250], body=body, body_format="text")
    reached = False
    for target in ctx.notifier.targets:
        try:
            problem = await ctx.notifier.send(target, message)
        except Exception as send_exc:  # noqa: BLE001 -- a notice must never stop a poll
            problem = f"{type(send_exc).__name__}: {send_exc}"
        reached = reached or not problem
        if problem:
            log.error(
                "cannot send the failing-feed notice target=%s error=%s",
                target,
                problem,
                extra={"feed_url": feed.url},
            )
    if not reached:
        log.warning(
            "failing-feed notice reached no target url=%s: tried again at its next failure",
            feed.url,
            extra={"feed_url": feed.url},
        )
    return reached


def _persist(
    ctx: PollContext,
    feed: FeedRow,
    analyses: Sequence[Analysis],
    rules: Rules,
    now: datetime,
    links: Sequence[str | None] | None = None,
) -> tuple[int, list[int]]:
    """Store new items, their matches, and the alerts they raise, in one transaction.
    ``links``: the canonical link of each item, when the caller has them already."""
    if not analyses:
        return 0, []
    by_key = {a.item.key: a for a in analyses}
    if links is None:
        links = [canonical_url(a.item.link) if a.item.link else None for a in analyses]
    pairs = [(a.item, link) for a, link in zip(analyses, links, strict=True)]
    # Signed (when no parser process did) and looked up here, before the transaction, which
    # then holds the write lock for less time.
    signatures = [a.signature or Signature.of(a.item.title, a.item.summary) for a in analyses]
    plan = ctx.store.plan_stories([a.item for a in analyses], signatures, now, STORY_WINDOW)
    alert_ids: list[int] = []
    with ctx.store.unit() as unit:
        new = unit.insert_items(feed.id, pairs, now, STORY_WINDOW, signatures=signatures, plan=plan)
        for n in new:
            analysis = by_key[n.item.key]
            alert_ids += _alerts_for(unit, feed, n, analysis, rules, now)
    return len(new), alert_ids


def _alerts_for(
    unit: Unit,
    feed: FeedRow,
    new: NewItem,
    analysis: Analysis,
    rules: Rules,
    now: datetime,
) -> list[int]:
    """Record each matched watch's decision; alert where it alerts and the story has not
    announced that already (``alerting.decide``)."""
    ids = []
    watches = rules.watches
    for d in analysis.decisions:
        watch = watches.get(d.watch)
        if watch is None:
            continue
        unit.add_match(
            new.id,
            d.watch,
            d.match.term,
            d.match.span,
            d.signal.value,
            d.rumored,
            d.dates,
            d.evidence,
        )
        if not d.alert:
            continue
        prior = [
            alerting.Prior(Signal(p.signal), p.dates)
            for p in unit.prior_alerts(watch.name, new.story_id)
        ]
        decision = alerting.decide(watch.name, d.classification, watch.alert_on, prior)
        if decision is None:
            continue
        alert_id = unit.add_alert(
            targets=rules.targets_for(watch),
            now=now,
            watch=watch.name,
            story_id=new.story_id,
            item_id=new.id,
            change_key=decision.change_key,
            signal=d.signal.value,
            rumored=d.rumored,
            official=feed.official,
            dates=list(d.dates),
            term=d.match.term,
            evidence=d.evidence[:4000],
            title=new.item.title[:512],
            link=new.item.link,
            change=decision.change,
        )
        if alert_id is not None:
            ids.append(alert_id)
            log.info(
                "alert id=%d %s title=%r link=%s",
                alert_id,
                decision.change
                or alerting.headline(watch.name, d.signal, d.rumored, d.dates, feed.official),
                new.item.title[:120],
                new.item.link or "-",
                extra={"watch": watch.name, "alert_id": alert_id},
            )
    return ids
