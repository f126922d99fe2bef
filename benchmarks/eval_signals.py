"""Score the signal detector on the labelled dev set, calling ``classify`` directly.

    python benchmarks/eval_signals.py [--show]

It goes the way ``monitor scan`` goes (the dev set as an RSS feed, read back with
feedparser) but finds the watch terms with a small interim matcher: case-insensitive
patterns for the four watch names of the first watchlist, "Build" only near "Microsoft".
The figures are those of ``tests/test_signals_eval.py``, which scores the real command.
"""

from __future__ import annotations

import calendar
import re
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.model import Match, Signal
from monitor.signals import classify, strongest
from tests.test_signals_eval import (
    DEV_SET,
    THRESHOLDS,
    gold_signal,
    load_dev_set,
    score,
    to_rss,
)

_WATCHES: dict[str, re.Pattern[str]] = {
    "MAI-1": re.compile(
        r"(?<![\w-])MAI[-‑ ]?1(?:-preview)?(?![\w.‑-]|-(?!preview))", re.IGNORECASE
    ),
    "GPT-5": re.compile(r"(?<![\w.-])(?:Chat)?GPT[-‑ ]?5(?![\d\w]|[.,]\d)", re.IGNORECASE),
    "gpt2-chatbot": re.compile(r"gpt-?2-chatbot", re.IGNORECASE),
    "Build": re.compile(r"(?<!Dev )(?<!Insider )\bBuild\b(?! \d{4,5}\.)"),
}
_MICROSOFT = re.compile(r"Microsoft", re.IGNORECASE)
_ALERTING = {Signal.RELEASED, Signal.DATED, Signal.RUMOR}


def interim_matches(text: str) -> list[Match]:
    """Watch terms in ``text``, until ``monitor.matcher`` takes over."""
    found: list[Match] = []
    for watch, pattern in _WATCHES.items():
        for m in pattern.finditer(text):
            near = text[max(0, m.start() - 120) : m.end() + 120]
            if watch == "Build" and not _MICROSOFT.search(near):
                continue
            found.append(Match(watch, m[0], m.start(), m.end()))
    return sorted(found, key=lambda m: m.start)


def scan(entry: Any) -> dict[str, Any]:
    """One feed entry as a ``scan --json`` object (the fields the score reads)."""
    summary = entry.get("summary", "")
    text = f"{entry.title}\n\n{summary}" if summary else entry.title
    stamp = entry.get("published_parsed")
    when = datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None
    matches = interim_matches(text)
    best = strongest(classify(text, matches, when))
    return {
        "id": entry.get("id"),
        "matches": [{"watch": m.watch, "term": m.term, "span": list(m.span)} for m in matches],
        "signal": best.signal.value if best else None,
        "rumored": best.rumored if best else False,
        "dates": list(best.dates) if best else [],
        "evidence": best.evidence if best else "",
        "alert": bool(best and best.signal in _ALERTING),
    }


def show(items: Sequence[dict[str, Any]], results: Sequence[dict[str, Any]]) -> None:
    for item, result in zip(items, results, strict=True):
        gold = gold_signal(item)
        got = result["signal"] if result["matches"] else "none"
        missed = gold == "dated" and not set(item["dates"]) <= set(result["dates"])
        mark = "  " if gold == got and not missed else "XX"
        print(f"{mark} {item['id']:7} gold={gold}/{item['rumored']}/{item['dates']}", end=" ")
        print(f"got={got}/{result['rumored']}/{result['dates']}")
        if mark == "XX":
            print(f"          evidence: {result['evidence'][:150]}")


def main(argv: Sequence[str]) -> int:
    if not DEV_SET.exists():
        print(f"no dev set at {DEV_SET}")
        return 1
    items = load_dev_set()
    feed = feedparser.parse(to_rss(items).encode("utf-8"))
    results = [scan(entry) for entry in feed.entries]
    if "--show" in argv:
        show(items, results)
    for name, value in score(items, results).items():
        floor = THRESHOLDS.get(name)
        print(f"{name:16} {value:.3f}" + (f"   (floor {floor:.2f})" if floor else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
