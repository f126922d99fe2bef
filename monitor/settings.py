"""Settings: built once from the TOML config file and the environment, then passed down.

Where the config comes from, first hit wins: ``--config PATH``, ``$MONITOR_CONFIG``,
``./monitor.toml``, ``/etc/monitor/monitor.toml``, else built-in defaults (SQLite in the
user's state directory, the bundled watchlists, a default set of public AI-news feeds,
alerts to the log only). ``$MONITOR_DATABASE_URL`` overrides the database URL.

Every wrong key or value is a ConfigError naming the file, the key and what is expected,
so a typo never silently falls back to a default. Stage modules never read the
environment: they receive values from here.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

from monitor.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent
# A source checkout has watchlists/ beside the package; an installed wheel, monitor/watchlists.
BUNDLED_WATCHLISTS = (
    PACKAGE_DIR.parent / "watchlists"
    if (PACKAGE_DIR.parent / "pyproject.toml").is_file()
    else PACKAGE_DIR / "watchlists"
)
SYSTEM_CONFIG = Path("/etc/monitor/monitor.toml")

DEFAULT_FEEDS: tuple[tuple[str, str, bool], ...] = (
    # (url, name, official)
    ("https://openai.com/news/rss.xml", "OpenAI News", True),
    ("https://blogs.microsoft.com/feed/", "Official Microsoft Blog", True),
    ("https://news.microsoft.com/source/feed/", "Microsoft Source", True),
    ("https://www.theverge.com/rss/ai-artificial-intelligence/index.xml", "The Verge AI", False),
    ("https://techcrunch.com/category/artificial-intelligence/feed/", "TechCrunch AI", False),
    ("https://arstechnica.com/ai/feed/", "Ars Technica AI", False),
    ("https://venturebeat.com/category/ai/feed/", "VentureBeat AI", False),
    ("https://www.numerama.com/tech/feed/", "Numerama Tech", False),
    ("https://www.frandroid.com/feed", "Frandroid", False),
)

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)")
_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    """'90s', '10m', '1h30m', '30d' → seconds. A bare number means seconds."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    parts = _DURATION_PART.findall(text)
    if not parts or _DURATION_PART.sub("", text).strip():
        raise ValueError(f"not a duration: {text!r} (expected e.g. '90s', '10m', '1h30m', '7d')")
    return sum(float(n) * _DURATION_UNITS[u] for n, u in parts)


@dataclass(frozen=True)
class FeedConfig:
    url: str
    name: str | None = None
    interval: float | None = None
    official: bool = False


@dataclass(frozen=True)
class TargetConfig:
    """A named Apprise URL. ``url`` is secret: never log it, use ``monitor.notifier.redact``.

    The other fields are the target's delivery policy (see ``monitor.digest``) and message
    overrides (see ``monitor.messages``)."""

    name: str
    url: str
    mode: str = "instant"  # or "digest"
    digest: float | None = None  # a digest every N seconds (aligned on the local day)
    digest_at: str | None = None  # or daily at "HH:MM"
    timezone: str = "UTC"
    rate_limit: tuple[int, float] | None = None  # (messages, per seconds)
    quiet: tuple[str, str] | None = None  # ("22:00", "07:00")
    format: str | None = None  # "markdown" or "text"; None: what the Apprise plugin takes
    title: str | None = None  # string.Template overrides of [templates]
    template: str | None = None


