"""Read-only queries of the reports, the alerts' messages and the calendar."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select

from monitor.store import tables as t
from monitor.store.base import Repository


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

    item: t.Item
    source: str
    official: bool


class QueryStore(Repository):
    """What reports, messages and the calendar read; nothing here writes."""

    def timeline_claims(
        self, watch: str, *, until: datetime | None = None, limit: int = 48
    ) -> list[TimelineClaim]:
        """The latest ``limit`` dated or released matches of ``watch``, newest first: the
        dates claimed for it over time, and by whom."""
        seen = func.coalesce(t.Item.published_at, t.Item.first_seen_at)
        with self.session() as s:
            query = (
                select(
                    seen,
                    t.WatchMatch.dates,
                    t.WatchMatch.rumored,
                    t.Feed.official,
                    func.coalesce(t.Feed.name, t.Feed.title, t.Feed.url),
                    t.WatchMatch.signal,
                )
                .join(t.Item, t.Item.id == t.WatchMatch.item_id)
                .join(t.Feed, t.Feed.id == t.Item.feed_id)
                .where(t.WatchMatch.watch == watch, t.WatchMatch.signal.in_(["dated", "released"]))
                .order_by(seen.desc(), t.WatchMatch.id.desc())
            )
            if until is not None:
                query = query.where(t.Item.first_seen_at <= until)
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
                select(func.coalesce(t.Feed.name, t.Feed.title, t.Feed.url), t.Item.link)
                .join(t.Feed, t.Feed.id == t.Item.feed_id)
                .where(t.Item.story_id == story_id)
                .order_by(t.Item.id != (first_item or 0), t.Item.first_seen_at, t.Item.id)
            ).all()
        seen: dict[str, str | None] = {}
        for label, link in rows:
            seen.setdefault(label, link)
        return list(seen.items())

    def recent_alerts(self, limit: int = 50) -> list[tuple[t.Alert, list[t.Delivery]]]:
        with self.session() as s:
            alerts = list(s.scalars(select(t.Alert).order_by(t.Alert.id.desc()).limit(limit)))
            deliveries = s.scalars(
                select(t.Delivery).where(t.Delivery.alert_id.in_([a.id for a in alerts]))
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
                    t.Feed.disabled, t.Feed.error_count > 0, t.Feed.last_success_at.is_(None)
                ).where(t.Feed.url.in_(list(urls)))
            ).all()
        counts = {"ok": 0, "failing": 0, "disabled": 0, "new": 0}
        for disabled, failing, never in rows:
            key = "disabled" if disabled else "failing" if failing else "new" if never else "ok"
            counts[key] += 1
        return counts

    def delivery_counts(self) -> dict[str, int]:
        with self.session() as s:
            rows = s.execute(
                select(t.Delivery.state, func.count()).group_by(t.Delivery.state)
            ).all()
        return dict(rows)

    def dated_claims(self) -> list[DatedClaim]:
        """(watch, dates, rumored, feed label, link, seen at) for every match that gave dates."""
        with self.session() as s:
            rows = s.execute(
                select(
                    t.WatchMatch.watch,
                    t.WatchMatch.dates,
                    t.WatchMatch.rumored,
                    func.coalesce(t.Feed.name, t.Feed.title, t.Feed.url),
                    t.Item.link,
                    t.WatchMatch.created_at,
                )
                .join(t.Item, t.Item.id == t.WatchMatch.item_id)
                .join(t.Feed, t.Feed.id == t.Item.feed_id)
                .order_by(t.WatchMatch.id)
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
                select(t.Alert.item_id, t.Alert.watch).where(t.Alert.item_id.in_(list(item_ids)))
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
                    t.Item, func.coalesce(t.Feed.name, t.Feed.title, t.Feed.url), t.Feed.official
                )
                .join(t.Feed, t.Feed.id == t.Item.feed_id)
                .where(t.Item.first_seen_at >= since)
                .order_by(t.Item.first_seen_at, t.Item.id)
            ).all()
        return [StoredItem(item, label, bool(official)) for item, label, official in rows]
