"""Who a fetch may reach: only http(s), public addresses unless trusted, pinned connections.

Before every hop the host is resolved (all A/AAAA answers) and the connection is pinned to a
checked address (``monitor.fetcher.transport`` connects to it and to nothing else), so DNS
rebinding cannot swap it afterwards. A non-public address (loopback, private, link-local,
reserved, multicast) is refused unless the hop stays on the host the user configured or the
host is allowed by configuration.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from functools import lru_cache
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit


class Resolver(Protocol):
    """Host name to IP addresses; the seam tests use to play DNS."""

    async def __call__(self, host: str, port: int) -> list[str]: ...


async def system_resolver(host: str, port: int) -> list[str]:
    """All addresses the system resolver gives for ``host``, IPv4 first.

    An IP literal is its own answer, without a trip through the resolver's thread pool.
    """
    literal = ip_literal(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    return sorted(addresses, key=lambda a: ":" in a)


@lru_cache(maxsize=1024)
def ip_literal(host: str) -> str | None:
    """``host`` as the canonical form of the IP address it spells, or None for a name."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


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
