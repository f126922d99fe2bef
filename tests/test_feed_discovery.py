"""Feed discovery: a site's page that names its feed is followed to it, once, under the
fetcher's rules, on real sockets (a local HTTP server) and through the real command line."""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from monitor.errors import FetchError
from monitor.feed_discovery import feed_link_in_page, fetch_feed, is_html_page
from monitor.fetcher import Fetcher, FetchResult
from tests.conftest import REPO, LocalServer, run_cli, write_config

FEED = (REPO / "monitor" / "demo_feeds" / "actu-ia.xml").read_bytes()
PAGE = """<!DOCTYPE html>
<html><head><title>Actu IA</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" hreflang="fr" href="/fr/">
<link rel="alternate" type="application/rss+xml" title="Actu IA" href="{href}">
<link rel="alternate" type="application/atom+xml" href="/atom.xml">
</head><body><h1>Actu IA</h1></body></html>"""

BASE = "https://site.example/blog/"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<link rel="alternate" type="application/rss+xml" href="/feed">', BASE[:-6] + "/feed"),
        ("<link rel='alternate' type='application/atom+xml' href='atom.xml'>", BASE + "atom.xml"),
        (
            '<LINK TYPE="application/feed+json" HREF="https://cdn.example/f.json" REL="alternate">',
            "https://cdn.example/f.json",
        ),
        (  # entities in the href, and a fragment dropped
            '<link rel="alternate" type="application/rss+xml" href="/f?a=1&amp;b=2#top">',
            "https://site.example/f?a=1&b=2",
        ),
        (  # the first feed wins; a non-feed alternate before it is passed over
            (
                '<link rel="alternate" hreflang="en" href="/en/">'
                '<link rel="alternate" type="application/atom+xml" href="/a.xml">'
                '<link rel="alternate" type="application/rss+xml" href="/r.xml">'
            ),
            "https://site.example/a.xml",
        ),
        (  # a candidate we may not fetch is skipped for the next one
            (
                '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
                '<link rel="alternate" type="application/rss+xml" href="ftp://x.example/f">'
                '<link rel="alternate" type="application/rss+xml" href="http://u:p@x.example/f">'
                '<link rel="alternate" type="application/rss+xml" href="/ok.xml">'
            ),
            "https://site.example/ok.xml",
        ),
        (  # unquoted values, a rel list, a type with parameters
            "<link rel='alternate feed' type=application/rss+xml;charset=utf-8 href=/r.xml>",
            "https://site.example/r.xml",
        ),
        ('<link rel="stylesheet" type="application/rss+xml" href="/no.xml">', None),
        ('<linkage rel="alternate" type="application/rss+xml" href="/no.xml">', None),
        ('<a rel="alternate" type="application/rss+xml" href="/no.xml">', None),
        ("<p>no links</p>", None),
    ],
)
def test_the_feed_a_page_names(head: str, expected: str | None) -> None:
    page = f"<!doctype html><html><head>{head}</head></html>".encode()
    assert feed_link_in_page(BASE, page) == expected


@pytest.mark.parametrize(
    "page",
    [
        b"<html>" + b"<link rel=alternate " * 3400,  # tags never closed
        b"<html><link " + b"rel=alternate " * 4600 + b">",
        b"<html><link " + b"a" * 65000 + b">",  # one endless attribute name
        b"<html><link " + b"a-" * 32000 + b">",
        b"<html><link " + b'href="x ' * 8000 + b">",  # quotes never closed
        b"<html>" + b"<link type=application/rss+xml rel=alternate>" * 1400,
    ],
)
def test_a_hostile_page_is_read_in_linear_time(page: bytes) -> None:
    """Discovery runs in the daemon's own process: no page may hold its event loop."""
    started = time.perf_counter()
    assert feed_link_in_page(BASE, page) is None
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"<!DOCTYPE html><html></html>", "text/html; charset=utf-8", True),
        (b"\n  <html lang='fr'><head></head></html>", "application/octet-stream", True),
        (b"<?xml version='1.0'?><!DOCTYPE html><html></html>", "", True),
        # feeds are not pages, whatever the server calls them
        (b"<?xml version='1.0'?><rss version='2.0'></rss>", "text/html", False),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "text/html", False),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "text/html", False),
        (b"<?xml version='1.0'?><rss version='2.0'></rss>", "application/rss+xml", False),
    ],
)
def test_what_counts_as_a_page(body: bytes, content_type: str, expected: bool) -> None:
    assert is_html_page(body, {"Content-Type": content_type}) is expected


# -- on the wire -----------------------------------------------------------------------------


def discover(url: str) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher() as fetcher:
            return await fetch_feed(fetcher, url)

    return asyncio.run(go())


@pytest.fixture
def server() -> Iterator[HTTPServer]:
    srv = HTTPServer(host="127.0.0.1", port=0)
    srv.start()
    yield srv
    srv.clear()
    srv.stop()


