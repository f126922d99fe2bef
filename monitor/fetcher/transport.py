"""An httpx transport over one shared aiohttp session: httpx's API at aiohttp's cost.

httpcore's pool does O(n²) bookkeeping per request over its n connections (encode/httpx#3215),
1.4 ms of CPU per feed even sharded into pools of 8; aiohttp's connector finds an idle
connection by key in O(1).

Connections go only where the fetch policy pinned them. A request carries the checked address
in its ``PIN`` extension; the aiohttp URL names that address, while the host name goes out as
the Host header and as the TLS server name (SNI and certificate check). aiohttp's connection
key holds both address and name, so a keep-alive connection is reused only for the same name
at the same checked address. aiohttp never resolves a name (its resolver refuses), so it keeps
no DNS cache and makes no second lookup that a rebinding attacker could win.

The rest of the fetch rules stay with the caller: aiohttp does not decompress
(``auto_decompress=False``), follow redirects, keep cookies (``DummyCookieJar``) or read the
environment's proxies, and its errors become the httpx exceptions the caller maps.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import aiohttp
import certifi
import httpx
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.connector import NEEDS_CLEANUP_CLOSED
from aiohttp.http_exceptions import LineTooLong
from yarl import URL

PIN = "pinned_address"  # request extension: the address the policy checked for the URL's host

# aiohttp's header limits: a line or a field over 64 KiB, or more than 128 header lines, is
# refused (h11 allowed 64 KiB of headers in all).
MAX_FIELD = 64 * 1024
MAX_HEADERS = 128


class _NoResolver(AbstractResolver):
    """Refuses every name: the transport only ever hands aiohttp checked addresses."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        raise OSError(f"connection to unchecked host {host!r} refused")

    async def close(self) -> None:
        return None


class _Body(httpx.AsyncByteStream):
    """The raw body as aiohttp reads it, chunk by chunk, errors mapped to httpx's."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _httpx_errors():
            async for chunk in self._response.content.iter_any():
                yield chunk

    async def aclose(self) -> None:
        # A body not read to its end (a 3xx, a refused size) closes the connection instead of
        # returning it to the pool: aiohttp decides that from the parser's state.
        self._response.release()


@contextmanager
def _httpx_errors() -> Iterator[None]:
    """aiohttp's exceptions as the httpx ones a transport must raise, the original chained."""
    try:
        yield
    except aiohttp.ConnectionTimeoutError as exc:
        raise httpx.ConnectTimeout(str(exc) or "connect timeout") from exc
    except aiohttp.ServerTimeoutError as exc:
        raise httpx.ReadTimeout(str(exc) or "read timeout") from exc
    except aiohttp.ClientSSLError as exc:  # the ssl.SSLError or CertificateError is chained
        raise httpx.ConnectError(str(exc)) from exc
    except aiohttp.ClientConnectorError as exc:
        # Not str(exc): its "ssl:default" would read as a TLS problem.
        raise httpx.ConnectError(
            f"cannot connect to {exc.host}:{exc.port}: {exc.os_error}"
        ) from exc
    except aiohttp.ClientResponseError as exc:  # an unreadable status line or header block
        if _header_overflow(exc):
            raise httpx.RemoteProtocolError(f"response headers too large: {exc.message}") from exc
        raise httpx.RemoteProtocolError(exc.message or type(exc).__name__) from exc
    except aiohttp.ClientPayloadError as exc:
        raise httpx.RemoteProtocolError(str(exc) or "incomplete body") from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise httpx.ReadError(str(exc) or type(exc).__name__) from exc


def _header_overflow(exc: BaseException) -> bool:
    """Whether aiohttp's parser gave up on a header line or count over the limits above."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, LineTooLong) or "too many headers" in str(cause).lower():
            return True
        cause = cause.__cause__
    return False


def _pinned_url(scheme: str, address: str, port: int | None, raw_path: bytes) -> URL:
    """A request's URL with its host replaced by ``address`` and no user info."""
    host = f"[{address}]" if ":" in address else address
    port = port or (443 if scheme == "https" else 80)
    return URL(f"{scheme}://{host}:{port}{raw_path.decode('ascii')}", encoded=True)


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One aiohttp session for every fetch; keep-alive connections shared by host and address.

    The session is made on the first request, inside the running event loop it belongs to.
    Global and per-host limits are the caller's; ``limit`` only backs them up.
    """

    def __init__(self, *, limit: int, keepalive: float = 5.0) -> None:
        self._limit = limit
        self._keepalive = keepalive
        # Loading the CA bundle takes some 15 ms of CPU: done here, at start-up, it does not
        # hold the event loop during the first poll.
        self._ssl = ssl.create_default_context(cafile=certifi.where())
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[Any, Any], aiohttp.ClientTimeout] = {}
        # Made once per feed and address for the transport's life: polls repeat the same URLs.
        self._pinned_url = lru_cache(maxsize=8192)(_pinned_url)

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._limit,
            keepalive_timeout=self._keepalive,
            resolver=_NoResolver(),
            use_dns_cache=False,
            # Pythons before 3.12.8 leak TLS transports whose peer never closes them
            # (python/cpython#118960); aiohttp aborts those after 2 s when asked.
            enable_cleanup_closed=NEEDS_CLEANUP_CLOSED,
            ssl=self._ssl,
        )
        return aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            trust_env=False,
            timeout=aiohttp.ClientTimeout(total=None),
            max_line_size=MAX_FIELD,
            max_field_size=MAX_FIELD,
            max_headers=MAX_HEADERS,
        )

    def _timeout(self, request: httpx.Request) -> aiohttp.ClientTimeout:
        """httpx's connect and read timeouts, per socket operation as httpx applies them."""
        spec = request.extensions.get("timeout", {})
        key = (spec.get("connect"), spec.get("read"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=key[0], sock_read=key[1])
            self._timeouts[key] = timeout
        return timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        address = request.extensions.get(PIN)
        if not isinstance(address, str):
            raise httpx.ConnectError(f"connection to unchecked host {request.url.host!r} refused")
        if self._session is None:
            self._session = self._open()
        headers = request.headers.multi_items()  # Host (the name) included
        tls = request.url.scheme == "https"
        with _httpx_errors():
            response = await self._session.request(
                request.method,
                self._pinned_url(
                    request.url.scheme, address, request.url.port, request.url.raw_path
                ),
                headers=headers,
                data=request.content or None,
                allow_redirects=False,
                timeout=self._timeout(request),
                # The name as sent (punycode), for SNI and the certificate check.
                server_hostname=request.url.raw_host.decode("ascii") if tls else None,
            )
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            stream=_Body(response),
            request=request,
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (response.reason or "").encode(),
            },
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
