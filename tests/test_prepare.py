"""Items prepared in the parser processes: the same text and signature as made in-process,
and a poll that still stores and alerts when a worker cannot prepare them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from monitor.analysis import Rules
from monitor.errors import ParseError
from monitor.fetcher import Fetcher
from monitor.model import FeedSpec, Item
from monitor.normalize import document_text
from monitor.parser import parse, parse_in_worker, shutdown_parsers
from monitor.parser.worker import prepare_in_worker
from monitor.pipeline import PollContext, PollReport, poll_feed
from monitor.prepare import (
    CHUNK_CHARS,
    CHUNK_ITEMS,
    Prepared,
    PreparedCache,
    chunks,
    prepare,
    prepare_all,
    prepare_each,
)
from monitor.store import Store
from monitor.stories import Signature, StoryIndex, assign_stories
from monitor.watchlist import load_watchlists
from tests.conftest import REPO, LocalServer

if TYPE_CHECKING:
    from monitor.pipeline import ParseInWorker
    from monitor.prepare import PrepareInWorker

FEEDS = Path(__file__).parent / "data" / "feeds"
T0 = datetime(2025, 8, 7, 18, 0, tzinfo=UTC)

TRICKY = [
    Item("a", "GPT-5 &amp; friends", summary="<p>OpenAI <b>launches</b> GPT&#8209;5 today.</p>"),
    Item("b", "Plain", summary="AT&amp;T ships a phone & more"),  # entities, no tag
    Item("c", "No summary", content="<div>Only <i>content</i> here</div>"),
    Item("d", "Same", summary="<p>Same text</p>", content="<p>Same text</p>"),
    Item("e", "Other", summary="<p>Lede</p>", content="<p>A longer body</p>"),
    Item("f", "Hidden", summary="<script>x()</script><style>p{}</style>Seen <br/>here"),
    Item("g", "", summary="<![CDATA[wrapped]]> text"),
    Item("h", "Spaces", summary="  \n  "),
]


def expected(item: Item) -> Prepared:
    return Prepared(document_text(item), Signature.of(item.title, item.summary))


def golden_items() -> list[Item]:
    return [
        item
        for name in ("rss20.xml", "rss10.rdf", "rss091.xml", "atom.xml", "feed.json")
        for item in parse("https://feeds.example.org/", (FEEDS / name).read_bytes(), {}).items
    ]


@pytest.fixture(scope="module", autouse=True)
def parser_pool() -> Iterator[None]:
    yield
    shutdown_parsers()


def test_prepare_reads_the_summary_once_and_makes_what_each_stage_would() -> None:
    for item in TRICKY + golden_items():
        assert prepare(item) == expected(item), item.key


def test_prepare_in_worker_equals_prepare_here() -> None:
    items = TRICKY + golden_items()
    made = asyncio.run(prepare_in_worker("https://feeds.example.org/", items))
    assert made == [expected(item) for item in items]
    # the features story matching reads come back made, not to be made again
    assert all("keys" in vars(p.signature) for p in made)


def test_a_worker_that_gives_no_answer_is_a_parse_error_naming_the_feed() -> None:
    items = [Item(str(n), "t", summary="<p>" + "word " * 1500 + "</p>") for n in range(1000)]
    with pytest.raises(ParseError) as info:
        asyncio.run(prepare_in_worker("https://slow.example.org/", items, timeout=0.001))
    assert (info.value.url, info.value.kind) == ("https://slow.example.org/", "parse_error")


def test_items_go_to_the_workers_in_chunks_each_within_the_time_limit() -> None:
    big = Item("big", "t", summary="x" * (CHUNK_CHARS + 10))
    small = [Item(str(n), "t", summary="y" * 1000) for n in range(450)]
    items = [*small[:10], big, *small[10:]]
    found = chunks(items)
    assert [i for chunk in found for i in chunk] == items
    assert all(0 < len(c) <= CHUNK_ITEMS for c in found)
    assert [big] in [list(c) for c in found]  # too large for any chunk: alone
    for chunk in found:
        chars = sum(len(i.title) + len(i.summary) + len(i.content) for i in chunk)
        assert len(chunk) == 1 or chars <= CHUNK_CHARS
    assert chunks([]) == []


def test_only_the_chunk_a_worker_failed_is_prepared_in_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    items = [Item(str(n), f"GPT-5 news {n}", summary="<p>text</p>") for n in range(450)]
    calls: list[int] = []

    async def first_fails(url: str, chunk: Sequence[Item]) -> list[Prepared]:
        calls.append(len(chunk))
        if len(calls) == 1:
            raise RuntimeError("cannot submit after shutdown")  # not a FeedError
        return await prepare_in_worker(url, chunk)

    with caplog.at_level(logging.WARNING, logger="monitor.prepare"):
        made = asyncio.run(prepare_all("https://feeds.example.org/", items, first_fails))
    assert made == [expected(item) for item in items]
    assert calls == [200, 200, 50]
    [warning] = [r.getMessage() for r in caplog.records if "in-process" in r.getMessage()]
    assert "items=200" in warning and "RuntimeError" in warning


# -- through poll_feed, on both databases ---------------------------------------------------------

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Local AI news</title><link>http://127.0.0.1/</link>
<description>test</description>
<item><title>OpenAI launches GPT-5 today for all ChatGPT users</title>
<link>http://news.test/gpt-5-launch</link><guid>n-1</guid>
<pubDate>Thu, 07 Aug 2025 17:00:00 GMT</pubDate>
<description>&lt;p&gt;GPT-5 is &lt;b&gt;available now&lt;/b&gt; in ChatGPT.&lt;/p&gt;</description></item>
<item><title>How to build a treehouse</title><link>http://news.test/treehouse</link><guid>n-2</guid>
<pubDate>Thu, 07 Aug 2025 12:00:00 GMT</pubDate><description>Wood and nails.</description></item>
</channel></rss>"""


