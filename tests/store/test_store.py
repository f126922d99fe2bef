"""Storage on both databases: migrations agree with the models, dedupe is enforced by the
database, the outbox claims work with a lease."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from monitor.model import FeedSpec, Item
from monitor.store import Store, make_engine, upgrade
from monitor.store.engine import alembic_config
from monitor.store.feeds import SuccessfulFetch
from monitor.store.tables import Base

NOW = datetime(2025, 8, 7, 12, 0, tzinfo=UTC)


def test_migrations_have_a_single_head(db_url: str) -> None:
    engine = make_engine(db_url)
    script = ScriptDirectory.from_config(alembic_config(engine))
    assert len(script.get_heads()) == 1
    engine.dispose()


def test_migrations_match_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    tables = set(inspect(store.engine).get_table_names())
    assert {"feed", "item", "story", "watch_match", "alert", "delivery"} <= tables


def test_upgrade_is_idempotent(store: Store) -> None:
    upgrade(store.engine)
    upgrade(store.engine)


def _item(key: str, title: str, link: str | None = None) -> Item:
    return Item(key=key, title=title, link=link, summary="s", published=NOW)


def _feed(store: Store, url: str = "http://127.0.0.1/feed") -> int:
    store.sync_feeds([FeedSpec(url)])
    row = store.feed(url)
    assert row is not None
    return row.id


def test_items_are_inserted_once(store: Store) -> None:
    feed = _feed(store)
    items = [(_item("guid:a", "A"), None), (_item("guid:b", "B"), None)]
    with store.unit() as unit:
        first = unit.insert_items(feed, items, NOW, timedelta(hours=72))
    with store.unit() as unit:
        again = unit.insert_items(
            feed, [*items, (_item("guid:c", "C"), None)], NOW, timedelta(hours=72)
        )
    assert [n.item.key for n in first] == ["guid:a", "guid:b"]
    assert [n.item.key for n in again] == ["guid:c"]


def test_rotating_guids_with_the_same_content_are_not_new(store: Store) -> None:
    feed = _feed(store)
    with store.unit() as unit:
        unit.insert_items(feed, [(_item("guid:v1", "Same story"), None)], NOW, timedelta(hours=72))
    with store.unit() as unit:
        again = unit.insert_items(
            feed, [(_item("guid:v2", "Same story"), None)], NOW, timedelta(hours=72)
        )
    assert again == []


def test_the_same_link_in_two_feeds_joins_one_story(store: Store) -> None:
    a, b = _feed(store, "http://127.0.0.1/a"), _feed(store, "http://127.0.0.1/b")
    link = "https://news.test/story"
    with store.unit() as unit:
        [first] = unit.insert_items(
            a, [(_item("guid:1", "Story", link), link)], NOW, timedelta(hours=72)
        )
    with store.unit() as unit:
        [second] = unit.insert_items(
            b, [(_item("guid:9", "Story, retold", link), link)], NOW, timedelta(hours=72)
        )
    assert first.story_id == second.story_id


def test_an_alert_is_unique_per_watch_story_and_change(store: Store) -> None:
    feed = _feed(store)
    with store.unit() as unit:
        [new] = unit.insert_items(
            feed, [(_item("guid:1", "GPT-5 is out"), None)], NOW, timedelta(hours=72)
        )
        fields = {
            "watch": "GPT-5",
            "story_id": new.story_id,
            "item_id": new.id,
            "change_key": "released|",
            "signal": "released",
            "rumored": False,
            "official": False,
            "dates": [],
            "term": "GPT-5",
            "evidence": "GPT-5 is out",
            "title": "GPT-5 is out",
            "link": None,
            "change": None,
        }
        first = unit.add_alert(targets=["chat", "email"], now=NOW, **fields)
        second = unit.add_alert(targets=["chat"], now=NOW, **fields)
    assert first is not None and second is None
    assert store.delivery_counts() == {"pending": 2}


def test_deliveries_are_claimed_with_a_lease(store: Store) -> None:
    test_an_alert_is_unique_per_watch_story_and_change(store)
    claimed = store.claim_deliveries(NOW, lease=timedelta(minutes=2))
    assert len(claimed) == 2
    assert store.claim_deliveries(NOW, lease=timedelta(minutes=2)) == []
    later = store.claim_deliveries(NOW + timedelta(minutes=3), lease=timedelta(minutes=2))
    assert len(later) == 2  # a crashed sender's lease ran out: the work is taken over
    store.mark_delivered(later[0].id, NOW)
    store.mark_many_failed([later[1].id], error="500", next_attempt_at=NOW + timedelta(hours=1))
    assert store.claim_deliveries(NOW + timedelta(minutes=10), lease=timedelta(minutes=2)) == []
    retry = store.claim_deliveries(
        NOW + timedelta(minutes=10), lease=timedelta(minutes=2), ignore_backoff=True
    )
    assert [d.id for d in retry] == [later[1].id]


def test_due_feeds_are_claimed_once(store: Store) -> None:
    urls = [f"http://127.0.0.1/{i}" for i in range(5)]
    store.sync_feeds([FeedSpec(u) for u in urls])
    first = store.claim_due_feeds(urls, NOW, lease=timedelta(minutes=5))
    assert sorted(f.url for f in first) == sorted(urls)
    assert store.claim_due_feeds(urls, NOW, lease=timedelta(minutes=5)) == []
    store.record_fetches(
        [SuccessfulFetch(first[0].id, NOW, status=200, next_poll_at=NOW + timedelta(minutes=10))]
    )
    assert store.claim_due_feeds(urls, NOW + timedelta(minutes=6), lease=timedelta(minutes=5)) != []
