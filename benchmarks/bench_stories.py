"""Story assignment and item inserts at scale, on SQLite files in a temporary folder.

    python benchmarks/bench_stories.py [--items 100000] [--stored 1000000] [--new 10000]

1. Flat cost: ``--items`` items go through ``Unit.insert_items`` (dedupe, batched insert,
   story assignment) in polls of 50 on 20 feeds, the clock moving 72 minutes a poll (about
   1,000 items a simulated day, a third of them the same event from another feed). Prints the
   per-item cost of the first and the last 1,000 items.
2. Re-poll: a poll of 50 known items, through matching and the database, then through the
   per-feed recent-keys cache.
3. Floor: with ``--stored`` items already stored, ``--new`` new items through
   ``insert_items`` against a raw sqlite3 ``INSERT OR IGNORE`` of the same rows into a copy of
   the same database, same batches, same run.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.links import canonical_url
from monitor.model import Item
from monitor.pipeline import STORY_WINDOW, PollContext, Rules, _persist, analyse
from monitor.recent import RecentKeys
from monitor.settings import BUNDLED_WATCHLISTS
from monitor.store import Store, make_engine, upgrade
from monitor.store.repository import FeedRow, fingerprint
from monitor.watchlist import load_watchlists

START = datetime(2025, 1, 1, tzinfo=UTC)
BATCH = 50
FEEDS = 20
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
        self.recent: list[tuple[str, str]] = []
        self.n = 0

    def next(self) -> tuple[str, str]:
        self.n += 1
        rng = self.rng
        if self.recent and rng.random() < 0.33:
            title, lede = rng.choice(self.recent[-200:])
            words = title.split()
            rng.shuffle(words)
            return " ".join([*words[:-1], rng.choice(WORDS)]), lede
        name = f"{rng.choice(WORDS)}{rng.randrange(100000)}"
        title = " ".join([name, *rng.sample(WORDS, 6)])
        lede = " ".join([name, *rng.sample(WORDS, 14)])
        self.recent.append((title, lede))
        return title, lede


def make_items(count: int, headlines: Headlines, prefix: str) -> list[Item]:
    items = []
    for i in range(count):
        title, lede = headlines.next()
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
    store.sync_feeds([(f"https://feed{n}.test/rss", None, None, False) for n in range(FEEDS)])
    return [row.id for n in range(FEEDS) if (row := store.feed(f"https://feed{n}.test/rss"))]


def insert(store: Store, feed: int, items: list[Item], now: datetime) -> int:
    pairs = [(i, canonical_url(i.link) if i.link else None) for i in items]
    with store.unit() as unit:
        return len(unit.insert_items(feed, pairs, now, STORY_WINDOW))


def flat_cost(folder: Path, count: int) -> None:
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


def repoll(folder: Path) -> None:
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
)


def row(feed: int, item: Item, now: datetime) -> tuple[object, ...]:
    return (
        feed,
        item.key,
        item.guid,
        item.link,
        canonical_url(item.link or ""),
        fingerprint(item),
        item.title,
        item.summary,
        None,
        START.strftime("%Y-%m-%d %H:%M:%S.%f"),
        now.strftime("%Y-%m-%d %H:%M:%S.%f"),
    )


def floor(folder: Path, stored: int, new: int) -> None:
    path = folder / "big.db"
    store = store_at(path)
    ids = feeds(store)
    store.engine.dispose()
    headlines = Headlines(3)
    old = START - timedelta(days=30)  # stored long ago: outside the story window
    t0 = time.perf_counter()
    conn = sqlite3.connect(path)
    sql = f"INSERT OR IGNORE INTO item ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * 11)})"
    for b in range(0, stored, 10000):
        chunk = make_items(min(10000, stored - b), headlines, f"old{b}")
        conn.executemany(sql, [row(ids[i % FEEDS], it, old) for i, it in enumerate(chunk)])
        conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    print(f"stored {stored} items in {time.perf_counter() - t0:.0f} s (set-up)")
    shutil.copy(path, folder / "raw.db")

    fresh = make_items(new, headlines, "new")
    store = store_at(path)
    t0 = time.perf_counter()
    for b in range(0, new, BATCH):
        now = START + timedelta(minutes=b // BATCH)
        insert(store, ids[(b // BATCH) % FEEDS], fresh[b : b + BATCH], now)
    ours = time.perf_counter() - t0
    store.engine.dispose()

    conn = sqlite3.connect(folder / "raw.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    t0 = time.perf_counter()
    for b in range(0, new, BATCH):
        now = START + timedelta(minutes=b // BATCH)
        feed = ids[(b // BATCH) % FEEDS]
        conn.executemany(sql, [row(feed, it, now) for it in fresh[b : b + BATCH]])
        conn.commit()
    raw = time.perf_counter() - t0
    conn.close()
    print(
        f"with {stored} stored: {new} new items, insert_items {ours / new * 1e6:.0f} us/item "
        f"(dedupe + insert + stories); raw sqlite3 INSERT OR IGNORE {raw / new * 1e6:.0f} "
        f"us/item; ratio {ours / raw:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--stored", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        flat_cost(folder, args.items)
        repoll(folder)
        floor(folder, args.stored, args.new)


if __name__ == "__main__":
    main()