@dataclass(frozen=True)
class Settings:
    source: Path | None
    database_url: str
    watchlist_paths: tuple[Path, ...]
    feeds: tuple[FeedConfig, ...]
    targets: tuple[TargetConfig, ...] = ()
    interval: float = 600.0
    # fetching
    http_timeout: float = 10.0
    fetch_deadline: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    concurrency: int = 20
    per_host: int = 2
    allow_hosts: tuple[str, ...] = ()
    error_backoff_max: float = 86400.0
    failing_alert_after: float = 3 * 86400.0
    # alerting and delivery
    alert_max_age: float | None = 30 * 86400.0
    delivery_timeout: float = 20.0
    delivery_give_up: float = 86400.0
    # logging
    log_level: str = "INFO"
    log_format: str = "text"
    search_templates: Mapping[str, str] = field(default_factory=dict)
    # optional health/metrics endpoint, "127.0.0.1:8787"; None = off
    http_listen: str | None = None
    # what a client of that endpoint must show when it listens beyond the loopback interface
    http_token: str | None = field(default=None, repr=False)
    # message templates of [templates] (monitor.messages.TEMPLATE_KEYS)
    templates: Mapping[str, str] = field(default_factory=dict)
    # poll the feeds and search feeds that watches name (off for the offline demo)
    watch_feeds: bool = True
    # storage: items first seen longer ago are pruned (None: kept forever)
    retention: float | None = 180 * 86400.0

    def target_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.targets)

    def search_names(self) -> tuple[str, ...]:
        """Search sources a watch may name: the built-in ones and those of [search]."""
        from monitor.watchlist import DEFAULT_SEARCH_TEMPLATES

        return tuple({**DEFAULT_SEARCH_TEMPLATES, **self.search_templates})


def config_path(explicit: str | None, env: Mapping[str, str]) -> Path | None:
    """The config file to read, or None for built-in defaults."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found")
        return path
    if env.get("MONITOR_CONFIG"):
        path = Path(env["MONITOR_CONFIG"])
        if not path.is_file():
            raise ConfigError(f"{path}: config file not found (from $MONITOR_CONFIG)")
        return path
    for candidate in (Path("monitor.toml"), SYSTEM_CONFIG):
        if candidate.is_file():
            return candidate
    return None


def default_database_url(env: Mapping[str, str]) -> str:
    """SQLite in systemd's StateDirectory when run as a service, else the user state dir."""
    state = env.get("STATE_DIRECTORY", "").split(":")[0]
    folder = Path(state) if state else Path(platformdirs.user_state_dir("newsmonitor"))
    return f"sqlite:///{folder / 'monitor.db'}"


