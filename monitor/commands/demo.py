"""`monitor demo`: the whole daemon, offline, on bundled sample feeds.

Serves ``demo_feeds/`` on 127.0.0.1, runs one real cycle (fetch, parse, match, classify,
store in a temporary SQLite database, alert) with the bundled watchlists, and prints the
alerts as a person would receive them. Nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO

from monitor import logs
from monitor.daemon.scheduler import Daemon
from monitor.delivery.notifier import render
from monitor.delivery.outbox import alert_view
from monitor.settings import BUNDLED_WATCHLISTS, FeedConfig, Settings

DEMO_FEEDS = Path(__file__).resolve().parents[1] / "demo_feeds"
FEEDS = (
    ("actu-ia.xml", "Actu IA", False),
    ("tech-wire.xml", "Tech Wire", False),
    ("vendor-news.xml", "Vendor Newsroom", True),
)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def demo(out: TextIO) -> int:
    handler = partial(_QuietHandler, directory=str(DEMO_FEEDS))
    with (
        ThreadingHTTPServer(("127.0.0.1", 0), handler) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        settings = Settings(
            source=None,
            database_url=f"sqlite:///{Path(tmp) / 'demo.db'}",
            watchlist_paths=(BUNDLED_WATCHLISTS,),
            feeds=tuple(
                FeedConfig(f"{base}/{name}", label, None, official)
                for name, label, official in FEEDS
            ),
            alert_max_age=None,  # the sample news is from 2024 and 2025
            concurrency=1,  # the feeds in order: the same alerts on every run
            watch_feeds=False,  # offline: no search feeds
        )
        logs.setup("WARNING")
        out.write(f"newsmonitor demo: {len(FEEDS)} sample feeds served on {base}\n")
        out.write(f"watchlists: {BUNDLED_WATCHLISTS}\n\n")
        daemon = Daemon(settings)
        reports = asyncio.run(daemon.run_once())
        daemon = Daemon(settings)  # a fresh engine: run_once disposed the first one
        alerts = daemon.store.recent_alerts(100)
        for alert, _ in reversed(alerts):
            view = alert_view(daemon.store, alert.id)
            if view is None:
                continue
            message = render(view, email=False)
            out.write(f"🔔 {message.title}\n")
            out.writelines(
                f"   {line.replace('**', '')}\n" for line in message.body.splitlines()[1:]
            )
            if len(view.sources) > 1:
                out.write(f"   also reported by: {', '.join(n for n, _ in view.sources[1:])}\n")
            out.write("\n")
        daemon.engine.dispose()
        items = sum(r.items for r in reports)
        out.write(
            f"{items} items in {len(reports)} feeds → {len(alerts)} alerts "
            "(one per watch and story; repeats and non-news were left out).\n"
            "Try: monitor scan --json <feed file or URL>   to see every item's signal and dates.\n"
        )
    logging.shutdown()
    return 0
