"""Per-feed fetch state: the pure rules, then poll_feed against a local server and database."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor import feed_state
from monitor.analysis import Rules
from monitor.commands import reports
from monitor.delivery.notifier import Notifier
from monitor.feed_state import FetchPolicy
from monitor.fetcher import Fetcher
from monitor.model import FeedSpec
from monitor.parser import shutdown_parsers
from monitor.pipeline import PollContext, PollReport, poll_feed
from monitor.settings import load_settings
from monitor.store import Store, make_engine, upgrade
from monitor.store.feeds import FeedRow
from monitor.watchlist import load_watchlists
from tests.conftest import REPO, LocalServer, Receiver, run_cli, write_config

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DAY = 86400.0
POLICY = FetchPolicy(backoff_max=DAY, failing_alert_after=3 * DAY)

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Moved</title>
<link>http://127.0.0.1/</link><description>d</description>
<item><title>One</title><guid>one</guid><description>first</description></item>
</channel></rss>"""


# -- the pure rules ----------------------------------------------------------------------------


def test_success_waits_the_interval_or_what_the_server_asks() -> None:
    at = feed_state.next_poll_after_success
    assert at(T0, 600, None, POLICY) == T0 + timedelta(seconds=600)
    assert at(T0, 600, 60, POLICY) == T0 + timedelta(seconds=600)  # never sooner
    assert at(T0, 600, 7200, POLICY) == T0 + timedelta(seconds=7200)
    assert at(T0, 600, 10**9, POLICY) == T0 + timedelta(seconds=DAY)  # clamped to the cap


@pytest.mark.parametrize(
    ("failures", "low", "high"),
    [(1, 480, 720), (2, 960, 1440), (3, 1920, 2880), (8, 61440, DAY), (40, DAY * 0.8, DAY)],
)
def test_backoff_doubles_with_jitter_up_to_the_cap(failures: int, low: float, high: float) -> None:
    delays = {feed_state.backoff_delay(600, failures, None, POLICY) for _ in range(200)}
    assert all(low <= d <= high for d in delays), (min(delays), max(delays))
    assert len(delays) > 1  # jitter spreads feeds that failed together


def test_jitter_never_exceeds_the_cap() -> None:
    def top(a: float, b: float) -> float:
        return b

    assert feed_state.backoff_delay(600, 30, None, POLICY, top) == DAY


def test_retry_after_wins_but_is_clamped() -> None:
    delay = feed_state.backoff_delay
    assert delay(600, 1, 3600, POLICY) == 3600
    assert delay(600, 5, 10, POLICY) == 600  # never sooner than the interval
    assert delay(600, 1, 10**8, POLICY) == DAY


def failure(
    now: datetime,
    failing_since: datetime | None,
    notified: datetime | None = None,
    kind: str = "http_5xx",
) -> feed_state.Failure:
    return feed_state.after_failure(
        now=now,
        interval=600,
        failures=3,
        kind=kind,
        retry_after=None,
        failing_since=failing_since,
        operator_notified_at=notified,
        policy=POLICY,
    )


def test_gone_disables() -> None:
    assert failure(T0, None, kind="gone").disable
    assert not failure(T0, None).disable


def test_operator_is_told_once_per_failing_period() -> None:
    assert not failure(T0, None).notify_operator
    assert not failure(T0 + timedelta(days=2.9), T0).notify_operator
    assert failure(T0 + timedelta(days=3), T0).notify_operator
    told = T0 + timedelta(days=3)
    assert not failure(T0 + timedelta(days=5), T0, told).notify_operator
    # A notice from an earlier failing period does not count for this one.
    assert failure(T0 + timedelta(days=12), T0 + timedelta(days=8), told).notify_operator


def test_a_redirect_is_believed_on_the_second_sighting() -> None:
    first = feed_state.after_redirect(None, "https://b/feed")
    assert first == feed_state.Redirect(seen="https://b/feed", move_to=None)
    second = feed_state.after_redirect(first.seen, "https://b/feed")
    assert second == feed_state.Redirect(seen=None, move_to="https://b/feed")
    assert feed_state.after_redirect("https://b/feed", "https://c/feed").move_to is None
    assert feed_state.after_redirect("https://b/feed", None) == feed_state.Redirect(None, None)


def test_a_feed_its_page_names_is_moved_to_at_once() -> None:
    found = feed_state.after_redirect(None, "https://b/feed", discovered=True)
    assert found == feed_state.Redirect(seen=None, move_to="https://b/feed")
    assert feed_state.after_redirect(None, None, discovered=True).move_to is None


