"""Read-only commands over the database: alerts, status, replay, calendar.

They never create, migrate or write the database: one that is missing or not migrated is
a one-line error (exit 3) that says which command makes it.

They print for people by default and JSON for scripts; secrets never appear (targets are
shown by name only).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import make_url

from monitor import alerting
from monitor.analysis import Rules, analyse
from monitor.calendar import calendar_text
from monitor.model import Item
from monitor.redact import redact_url, redact_urls_in
from monitor.settings import Settings
from monitor.store import Store, make_engine
from monitor.store.engine import check_current, running_daemons


@contextmanager
def _store(settings: Settings) -> Iterator[Store]:
    """The database as it is: these commands never create, migrate or write it (#18)."""
    engine = make_engine(settings.database_url, create=False)
    try:
        check_current(engine)
        yield Store(engine)
    finally:
        engine.dispose()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def alerts(settings: Settings, *, as_json: bool, limit: int, out: TextIO) -> int:
    with _store(settings) as store:
        rows = store.recent_alerts(limit)
        sources = {a.id: store.story_sources(a.story_id, a.item_id) for a, _ in rows}
    for alert, deliveries in rows:
        record: dict[str, Any] = {
            "id": alert.id,
            "watch": alert.watch,
            "signal": alert.signal,
            "rumored": alert.rumored,
            "confirmed": alert.official,
            "dates": alert.dates or [],
            "title": alert.title,
            "link": alert.link,
            "term": alert.term,
            "evidence": alert.evidence,
            "change": alert.change,
            "sources": [{"name": n, "link": link} for n, link in sources[alert.id]],
            "created": _iso(alert.created_at),
            "deliveries": [
                {
                    "target": d.target,
                    "state": d.state,
                    "attempts": d.attempts,
                    "last_error": d.last_error,
                    "delivered": _iso(d.delivered_at),
                    "digest": d.digest,
                }
                for d in deliveries
            ],
        }
        if as_json:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            continue
        when = f" {', '.join(record['dates'])}" if record["dates"] else ""
        hedge = " (rumored)" if alert.rumored else ""
        out.write(
            f"#{alert.id} {_iso(alert.created_at)}  {alert.watch}: {alert.signal}{hedge}{when}\n"
        )
        if alert.change:
            out.write(f"    {alert.change}\n")
        out.write(f"    {alert.title}\n    {alert.link or ''}\n")
        names = ", ".join(s["name"] for s in record["sources"])
        out.write(f"    sources: {names or '-'}\n")
        states = (
            ", ".join(f"{d['target']}={d['state']}" for d in record["deliveries"]) or "log only"
        )
        out.write(f"    delivery: {states}\n")
    if not rows and not as_json:
        out.write("no alerts yet\n")
    return 0


def _feed_health(feed: Any) -> str:
    if feed.disabled:
        return "disabled"
    if feed.error_count:
        return f"failing since {_iso(feed.failing_since)}"
    return "ok" if feed.last_success_at else "new"


def _database_size(settings: Settings, store: Store) -> int | None:
    url = make_url(store.engine.url)
    if url.get_backend_name() == "sqlite" and url.database:
        files = [Path(url.database + suffix) for suffix in ("", "-wal")]
        return sum(f.stat().st_size for f in files if f.exists())
    from sqlalchemy import text

    with store.engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())


def _pid(daemons: list[str]) -> int | None:
    pid = daemons[0].rsplit(" ", 1)[-1] if daemons else ""
    return int(pid) if pid.isdigit() else None


def _failing_too_long(feed: Any, settings: Settings, now: datetime) -> bool:
    """Failing for longer than ``[fetch] failing_alert_after`` (see monitor.feed_state)."""
    since = feed.failing_since
    return bool(
        feed.error_count
        and not feed.disabled
        and since is not None
        and (now - since).total_seconds() >= settings.failing_alert_after
    )


