"""Stories: the labelled headline pairs, the recent-story index, and story assignment in the
store on both databases (identity, clustering, retention)."""

from __future__ import annotations

import itertools
import random
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from monitor.links import canonical_url
from monitor.model import FeedSpec, Item
from monitor.recent import RecentKeys
from monitor.store import Store, make_engine, upgrade
from monitor.store import tables as t
from monitor.stories import THRESHOLD, Signature, StoryIndex, conflict, same_story, tokens

PAIRS = Path(__file__).parent / "data" / "story_pairs.yaml"
NOW = datetime(2025, 8, 7, 12, 0, tzinfo=UTC)
WINDOW = timedelta(hours=72)


def _labelled() -> tuple[list[tuple[str, date, Signature]], set[frozenset[str]]]:
    data = yaml.safe_load(PAIRS.read_text(encoding="utf-8"))
    heads = [
        (e["id"], e["date"], Signature.of(h["title"], h.get("lede", "")))
        for e in data["events"]
        for h in e["headlines"]
    ]
    hard = {frozenset(p[:2]) for p in data["hard_negatives"]}
    return heads, hard


def scores(threshold: float = THRESHOLD, *, window_days: int | None = None) -> dict[str, Any]:
    """Precision and recall of same_story over every pair of labelled headlines (or over the
    pairs published within ``window_days`` of each other, plus the hard negatives)."""
    heads, hard = _labelled()
    tp = fp = fn = hard_fp = 0
    for (ea, da, sa), (eb, db, sb) in itertools.combinations(heads, 2):
        is_hard = frozenset((ea, eb)) in hard
        if window_days is not None and abs((da - db).days) > window_days and not is_hard:
            continue
        predicted, same = same_story(sa, sb, threshold), ea == eb
        tp += predicted and same
        fp += predicted and not same
        fn += same and not predicted
        hard_fp += predicted and is_hard
    return {
        "precision": tp / (tp + fp),
        "recall": tp / (tp + fn),
        "pairs": (tp, fp, fn),
        "hard_negative_pairs_joined": hard_fp,
    }


def test_labelled_pairs_precision_and_recall() -> None:
    everything = scores()
    assert everything["precision"] >= 0.88, everything
    assert everything["recall"] >= 0.9, everything
    in_window = scores(window_days=3)
    assert in_window["precision"] >= 0.9, in_window
    assert in_window["recall"] >= 0.9, in_window


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("OpenAI delays GPT-5 launch", "OpenAI launches GPT-5"),
        ("GPT-5 delayed to later this year", "GPT-5 launches today for ChatGPT users"),
        ("OpenAI launches GPT-4.5", "OpenAI launches GPT-5"),
        ("OpenAI fires Sam Altman", "Microsoft hires Sam Altman"),
        ("Microsoft Build 2024 dates announced", "Microsoft Build 2025 dates announced"),
        ("gpt2-chatbot appears on LMSYS", "gpt2-chatbot disappears from LMSYS"),
        ("Apple unveils the iPhone 17 Air", "iPhone 17 Air sales disappoint, report says"),
        ("Apple launches the iPhone 17", "Apple announces record iPhone 17 sales"),
    ],
)
def test_different_events_about_one_watch_stay_apart(a: str, b: str) -> None:
    assert conflict(Signature.of(a), Signature.of(b)) is not None
    assert not same_story(Signature.of(a), Signature.of(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # one keynote, each outlet headlining another model of the range: one story
        ("Apple unveils the iPhone 17 Air", "Apple unveils the iPhone 17 Pro and Pro Max"),
        ("iPhone 17 goes on sale Friday", "Apple launches the iPhone 17"),
        ("Switch 2 sales start today", "Nintendo Switch 2 launches today"),
        ("La Switch 2 est en vente", "La Switch 2 est disponible"),
        ("iPhone 17 goes on sale today", "iPhone 17 Pro and iPhone Air hit store shelves today"),
        (
            "Switch 2 sales top 10 million",
            "Switch 2 is the fastest-selling console after passing 10 million",
        ),
    ],
)
def test_one_event_told_differently_does_not_conflict(a: str, b: str) -> None:
    assert conflict(Signature.of(a), Signature.of(b)) is None


