"""The dashboard's read queries: a page costs a handful of indexed selects, whatever the
size of the database (alerts by primary key, page by page; sources and deliveries for the
alerts of that page only).

They run on an engine of their own (``read_engine``): on SQLite a read-only connection that
never takes the write lock (the daemon's own engine begins every transaction IMMEDIATE, so a
page would queue behind each write).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, case, create_engine, event, func, select
from sqlalchemy.engine import make_url

from monitor.store import make_engine
from monitor.store import tables as t
from monitor.store.engine import normalise_url

PER_PAGE = 50
_LABEL = func.coalesce(t.Feed.name, t.Feed.title, t.Feed.url)


def read_engine(url: str) -> Engine:
    """An engine for pages: read-only on SQLite (``query_only``), WAL readers never wait."""
    url = normalise_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        return make_engine(url, pool_size=2, max_overflow=2)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    return engine


@dataclass(frozen=True)
class DeliveryRow:
    target: str
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    delivered_at: datetime | None
    digest: bool


@dataclass(frozen=True)
class AlertRow:
    id: int
    watch: str
    signal: str
    rumored: bool
    confirmed: bool
    dates: tuple[str, ...]
    title: str
    link: str | None
    term: str
    evidence: str
    change: str | None
    created_at: datetime
    sources: tuple[tuple[str, str | None], ...] = ()
    deliveries: tuple[DeliveryRow, ...] = ()


def alerts_page(
    engine: Engine, page: int, *, per_page: int = PER_PAGE
) -> tuple[list[AlertRow], int]:
    """One page of alerts, newest first, with their sources and deliveries; and the total."""
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(t.Alert)).scalar_one()
        rows = conn.execute(
            select(t.Alert).order_by(t.Alert.id.desc()).offset(page * per_page).limit(per_page)
        ).all()
        ids = [r.id for r in rows]
        deliveries: dict[int, list[DeliveryRow]] = {}
        for d in conn.execute(
            select(t.Delivery).where(t.Delivery.alert_id.in_(ids)).order_by(t.Delivery.target)
        ):
            deliveries.setdefault(d.alert_id, []).append(
                DeliveryRow(
                    d.target,
                    d.state,
                    d.attempts,
                    d.next_attempt_at,
                    d.last_error,
                    d.delivered_at,
                    bool(d.digest),
                )
            )
        sources = _sources(conn, {r.story_id for r in rows})
    alerts = [
        AlertRow(
            r.id,
            r.watch,
            r.signal,
            bool(r.rumored),
            bool(r.official) or not r.rumored,
            tuple(r.dates or ()),
            r.title,
            r.link,
            r.term,
            r.evidence or "",
            r.change,
            r.created_at,
            _outlets(sources.get(r.story_id, []), r.item_id),
            tuple(deliveries.get(r.id, ())),
        )
        for r in rows
    ]
    return alerts, int(total)


def _sources(conn: Any, story_ids: set[int]) -> dict[int, list[tuple[int, str, str | None]]]:
    """(item id, feed label, link) of each story's items, oldest first."""
    if not story_ids:
        return {}
    rows = conn.execute(
        select(t.Item.story_id, t.Item.id, _LABEL, t.Item.link)
        .join(t.Feed, t.Feed.id == t.Item.feed_id)
        .where(t.Item.story_id.in_(list(story_ids)))
        .order_by(t.Item.first_seen_at, t.Item.id)
        .limit(50 * len(story_ids))
    ).all()
    found: dict[int, list[tuple[int, str, str | None]]] = {}
    for story_id, item_id, label, link in rows:
        found.setdefault(story_id, []).append((item_id, label, link))
    return found


def _outlets(
    items: list[tuple[int, str, str | None]], first: int | None
) -> tuple[tuple[str, str | None], ...]:
    """(feed label, link), one per feed: the alert's own item's first, then by age."""
    by_label: dict[str, str | None] = {}
    for _, label, link in sorted(items, key=lambda i: i[0] != first):
        by_label.setdefault(label, link)
    return tuple(by_label.items())


@dataclass(frozen=True)
class Claim:
    """A date claimed for a watch by one item: when, what, how sure and by whom."""

    seen: datetime
    dates: tuple[str, ...]
    rumored: bool
    official: bool
    source: str
    link: str | None
    signal: str


def claims(engine: Engine, watch: str, *, limit: int = 60) -> list[Claim]:
    """The dated or released matches of ``watch``, oldest first, each claim once per source."""
    seen = func.coalesce(t.Item.published_at, t.Item.first_seen_at)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                seen,
                t.WatchMatch.dates,
                t.WatchMatch.rumored,
                t.Feed.official,
                _LABEL,
                t.Item.link,
                t.WatchMatch.signal,
            )
            .join(t.Item, t.Item.id == t.WatchMatch.item_id)
            .join(t.Feed, t.Feed.id == t.Item.feed_id)
            .where(t.WatchMatch.watch == watch, t.WatchMatch.signal.in_(["dated", "released"]))
            .order_by(seen.desc(), t.WatchMatch.id.desc())
            .limit(limit * 4)
        ).all()
    found: list[Claim] = []
    keys: set[tuple[str, ...]] = set()
    for at, dates, rumored, official, label, link, signal in rows:
        key = (signal, label, *sorted(dates or []))
        if (not dates and signal != "released") or key in keys:
            continue
        keys.add(key)
        found.append(
            Claim(at, tuple(dates or ()), bool(rumored), bool(official), label, link, signal)
        )
    return list(reversed(found[:limit]))


