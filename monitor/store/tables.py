"""Tables. Singular snake_case names, timezone-aware ``*_at`` columns, named constraints.

The unique constraints are what make dedupe and exactly-once true, not checks in Python:
- ``item (feed_id, item_key)``: a feed's item is stored once, however often it is polled;
- ``alert (watch, story_id, change_key)``: one alert per watch, story and change;
- ``delivery (alert_id, target)``: one delivery row per alert and target.

The tables are SQLAlchemy Core (``t.feed.c.url``), which is all a poll needs. The ORM
classes mapped on them (``t.Feed``, ``t.Delivery`` …, in ``monitor.store.orm``) are imported
on their first use: the ORM costs some 100 ms of every start, a fifth of an all-304
``run --once`` (see #17).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
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


metadata = MetaData(naming_convention=NAMING_CONVENTION)


feed = Table(
    "feed",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(2048), nullable=False, unique=True),
    Column("name", String(512)),
    Column("official", Boolean, nullable=False, default=False),
    Column("interval_s", Double),
    Column("title", String(512)),
    Column("etag", String(512)),
    Column("last_modified", String(128)),
    Column("last_fetch_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("error_kind", String(32)),
    Column("error_count", Integer, nullable=False, default=0),
    Column("failing_since", UTCDateTime),
    Column("items_seen", Integer, nullable=False, default=0),
    Column("next_poll_at", UTCDateTime, index=True),
    Column("lease_until", UTCDateTime),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow),
    # Fetch state of monitor.feed_state: ``url`` stays the configured identity; ``moved_to``
    # is where a confirmed permanent redirect led, and is fetched instead.
    Column("moved_to", String(2048)),
    Column("redirect_seen", String(2048)),
    Column("operator_notified_at", UTCDateTime),
    Column("content_hash", String(64)),
)

# One news event, however many feeds and URLs carry it.
story = Table(
    "story",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String(512), nullable=False),
    # not indexed: nothing looks a story up by link (items' links are), and each new story
    # would write a page of that index at random
    Column("canonical_link", String(2048)),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow, index=True),
    # monitor.stories.Signature.dump() of the first item: what the story index is rebuilt from
    Column("signature", Text),
)

item = Table(
    "item",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("feed_id", ForeignKey("feed.id", ondelete="CASCADE"), nullable=False),
    Column("item_key", String(128), nullable=False),
    Column("guid", String(2048)),
    Column("link", String(2048)),
    Column("canonical_link", String(2048), index=True),
    Column("fingerprint", String(64), nullable=False, index=True),
    Column("title", String(512), nullable=False),
    Column("summary", Text, nullable=False, default=""),
    Column("language", String(16)),
    Column("published_at", UTCDateTime),
    Column("first_seen_at", UTCDateTime, nullable=False, default=utcnow, index=True),
    Column("story_id", ForeignKey("story.id", ondelete="SET NULL"), index=True),
    UniqueConstraint("feed_id", "item_key"),
)

# A watch that matched an item, with what the classifier made of it.
watch_match = Table(
    "watch_match",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", ForeignKey("item.id", ondelete="CASCADE"), nullable=False),
    Column("watch", String(256), nullable=False, index=True),
    Column("term", String(512), nullable=False),
    Column("span_start", Integer, nullable=False),
    Column("span_end", Integer, nullable=False),
    Column("signal", String(16), nullable=False),
    Column("rumored", Boolean, nullable=False, default=False),
    Column("dates", JSON, nullable=False, default=list),
    Column("evidence", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow),
    UniqueConstraint("item_id", "watch"),
)

# An alert, stored before any delivery is tried (transactional outbox).
alert = Table(
    "alert",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("watch", String(256), nullable=False, index=True),
    Column("story_id", ForeignKey("story.id", ondelete="CASCADE"), nullable=False),
    Column("item_id", ForeignKey("item.id", ondelete="SET NULL")),
    Column("change_key", String(512), nullable=False),
    Column("signal", String(16), nullable=False),
    Column("rumored", Boolean, nullable=False, default=False),
    Column("official", Boolean, nullable=False, default=False),
    Column("dates", JSON, nullable=False, default=list),
    Column("term", String(512), nullable=False),
    Column("evidence", Text, nullable=False, default=""),
    Column("title", String(512), nullable=False),
    Column("link", String(2048)),
    Column("change", Text),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow, index=True),
    UniqueConstraint("watch", "story_id", "change_key"),
)

# One alert to one target: pending → delivered, or failed after retries with back-off.
# ``digest`` marks a delivery held for the target's next digest (digest mode, quiet hours or
# rate limit); its ``next_attempt_at`` is then the digest slot.
delivery = Table(
    "delivery",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("alert_id", ForeignKey("alert.id", ondelete="CASCADE"), nullable=False),
    Column("target", String(128), nullable=False),
    Column("state", String(16), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False, default=utcnow),
    Column("lease_until", UTCDateTime),
    Column("last_error", Text),
    Column("delivered_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False, default=utcnow),
    Column("digest", Boolean, nullable=False, default=False, server_default=false()),
    UniqueConstraint("alert_id", "target"),
    Index("ix_delivery_due", "state", "next_attempt_at"),
)

_MAPPED = frozenset({"Alert", "Base", "Delivery", "Feed", "Item", "Story", "WatchMatch"})


def __getattr__(name: str) -> Any:
    """The ORM classes, imported on first use (see the module's docstring)."""
    if name in _MAPPED:
        from monitor.store import orm

        return getattr(orm, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