def test_similarity_is_the_token_sort_ratio_of_the_signatures() -> None:
    # similarity() compares each signature's tokens sorted once; that must stay rapidfuzz's
    # token_sort_ratio of the two texts, which the thresholds were chosen with.
    from rapidfuzz import fuzz

    from monitor.stories import similarity

    signatures = [s for _, _, s in _labelled()[0] if s.lede]
    assert len(signatures) > 20
    for a, b in itertools.combinations(signatures, 2):
        assert similarity(a, b) == fuzz.token_sort_ratio(a.text, b.text) / 100


def test_tokens_fold_case_accents_plurals_and_versions() -> None:
    assert tokens("OpenAI Releases GPT 5") == tokens("openai released gpt-5")
    assert tokens("Llama 3.1 is out") == ["llama-3.1"]
    assert "17%" in tokens("Nvidia fell 17% on Monday")
    assert tokens("Microsoft entraîne MAI-1") == ["microsoft", "entrain", "mai-1"]


def test_signature_round_trips_through_its_column() -> None:
    s = Signature.of("OpenAI releases GPT-5", "<p>It is <b>available</b> now.</p>")
    assert Signature.parse(s.dump()) == s
    assert s.lede == ("availabl",)


def test_index_finds_only_recent_similar_stories_and_stays_bounded() -> None:
    index = StoryIndex(WINDOW, max_stories=100)
    launch = Signature.of("OpenAI launches GPT-5 for all ChatGPT users")
    index.add(1, launch, NOW - timedelta(hours=80))
    index.add(2, launch, NOW - timedelta(hours=1))
    index.add(3, Signature.of("OpenAI delays GPT-5 by a few months"), NOW)
    assert index.find(Signature.of("OpenAI releases GPT-5 to all ChatGPT users"), NOW) == 2
    assert index.find(Signature.of("Google launches Gemini"), NOW) is None
    index.expire(NOW)
    assert 1 not in index and 2 in index
    for i in range(10, 400):
        index.add(i, Signature.of(f"Unrelated story number {i} about topic{i}"), NOW)
    assert len(index) == 100


# -- the store ---------------------------------------------------------------------------------


def _feed(store: Store, url: str) -> int:
    store.sync_feeds([FeedSpec(url)])
    row = store.feed(url)
    assert row is not None
    return row.id


def _insert(store: Store, feed: int, items: list[Item], now: datetime = NOW) -> list[Any]:
    pairs = [(i, canonical_url(i.link) if i.link else None) for i in items]
    with store.unit() as unit:
        return unit.insert_items(feed, pairs, now, WINDOW)


def _item(key: str, title: str, link: str | None = None, summary: str = "") -> Item:
    return Item(key=key, title=title, link=link, guid=key, summary=summary, published=NOW)


def _count(store: Store, model: Any) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_decorated_links_are_one_item_in_a_feed_and_one_story_across_feeds(store: Store) -> None:
    a, b = _feed(store, "http://127.0.0.1/a"), _feed(store, "http://127.0.0.1/b")
    base = "https://www.example.org/tech/gpt-5-launch"
    first = _insert(store, a, [_item("a-1", "OpenAI launches GPT-5", base + "?utm_source=rss")])
    again = _insert(
        store,
        a,
        [
            _item("a-2", "GPT-5 is out (updated)", "https://m.example.org/tech/gpt-5-launch/"),
            _item("a-3", "GPT-5: AMP", "https://amp.example.org/amp/tech/gpt-5-launch?amp=1#top"),
        ],
    )
    other = _insert(
        store, b, [_item("b-1", "A different headline", base + "?fbclid=xyz&utm_medium=social")]
    )
    assert len(first) == 1 and again == []
    assert [n.story_id for n in other] == [first[0].story_id]
    assert _count(store, t.Story) == 1


