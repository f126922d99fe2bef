"""Settings: built once from the TOML config file and the environment, then passed down.

Where the config comes from, first hit wins: ``--config PATH``, ``$MONITOR_CONFIG``,
``./monitor.toml``, ``/etc/monitor/monitor.toml``, else built-in defaults (SQLite in the
user's state directory, the bundled watchlists, a default set of public AI-news feeds,
alerts to the log only). ``$MONITOR_DATABASE_URL`` overrides the database URL.

Every wrong key or value is a ConfigError naming the file and line, the key and what is
expected, so a typo never silently falls back to a default; reading goes on past a problem,
and one ConfigError lists them all (``monitor.config.file``). Stage modules never read the
environment: they receive values from here.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

from monitor.config.file import KeyLines, Problems, TableReader, parse_duration, read_toml
from monitor.config.targets import TargetConfig, read_secret_file, targets_of
from monitor.config.templates import DEFAULT_SEARCH_TEMPLATES, TEMPLATE_KEYS, check_template
from monitor.errors import ConfigError
from monitor.redact import redact_url

__all__ = ["ConfigError", "Settings", "TargetConfig", "load_settings", "parse_duration"]

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


@dataclass(frozen=True)
class FeedConfig:
    url: str
    name: str | None = None
    interval: float | None = None
    official: bool = False


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
    # message templates of [templates] (monitor.config.templates.TEMPLATE_KEYS)
    templates: Mapping[str, str] = field(default_factory=dict)
    # poll the feeds and search feeds that watches name (off for the offline demo)
    watch_feeds: bool = True
    # storage: items first seen longer ago are pruned (None: kept forever)
    retention: float | None = 180 * 86400.0

    def target_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.targets)

    def search_names(self) -> tuple[str, ...]:
        """Search sources a watch may name: the built-in ones and those of [search]."""
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
    """The settings, or one ConfigError listing every problem of the file, a line each."""
    env = os.environ if env is None else env
    path = config_path(explicit, env)
    data: dict[str, Any] = {}
    keys = None
    if path is not None:
        data, text = read_toml(path)
        keys = KeyLines(text)
    problems = Problems()
    settings = _build(TableReader(data, "", path, keys), problems, env)
    problems.raise_any()
    return settings


def _is_http_url(value: Any) -> bool:
    return isinstance(value, str) and urlsplit(value).scheme in ("http", "https") and "://" in value


def _one_to_1000(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 1000


def _is_listen_address(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    found = re.fullmatch(r"(\[[0-9a-fA-F:]+\]|[\w.-]+):(\d{1,5})", value)
    return found is not None and int(found.group(2)) <= 65535


def _build(top: TableReader, problems: Problems, env: Mapping[str, str]) -> Settings:
    """Every value of the file, checked; each wrong one is kept in ``problems`` and its
    default used meanwhile, so the reading goes on and every problem is reported."""
    attempt = problems.attempt
    path = top.path
    attempt(lambda: top.check_keys(_TOP_KEYS), None)
    base = path.resolve().parent if path else Path.cwd()
    database = attempt(lambda: _database(top, env), default_database_url(env))

    def watchlist_paths() -> tuple[Path, ...]:
        raw = top.get("watchlists", list, None, "a list of watchlist files or folders")
        if raw is None:
            return (BUNDLED_WATCHLISTS,)
        if not all(isinstance(p, str) and p for p in raw):
            raise top.fail("watchlists", "a list of paths (strings)")
        return tuple(base / Path(p).expanduser() for p in raw)

    watchlists = attempt(watchlist_paths, (BUNDLED_WATCHLISTS,))
    defaults = attempt(lambda: top.table("defaults", "defaults"), top.sub({}, "defaults."))
    attempt(lambda: defaults.check_keys({"interval", "watch_feeds"}), None)
    interval = attempt(lambda: _interval(defaults, 600.0), 600.0)
    default_feeds = tuple(FeedConfig(url=u, name=n, official=o) for u, n, o in DEFAULT_FEEDS)
    feeds = _feeds(top, problems) if "feed" in top.data else default_feeds
    targets = targets_of(top, problems, env)
    tables: dict[str, TableReader] = {}
    for name, keys in _TABLE_KEYS.items():
        tables[name] = attempt(partial(top.table, name, name), top.sub({}, f"{name}."))
        attempt(partial(tables[name].check_keys, keys), None)
    fetch, alerts, log = tables["fetch"], tables["alerts"], tables["log"]
    listen = attempt(
        lambda: tables["http"].checked(
            "listen", None, _is_listen_address, "host:port such as '127.0.0.1:8787'"
        ),
        None,
    )
    search: dict[str, str] = attempt(partial(_search, top), {})

    http_token = attempt(lambda: _http_token(tables["http"], listen, env), None)

    def retention() -> float | None:
        r = tables["storage"]
        value = r.duration("retention", 180 * 86400.0, zero_is_none=True, maximum=_CENTURY)
        if value is not None and value < 7 * 86400:
            raise r.fail("retention", "at least 7d (or 0 to keep items forever)")
        return value  # type: ignore[no-any-return]

    def number(r: TableReader, key: str, default: int, test: Any, expected: str) -> Any:
        return attempt(lambda: r.checked(key, default, test, expected), default)

    def duration(r: TableReader, key: str, default: float | None, **kw: Any) -> Any:
        return attempt(lambda: r.duration(key, default, **kw), default)

    return Settings(
        source=path,
        database_url=database,
        watchlist_paths=watchlists,
        feeds=feeds,
        targets=targets,
        interval=interval,
        http_timeout=duration(fetch, "timeout", 10.0, maximum=3600),
        fetch_deadline=duration(fetch, "deadline", 30.0, maximum=3600),
        max_bytes=number(
            fetch,
            "max_bytes",
            10 * 1024 * 1024,
            lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 2**40,
            "a positive number of bytes",
        ),
        concurrency=number(fetch, "concurrency", 20, _one_to_1000, "a number from 1 to 1000"),
        per_host=number(fetch, "per_host", 2, _one_to_1000, "a number from 1 to 1000"),
        allow_hosts=tuple(
            number(
                fetch,
                "allow_hosts",
                [],  # type: ignore[arg-type]
                lambda v: isinstance(v, list) and all(isinstance(h, str) for h in v),
                "a list of host names",
            )
        ),
        error_backoff_max=duration(fetch, "backoff_max", 86400.0),
        failing_alert_after=duration(fetch, "failing_alert_after", 3 * 86400.0),
        alert_max_age=duration(alerts, "max_age", 30 * 86400.0, zero_is_none=True),
        delivery_timeout=duration(alerts, "delivery_timeout", 20.0, maximum=3600),
        delivery_give_up=duration(alerts, "give_up_after", 86400.0),
        log_level=number(
            log,
            "level",
            "INFO",  # type: ignore[arg-type]
            lambda v: v in ("DEBUG", "INFO", "WARNING", "ERROR"),
            "one of DEBUG, INFO, WARNING, ERROR",
        ).upper(),
        log_format=number(
            log,
            "format",
            "text",  # type: ignore[arg-type]
            lambda v: v in ("text", "json"),
            "'text' or 'json'",
        ),
        search_templates=dict(search),
        http_listen=listen,
        http_token=http_token,
        templates=attempt(lambda: _templates(top), {}),
        watch_feeds=attempt(lambda: defaults.get("watch_feeds", bool, True, "true or false"), True),
        retention=attempt(retention, 180 * 86400.0),
    )


_TOP_KEYS = {
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
_TABLE_KEYS = {
    "fetch": {
        "timeout",
        "deadline",
        "max_bytes",
        "concurrency",
        "per_host",
        "allow_hosts",
        "backoff_max",
        "failing_alert_after",
    },
    "alerts": {"max_age", "delivery_timeout", "give_up_after"},
    "log": {"level", "format"},
    "http": {"listen", "token", "token_file"},
    "storage": {"retention"},
}
_CENTURY = 100 * 365 * 86400.0
MAX_INTERVAL = 30 * 86400.0  # a feed polled less than monthly is not being watched


def _database(top: TableReader, env: Mapping[str, str]) -> str:
    """``$MONITOR_DATABASE_URL``, else the file named by ``$MONITOR_DATABASE_URL_FILE``, else
    ``database``, else SQLite in the state directory."""
    database = top.get(
        "database", str, None, "a database URL (sqlite:////abs/path or postgresql+psycopg://...)"
    )
    from_file = env.get("MONITOR_DATABASE_URL_FILE")
    if from_file and not env.get("MONITOR_DATABASE_URL"):
        database = read_secret_file(from_file, "$MONITOR_DATABASE_URL_FILE")
    database = env.get("MONITOR_DATABASE_URL") or database or default_database_url(env)
    if not database.startswith(("sqlite", "postgresql")):
        raise ConfigError(
            f"{top.at('database')}: database = {redact_url(database)!r}: expected a "
            "sqlite:/// or postgresql+psycopg:// URL"
        )
    return str(database)


def _interval(r: TableReader, default: float | None) -> Any:
    value = r.duration("interval", default, maximum=MAX_INTERVAL)
    if value is not None and value < 1:
        raise r.fail("interval", "at least 1s (minutes are polite to feed servers)")
    return value


def _search(top: TableReader) -> dict[str, str]:
    search = top.get("search", dict, {}, "a table [search] of name = URL template with {query}")
    r = top.sub(search, "search.")
    bad = [
        f"{r.at(name)}: search.{name} = {template!r}: expected an "
        "http(s) URL template containing {query}"
        for name, template in search.items()
        if not isinstance(template, str) or "{query}" not in template or not _is_http_url(template)
    ]
    if bad:
        raise ConfigError("\n".join(bad))
    return dict(search)


def _feeds(top: TableReader, problems: Problems) -> tuple[FeedConfig, ...]:
    raw = top.data["feed"]
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        problems.lines.append(str(top.fail("feed", "[[feed]] tables, each with a url")))
        return ()
    feeds = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        r = top.sub(entry, f"feed[{i}].")

        def one(r: TableReader = r) -> FeedConfig:
            r.check_keys({"url", "name", "interval", "official"})
            url = r.checked("url", None, _is_http_url, "an http:// or https:// URL")
            if url in seen:
                raise r.fail("url", "each feed once (this URL is listed twice)")
            seen.add(url)
            return FeedConfig(
                url=url,
                name=r.get("name", str, None, "a string"),
                interval=_interval(r, None),
                official=r.get("official", bool, False, "true or false"),
            )

        feed = problems.attempt(one, None)
        if feed is not None:
            feeds.append(feed)
    return tuple(feeds)


def _templates(top: TableReader) -> dict[str, str]:
    r = top.table("templates", "templates")
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


def _http_token(http: TableReader, listen: str | None, env: Mapping[str, str]) -> str | None:
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
        token = read_secret_file(file, f"{http.at('token_file')}: http token file")
    if token is not None and len(token) < 16:
        raise ConfigError(f"{http.at('token')}: http.token: expected at least 16 characters")
    if listen and token is None and not _is_loopback(listen):
        raise ConfigError(
            f"{http.at('listen')}: http.listen = {listen!r} is not a loopback address: "
            "set http.token (or http.token_file) so only you can read the dashboard"
        )
    return token
