"""Items, their matches and alerts: the writes of one polled feed, in one transaction.

Rules:
- Items are inserted in batches with ``INSERT … ON CONFLICT DO NOTHING``, then read back by
  key, so only rows actually inserted go on to alerting; no check-then-insert races.
- An alert and its delivery rows are written in the same transaction as the item that
  raised them (a transactional outbox): a crash loses neither, and delivery happens later.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, or_, select, text

from monitor.errors import StoreError
from monitor.links import canonical_url
from monitor.model import Item, fingerprint
from monitor.store import tables as t
from monitor.store.base import cap, dialect_insert
from monitor.store.story_index import FreshItem, StoryIndexStore, StoryPlan
from monitor.stories import Signature

# pg_advisory_xact_lock key of Store.unit ("nm" + 1).
STORE_LOCK_KEY = 0x6E6D0001


@dataclass(frozen=True)
class NewItem:
    """An item just inserted, with the story it joined."""

    id: int
    story_id: int
    item: Item
    canonical_link: str | None


@dataclass
class _Known:
    """What the database has of a batch: this feed's keys, fingerprints and links, and the
    story of each canonical link (any feed, within the story window)."""

    keys: set[str] = field(default_factory=set)
    prints: set[str] = field(default_factory=set)
    links: set[str | None] = field(default_factory=set)
    stories: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PriorAlert:
    signal: str
    dates: tuple[str, ...]
    created_at: datetime


class ItemStore(StoryIndexStore):
    """Which items are known, and the unit that stores a polled feed's new ones."""

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
        with self.reading() as s:
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
            with self.transaction() as c:
                if self.dialect == "postgresql":
                    c.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": STORE_LOCK_KEY})
                unit = Unit(self, c)
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


class Unit:
    """The writes of one polled feed, in one transaction (see Store.unit)."""

    def __init__(self, store: ItemStore, connection: Connection) -> None:
        self.store = store
        self.c = connection
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
        fresh: list[FreshItem] = []
        for fp, (item, link, signature) in prints.items():
            if fp in known.prints or (link and link in known.links):
                continue
            known.links.add(link)
            key = item.key[:128]
            if key in known.keys:
                continue  # the insert would do nothing: the key is taken
            known.keys.add(key)
            fresh.append(
                FreshItem(fp, item, link, signature or Signature.of(item.title, item.summary))
            )
        if not fresh:
            return []
        stories = self.store.assign_stories(
            self.c, fresh, known.stories, now, story_window, plan, self.created_stories
        )
        rows = [
            {
                "feed_id": feed_id,
                "item_key": f.item.key[:128],
                "guid": cap(f.item.guid, 2048),
                "link": cap(f.item.link, 2048),
                "canonical_link": cap(f.link, 2048),
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
            self.store._insert(t.watch_match)
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
            select(t.alert.c.signal, t.alert.c.dates, t.alert.c.created_at)
            .where(t.alert.c.watch == watch, t.alert.c.story_id == story_id)
            .order_by(t.alert.c.id)
        ).all()
        return [PriorAlert(sig, tuple(dates or ()), at) for sig, dates, at in rows]

    def add_alert(self, *, targets: Sequence[str], now: datetime, **fields: Any) -> int | None:
        """Insert an alert and a pending delivery per target; None when it already exists."""
        stmt = (
            self.store._insert(t.alert)
            .values(created_at=now, **fields)
            .on_conflict_do_nothing(index_elements=["watch", "story_id", "change_key"])
            .returning(t.alert.c.id)
        )
        alert_id = self.c.scalar(stmt)
        if alert_id is None:
            return None
        for target in targets:
            self.c.execute(
                self.store._insert(t.delivery)
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
def _insert_items(dialect: str) -> Any:
    """The item insert of Unit.insert_items, built once per dialect."""
    return dialect_insert(dialect)(t.item).on_conflict_do_nothing(
        index_elements=["feed_id", "item_key"]
    )


@cache
def _inserted_ids() -> Any:
    """Ids, keys, fingerprints and stories of a feed's items by key (bound: feed_id, keys)."""
    items: Any = t.item
    return select(items.c.id, items.c.item_key, items.c.fingerprint, items.c.story_id).where(
        items.c.feed_id == bindparam("feed_id"),
        items.c.item_key.in_(bindparam("keys", expanding=True)),
    )


@cache
def _known_items(*, with_links: bool) -> Any:
    """The statement of Unit._known, built once (bound: feed_id, keys, prints, links)."""
    items: Any = t.item
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
