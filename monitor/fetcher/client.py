"""The Fetcher: one shared httpx transport over aiohttp, global and per-host limits, a deadline
per fetch, redirects by hand. The rules it applies are listed in ``monitor.fetcher``.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import socket
import ssl
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from types import TracebackType
from typing import TYPE_CHECKING, Self

import httpx

from monitor import __version__
from monitor.errors import FetchError
from monitor.fetcher.decode import BodyDecoder, max_age, parse_retry_after
from monitor.fetcher.policy import Resolver, is_public, redact, system_resolver
from monitor.fetcher.transport import PIN, AiohttpTransport

if TYPE_CHECKING:
    from monitor.settings import Settings

log = logging.getLogger(__name__)

MiB = 1024 * 1024
DEFAULT_USER_AGENT = f"newsmonitor/{__version__} (+https://github.com/newsmonitor/newsmonitor)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
URL_CACHE = 8192  # parsed feed URLs kept per fetcher
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})


@dataclass(frozen=True)
class FetchCache:
    """The validators a server gave for a feed, sent back on the next fetch."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """A successful fetch: a decoded body within the cap, or a 304.

    ``url`` is the effective URL after redirects; ``permanent_redirect`` is where an unbroken
    chain of 301/308 from the requested URL led, for the caller to update the stored URL;
    ``retry_after`` (seconds) comes from Retry-After or Cache-Control max-age.
    """

    url: str
    status: int
    content: bytes
    headers: Mapping[str, str]
    cache: FetchCache
    not_modified: bool
    permanent_redirect: str | None = None
    retry_after: float | None = None
    # the page at the requested URL that named this feed (``monitor.feed_discovery``)
    discovered_in: str | None = None


class _HostSlots:
    """A semaphore per host, dropped when no fetch uses it, so thousands of hosts cost nothing."""

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._slots: dict[str, tuple[asyncio.Semaphore, int]] = {}

    def acquire(self, host: str) -> asyncio.Semaphore:
        sem, users = self._slots.get(host, (asyncio.Semaphore(self._per_host), 0))
        self._slots[host] = (sem, users + 1)
        return sem

    def shared(self, host: str) -> bool:
        """Whether other fetches for ``host`` are running or waiting."""
        return self._slots[host][1] > 1

    def release(self, host: str) -> None:
        sem, users = self._slots[host]
        if users <= 1:
            del self._slots[host]
        else:
            self._slots[host] = (sem, users - 1)


def _error_kind(exc: BaseException) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError | ssl.CertificateError):
            return "tls"
        if isinstance(cause, socket.gaierror):
            return "dns"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return "blocked_url"
    text = str(exc).lower()
    if "ssl" in text or "certificate" in text:
        return "tls"
    if isinstance(exc, httpx.RemoteProtocolError) and "location header" in text:
        return "blocked_url"  # httpx refused a redirect target before we saw it
    if isinstance(exc, httpx.RemoteProtocolError) and ("too long" in text or "too large" in text):
        return "too_large"
    return "connect"


class Fetcher:
    """Fetches feeds through one shared transport with global and per-host concurrency limits."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        deadline: float = 30.0,
        max_bytes: int = 10 * MiB,
        max_redirects: int = 5,
        per_host: int = 2,
        concurrency: int = 50,
        allow_hosts: Collection[str] = (),
        user_agent: str = DEFAULT_USER_AGENT,
        resolver: Resolver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self._allow = frozenset(h.lower() for h in allow_hosts)
        self._resolve: Resolver = resolver or system_resolver
        self._global = asyncio.Semaphore(concurrency)
        self._hosts = _HostSlots(per_host)
        # The transport alone, without httpx.AsyncClient: its cookie jar, auth flow and header
        # merging cost more CPU per feed than aiohttp's whole request, and we need none of them
        # (no cookies are ever kept, redirects are ours, credentials are the URL's).
        self._transport = transport or AiohttpTransport(limit=concurrency)
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 10.0)).as_dict()
        # A feed's URL parsed once for the fetcher's life, not at every poll (httpx.URL is
        # immutable; parsing costs about a tenth of a 304 fetch's CPU).
        self._parse_url = lru_cache(maxsize=URL_CACHE)(httpx.URL)
        self._headers = httpx.Headers(
            {"User-Agent": user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"}
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Fetcher:
        """A fetcher with the limits of the config's [fetch] table."""
        return cls(
            timeout=settings.http_timeout,
            deadline=settings.fetch_deadline,
            max_bytes=settings.max_bytes,
            concurrency=settings.concurrency,
            per_host=settings.per_host,
            allow_hosts=settings.allow_hosts,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the shared transport and its connections."""
        await self._transport.aclose()

    async def fetch(
        self,
        url: str,
        cache: FetchCache = FetchCache(),
        *,
        max_bytes: int | None = None,
        via: str | None = None,
    ) -> FetchResult:
        """GET ``url`` under every rule of this module; raise FetchError on any failure.

        ``via`` is the configured URL when ``url`` is a feed its page named
        (``monitor.feed_discovery``): the fetch is then held to the rules of a redirect from
        it, so a page cannot send us to a private address or from https to http.
        """
        cap = self.max_bytes if max_bytes is None else max_bytes
        try:
            start = self._parse_url(url)
            origin = start if via is None else self._parse_url(via)
        except (httpx.InvalidURL, TypeError, ValueError):
            raise FetchError(redact(url), "blocked_url", "not a valid URL") from None
        configured = origin.raw_host.decode("ascii").lower()
        seen: set[str] = set()
        permanent: str | None = None
        permanent_chain = True
        spent = 0.0
        current = start
        for _ in range(self.max_redirects + 1):
            self._check_scheme(url, current, origin)
            host = current.raw_host.decode("ascii").lower()
            slot = self._hosts.acquire(host)
            t0 = time.monotonic()
            try:
                async with slot, self._global:
                    t0 = time.monotonic()
                    outcome = await self._hop(
                        url, current, cache, cap, configured, self.deadline - spent
                    )
            finally:
                spent += time.monotonic() - t0
                self._hosts.release(host)
            if isinstance(outcome, FetchResult):
                if permanent is None:
                    return outcome
                return replace(outcome, permanent_redirect=permanent)
            status, target = outcome
            # Every URL of the chain, made only when there is a chain: most fetches have none.
            seen.add(str(current).partition("#")[0])
            if str(target).partition("#")[0] in seen:
                raise FetchError(redact(url), "too_many_redirects", "redirect loop")
            if status in _PERMANENT and permanent_chain:
                permanent = str(target)
            else:
                permanent_chain = False
            current = target
        raise FetchError(
            redact(url), "too_many_redirects", f"more than {self.max_redirects} redirects"
        )

    def _check_scheme(self, url: str, current: httpx.URL, start: httpx.URL) -> None:
        if current.scheme not in ("http", "https"):
            raise FetchError(redact(url), "blocked_url", f"scheme {current.scheme!r} not allowed")
        if start.scheme == "https" and current.scheme == "http":
            raise FetchError(redact(url), "blocked_url", "redirect from https to http")
        if not current.host:
            raise FetchError(redact(url), "blocked_url", "URL without a host")

    async def _pin(self, url: str, target: httpx.URL, configured: str) -> str:
        """The checked address to connect to for ``target``."""
        host = target.raw_host.decode("ascii").lower()
        port = target.port or (443 if target.scheme == "https" else 80)
        trusted = host == configured or host in self._allow or f"{host}:{port}" in self._allow
        try:
            addresses = await self._resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise FetchError(redact(url), "dns", f"cannot resolve {host}: {exc}") from None
        if not addresses:
            raise FetchError(redact(url), "dns", f"no address for {host}")
        if not trusted:
            for address in addresses:
                if not is_public(address):
                    raise FetchError(
                        redact(url), "blocked_url", f"{host} resolves to non-public {address}"
                    )
        return addresses[0]

    async def _hop(
        self,
        url: str,
        target: httpx.URL,
        cache: FetchCache,
        cap: int,
        configured: str,
        budget: float,
    ) -> FetchResult | tuple[int, httpx.URL]:
        """One request; a FetchResult when done, or (status, next URL) for a redirect."""
        try:
            async with asyncio.timeout(max(budget, 0.0)):
                address = await self._pin(url, target, configured)
                return await self._request(url, target, cache, cap, address)
        except TimeoutError:
            raise FetchError(
                redact(url), "timeout", f"no complete answer within {self.deadline:g} s"
            ) from None
        except httpx.InvalidURL as exc:
            # httpx parses a redirect's Location itself, before we see the response.
            raise FetchError(redact(url), "blocked_url", f"invalid URL: {exc}") from None
        except httpx.HTTPError as exc:
            raise FetchError(
                redact(url), _error_kind(exc), redact(str(exc)) or type(exc).__name__
            ) from None
        except OSError as exc:
            raise FetchError(redact(url), "connect", str(exc)) from None

    async def _request(
        self,
        url: str,
        target: httpx.URL,
        cache: FetchCache,
        cap: int,
        address: str,
    ) -> FetchResult | tuple[int, httpx.URL]:
        headers = self._headers.copy()  # httpx.Headers: copied as is, not normalised again
        if cache.etag:
            headers["If-None-Match"] = cache.etag
        if cache.last_modified:
            headers["If-Modified-Since"] = cache.last_modified
        if target.username or target.password:
            credentials = f"{target.username}:{target.password}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode()
        if not self._hosts.shared(target.raw_host.decode("ascii").lower()):
            # Keep the connection only for the fetches already queued for its host: idle
            # connections then stay as few as the hosts in flight, not one per host polled
            # in the last keep-alive period (thousands of file descriptors).
            headers["Connection"] = "close"
        request = httpx.Request(
            "GET", target, headers=headers, extensions={"timeout": self._timeout, PIN: address}
        )
        response = await self._transport.handle_async_request(request)
        try:
            return await self._read(url, target, response, cache, cap)
        finally:
            await response.aclose()

    async def _read(
        self,
        url: str,
        target: httpx.URL,
        response: httpx.Response,
        cache: FetchCache,
        cap: int,
    ) -> FetchResult | tuple[int, httpx.URL]:
        status = response.status_code
        rheaders = dict(response.headers.items())
        if status in _REDIRECTS:
            location = response.headers.get("location", "").strip()
            if not location:
                raise FetchError(redact(url), "blocked_url", f"{status} without a Location")
            try:
                nxt = target.join(location)
                if nxt.scheme not in ("http", "https"):
                    raise FetchError(
                        redact(url), "blocked_url", f"redirect to scheme {nxt.scheme!r}"
                    )
                if nxt.host.lower() != target.host.lower() and nxt.userinfo:
                    nxt = nxt.copy_with(username=None, password=None)
                return status, nxt.copy_with(fragment=None)
            except (httpx.InvalidURL, ValueError):
                raise FetchError(redact(url), "blocked_url", "redirect to an invalid URL") from None
        retry_after = parse_retry_after(rheaders.get("retry-after"))
        if status == 304:
            if not (cache.etag or cache.last_modified):
                raise FetchError(redact(url), "empty", "304 Not Modified to an unconditional GET")
            return FetchResult(
                url=str(target),
                status=304,
                content=b"",
                headers=rheaders,
                cache=FetchCache(
                    rheaders.get("etag") or cache.etag,
                    rheaders.get("last-modified") or cache.last_modified,
                ),
                not_modified=True,
                retry_after=retry_after
                if retry_after is not None
                else max_age(rheaders.get("cache-control")),
            )
        if status == 429 or (status == 503 and retry_after is not None):
            raise FetchError(
                redact(url),
                "rate_limited",
                f"HTTP {status}",
                retry_after=retry_after,
                status=status,
            )
        if status == 410:
            raise FetchError(redact(url), "gone", "HTTP 410 Gone", status=status)
        if 400 <= status < 500:
            raise FetchError(redact(url), "http_4xx", f"HTTP {status}", status=status)
        if status >= 500:
            raise FetchError(
                redact(url), "http_5xx", f"HTTP {status}", retry_after=retry_after, status=status
            )
        if not 200 <= status < 300:
            raise FetchError(redact(url), "http_4xx", f"unexpected HTTP {status}", status=status)
        length = rheaders.get("content-length", "").strip()
        if length.isdigit() and int(length) > cap:
            # Compressed or not, the decoded body would be at least about this large.
            raise FetchError(redact(url), "too_large", f"Content-Length {length} over {cap}")
        decoder = BodyDecoder(url, rheaders.get("content-encoding", ""))
        body = bytearray()
        # The transport's stream itself, as buffered (aiohttp pauses past 128 KiB): httpx's
        # aiter_raw would only count and re-chunk what we decode ourselves.
        stream = response.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        async for raw in stream:
            body += decoder.decode(raw, cap - len(body))
        decoder.finish()
        content = bytes(body)
        if not content or content.isspace():
            raise FetchError(redact(url), "empty", f"HTTP {status} with an empty body")
        return FetchResult(
            url=str(target),
            status=status,
            content=content,
            headers=rheaders,
            cache=FetchCache(rheaders.get("etag"), rheaders.get("last-modified")),
            not_modified=False,
            retry_after=retry_after
            if retry_after is not None
            else max_age(rheaders.get("cache-control")),
        )
