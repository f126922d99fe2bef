"""Per-target delivery policy: instant or digest, rate limit, quiet hours. Pure time maths.

Rules, checked in this order for a delivery that is due (``TargetPolicy.hold``):
1. ``mode = "digest"``: it waits for the next digest slot.
2. Quiet hours: it waits for the end of the quiet period, then goes out in one digest.
3. The target already holds deliveries for a digest: it joins them (order is kept).
4. Rate limit: when ``count`` instant messages went out in the last ``window``, it folds
   into the next digest (the next slot, or when the window frees up). Never dropped.
5. Otherwise it is sent now.

A digest slot that falls in quiet hours moves to their end. Slots are wall-clock times in
the target's time zone: ``digest_at = "08:00"`` is every day at 08:00; ``digest = "1h"`` is
every full hour of the local day (intervals of a day or more count from the Unix epoch).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from monitor.settings import TargetConfig

DAY = 86400.0


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _at(day: datetime, clock: time, zone: tzinfo) -> datetime:
    """``clock`` on the local day of ``day`` (an aware local datetime), as UTC."""
    local = datetime.combine(day.date(), clock, tzinfo=zone)
    # A wall time skipped by a DST change does not exist; round-tripping through UTC moves it
    # forward by the gap, which is what a person expects ("08:00" becomes 09:00 that day).
    return local.astimezone(UTC)


@dataclass(frozen=True)
class TargetPolicy:
    mode: str = "instant"
    every: float | None = None
    at: time | None = None
    zone: tzinfo = UTC
    rate: tuple[int, float] | None = None
    quiet: tuple[time, time] | None = None

    @classmethod
    def of(cls, target: TargetConfig) -> TargetPolicy:
        every = target.digest
        if target.mode == "digest" and every is None and target.digest_at is None:
            every = 3600.0
        return cls(
            mode=target.mode,
            every=every,
            at=_clock(target.digest_at) if target.digest_at else None,
            zone=ZoneInfo(target.timezone),
            rate=target.rate_limit,
            quiet=(_clock(target.quiet[0]), _clock(target.quiet[1])) if target.quiet else None,
        )

    @property
    def has_schedule(self) -> bool:
        return self.every is not None or self.at is not None

    def next_slot(self, after: datetime) -> datetime:
        """The first digest slot strictly after ``after`` (UTC), moved out of quiet hours."""
        slot = self._next_schedule_slot(after)
        return self.quiet_until(slot) or slot

    def _next_schedule_slot(self, after: datetime) -> datetime:
        local = after.astimezone(self.zone)
        if self.at is not None:
            for days in range(3):
                slot = _at(local + timedelta(days=days), self.at, self.zone)
                if slot > after:
                    return slot
        every = self.every or 3600.0
        if every >= DAY:
            epoch = after.timestamp()
            return datetime.fromtimestamp((epoch // every + 1) * every, UTC)
        midnight = _at(local, time(0, 0), self.zone)
        steps = int((after - midnight).total_seconds() // every) + 1
        slot = midnight + timedelta(seconds=steps * every)
        next_midnight = _at(local + timedelta(days=1), time(0, 0), self.zone)
        return min(slot, next_midnight) if next_midnight > after else slot

    def quiet_until(self, now: datetime) -> datetime | None:
        """The end of the quiet period ``now`` is in (UTC), or None when it is not quiet."""
        if self.quiet is None:
            return None
        start, end = self.quiet
        local = now.astimezone(self.zone)
        clock = local.time().replace(tzinfo=None)
        if start < end:
            quiet = start <= clock < end
            end_day = local
        else:  # over midnight: 22:00-07:00
            quiet = clock >= start or clock < end
            end_day = local + timedelta(days=1) if clock >= start else local
        return _at(end_day, end, self.zone) if quiet else None

    def hold(
        self, now: datetime, *, recent_sends: Sequence[datetime], held_until: datetime | None
    ) -> datetime | None:
        """When a due delivery should go out in a digest instead of now, else None to send.

        ``recent_sends`` are the instant messages sent within the rate window; ``held_until``
        is the slot of deliveries this target already holds for a digest, if any.
        """
        if self.mode == "digest":
            return held_until or self.next_slot(now)
        quiet = self.quiet_until(now)
        if quiet is not None:
            return quiet
        if held_until is not None:
            return held_until
        if self.rate is not None:
            count, window = self.rate
            inside = sorted(t for t in recent_sends if t > now - timedelta(seconds=window))
            if len(inside) >= count:
                frees = inside[len(inside) - count] + timedelta(seconds=window)
                slot = self.next_slot(now) if self.has_schedule else frees
                return self.quiet_until(slot) or slot
        return None


INSTANT = TargetPolicy()
