"""Story assignment and item inserts at scale, on SQLite files in a temporary folder.

    python benchmarks/bench_stories.py [--quick] [--items 100000] [--stored 1000000] [--new 10000]

1. Flat cost: ``--items`` items go through ``Unit.insert_items`` (dedupe, batched insert,
   story assignment, tokenising included) in polls of 50 on 20 feeds, the clock moving 72
   minutes a poll (about 1,000 items a simulated day, a third of them the same event from
   another feed). Prints the per-item cost of the first and the last 1,000 items.
2. Re-poll: a poll of 50 known items, through matching and the database, then through the
   per-feed recent-keys cache.
3. Floor: a database holding ``--stored`` items, spread over the 180 days of default
   retention, each in a story, with their stories (signatures included), like a daemon's
   after months of polling. ``--new`` new items then arrive at the same rate, in polls of 50
   on 20 feeds: each poll goes through ``insert_items`` in a unit (one transaction), and the
   same rows (the same values, ``story_id`` included) go into a copy of the database through
   a raw sqlite3 ``INSERT OR IGNORE``, in one transaction per poll too. The two alternate
   poll by poll, so both see the same machine. Only the transactions are timed; what the
   pipeline does before its transaction (canonical links, known items, signatures, story
   look-ups) is timed apart, and so is building the raw rows.

``--quick`` (10,000 items, 100,000 stored, 2,000 new) runs in under a minute. ``--cold`` leaves
the look-up of known items out of step 3, and with it the SQLite page cache it warms.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.analysis import Rules, analyse
from monitor.links import canonical_url
from monitor.model import FeedSpec, Item, fingerprint
from monitor.pipeline import STORY_WINDOW, PollContext, _persist
from monitor.recent import RecentKeys
from monitor.settings import BUNDLED_WATCHLISTS
from monitor.store import Store, make_engine, upgrade
from monitor.store.feeds import FeedRow
from monitor.store.items import NewItem
from monitor.stories import Signature
from monitor.watchlist import load_watchlists

START = datetime(2025, 1, 1, tzinfo=UTC)
BATCH = 50
FEEDS = 20
RETENTION = timedelta(days=180)
_WORDS = (
    "openai microsoft google meta anthropic nvidia apple amazon model chatbot launch release "
    "delay lawsuit chip datacenter agent reasoning voice video image search browser phone "
    "laptop windows copilot gemini llama claude sora leak report investors billion deal "
    "regulator europe court privacy security outage update feature preview developers "
    "benchmark open source training compute funding startup acquisition ceo board"
)
WORDS = _WORDS.split()


class Headlines:
    """Synthetic headlines: new events, and the same event retold by another outlet."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.recent: list[tuple[str, str, int]] = []
        self.n = 0
        self.event = 0  # the event of the last headline: 1, 2, … in order of first telling

    def next(self) -> tuple[str, str]:
        self.n += 1
        rng = self.rng
        if self.recent and rng.random() < 0.33:
            title, lede, self.event = rng.choice(self.recent[-200:])
            words = title.split()
            rng.shuffle(words)
            return " ".join([*words[:-1], rng.choice(WORDS)]), lede
        name = f"{rng.choice(WORDS)}{rng.randrange(100000)}"
        title = " ".join([name, *rng.sample(WORDS, 6)])
        lede = " ".join([name, *rng.sample(WORDS, 14)])
        self.event = len(self.recent) + 1
        self.recent.append((title, lede, self.event))
        return title, lede


def make_items(
    count: int, headlines: Headlines, prefix: str, events: list[int] | None = None
) -> list[Item]:
    """``count`` items; with ``events``, append each item's event to it."""
    items = []
    for i in range(count):
        title, lede = headlines.next()
        if events is not None:
            events.append(headlines.event)
        link = f"https://news{i % 97}.test/{prefix}/{i}?utm_source=rss"
        items.append(
            Item(
                key=f"{prefix}-{i}",
                title=title,
                link=link,
                guid=f"{prefix}-{i}",
                summary=lede,
                published=START,
            )
        )
    return items


def store_at(path: Path) -> Store:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return Store(engine)


def feeds(store: Store) -> list[int]:
    store.sync_feeds([FeedSpec(f"https://feed{n}.test/rss") for n in range(FEEDS)])
    return [row.id for n in range(FEEDS) if (row := store.feed(f"https://feed{n}.test/rss"))]


def insert(store: Store, feed: int, items: list[Item], now: datetime) -> int:
    pairs = [(i, canonical_url(i.link) if i.link else None) for i in items]
    with store.unit() as unit:
        return len(unit.insert_items(feed, pairs, now, STORY_WINDOW))


