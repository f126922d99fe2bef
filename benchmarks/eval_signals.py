"""Score the signal detector on the labelled dev set, calling ``classify`` directly.

    python benchmarks/eval_signals.py [PATH_TO_signals-dev.jsonl] [--show]

The watch terms are found here by a small interim matcher (case-insensitive patterns on
the four watch names of the first watchlist), so that the classifier can be tuned on its
own; ``tests/test_signals_eval.py`` scores the full ``monitor scan`` instead.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from monitor.model import Classification, Match, Signal
from monitor.signals import classify, strongest

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "signals-dev.jsonl"

_WATCHES: dict[str, re.Pattern[str]] = {
    "MAI-1": re.compile(
        r"(?<![\w-])MAI[-‑ ]?1(?:-preview)?(?![\w.‑-]|-(?!preview))", re.IGNORECASE
    ),
    "GPT-5": re.compile(r"(?<![\w.-])(?:Chat)?GPT[-‑ ]?5(?![\d\w]|[.,]\d)", re.IGNORECASE),
    "gpt2-chatbot": re.compile(r"gpt-?2-chatbot", re.IGNORECASE),
    "Build": re.compile(r"(?<!Dev )(?<!Insider )\bBuild\b(?! \d{4,5}\.)"),
}
_MICROSOFT = re.compile(r"Microsoft", re.IGNORECASE)


def interim_matches(text: str) -> list[Match]:
    """Watch terms in ``text``; "Build" only near "Microsoft", as the conference."""
    found: list[Match] = []
    for watch, pattern in _WATCHES.items():
        for m in pattern.finditer(text):
            if watch == "Build" and not _MICROSOFT.search(
                text, max(0, m.start() - 120), m.end() + 120
            ):
                continue
            found.append(Match(watch, m[0], m.start(), m.end()))
    return sorted(found, key=lambda m: m.start)


def parse_published(value: str | None) -> datetime | None:
    """Dev-set dates are full, month-only or year-only; partial ones take the first day."""
    if not value:
        return None
    value = value.replace("Z", "+00:00")
    for fmt, size in (("%Y-%m", 7), ("%Y", 4)):
        if len(value) == size:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def document(title: str, summary: str) -> str:
    return f"{title}\n\n{summary}" if summary else title


@dataclass(frozen=True)
class Outcome:
    """What the detector says about one item, in the shape of a ``scan --json`` line."""

    item_id: str
    watches: frozenset[str]
    signal: str
    rumored: bool
    dates: tuple[str, ...]
    evidence: str
    alert: bool


def run_item(item: dict[str, object]) -> Outcome:
    text = document(str(item["title"]), str(item.get("summary") or ""))
    matches = interim_matches(text)
    result = classify(text, matches, parse_published(item.get("published")))  # type: ignore[arg-type]
    best: Classification | None = strongest(result)
    signal = best.signal.value if best else "none"
    alerting = {Signal.RELEASED, Signal.DATED, Signal.RUMOR}
    return Outcome(
        str(item["id"]),
        frozenset(result),
        signal,
        best.rumored if best else False,
        best.dates if best else (),
        best.evidence if best else "",
        bool(best and best.signal in alerting),
    )


def score(items: Sequence[dict[str, object]], outcomes: Sequence[Outcome]) -> dict[str, float]:
    """The five figures of issue #5, from labelled items and detector outcomes."""
    tp = fp = fn = 0
    alert_tp = alert_fp = alert_fn = 0
    signal_ok = signal_n = 0
    dated_found = dated_n = 0
    for item, out in zip(items, outcomes, strict=True):
        gold_terms = set(item["terms"])  # type: ignore[call-overload]
        tp += len(gold_terms & out.watches)
        fp += len(out.watches - gold_terms)
        fn += len(gold_terms - out.watches)
        gold_signal = "released" if item["signal"] == "release" else str(item["signal"])
        should_alert = gold_signal in ("released", "dated", "rumor")
        alert_tp += should_alert and out.alert
        alert_fp += (not should_alert) and out.alert
        alert_fn += should_alert and not out.alert
        if gold_terms:
            signal_n += 1
            signal_ok += out.signal == gold_signal
        if gold_signal == "dated":
            dated_n += 1
            dated_found += set(item["dates"]) <= set(out.dates)  # type: ignore[call-overload]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {
        "term_precision": precision,
        "term_recall": recall,
        "term_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "alert_precision": alert_tp / (alert_tp + alert_fp) if alert_tp + alert_fp else 1.0,
        "alert_recall": alert_tp / (alert_tp + alert_fn) if alert_tp + alert_fn else 1.0,
        "signal_accuracy": signal_ok / signal_n if signal_n else 1.0,
        "dates_found": dated_found / dated_n if dated_n else 1.0,
    }


def load(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def show(items: Iterable[dict[str, object]], outcomes: Iterable[Outcome]) -> None:
    for item, out in zip(items, outcomes, strict=True):
        gold = "released" if item["signal"] == "release" else item["signal"]
        mark = "  " if gold == out.signal else "XX"
        print(
            f"{mark} {item['id']:7} gold={gold}/{item['rumored']}/{item['dates']} "
            f"got={out.signal}/{out.rumored}/{list(out.dates)} {sorted(out.watches)}"
        )
        if mark == "XX" or (gold == "dated" and not set(item["dates"]) <= set(out.dates)):  # type: ignore[call-overload]
            print(f"          evidence: {out.evidence[:150]}")


def main(argv: Sequence[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    path = Path(args[0]) if args else DEFAULT
    if not path.exists():
        print(f"no dev set at {path}")
        return 1
    items = load(path)
    outcomes = [run_item(item) for item in items]
    if "--show" in argv:
        show(items, outcomes)
    for name, value in score(items, outcomes).items():
        print(f"{name:16} {value:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
