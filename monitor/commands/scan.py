"""`monitor scan`: parse, match and classify feeds from files or URLs; no database, no alerts.

Output contract (SPEC "monitor scan --json"): one JSON object per feed item, in feed order,
with id, title, link, published, matches, signal, rumored, dates, evidence, alert, and
``watches``: the decision per matched watch, taken by ``monitor.analysis.analyse`` as the
daemon takes it. ``scan`` reads what an item says whatever its age: ``[alerts] max_age``
and what a story already alerted are the daemon's and ``replay``'s.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from monitor import parser
from monitor.analysis import Analysis, Rules, analyse
from monitor.errors import FeedError, MonitorError
from monitor.feed_discovery import fetch_feed
from monitor.fetcher import Fetcher
from monitor.parser import ParsedFeed
from monitor.settings import Settings

log = logging.getLogger(__name__)

_TYPES = {".json": "application/feed+json", ".atom": "application/atom+xml"}


def scan(
    sources: Sequence[str],
    watchlists: Sequence[Path],
    settings: Settings,
    *,
    as_json: bool,
    out: TextIO,
) -> int:
    rules = Rules.load(settings, watchlists, check_targets=False)
    failed = 0
    for source in sources:
        try:
            feed = asyncio.run(_load(source, settings))
        except (FeedError, OSError) as exc:
            failed += 1
            kind = exc.kind if isinstance(exc, FeedError) else "unreadable"
            log.error("cannot scan source=%s kind=%s detail=%s", source, kind, exc)
            continue
        for item in feed.items:
            analysis = analyse(item, rules)
            if as_json:
                out.write(json.dumps(result_json(analysis), ensure_ascii=False) + "\n")
            else:
                out.write(result_text(analysis) + "\n")
    return 1 if failed else 0


async def _load(source: str, settings: Settings) -> ParsedFeed:
    if source.startswith(("http://", "https://")):
        async with Fetcher.from_settings(settings) as fetcher:
            result = await fetch_feed(fetcher, source)
        return await parser.parse_in_worker(
            result.url, result.content, result.headers, max_items=None
        )
    path = Path(source)
    size = path.stat().st_size
    if size > settings.max_bytes:
        raise MonitorError(f"{source}: {size} bytes is over the {settings.max_bytes}-byte cap")
    content = path.read_bytes()
    headers = {"content-type": _TYPES.get(path.suffix.lower(), "application/xml")}
    try:
        return await parser.parse_in_worker(
            path.resolve().as_uri(), content, headers, max_items=None
        )
    finally:
        parser.shutdown_parsers()


def result_json(a: Analysis) -> dict[str, Any]:
    best = a.strongest()
    item = a.item
    return {
        "id": item.guid or item.link or item.key,
        "title": item.title,
        "link": item.link,
        "published": item.published.isoformat() if item.published else None,
        "matches": [
            {"watch": m.watch, "term": m.term, "span": [m.start, m.end]} for m in a.first_matches()
        ],
        "signal": best.signal.value if best else None,
        "rumored": best.rumored if best else False,
        "dates": list(best.dates) if best else [],
        "evidence": best.evidence if best else "",
        "alert": bool(a.alerting()),
        "watches": [d.as_json() for d in a.decisions],
    }


def result_text(a: Analysis) -> str:
    if not a.decisions:
        return f"  ·  {a.item.title}"
    mark = "ALERT" if a.alerting() else "  · "
    lines = [f"{mark} {a.item.title}"]
    for d in a.decisions:
        lines.append(f"        {d.watch}: {d.why}{' → alert' if d.alert else ''}")
        if d.evidence and d.signal.rank > 0:
            lines.append(f"          “{d.evidence}”")
    return "\n".join(lines)