def test_guid_churn_makes_no_new_items(store: Store) -> None:
    feed = _feed(store, "http://127.0.0.1/churn")
    for poll in range(5):
        new = _insert(
            store,
            feed,
            [_item(f"guid-{poll}-{n}", f"Story {n}", summary=f"Body {n}") for n in range(3)],
            NOW + timedelta(minutes=10 * poll),
        )
        assert len(new) == (3 if poll == 0 else 0)
    assert _count(store, t.Item) == 3


def test_the_same_event_from_several_feeds_is_one_story_and_other_events_are_not(
    store: Store,
) -> None:
    data = yaml.safe_load(PAIRS.read_text(encoding="utf-8"))
    by_event = {e["id"]: e["headlines"] for e in data["events"]}
    stories: dict[str, set[int]] = {}
    for n, event in enumerate(["altman-fired", "altman-joins-microsoft", "altman-returns"]):
        for k, h in enumerate(by_event[event]):
            feed = _feed(store, f"http://127.0.0.1/{h['source'].replace(' ', '-')}")
            [new] = _insert(
                store,
                feed,
                [_item(f"{event}-{k}", h["title"], h["url"] + f"?id={event}{k}", h["lede"])],
                NOW + timedelta(hours=n * 12 + k),
            )
            stories.setdefault(event, set()).add(new.story_id)
    assert len(stories["altman-joins-microsoft"]) == 1
    assert len(stories["altman-returns"]) <= 2
    assert len(set().union(*stories.values())) == sum(len(v) for v in stories.values())


def test_stories_older_than_the_window_are_not_joined(store: Store) -> None:
    a, b = _feed(store, "http://127.0.0.1/a"), _feed(store, "http://127.0.0.1/b")
    title = "OpenAI launches GPT-5 for all ChatGPT users"
    [old] = _insert(store, a, [_item("a", title)])
    [same] = _insert(store, b, [_item("b", title + " today")], NOW + timedelta(hours=2))
    [later] = _insert(store, b, [_item("c", title + " now")], NOW + timedelta(hours=100))
    assert same.story_id == old.story_id != later.story_id


def test_a_fresh_store_object_rebuilds_the_index_from_the_database(store: Store) -> None:
    a, b = _feed(store, "http://127.0.0.1/a"), _feed(store, "http://127.0.0.1/b")
    [first] = _insert(store, a, [_item("a", "OpenAI launches GPT-5 for all ChatGPT users")])
    restarted = Store(store.engine)
    [second] = _insert(restarted, b, [_item("b", "OpenAI launches GPT-5 for ChatGPT users")], NOW)
    assert second.story_id == first.story_id


def test_a_rolled_back_story_is_not_offered_to_later_items(store: Store) -> None:
    a, b = _feed(store, "http://127.0.0.1/a"), _feed(store, "http://127.0.0.1/b")
    pairs = [(_item("a", "OpenAI launches GPT-5 for all ChatGPT users"), None)]
    with pytest.raises(RuntimeError), store.unit() as unit:
        unit.insert_items(a, pairs, NOW, WINDOW)
        raise RuntimeError("crash before commit")
    [new] = _insert(store, b, [_item("b", "OpenAI launches GPT-5 for ChatGPT users")])
    with store.session() as s:
        assert s.get(t.Story, new.story_id) is not None


def _planned(store: Store, feed: int, items: list[Item], now: datetime = NOW) -> list[Any]:
    """Items inserted as the pipeline does: story look-ups planned before the unit."""
    pairs = [(i, canonical_url(i.link) if i.link else None) for i in items]
    signatures = [Signature.of(i.title, i.summary) for i in items]
    plan = store.plan_stories(items, signatures, now, WINDOW)
    with store.unit() as unit:
        return unit.insert_items(feed, pairs, now, WINDOW, signatures=signatures, plan=plan)


def _grouping(new_items: list[Any]) -> set[frozenset[str]]:
    groups: dict[int, set[str]] = {}
    for n in new_items:
        groups.setdefault(n.story_id, set()).add(n.item.key)
    return {frozenset(g) for g in groups.values()}