def status(settings: Settings, *, as_json: bool, out: TextIO) -> int:
    with _store(settings) as store:
        feeds = store.feeds()
        counts = store.delivery_counts()
        size = _database_size(settings, store)
        daemons = running_daemons(store.engine)
    configured = {f.url for f in settings.feeds}
    now = datetime.now(UTC)
    records: list[dict[str, Any]] = [
        {
            "url": redact_url(f.url),
            "name": f.name or f.title,
            "health": _feed_health(f),
            "configured": f.url in configured,
            "last_fetch": _iso(f.last_fetch_at),
            "last_success": _iso(f.last_success_at),
            "status": f.last_status,
            "items_seen": f.items_seen,
            "failures": f.error_count,
            "last_error": (
                redact_urls_in(f"{f.error_kind}: {f.last_error}") if f.error_kind else None
            ),
            "next_poll": _iso(f.next_poll_at),
            "failing_too_long": _failing_too_long(f, settings, now),
            "moved_to": redact_url(f.moved_to) if f.moved_to else None,
        }
        for f in feeds
    ]
    last_cycle = max((f.last_fetch_at for f in feeds if f.last_fetch_at), default=None)
    summary = {
        "feeds": len(records),
        "feeds_ok": sum(r["health"] == "ok" for r in records),
        "feeds_failing": sum(r["health"].startswith("failing") for r in records),
        "feeds_disabled": sum(r["health"] == "disabled" for r in records),
        "feeds_failing_too_long": sum(r["failing_too_long"] for r in records),
        "last_fetch": _iso(last_cycle),
        "deliveries_pending": counts.get("pending", 0),
        "deliveries_failed": counts.get("failed", 0),
        "deliveries_delivered": counts.get("delivered", 0),
        "database_bytes": size,
        # the daemons using this database ("host pid"); pid: the first one's, or null
        "daemon_running": bool(daemons),
        "daemons": daemons,
        "pid": _pid(daemons),
    }
    if as_json:
        out.write(json.dumps({"summary": summary, "feeds": records}, ensure_ascii=False) + "\n")
        return 0
    out.write(
        f"feeds: {summary['feeds']} ({summary['feeds_ok']} ok, {summary['feeds_failing']} failing, "
        f"{summary['feeds_disabled']} disabled); last fetch {summary['last_fetch'] or 'never'}\n"
        f"deliveries: {summary['deliveries_pending']} pending, {summary['deliveries_failed']} failed, "
        f"{summary['deliveries_delivered']} delivered; database {size or 0} bytes\n"
        f"daemon: {'running (' + ', '.join(daemons) + ')' if daemons else 'not running'}\n\n"
    )
    for r in records:
        out.write(f"{r['health']:<10} {r['name'] or r['url']}\n    {r['url']}\n")
        out.write(
            f"    last fetch {r['last_fetch'] or 'never'} (HTTP {r['status'] or '-'}), "
            f"{r['items_seen']} items seen, next poll {r['next_poll'] or 'now'}\n"
        )
        if r["moved_to"]:
            out.write(f"    moved permanently; fetched from {r['moved_to']}\n")
        if r["last_error"]:
            out.write(f"    last error: {r['last_error']} ({r['failures']} in a row)\n")
        if r["failing_too_long"]:
            out.write("    failing for longer than [fetch] failing_alert_after: check this feed\n")
    return 0


def replay(settings: Settings, since: datetime, *, out: TextIO) -> int:
    """Stored items since ``since`` through the current watchlists; nothing is sent.

    Each item is decided as the daemon decided it when it first saw it (``analyse`` with
    that moment as now, the feed's ``official`` and ``[alerts] max_age``), then weighed
    against what its story would have alerted before it in this replay (``alerting.decide``),
    so a story told by ten feeds would alert once, as it does in the daemon.
    """
    rules = Rules.load(settings)
    with _store(settings) as store:
        rows = store.items_since(since)
        before = store.alerted_watches([row.id for row, _, _ in rows])
    would = changed = 0
    stories = alerting.StoryPriors()
    for row, feed, official in rows:
        item = Item(
            key=row.item_key,
            title=row.title,
            link=row.link,
            guid=row.guid,
            summary=row.summary,
            published=row.published_at,
            language=row.language,
        )
        analysis = analyse(
            item, rules, official=official, now=row.first_seen_at, max_age=settings.alert_max_age
        )
        was = before.get(row.id, set())
        now_alerting = set()
        for d in analysis.alerting():
            story = row.story_id if row.story_id is not None else -row.id
            alert_on = rules.watches[d.watch].alert_on
            decision = stories.decide(d.watch, d.classification, alert_on, story)
            if decision is None:
                out.write(
                    f"same story already alerted: {d.watch}: {d.why} — {row.title} [{feed}]\n"
                )
                continue
            now_alerting.add(d.watch)
            mark = "would alert" if d.watch in was else "would alert (new)"
            what = decision.change or d.why
            out.write(f"{mark}: {d.watch}: {what} — {row.title} [{feed}]\n")
            would += 1
            changed += d.watch not in was
        for watch_name in sorted(was - now_alerting):
            out.write(f"would no longer alert: {watch_name} — {row.title} [{feed}]\n")
            changed += 1
    out.write(
        f"{len(rows)} items since {since.isoformat(timespec='seconds')}: "
        f"{would} would alert, {changed} differ from what was alerted\n"
    )
    return 0


def calendar(settings: Settings, *, output: str | None, out: TextIO) -> int:
    with _store(settings) as store:
        text = calendar_text(store)
    if output:
        Path(output).write_text(text, encoding="utf-8", newline="")
    else:
        out.write(text)
    return 0
