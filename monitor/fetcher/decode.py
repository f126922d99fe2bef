"""Reading a response: the body, at most one gzip or deflate layer decoded under a size cap,
and the headers that push back the next poll (Retry-After, Cache-Control max-age).

httpx would hand out a whole decoded read at once (67 MB from one 64 KB gzip read, 1 GiB from
a ``gzip, gzip`` response); here zlib is told how many bytes it may still produce, so the cap
bounds the decoded size and memory whatever the compression ratio.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from monitor.errors import FetchError
from monitor.fetcher.policy import redact


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delay-seconds or HTTP-date, RFC 9110 §10.2.3).

    Negative, past or unreadable values give None (the caller's default back-off); huge values
    are returned as they are, for the scheduler to clamp.
    """
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delay = (when - (now or datetime.now(UTC))).total_seconds()
    return delay if delay > 0 else None


def max_age(cache_control: str | None) -> float | None:
    if not cache_control:
        return None
    for directive in cache_control.split(","):
        name, _, value = directive.strip().partition("=")
        if name.strip().lower() == "max-age":
            value = value.strip().strip('"')
            return float(value) if value.isdigit() else None
    return None


class BodyDecoder:
    """At most one gzip or deflate layer, decoded with a bound on the output size.

    ``url`` is the feed's as given; errors carry it redacted.
    """

    def __init__(self, url: str, content_encoding: str) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
        codings = [c for c in codings if c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise FetchError(
                redact(url), "bad_encoding", f"unsupported Content-Encoding {content_encoding!r}"
            )
        self._url = url
        self._coding = codings[0] if codings else None
        self._zlib: zlib._Decompress | None = None
        self._pending = b""
        if self._coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def _start_deflate(self, head: bytes) -> None:
        # RFC 9110 says zlib-wrapped, but some servers send raw deflate: tell them apart
        # by the two-byte zlib header (CMF/FLG check, RFC 1950 §2.2).
        wrapped = head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def decode(self, data: bytes, room: int) -> bytes:
        """Decode ``data``; more than ``room`` bytes of output raises ``too_large``."""
        if self._coding is None:
            if len(data) > room:
                raise FetchError(redact(self._url), "too_large", "body over the size cap")
            return data
        if self._zlib is None:
            self._pending += data
            if len(self._pending) < 2:
                return b""
            self._start_deflate(self._pending)
            data, self._pending = self._pending, b""
        assert self._zlib is not None
        out = bytearray()
        try:
            while data:
                if self._zlib.eof:
                    # A second gzip member, or trailing junk after the stream.
                    if self._coding == "deflate" or not data.lstrip(b"\0"):
                        return bytes(out)
                    self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
                chunk = self._zlib.decompress(data, room - len(out) + 1)
                out += chunk
                if len(out) > room:
                    raise FetchError(
                        redact(self._url), "too_large", "decoded body over the size cap"
                    )
                data = self._zlib.unconsumed_tail or self._zlib.unused_data
        except zlib.error as exc:
            raise FetchError(redact(self._url), "bad_encoding", f"{self._coding}: {exc}") from None
        return bytes(out)

    def finish(self) -> None:
        """Refuse a compressed stream that stopped before its end."""
        if self._coding is not None and (self._zlib is None or not self._zlib.eof):
            if self._zlib is None and not self._pending:
                return  # nothing at all was sent: the empty-body check reports it
            raise FetchError(redact(self._url), "bad_encoding", f"truncated {self._coding} stream")