def test_content_hash_tells_identical_bodies() -> None:
    assert feed_state.content_hash(b"<rss/>") == feed_state.content_hash(b"<rss/>")
    assert feed_state.content_hash(b"<rss/>") != feed_state.content_hash(b"<rss />")


# -- poll_feed with a real server, database and webhook ------------------------------------------


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module", autouse=True)
def parser_pool() -> Iterator[None]:
    yield
    shutdown_parsers()


def poll(store: Store, url: str, clock: Clock, notifier: Notifier | None = None) -> PollReport:
    rules = Rules.build(load_watchlists([REPO / "watchlists"]), ("chat",))

    async def run() -> PollReport:
        async with Fetcher(timeout=5, deadline=10) as fetcher:
            ctx = PollContext(
                fetcher=fetcher,
                store=store,
                rules=lambda: rules,
                interval=600,
                backoff_max=DAY,
                now=clock,
                failing_alert_after=3 * DAY,
                notifier=notifier,
            )
            return await poll_feed(row(store, url), ctx)

    return asyncio.run(run())


def row(store: Store, url: str) -> FeedRow:
    feed = store.feed(url)
    assert feed is not None
    return feed


def test_a_permanent_redirect_seen_twice_moves_the_feed(
    store: Store, feed_server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    new = feed_server.serve("/new.xml", FEED)
    old = feed_server.serve("/old.xml", b"", status=301, Location=new)
    store.sync_feeds([FeedSpec(old)])
    clock = Clock(T0)

    assert poll(store, old, clock).status == "ok"
    assert row(store, old).redirect_seen == new and row(store, old).moved_to is None
    with caplog.at_level(logging.WARNING, logger="monitor.pipeline"):
        assert poll(store, old, clock).status == "not_modified"  # same bytes as before
    assert row(store, old).moved_to == new
    assert any(
        "moved permanently" in r.getMessage() and new in r.getMessage() for r in caplog.records
    )

    hits = len(feed_server.hits("/old.xml"))
    assert poll(store, old, clock).status == "not_modified"
    assert feed_server.hits("/new.xml")[-1].status == 200
    assert len(feed_server.hits("/old.xml")) == hits  # fetched from the new URL now
    # The configured URL stays the feed's identity: a config sync makes no second row.
    store.sync_feeds([FeedSpec(old)])
    assert [f.url for f in store.feeds()] == [old]


def test_a_redirect_that_comes_and_goes_does_not_move_the_feed(
    store: Store, feed_server: LocalServer
) -> None:
    new = feed_server.serve("/new.xml", FEED)
    old = feed_server.serve("/old.xml", b"", status=301, Location=new)
    store.sync_feeds([FeedSpec(old)])
    clock = Clock(T0)
    poll(store, old, clock)
    feed_server.serve("/old.xml", FEED)
    poll(store, old, clock)
    feed_server.serve("/old.xml", b"", status=308, Location=new)
    poll(store, old, clock)
    assert row(store, old).moved_to is None


def test_a_feed_failing_too_long_tells_the_operator_once_per_period(
    store: Store,
    feed_server: LocalServer,
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = feed_server.serve("/feed.xml", b"down", status=500)
    store.sync_feeds([FeedSpec(url, "Flaky news")])
    notifier = Notifier({"chat": receiver.apprise_url}, timeout=5)
    clock = Clock(T0)

    with caplog.at_level(logging.WARNING, logger="monitor.pipeline"):
        for day in (0, 1, 2, 3.5, 4, 5):
            clock.now = T0 + timedelta(days=day)
            assert poll(store, url, clock, notifier).status == "failed"
    notices = receiver.received()
    assert len(notices) == 1
    assert "Flaky news" in notices[0]["title"] and "3.5 days" in notices[0]["title"]
    assert "http_5xx" in notices[0]["message"]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and url in errors[0].getMessage()
    failures = [r.getMessage() for r in caplog.records if "feed failed" in r.getMessage()]
    assert len(failures) == 6
    assert all(url in m and "kind=http_5xx" in m and "next_attempt=20" in m for m in failures)

    # A success ends the period; a new long failure raises a new notice.
    feed_server.serve("/feed.xml", FEED)
    clock.now = T0 + timedelta(days=6)
    assert poll(store, url, clock, notifier).status == "ok"
    feed_server.serve("/feed.xml", b"down", status=503)
    for day in (7, 9, 10.5):
        clock.now = T0 + timedelta(days=day)
        poll(store, url, clock, notifier)
    assert len(receiver.received()) == 2


def test_a_failing_feed_notice_that_reached_no_target_is_sent_at_the_next_failure(
    store: Store, feed_server: LocalServer, receiver: Receiver
) -> None:
    url = feed_server.serve("/feed.xml", b"down", status=500)
    store.sync_feeds([FeedSpec(url, "Flaky news")])
    notifier = Notifier({"chat": receiver.apprise_url}, timeout=5)
    clock = Clock(T0)
    for day in (0, 1, 2):
        clock.now = T0 + timedelta(days=day)
        poll(store, url, clock, notifier)
    receiver.fail_with = 503  # the chat service is down when the notice is due
    clock.now = T0 + timedelta(days=3.5)
    poll(store, url, clock, notifier)
    assert receiver.received() == [] and row(store, url).operator_notified_at is None
    receiver.fail_with = None
    for day in (4, 5):
        clock.now = T0 + timedelta(days=day)
        poll(store, url, clock, notifier)
    [notice] = receiver.received()  # delayed by the outage, sent once
    assert "Flaky news" in notice["title"] and "4.0 days" in notice["title"]
    assert row(store, url).operator_notified_at is not None


def test_status_reports_a_feed_failing_too_long(
    tmp_path: Path, feed_server: LocalServer, db_url: str
) -> None:
    url = feed_server.serve("/feed.xml", b"down", status=500)
    config = write_config(
        tmp_path / "monitor.toml",
        database=db_url,
        feeds=[url],
        extra='[fetch]\nfailing_alert_after = "2d"\n',
    )
    assert load_settings(str(config)).failing_alert_after == 2 * DAY
    engine = make_engine(db_url)
    try:
        upgrade(engine)
        store = Store(engine)
        store.sync_feeds([FeedSpec(url)])
        now = datetime.now(UTC)
        for day in (3, 0):
            poll(store, url, Clock(now - timedelta(days=day)))
    finally:
        engine.dispose()
    result = run_cli("status", "--json", "--config", str(config))
    assert result.code == 0, result.err
    report = json.loads(result.out)
    [feed] = report["feeds"]
    assert feed["failing_too_long"] is True and feed["failures"] == 2
    assert report["summary"]["feeds_failing_too_long"] == 1
    text = io.StringIO()
    reports.status(load_settings(str(config)), as_json=False, out=text)
    assert "failing for longer than [fetch] failing_alert_after" in text.getvalue()


def test_known_items_are_found_by_key_or_by_content(store: Store) -> None:
    from monitor.model import Item

    store.sync_feeds([FeedSpec("http://127.0.0.1/a")])
    feed = row(store, "http://127.0.0.1/a")
    first = Item(key="guid:1", title="One", summary="first")
    second = Item(key="guid:2", title="Two", summary="second")
    with store.unit() as unit:
        unit.insert_items(feed.id, [(first, None), (second, None)], T0, timedelta(hours=72))
    rotated = Item(key="guid:rotated", title="Two", summary="second")  # same content
    fresh = Item(key="guid:3", title="Three", summary="third")
    long_key = Item(key="guid:" + "x" * 300, title="Four", summary="fourth")
    found = store.known_items(feed.id, [first, rotated, fresh, long_key])
    assert found == {"guid:1", "guid:rotated"}
    assert store.known_items(feed.id, []) == set()
    # Scoped to the feed: another feed knows nothing.
    store.sync_feeds([FeedSpec("http://127.0.0.1/b")])
    assert store.known_items(row(store, "http://127.0.0.1/b").id, [first]) == set()


def test_a_repoll_without_conditional_get_stores_nothing_new(
    store: Store, feed_server: LocalServer
) -> None:
    url = feed_server.serve("/feed.xml", FEED)  # no ETag, no Last-Modified
    store.sync_feeds([FeedSpec(url)])
    clock = Clock(T0)
    first = poll(store, url, clock)
    assert (first.status, first.items, first.new_items) == ("ok", 1, 1)
    # The same bytes again: as good as a 304, nothing parsed.
    same = poll(store, url, clock)
    assert (same.status, same.items, same.new_items) == ("not_modified", 0, 0)
    # New bytes, same item: parsed, the known item is dropped before matching.
    feed_server.serve("/feed.xml", FEED.replace("<title>Moved</title>", "<title>Moved!</title>"))
    again = poll(store, url, clock)
    assert (again.status, again.items, again.new_items) == ("ok", 1, 0)
    assert store.feeds()[0].items_seen == 2
    assert [r.status for r in feed_server.hits("/feed.xml")] == [200, 200, 200]
