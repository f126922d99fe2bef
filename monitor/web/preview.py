"""The preview: a watch written as text, run over the stored items of the last days through
``monitor.analysis.analyse``, as the daemon decides; nothing is stored or sent.

A watch may hold ``{regex: ...}`` terms, and a regular expression that backtracks can hold
a CPU (and Python's lock) for minutes. So the preview runs in a worker process of its own,
bounded in time (``TIME_LIMIT``: past it the process is killed and a new one started),
memory, text size, days and items; one preview at a time. The daemon's loop only waits.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import multiprocessing
import resource
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from monitor.model import Item
from monitor.prepare import Prepared, prepare

if TYPE_CHECKING:
    from monitor.analysis import Analysis, Rules

MAX_TEXT = 10_000  # characters of watch text
MAX_DAYS = 90
MAX_ITEMS = 20_000  # newest stored items looked at
MAX_SHOWN = 200  # matched items shown
SOFT_LIMIT = 2.5  # seconds of analysis, then the preview says how far it got
TIME_LIMIT = 5.0  # seconds, then the worker is killed
MEMORY_MB = 1024  # address space: the interpreter, and up to MAX_ITEMS items' text


@dataclass(frozen=True)
class PreviewRequest:
    text: str
    days: float
    database_url: str
    targets: tuple[str, ...]
    searches: tuple[str, ...]
    max_age: float | None
    now: datetime


@dataclass(frozen=True)
class Decision:
    watch: str
    term: str
    signal: str
    rumored: bool
    dates: tuple[str, ...]
    evidence: str
    alert: bool
    why: str


@dataclass(frozen=True)
class Hit:
    title: str
    link: str | None
    source: str
    published: datetime | None
    decisions: tuple[Decision, ...]


@dataclass(frozen=True)
class PreviewResult:
    problems: tuple[str, ...] = ()  # "line: message", or why the preview stopped
    note: str | None = None  # how far the time bound let it go
    watches: tuple[str, ...] = ()
    scanned: int = 0
    matched: int = 0
    alerts: int = 0
    hits: tuple[Hit, ...] = ()
    seconds: float = 0.0


def run(request: PreviewRequest) -> PreviewResult:
    """The preview itself (in the worker; in-process for tests of its result)."""
    from monitor.analysis import Rules, analyse
    from monitor.errors import WatchlistError
    from monitor.watchlist import load_watch_text

    started = time.perf_counter()
    if len(request.text) > MAX_TEXT:
        return PreviewResult((f"1: the watch is longer than {MAX_TEXT} characters",))
    try:
        watchlists = load_watch_text(
            request.text, known_targets=request.targets, known_searches=request.searches
        )
    except WatchlistError as exc:
        return PreviewResult(tuple(f"{p.line}: {p.message}" for p in exc.problems))
    rules = Rules.build(watchlists, request.targets)
    days = min(max(request.days, 0.0), MAX_DAYS)
    stored = _stored(request.database_url, request.now - timedelta(days=days))
    found: list[tuple[_Stored, Analysis]] = []
    note = None
    for scanned, row in enumerate(stored):
        if time.perf_counter() - started > SOFT_LIMIT:
            note = f"time bound: looked at the newest {scanned} of {len(stored)} items"
            break
        analysis = analyse(
            row.item,
            rules,
            row.prepared,
            official=row.official,
            now=row.first_seen,
            max_age=request.max_age,
        )
        if analysis.decisions:
            found.append((row, analysis))
    else:
        scanned = len(stored)
    decided = _by_story(found, rules)
    hits = [
        Hit(row.item.title, row.item.link, row.source, row.item.published, decided[row.id])
        for row, _ in found[:MAX_SHOWN]
    ]
    return PreviewResult(
        watches=tuple(w.name for w in watchlists.watches),
        note=note,
        scanned=scanned,
        matched=len(found),
        alerts=sum(any(d.alert for d in decisions) for decisions in decided.values()),
        hits=tuple(hits),
        seconds=time.perf_counter() - started,
    )


def _by_story(
    found: list[tuple[_Stored, Analysis]], rules: Rules
) -> dict[int, tuple[Decision, ...]]:
    """Each item's decisions weighed against what its story alerted before it, oldest
    first, as the daemon and ``monitor replay`` do: a story told by ten feeds alerts once,
    and again only for what changed (``monitor.alerting``)."""
    from monitor import alerting

    stories = alerting.StoryPriors()
    decided: dict[int, tuple[Decision, ...]] = {}
    for row, analysis in sorted(found, key=lambda f: (f[0].first_seen, f[0].id)):
        decisions = []
        for d in analysis.decisions:
            alert, why = d.alert, d.why
            if alert:
                alert_on = rules.watches[d.watch].alert_on
                story = row.story_id or -row.id
                decision = stories.decide(d.watch, d.classification, alert_on, story)
                if decision is None:
                    alert, why = False, f"{d.why}: same story already alerted"
                else:
                    why = decision.change or d.why
            decisions.append(
                Decision(
                    d.watch,
                    d.match.term,
                    d.signal.value,
                    d.rumored,
                    d.dates,
                    d.evidence,
                    alert,
                    why,
                )
            )
        decided[row.id] = tuple(decisions)
    return decided


@dataclass(frozen=True)
class _Stored:
    """A stored item as ``analyse`` takes it, its text made once per worker."""

    id: int
    story_id: int | None
    item: Item
    prepared: Prepared
    source: str
    official: bool
    first_seen: datetime


class _Items:
    """The worker's copy of the stored items of the window asked last, by id: a preview
    reads only the rows added since, and makes their text once (``prepare``)."""

    def __init__(self) -> None:
        self.url = ""
        self.engine: Any = None
        self.by_id: dict[int, _Stored] = {}

    def window(self, url: str, since: datetime) -> list[_Stored]:
        """The newest ``MAX_ITEMS`` items first seen since ``since``, newest first."""
        from sqlalchemy import func, select

        from monitor.store import tables as t
        from monitor.web.queries import read_engine

        if url != self.url:
            if self.engine is not None:
                self.engine.dispose()
            self.url, self.engine, self.by_id = url, read_engine(url), {}
        with self.engine.connect() as conn:
            ids = list(
                conn.scalars(
                    select(t.Item.id)
                    .where(t.Item.first_seen_at >= since)
                    .order_by(t.Item.first_seen_at.desc(), t.Item.id.desc())
                    .limit(MAX_ITEMS)
                )
            )
            missing = [i for i in ids if i not in self.by_id]
            for start in range(0, len(missing), 500):
                rows = conn.execute(
                    select(
                        t.Item.id,
                        t.Item.item_key,
                        t.Item.title,
                        t.Item.link,
                        t.Item.guid,
                        t.Item.summary,
                        t.Item.language,
                        t.Item.published_at,
                        t.Item.first_seen_at,
                        func.coalesce(t.Feed.name, t.Feed.title, t.Feed.url).label("source"),
                        t.Feed.official,
                        t.Item.story_id,
                    )
                    .join(t.Feed, t.Feed.id == t.Item.feed_id)
                    .where(t.Item.id.in_(missing[start : start + 500]))
                )
                for r in rows:
                    item = Item(
                        r.item_key,
                        r.title,
                        r.link,
                        r.guid,
                        r.summary or "",
                        "",
                        r.published_at,
                        r.language,
                    )
                    self.by_id[r.id] = _Stored(
                        r.id,
                        r.story_id,
                        item,
                        prepare(item),
                        r.source,
                        bool(r.official),
                        r.first_seen_at,
                    )
        self.by_id = {i: self.by_id[i] for i in ids}  # the window's items only
        return list(self.by_id.values())


_ITEMS = _Items()


def _stored(url: str, since: datetime) -> list[_Stored]:
    return _ITEMS.window(url, since)


def _start_worker(memory_mb: int) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # what every preview needs, loaded while the worker starts, not by the first preview
    import monitor.analysis
    import monitor.signals
    import monitor.web.queries  # noqa: F401


def _warm(url: str | None = None, since: datetime | None = None) -> None:
    """The worker's first job: returns once its imports are done, and the items of the
    default window are read and prepared when ``url`` is given."""
    if url is not None and since is not None:
        _ITEMS.window(url, since)


class Previewer:
    """One worker process for previews, started on first need and replaced when killed."""

    def __init__(self, *, time_limit: float = TIME_LIMIT, memory_mb: int = MEMORY_MB) -> None:
        self.time_limit = time_limit
        self.memory_mb = memory_mb
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._busy = asyncio.Lock()

    def _get(self) -> concurrent.futures.ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn: forking a process that runs an event loop and threads is unsafe
                pool = concurrent.futures.ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker,
                    initargs=(self.memory_mb,),
                )
                pool.submit(_warm).result(timeout=60)
                self._pool = pool
            return self._pool

    async def warm(self, url: str, since: datetime) -> None:
        """Start the worker (in a thread: a spawn and its imports take most of a second),
        then have it read the items of a first preview's window, while the user writes."""
        if self._busy.locked():
            return
        async with self._busy:
            pool = await asyncio.to_thread(self._get)
            loop = asyncio.get_running_loop()
            try:
                await asyncio.wait_for(
                    loop.run_in_executor(pool, _warm, url, since), 4 * self.time_limit
                )
            except (TimeoutError, concurrent.futures.process.BrokenProcessPool):
                self._discard(pool)

    async def preview(self, request: PreviewRequest) -> PreviewResult:
        """``run(request)`` in the worker, after the one before it (a warm-up, another
        preview) if that ends within the time limit; a worker past it is killed."""
        try:
            await asyncio.wait_for(self._busy.acquire(), self.time_limit)
        except TimeoutError:
            return PreviewResult(("another preview is running; try again in a few seconds",))
        try:
            pool = await asyncio.to_thread(self._get)
            loop = asyncio.get_running_loop()
            try:
                return await asyncio.wait_for(
                    loop.run_in_executor(pool, run, request), self.time_limit
                )
            except TimeoutError:
                self._discard(pool)
                why = f"stopped after {self.time_limit:g} s: a pattern that backtracks, or too many days?"
                return PreviewResult((why,))
            except (concurrent.futures.process.BrokenProcessPool, MemoryError):
                self._discard(pool)
                return PreviewResult((f"stopped: the preview ran out of {self.memory_mb} MB",))
        finally:
            self._busy.release()

    def _discard(self, pool: concurrent.futures.ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        # The executor has no public way to stop a worker that hangs (Python 3.14 adds one).
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            if process.is_alive():
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            self._discard(pool)