@dataclass(frozen=True)
class MatchRow:
    """A stored match of a watch, with the alert it raised, if any."""

    item_id: int
    title: str
    link: str | None
    source: str
    official: bool
    published: datetime | None
    first_seen: datetime
    term: str
    signal: str
    rumored: bool
    dates: tuple[str, ...]
    evidence: str
    alerted: bool
    change: str | None
    story_alerted: bool  # an alert of this watch for the item's story, from any item


def watch_matches(engine: Engine, watch: str, *, limit: int = 50) -> list[MatchRow]:
    """The newest matched items of ``watch``."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                t.Item.id,
                t.Item.title,
                t.Item.link,
                _LABEL,
                t.Feed.official,
                t.Item.published_at,
                t.Item.first_seen_at,
                t.WatchMatch.term,
                t.WatchMatch.signal,
                t.WatchMatch.rumored,
                t.WatchMatch.dates,
                t.WatchMatch.evidence,
                t.Item.story_id,
            )
            .join(t.Item, t.Item.id == t.WatchMatch.item_id)
            .join(t.Feed, t.Feed.id == t.Item.feed_id)
            .where(t.WatchMatch.watch == watch)
            .order_by(t.WatchMatch.id.desc())
            .limit(limit)
        ).all()
        alerts = conn.execute(
            select(t.Alert.item_id, t.Alert.story_id, t.Alert.change).where(
                t.Alert.watch == watch, t.Alert.story_id.in_({r[12] for r in rows})
            )
        ).all()
    alerted = {item: change for item, _, change in alerts}
    stories = {story for _, story, _ in alerts}
    return [
        MatchRow(
            *r[:10],
            tuple(r[10] or ()),
            r[11] or "",
            r[0] in alerted,
            alerted.get(r[0]),
            r[12] in stories,
        )
        for r in rows
    ]


def known_watches(engine: Engine) -> list[str]:
    """Every watch that matched something, by name."""
    with engine.connect() as conn:
        return list(
            conn.scalars(select(t.WatchMatch.watch).distinct().order_by(t.WatchMatch.watch))
        )


@dataclass(frozen=True)
class FeedView:
    """A feed as the dashboard lists it: its health, its label and its counts."""

    url: str
    label: str
    official: bool
    disabled: bool
    error_count: int
    error_kind: str | None
    last_error: str | None
    failing_since: datetime | None
    last_fetch_at: datetime | None
    last_success_at: datetime | None
    last_status: int | None
    items: int
    next_poll_at: datetime | None
    moved_to: str | None

    @property
    def health(self) -> str:
        if self.disabled:
            return "disabled"
        if self.error_count:
            return "failing"
        return "ok" if self.last_success_at else "new"


_HEALTH = case(
    (t.Feed.disabled, 3),
    (t.Feed.error_count > 0, 0),
    (t.Feed.last_success_at.is_(None), 2),
    else_=1,
)
FEED_ORDERS: dict[str, Any] = {
    "health": _HEALTH,
    "name": func.lower(_LABEL),
    "last_fetch": t.Feed.last_fetch_at,
    "items": t.Feed.items_seen,
    "next_poll": t.Feed.next_poll_at,
}


def feeds(engine: Engine, *, sort: str = "health", descending: bool = False) -> list[FeedView]:
    """Every feed, sorted by one of ``FEED_ORDERS`` (then by name)."""
    order = FEED_ORDERS.get(sort, _HEALTH)
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                t.Feed.url,
                _LABEL.label("label"),
                t.Feed.official,
                t.Feed.disabled,
                t.Feed.error_count,
                t.Feed.error_kind,
                t.Feed.last_error,
                t.Feed.failing_since,
                t.Feed.last_fetch_at,
                t.Feed.last_success_at,
                t.Feed.last_status,
                t.Feed.items_seen.label("items"),
                t.Feed.next_poll_at,
                t.Feed.moved_to,
            ).order_by(order.desc() if descending else order, func.lower(_LABEL))
        ).all()
    return [FeedView(**r._mapping) for r in rows]


@dataclass(frozen=True)
class Overview:
    """The database's half of the status strip."""

    pending: int = 0
    failed: int = 0
    feeds: int = 0
    failing: int = 0
    ok: int = 0
    last_feed_error: tuple[str, str, datetime | None] | None = None  # label, error, when


def overview(engine: Engine) -> Overview:
    with engine.connect() as conn:
        states: dict[str, int] = dict(
            conn.execute(select(t.Delivery.state, func.count()).group_by(t.Delivery.state)).all()
        )
        feeds, failing, ok = conn.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((_HEALTH == 0, 1), else_=0)), 0),
                func.coalesce(func.sum(case((_HEALTH == 1, 1), else_=0)), 0),
            ).select_from(t.Feed)
        ).one()
        last = conn.execute(
            select(_LABEL, t.Feed.error_kind, t.Feed.last_error, t.Feed.last_fetch_at)
            .where(t.Feed.error_count > 0)
            .order_by(t.Feed.last_fetch_at.desc())
            .limit(1)
        ).first()
    error = None
    if last is not None:
        error = (last[0], f"{last[1] or 'error'}: {last[2] or ''}".strip(": "), last[3])
    return Overview(
        int(states.get("pending", 0)),
        int(states.get("failed", 0)),
        int(feeds),
        int(failing),
        int(ok),
        error,
    )
