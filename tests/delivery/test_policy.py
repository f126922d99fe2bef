"""Target policies: digest slots in a time zone (DST included), quiet hours over midnight,
and the rate limit that folds the excess into the next digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.delivery.policy import TargetPolicy
from monitor.settings import TargetConfig


def policy(**options: object) -> TargetPolicy:
    return TargetPolicy.of(TargetConfig(name="t", url="json://127.0.0.1/x", **options))  # type: ignore[arg-type]


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_daily_digest_in_a_time_zone_across_dst() -> None:
    p = policy(mode="digest", digest_at="08:00", timezone="Europe/Paris")
    assert p.next_slot(utc(2025, 8, 7, 8, 30)) == utc(2025, 8, 8, 6, 0)  # summer: UTC+2
    assert p.next_slot(utc(2025, 8, 7, 5, 0)) == utc(2025, 8, 7, 6, 0)
    assert p.next_slot(utc(2025, 10, 25, 7, 0)) == utc(2025, 10, 26, 7, 0)  # winter: UTC+1
    assert p.next_slot(utc(2025, 8, 8, 6, 0)) == utc(2025, 8, 9, 6, 0)  # strictly after


def test_interval_digest_on_full_local_hours() -> None:
    p = policy(mode="digest", digest=3600.0)
    assert p.next_slot(utc(2025, 8, 7, 8, 30)) == utc(2025, 8, 7, 9, 0)
    p = policy(mode="digest", digest=1800.0, timezone="Asia/Kolkata")  # UTC+05:30
    assert p.next_slot(utc(2025, 8, 7, 8, 10)) == utc(2025, 8, 7, 8, 30)
    assert policy(mode="digest").every == 3600.0  # digest mode without a schedule: hourly


def test_quiet_hours_over_midnight() -> None:
    p = policy(quiet=("22:00", "07:00"), timezone="Europe/Paris")
    assert p.quiet_until(utc(2025, 8, 7, 19, 59)) is None  # 21:59
    assert p.quiet_until(utc(2025, 8, 7, 20, 0)) == utc(2025, 8, 8, 5, 0)  # 22:00 → 07:00
    assert p.quiet_until(utc(2025, 8, 8, 2, 0)) == utc(2025, 8, 8, 5, 0)  # 04:00
    assert p.quiet_until(utc(2025, 8, 8, 5, 0)) is None  # 07:00
    day = policy(quiet=("12:00", "14:00"))
    assert day.quiet_until(utc(2025, 8, 7, 13, 0)) == utc(2025, 8, 7, 14, 0)


def test_a_digest_slot_in_quiet_hours_moves_to_their_end() -> None:
    p = policy(mode="digest", digest=3600.0, quiet=("22:00", "07:00"))
    assert p.next_slot(utc(2025, 8, 7, 22, 30)) == utc(2025, 8, 8, 7, 0)


def test_hold_rules() -> None:
    now = utc(2025, 8, 7, 12, 0)
    instant = policy()
    assert instant.hold(now, recent_sends=[now] * 50, held_until=None) is None
    limited = policy(rate_limit=(2, 600.0))
    sends = [now - timedelta(minutes=8), now - timedelta(minutes=3)]
    assert limited.hold(now, recent_sends=sends[1:], held_until=None) is None
    assert limited.hold(now, recent_sends=sends, held_until=None) == now + timedelta(minutes=2)
    old = [now - timedelta(minutes=20)] * 5
    assert limited.hold(now, recent_sends=old, held_until=None) is None
    scheduled = policy(rate_limit=(1, 600.0), digest_at="18:00")
    assert scheduled.hold(now, recent_sends=[now], held_until=None) == utc(2025, 8, 7, 18, 0)
    held = now + timedelta(minutes=30)
    assert limited.hold(now, recent_sends=[], held_until=held) == held  # keeps the order
    assert policy(mode="digest").hold(now, recent_sends=[], held_until=None) == utc(
        2025, 8, 7, 13, 0
    )
