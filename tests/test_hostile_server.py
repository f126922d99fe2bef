"""Every route of the shared hostile server through Fetcher, parse_in_worker and
prepare_in_worker.

Each route must end in a ParsedFeed or a FeedError with a kind from the closed set; the test
process must stay up with bounded memory, and the 127.0.0.2 canary must never be reached.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.errors import FEED_ERROR_KINDS, FeedError
from monitor.fetcher import Fetcher
from monitor.parser import (
    MAX_ITEMS,
    ParsedFeed,
    parse_in_worker,
    prepare_in_worker,
    shutdown_parsers,
)
from monitor.prepare import prepare_all

HOSTILE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "hostile"
SERVER = HOSTILE / "hostile_server.py"

pytestmark = pytest.mark.skipif(not SERVER.is_file(), reason="shared hostile server absent")

# Routes that need a query to show their misbehaviour, on top of the bare routes of /_index.
EXTRA = (
    [
        "/status?code=404",
        "/status?code=410",
        "/status?code=500",
        "/status?code=502",
        "/status?code=503&retry_after=120",
        "/status?code=503&retry_after=Wed,%2021%20Oct%202015%2007:28:00%20GMT",
        "/429?retry_after=3600",
        "/ok?n=50",
        "/huge?mb=20",
        "/huge-cl?mb=50",
        "/items?n=10000",
        "/huge-single-item?mb=20",
        "/redirect-chain?n=3",
        "/redirect-chain?n=25",
        "/redirect-with-huge-body?mb=512",
        "/slow-drip?interval=2",
        "/slow-header-drip?interval=1",
        "/slow-headers?delay=30",
        "/stall-mid-body?stall=30",
        "/feed/encoding_shift_jis_http_says_utf8.xml?ctype=application/rss%2Bxml;%20charset=utf-8",
    ]
    + [
        f"/redirect-private?form={form}"
        for form in (
            "ip",
            "decimal",
            "hex",
            "octal",
            "ipv6",
            "v4mapped",
            "localhost",
            "zero",
            "userinfo",
        )
    ]
    + [f"/redirect-scheme?to={to}" for to in ("gopher", "ftp", "data", "javascript", "feed")]
)

MUST_FAIL = {
    "/gzip-bomb": "too_large",
    "/deflate-bomb": "too_large",
    "/gzip-gzip-bomb": "bad_encoding",
    "/gzip-lie": "bad_encoding",
    "/infinite": "too_large",
    "/huge?mb=20": "too_large",
    "/huge-cl?mb=50": "too_large",
    "/huge-single-item?mb=20": "too_large",
    "/empty-200": "empty",
    "/empty-200-chunked": "empty",
    "/html": "not_a_feed",
    "/redirect-loop": "too_many_redirects",
    "/redirect-pingpong": "too_many_redirects",
    "/redirect-chain?n=25": "too_many_redirects",
    "/redirect-file": "blocked_url",
    "/redirect-to-tls": "tls",
    "/status?code=404": "http_4xx",
    "/status?code=410": "gone",
    "/status?code=500": "http_5xx",
    "/status?code=503&retry_after=120": "rate_limited",
    "/429?retry_after=3600": "rate_limited",
    "/slow-drip?interval=2": "timeout",
    "/slow-header-drip?interval=1": "timeout",
    "/slow-headers?delay=30": "timeout",
    "/stall-mid-body?stall=30": "timeout",
    "/304-always": "empty",
    "/set-cookie-flood": "too_large",  # 1.5 MB of headers: over h11's 64 KiB limit
    "/header-bomb": "too_large",
    "/feed/xml_charref_surrogate.xml": None,  # parsed: the bad reference is replaced
}
MUST_PARSE = {
    "/ok": 3,
    "/ok?n=50": 50,
    "/etag": 3,
    "/redirect-permanent": 3,
    "/redirect-chain?n=3": 3,
    "/redirect-with-huge-body?mb=512": 3,
    "/redirect-with-bomb-body": 3,
    "/wrong-content-type": 3,
    "/charset-lies": 1,
    "/json-feed": 6,
    "/items?n=10000": MAX_ITEMS,  # parsed whole; the newest 1,000 kept
    "/feed/xml_quadratic_blowup.xml": 1,
    "/feed/items_missing_fields.xml": 7,
}


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    # The server writes its TLS certificate next to itself, and shared/ is read-only:
    # run a copy, with the fixtures linked beside it.
    here = tmp_path_factory.mktemp("hostile")
    for path in HOSTILE.iterdir():
        if path.is_file():
            (here / path.name).symlink_to(path)
    (here / SERVER.name).unlink()
    shutil.copy(SERVER, here / SERVER.name)
    port, canary, tls = free_port("127.0.0.1"), free_port("127.0.0.2"), free_port("127.0.0.1")
    args = [sys.executable, str(here / SERVER.name), "--port", str(port)]
    args += ["--canary-port", str(canary), "--max-seconds", "120"]
    if shutil.which("openssl"):
        args += ["--tls-port", str(tls)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        base = f"http://127.0.0.1:{port}"
        for _ in range(50):
            try:
                get_json(base + "/_stats")
                break
            except OSError:
                time.sleep(0.1)
        # The server builds its deflate bomb on first use (seconds of CPU): do it now, so
        # the timed run measures the client.
        head = urllib.request.Request(base + "/deflate-bomb", method="HEAD")
        urllib.request.urlopen(head, timeout=60).close()
        yield base, (f"https://127.0.0.1:{tls}" if "--tls-port" in args else "")
    finally:
        proc.kill()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


async def poll(url: str, fetcher: Fetcher) -> ParsedFeed | FeedError:
    try:
        result = await fetcher.fetch(url)
        if result.not_modified:
            return FeedError(url, "empty", "unexpected 304")
        feed = await parse_in_worker(result.url, result.content, result.headers, timeout=15)
        # and the daemon's next step: the items' text and signatures, made in the workers
        prepared = await prepare_all(result.url, feed.items, prepare_in_worker)
        assert len(prepared) == len(feed.items), url
        return feed
    except FeedError as exc:
        return exc


def test_every_route_ends_in_a_feed_or_a_known_error(hostile_server: tuple[str, str]) -> None:
    base, tls = hostile_server
    index = get_json(base + "/_index")
    assert isinstance(index, dict)
    skip = {"/_index", "/_stats", "/_canary", "/_sink", "/sink"}
    paths = sorted(set(index) - skip) + EXTRA
    fixtures = sorted(
        p.name for p in HOSTILE.iterdir() if p.suffix in (".xml", ".json", ".html", ".bin", ".gz")
    )
    paths += [f"/feed/{name}" for name in fixtures]
    urls = {path: base + path for path in paths}
    if tls:
        urls["tls:/ok"] = tls + "/ok"
        MUST_FAIL["tls:/ok"] = "tls"
    urls["https-to-plain:/ok"] = base.replace("http://", "https://") + "/ok"
    MUST_FAIL["https-to-plain:/ok"] = "tls"
    measured = reset_peak_rss()
    rss_before = peak_rss_mb()

    async def run_all() -> dict[str, ParsedFeed | FeedError]:
        async with Fetcher(timeout=3.0, deadline=5.0, per_host=16, concurrency=32) as fetcher:
            # A ticker shows the event loop never stalls while bodies are decoded and parsed.
            stalls: list[float] = []

            async def ticker() -> None:
                last = time.monotonic()
                while True:
                    await asyncio.sleep(0.05)
                    now = time.monotonic()
                    stalls.append(now - last - 0.05)
                    last = now

            tick = asyncio.create_task(ticker())
            outcomes = await asyncio.gather(*(poll(u, fetcher) for u in urls.values()))
            tick.cancel()
            assert max(stalls) < 1.0, max(stalls)
            return dict(zip(urls, outcomes, strict=True))

    started = time.monotonic()
    try:
        outcomes = asyncio.run(run_all())
    finally:
        shutdown_parsers()
    elapsed = time.monotonic() - started

    for path, outcome in outcomes.items():
        assert isinstance(outcome, ParsedFeed | FeedError), path
        if isinstance(outcome, FeedError):
            assert outcome.kind in FEED_ERROR_KINDS, (path, outcome.kind)
    for path, kind in MUST_FAIL.items():
        outcome = outcomes[path]
        if kind is None:
            assert isinstance(outcome, ParsedFeed), (path, outcome)
        else:
            assert isinstance(outcome, FeedError), (path, outcome)
            assert outcome.kind == kind, (path, outcome.kind, str(outcome))
    for path, count in MUST_PARSE.items():
        outcome = outcomes[path]
        assert isinstance(outcome, ParsedFeed), (path, outcome)
        if count is not None:
            assert len(outcome.items) == count, path
    private = [p for p in outcomes if p.startswith(("/redirect-private", "/redirect-scheme"))]
    assert len(private) == 16  # the bare routes and their 14 variants
    for path in private:
        outcome = outcomes[path]
        assert isinstance(outcome, FeedError) and outcome.kind == "blocked_url", path

    assert get_json(base + "/_canary") == []
    assert elapsed < 45
    if measured:
        # Bodies are capped at 10 MiB and parsing happens in workers; with many fetches in
        # flight the peak is a few capped bodies, far from the 1 GiB a bomb decodes to.
        assert peak_rss_mb() - rss_before < 300
    assert os.getpid() > 0  # still here