def poll_all(
    store: Store,
    urls: list[str],
    writer: ThreadPoolExecutor | None,
    workers: tuple[ParseInWorker, PrepareInWorker] | None = None,
) -> list[PollReport]:
    rules = Rules.build(load_watchlists([REPO / "watchlists"]), ("chat",))

    async def run() -> list[PollReport]:
        async with Fetcher(timeout=5, deadline=10) as fetcher:
            ctx = PollContext(
                fetcher,
                store,
                lambda: rules,
                interval=600,
                now=lambda: T0,
                writer=writer,
                workers=workers,
            )
            feeds = [store.feed(url) for url in urls]
            return await asyncio.gather(*(poll_feed(f, ctx) for f in feeds if f is not None))

    return asyncio.run(run())


def test_items_are_stored_and_alert_when_a_worker_cannot_prepare_them(
    store: Store,
    feed_server: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def cannot_prepare(url: str, items: object) -> list[Prepared]:
        raise ParseError(url, "parse_error", "parser process died (memory limit?)")

    url = feed_server.serve("/ai.xml", FEED)
    store.sync_feeds([FeedSpec(url)])
    with caplog.at_level(logging.WARNING, logger="monitor.prepare"):
        [report] = poll_all(store, [url], None, (parse_in_worker, cannot_prepare))
    assert (report.status, report.new_items, len(report.alerts)) == ("ok", 2, 1)
    assert any(
        "items prepared in-process" in r.getMessage() and url in r.getMessage()
        for r in caplog.records
    )


def test_one_writer_thread_stores_concurrent_feeds_with_the_plans_they_made(
    store: Store, feed_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Five feeds polled at once carry the same story: written by one thread, each batch's
    # story look-ups (made before its transaction) hold, and all join one story.
    from monitor.store import story_index

    looked_up: list[int] = []

    def counted(
        signatures: Sequence[Signature],
        linked: Sequence[int | None],
        index: StoryIndex,
        now: datetime,
    ) -> list[int]:
        looked_up.append(len(signatures))
        return assign_stories(signatures, linked, index, now)

    monkeypatch.setattr(story_index, "assign_stories", counted)
    bodies = [FEED.replace("n-", f"f{n}-").replace("news.test", f"news{n}.test") for n in range(5)]
    urls = [feed_server.serve(f"/f{n}.xml", body) for n, body in enumerate(bodies)]
    store.sync_feeds([FeedSpec(url) for url in urls])
    with ThreadPoolExecutor(1) as writer:
        reports = poll_all(store, urls, writer)
    assert [r.new_items for r in reports] == [2] * 5
    assert looked_up == [2] * 5  # one look-up per batch: none made again in its transaction
    with store.session() as s:
        from sqlalchemy import func, select

        from monitor.store import tables as t

        assert s.scalar(select(func.count(func.distinct(t.Item.story_id)))) == 2


def test_the_cache_gives_an_items_prepared_form_by_its_content_only() -> None:
    cache = PreparedCache(max_chars=10_000)
    one = Item(key="a", title="GPT-5 is out", summary="<p>It <b>is</b> out.</p>", content="x")
    made = prepare(one)
    cache.put(one, made)
    same_elsewhere = Item(key="b", title=one.title, summary=one.summary, content=one.content)
    assert cache.get(same_elsewhere) is made
    assert cache.get(Item(key="a", title=one.title, summary=one.summary, content="y")) is None


def test_the_cache_drops_the_least_recently_used_past_its_size() -> None:
    cache = PreparedCache(max_chars=200)
    items = [Item(key=str(n), title=f"title {n:030d}") for n in range(10)]
    for item in items:
        cache.put(item, prepare(item))
    assert len(cache) < 10
    assert cache.get(items[-1]) is not None and cache.get(items[0]) is None


def test_prepare_all_makes_each_distinct_content_once() -> None:
    cache = PreparedCache()
    sent: list[int] = []

    async def in_worker(url: str, items: Sequence[Item]) -> list[Prepared]:
        sent.append(len(items))
        return prepare_each(items)

    a = Item(key="1", title="MAI-1 at Build", summary="<p>May 16</p>")
    b = Item(key="2", title="GPT-5", summary="soon")
    first = asyncio.run(prepare_all("http://x/1", [a, b, a], in_worker, cache))
    again = asyncio.run(prepare_all("http://x/2", [b, a], in_worker, cache))
    assert sent == [2]
    assert first == [prepare(a), prepare(b), prepare(a)]
    assert again == [prepare(b), prepare(a)]
