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
