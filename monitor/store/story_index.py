"""The process-local story index, kept in step with the database.

Recent stories by token (``monitor.stories.StoryIndex``), shared by this process's units
under one lock. Stories other instances commit are read at the next sync; stories this
process starts are added once their transaction commits, never before.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select

from monitor.model import Item
from monitor.store import tables as t
from monitor.store.base import Repository, cap, dialect_insert
from monitor.stories import Signature, StoryIndex, assign_stories

# Stories committed by other instances show up in this process's story index when it next
# syncs; a story is looked for as far back as this before the last sync (covers the time
# between a transaction's clock reading and its commit).
STORY_SYNC_MARGIN = timedelta(minutes=10)

# Stories from other instances read by id at a sync; more than this, and by time.
STORY_SYNC_IDS = 500


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

    def holds(self, index: StoryIndex, now: datetime, items: Sequence[Item]) -> bool:
        return (
            index is self.index
            and index.version == self.version
            and now == self.now
            and len(items) == len(self.items)
            and all(a is b for a, b in zip(items, self.items, strict=True))
        )


@dataclass(frozen=True)
class FreshItem:
    """An item of a batch that is new to the database, about to be inserted."""

    fingerprint: str
    item: Item
    link: str | None
    signature: Signature


class StoryIndexStore(Repository):
    """The story index of this process, and the stories its units start."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        # Recent stories by token, shared by this process's units (see monitor.stories).
        self.stories: StoryIndex | None = None
        self.stories_lock = threading.Lock()
        self._stories_synced: datetime | None = None
        # Stories started by this process's committed units, not yet in the index: they are
        # added at the next sync or plan, outside the transaction that started them.
        self._committed: list[tuple[int, Signature, datetime]] = []

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
            # The transaction begins (BEGIN IMMEDIATE on SQLite) before the lock is taken,
            # not at the first statement under it.
            with self.transaction() as connection, self.stories_lock:
                self.sync_stories(connection, now, window)
        with self.stories_lock:
            index = self.stories
            assert index is not None
            self._index_committed(index)
            index.expire(now)
            chosen = assign_stories(signatures, [None] * len(signatures), index, now)
            return StoryPlan(index, index.version, now, tuple(items), tuple(chosen))

    def assign_stories(
        self,
        conn: Connection,
        fresh: Sequence[FreshItem],
        by_link: dict[str, int],
        now: datetime,
        window: timedelta,
        plan: StoryPlan | None,
        started: list[tuple[int, Signature, datetime]],
    ) -> list[int]:
        """The story of each item about to be inserted; creates the stories they start, and
        appends them to ``started`` (id, signature, created at) for the unit that holds
        ``conn``. ``by_link``: canonical link → story of a stored item with that link."""
        with self.stories_lock:
            index = self.sync_stories(conn, now, window)
            linked = [by_link.get(f.link) if f.link else None for f in fresh]
            if (
                plan is not None
                and not any(linked)
                and plan.holds(index, now, [f.item for f in fresh])
            ):
                chosen = list(plan.chosen)
            else:
                chosen = assign_stories([f.signature for f in fresh], linked, index, now)
            starts: list[FreshItem] = []  # the items that start a story: provisional id -1, -2 …
            for f, story_id in zip(fresh, chosen, strict=True):
                if story_id == -len(starts) - 1:
                    starts.append(f)
            if not starts:
                return chosen
            values = [(f.item.title[:512], cap(f.link, 2048), f.signature.dump()) for f in starts]
            # One multi-row INSERT … RETURNING: its rows come back in no set order (SQLAlchemy
            # would insert row by row on SQLite to keep the order), so each id is matched to
            # its row by value. Rows with equal values are interchangeable.
            slots: dict[tuple[str, str | None, str], list[int]] = {}
            for n, row in enumerate(values):
                slots.setdefault(row, []).append(n)
            ids = [0] * len(values)
            returned = conn.execute(
                _insert_stories(self.dialect),
                [
                    {"title": title, "canonical_link": link, "signature": sig, "created_at": now}
                    for title, link, sig in values
                ],
            )
            for story_id, title, link, signature in returned:
                ids[slots[title, link, signature].pop(0)] = story_id
            # Indexed once committed (Store.unit), or by a later sync of this unit.
            started += [
                (story_id, f.signature, now) for story_id, f in zip(ids, starts, strict=True)
            ]
        return [ids[-s - 1] if s < 0 else s for s in chosen]


@cache
def _window_stories(*, by_id: bool, ids_only: bool = False) -> Any:
    """Statements of Store.sync_stories, built once: the signed stories created since
    ``since``, those of them with an id in ``ids``, or only their ids."""
    story: Any = t.story
    signed = (story.c.created_at >= bindparam("since"), story.c.signature.is_not(None))
    if ids_only:
        return select(story.c.id).where(*signed)
    query = select(story.c.id, story.c.signature, story.c.created_at).where(*signed)
    if by_id:
        query = query.where(story.c.id.in_(bindparam("ids", expanding=True)))
    return query.order_by(story.c.created_at, story.c.id)


@cache
def _insert_stories(dialect: str) -> Any:
    """The story insert of StoryIndexStore.assign_stories, built once per dialect."""
    story: Any = t.story
    return dialect_insert(dialect)(story).returning(
        story.c.id, story.c.title, story.c.canonical_link, story.c.signature
    )
