"""Recall of ``monitor.release_dates`` on Microsoft Recognizers-Text's date specs.

    python benchmarks/bench_dates.py --specs DIR [--part tune|held-out|all]
                                     [--misses LANGUAGE] [--wrong LANGUAGE]

DIR holds a local copy of Recognizers-Text's ``Specs/DateTime/<Language>/DateParser.json``
and ``DatePeriodParser.json`` (MIT) for English, French, Spanish, German, Italian and
Portuguese, e.g. ``DIR/English/DateParser.json``. The script never reads the network and
the specs stay out of this repository.

Each expected result of a case is one item: ``find_dates`` runs on the case's ``Input``
with the case's reference date (``Context.ReferenceDateTime``, 2016-11-07 where the spec
gives none, as its resolutions show). An item is

- found when a mention overlaps the expected span;
- exact when such a mention's value is the spec's resolution written in our forms: a day,
  a month, a year, an ISO week, a range ``start/end`` (the spec's end is exclusive for
  periods and inclusive for "from 4 to 22": both are accepted), a whole month, quarter,
  half or year given as a range, a season, "early/mid/late" of a year. When the year is
  unknown (``XXXX-11-07``), the spec resolves it both ways ("future" and "past"): either
  counts;
- skipped when the resolution has no equivalent in our forms (durations alone, open
  ranges "before"/"after", "the same week", a season without a year, no expected result).

``--part`` picks the cases: ``held-out`` is every case whose index in its spec file is
divisible by 3, frozen before any tuning and never looked at case by case; ``tune`` is the
rest, the only part whose misses may suggest a mechanism; ``all`` (the default) is both.
The printed tables come from the chosen part only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.release_dates import find_dates

LANGUAGES = ("English", "French", "Spanish", "German", "Italian", "Portuguese")
FILES = ("DateParser.json", "DatePeriodParser.json")
PARTS = ("tune", "held-out", "all")
DEFAULT_REFERENCE = date(2016, 11, 7)
_SEASONS = {"SP": ("spring",), "SU": ("summer",), "FA": ("autumn", "fall"), "WI": ("winter",)}
_PARTS = {"start": "early", "mid": "mid", "end": "late"}


@dataclass(frozen=True)
class Item:
    """One expected result: the input, its reference, the span and the accepted values."""

    text: str
    reference: date
    start: int
    end: int
    accepted: frozenset[str]  # empty: no equivalent in our forms, skipped


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


def _range_forms(start: date, end: date) -> set[str]:
    """Our forms for a range whose end may be exclusive (periods) or inclusive (days)."""
    forms = {f"{start}/{end}"}
    last = end - timedelta(days=1)
    if last > start:
        forms.add(f"{start}/{last}")
    if last == start:
        forms.add(start.isoformat())
    for stop in {end, last + timedelta(days=1)}:
        if start.day == 1 and stop.day == 1:
            months = (stop.year - start.year) * 12 + stop.month - start.month
            if months == 1:
                forms.add(f"{start.year:04d}-{start.month:02d}")
            elif months == 3 and start.month % 3 == 1:
                forms.add(f"{start.year}-Q{start.month // 3 + 1}")
            elif months == 6 and start.month in (1, 7):
                forms.add(f"{start.year}-H{1 if start.month == 1 else 2}")
            elif months == 12 and start.month == 1:
                forms.add(str(start.year))
    if start.weekday() == 0 and (end - start).days in (6, 7):
        iso = start.isocalendar()
        forms.add(f"{iso.year}-W{iso.week:02d}")
    return forms


def accepted_values(value: dict[str, Any]) -> frozenset[str]:
    """The spec's resolution in our ISO forms; empty when our forms cannot say it."""
    timex: str = value.get("Timex", "")
    mod = value.get("Mod")
    if not timex or timex.startswith("P") or "T" in timex.replace("WE", "") or "|" in timex:
        return frozenset()
    if mod in ("before", "after", "ref_undef"):
        return frozenset()
    season = re.fullmatch(r"(\d{4})-(SP|SU|FA|WI)", timex)
    if season:
        forms = {f"{season[1]}-{name}" for name in _SEASONS[season[2]]}
        return frozenset(forms | ({f"{season[1]}-late"} if season[2] == "FA" else set()))
    if mod in _PARTS:
        year = re.fullmatch(r"\d{4}", timex)
        if year:
            return frozenset({f"{timex}-{_PARTS[mod]}"})
        if re.fullmatch(r"\d{4}-(?:\d{2}|W\d{2})", timex):  # part of a month or week
            return frozenset({timex})
        return frozenset()
    forms: set[str] = set()
    if re.fullmatch(r"\d{4}(?:-\d{2}(?:-\d{2})?|-W\d{2})?", timex):
        forms.add(timex)
    for key in ("FutureResolution", "PastResolution"):
        resolution = value.get(key) or {}
        if "date" in resolution:
            forms.add(resolution["date"][:10])
        elif "startDate" in resolution and "endDate" in resolution:
            forms |= _range_forms(_day(resolution["startDate"]), _day(resolution["endDate"]))
    return frozenset(forms)


