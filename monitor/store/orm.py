"""The ORM classes over ``monitor.store.tables``, for the reads that want objects (reports,
the dashboard, the outbox's digests). Imported on first use through ``tables``: nothing a
poll runs needs them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import DeclarativeBase, Mapped

from monitor.store import tables


class Base(DeclarativeBase):
    metadata = tables.metadata


class Feed(Base):
    __table__ = tables.feed

    id: Mapped[int]
    url: Mapped[str]
    name: Mapped[str | None]
    official: Mapped[bool]
    interval_s: Mapped[float | None]
    title: Mapped[str | None]
    etag: Mapped[str | None]
    last_modified: Mapped[str | None]
    last_fetch_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_status: Mapped[int | None]
    last_error: Mapped[str | None]
    error_kind: Mapped[str | None]
    error_count: Mapped[int]
    failing_since: Mapped[datetime | None]
    items_seen: Mapped[int]
    next_poll_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    disabled: Mapped[bool]
    created_at: Mapped[datetime]
    moved_to: Mapped[str | None]
    redirect_seen: Mapped[str | None]
    operator_notified_at: Mapped[datetime | None]
    content_hash: Mapped[str | None]


class Story(Base):
    __table__ = tables.story

    id: Mapped[int]
    title: Mapped[str]
    canonical_link: Mapped[str | None]
    created_at: Mapped[datetime]
    signature: Mapped[str | None]


class Item(Base):
    __table__ = tables.item

    id: Mapped[int]
    feed_id: Mapped[int]
    item_key: Mapped[str]
    guid: Mapped[str | None]
    link: Mapped[str | None]
    canonical_link: Mapped[str | None]
    fingerprint: Mapped[str]
    title: Mapped[str]
    summary: Mapped[str]
    language: Mapped[str | None]
    published_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime]
    story_id: Mapped[int | None]


class WatchMatch(Base):
    __table__ = tables.watch_match

    id: Mapped[int]
    item_id: Mapped[int]
    watch: Mapped[str]
    term: Mapped[str]
    span_start: Mapped[int]
    span_end: Mapped[int]
    signal: Mapped[str]
    rumored: Mapped[bool]
    dates: Mapped[list[str]]
    evidence: Mapped[str]
    created_at: Mapped[datetime]


class Alert(Base):
    __table__ = tables.alert

    id: Mapped[int]
    watch: Mapped[str]
    story_id: Mapped[int]
    item_id: Mapped[int | None]
    change_key: Mapped[str]
    signal: Mapped[str]
    rumored: Mapped[bool]
    official: Mapped[bool]
    dates: Mapped[list[str]]
    term: Mapped[str]
    evidence: Mapped[str]
    title: Mapped[str]
    link: Mapped[str | None]
    change: Mapped[str | None]
    created_at: Mapped[datetime]


class Delivery(Base):
    __table__ = tables.delivery

    id: Mapped[int]
    alert_id: Mapped[int]
    target: Mapped[str]
    state: Mapped[str]
    attempts: Mapped[int]
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None]
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    digest: Mapped[bool]
