"""The daemon's HTTP listener (aiohttp.web): ``/healthz``, ``/metrics``, ``/calendar.ics``
and the dashboard's pages (``monitor.web.pages``).

Safety, in the order a request meets it:
1. It listens on 127.0.0.1 unless ``[http] listen`` says otherwise, and elsewhere only with
   ``[http] token`` (``monitor.settings`` refuses to start without one).
2. Without a token, only loopback host names are answered (no DNS rebinding); a form
   posted from another origin is refused either way.
3. With a token, every path but ``/healthz`` wants it: ``Authorization: Bearer``, or the
   cookie that ``/?token=...`` sets once (then the address bar loses it).
4. Every answer carries a Content-Security-Policy that allows nothing from elsewhere, no
   script at all, and no framing.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Middleware

from monitor.web.health import DaemonStatus, Metrics, healthz_body
from monitor.web.pages import Pages

if TYPE_CHECKING:
    from monitor.analysis import Rules
    from monitor.settings import Settings
    from monitor.store import Store

log = logging.getLogger(__name__)

COOKIE = "monitor_token"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    # not no-referrer: a browser then sends "Origin: null" with our own forms
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
OPEN_PATHS = frozenset({"/healthz"})
PAGES: web.AppKey[Pages] = web.AppKey("pages")
TOKEN: web.AppKey[str | None] = web.AppKey("token")


@dataclass
class Daemon:
    """What the listener needs of the daemon: its settings and rules (as reloaded), its store
    and its own state."""

    settings: Callable[[], Settings]
    store: Store
    rules: Callable[[], Rules]
    metrics: Metrics
    status: DaemonStatus
    alive: Callable[[], bool]


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def make_app(daemon: Daemon, *, token: str | None = None) -> web.Application:
    app = web.Application(
        middlewares=[_headers, _same_site, _guard(token)],
        client_max_size=64 * 1024,  # the preview's form is the largest body we take
    )
    app[TOKEN] = token
    pages = app[PAGES] = Pages(daemon)

    async def healthz(_: web.Request) -> web.Response:
        code, ctype, body = healthz_body(daemon.alive(), {"summary": daemon.status.summary})
        return web.Response(status=code, body=body, content_type=ctype)

    async def metrics(_: web.Request) -> web.Response:
        body = daemon.metrics.render()
        return web.Response(body=body, headers={"Content-Type": "text/plain; version=0.0.4"})

    async def calendar(_: web.Request) -> web.Response:
        from monitor.calendar import calendar_text

        text = await asyncio.to_thread(calendar_text, daemon.store)
        return web.Response(text=text, content_type="text/calendar", charset="utf-8")

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/calendar.ics", calendar)
    pages.add_routes(app.router)
    app.on_cleanup.append(pages.close)
    return app


@web.middleware
async def _headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
    response.headers.update(HEADERS)
    if response.content_type == "text/html":
        response.headers["Cache-Control"] = "no-store"
    if isinstance(response, web.HTTPException):
        raise response
    return response


LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


@web.middleware
async def _same_site(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Without a token the pages trust the loopback interface, so a page elsewhere must not
    reach them through the user's browser: a Host that is not a loopback name is a DNS
    rebinding, and a form posted from another origin is refused."""
    token = request.app[TOKEN]
    if token is None and request.path not in OPEN_PATHS:
        host = (request.url.host or "").strip("[]").lower()
        if host not in LOOPBACK_NAMES and not host.startswith("127."):
            raise web.HTTPMisdirectedRequest(text="this dashboard answers on 127.0.0.1 only\n")
    origin = request.headers.get("Origin")
    # the host only: behind a TLS proxy the browser says https, the proxy asks http
    if request.method == "POST" and origin is not None and urlsplit(origin).netloc != request.host:
        raise web.HTTPForbidden(text="a form from another site\n")
    return await handler(request)


def _guard(token: str | None) -> Middleware:
    """The token check (none without a token: the listener is on the loopback interface)."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if token is None or request.path in OPEN_PATHS:
            return await handler(request)
        given = request.query.get("token")
        if given is not None and _same(given, token):
            # once: the cookie carries it from now on, the URL (history, logs) loses it
            query = {k: v for k, v in request.query.items() if k != "token"}
            response = web.HTTPSeeOther(request.rel_url.with_query(query).path_qs)
            response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/")
            raise response
        bearer = request.headers.get("Authorization", "")
        shown = bearer[7:] if bearer.startswith("Bearer ") else request.cookies.get(COOKIE, "")
        if not _same(shown, token):
            raise web.HTTPUnauthorized(
                text="a token is needed: open /?token=... once, or send Authorization: Bearer\n",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return await handler(request)

    return guard


def _same(given: str, token: str) -> bool:
    return hmac.compare_digest(given.encode(), token.encode())


class WebServer:
    """The listener on the daemon's event loop; ``port`` is the real one once started."""

    def __init__(self, daemon: Daemon, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.runner = web.AppRunner(
            make_app(daemon, token=daemon.settings().http_token),
            access_log=None,  # one line per page view would drown the daemon's log
            handle_signals=False,
            shutdown_timeout=2,
        )

    async def start(self) -> None:
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.host, self.port)
        await site.start()
        self.port = self.runner.addresses[0][1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        log.info("health endpoint listening on http://%s:%d/healthz", host, self.port)
        log.info("dashboard on http://%s:%d/", host, self.port)

    async def close(self) -> None:
        await self.runner.cleanup()


def listen_address(listen: str) -> tuple[str, int]:
    """``[http] listen`` as (host, port); an empty host is the loopback interface."""
    host, _, port = listen.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)
