"""Fetcher against real sockets on 127.0.0.1, asserting on what goes over the wire."""

from __future__ import annotations

import asyncio
import gzip
import http.server
import threading
import time
import tracemalloc
import zlib
from collections.abc import Awaitable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any, TypeVar

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from monitor.errors import FetchError
from monitor.fetcher import FetchCache, Fetcher, FetchResult, parse_retry_after

T = TypeVar("T")
NO_CACHE = FetchCache()
RSS = b'<rss version="2.0"><channel><title>t</title></channel></rss>'


def run(coro: Awaitable[T]) -> T:
    async def main() -> T:
        return await coro

    return asyncio.run(main())


def fetch(url: str, cache: FetchCache = NO_CACHE, **options: Any) -> FetchResult:
    max_bytes = options.pop("max_bytes", None)

    async def go() -> FetchResult:
        async with Fetcher(**options) as fetcher:
            return await fetcher.fetch(url, cache, max_bytes=max_bytes)

    return run(go())


def fetch_error(url: str, **options: Any) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(url, **options)
    return info.value


@pytest.fixture(scope="module")
def shared_server() -> Iterator[HTTPServer]:
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def server(shared_server: HTTPServer) -> Iterator[HTTPServer]:
    shared_server.clear()
    yield shared_server
    shared_server.clear()


