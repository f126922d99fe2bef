"""The dashboard's pages: alerts, a watch, feeds, preview; server-rendered with Jinja2.

A page is its queries and its rendering, both in a thread (``asyncio.to_thread``): the
daemon's event loop never waits on the database or a template. Templates autoescape, so
item text (titles, evidence, errors) reaches the page as text, never as markup.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import TYPE_CHECKING, Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape

from monitor.analysis import describe
from monitor.model import Signal
from monitor.web import present, queries
from monitor.web.preview import MAX_DAYS, MAX_TEXT, Previewer, PreviewRequest
from monitor.web.timeline import layout

if TYPE_CHECKING:
    from monitor.web.server import Daemon

DEFAULT_DAYS = 7.0
EXAMPLE_WATCH = """name: GPT-5
terms: [GPT-5]
aliases: [GPT 5, GPT5]
context:
  words: [OpenAI, ChatGPT, model]
  within: 12
exclude: [GPT-5.1]
"""


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("monitor.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        when=present.when,
        safe_url=present.safe_url,
        href=present.link_href,
        label=present.label,
        scrub=present.scrub,
        mark=present.mark_evidence,
        seconds=present.seconds,
    )
    env.globals.update(delivery_state=present.delivery_state)
    return env


class Pages:
    def __init__(self, daemon: Daemon) -> None:
        self.daemon = daemon
        self.env = _environment()
        self.engine = queries.read_engine(daemon.settings().database_url)
        self.previewer = Previewer()
        static = resources.files("monitor.web").joinpath("static")
        self.css = static.joinpath("style.css").read_bytes()
        self.icon_svg = static.joinpath("icon.svg").read_bytes()

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/", self.alerts)
        router.add_get("/watch/{name}", self.watch)
        router.add_get("/feeds", self.feeds)
        router.add_get("/preview", self.preview_form)
        router.add_post("/preview", self.preview)
        router.add_get("/static/style.css", self.style)
        router.add_get("/favicon.ico", self.icon)

    async def close(self, _: web.Application) -> None:
        self.previewer.close()
        self.engine.dispose()

    # -- handlers

    async def alerts(self, request: web.Request) -> web.Response:
        page = _int(request.query.get("page"), 1, low=1, high=100_000)
        return await self._page("alerts.html", self._alerts, page)

    async def watch(self, request: web.Request) -> web.Response:
        return await self._page("watch.html", self._watch, request.match_info["name"])

    async def feeds(self, request: web.Request) -> web.Response:
        sort = request.query.get("sort", "health")
        sort = sort if sort in queries.FEED_ORDERS else "health"
        descending = request.query.get("desc") == "1"
        return await self._page("feeds.html", self._feeds, sort, descending)

    async def preview_form(self, _: web.Request) -> web.Response:
        # the worker starts while the user writes: the first preview does not pay for it
        since = datetime.now(UTC) - timedelta(days=DEFAULT_DAYS)
        warming = self.previewer.warm(self.daemon.settings().database_url, since)
        asyncio.create_task(warming)  # noqa: RUF006 -- ends by itself, bounded in time
        return await self._page("preview.html", self._form, EXAMPLE_WATCH, DEFAULT_DAYS, None)

    async def preview(self, request: web.Request) -> web.Response:
        form = await request.post()
        text = str(form.get("watch", ""))[: MAX_TEXT + 1]
        days = min(_float(form.get("days"), DEFAULT_DAYS), MAX_DAYS)
        settings = self.daemon.settings()
        result = await self.previewer.preview(
            PreviewRequest(
                text=text,
                days=days,
                database_url=settings.database_url,
                targets=settings.target_names(),
                searches=settings.search_names(),
                max_age=settings.alert_max_age,
                now=datetime.now(UTC),
            )
        )
        return await self._page("preview.html", self._form, text, days, result)

    async def style(self, _: web.Request) -> web.Response:
        return web.Response(
            body=self.css, content_type="text/css", headers={"Cache-Control": "max-age=3600"}
        )

    async def icon(self, _: web.Request) -> web.Response:
        return web.Response(
            body=self.icon_svg,
            content_type="image/svg+xml",
            headers={"Cache-Control": "max-age=86400"},
        )

    # -- what each page shows (in a thread)

    async def _page(self, template: str, build: Any, *args: Any) -> web.Response:
        html = await asyncio.to_thread(self._render, template, build, *args)
        return web.Response(text=html, content_type="text/html", charset="utf-8")

    def _render(self, template: str, build: Any, *args: Any) -> str:
        context = build(*args)
        return self.env.get_template(template).render(strip=self._strip(), **context)

    def _strip(self) -> dict[str, Any]:
        """The status strip: daemon up since, cycle time, pending deliveries, last error."""
        status = self.daemon.status
        overview = queries.overview(self.engine)
        errors = []  # the daemon's own and the latest feed's, the newer shown
        if status.last_error:
            errors.append((status.last_error_at, status.last_error))
        if overview.last_feed_error:
            label, text, at = overview.last_feed_error
            errors.append((at, f"{present.label(label)}: {text}"))
        error = None
        if errors:
            at, text = max(errors, key=lambda e: e[0] or status.started_at)
            error = (present.when(at), present.scrub(text))
        up = (datetime.now(UTC) - status.started_at).total_seconds()
        return {
            "since": present.when(status.started_at),
            "up": present.ago(up),
            "cycle": None
            if status.cycle_seconds is None
            else present.seconds(status.cycle_seconds),
            "overview": overview,
            "error": error,
            "watches": [w.name for w in self.daemon.rules().watchlists.watches],
        }

    def _alerts(self, page: int) -> dict[str, Any]:
        alerts, total = queries.alerts_page(self.engine, page - 1)
        pages = max(1, -(-total // queries.PER_PAGE))
        return {"alerts": alerts, "page": page, "pages": pages, "total": total}

    def _watch(self, name: str) -> dict[str, Any]:
        watch = self.daemon.rules().watches.get(name)
        claims = queries.claims(self.engine, name)
        matches = queries.watch_matches(self.engine, name)
        if watch is None and not claims and not matches:
            raise web.HTTPNotFound(text=f"no watch called {name!r}\n")
        rows = []
        for m in matches:
            what = describe(Signal(m.signal), m.rumored, m.dates)
            if m.alerted:
                decision, why = "alert", m.change or what
            elif watch is not None and Signal(m.signal) not in watch.alert_on:
                decision = "no alert"
                why = what if m.signal == "mention" else f"{what}: signal not in alert_on"
            elif m.story_alerted:
                decision, why = "no alert", f"{what}: same story already alerted"
            else:
                decision, why = "no alert", f"{what}: older than max_age"
            rows.append((m, decision, why))
        return {"name": name, "chart": layout(claims), "claims": claims, "rows": rows}

    def _feeds(self, sort: str, descending: bool) -> dict[str, Any]:
        rows = queries.feeds(self.engine, sort=sort, descending=descending)
        return {"feeds": rows, "sort": sort, "desc": descending, "columns": queries.FEED_ORDERS}

    def _form(self, text: str, days: float, result: Any) -> dict[str, Any]:
        return {"text": text, "days": days, "result": result, "max_days": MAX_DAYS}


def _int(value: str | None, default: int, *, low: int, high: int) -> int:
    try:
        return min(max(int(value or default), low), high)
    except ValueError:
        return default


def _float(value: Any, default: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default
