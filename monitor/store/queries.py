"""Read-only queries of the reports, the alerts' messages and the calendar."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import func, select

from monitor.store import tables as t
from monitor.store.base import Repository

if TYPE_CHECKING:
    from monitor.store.orm import Item


class TimelineClaim(NamedTuple):
    """A dated or released match of a watch: what was claimed for it, when, and by whom."""

    seen: datetime
    dates: list[str]
    rumored: bool
    official: bool
    source: str
    signal: str


class DatedClaim(NamedTuple):
    """A match that gave dates for a watch, with the feed and link that gave them."""

    watch: str
    dates: list[str]
    rumored: bool
    source: str
    link: str | None
    seen: datetime


class StoredItem(NamedTuple):
    """A stored item with its feed's label and whether that feed is official."""

    item: Item
    source: str
    official: bool


class QueryStore(Repository):
    """What reports, messages and the calendar read; nothing here writes."""

    def timeline_claims(
        self, watch: str, *, until: datetime | None = None, limit: int = 48
    ) -> list[TimelineClaim]:
        """The latest ``limit`` dated or released matches of ``watch``, newest first: the
        dates claimed for it over time, and by whom."""
        seen = func.coalesce(t.item.c.published_at, t.item.c.first_seen_at)
        with self.session() as s:
            query = (
                select(
                    seen,
                    t.watch_match.c.dates,
                    t.watch_match.c.rumored,
                    t.feed.c.official,
                    func.coalesce(t.feed.c.name, t.feed.c.title, t.feed.c.url),
                    t.watch_match.c.signal,
                )
                .join(t.Item, t.item.c.id == t.watch_match.c.item_id)
                .join(t.Feed, t.feed.c.id == t.item.c.feed_id)
                .where(
                    t.watch_match.c.watch == watch,
                    t.watch_match.c.signal.in_(["dated", "released"]),
                )
                .order_by(seen.desc(), t.watch_match.c.id.desc())
            )
            if until is not None:
                query = query.where(t.item.c.first_seen_at <= until)
            rows = s.execute(query.limit(limit)).all()
        return [
            TimelineClaim(at, list(dates or []), rumored, official, label, signal)
            for at, dates, rumored, official, label, signal in rows
        ]

    def alert(self, alert_id: int) -> t.Alert | None:
        with self.session() as s:
            return s.get(t.Alert, alert_id)

    def story_sources(
        self, story_id: int, first_item: int | None = None
    ) -> list[tuple[str, str | None]]:
        """(feed label, link) for each item of a story, one per feed: ``first_item``'s feed
        first (the item an alert quotes), then the others, oldest first."""
        with self.session() as s:
            rows = s.execute(
                select(func.coalesce(t.feed.c.name, t.feed.c.title, t.feed.c.url), t.item.c.link)
                .join(t.Feed, t.feed.c.id == t.item.c.feed_id)
                .where(t.item.c.story_id == story_id)
                .order_by(t.item.c.id != (first_item or 0), t.item.c.first_seen_at, t.item.c.id)
            ).all()
        seen: dict[str, str | None] = {}
        for label, link in rows:
            seen.setdefault(label, link)
        return list(seen.items())

    def recent_alerts(self, limit: int = 50) -> list[tuple[t.Alert, list[t.Delivery]]]:
        with self.session() as s:
            alerts = list(s.scalars(select(t.Alert).order_by(t.alert.c.id.desc()).limit(limit)))
            deliveries = s.scalars(
                select(t.Delivery).where(t.delivery.c.alert_id.in_([a.id for a in alerts]))
            ).all()
        by_alert: dict[int, list[t.Delivery]] = {}
        for d in deliveries:
            by_alert.setdefault(d.alert_id, []).append(d)
        return [(a, sorted(by_alert.get(a.id, []), key=lambda d: d.target)) for a in alerts]

    def feed_health(self, urls: Sequence[str]) -> dict[str, int]:
        """How many of these feeds are ok, failing, disabled or not fetched yet."""
        with self.session() as s:
            rows = s.execute(
                select(
                    t.feed.c.disabled, t.feed.c.error_count > 0, t.feed.c.last_success_at.is_(None)
                ).where(t.feed.c.url.in_(list(urls)))
            ).all()
        counts = {"ok": 0, "failing": 0, "disabled": 0, "new": 0}
        for disabled, failing, never in rows:
            key = "disabled" if disabled else "failing" if failing else "new" if never else "ok"
            counts[key] += 1
        return counts

    def delivery_counts(self) -> dict[str, int]:
        with self.session() as s:
            rows = s.execute(
                select(t.delivery.c.state, func.count()).group_by(t.delivery.c.state)
            ).all()
        return dict(rows)

    def dated_claims(self) -> list[DatedClaim]:
        """(watch, dates, rumored, feed label, link, seen at) for every match that gave dates."""
        with self.session() as s:
            rows = s.execute(
                select(
                    t.watch_match.c.watch,
                    t.watch_match.c.dates,
                    t.watch_match.c.rumored,
                    func.coalesce(t.feed.c.name, t.feed.c.title, t.feed.c.url),
                    t.item.c.link,
                    t.watch_match.c.created_at,
                )
                .join(t.Item, t.item.c.id == t.watch_match.c.item_id)
                .join(t.Feed, t.feed.c.id == t.item.c.feed_id)
                .order_by(t.watch_match.c.id)
            ).all()
        return [
            DatedClaim(w, list(d or []), r, label, link, at)
            for w, d, r, label, link, at in rows
            if d
        ]

    def alerted_watches(self, item_ids: Sequence[int]) -> dict[int, set[str]]:
        """Item id → the watches it raised an alert for."""
        with self.session() as s:
            rows = s.execute(
                select(t.alert.c.item_id, t.alert.c.watch).where(
                    t.alert.c.item_id.in_(list(item_ids))
                )
            ).all()
        found: dict[int, set[str]] = {}
        for item_id, watch in rows:
            if item_id is None:
                continue
            found.setdefault(item_id, set()).add(watch)
        return found

    def items_since(self, since: datetime) -> list[StoredItem]:
        """Stored items first seen since ``since``, with their feed's label and whether it is
        official, oldest first."""
        with self.session() as s:
            rows = s.execute(
                select(
                    t.Item,
                    func.coalesce(t.feed.c.name, t.feed.c.title, t.feed.c.url),
                    t.feed.c.official,
                )
                .join(t.Feed, t.feed.c.id == t.item.c.feed_id)
                .where(t.item.c.first_seen_at >= since)
                .order_by(t.item.c.first_seen_at, t.item.c.id)
            ).all()
        return [StoredItem(item, label, bool(official)) for item, label, official in rows]