@pytest.fixture
def second_loopback() -> Iterator[tuple[str, list[str]]]:
    """A plain server on 127.0.0.2 that records every request it gets (an SSRF canary)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", str(len(RSS)))
            self.end_headers()
            self.wfile.write(RSS)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.2", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.2:{srv.server_address[1]}", hits
    srv.shutdown()
    srv.server_close()


# --------------------------------------------------------------------------- conditional GET


def test_conditional_get_on_the_wire(server: HTTPServer) -> None:
    lm = "Wed, 01 May 2024 10:00:00 GMT"
    server.expect_ordered_request("/feed").respond_with_data(
        RSS, headers={"ETag": '"v1"', "Last-Modified": lm, "Cache-Control": "max-age=300"}
    )
    server.expect_ordered_request(
        "/feed", headers={"If-None-Match": '"v1"', "If-Modified-Since": lm}
    ).respond_with_data("", status=304, headers={"ETag": '"v1"'})
    first = fetch(server.url_for("/feed"))
    assert (first.status, first.content, first.not_modified) == (200, RSS, False)
    assert first.cache == FetchCache('"v1"', lm)
    assert first.retry_after == 300.0
    second = fetch(server.url_for("/feed"), first.cache)
    assert (second.status, second.content, second.not_modified) == (304, b"", True)
    assert second.cache == first.cache
    (req1, _), (req2, _) = server.log
    assert "If-None-Match" not in req1.headers and "If-Modified-Since" not in req1.headers
    assert req2.headers["If-None-Match"] == '"v1"'
    assert req2.headers["If-Modified-Since"] == lm
    assert req1.headers["User-Agent"].startswith("newsmonitor/")
    assert "gzip" in req1.headers["Accept-Encoding"]


def test_304_without_validators_is_an_error(server: HTTPServer) -> None:
    server.expect_request("/always304").respond_with_data("", status=304)
    assert fetch_error(server.url_for("/always304")).kind == "empty"


def test_headers_are_lower_cased(server: HTTPServer) -> None:
    server.expect_request("/h").respond_with_data(RSS, headers={"X-Feed-Thing": "1"})
    result = fetch(server.url_for("/h"))
    assert result.headers["x-feed-thing"] == "1"
    assert all(k == k.lower() for k in result.headers)


def test_no_cookie_is_kept_between_requests(server: HTTPServer) -> None:
    server.expect_request("/a").respond_with_data(RSS, headers={"Set-Cookie": "s=1; Path=/"})
    server.expect_request("/b").respond_with_data(RSS)

    async def go() -> None:
        async with Fetcher() as fetcher:
            await fetcher.fetch(server.url_for("/a"))
            await fetcher.fetch(server.url_for("/b"))

    run(go())
    assert all("Cookie" not in req.headers for req, _ in server.log)


# --------------------------------------------------------------------------- statuses


@pytest.mark.parametrize(
    ("status", "headers", "kind", "retry_after"),
    [
        (404, {}, "http_4xx", None),
        (410, {}, "gone", None),
        (500, {}, "http_5xx", None),
        (503, {}, "http_5xx", None),
        (503, {"Retry-After": "120"}, "rate_limited", 120.0),
        (429, {"Retry-After": "3600"}, "rate_limited", 3600.0),
        (429, {"Retry-After": "-30"}, "rate_limited", None),
        (429, {"Retry-After": "soon-ish"}, "rate_limited", None),
        (429, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, "rate_limited", None),
        (429, {}, "rate_limited", None),
    ],
)
def test_error_statuses(
    server: HTTPServer,
    status: int,
    headers: dict[str, str],
    kind: str,
    retry_after: float | None,
) -> None:
    server.expect_request("/s").respond_with_data("<h1>no</h1>", status=status, headers=headers)
    error = fetch_error(server.url_for("/s"))
    assert (error.kind, error.retry_after) == (kind, retry_after)
    assert error.url == server.url_for("/s")
    assert error.status == status  # the feed row keeps it as its last status


def test_retry_after_http_date(server: HTTPServer) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    server.expect_request("/s").respond_with_data("", status=429, headers={"Retry-After": when})
    error = fetch_error(server.url_for("/s"))
    assert error.kind == "rate_limited"
    assert error.retry_after is not None and 3590 <= error.retry_after <= 3600


def test_parse_retry_after() -> None:
    now = datetime(2024, 5, 16, 12, 0, tzinfo=UTC)
    assert parse_retry_after("0") == 0.0
    assert parse_retry_after(" 42 ") == 42.0
    assert parse_retry_after("Thu, 16 May 2024 12:01:00 GMT", now=now) == 60.0
    assert parse_retry_after("Thu, 16 May 2024 11:00:00 GMT", now=now) is None
    assert parse_retry_after("1.5") is None
    assert parse_retry_after(None) is None


def test_credentials_never_appear_in_errors(server: HTTPServer) -> None:
    server.expect_request("/private").respond_with_data("", status=403)
    url = server.url_for("/private").replace("http://", "http://alice:s3cret@")
    error = fetch_error(url)
    assert error.kind == "http_4xx"
    assert "s3cret" not in str(error) and "s3cret" not in error.url
    assert server.log[0][0].headers["Authorization"].startswith("Basic ")


# --------------------------------------------------------------------------- bodies


def test_gzip_and_deflate_bodies_are_decoded(server: HTTPServer) -> None:
    server.expect_request("/gz").respond_with_data(
        gzip.compress(RSS), headers={"Content-Encoding": "gzip"}
    )
    server.expect_request("/zlib").respond_with_data(
        zlib.compress(RSS), headers={"Content-Encoding": "deflate"}
    )
    raw = zlib.compressobj(wbits=-15)
    server.expect_request("/raw").respond_with_data(
        raw.compress(RSS) + raw.flush(), headers={"Content-Encoding": "deflate"}
    )
    for path in ("/gz", "/zlib", "/raw"):
        assert fetch(server.url_for(path)).content == RSS


@pytest.mark.parametrize("encoding", ["gzip, gzip", "br", "compress", "zstd"])
def test_unsupported_encodings_are_refused(server: HTTPServer, encoding: str) -> None:
    server.expect_request("/e").respond_with_data(b"xx", headers={"Content-Encoding": encoding})
    assert fetch_error(server.url_for("/e")).kind == "bad_encoding"


def test_a_body_that_lies_about_gzip(server: HTTPServer) -> None:
    server.expect_request("/lie").respond_with_data(RSS, headers={"Content-Encoding": "gzip"})
    assert fetch_error(server.url_for("/lie")).kind == "bad_encoding"


def test_truncated_gzip_is_refused(server: HTTPServer) -> None:
    body = gzip.compress(RSS * 100)
    server.expect_request("/t").respond_with_data(
        body[: len(body) // 2], headers={"Content-Encoding": "gzip"}
    )
    assert fetch_error(server.url_for("/t")).kind == "bad_encoding"


def test_gzip_bomb_is_cut_at_the_cap_with_bounded_memory(server: HTTPServer) -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * (1 << 20)
    bomb = b"".join(compressor.compress(block) for _ in range(256)) + compressor.flush()
    assert len(bomb) < 300_000  # 256 MiB once decoded
    server.expect_request("/bomb").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        error = fetch_error(server.url_for("/bomb"), max_bytes=1 << 20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.kind == "too_large"
    assert peak < 16 << 20


def test_content_length_over_the_cap_is_refused(server: HTTPServer) -> None:
    server.expect_request("/big").respond_with_data(b"x" * 200_000)
    error = fetch_error(server.url_for("/big"), max_bytes=100_000)
    assert (error.kind, "Content-Length" in error.detail) == ("too_large", True)


def test_streamed_body_over_the_cap_is_cut(server: HTTPServer) -> None:
    def endless() -> Iterator[bytes]:
        for _ in range(10_000):
            yield b"y" * 65536

    server.expect_request("/stream").respond_with_response(Response(endless()))
    started = time.monotonic()
    error = fetch_error(server.url_for("/stream"), max_bytes=1 << 20)
    assert error.kind == "too_large"
    assert time.monotonic() - started < 5


def test_per_fetch_cap_overrides_the_default(server: HTTPServer) -> None:
    server.expect_request("/f").respond_with_data(RSS)
    assert fetch_error(server.url_for("/f"), max_bytes=10).kind == "too_large"
    assert fetch(server.url_for("/f"), max_bytes=len(RSS)).content == RSS


@pytest.mark.parametrize("body", [b"", b"  \r\n "])
def test_empty_body(server: HTTPServer, body: bytes) -> None:
    server.expect_request("/empty").respond_with_data(body)
    assert fetch_error(server.url_for("/empty")).kind == "empty"


# --------------------------------------------------------------------------- time


def test_total_deadline_cuts_a_drip(server: HTTPServer) -> None:
    def drip() -> Iterator[bytes]:
        for byte in RSS * 100:
            time.sleep(0.2)
            yield bytes([byte])

    server.expect_request("/drip").respond_with_response(Response(drip()))
    started = time.monotonic()
    error = fetch_error(server.url_for("/drip"), timeout=1.0, deadline=1.5)
    elapsed = time.monotonic() - started
    assert error.kind == "timeout"
    assert 1.4 < elapsed < 3.0


def test_read_timeout(server: HTTPServer) -> None:
    def slow(request: Request) -> Response:
        time.sleep(1.5)
        return Response(RSS)

    server.expect_request("/slow").respond_with_handler(slow)
    assert fetch_error(server.url_for("/slow"), timeout=0.5).kind == "timeout"


def test_connection_refused() -> None:
    assert fetch_error("http://127.0.0.1:9/feed").kind == "connect"


# --------------------------------------------------------------------------- redirects


def redirect(server: HTTPServer, path: str, to: str, status: int = 302) -> None:
    server.expect_request(path).respond_with_data("", status=status, headers={"Location": to})


def test_redirects_are_followed(server: HTTPServer) -> None:
    redirect(server, "/a", "/b", 301)
    redirect(server, "/b", "/c", 308)
    redirect(server, "/c", "/d", 302)
    redirect(server, "/d", server.url_for("/feed"), 307)
    server.expect_request("/feed").respond_with_data(RSS)
    result = fetch(server.url_for("/a"))
    assert result.url == server.url_for("/feed")
    assert result.permanent_redirect == server.url_for("/c")
    assert result.content == RSS


def test_temporary_first_hop_means_no_permanent_redirect(server: HTTPServer) -> None:
    redirect(server, "/a", "/b", 302)
    redirect(server, "/b", "/feed", 301)
    server.expect_request("/feed").respond_with_data(RSS)
    assert fetch(server.url_for("/a")).permanent_redirect is None


def test_at_most_five_redirects(server: HTTPServer) -> None:
    for n in range(6):
        redirect(server, f"/r{n}", f"/r{n + 1}")
    server.expect_request("/r6").respond_with_data(RSS)
    assert fetch(server.url_for("/r1")).content == RSS  # five hops
    assert fetch_error(server.url_for("/r0")).kind == "too_many_redirects"  # six


def test_redirect_loop(server: HTTPServer) -> None:
    redirect(server, "/ping", "/pong")
    redirect(server, "/pong", "/ping")
    error = fetch_error(server.url_for("/ping"))
    assert error.kind == "too_many_redirects"
    # a late request of an earlier test on the shared server may be in the log too
    assert len([r for r, _ in server.log if r.path in ("/ping", "/pong")]) == 2


def test_redirect_body_is_never_read(server: HTTPServer) -> None:
    produced = 0

    def huge() -> Iterator[bytes]:
        nonlocal produced
        for _ in range(4096):
            produced += 1 << 16
            yield b"R" * (1 << 16)

    server.expect_request("/r").respond_with_response(
        Response(huge(), status=302, headers={"Location": "/feed"})
    )
    server.expect_request("/feed").respond_with_data(RSS)
    assert fetch(server.url_for("/r")).content == RSS
    assert produced < 64 << 20


@pytest.mark.parametrize(
    "location",
    [
        "file:///etc/hostname",
        "gopher://127.0.0.1:70/",
        "ftp://127.0.0.1/feed.xml",
        "data:application/rss+xml;base64,PHJzcz48L3Jzcz4=",
        "javascript:alert(1)",
        "feed://127.0.0.1/x",
    ],
)
def test_redirect_to_other_schemes_is_blocked(server: HTTPServer, location: str) -> None:
    redirect(server, "/r", location)
    assert fetch_error(server.url_for("/r")).kind == "blocked_url"


def test_redirect_to_another_loopback_host_is_blocked(
    server: HTTPServer, second_loopback: tuple[str, list[str]]
) -> None:
    canary, hits = second_loopback
    port = canary.rsplit(":", 1)[1]
    targets = [
        f"{canary}/x",
        f"http://2130706434:{port}/x",
        f"http://0x7f000002:{port}/x",
        f"http://[::ffff:127.0.0.2]:{port}/x",
        f"http://localhost:{port}/x",
        f"http://news.example.invalid@127.0.0.2:{port}/x",
    ]
    for n, target in enumerate(targets):
        redirect(server, f"/r{n}", target)
        assert fetch_error(server.url_for(f"/r{n}")).kind == "blocked_url", target
    assert hits == []


def test_allow_hosts_widens_the_policy(
    server: HTTPServer, second_loopback: tuple[str, list[str]]
) -> None:
    canary, hits = second_loopback
    redirect(server, "/r", f"{canary}/bridge")
    assert fetch(server.url_for("/r"), allow_hosts=["127.0.0.2"]).content == RSS
    assert hits == ["/bridge"]


def test_the_configured_host_may_be_private(second_loopback: tuple[str, list[str]]) -> None:
    canary, hits = second_loopback
    assert fetch(f"{canary}/direct").content == RSS
    assert hits == ["/direct"]


class FakeDNS:
    """A resolver with fixed answers, so tests can play public and private hosts."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.answers:
            raise OSError(f"no such host {host}")
        return self.answers[host]


