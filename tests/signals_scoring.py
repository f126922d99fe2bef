"""Scoring of the signal detector on labelled news, shared by the tests and benchmarks.

The labelled items (``../shared/data/signals-dev*.jsonl``) are other people's text and stay
outside the repository; this module only reads them and scores ``monitor scan --json``
objects against their labels (issue #16's figures). The held-out third is fixed by a hash
of each item's id (``held_out``), chosen before any tuning.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
DEV_FILES = (SHARED_DATA / "signals-dev.jsonl", SHARED_DATA / "signals-dev-more.jsonl")
ALERTING = frozenset({"released", "dated", "rumor"})
# The dev set names the conference "Build"; the bundled watchlist calls that watch
# "Microsoft Build" (SPEC's first watchlist). Only the name differs.
WATCH_NAMES = {"Microsoft Build": "Build"}
FIRST_LANGUAGES = frozenset({"en", "fr"})


def held_out(item_id: str) -> bool:
    """The frozen held-out third: a hash of the id, so a new item falls where it falls."""
    return int(hashlib.sha256(item_id.encode("utf-8")).hexdigest(), 16) % 3 == 0


def load(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def published(value: str | None) -> datetime | None:
    """Dev-set dates are full, month-only ("2024-05") or year-only; partial ones take day 1."""
    if not value:
        return None
    value = value.replace("Z", "+00:00")
    if len(value) == 4:
        return datetime(int(value), 1, 1, 12, tzinfo=UTC)
    if len(value) == 7:
        return datetime(int(value[:4]), int(value[5:7]), 1, 12, tzinfo=UTC)
    parsed = datetime.fromisoformat(value)
    if len(value) == 10:
        parsed = parsed.replace(hour=12)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def to_rss(items: Sequence[Mapping[str, Any]]) -> str:
    """An RSS 2.0 document with one entry per labelled item, in order."""
    entries = []
    for item in items:
        when = published(item.get("published"))
        date_line = f"<pubDate>{format_datetime(when)}</pubDate>" if when else ""
        entries.append(
            "<item>"
            f"<title>{escape(item['title'])}</title>"
            f"<link>{escape(item['url'])}</link>"
            f'<guid isPermaLink="false">{escape(item["id"])}</guid>'
            f"<description>{escape(item.get('summary') or '')}</description>"
            f"{date_line}</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>signals dev set</title><link>http://127.0.0.1/</link>"
        "<description>labelled items</description>" + "".join(entries) + "</channel></rss>"
    )


def gold_signal(item: Mapping[str, Any]) -> str:
    return "released" if item["signal"] == "release" else str(item["signal"])


def same_forms(values: Any) -> set[str]:
    """Date values with the fall window in one spelling: the labels wrote "fall/autumn" as
    ``-late`` and SPEC writes ``-fall`` (both accepted, data/README.md)."""
    return {str(v).replace("-autumn", "-late").replace("-fall", "-late") for v in values}


def score(
    items: Sequence[Mapping[str, Any]], results: Sequence[Mapping[str, Any]]
) -> dict[str, float]:
    """Issue #16's figures, pairwise over labelled items and ``scan --json`` objects."""
    tp = fp = fn = 0
    alert = {"tp": 0, "fp": 0, "fn": 0}
    signal_ok = signal_n = 0
    dated = {"first": [0, 0], "other": [0, 0]}
    foreign = with_dates = 0
    for item, result in zip(items, results, strict=True):
        gold_terms = set(item["terms"])
        found = {WATCH_NAMES.get(m["watch"], m["watch"]) for m in result.get("matches") or []}
        tp += len(gold_terms & found)
        fp += len(found - gold_terms)
        fn += len(gold_terms - found)
        should, did = gold_signal(item) in ALERTING, bool(result.get("alert"))
        alert["tp"] += should and did
        alert["fp"] += did and not should
        alert["fn"] += should and not did
        if gold_terms:
            signal_n += 1
            signal_ok += (result.get("signal") if found else "none") == gold_signal(item)
        got = same_forms(result.get("dates") or [])
        if gold_signal(item) == "dated":
            group = dated["first" if item["lang"] in FIRST_LANGUAGES else "other"]
            group[1] += 1
            group[0] += same_forms(item["dates"]) <= got
        if got:
            with_dates += 1
            foreign += not got <= same_forms(item["dates"])
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    a_p = alert["tp"] / (alert["tp"] + alert["fp"]) if alert["tp"] + alert["fp"] else 1.0
    a_r = alert["tp"] / (alert["tp"] + alert["fn"]) if alert["tp"] + alert["fn"] else 1.0
    all_found = dated["first"][0] + dated["other"][0]
    all_dated = dated["first"][1] + dated["other"][1]
    return {
        "items": float(len(items)),
        "term_precision": precision,
        "term_recall": recall,
        "term_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "alert_precision": a_p,
        "alert_recall": a_r,
        "signal_accuracy": signal_ok / signal_n if signal_n else 1.0,
        "dates_found": all_found / all_dated if all_dated else 1.0,
        "dates_found_en_fr": dated["first"][0] / dated["first"][1] if dated["first"][1] else 1.0,
        "dates_found_other": dated["other"][0] / dated["other"][1] if dated["other"][1] else 1.0,
        "dates_not_its_own": foreign / with_dates if with_dates else 0.0,
    }
