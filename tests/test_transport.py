"""The aiohttp transport under the Fetcher: where connections go, and when they are reused."""

from __future__ import annotations

import asyncio
import http.server
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from monitor.errors import FetchError
from monitor.fetcher import Fetcher
from monitor.fetcher.transport import PIN, AiohttpTransport

RSS = b'<rss version="2.0"><channel><title>%s</title></channel></rss>'


class Recorder(http.server.ThreadingHTTPServer):
    """An HTTP/1.1 keep-alive server that names itself in each body and records client ports."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int]) -> None:
        self.ports: list[int] = []
        self.hosts: list[str] = []
        self.connection: list[str | None] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(handler) -> None:
                self.ports.append(handler.client_address[1])
                self.hosts.append(handler.headers["Host"])
                self.connection.append(handler.headers["Connection"])
                body = RSS % address[0].encode()
                handler.send_response(200)
                handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                handler.wfile.write(body)

            def log_message(handler, format: str, *args: Any) -> None:
                pass

        super().__init__(address, Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def free_port_on_both() -> int:
    """A port free on 127.0.0.1 and on 127.0.0.2 alike."""
    for _ in range(20):
        with socket.socket() as first, socket.socket() as second:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
            try:
                second.bind(("127.0.0.2", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no port free on both loopback addresses")


@pytest.fixture
def two_addresses() -> Iterator[tuple[int, Recorder, Recorder]]:
    """The same port served on 127.0.0.1 and 127.0.0.2: one name, two possible answers."""
    port = free_port_on_both()
    one, two = Recorder(("127.0.0.1", port)), Recorder(("127.0.0.2", port))
    yield port, one, two
    one.stop()
    two.stop()


class ChangingDNS:
    """Gives each answer of a list in turn, the last one from then on (DNS rebinding)."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)

    async def __call__(self, host: str, port: int) -> list[str]:
        await asyncio.sleep(0)  # a lookup suspends, as the system resolver's thread does
        return [self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]]


def fetch_all(fetcher: Fetcher, url: str, times: int) -> list[bytes]:
    async def go() -> list[bytes]:
        async with fetcher:
            results = await asyncio.gather(*(fetcher.fetch(url) for _ in range(times)))
        return [r.content for r in results]

    return asyncio.run(go())


def test_keep_alive_serves_the_fetches_queued_for_a_host(
    two_addresses: tuple[int, Recorder, Recorder],
) -> None:
    port, one, _ = two_addresses
    fetcher = Fetcher(per_host=1, resolver=ChangingDNS("127.0.0.1"))
    fetch_all(fetcher, f"http://feeds.test:{port}/feed", 5)
    assert len(one.ports) == 5 and len(set(one.ports)) == 1
    assert one.hosts == [f"feeds.test:{port}"] * 5
    # the last fetch of the host lets the connection go: no idle connection outlives its host
    assert one.connection == [None] * 4 + ["close"]  # HTTP/1.1 keeps alive unless told


def test_a_kept_connection_is_never_used_for_another_address(
    two_addresses: tuple[int, Recorder, Recorder],
) -> None:
    """When the name's answer changes, the idle connection to the old answer is not reused:
    every request goes to the address checked for it."""
    port, one, two = two_addresses
    dns = ChangingDNS("127.0.0.1", "127.0.0.2", "127.0.0.1")
    fetcher = Fetcher(per_host=1, resolver=dns)
    bodies = fetch_all(fetcher, f"http://feeds.test:{port}/feed", 3)
    assert bodies == [RSS % b"127.0.0.1", RSS % b"127.0.0.2", RSS % b"127.0.0.1"]
    assert (len(one.ports), len(two.ports)) == (2, 1)
    assert len(set(one.ports)) == 1  # and the connection to the first answer is kept


def test_a_request_without_a_checked_address_is_refused(
    two_addresses: tuple[int, Recorder, Recorder],
) -> None:
    port, one, _ = two_addresses

    async def go() -> None:
        transport = AiohttpTransport(limit=1)
        try:
            with pytest.raises(httpx.ConnectError, match="unchecked host"):
                await transport.handle_async_request(
                    httpx.Request("GET", f"http://127.0.0.1:{port}/feed")
                )
            # A name instead of an address is never resolved by aiohttp either.
            request = httpx.Request("GET", f"http://127.0.0.1:{port}/feed")
            request.extensions[PIN] = "localhost"
            with pytest.raises(httpx.ConnectError, match="unchecked host"):
                await transport.handle_async_request(request)
        finally:
            await transport.aclose()

    asyncio.run(go())
    assert one.ports == []


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[int, list[str]]]:
    """A TLS listener with a self-signed certificate that records the SNI name it is sent."""
    if not shutil.which("openssl"):
        pytest.skip("openssl absent")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    args = [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=feeds.test",
    ]
    subprocess.run(
        ["openssl", *args, "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True
    )
    names: list[str] = []

    def record(_sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        names.append(name or "")

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = record
    listener = socket.create_server(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(conn, server_side=True):
                    pass
            except (OSError, ssl.SSLError):
                pass

    threading.Thread(target=serve, daemon=True).start()
    yield port, names
    listener.close()


def test_tls_names_the_host_and_verifies_its_certificate(
    tls_server: tuple[int, list[str]],
) -> None:
    port, names = tls_server

    async def go() -> FetchError:
        async with Fetcher(resolver=ChangingDNS("127.0.0.1")) as fetcher:
            with pytest.raises(FetchError) as info:
                await fetcher.fetch(f"https://feeds.test:{port}/feed")
            return info.value

    error = asyncio.run(go())
    assert error.kind == "tls"  # self-signed: refused, verification is on
    assert names == ["feeds.test"]  # SNI carries the name, not the pinned address