def test_connections_go_to_the_checked_address(server: HTTPServer) -> None:
    server.expect_request("/feed").respond_with_data(RSS)
    dns = FakeDNS({"feeds.test": ["127.0.0.1"]})
    url = f"http://feeds.test:{server.port}/feed"
    result = fetch(url, resolver=dns)
    assert result.content == RSS and result.url == url
    assert server.log[0][0].headers["Host"] == f"feeds.test:{server.port}"
    assert dns.asked == ["feeds.test"]


def test_any_private_answer_blocks_a_redirect(server: HTTPServer) -> None:
    server.expect_request("/feed").respond_with_data(
        "", status=302, headers={"Location": f"http://evil.test:{server.port}/x"}
    )
    dns = FakeDNS({"feeds.test": ["127.0.0.1"], "evil.test": ["93.184.216.34", "10.0.0.5"]})
    error = fetch_error(f"http://feeds.test:{server.port}/feed", resolver=dns)
    assert error.kind == "blocked_url" and "10.0.0.5" in error.detail
    assert len(server.log) == 1


def test_unknown_host_is_a_dns_error() -> None:
    dns = FakeDNS({})
    assert fetch_error("http://nowhere.test/feed", resolver=dns).kind == "dns"


def test_https_never_downgrades_to_http() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"Location": "http://feeds.test/feed"})

    dns = FakeDNS({"feeds.test": ["93.184.216.34"]})
    error = fetch_error(
        "https://feeds.test/feed", resolver=dns, transport=httpx.MockTransport(handler)
    )
    assert error.kind == "blocked_url"


