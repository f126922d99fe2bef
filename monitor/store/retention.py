"""Retention: old items and empty stories go; alerts, their sources and dated claims stay."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, exists, func, or_, select

from monitor.store import tables as t
from monitor.store.base import Repository


class RetentionStore(Repository):
    def prune(self, before: datetime, *, batch: int = 5000) -> tuple[int, int]:
        """Delete items first seen before ``before`` and the stories left with nothing.

        Kept whatever their age: every alert, the items of a story that raised an alert (its
        sources), and items whose matches claimed a date (the calendar's timeline). Deletes
        in batches so no transaction holds the database for long. Returns (items, stories).
        """
        alerted = select(t.alert.c.story_id).where(t.alert.c.story_id.is_not(None))
        dated = select(t.watch_match.c.item_id).where(
            func.coalesce(cast(t.watch_match.c.dates, String), "[]") != "[]"
        )
        items = 0
        while True:
            with self.transaction() as s:
                ids = list(
                    s.scalars(
                        select(t.item.c.id)
                        .where(
                            t.item.c.first_seen_at < before,
                            or_(t.item.c.story_id.is_(None), t.item.c.story_id.not_in(alerted)),
                            t.item.c.id.not_in(dated),
                        )
                        .limit(batch)
                    )
                )
                if ids:
                    s.execute(delete(t.item).where(t.item.c.id.in_(ids)))
            items += len(ids)
            if len(ids) < batch:
                break
        with self.transaction() as s:
            result: Any = s.execute(
                delete(t.story).where(
                    t.story.c.created_at < before,
                    ~exists().where(t.item.c.story_id == t.story.c.id),
                    ~exists().where(t.alert.c.story_id == t.story.c.id),
                )
            )
        return items, int(result.rowcount or 0)
