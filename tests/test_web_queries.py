"""The dashboard's queries on both databases (a SQLite file and the local PostgreSQL, both
migrated by Alembic), and its pure helpers: the timeline's layout and what a page shows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, insert

from monitor.store import Store
from monitor.store import tables as t
from monitor.web import present, queries
from monitor.web.timeline import layout

NOW = datetime(2025, 8, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def engine(store: Store, db_url: str) -> Iterator[Engine]:
    with store.engine.begin() as conn:
        for feed in [
            {"id": 1, "url": "https://a.test/rss", "name": "Alpha", "last_success_at": NOW},
            {
                "id": 2,
                "url": "https://u:pw@b.test/rss",
                "error_count": 2,
                "error_kind": "http_5xx",
                "last_error": "HTTP 503",
                "last_fetch_at": NOW,
                "failing_since": NOW - timedelta(hours=3),
            },
            {"id": 3, "url": "https://c.test/rss", "name": "charlie", "disabled": True},
        ]:
            conn.execute(insert(t.Feed), feed)
        conn.execute(insert(t.Story), [{"id": 1, "title": "s"}, {"id": 2, "title": "s2"}])
        conn.execute(
            insert(t.Item),
            [
                {
                    "id": n,
                    "feed_id": feed,
                    "item_key": f"k{n}",
                    "fingerprint": f"f{n}",
                    "title": f"item {n}",
                    "link": f"https://news.test/{n}",
                    "published_at": NOW - timedelta(days=10 - n),
                    "first_seen_at": NOW - timedelta(days=10 - n),
                    "story_id": story,
                }
                for n, feed, story in [(1, 1, 1), (2, 2, 1), (3, 1, 2)]
            ],
        )
        conn.execute(
            insert(t.WatchMatch),
            [
                {
                    "item_id": n,
                    "watch": "GPT-5",
                    "term": "GPT-5",
                    "span_start": 0,
                    "span_end": 5,
                    "signal": "dated",
                    "rumored": rumored,
                    "dates": dates,
                    "evidence": "GPT-5 is expected",
                }
                for n, rumored, dates in [(1, True, ["2025-06"]), (3, False, ["2025-08-07"])]
            ],
        )
        conn.execute(
            insert(t.Alert),
            [
                {
                    "id": a,
                    "watch": "GPT-5",
                    "story_id": story,
                    "item_id": item,
                    "change_key": f"c{a}",
                    "signal": "dated",
                    "rumored": a == 1,
                    "dates": dates,
                    "term": "GPT-5",
                    "title": f"alert {a}",
                    "change": change,
                }
                for a, story, item, dates, change in [
                    (1, 1, 2, ["2025-06"], None),
                    (2, 2, 3, ["2025-08-07"], "GPT-5: date moved from 2025-06 to 2025-08-07"),
                ]
            ],
        )
        for delivery in [
            {"alert_id": 1, "target": "mail", "state": "failed", "attempts": 5},
            {"alert_id": 1, "target": "chat", "state": "delivered", "delivered_at": NOW},
            {"alert_id": 2, "target": "chat", "state": "pending", "attempts": 1},
        ]:
            conn.execute(insert(t.Delivery), delivery)
    engine = queries.read_engine(db_url)
    yield engine
    engine.dispose()


def test_alerts_page_newest_first_with_sources_and_deliveries(engine: Engine) -> None:
    alerts, total = queries.alerts_page(engine, 0, per_page=1)
    assert total == 2 and [a.id for a in alerts] == [2]
    assert alerts[0].change == "GPT-5: date moved from 2025-06 to 2025-08-07"
    assert alerts[0].confirmed and alerts[0].dates == ("2025-08-07",)
    [older], _ = queries.alerts_page(engine, 1, per_page=1)
    assert older.rumored and not older.confirmed
    # one story, two outlets: the alert's own item's feed first
    assert [name for name, _ in older.sources] == ["https://u:pw@b.test/rss", "Alpha"]
    assert [(d.target, d.state) for d in older.deliveries] == [
        ("chat", "delivered"),
        ("mail", "failed"),
    ]


def test_claims_matches_feeds_and_overview(engine: Engine) -> None:
    claims = queries.claims(engine, "GPT-5")
    assert [(c.dates, c.rumored, c.source) for c in claims] == [
        (("2025-06",), True, "Alpha"),
        (("2025-08-07",), False, "Alpha"),
    ]
    matches = queries.watch_matches(engine, "GPT-5")
    assert [(m.item_id, m.alerted) for m in matches] == [(3, True), (1, False)]
    assert queries.known_watches(engine) == ["GPT-5"]
    feeds = queries.feeds(engine)
    assert [f.health for f in feeds] == ["failing", "ok", "disabled"]
    by_name = queries.feeds(engine, sort="name", descending=True)
    assert [f.label for f in by_name] == ["https://u:pw@b.test/rss", "charlie", "Alpha"]
    overview = queries.overview(engine)
    assert (overview.pending, overview.failed, overview.feeds, overview.failing) == (1, 1, 3, 1)
    assert overview.ok == 1
    assert overview.last_feed_error is not None
    assert overview.last_feed_error[1] == "http_5xx: HTTP 503"


def test_the_pages_engine_cannot_write_on_sqlite(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("query_only is SQLite's")
    from sqlalchemy.exc import OperationalError

    with pytest.raises(OperationalError, match="readonly"), engine.begin() as conn:
        conn.execute(delete(t.Feed))


def test_timeline_places_each_claim_at_its_date() -> None:
    claims = [
        queries.Claim(
            NOW - timedelta(days=100), ("2025-06",), True, False, "Rumors", None, "dated"
        ),
        queries.Claim(NOW, ("2025-08-07",), False, True, "https://u:pw@x.test/f", None, "dated"),
        queries.Claim(NOW, ("not a date",), False, True, "X", None, "dated"),
    ]
    chart = layout(claims)
    assert chart is not None
    june, august = chart.rows
    assert june.rumored and not august.rumored
    assert june.seen_x < june.start_x < june.end_x <= august.start_x < august.end_x
    assert august.source == "https://x.test/f"  # a URL label loses its credentials
    assert [tick.label for tick in chart.ticks][:2] == ["2025-05", "2025-06"]
    assert layout([]) is None


@pytest.mark.parametrize(
    ("evidence", "term", "rumored", "marked"),
    [
        (
            "GPT-5 is expected in June",
            "GPT-5",
            True,
            '<mark class="term">GPT-5</mark> is <mark class="cue">expected</mark> in June',
        ),
        ("<b>gpt-5</b> launches", "GPT-5", False, '&lt;b&gt;<mark class="term">gpt-5</mark>&lt;/b&gt; <mark class="cue">launches</mark>'),
        ("nothing & here", "GPT-5", False, "nothing &amp; here"),
    ],
)  # fmt: skip
def test_evidence_is_escaped_with_term_and_cue_marked(
    evidence: str, term: str, rumored: bool, marked: str
) -> None:
    assert str(present.mark_evidence(evidence, term, rumored)) == marked


def test_what_a_page_shows_of_urls_errors_and_deliveries() -> None:
    assert present.safe_url("https://u:p@x.test/f?api_key=abc&page=2") == (
        "https://x.test/f?api_key=***&page=2"
    )
    assert present.link_href("javascript:alert(1)") is None
    assert (
        present.scrub("GET https://bot:pw@hook.test/x failed")
        == "GET https://***@hook.test/x failed"
    )
    kind, words = present.delivery_state(
        "pending", attempts=2, digest=False, next_attempt_at=NOW, delivered_at=None,
        last_error="HTTP 500",
    )  # fmt: skip
    assert (
        kind == "retry" and words == "retrying, attempt 2 failed (HTTP 500); next 2025-08-10 12:00"
    )
    assert present.delivery_state(
        "pending", attempts=0, digest=True, next_attempt_at=NOW, delivered_at=None,
        last_error=None,
    )[1] == "held for digest until 2025-08-10 12:00"  # fmt: skip
    assert present.delivery_state(
        "failed", attempts=5, digest=False, next_attempt_at=NOW, delivered_at=None,
        last_error="gave up after 1d",
    )[1] == "given up after 5 attempts: gave up after 1d"  # fmt: skip
