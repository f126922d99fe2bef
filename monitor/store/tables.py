"""Tables. Singular snake_case names, timezone-aware ``*_at`` columns, named constraints.

The unique constraints are what make dedupe and exactly-once true, not checks in Python:
- ``item (feed_id, item_key)``: a feed's item is stored once, however often it is polled;
- ``alert (watch, story_id, change_key)``: one alert per watch, story and change;
- ``delivery (alert_id, target)``: one delivery row per alert and target.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on both databases (SQLite stores them naive, in UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """Now, timezone-aware: the clock of column defaults and of the daemon's schedule."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Feed(Base):
    __tablename__ = "feed"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    name: Mapped[str | None] = mapped_column(String(512))
    official: Mapped[bool] = mapped_column(Boolean, default=False)
    interval_s: Mapped[float | None]
    title: Mapped[str | None] = mapped_column(String(512))
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    last_fetch_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    error_kind: Mapped[str | None] = mapped_column(String(32))
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    items_seen: Mapped[int] = mapped_column(Integer, default=0)
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Fetch state of monitor.feed_state: ``url`` stays the configured identity; ``moved_to``
    # is where a confirmed permanent redirect led, and is fetched instead.
    moved_to: Mapped[str | None] = mapped_column(String(2048))
    redirect_seen: Mapped[str | None] = mapped_column(String(2048))
    operator_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content_hash: Mapped[str | None] = mapped_column(String(64))


class Story(Base):
    """One news event, however many feeds and URLs carry it."""

    __tablename__ = "story"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(512))
    # not indexed: nothing looks a story up by link (items' links are), and each new story
    # would write a page of that index at random
    canonical_link: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # monitor.stories.Signature.dump() of the first item: what the story index is rebuilt from
    signature: Mapped[str | None] = mapped_column(Text)


class Item(Base):
    __tablename__ = "item"
    __table_args__ = (UniqueConstraint("feed_id", "item_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feed.id", ondelete="CASCADE"))
    item_key: Mapped[str] = mapped_column(String(128))
    guid: Mapped[str | None] = mapped_column(String(2048))
    link: Mapped[str | None] = mapped_column(String(2048))
    canonical_link: Mapped[str | None] = mapped_column(String(2048), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(512))
    summary: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(16))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("story.id", ondelete="SET NULL"), index=True
    )


class WatchMatch(Base):
    """A watch that matched an item, with what the classifier made of it."""

    __tablename__ = "watch_match"
    __table_args__ = (UniqueConstraint("item_id", "watch"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"))
    watch: Mapped[str] = mapped_column(String(256), index=True)
    term: Mapped[str] = mapped_column(String(512))
    span_start: Mapped[int]
    span_end: Mapped[int]
    signal: Mapped[str] = mapped_column(String(16))
    rumored: Mapped[bool] = mapped_column(Boolean, default=False)
    dates: Mapped[list[str]] = mapped_column(JSON, default=list)
    evidence: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Alert(Base):
    """An alert, stored before any delivery is tried (transactional outbox)."""

    __tablename__ = "alert"
    __table_args__ = (UniqueConstraint("watch", "story_id", "change_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    watch: Mapped[str] = mapped_column(String(256), index=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id", ondelete="SET NULL"))
    change_key: Mapped[str] = mapped_column(String(512))
    signal: Mapped[str] = mapped_column(String(16))
    rumored: Mapped[bool] = mapped_column(Boolean, default=False)
    official: Mapped[bool] = mapped_column(Boolean, default=False)
    dates: Mapped[list[str]] = mapped_column(JSON, default=list)
    term: Mapped[str] = mapped_column(String(512))
    evidence: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(String(512))
    link: Mapped[str | None] = mapped_column(String(2048))
    change: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Delivery(Base):
    """One alert to one target: pending → delivered, or failed after retries with back-off.

    ``digest`` marks a delivery held for the target's next digest (digest mode, quiet hours or
    rate limit); its ``next_attempt_at`` is then the digest slot."""

    __tablename__ = "delivery"
    __table_args__ = (
        UniqueConstraint("alert_id", "target"),
        Index("ix_delivery_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