def in_part(index: int, part: str) -> bool:
    """Whether the case at ``index`` of its spec file belongs to ``part``."""
    held_out = index % 3 == 0
    return part == "all" or held_out == (part == "held-out")


def load(specs: Path, language: str, part: str = "all") -> Iterator[Item]:
    for name in FILES:
        path = specs / language / name
        if not path.exists():
            continue
        for index, case in enumerate(json.loads(path.read_text(encoding="utf-8-sig"))):
            if not in_part(index, part):
                continue
            context = case.get("Context") or {}
            stamp = context.get("ReferenceDateTime")
            reference = _day(stamp) if stamp else DEFAULT_REFERENCE
            results = case.get("Results") or []
            if not results:
                yield Item(case["Input"], reference, 0, 0, frozenset())
            for result in results:
                start = int(result.get("Start", 0))
                end = start + int(result.get("Length", len(result.get("Text", ""))))
                accepted = accepted_values(result.get("Value") or {})
                yield Item(case["Input"], reference, start, end, accepted)


@dataclass
class Score:
    items: int = 0
    skipped: int = 0
    found: int = 0
    exact: int = 0

    @property
    def scored(self) -> int:
        return self.items - self.skipped

    def percent(self, count: int) -> str:
        return f"{100 * count / self.scored:.0f}%" if self.scored else "-"


def score(items: list[Item], *, show: str | None = None) -> Score:
    """Score the items; ``show`` ("misses" or "wrong") prints those items."""
    result = Score()
    for item in items:
        result.items += 1
        if not item.accepted:
            result.skipped += 1
            continue
        mentions = [
            m
            for m in find_dates(item.text, item.reference)
            if m.start < item.end and item.start < m.end
        ]
        found = bool(mentions)
        exact = any(m.value in item.accepted for m in mentions)
        result.found += found
        result.exact += exact
        if (show == "misses" and not found) or (show == "wrong" and found and not exact):
            got = ", ".join(m.value for m in mentions)
            want = " | ".join(sorted(item.accepted))
            span = item.text[item.start : item.end]
            print(f"  {item.reference} {item.text!r} [{span}] want {want} got {got}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--specs", type=Path, required=True, help="local copy of the specs")
    parser.add_argument("--part", choices=PARTS, default="all", help="which cases to score")
    parser.add_argument("--misses", metavar="LANGUAGE", help="print the items not found")
    parser.add_argument("--wrong", metavar="LANGUAGE", help="print the items found, not exact")
    args = parser.parse_args(argv)
    if not any((args.specs / language).is_dir() for language in LANGUAGES):
        parser.error(f"no <Language>/DateParser.json under {args.specs}")
    rows = []
    total = Score()
    for language in LANGUAGES:
        show = "misses" if args.misses == language else "wrong" if args.wrong == language else None
        if show:
            print(f"{language}, {show}:")
        result = score(list(load(args.specs, language, args.part)), show=show)
        rows.append((language, result))
        for field in ("items", "skipped", "found", "exact"):
            setattr(total, field, getattr(total, field) + getattr(result, field))
    rows.append(("all", total))
    inputs = [
        (i.text, i.reference) for lang in LANGUAGES for i in load(args.specs, lang, args.part)
    ]
    started = time.perf_counter()
    for text, reference in inputs:
        find_dates(text, reference)
    cost = (time.perf_counter() - started) / len(inputs) * 1e6
    print(f"part: {args.part}\n")
    print("| language | items | skipped | scored | found | exact |")
    print("|---|---:|---:|---:|---:|---:|")
    for language, result in rows:
        print(
            f"| {language} | {result.items} | {result.skipped} | {result.scored} "
            f"| {result.found} ({result.percent(result.found)}) "
            f"| {result.exact} ({result.percent(result.exact)}) |"
        )
    print(f"\nfind_dates: {cost:.0f} µs per input ({len(inputs)} inputs, one process)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
