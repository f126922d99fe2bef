"""iCalendar (RFC 5545) of the dates claimed for each watch: ``monitor calendar`` prints it,
the dashboard serves it at ``/calendar.ics``.

One event per (watch, claimed date): all-day for a day, spanning the whole period for a
month, week, quarter, half, season or year, marked rumored or confirmed, with its sources.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from monitor.store import Store

_SEASONS = {
    "spring": (3, 6),
    "summer": (6, 9),
    "fall": (9, 12),
    "autumn": (9, 12),  # written by versions before SPEC's "fall"
    "winter": (12, 15),
}
_PARTS = {"early": (1, 5), "mid": (5, 9), "late": (9, 13)}


@dataclass(frozen=True)
class Claim:
    watch: str
    value: str  # an ISO form from the classifier: 2024-05-16, 2024-05, 2025-Q3, 2024-W21, ranges
    rumored: bool
    sources: Sequence[tuple[str, str | None]]
    first_seen: datetime


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def period(value: str) -> tuple[date, date] | None:
    """[start, end) of an ISO date form, or None when it is not one we know."""
    if "/" in value:
        a, b = (period(v) for v in value.split("/", 1))
        return (a[0], b[1]) if a and b else None
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value):
            d = date(int(m[1]), int(m[2]), int(m[3]))
            return d, d + timedelta(days=1)
        if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
            return _month_start(int(m[1]), int(m[2])), _month_start(int(m[1]), int(m[2]) + 1)
        if m := re.fullmatch(r"(\d{4})-W(\d{2})", value):
            start = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return start, start + timedelta(days=7)
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", value):
            first = 3 * (int(m[2]) - 1) + 1
            return _month_start(int(m[1]), first), _month_start(int(m[1]), first + 3)
        if m := re.fullmatch(r"(\d{4})-H([12])", value):
            first = 1 if m[2] == "1" else 7
            return _month_start(int(m[1]), first), _month_start(int(m[1]), first + 6)
        if m := re.fullmatch(r"(\d{4})-([a-z]+)", value):
            year, word = int(m[1]), m[2]
            span = _SEASONS.get(word) or _PARTS.get(word)
            if span:
                return _month_start(year, span[0]), _month_start(year, span[1])
        if m := re.fullmatch(r"(\d{4})", value):
            return date(int(m[1]), 1, 1), date(int(m[1]) + 1, 1, 1)
    except ValueError:
        return None
    return None


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> Iterable[str]:
    """Lines longer than 75 octets are folded (RFC 5545 §3.1)."""
    data = line.encode()
    while len(data) > 75:
        cut = 75
        while cut and (data[cut] & 0xC0) == 0x80:  # do not split a UTF-8 sequence
            cut -= 1
        yield data[:cut].decode()
        data = b" " + data[cut:]
    yield data.decode()


def render(claims: Sequence[Claim], *, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//newsmonitor//claimed dates//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:newsmonitor: what is expected when",
    ]
    for claim in claims:
        span = period(claim.value)
        if span is None:
            continue
        state = "rumored" if claim.rumored else "confirmed"
        uid = hashlib.sha256(f"{claim.watch}|{claim.value}|{state}".encode()).hexdigest()[:24]
        description = f"{claim.watch}: {state} date {claim.value}\nSources:\n" + "\n".join(
            f"- {name}: {link or ''}" for name, link in claim.sources
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}@newsmonitor",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{span[0]:%Y%m%d}",
            f"DTEND;VALUE=DATE:{span[1]:%Y%m%d}",
            f"SUMMARY:{_escape(f'{claim.watch} ({state}, {claim.value})')}",
            f"DESCRIPTION:{_escape(description)}",
            f"CATEGORIES:{'RUMORED' if claim.rumored else 'CONFIRMED'}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(f"{folded}\r\n" for line in lines for folded in _fold(line))


def calendar_text(store: Store) -> str:
    """The iCalendar of every date claimed for each watch (also served at /calendar.ics)."""
    rows = store.dated_claims()
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for watch, dates, rumored, feed, link, at in rows:
        for value in dates:
            entry = grouped.setdefault(
                (watch, value), {"rumored": True, "sources": {}, "first": at}
            )
            entry["rumored"] = entry["rumored"] and rumored
            entry["sources"].setdefault(feed, link)
    claims = [
        Claim(watch, value, e["rumored"], list(e["sources"].items()), e["first"])
        for (watch, value), e in sorted(grouped.items())
    ]
    return render(claims, now=datetime.now(UTC))