@pytest.fixture
def canary() -> Iterator[tuple[str, list[str]]]:
    """A feed on 127.0.0.2, a private address no configured URL names: must never be hit."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(FEED)))
            self.end_headers()
            self.wfile.write(FEED)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.2", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.2:{srv.server_address[1]}", hits
    srv.shutdown()
    srv.server_close()


def test_a_page_is_followed_to_its_feed(
    server: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.expect_ordered_request("/blog/").respond_with_data(
        PAGE.format(href="../feed.xml"), content_type="text/html"
    )
    server.expect_ordered_request("/feed.xml").respond_with_data(
        FEED, content_type="application/rss+xml"
    )
    page, feed = server.url_for("/blog/"), server.url_for("/feed.xml")
    with caplog.at_level("INFO", logger="monitor.feed_discovery"):
        result = discover(page)
    assert result.content == FEED and result.url == feed
    # the daemon moves to the feed (feed_state rule 4): its validators go to it, not the page
    assert (result.permanent_redirect, result.discovered_in) == (feed, page)
    assert [r.path for r, _ in server.log] == ["/blog/", "/feed.xml"]
    lines = [r.getMessage() for r in caplog.records if r.name == "monitor.feed_discovery"]
    assert lines == [f"feed found in page page={page} feed={feed}"]


def test_a_feed_is_not_searched_for_again(server: HTTPServer) -> None:
    """One hop: a 'feed' that is a page again goes to the parser as it is."""
    again = PAGE.format(href="/third.xml")
    server.expect_request("/a").respond_with_data(PAGE.format(href="/b"), content_type="text/html")
    server.expect_request("/b").respond_with_data(again, content_type="text/html")
    result = discover(server.url_for("/a"))
    assert result.content == again.encode()
    assert [r.path for r, _ in server.log] == ["/a", "/b"]


def test_a_feed_is_fetched_as_it_is(server: HTTPServer) -> None:
    server.expect_request("/feed.xml").respond_with_data(FEED, content_type="text/html")
    result = discover(server.url_for("/feed.xml"))
    assert result.content == FEED
    assert (result.permanent_redirect, result.discovered_in) == (None, None)
    assert len(server.log) == 1


def test_a_page_cannot_send_us_to_a_private_address(
    server: HTTPServer, canary: tuple[str, list[str]]
) -> None:
    """The page's host is trusted (it is the configured one); the feed's host is not."""
    address, hits = canary
    server.expect_request("/").respond_with_data(
        PAGE.format(href=f"{address}/feed.xml"), content_type="text/html"
    )
    with pytest.raises(FetchError) as info:
        discover(server.url_for("/"))
    assert info.value.kind == "blocked_url"
    assert "non-public" in str(info.value)
    assert hits == []


# -- the command line and the daemon ---------------------------------------------------------


def test_scan_follows_a_page_to_its_feed(feed_server: LocalServer) -> None:
    feed_server.serve("/feed.xml", FEED)
    page = feed_server.serve("/", PAGE.format(href="/feed.xml"), content_type="text/html")
    result = run_cli("scan", "--json", page)
    assert result.code == 0, result.err
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert rows[0]["id"] == "actu-ia-2024-0507-mai1" and rows[0]["dates"] == ["2024-05-16"]
    assert f"feed found in page page={page} feed={feed_server.url('/feed.xml')}" in result.err


def test_the_daemon_moves_to_the_feed_a_page_names(
    tmp_path: Path, feed_server: LocalServer
) -> None:
    """A site's address in [[feed]] is polled through its page once; from then on the feed is
    fetched directly, with its own validators."""
    feed = feed_server.serve("/feed.xml", FEED)
    page = feed_server.serve("/", PAGE.format(href="/feed.xml"), content_type="text/html")
    config = write_config(
        tmp_path / "monitor.toml", database=f"sqlite:///{tmp_path / 'm.db'}", feeds=[page]
    )
    feed_server.routes["/feed.xml"].headers["ETag"] = '"v1"'
    first = run_cli("run", "--once", "--config", str(config))
    assert first.code == 0, first.err
    assert f"feed found in page page={page} feed={feed}" in first.err
    assert f"feed polled url={page} items=3" in first.err
    assert f"feed moved permanently url={page} from={page} new_url={feed}" in first.err
    second = run_cli("run", "--once", "--config", str(config))
    assert second.code == 0, second.err
    assert "feed found in page" not in second.err
    assert len(feed_server.hits("/")) == 1
    assert [r.headers.get("if-none-match") for r in feed_server.hits("/feed.xml")] == [
        None,
        '"v1"',
    ]
    status = json.loads(run_cli("status", "--json", "--config", str(config)).out)
    assert [f["health"] for f in status["feeds"]] == ["ok"]
