"""HTTP fetch stage: one shared keep-alive transport, bounded in time, size and reach.

The transport speaks httpx's API over one aiohttp session (``transport.py``: httpcore's pool
costs CPU per request that grows with its size); the rules are this package's, not aiohttp's.

Rules, in the order a fetch meets them:

1. Only http and https. Before every hop the host is resolved (all A/AAAA answers) and the
   connection is pinned to a checked address, so DNS rebinding cannot swap it afterwards; a
   kept-alive connection serves only later hops to the same name at the same address. A
   non-public address (loopback, private, link-local, reserved, multicast) is refused
   (``blocked_url``) unless the hop stays on the host the user configured or the host is in
   ``allow_hosts``.
2. Conditional GET: the cached ETag / Last-Modified go out as If-None-Match /
   If-Modified-Since; a 304 is a success with no body (``not_modified``).
3. Redirects are followed by hand, at most ``max_redirects``, loops refused, https never
   downgraded to http, and a 3xx body is never read.
4. A total ``deadline`` per fetch on top of the per-operation connect and read timeouts,
   because a server dripping one byte every two seconds never trips a read timeout.
5. The body is read raw and decoded here, at most one gzip or deflate layer, through a zlib
   decompressor told how many bytes it may still produce, so ``max_bytes`` bounds the decoded
   size and memory whatever the compression ratio. A Content-Length over the cap is refused
   before reading.
6. Status: 429, and 503 with Retry-After, are ``rate_limited`` with ``retry_after`` in
   seconds; 410 is ``gone``; other 4xx/5xx are ``http_4xx``/``http_5xx``.

Every failure is a FetchError with a kind from FEED_ERROR_KINDS; messages never carry the
``user:pass@`` part of a URL. No cookie is ever stored, so feeds cannot see each other's.
"""

from __future__ import annotations

import sys

# httpx imports its command-line client (click, rich, pygments: 13 ms and some megabytes of
# every start) whenever those happen to be installed, and falls back to a stub when the
# import fails; we never run it. Only when httpx is not loaded yet.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

from monitor.fetcher.client import (
    ACCEPT,
    DEFAULT_USER_AGENT,
    FetchCache,
    Fetcher,
    FetchResult,
    MiB,
)
from monitor.fetcher.decode import parse_retry_after
from monitor.fetcher.policy import Resolver, redact, system_resolver

__all__ = [
    "ACCEPT",
    "DEFAULT_USER_AGENT",
    "FetchCache",
    "FetchResult",
    "Fetcher",
    "MiB",
    "Resolver",
    "parse_retry_after",
    "redact",
    "system_resolver",
]
