"""Items on both databases: dedupe is enforced by the database, stories by link, and an
alert is unique per watch, story and change."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from monitor.model import FeedSpec, Item
from monitor.store import Store

NOW = datetime(2025, 8, 7, 12, 0, tzinfo=UTC)


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


def test_known_items_do_not_wait_for_a_writer(store: Store) -> None:
    """The look-up is a read: it sees the last commit while a unit holds the write lock (on
    SQLite a BEGIN IMMEDIATE would queue behind it until the unit ends)."""
    feed = _feed(store)
    with store.unit() as unit:
        unit.insert_items(feed, [(_item("guid:a", "A"), None)], NOW, timedelta(hours=72))
    items = [_item("guid:a", "A"), _item("guid:b", "B")]
    found: list[set[str]] = []
    with store.unit() as unit:
        unit.insert_items(feed, [(items[1], None)], NOW, timedelta(hours=72))
        reader = threading.Thread(target=lambda: found.append(store.known_items(feed, items)))
        reader.start()
        reader.join(5)
        assert not reader.is_alive()
    assert found == [{"guid:a"}]
    assert store.known_items(feed, items) == {"guid:a", "guid:b"}
