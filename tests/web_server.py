"""The daemon's listener, started as the daemon starts it, on 127.0.0.1 in a thread of its
own: the web tests and the browser tests read a database that ``monitor run --once`` filled
from local feeds."""

from __future__ import annotations

import asyncio
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from monitor.analysis import Rules
from monitor.settings import Settings, load_settings
from monitor.store import Store, make_engine
from monitor.web.health import DaemonStatus, Metrics
from monitor.web.server import Daemon, WebServer


class WebThread:
    """``WebServer`` on its own event loop; ``url(path)`` addresses it."""

    def __init__(self, settings: Settings, *, status: DaemonStatus | None = None) -> None:
        self.engine = make_engine(settings.database_url)
        rules = Rules.load(settings)
        self.status = status or DaemonStatus(summary="feeds 1 ok")
        daemon = Daemon(
            lambda: settings,
            Store(self.engine),
            lambda: rules,
            Metrics(),
            self.status,
            lambda: True,
        )
        self.loop = asyncio.new_event_loop()
        self.server = WebServer(daemon, "127.0.0.1", 0)
        started = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(self.server.start())
            started.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert started.wait(30)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.port}{path}"

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.close(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)
        self.loop.close()
        self.engine.dispose()


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    text: str


def get(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None) -> Page:
    """One request, any status; redirects are not followed (the token's 303 is read)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=30) as response:
            return Page(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as exc:
        return Page(exc.code, dict(exc.headers), exc.read().decode())


def settings_of(config: Path) -> Settings:
    return load_settings(str(config), env={})