def test_tls_to_a_plain_port_is_a_tls_error(server: HTTPServer) -> None:
    server.expect_request("/ok").respond_with_data(RSS)
    url = server.url_for("/ok").replace("http://", "https://")
    assert fetch_error(url).kind == "tls"


# --------------------------------------------------------------------------- limits


def test_per_host_and_global_limits(server: HTTPServer) -> None:
    active = 0
    peak = 0
    lock = threading.Lock()

    def slow(request: Request) -> Response:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.2)
        with lock:
            active -= 1
        return Response(RSS)

    server.expect_request("/slow").respond_with_handler(slow)

    async def go(per_host: int, concurrency: int) -> None:
        async with Fetcher(per_host=per_host, concurrency=concurrency) as fetcher:
            await asyncio.gather(*(fetcher.fetch(server.url_for("/slow")) for _ in range(6)))

    run(go(per_host=2, concurrency=50))
    assert peak == 2
    peak = 0
    run(go(per_host=10, concurrency=3))
    assert peak == 3


def test_many_feeds_at_once_do_not_interfere(server: HTTPServer) -> None:
    for n in range(20):
        server.expect_request(f"/f{n}").respond_with_data(
            RSS.replace(b"<title>t<", f"<title>t{n}<".encode())
        )
    server.expect_request("/bad").respond_with_data("", status=500)

    async def go() -> list[FetchResult | BaseException]:
        async with Fetcher(per_host=4) as fetcher:
            urls = [server.url_for(f"/f{n}") for n in range(20)] + [server.url_for("/bad")]
            return await asyncio.gather(*(fetcher.fetch(u) for u in urls), return_exceptions=True)

    results = run(go())
    assert isinstance(results[-1], FetchError) and results[-1].kind == "http_5xx"
    for n, result in enumerate(results[:-1]):
        assert isinstance(result, FetchResult)
        assert f"<title>t{n}</title>".encode() in result.content
