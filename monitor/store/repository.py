"""The Store: every read and write the daemon makes, in short transactions.

Rules:
- Items are inserted in batches with ``INSERT … ON CONFLICT DO NOTHING``, then read back by
  key, so only rows actually inserted go on to alerting; no check-then-insert races.
- An alert and its delivery rows are written in the same transaction as the item that
  raised them (a transactional outbox): a crash loses neither, and delivery happens later.
- Feeds and deliveries are *claimed* with a lease (``lease_until``), with
  ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several instances never take the same work and
  work held by a dead instance is taken over when its lease expires.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    String,
    bindparam,
    cast,
    delete,
    exists,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from monitor.errors import StoreError
from monitor.links import canonical_url
from monitor.model import Item
from monitor.store import tables as t
from monitor.store.engine import database_error
from monitor.stories import Signature, StoryIndex, assign_stories

# Stories committed by other instances show up in this process's story index when it next
# syncs; a story is looked for as far back as this before the last sync (covers the time
# between a transaction's clock reading and its commit).
STORY_SYNC_MARGIN = timedelta(minutes=10)

# Stories from other instances read by id at a sync; more than this, and by time.
STORY_SYNC_IDS = 500

# pg_advisory_xact_lock key of Store.unit ("nm" + 1).
STORE_LOCK_KEY = 0x6E6D0001


@dataclass(frozen=True)
class FeedRow:
    id: int
    url: str
    name: str | None
    official: bool
    interval_s: float | None
    etag: str | None
    last_modified: str | None
    error_count: int
    failing_since: datetime | None
    moved_to: str | None = None
    redirect_seen: str | None = None
    operator_notified_at: datetime | None = None
    content_hash: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.url

    @property
    def fetch_url(self) -> str:
        """Where the feed is fetched from: its URL, or where a permanent redirect moved it."""
        return self.moved_to or self.url


# The columns of a FeedRow, in its fields' order.
_FEED_ROW = (
    t.Feed.id,
    t.Feed.url,
    t.Feed.name,
    t.Feed.official,
    t.Feed.interval_s,
    t.Feed.etag,
    t.Feed.last_modified,
    t.Feed.error_count,
    t.Feed.failing_since,
    t.Feed.moved_to,
    t.Feed.redirect_seen,
    t.Feed.operator_notified_at,
    t.Feed.content_hash,
)


@dataclass(frozen=True)
class SuccessfulFetch:
    """The fetch state a successful fetch (200 or 304) leaves on its feed row, as
    ``record_fetch`` writes it; ``title`` and ``content_hash`` only when the body was parsed."""

    feed_id: int
    now: datetime
    status: int | None
    next_poll_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    redirect_seen: str | None = None
    moved_to: str | None = None
    title: str | None = None
    items_seen: int = 0
    content_hash: str | None = None


@dataclass(frozen=True)
class NewItem:
    """An item just inserted, with the story it joined."""

    id: int
    story_id: int
    item: Item
    canonical_link: str | None


@dataclass(frozen=True)
class _Fresh:
    """An item of a batch that is new to the database, about to be inserted."""

    fingerprint: str
    item: Item
    link: str | None
    signature: Signature


@dataclass
class _Known:
    """What the database has of a batch: this feed's keys, fingerprints and links, and the
    story of each canonical link (any feed, within the story window)."""

    keys: set[str] = field(default_factory=set)
    prints: set[str] = field(default_factory=set)
    links: set[str | None] = field(default_factory=set)
    stories: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class StoryPlan:
    """The stories of a batch, looked up before its transaction (``Store.plan_stories``).

    The unit takes them as they are when nothing they depend on changed in between: the same
    story index at the same version (no story added, dropped or expired), the same clock,
    the same items all new, none of them with a link already in a story. Otherwise it looks
    them up again, so a plan saves time in the transaction and never changes an answer.
    """

    index: StoryIndex
    version: int
    now: datetime
    items: tuple[Item, ...]
    chosen: tuple[int, ...]  # as assign_stories returns them

    def holds(self, index: StoryIndex, now: datetime, fresh: Sequence[_Fresh]) -> bool:
        return (
            index is self.index
            and index.version == self.version
            and now == self.now
            and len(fresh) == len(self.items)
            and all(f.item is item for f, item in zip(fresh, self.items, strict=True))
        )


@dataclass(frozen=True)
class PriorAlert:
    signal: str
    dates: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class PendingDelivery:
    id: int
    alert_id: int
    target: str
    attempts: int
    created_at: datetime


def fingerprint(item: Item) -> str:
    """Content identity: catches feeds whose guids change on every fetch."""
    text = f"{item.title.strip().casefold()}\n{item.summary.strip().casefold()}"
    return hashlib.sha256(text.encode()).hexdigest()


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # Recent stories by token, shared by this process's units (see monitor.stories).
        self.stories: StoryIndex | None = None
        self.stories_lock = threading.Lock()
        self._stories_synced: datetime | None = None
        # Stories started by this process's committed units, not yet in the index: they are
        # added at the next sync or plan, outside the transaction that started them.
        self._committed: list[tuple[int, Signature, datetime]] = []

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error."""
        session = self._sessions()
        try:
            with session.begin():
                yield session
        except SQLAlchemyError as exc:
            url = self.engine.url.render_as_string(hide_password=False)
            raise database_error(url, exc, "error") from exc
        finally:
            session.close()

    def _insert(self, table: Any) -> Any:
        return dialect_insert(self.dialect)(table)

    # -- feeds ---------------------------------------------------------------------------

    def sync_feeds(self, feeds: Sequence[tuple[str, str | None, float | None, bool]]) -> None:
        """Make sure a row exists for each configured (url, name, interval, official).

        Run at every start and reload: one SELECT, then one executemany INSERT for the new
        feeds and one UPDATE for the changed ones (a statement per feed took a third of a
        second for 1,000 feeds). The INSERT still ignores a row another instance just added.
        """
        wanted = {url: (name, interval, official) for url, name, interval, official in feeds}
        if not wanted:
            return
        with self.session() as s:
            rows = s.execute(
                select(t.Feed.url, t.Feed.name, t.Feed.interval_s, t.Feed.official)
            ).all()
            known = {url: (name, interval, official) for url, name, interval, official in rows}
            now = t.utcnow()
            new = [
                {"b_url": u, "b_name": n, "b_interval": i, "b_official": o}
                for u, (n, i, o) in wanted.items()
                if u not in known
            ]
            changed = [
                {"b_url": u, "b_name": n, "b_interval": i, "b_official": o}
                for u, (n, i, o) in wanted.items()
                if u in known and known[u] != (n, i, o)
            ]
            columns = {
                "name": bindparam("b_name", type_=t.Feed.name.type),
                "interval_s": bindparam("b_interval", type_=t.Feed.interval_s.type),
                "official": bindparam("b_official", type_=t.Feed.official.type),
            }
            connection = s.connection()
            if new:
                connection.execute(
                    self._insert(t.Feed.__table__)
                    .values(
                        url=bindparam("b_url", type_=t.Feed.url.type),
                        **columns,
                        error_count=0,
                        items_seen=0,
                        disabled=False,
                        created_at=now,
                    )
                    .on_conflict_do_nothing(index_elements=["url"]),
                    new,
                )
            if changed:
                connection.execute(
                    update(t.Feed).where(t.Feed.url == bindparam("b_url")).values(**columns),
                    changed,
                )

    def claim_due_feeds(
        self,
        urls: Sequence[str],
        now: datetime,
        *,
        lease: timedelta,
        limit: int = 100,
        all_feeds: bool = False,
    ) -> list[FeedRow]:
        """Claim configured feeds that are due (or every one with ``all_feeds``) for a lease."""
        query = select(*_FEED_ROW).where(
            t.Feed.url.in_(urls),
            t.Feed.disabled.is_(False),
            or_(t.Feed.lease_until.is_(None), t.Feed.lease_until < now),
        )
        if not all_feeds:
            query = query.where(or_(t.Feed.next_poll_at.is_(None), t.Feed.next_poll_at <= now))
        query = query.order_by(t.Feed.next_poll_at.is_not(None), t.Feed.next_poll_at, t.Feed.id)
        # Core rows and one UPDATE, not ORM objects flushed one by one: claiming is on the
        # path of every poll, 304s included.
        with self.session() as s:
            connection = s.connection()
            rows = connection.execute(query.limit(limit).with_for_update(skip_locked=True)).all()
            if rows:
                connection.execute(
                    update(t.Feed)
                    .where(t.Feed.id.in_([r.id for r in rows]))
                    .values(lease_until=now + lease)
                )
            return [FeedRow(*r) for r in rows]

    def release_all_leases(self) -> None:
        """Forget every lease: only for an instance that knows it is alone on the database
        (SQLite), after a crash left leases that nobody holds any more."""
        with self.session() as s:
            connection = s.connection()
            connection.execute(
                update(t.Feed).where(t.Feed.lease_until.is_not(None)).values(lease_until=None)
            )
            connection.execute(
                update(t.Delivery)
                .where(t.Delivery.lease_until.is_not(None))
                .values(lease_until=None)
            )

    def release_feeds(self, feed_ids: Collection[int]) -> None:
        """Give back the leases of these feeds, whose poll could not be recorded (the
        database was down): they are polled at the next tick, not when the lease ends."""
        with self.session() as s:
            s.connection().execute(
                update(t.Feed).where(t.Feed.id.in_(list(feed_ids))).values(lease_until=None)
            )

    def feed(self, url: str) -> FeedRow | None:
        with self.session() as s:
            row = s.connection().execute(select(*_FEED_ROW).where(t.Feed.url == url)).first()
            return FeedRow(*row) if row else None

    def record_fetch(
        self,
        feed_id: int,
        *,
        now: datetime,
        status: int | None,
        next_poll_at: datetime,
        etag: str | None = None,
        last_modified: str | None = None,
        title: str | None = None,
        items_seen: int = 0,
        redirect_seen: str | None = None,
        moved_to: str | None = None,
        content_hash: str | None = None,
    ) -> None:
        """A successful fetch (200 or 304): clear the error state, schedule the next poll.

        ``redirect_seen`` is the permanent redirect this fetch saw (or None); ``moved_to``,
        when given, becomes the URL the feed is fetched from.
        """
        values: dict[str, Any] = {
            "last_fetch_at": now,
            "last_success_at": now,
            "last_status": status,
            "last_error": None,
            "error_kind": None,
            "error_count": 0,
            "failing_since": None,
            "next_poll_at": next_poll_at,
            "lease_until": None,
            "etag": etag,
            "last_modified": last_modified,
            "items_seen": t.Feed.items_seen + items_seen,
            "redirect_seen": _cap(redirect_seen, 2048),
        }
        if title:
            values["title"] = title[:512]
        if moved_to:
            values["moved_to"] = moved_to[:2048]
        if content_hash:
            values["content_hash"] = content_hash
        with self.session() as s:
            s.execute(update(t.Feed).where(t.Feed.id == feed_id).values(**values))

    def record_fetches(self, fetches: Sequence[SuccessfulFetch]) -> None:
        """``record_fetch`` for many feeds, in one transaction.

        One UPDATE statement executed for every row (``executemany``): an all-304 cycle of
        1,000 feeds costs a few transactions instead of 1,000 (see ``fetch_state_batch``).
        """
        if not fetches:
            return
        statement = (
            update(t.Feed)
            .where(t.Feed.id == bindparam("b_id"))
            .values(
                last_fetch_at=bindparam("b_now"),
                last_success_at=bindparam("b_now"),
                last_status=bindparam("b_status"),
                last_error=None,
                error_kind=None,
                error_count=0,
                failing_since=None,
                next_poll_at=bindparam("b_next"),
                lease_until=None,
                etag=bindparam("b_etag"),
                last_modified=bindparam("b_last_modified"),
                redirect_seen=bindparam("b_redirect_seen"),
                moved_to=func.coalesce(bindparam("b_moved_to", type_=String), t.Feed.moved_to),
                title=func.coalesce(bindparam("b_title", type_=String), t.Feed.title),
                items_seen=t.Feed.items_seen + bindparam("b_items_seen"),
                content_hash=func.coalesce(
                    bindparam("b_content_hash", type_=String), t.Feed.content_hash
                ),
            )
        )
        rows = [
            {
                "b_id": f.feed_id,
                "b_now": f.now,
                "b_status": f.status,
                "b_next": f.next_poll_at,
                "b_etag": f.etag,
                "b_last_modified": f.last_modified,
                "b_redirect_seen": _cap(f.redirect_seen, 2048),
                "b_moved_to": f.moved_to[:2048] if f.moved_to else None,
                "b_title": f.title[:512] if f.title else None,
                "b_items_seen": f.items_seen,
                "b_content_hash": f.content_hash or None,
            }
            for f in fetches
        ]
        with self.session() as s:
            s.connection().execute(statement, rows)

    def record_failure(
        self,
        feed_id: int,
        *,
        now: datetime,
        kind: str,
        message: str,
        status: int | None,
        next_poll_at: datetime,
        disable: bool = False,
    ) -> None:
        with self.session() as s:
            s.execute(
                update(t.Feed)
                .where(t.Feed.id == feed_id)
                .values(
                    last_fetch_at=now,
                    last_status=status,
                    last_error=message[:2000],
                    error_kind=kind,
                    error_count=t.Feed.error_count + 1,
                    failing_since=func.coalesce(t.Feed.failing_since, now),
                    next_poll_at=next_poll_at,
                    lease_until=None,
                    **({"disabled": True} if disable else {}),
                )
            )

    def known_items(
        self,
        feed_id: int,
        items: Sequence[Item],
        links: Sequence[str | None] | None = None,
    ) -> set[str]:
        """Keys of ``items`` this feed already has, by key, content fingerprint or canonical
        link (``links``, one per item; computed when not given): what ``Unit.insert_items``
        would find not new.

        Lets a re-poll drop known items before matching; ``Unit.insert_items`` stays the
        authority on what is new. The same statement as the unit's look-up, each branch on
        its own index (by feed and fingerprint, SQLite would walk the feed's every row).
        """
        if not items:
            return set()
        if links is None:
            links = [canonical_url(item.link) if item.link else None for item in items]
        known: set[str] = set()
        with self.session() as s:
            for start in range(0, len(items), 500):  # stay under bound-parameter limits
                chunk = items[start : start + 500]
                by_key = {item.key[:128]: item.key for item in chunk}
                by_print = {fingerprint(item): item.key for item in chunk}
                by_link = {
                    link: item.key
                    for item, link in zip(chunk, links[start : start + 500], strict=True)
                    if link
                }
                params = {
                    "feed_id": feed_id,
                    "keys": list(by_key),
                    "prints": list(by_print),
                    "links": list(by_link),
                }
                for feed, key, fp, link, _, _ in s.execute(
                    _known_items(with_links=bool(by_link)), params
                ):
                    if feed != feed_id:
                        continue
                    for found in (by_key.get(key), by_print.get(fp), by_link.get(link)):
                        if found is not None:
                            known.add(found)
        return known

    def mark_operator_notified(self, feed_id: int, now: datetime) -> None:
        """Remember that this failing period of the feed was reported to the operator."""
        with self.session() as s:
            s.execute(update(t.Feed).where(t.Feed.id == feed_id).values(operator_notified_at=now))

    def feeds(self) -> list[t.Feed]:
        with self.session() as s:
            return list(s.scalars(select(t.Feed).order_by(t.Feed.id)))

    # -- items, stories, matches, alerts: one transaction per polled feed --------------------

    @contextmanager
    def unit(self) -> Iterator[Unit]:
        """The transaction that stores a polled feed's new items and the alerts they raise.

        On PostgreSQL these transactions take one advisory lock, so instances that share the
        database assign stories and decide alerts one after the other: two instances that
        see the same story at once cannot both start it. They are short (fetching and
        parsing happen outside), so this costs little; SQLite gets the same order from
        BEGIN IMMEDIATE.
        """
        unit: Unit | None = None
        try:
            with self.session() as s:
                if self.dialect == "postgresql":
                    s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STORE_LOCK_KEY})
                unit = Unit(self, s)
                try:
                    yield unit
                except BaseException:
                    self._forget_stories(unit)
                    raise
        except StoreError:
            if unit is not None:
                self._forget_stories(unit)  # the commit failed
            raise
        if unit.created_stories:
            with self.stories_lock:
                self._committed += unit.created_stories

    def _forget_stories(self, unit: Unit) -> None:
        """Stories created by a unit that rolled back must not be offered to other items (a
        later sync in the same unit may have indexed them)."""
        if unit.created_stories and self.stories is not None:
            with self.stories_lock:
                self.stories.discard(story_id for story_id, _, _ in unit.created_stories)

    def _index_committed(self, index: StoryIndex) -> None:
        """Add the stories of this process's committed units. Call with ``stories_lock``."""
        for story_id, signature, created_at in self._committed:
            index.add(story_id, signature, created_at)
        self._committed.clear()

    def sync_stories(self, conn: Connection, now: datetime, window: timedelta) -> StoryIndex:
        """The story index, brought up to date with stories committed since the last sync.
        Call with ``stories_lock`` held."""
        if self.stories is None or self.stories.window != window:
            self.stories, self._stories_synced = StoryIndex(window), None
        self._index_committed(self.stories)
        since = now - window
        if self._stories_synced is not None:
            since = max(since, self._stories_synced - STORY_SYNC_MARGIN)
        index = self.stories
        query: Any = _window_stories(by_id=False)
        params: dict[str, Any] = {"since": since}
        if self._stories_synced is not None:
            # The stories of the margin are mostly this process's own, already indexed: list
            # their ids first, then read only the others (by time when there are many).
            ids = conn.scalars(_window_stories(by_id=False, ids_only=True), params)
            params["ids"] = [i for i in ids if i not in index]
            if not params["ids"]:
                query = None
            elif len(params["ids"]) <= STORY_SYNC_IDS:
                query = _window_stories(by_id=True)
        if query is not None:
            for story_id, signature, created_at in conn.execute(query, params):
                if story_id not in index:
                    index.add(story_id, Signature.parse(signature or ""), created_at)
        self.stories.expire(now)
        self._stories_synced = max(now, self._stories_synced or now)
        return self.stories

    def plan_stories(
        self,
        items: Sequence[Item],
        signatures: Sequence[Signature],
        now: datetime,
        window: timedelta,
    ) -> StoryPlan:
        """Look up the stories of a batch before its transaction, which then holds the write
        lock (SQLite) or the advisory lock (PostgreSQL) for less time.

        Reads the database only to load the story index the first time; the transaction
        still syncs it, and looks up again when that or anything else changed it meanwhile.
        """
        if self.stories is None or self.stories.window != window:
            # The database first, then the index lock, in the order a unit takes them:
            # ``connection()`` begins the transaction (BEGIN IMMEDIATE on SQLite) before the
            # lock is taken, not at the first statement under it.
            with self.session() as s:
                connection = s.connection()
                with self.stories_lock:
                    self.sync_stories(connection, now, window)
        with self.stories_lock:
            index = self.stories
            assert index is not None
            self._index_committed(index)
            index.expire(now)
            chosen = assign_stories(signatures, [None] * len(signatures), index, now)
            return StoryPlan(index, index.version, now, tuple(items), tuple(chosen))

    # -- retention ------------------------------------------------------------------------

    def prune(self, before: datetime, *, batch: int = 5000) -> tuple[int, int]:
        """Delete items first seen before ``before`` and the stories left with nothing.

        Kept whatever their age: every alert, the items of a story that raised an alert (its
        sources), and items whose matches claimed a date (the calendar's timeline). Deletes
        in batches so no transaction holds the database for long. Returns (items, stories).
        """
        alerted = select(t.Alert.story_id).where(t.Alert.story_id.is_not(None))
        dated = select(t.WatchMatch.item_id).where(
            func.coalesce(cast(t.WatchMatch.dates, String), "[]") != "[]"
        )
        items = 0
        while True:
            with self.session() as s:
                ids = list(
                    s.scalars(
                        select(t.Item.id)
                        .where(
                            t.Item.first_seen_at < before,
                            or_(t.Item.story_id.is_(None), t.Item.story_id.not_in(alerted)),
                            t.Item.id.not_in(dated),
                        )
                        .limit(batch)
                    )
                )
                if ids:
                    s.execute(delete(t.Item).where(t.Item.id.in_(ids)))
            items += len(ids)
            if len(ids) < batch:
                break
        with self.session() as s:
            result: Any = s.execute(
                delete(t.Story).where(
                    t.Story.created_at < before,
                    ~exists().where(t.Item.story_id == t.Story.id),
                    ~exists().where(t.Alert.story_id == t.Story.id),
                )
            )
        return items, int(result.rowcount or 0)

    # -- deliveries ---------------------------------------------------------------------------

    def claim_deliveries(
        self,
        now: datetime,
        *,
        lease: timedelta,
        limit: int = 50,
        ignore_backoff: bool = False,
        exclude_targets: Collection[str] = (),
    ) -> list[PendingDelivery]:
        """Claim pending deliveries, oldest alert first, for ``lease``."""
        with self.session() as s:
            query = select(t.Delivery).where(
                t.Delivery.state == "pending",
                t.Delivery.digest.is_(False),
                or_(t.Delivery.lease_until.is_(None), t.Delivery.lease_until < now),
            )
            if exclude_targets:
                query = query.where(t.Delivery.target.not_in(list(exclude_targets)))
            if not ignore_backoff:
                query = query.where(t.Delivery.next_attempt_at <= now)
            query = query.order_by(t.Delivery.alert_id, t.Delivery.id).limit(limit)
            rows = s.scalars(query.with_for_update(skip_locked=True)).all()
            for row in rows:
                row.lease_until = now + lease
            return [
                PendingDelivery(r.id, r.alert_id, r.target, r.attempts, r.created_at) for r in rows
            ]

    def mark_delivered(self, delivery_id: int, now: datetime) -> None:
        with self.session() as s:
            s.execute(
                update(t.Delivery)
                .where(t.Delivery.id == delivery_id)
                .values(
                    state="delivered",
                    delivered_at=now,
                    lease_until=None,
                    attempts=t.Delivery.attempts + 1,
                    last_error=None,
                )
            )

    def release_delivery(self, delivery_id: int) -> None:
        """Give a claimed delivery back untried (its target failed earlier this round)."""
        with self.session() as s:
            s.execute(
                update(t.Delivery).where(t.Delivery.id == delivery_id).values(lease_until=None)
            )

    def mark_attempt_failed(
        self, delivery_id: int, *, error: str, next_attempt_at: datetime | None
    ) -> None:
        """Schedule a retry, or with ``next_attempt_at=None`` give up (state ``failed``)."""
        self.mark_many_failed([delivery_id], error=error, next_attempt_at=next_attempt_at)

    # -- digests: deliveries held for one message per target (see monitor.digest) -----------

    def hold_for_digest(self, delivery_id: int, until: datetime) -> None:
        """Put a claimed delivery in the target's next digest, due at ``until``."""
        with self.session() as s:
            s.execute(
                update(t.Delivery)
                .where(t.Delivery.id == delivery_id)
                .values(digest=True, next_attempt_at=until, lease_until=None)
            )

    def held_until(self, target: str) -> datetime | None:
        """The slot of the deliveries ``target`` holds for a digest, if it holds any."""
        with self.session() as s:
            return s.scalar(
                select(func.min(t.Delivery.next_attempt_at)).where(
                    t.Delivery.target == target,
                    t.Delivery.state == "pending",
                    t.Delivery.digest.is_(True),
                )
            )

    def instant_sends(self, target: str, since: datetime) -> list[datetime]:
        """When ``target`` was last sent single alerts (for its rate limit)."""
        with self.session() as s:
            return list(
                s.scalars(
                    select(t.Delivery.delivered_at).where(
                        t.Delivery.target == target,
                        t.Delivery.state == "delivered",
                        t.Delivery.digest.is_(False),
                        t.Delivery.delivered_at > since,
                    )
                )
            )

    def due_digest_targets(self, now: datetime, *, ignore_backoff: bool = False) -> list[str]:
        with self.session() as s:
            return list(
                s.scalars(
                    select(t.Delivery.target)
                    .where(t.Delivery.state == "pending", t.Delivery.digest.is_(True))
                    .where(*_due(now, ignore_backoff))
                    .distinct()
                    .order_by(t.Delivery.target)
                )
            )

    def claim_digest(
        self, target: str, now: datetime, *, lease: timedelta, ignore_backoff: bool = False
    ) -> list[PendingDelivery]:
        """Claim every held delivery of ``target`` once its digest is due, oldest alert first."""
        with self.session() as s:
            due = s.scalar(
                select(func.count())
                .select_from(t.Delivery)
                .where(
                    t.Delivery.target == target,
                    t.Delivery.state == "pending",
                    t.Delivery.digest.is_(True),
                    *_due(now, ignore_backoff),
                )
            )
            if not due:
                return []
            rows = s.scalars(
                select(t.Delivery)
                .where(
                    t.Delivery.target == target,
                    t.Delivery.state == "pending",
                    t.Delivery.digest.is_(True),
                    or_(t.Delivery.lease_until.is_(None), t.Delivery.lease_until < now),
                )
                .order_by(t.Delivery.alert_id, t.Delivery.id)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                row.lease_until = now + lease
            return [
                PendingDelivery(r.id, r.alert_id, r.target, r.attempts, r.created_at) for r in rows
            ]

    def mark_many_delivered(self, ids: Sequence[int], now: datetime) -> None:
        """A digest was accepted: all its deliveries are delivered, together."""
        with self.session() as s:
            s.execute(
                update(t.Delivery)
                .where(t.Delivery.id.in_(list(ids)))
                .values(
                    state="delivered",
                    delivered_at=now,
                    lease_until=None,
                    attempts=t.Delivery.attempts + 1,
                    last_error=None,
                )
            )

    def mark_many_failed(
        self, ids: Sequence[int], *, error: str, next_attempt_at: datetime | None
    ) -> None:
        """Retry at ``next_attempt_at``, or with None give up on all of them."""
        values: dict[str, Any] = {
            "attempts": t.Delivery.attempts + 1,
            "last_error": error[:2000],
            "lease_until": None,
        }
        if next_attempt_at is None:
            values["state"] = "failed"
        else:
            values["next_attempt_at"] = next_attempt_at
        with self.session() as s:
            s.execute(update(t.Delivery).where(t.Delivery.id.in_(list(ids))).values(**values))

    def give_up_stale(self, target: str, *, created_before: datetime, error: str) -> int:
        """Mark failed every pending delivery of ``target`` older than the give-up age, so a
        long outage ends in one operator notice, not one per alert. Returns how many."""
        with self.session() as s:
            result = s.execute(
                update(t.Delivery)
                .where(
                    t.Delivery.target == target,
                    t.Delivery.state == "pending",
                    t.Delivery.created_at <= created_before,
                )
                .values(state="failed", last_error=error[:2000], lease_until=None)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def watch_timeline(
        self, watch: str, *, until: datetime | None = None, limit: int = 12
    ) -> list[tuple[datetime, list[str], bool, bool, str, str]]:
        """(seen, dates, rumored, official, source, signal) for each dated or released match
        of ``watch``, oldest first: the dates claimed for it over time, and by whom."""
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
            rows = s.execute(query.limit(limit * 4)).all()
        found: list[tuple[datetime, list[str], bool, bool, str, str]] = []
        claims: set[tuple[str, ...]] = set()
        for at, dates, rumored, official, label, signal in rows:
            key = (signal, label, *sorted(dates or []))
            if (not dates and signal != "released") or key in claims:
                continue
            claims.add(key)
            found.append((at, list(dates or []), rumored, official, label, signal))
        found.reverse()
        return found[-limit:]

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

    def dated_claims(self) -> list[tuple[str, list[str], bool, str, str | None, datetime]]:
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
        return [(w, list(d or []), r, label, link, at) for w, d, r, label, link, at in rows if d]

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

    def items_since(self, since: datetime) -> list[tuple[t.Item, str, bool]]:
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
        return [(item, label, bool(official)) for item, label, official in rows]


class Unit:
    """The writes of one polled feed, in one transaction (see Store.unit)."""

    def __init__(self, store: Store, session: Session) -> None:
        self.store = store
        # Core statements go straight to the session's connection: the ORM layer adds
        # nothing to them but time.
        self.c = session.connection()
        # (id, signature, created at) of the stories this unit started
        self.created_stories: list[tuple[int, Signature, datetime]] = []

    def insert_items(
        self,
        feed_id: int,
        items: Sequence[tuple[Item, str | None]],
        now: datetime,
        story_window: timedelta,
        *,
        signatures: Sequence[Signature] | None = None,
        plan: StoryPlan | None = None,
    ) -> list[NewItem]:
        """Insert (item, canonical link) pairs; return only the new ones, each with its story.

        An item is not new when its key is known in this feed, when this feed already has an
        item with the same content fingerprint (rotating guids), or with the same canonical
        link (the same article under a new guid). A new item joins, in this order: the story
        of an item with the same canonical link in any feed, the most similar recent story
        (``monitor.stories``), both within ``story_window``; else it starts a story.

        ``signatures``, one per item, saves tokenising in the transaction (the caller
        computes them beforehand with ``Signature.of``); missing ones are computed here.
        ``plan`` (``Store.plan_stories``) saves the story look-ups when it still holds.

        Statements: one look-up of known keys, fingerprints and links (each on its own
        index), the story index sync, the new stories, the items with their story in one
        ``INSERT … ON CONFLICT DO NOTHING`` (executemany), then their ids by key.
        """
        if not items:
            return []
        if signatures is not None and len(signatures) != len(items):
            raise ValueError("one signature per item")
        prints: dict[str, tuple[Item, str | None, Signature | None]] = {}
        for n, (item, link) in enumerate(items):
            prints[fingerprint(item)] = (item, link, signatures[n] if signatures else None)
        known = self._known(feed_id, prints, now - story_window)
        fresh: list[_Fresh] = []
        for fp, (item, link, signature) in prints.items():
            if fp in known.prints or (link and link in known.links):
                continue
            known.links.add(link)
            key = item.key[:128]
            if key in known.keys:
                continue  # the insert would do nothing: the key is taken
            known.keys.add(key)
            fresh.append(
                _Fresh(fp, item, link, signature or Signature.of(item.title, item.summary))
            )
        if not fresh:
            return []
        stories = self._assign_stories(fresh, known.stories, now, story_window, plan)
        rows = [
            {
                "feed_id": feed_id,
                "item_key": f.item.key[:128],
                "guid": _cap(f.item.guid, 2048),
                "link": _cap(f.item.link, 2048),
                "canonical_link": _cap(f.link, 2048),
                "fingerprint": f.fingerprint,
                "title": f.item.title[:512],
                "summary": f.item.summary[:8192],
                "language": f.item.language,
                "published_at": f.item.published,
                "first_seen_at": now,
                "story_id": story_id,
            }
            for f, story_id in zip(fresh, stories, strict=True)
        ]
        # executemany without RETURNING (on SQLite, RETURNING makes one multi-row statement
        # that costs more than the rows themselves), then the ids by key, on hot pages.
        # Nothing conflicts here: units run one at a time and the keys were looked up above.
        # Were a row skipped anyway, the row under its key would not have its content and
        # story, so it is not new; a story started for it alone stays empty and retention
        # removes it.
        self.c.execute(_insert_items(self.store.dialect), rows)
        ours = {row["item_key"]: (row["fingerprint"], row["story_id"]) for row in rows}
        keys = list(ours)
        stored = self.c.execute(_inserted_ids(), {"feed_id": feed_id, "keys": keys})
        inserted = {key: i for i, key, fp, story_id in stored if ours[key] == (fp, story_id)}
        return [
            NewItem(inserted[key], story_id, f.item, f.link)
            for f, story_id, key in zip(fresh, stories, keys, strict=True)
            if key in inserted
        ]

    def _known(
        self,
        feed_id: int,
        prints: dict[str, tuple[Item, str | None, Signature | None]],
        since: datetime,
    ) -> _Known:
        """What the database already has of a batch, in one query whose every branch has an
        index: this feed's item keys (``uq_item_feed_id_item_key``), fingerprints
        (``ix_item_fingerprint``) and canonical links (``ix_item_canonical_link``) of any
        feed. A fingerprint or link is stored once per feed, so these branches return at most
        one row per feed; the feed filter of the last two is applied here, not in SQL (with
        it, SQLite would scan the whole feed on the unique index)."""
        keys = {item.key[:128] for item, _, _ in prints.values()}
        links = {link for _, link, _ in prints.values() if link}
        known = _Known()
        rows = self.c.execute(
            _known_items(with_links=bool(links)),
            {"feed_id": feed_id, "keys": list(keys), "prints": list(prints), "links": list(links)},
        )
        for feed, key, fp, link, story_id, seen_at in rows:
            if feed == feed_id:
                known.keys.add(key)
                if fp in prints or link in links:
                    known.prints.add(fp)
                    known.links.add(link)
            if link in links and story_id is not None and seen_at >= since:
                known.stories.setdefault(link, story_id)
        return known

    def _assign_stories(
        self,
        fresh: Sequence[_Fresh],
        by_link: dict[str, int],
        now: datetime,
        window: timedelta,
        plan: StoryPlan | None,
    ) -> list[int]:
        """The story of each item about to be inserted; creates the stories they start.
        ``by_link``: canonical link → story of a stored item with that link."""
        with self.store.stories_lock:
            index = self.store.sync_stories(self.c, now, window)
            linked = [by_link.get(f.link) if f.link else None for f in fresh]
            if plan is not None and not any(linked) and plan.holds(index, now, fresh):
                chosen = list(plan.chosen)
            else:
                chosen = assign_stories([f.signature for f in fresh], linked, index, now)
            starts: list[_Fresh] = []  # the items that start a story: provisional id -1, -2 …
            for f, story_id in zip(fresh, chosen, strict=True):
                if story_id == -len(starts) - 1:
                    starts.append(f)
            if not starts:
                return chosen
            values = [(f.item.title[:512], _cap(f.link, 2048), f.signature.dump()) for f in starts]
            # One multi-row INSERT … RETURNING: its rows come back in no set order (SQLAlchemy
            # would insert row by row on SQLite to keep the order), so each id is matched to
            # its row by value. Rows with equal values are interchangeable.
            slots: dict[tuple[str, str | None, str], list[int]] = {}
            for n, row in enumerate(values):
                slots.setdefault(row, []).append(n)
            ids = [0] * len(values)
            returned = self.c.execute(
                _insert_stories(self.store.dialect),
                [
                    {"title": title, "canonical_link": link, "signature": sig, "created_at": now}
                    for title, link, sig in values
                ],
            )
            for story_id, title, link, signature in returned:
                ids[slots[title, link, signature].pop(0)] = story_id
            # Indexed once committed (Store.unit), or by a later sync of this unit.
            self.created_stories += [
                (story_id, f.signature, now) for story_id, f in zip(ids, starts, strict=True)
            ]
        return [ids[-s - 1] if s < 0 else s for s in chosen]

    def add_match(
        self,
        item_id: int,
        watch: str,
        term: str,
        span: tuple[int, int],
        signal: str,
        rumored: bool,
        dates: Sequence[str],
        evidence: str,
    ) -> None:
        self.c.execute(
            self.store._insert(t.WatchMatch.__table__)
            .values(
                item_id=item_id,
                watch=watch,
                term=term[:512],
                span_start=span[0],
                span_end=span[1],
                signal=signal,
                rumored=rumored,
                dates=list(dates),
                evidence=evidence[:4000],
                created_at=t.utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["item_id", "watch"])
        )

    def prior_alerts(self, watch: str, story_id: int) -> list[PriorAlert]:
        rows = self.c.execute(
            select(t.Alert.signal, t.Alert.dates, t.Alert.created_at)
            .where(t.Alert.watch == watch, t.Alert.story_id == story_id)
            .order_by(t.Alert.id)
        ).all()
        return [PriorAlert(sig, tuple(dates or ()), at) for sig, dates, at in rows]

    def add_alert(self, *, targets: Sequence[str], now: datetime, **fields: Any) -> int | None:
        """Insert an alert and a pending delivery per target; None when it already exists."""
        stmt = (
            self.store._insert(t.Alert.__table__)
            .values(created_at=now, **fields)
            .on_conflict_do_nothing(index_elements=["watch", "story_id", "change_key"])
            .returning(t.Alert.__table__.c.id)
        )
        alert_id = self.c.scalar(stmt)
        if alert_id is None:
            return None
        for target in targets:
            self.c.execute(
                self.store._insert(t.Delivery.__table__)
                .values(
                    alert_id=alert_id,
                    target=target,
                    state="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
                .on_conflict_do_nothing(index_elements=["alert_id", "target"])
            )
        return int(alert_id)


@cache
def _window_stories(*, by_id: bool, ids_only: bool = False) -> Any:
    """Statements of Store.sync_stories, built once: the signed stories created since
    ``since``, those of them with an id in ``ids``, or only their ids."""
    story: Any = t.Story.__table__
    signed = (story.c.created_at >= bindparam("since"), story.c.signature.is_not(None))
    if ids_only:
        return select(story.c.id).where(*signed)
    query = select(story.c.id, story.c.signature, story.c.created_at).where(*signed)
    if by_id:
        query = query.where(story.c.id.in_(bindparam("ids", expanding=True)))
    return query.order_by(story.c.created_at, story.c.id)


@cache
def dialect_insert(dialect: str) -> Any:
    """The dialect's INSERT construct (for ON CONFLICT and RETURNING), imported on first use:
    the PostgreSQL dialect package costs some 20 ms of start-up that SQLite never needs."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert


@cache
def _insert_items(dialect: str) -> Any:
    """The item insert of Unit.insert_items, built once per dialect."""
    return dialect_insert(dialect)(t.Item.__table__).on_conflict_do_nothing(
        index_elements=["feed_id", "item_key"]
    )


@cache
def _inserted_ids() -> Any:
    """Ids, keys, fingerprints and stories of a feed's items by key (bound: feed_id, keys)."""
    items: Any = t.Item.__table__
    return select(items.c.id, items.c.item_key, items.c.fingerprint, items.c.story_id).where(
        items.c.feed_id == bindparam("feed_id"),
        items.c.item_key.in_(bindparam("keys", expanding=True)),
    )


@cache
def _insert_stories(dialect: str) -> Any:
    """The story insert of Unit._assign_stories, built once per dialect."""
    story: Any = t.Story.__table__
    return dialect_insert(dialect)(story).returning(
        story.c.id, story.c.title, story.c.canonical_link, story.c.signature
    )


@cache
def _known_items(*, with_links: bool) -> Any:
    """The statement of Unit._known, built once (bound: feed_id, keys, prints, links)."""
    items: Any = t.Item.__table__
    branches = [
        (items.c.feed_id == bindparam("feed_id"))
        & items.c.item_key.in_(bindparam("keys", expanding=True)),
        items.c.fingerprint.in_(bindparam("prints", expanding=True)),
    ]
    if with_links:
        branches.append(items.c.canonical_link.in_(bindparam("links", expanding=True)))
    return (
        select(
            items.c.feed_id,
            items.c.item_key,
            items.c.fingerprint,
            items.c.canonical_link,
            items.c.story_id,
            items.c.first_seen_at,
        )
        .where(or_(*branches))
        .order_by(items.c.id)
    )


def _due(now: datetime, ignore_backoff: bool) -> tuple[Any, ...]:
    """A held delivery is due at its slot; ``ignore_backoff`` also takes retries now."""
    if ignore_backoff:
        return (or_(t.Delivery.next_attempt_at <= now, t.Delivery.attempts > 0),)
    return (t.Delivery.next_attempt_at <= now,)


def _cap(value: str | None, size: int) -> str | None:
    return value[:size] if value else value


__all__ = ["FeedRow", "NewItem", "PendingDelivery", "PriorAlert", "Store", "Unit"]