def test_planned_batches_get_the_stories_of_unplanned_ones(store: Store, tmp_path: Path) -> None:
    """The labelled headlines in batches of 6 on 3 feeds, with plans, group into stories
    exactly as the same batches without plans, on another database."""
    unplanned = Store(make_engine(f"sqlite:///{tmp_path / 'unplanned.db'}"))
    upgrade(unplanned.engine)
    data = yaml.safe_load(PAIRS.read_text(encoding="utf-8"))
    heads = [h for e in data["events"] for h in e["headlines"]]
    random.Random(3).shuffle(heads)
    planned_new, unplanned_new = [], []
    for n in range(0, len(heads), 6):
        batch = [
            _item(f"{n + k}", h["title"], h["url"], h["lede"])
            for k, h in enumerate(heads[n : n + 6])
        ]
        now = NOW + timedelta(minutes=n)
        feed = f"http://127.0.0.1/f{n % 3}"
        planned_new += _planned(store, _feed(store, feed), batch, now)
        unplanned_new += _insert(unplanned, _feed(unplanned, feed), batch, now)
    unplanned.engine.dispose()
    assert [n.item.key for n in planned_new] == [n.item.key for n in unplanned_new]
    assert _grouping(planned_new) == _grouping(unplanned_new)
    assert len(_grouping(planned_new)) < len(planned_new)  # some headlines did join a story
    assert _count(store, t.Story) == len(_grouping(planned_new))  # and no story is empty


def test_a_plan_made_before_another_unit_started_a_similar_story_is_redone(store: Store) -> None:
    a, b = _feed(store, "http://127.0.0.1/a"), _feed(store, "http://127.0.0.1/b")
    [seed] = _insert(store, a, [_item("seed", "Unrelated story about a datacenter in Europe")])
    late = [_item("b", "OpenAI launches GPT-5 for ChatGPT users")]
    signatures = [Signature.of(i.title, i.summary) for i in late]
    plan = store.plan_stories(late, signatures, NOW, WINDOW)
    assert list(plan.chosen) == [-1]  # nothing similar yet: it would start a story
    [first] = _insert(store, a, [_item("a", "OpenAI launches GPT-5 for all ChatGPT users")])
    with store.unit() as unit:
        [new] = unit.insert_items(
            b, [(late[0], None)], NOW, WINDOW, signatures=signatures, plan=plan
        )
    assert new.story_id == first.story_id != seed.story_id


def test_a_plan_gives_way_to_the_story_of_the_same_link(store: Store) -> None:
    a, b = _feed(store, "http://127.0.0.1/a"), _feed(store, "http://127.0.0.1/b")
    link = "https://www.example.org/tech/gpt-5-launch"
    [first] = _insert(store, a, [_item("a", "OpenAI launches GPT-5", link + "?utm_source=rss")])
    [other] = _insert(store, a, [_item("o", "Meta buys a chip startup for its datacenters")])
    # the same article under an unrelated headline: the plan finds no similar story ...
    [new] = _planned(store, b, [_item("b", "Meta buys a chip startup for datacenters", link)])
    # ... and the link decides
    assert new.story_id == first.story_id != other.story_id


def test_known_items_are_found_by_canonical_link_in_the_feed(store: Store) -> None:
    a, b = _feed(store, "http://127.0.0.1/a"), _feed(store, "http://127.0.0.1/b")
    link = "https://www.example.org/tech/gpt-5-launch"
    _insert(store, a, [_item("a", "OpenAI launches GPT-5", link + "?utm_source=rss")])
    moved = _item("a-new-guid", "GPT-5 is out (updated)", link + "?utm_medium=social")
    assert store.known_items(a, [moved]) == {"a-new-guid"}
    assert store.known_items(b, [moved]) == set()
    assert _insert(store, a, [moved]) == []  # what the unit decides too