def flat_cost(folder: Path, count: int) -> dict[str, float]:
    store = store_at(folder / "flat.db")
    ids = feeds(store)
    items = make_items(count, Headlines(1), "flat")
    per_item: list[float] = []
    for b in range(0, count, BATCH):
        batch = items[b : b + BATCH]
        now = START + timedelta(minutes=72 * (b // BATCH))
        t0 = time.perf_counter()
        insert(store, ids[(b // BATCH) % FEEDS], batch, now)
        per_item += [(time.perf_counter() - t0) / len(batch)] * len(batch)
    first = sum(per_item[:1000]) / 1000 * 1e6
    last = sum(per_item[-1000:]) / 1000 * 1e6
    index = len(store.stories or ())
    print(
        f"flat cost: {count} items; first 1,000: {first:.0f} us/item; last 1,000: "
        f"{last:.0f} us/item; ratio last/first {last / first:.2f}; stories in index: {index}"
    )
    store.engine.dispose()
    return {"first": first, "last": last, "ratio": last / first}


def repoll(folder: Path) -> dict[str, float]:
    store = store_at(folder / "repoll.db")
    [feed_id, *_] = feeds(store)
    feed = FeedRow(feed_id, "https://feed0.test/rss", None, False, None, None, None, 0, None)
    rules = Rules.build(load_watchlists([BUNDLED_WATCHLISTS]), [])
    ctx = PollContext(fetcher=None, store=store, rules=lambda: rules, interval=600)  # type: ignore[arg-type]
    items = make_items(BATCH, Headlines(2), "repoll")
    _persist(ctx, feed, [analyse(i, rules) for i in items], rules, START)
    recent = RecentKeys()
    recent.remember(feed_id, items)
    rounds = 50
    t0 = time.perf_counter()
    for _ in range(rounds):
        _persist(ctx, feed, [analyse(i, rules) for i in items], rules, START)
    slow = (time.perf_counter() - t0) / rounds
    t0 = time.perf_counter()
    for _ in range(rounds):
        fresh = recent.unseen(feed_id, items)
        _persist(ctx, feed, [analyse(i, rules) for i in fresh], rules, START)
    fast = (time.perf_counter() - t0) / rounds
    print(
        f"re-poll of {BATCH} known items: matching + database {slow * 1e3:.2f} ms; "
        f"recent keys {fast * 1e3:.3f} ms; {slow / fast:.0f}x faster"
    )
    store.engine.dispose()
    return {"slow": slow * 1e3, "fast": fast * 1e3, "ratio": slow / fast}


COLUMNS = (
    "feed_id",
    "item_key",
    "guid",
    "link",
    "canonical_link",
    "fingerprint",
    "title",
    "summary",
    "language",
    "published_at",
    "first_seen_at",
    "story_id",
)
ITEM_SQL = f"INSERT OR IGNORE INTO item ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * 12)})"
STORY_SQL = (
    "INSERT INTO story (id, title, canonical_link, created_at, signature) VALUES (?, ?, ?, ?, ?)"
)


def stamp(when: datetime) -> str:
    """A datetime as SQLAlchemy stores it in SQLite."""
    return when.strftime("%Y-%m-%d %H:%M:%S.%f")


def row(feed: int, item: Item, link: str | None, now: datetime, story: int) -> tuple[object, ...]:
    return (
        feed,
        item.key,
        item.guid,
        item.link,
        link,
        fingerprint(item),
        item.title,
        item.summary,
        None,
        stamp(START),
        stamp(now),
        story,
    )


def raw_connection(path: Path) -> sqlite3.Connection:
    """sqlite3 with the engine's journal and sync settings; transactions opened by hand."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def fill(path: Path, ids: list[int], stored: int, headlines: Headlines) -> None:
    """``stored`` items in polls of 50, evenly over RETENTION before START, each in the story
    of its event (started by its first item, with its signature)."""
    step = RETENTION / stored
    conn = raw_connection(path)
    started = 0  # the last event with a story
    for b in range(0, stored, 10000):
        events: list[int] = []
        chunk = make_items(min(10000, stored - b), headlines, f"old{b}", events)
        items, stories = [], []
        for n, (item, event) in enumerate(zip(chunk, events, strict=True)):
            i = b + n
            now = START - RETENTION + step * (i - i % BATCH)
            link = canonical_url(item.link or "")
            if event > started:  # a new event starts its story
                started = event
                signature = Signature.of(item.title, item.summary).dump()
                stories.append((event, item.title, link, stamp(now), signature))
            items.append(row(ids[(i // BATCH) % FEEDS], item, link, now, event))
        conn.execute("BEGIN")
        conn.executemany(STORY_SQL, stories)
        conn.executemany(ITEM_SQL, items)
        conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def floor(folder: Path, stored: int, new: int, *, known: bool = True) -> dict[str, float]:
    """``known=False`` leaves out the pipeline's look-up of known items before the
    transaction, which also brings into SQLite's page cache the index pages the transaction
    then reads and writes (the raw side gets no such warm-up)."""
    path = folder / "big.db"
    store = store_at(path)
    ids = feeds(store)
    store.engine.dispose()
    headlines = Headlines(3)
    t0 = time.perf_counter()
    fill(path, ids, stored, headlines)
    print(f"stored {stored} items in {time.perf_counter() - t0:.0f} s (set-up)")
    shutil.copy(path, folder / "raw.db")
    # Both files on disk before the run: else the raw side's first checkpoints would also
    # write back the copy it has just been given, and ours the rows of the set-up.
    for written in (path, folder / "raw.db"):
        with written.open("rb+") as handle:
            os.fsync(handle.fileno())

    fresh = make_items(new, headlines, "new")
    step = RETENTION / stored
    store = store_at(path)
    raw = raw_connection(folder / "raw.db")
    ours = floor_time = prepare = build = 0.0
    for b in range(0, new, BATCH):
        now = START + step * (b + BATCH)
        feed = ids[(b // BATCH) % FEEDS]
        batch = fresh[b : b + BATCH]
        # What the pipeline does before its transaction (poll_feed, _persist): canonical
        # links, the look-up of known items, signatures, story look-ups.
        t0 = time.perf_counter()
        links = [canonical_url(i.link) if i.link else None for i in batch]
        assert not known or not store.known_items(feed, batch, links)
        pairs = list(zip(batch, links, strict=True))
        signatures = [Signature.of(i.title, i.summary) for i in batch]
        plan = store.plan_stories(batch, signatures, now, STORY_WINDOW)
        prepare += time.perf_counter() - t0
        t0 = time.perf_counter()
        with store.unit() as unit:
            added: list[NewItem] = unit.insert_items(
                feed, pairs, now, STORY_WINDOW, signatures=signatures, plan=plan
            )
        ours += time.perf_counter() - t0
        assert len(added) == len(batch), "every item of the floor run is new"
        t0 = time.perf_counter()
        rows = [row(feed, n.item, n.canonical_link, now, n.story_id) for n in added]
        build += time.perf_counter() - t0
        t0 = time.perf_counter()
        raw.execute("BEGIN IMMEDIATE")
        raw.executemany(ITEM_SQL, rows)
        raw.execute("COMMIT")
        floor_time += time.perf_counter() - t0
    raw.close()
    store.engine.dispose()
    print(
        f"with {stored} stored: {new} new items in polls of {BATCH}, a poll every "
        f"{step.total_seconds() * BATCH / 60:.0f} min of simulated time; "
        f"insert_items {ours / new * 1e6:.0f} us/item (dedupe + stories + insert); "
        f"raw sqlite3 INSERT OR IGNORE {floor_time / new * 1e6:.0f} us/item; "
        f"ratio {ours / floor_time:.2f}; before the transaction (links, known items, "
        f"signatures, story look-ups) "
        f"{prepare / new * 1e6:.0f} us/item; raw rows built in {build / new * 1e6:.0f} us/item"
    )
    return {
        "ours": ours / new * 1e6,
        "raw": floor_time / new * 1e6,
        "ratio": ours / floor_time,
        "prepare": prepare / new * 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10,000 / 100,000 / 2,000")
    parser.add_argument("--items", type=int)
    parser.add_argument("--stored", type=int)
    parser.add_argument("--new", type=int)
    parser.add_argument(
        "--cold",
        action="store_true",
        help="floor without the look-up of known items before each transaction (cold pages)",
    )
    args = parser.parse_args()
    items = args.items or (10_000 if args.quick else 100_000)
    stored = args.stored or (100_000 if args.quick else 1_000_000)
    new = args.new or (2_000 if args.quick else 10_000)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        flat = flat_cost(folder, items)
        again = repoll(folder)
        low = floor(folder, stored, new, known=not args.cold)
    print()
    print("| what | result | target |")
    print("|---|---|---|")
    print(
        f"| {items:,} items through insert_items, per-item cost | first 1,000: "
        f"{flat['first']:.0f} us; last 1,000: {flat['last']:.0f} us; last/first "
        f"**{flat['ratio']:.2f}** | <= 2 |"
    )
    print(
        f"| re-poll of {BATCH} known items | matching + database {again['slow']:.2f} ms; "
        f"recent keys {again['fast']:.3f} ms (**{again['ratio']:.0f}x**) | |"
    )
    print(
        f"| {new:,} new items with {stored:,} stored: insert_items vs raw sqlite3 INSERT OR "
        f"IGNORE | {low['ours']:.0f} us/item vs {low['raw']:.0f} us/item: ratio "
        f"**{low['ratio']:.2f}** (+ {low['prepare']:.0f} us/item before the transaction) "
        f"| <= 1.5 |"
    )


if __name__ == "__main__":
    main()
