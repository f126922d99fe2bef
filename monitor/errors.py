"""The one error tree of the daemon.

    MonitorError ─┬ ConfigError ── WatchlistError(problems)
                  ├ FeedError(url, kind) ─┬ FetchError
                  │                       └ ParseError
                  ├ StoreError
                  └ NotifyError

Library exceptions (httpx, feedparser, SQLAlchemy, Apprise) are caught only in the module
that owns the library and re-raised from one of these, so callers never import a library
just to catch its errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# The closed set of feed error kinds: logs, `monitor status` and the feed row use these words.
FEED_ERROR_KINDS = frozenset(
    {
        "timeout",
        "too_large",
        "http_4xx",
        "http_5xx",
        "rate_limited",
        "gone",
        "tls",
        "dns",
        "connect",
        "blocked_url",
        "too_many_redirects",
        "not_a_feed",
        "parse_error",
        "empty",
        "bad_encoding",
        "db_error",
    }
)


class MonitorError(Exception):
    """Base of every error the daemon raises on purpose."""


class ConfigError(MonitorError):
    """The config file or the environment holds a wrong key or value."""


@dataclass(frozen=True)
class Problem:
    """One problem in a watchlist file, printed as ``file:line: message``."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class WatchlistError(ConfigError):
    """One or more watchlist files are invalid; ``problems`` lists each of them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = tuple(problems)


class FeedError(MonitorError):
    """A feed could not be fetched or parsed; ``kind`` is one of FEED_ERROR_KINDS."""

    def __init__(self, url: str, kind: str, message: str = "") -> None:
        assert kind in FEED_ERROR_KINDS, kind
        super().__init__(f"{kind}: {message}" if message else kind)
        self.url = url
        self.kind = kind
        self.detail = message


class FetchError(FeedError):
    """The HTTP side failed: DNS, connect, TLS, timeout, status, size.

    ``status`` is the HTTP status of the response that failed, when there was one; the
    feed row keeps it as its last status."""

    def __init__(
        self,
        url: str,
        kind: str,
        message: str = "",
        *,
        retry_after: float | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(url, kind, message)
        self.retry_after = retry_after
        self.status = status


class ParseError(FeedError):
    """The body is not a feed we can read."""


class StoreError(MonitorError):
    """The database refused or lost a write, or cannot be reached or opened.

    ``transient`` is True when waiting may help (PostgreSQL down or restarting, a lock):
    the daemon then retries; otherwise (a garbage file, a read-only file system, a
    database that does not exist) it stops with this one line."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class NotifyError(MonitorError):
    """A notification target could not be set up (a bad Apprise URL)."""
