"""Who a fetch may reach: only http(s), public addresses unless trusted, pinned connections.

Before every hop the host is resolved (all A/AAAA answers) and the connection is pinned to a
checked address, so DNS rebinding cannot swap it afterwards. A non-public address (loopback,
private, link-local, reserved, multicast) is refused unless the hop stays on the host the
user configured or the host is allowed by configuration.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import httpcore
import httpx


class Resolver(Protocol):
    """Host name to IP addresses; the seam tests use to play DNS."""

    async def __call__(self, host: str, port: int) -> list[str]: ...


async def system_resolver(host: str, port: int) -> list[str]:
    """All addresses the system resolver gives for ``host``, IPv4 first."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    return sorted(addresses, key=lambda a: ":" in a)


def redact(url: str) -> str:
    """``url`` without its ``user:pass@`` part, safe to log."""
    try:
        parts = urlsplit(url)
        if parts.username is None and parts.password is None:
            return url
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        if parts.port is not None:
            host = f"{host}:{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    except ValueError:
        return "<invalid URL>"


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


# (host as sent, checked address) for the hop running in this task; read by the backend below.
PINNED: ContextVar[tuple[str, str] | None] = ContextVar("pinned_address", default=None)


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects to the address the URL policy checked, not to a second DNS answer.

    Keeping the host name in the URL keeps SNI, certificate checks and the connection pool
    keyed by name; only the TCP connect is redirected to the pinned address.
    """

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        pin = PINNED.get()
        if pin is None or pin[0] != host.lower():
            raise httpcore.ConnectError(f"connection to unchecked host {host!r} refused")
        return await self._inner.connect_tcp(
            pin[1],
            port,
            timeout=timeout,
            local_address=local_address,
            socket_options=socket_options,
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not used for feeds")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def pinned_transport(limits: httpx.Limits) -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=False)
    # httpx exposes no network-backend option; its pool is httpcore's, which does.
    pool = transport._pool
    pool._network_backend = _PinnedBackend(pool._network_backend)
    return transport
