"""The outbox against real local targets: order through an outage, digests, rate limits and
quiet hours on a controllable clock, and the one operator notice when a target is given up."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.delivery.notifier import Notifier
from monitor.delivery.outbox import deliver_pending
from monitor.delivery.policy import TargetPolicy
from monitor.model import FeedSpec, Item
from monitor.settings import TargetConfig
from monitor.store import Store, make_engine, upgrade
from tests.conftest import Receiver, run_cli, write_config

T0 = datetime(2025, 8, 7, 8, 30, tzinfo=UTC)  # 10:30 in Paris


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def add_alerts(
    store: Store, count: int, at: datetime, targets: list[str], *, start: int = 0
) -> list[int]:
    """``count`` alerts on stories of their own, created a millisecond apart just before ``at``."""
    url = "http://127.0.0.1/feed"
    store.sync_feeds([FeedSpec(url, "Local News")])
    feed = store.feed(url)
    assert feed is not None
    ids = []
    for i in range(start, start + count):
        when = at - timedelta(milliseconds=start + count - i)
        item = Item(
            key=f"k{i}",
            title=f"Story {i}: GPT-5 expected in August",
            link=f"https://news.example.org/{i}",
            summary=f"summary {i}",
            published=when,
        )
        with store.unit() as unit:
            [new] = unit.insert_items(feed.id, [(item, item.link)], when, timedelta(hours=72))
            unit.add_match(
                new.id, "GPT-5", "GPT-5", (9, 14), "dated", True, ["2025-08"], "GPT-5 in August"
            )
            alert_id = unit.add_alert(
                targets=targets,
                now=when,
                watch="GPT-5",
                story_id=new.story_id,
                item_id=new.id,
                change_key=f"dated|2025-08|{i}",
                signal="dated",
                rumored=True,
                official=False,
                dates=["2025-08"],
                term="GPT-5",
                evidence=f"GPT-5 is expected in August (story {i})",
                title=item.title,
                link=item.link,
                change=None,
            )
        assert alert_id is not None
        ids.append(alert_id)
    return ids


def notifier_for(**targets: tuple[str, dict[str, object]]) -> Notifier:
    configs = [TargetConfig(name=n, url=url, **opts) for n, (url, opts) in targets.items()]  # type: ignore[arg-type]
    return Notifier(
        {c.name: c.url for c in configs},
        timeout=5,
        policies={c.name: TargetPolicy.of(c) for c in configs},
    )


def deliver(store: Store, notifier: Notifier, clock: Clock, **kw: object):  # type: ignore[no-untyped-def]
    return asyncio.run(deliver_pending(store, notifier, now=clock, **kw))  # type: ignore[arg-type]


def titles(receiver: Receiver) -> list[str]:
    return [m["title"] for m in receiver.received()]


def states(store: Store) -> dict[int, str]:
    return {a.id: ds[0].state for a, ds in store.recent_alerts(500) if ds}


def test_outage_every_alert_arrives_once_in_order(store: Store, receiver: Receiver) -> None:
    clock = Clock(T0)
    add_alerts(store, 3, T0, ["chat"])
    notifier = notifier_for(chat=(receiver.apprise_url, {}))
    receiver.fail_with = 500
    first = deliver(store, notifier, clock)
    assert (first.delivered, first.retrying) == (0, 1)  # the first failure blocks the target
    clock.advance(minutes=1)
    add_alerts(store, 2, clock.at, ["chat"], start=3)
    for _ in range(3):  # still down, across retries
        clock.advance(hours=1)
        deliver(store, notifier, clock)
    assert receiver.received() == []
    receiver.fail_with = None
    clock.advance(hours=1)
    report = deliver(store, notifier, clock)
    assert report.delivered == 5
    bodies = [m["message"] for m in receiver.received()]
    assert [int(b.split("Story ")[1].split(":")[0]) for b in bodies] == [0, 1, 2, 3, 4]
    clock.advance(hours=1)
    assert deliver(store, notifier, clock, ignore_backoff=True).delivered == 0
    assert len(receiver.received()) == 5
    assert set(states(store).values()) == {"delivered"}


def test_a_round_told_to_stop_ends_after_the_send_in_progress_and_gives_back_the_rest(
    store: Store, receiver: Receiver
) -> None:
    clock = Clock(T0)
    add_alerts(store, 3, T0, ["chat"])
    notifier = notifier_for(chat=(receiver.apprise_url, {}))
    # stop is asked for while the first alert is being sent
    report = deliver(store, notifier, clock, stopping=lambda: len(receiver.hits("/hook")) > 0)
    assert report.delivered == 1 and len(receiver.received()) == 1
    assert sorted(states(store).values()) == ["delivered", "pending", "pending"]
    # what was given back goes out with the next round, at once and only once
    assert deliver(store, notifier, clock).delivered == 2
    assert len(receiver.received()) == 3


def test_digest_waits_for_its_slot_and_is_one_message(store: Store, receiver: Receiver) -> None:
    clock = Clock(T0)
    notifier = notifier_for(
        chat=(
            receiver.apprise_url,
            {"mode": "digest", "digest_at": "08:00", "timezone": "Europe/Paris"},
        )
    )
    add_alerts(store, 3, T0, ["chat"])
    report = deliver(store, notifier, clock)
    assert (report.held, report.delivered) == (3, 0)
    clock.at = datetime(2025, 8, 8, 5, 59, tzinfo=UTC)  # 07:59 in Paris, next day
    add_alerts(store, 1, clock.at, ["chat"], start=3)
    assert deliver(store, notifier, clock).delivered == 0
    assert receiver.received() == []
    clock.at = datetime(2025, 8, 8, 6, 0, tzinfo=UTC)  # 08:00 in Paris
    report = deliver(store, notifier, clock)
    assert (report.digests, report.delivered) == (1, 4)
    [digest] = receiver.received()
    assert digest["title"].startswith("newsmonitor digest: 4 alerts")
    body = digest["message"]
    assert [body.index(f"Story {i}") for i in range(4)] == sorted(
        body.index(f"Story {i}") for i in range(4)
    )
    assert "<https://news.example.org/0>" in body
    assert set(states(store).values()) == {"delivered"}
    assert deliver(store, notifier, clock).delivered == 0
    assert len(receiver.received()) == 1


def test_a_digest_that_fails_is_retried_whole(store: Store, receiver: Receiver) -> None:
    clock = Clock(T0)
    notifier = notifier_for(chat=(receiver.apprise_url, {"mode": "digest", "digest": 3600.0}))
    add_alerts(store, 2, T0, ["chat"])
    deliver(store, notifier, clock)
    receiver.fail_with = 500
    clock.at = T0.replace(minute=0) + timedelta(hours=1)
    report = deliver(store, notifier, clock)
    assert (report.retrying, report.delivered) == (2, 0)
    assert set(states(store).values()) == {"pending"}
    receiver.fail_with = None
    clock.advance(minutes=5)
    assert deliver(store, notifier, clock).delivered == 2
    assert len(receiver.received()) == 1


def test_rate_limit_folds_the_excess_into_one_digest(store: Store, receiver: Receiver) -> None:
    clock = Clock(T0)
    notifier = notifier_for(chat=(receiver.apprise_url, {"rate_limit": (2, 600.0)}))
    add_alerts(store, 5, T0, ["chat"])
    report = deliver(store, notifier, clock)
    assert (report.delivered, report.held) == (2, 3)
    clock.advance(minutes=5)
    add_alerts(store, 1, clock.at, ["chat"], start=5)  # joins the held ones: order is kept
    assert deliver(store, notifier, clock).delivered == 0
    clock.advance(minutes=5)  # the window has freed up
    report = deliver(store, notifier, clock)
    assert (report.digests, report.delivered) == (1, 4)
    received = receiver.received()
    assert len(received) == 3
    assert "digest: 4 alerts" in received[2]["title"]
    assert set(states(store).values()) == {"delivered"}


def test_quiet_hours_hold_alerts_then_send_one_digest(store: Store, receiver: Receiver) -> None:
    night = datetime(2025, 8, 7, 21, 0, tzinfo=UTC)  # 23:00 in Paris
    clock = Clock(night)
    notifier = notifier_for(
        chat=(receiver.apprise_url, {"quiet": ("22:00", "07:00"), "timezone": "Europe/Paris"})
    )
    add_alerts(store, 2, night, ["chat"])
    assert deliver(store, notifier, clock).held == 2
    clock.at = datetime(2025, 8, 8, 4, 59, tzinfo=UTC)  # 06:59
    assert deliver(store, notifier, clock).delivered == 0
    clock.at = datetime(2025, 8, 8, 5, 0, tzinfo=UTC)  # 07:00
    report = deliver(store, notifier, clock)
    assert (report.digests, report.delivered) == (1, 2)
    add_alerts(store, 1, clock.at, ["chat"], start=2)  # the day: instant again
    assert deliver(store, notifier, clock).delivered == 1
    assert [m["title"].startswith("newsmonitor digest") for m in receiver.received()] == [
        True,
        False,
    ]


def test_give_up_sends_one_notice_and_is_shown(tmp_path: Path, receiver: Receiver) -> None:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    engine = make_engine(db)
    upgrade(engine)
    store = Store(engine)
    ops = Receiver()
    try:
        clock = Clock(T0)
        notifier = notifier_for(chat=(receiver.apprise_url, {}), ops=(ops.apprise_url, {}))
        add_alerts(store, 3, T0, ["chat"])
        receiver.fail_with = 500
        for _ in range(3):
            assert deliver(store, notifier, clock, give_up=3 * 3600).failed == 0
            clock.advance(hours=1)
        report = deliver(store, notifier, clock, give_up=3 * 3600)
        assert report.failed == 3 and report.notices == 1
        [notice] = ops.received()
        assert "3 alerts could not be delivered to target 'chat'" in notice["message"]
        assert "json://" not in notice["message"]
        clock.advance(hours=1)
        assert deliver(store, notifier, clock, give_up=3 * 3600).notices == 0
        assert len(ops.received()) == 1
        assert set(states(store).values()) == {"failed"}
    finally:
        ops.close()
        engine.dispose()

    config = write_config(tmp_path / "c.toml", database=db, feeds=[])
    alerts = run_cli("alerts", "--json", "--config", str(config))
    records = [json.loads(line) for line in alerts.out.splitlines()]
    assert [r["deliveries"][0]["state"] for r in records] == ["failed"] * 3
    assert records[0]["deliveries"][0]["digest"] is False
    assert "did not accept" in records[0]["deliveries"][0]["last_error"]
    status = run_cli("status", "--json", "--config", str(config))
    assert json.loads(status.out)["summary"]["deliveries_failed"] == 3
    text = run_cli("alerts", "--config", str(config))
    assert "chat=failed" in text.out


def test_give_up_with_no_other_target_is_logged(
    store: Store, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock(T0)
    notifier = notifier_for(chat=(receiver.apprise_url, {}))
    add_alerts(store, 1, T0, ["chat"])
    receiver.fail_with = 503
    clock.advance(hours=2)
    with caplog.at_level("ERROR", logger="monitor.delivery.outbox"):
        report = deliver(store, notifier, clock, give_up=3600)
    assert report.failed == 1 and report.notices == 0
    assert any("operator notice: 1 alerts to target chat" in r.getMessage() for r in caplog.records)