def load_settings(explicit: str | None = None, env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    path = config_path(explicit, env)
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    return _build(data, path, env)


class _Reader:
    """Reads one TOML table, turning every wrong key or value into a ConfigError."""

    def __init__(self, data: Mapping[str, Any], where: str, path: Path | None) -> None:
        self.data = data
        self.where = where
        self.origin = str(path) if path else "<defaults>"

    def fail(self, key: str, expected: str) -> ConfigError:
        got = self.data.get(key)
        return ConfigError(f"{self.origin}: {self.where}{key} = {got!r}: expected {expected}")

    def check_keys(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise ConfigError(
                    f"{self.origin}: unknown key '{self.where}{key}' (known: {known})"
                )

    def get(self, key: str, kind: type, default: Any, expected: str) -> Any:
        if key not in self.data:
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(key, expected)
        return value

    def duration(self, key: str, default: float | None, *, zero_is_none: bool = False) -> Any:
        if key not in self.data:
            return default
        value = self.data[key]
        try:
            seconds = float(value) if isinstance(value, int | float) else parse_duration(str(value))
        except ValueError:
            raise self.fail(key, "a duration such as '90s', '10m', '1h' or '7d'") from None
        if seconds < 0:
            raise self.fail(key, "a positive duration")
        if zero_is_none and seconds == 0:
            return None
        return seconds

    def checked(self, key: str, default: Any, test: Callable[[Any], bool], expected: str) -> Any:
        value = self.data.get(key, default)
        if not test(value):
            raise self.fail(key, expected)
        return value


def _is_http_url(value: Any) -> bool:
    return isinstance(value, str) and urlsplit(value).scheme in ("http", "https") and "://" in value


def _is_listen_address(value: Any) -> bool:
    return value is None or (
        isinstance(value, str) and bool(re.fullmatch(r"(\[[0-9a-fA-F:]+\]|[\w.-]+):\d{1,5}", value))
    )


def _build(data: Mapping[str, Any], path: Path | None, env: Mapping[str, str]) -> Settings:
    top = _Reader(data, "", path)
    top.check_keys(
        {
            "database",
            "watchlists",
            "defaults",
            "feed",
            "targets",
            "fetch",
            "alerts",
            "log",
            "search",
            "http",
            "templates",
            "storage",
        }
    )
    base = path.resolve().parent if path else Path.cwd()

    database = top.get(
        "database", str, None, "a database URL (sqlite:////abs/path or postgresql+psycopg://...)"
    )
    database = env.get("MONITOR_DATABASE_URL") or database or default_database_url(env)
    if not database.startswith(("sqlite", "postgresql")):
        raise ConfigError(
            f"{top.origin}: database = {database!r}: expected sqlite:/// or postgresql+psycopg:// URL"
        )

    raw_lists = top.get("watchlists", list, None, "a list of watchlist files or folders")
    if raw_lists is None:
        watchlists: tuple[Path, ...] = (BUNDLED_WATCHLISTS,)
    else:
        if not all(isinstance(p, str) and p for p in raw_lists):
            raise top.fail("watchlists", "a list of paths (strings)")
        watchlists = tuple(base / Path(p).expanduser() for p in raw_lists)

    defaults = _Reader(top.get("defaults", dict, {}, "a table [defaults]"), "defaults.", path)
    defaults.check_keys({"interval", "watch_feeds"})
    interval = defaults.duration("interval", 600.0)
    if interval < 1:
        raise defaults.fail("interval", "at least 1s (minutes are polite to feed servers)")

    feeds = (
        _feeds(top, path)
        if "feed" in data
        else tuple(FeedConfig(url=u, name=n, official=o) for u, n, o in DEFAULT_FEEDS)
    )
    targets = _targets(top, path)

    fetch = _Reader(top.get("fetch", dict, {}, "a table [fetch]"), "fetch.", path)
    fetch.check_keys(
        {
            "timeout",
            "deadline",
            "max_bytes",
            "concurrency",
            "per_host",
            "allow_hosts",
            "backoff_max",
            "failing_alert_after",
        }
    )
    alerts = _Reader(top.get("alerts", dict, {}, "a table [alerts]"), "alerts.", path)
    alerts.check_keys({"max_age", "delivery_timeout", "give_up_after"})
    log = _Reader(top.get("log", dict, {}, "a table [log]"), "log.", path)
    log.check_keys({"level", "format"})
    http = _Reader(top.get("http", dict, {}, "a table [http]"), "http.", path)
    http.check_keys({"listen", "token", "token_file"})
    listen = http.checked("listen", None, _is_listen_address, "host:port such as '127.0.0.1:8787'")
    http_token = _http_token(http, listen, env)
    search = top.get("search", dict, {}, "a table [search] of name = URL template with {query}")
    for name, template in search.items():
        if not isinstance(template, str) or "{query}" not in template or not _is_http_url(template):
            raise ConfigError(
                f"{top.origin}: search.{name} = {template!r}: expected an http(s) URL template containing {{query}}"
            )

    storage = _Reader(top.get("storage", dict, {}, "a table [storage]"), "storage.", path)
    storage.check_keys({"retention"})
    retention = storage.duration("retention", 180 * 86400.0, zero_is_none=True)
    if retention is not None and retention < 7 * 86400:
        raise storage.fail("retention", "at least 7d (or 0 to keep items forever)")

    return Settings(
        source=path,
        database_url=database,
        watchlist_paths=watchlists,
        feeds=feeds,
        targets=targets,
        interval=interval,
        http_timeout=fetch.duration("timeout", 10.0),
        fetch_deadline=fetch.duration("deadline", 30.0),
        max_bytes=fetch.checked(
            "max_bytes",
            10 * 1024 * 1024,
            lambda v: isinstance(v, int) and v > 0,
            "a positive number of bytes",
        ),
        concurrency=fetch.checked(
            "concurrency",
            20,
            lambda v: isinstance(v, int) and 0 < v <= 1000,
            "a number from 1 to 1000",
        ),
        per_host=fetch.checked(
            "per_host",
            2,
            lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 1000,
            "a number from 1 to 1000",
        ),
        allow_hosts=tuple(
            fetch.checked(
                "allow_hosts",
                [],
                lambda v: isinstance(v, list) and all(isinstance(h, str) for h in v),
                "a list of host names",
            )
        ),
        error_backoff_max=fetch.duration("backoff_max", 86400.0),
        failing_alert_after=fetch.duration("failing_alert_after", 3 * 86400.0),
        alert_max_age=alerts.duration("max_age", 30 * 86400.0, zero_is_none=True),
        delivery_timeout=alerts.duration("delivery_timeout", 20.0),
        delivery_give_up=alerts.duration("give_up_after", 86400.0),
        log_level=log.checked(
            "level",
            "INFO",
            lambda v: v in ("DEBUG", "INFO", "WARNING", "ERROR"),
            "one of DEBUG, INFO, WARNING, ERROR",
        ).upper(),
        log_format=log.checked(
            "format", "text", lambda v: v in ("text", "json"), "'text' or 'json'"
        ),
        search_templates=dict(search),
        http_listen=listen,
        http_token=http_token,
        templates=_templates(top, path),
        watch_feeds=defaults.get("watch_feeds", bool, True, "true or false"),
        retention=retention,
    )


def _feeds(top: _Reader, path: Path | None) -> tuple[FeedConfig, ...]:
    raw = top.data["feed"]
    if not isinstance(raw, list):
        raise top.fail("feed", "[[feed]] tables, each with a url")
    feeds = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise top.fail("feed", "[[feed]] tables, each with a url")
        r = _Reader(entry, f"feed[{i}].", path)
        r.check_keys({"url", "name", "interval", "official"})
        url = r.checked("url", None, _is_http_url, "an http:// or https:// URL")
        if url in seen:
            raise r.fail("url", "each feed once (this URL is listed twice)")
        seen.add(url)
        interval = r.duration("interval", None)
        if interval is not None and interval < 1:
            raise r.fail("interval", "at least 1s")
        feeds.append(
            FeedConfig(
                url=url,
                name=r.get("name", str, None, "a string"),
                interval=interval,
                official=r.get("official", bool, False, "true or false"),
            )
        )
    return tuple(feeds)


def _targets(top: _Reader, path: Path | None) -> tuple[TargetConfig, ...]:
    raw = top.get("targets", dict, {}, "a table [targets] of name = Apprise URL")
    targets = []
    for name, value in raw.items():
        r = _Reader(raw, "targets.", path)
        options: dict[str, Any] = {}
        if isinstance(value, dict):
            sub = _Reader(value, f"targets.{name}.", path)
            sub.check_keys({"url", *_TARGET_OPTIONS})
            value = sub.checked(
                "url", None, lambda v: isinstance(v, str) and "://" in v, "an Apprise URL"
            )
            options = _target_options(sub)
        elif not isinstance(value, str) or "://" not in value:
            raise ConfigError(
                f"{r.origin}: targets.{name}: expected an Apprise URL such as 'mailtos://user:pass@host?to=me@example.org'"
            )
        if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
            raise ConfigError(
                f"{r.origin}: targets.{name}: a target name uses letters, digits, '-' and '_'"
            )
        targets.append(TargetConfig(name=name, url=value, **options))
    return tuple(targets)


_TARGET_OPTIONS = {
    "mode",
    "digest",
    "digest_at",
    "timezone",
    "rate_limit",
    "quiet",
    "format",
    "title",
    "template",
}
_CLOCK = r"([01]?\d|2[0-3]):[0-5]\d"


def _target_options(r: _Reader) -> dict[str, Any]:
    """The delivery policy and message overrides of one ``[targets.NAME]`` table."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from monitor.messages import check_template

    options: dict[str, Any] = {
        "mode": r.checked(
            "mode", "instant", lambda v: v in ("instant", "digest"), "'instant' or 'digest'"
        ),
        "digest": r.duration("digest", None),
        "digest_at": r.checked(
            "digest_at",
            None,
            lambda v: v is None or (isinstance(v, str) and re.fullmatch(_CLOCK, v) is not None),
            "a time of day such as '08:00'",
        ),
        "timezone": r.get("timezone", str, "UTC", "a time zone name such as 'Europe/Paris'"),
        "format": r.checked(
            "format", None, lambda v: v in (None, "markdown", "text"), "'markdown' or 'text'"
        ),
    }
    if options["digest"] is not None and options["digest"] < 60:
        raise r.fail("digest", "at least 1m")
    if options["digest"] is not None and options["digest_at"] is not None:
        raise r.fail("digest_at", "either digest (an interval) or digest_at (a time), not both")
    try:
        ZoneInfo(options["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise r.fail("timezone", "a time zone name such as 'Europe/Paris' or 'UTC'") from None
    if "rate_limit" in r.data:
        value = r.data["rate_limit"]
        count, _, per = str(value).partition("/")
        try:
            window = parse_duration(per)
            if not count.strip().isdigit() or int(count) < 1 or window <= 0:
                raise ValueError
        except ValueError:
            raise r.fail("rate_limit", "messages per duration, such as '10/10m'") from None
        options["rate_limit"] = (int(count), window)
    if "quiet" in r.data:
        value = r.data["quiet"]
        match = re.fullmatch(rf"\s*({_CLOCK})\s*-\s*({_CLOCK})\s*", str(value))
        if match is None or match.group(1) == match.group(3):
            raise r.fail("quiet", "a time range such as '22:00-07:00'")
        options["quiet"] = (match.group(1), match.group(3))
    for key in ("title", "template"):
        text = r.get(key, str, None, "a template string")
        if text is not None:
            problem = check_template(text)
            if problem:
                raise r.fail(key, problem)
            options[key] = text
    return options


def _templates(top: _Reader, path: Path | None) -> dict[str, str]:
    from monitor.messages import TEMPLATE_KEYS, check_template

    r = _Reader(top.get("templates", dict, {}, "a table [templates]"), "templates.", path)
    r.check_keys(set(TEMPLATE_KEYS))
    found = {}
    for key in r.data:
        text = r.get(key, str, None, "a template string")
        problem = check_template(text)
        if problem:
            raise r.fail(key, problem)
        found[key] = text
    return found


def _is_loopback(listen: str) -> bool:
    host = listen.rpartition(":")[0].strip("[]")
    return host in ("localhost", "") or host.startswith("127.") or host == "::1"


def _http_token(http: _Reader, listen: str | None, env: Mapping[str, str]) -> str | None:
    """The dashboard's token: ``[http] token``, else the file ``[http] token_file`` or
    ``$MONITOR_HTTP_TOKEN_FILE`` names, else systemd's credential ``http_token``
    (``LoadCredential=http_token:...``). Required when ``listen`` is not a loopback address:
    the pages show what is watched and where alerts go."""
    token: str | None = http.checked(
        "token", None, lambda v: v is None or isinstance(v, str), "text"
    )
    file = http.checked("token_file", None, lambda v: v is None or isinstance(v, str), "a path")
    file = file or env.get("MONITOR_HTTP_TOKEN_FILE")
    credentials = env.get("CREDENTIALS_DIRECTORY")
    if token is None and file is None and credentials:
        candidate = Path(credentials) / "http_token"
        file = str(candidate) if candidate.is_file() else None
    if token is None and file is not None:
        try:
            token = Path(file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{http.origin}: http token file {file}: {exc.strerror}") from exc
    if token is not None and len(token) < 16:
        raise ConfigError(f"{http.origin}: http.token: expected at least 16 characters")
    if listen and token is None and not _is_loopback(listen):
        raise ConfigError(
            f"{http.origin}: http.listen = {listen!r} is not a loopback address: "
            "set http.token (or http.token_file) so only you can read the dashboard"
        )
    return token