def test_retention_keeps_the_database_bounded_over_a_simulated_year(store: Store) -> None:
    """A year of daily polls (fake clock): 40 new items a day on 4 feeds, one story a week
    raising an alert; a prune every day with 30 days' retention."""
    feeds = [_feed(store, f"http://127.0.0.1/f{n}") for n in range(4)]
    rng = random.Random(7)
    vocabulary = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=7)) for _ in range(5000)]
    retention = timedelta(days=30)
    start, sizes = NOW, []
    alerted_stories = []
    for day in range(365):
        now = start + timedelta(days=day)
        for f, feed in enumerate(feeds):
            items = [
                _item(f"{day}-{f}-{n}", " ".join(rng.sample(vocabulary, 7))) for n in range(10)
            ]
            new = _insert(store, feed, items, now)
            if day % 7 == 0 and f == 0:
                with store.unit() as unit:
                    unit.add_alert(
                        targets=[],
                        now=now,
                        watch="GPT-5",
                        story_id=new[0].story_id,
                        item_id=new[0].id,
                        change_key="rumor|",
                        signal="rumor",
                        rumored=True,
                        official=False,
                        dates=[],
                        term="GPT-5",
                        evidence="",
                        title=new[0].item.title,
                        link=None,
                        change=None,
                    )
                alerted_stories.append(new[0].story_id)
        store.prune(now - retention)
        sizes.append((_count(store, t.Item), _count(store, t.Story)))
    items_now, stories_now = sizes[-1]
    # 31 days of traffic at most, plus the alerted stories' items kept as their sources
    assert items_now <= 31 * 40 + len(alerted_stories)
    assert stories_now <= 31 * 40 + len(alerted_stories)
    # after the first month, growth is only the kept sources of the weekly alerts
    assert sizes[-1][0] - sizes[60][0] <= len(alerted_stories)
    assert max(s[0] for s in sizes) <= 31 * 40 + len(alerted_stories)
    assert _count(store, t.Alert) == len(alerted_stories) == 53
    assert all(store.story_sources(story_id) for story_id in alerted_stories)


def test_recent_keys_skip_known_items_by_key_or_content() -> None:
    recent = RecentKeys(per_feed=3)
    items = [_item(f"k{n}", f"Title {n}") for n in range(3)]
    assert recent.unseen(1, items) == items
    recent.remember(1, items)
    assert recent.unseen(1, items) == []
    churned = [_item(f"new-guid-{n}", f"Title {n}") for n in range(3)]
    assert recent.unseen(1, churned) == []
    assert recent.unseen(2, items) == items  # per feed
    recent.remember(1, [_item(f"x{n}", f"Other {n}") for n in range(10)])
    assert recent.unseen(1, items) == items  # evicted, least recently seen first


def test_retention_setting(tmp_path: Path) -> None:
    from monitor.errors import ConfigError
    from monitor.settings import load_settings

    config = tmp_path / "monitor.toml"
    config.write_text('[storage]\nretention = "90d"\n', encoding="utf-8")
    assert load_settings(str(config), env={}).retention == 90 * 86400
    config.write_text('[storage]\nretention = "0"\n', encoding="utf-8")
    assert load_settings(str(config), env={}).retention is None
    config.write_text("", encoding="utf-8")
    assert load_settings(str(config), env={}).retention == 180 * 86400
    config.write_text('[storage]\nretention = "1d"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"storage\.retention"):
        load_settings(str(config), env={})


def test_a_plan_takes_the_database_before_the_story_index(store: Store) -> None:
    """The first plan loads the story index while a unit may hold the database: taking the
    index lock first would leave the unit waiting for it, and the plan for the database,
    until SQLite's busy timeout failed one of them."""
    feed = _feed(store, "http://127.0.0.1/a")
    items = [_item("p", "OpenAI launches GPT-5 for ChatGPT users")]
    signatures = [Signature.of(i.title, i.summary) for i in items]
    failures: list[BaseException] = []

    def plan() -> None:
        try:
            store.plan_stories(items, signatures, NOW, WINDOW)
        except BaseException as exc:  # noqa: BLE001 -- reported by the assertion below
            failures.append(exc)

    planner = threading.Thread(target=plan)
    with store.unit() as unit:
        planner.start()
        time.sleep(0.3)  # the plan is waiting for its turn at the database
        started = time.monotonic()
        unit.insert_items(feed, [(_item("u", "Google unveils Gemini 3"), None)], NOW, WINDOW)
        assert time.monotonic() - started < 5
    planner.join(timeout=30)
    assert not planner.is_alive() and not failures
