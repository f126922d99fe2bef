"""The watch page's chart: the dates claimed for a watch, laid out for an inline SVG.

One row per claimed date, oldest claim on top. A grey dot marks the day the item said it
(with its source); a line joins it to a bar over the period the claim gives (a day, a
month, a quarter...), amber when rumored, green when confirmed. A date that moved shows as
bars stepping sideways from one row to the next. Geometry only: the template draws it, so
every label is escaped there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from monitor.calendar import period
from monitor.web.present import label
from monitor.web.queries import Claim

WIDTH = 720.0
LEFT, RIGHT = 8.0, 230.0  # room for the labels right of the bars: date and source
ROW = 26.0
TOP = 30.0


@dataclass(frozen=True)
class Row:
    y: float
    seen_x: float
    start_x: float
    end_x: float
    label_x: float  # right of both the bar and the dot: the join line stays clear
    value: str  # the claimed date as written, "2025-08-07", or "released"
    seen: str
    source: str
    rumored: bool
    link: str | None


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    axis_y: float


def layout(claims: Sequence[Claim]) -> Chart | None:
    """The chart of ``claims`` (oldest first), or None when none gives a date we can place."""
    placed: list[tuple[Claim, str, date, date]] = []
    for claim in claims:
        day = claim.seen.date()
        values = claim.dates or (("released",) if claim.signal == "released" else ())
        for value in values:
            span = (day, day + timedelta(days=1)) if value == "released" else period(value)
            if span is not None:
                placed.append((claim, value, *span))
    if not placed:
        return None
    low = min(min(c.seen.date(), start) for c, _, start, _ in placed)
    high = max(max(c.seen.date() + timedelta(days=1), end) for c, _, _, end in placed)
    pad = max(timedelta(days=3), (high - low) / 20)
    low, high = low - pad, high + pad
    days = (high - low).days or 1
    scale = (WIDTH - LEFT - RIGHT) / days

    def x(d: date) -> float:
        return round(LEFT + (d - low).days * scale, 1)

    rows = tuple(
        Row(
            y=TOP + i * ROW,
            seen_x=x(claim.seen.date()),
            start_x=x(start),
            end_x=round(max(x(end), x(start) + 3), 1),
            label_x=round(max(x(end), x(start) + 3, x(claim.seen.date())) + 8, 1),
            value=value,
            seen=claim.seen.date().isoformat(),
            source=_short(label(claim.source)),
            rumored=claim.rumored and not claim.official,
            link=claim.link,
        )
        for i, (claim, value, start, end) in enumerate(placed)
    )
    return Chart(WIDTH, TOP + len(rows) * ROW + 10, rows, _ticks(low, high, x), TOP - 18)


def _short(text: str, size: int = 28) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _ticks(low: date, high: date, place: Callable[[date], float]) -> tuple[Tick, ...]:
    """Month starts (labelled ``2025-08``) when they fit, else year starts."""
    months = (high.year - low.year) * 12 + high.month - low.month
    step = 1 if months <= 8 else 3 if months <= 24 else 12
    ticks: list[Tick] = []
    year, month = low.year, low.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        d = date(year, month, 1)
        if d >= high:
            break
        if step == 12 and month != 1:
            continue
        if (month - 1) % step == 0:
            ticks.append(Tick(place(d), str(year) if step == 12 else f"{year}-{month:02d}"))
    return tuple(ticks)
