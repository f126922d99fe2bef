"""The ``[targets]`` of the config: named Apprise URLs, their delivery policy and where their
secrets come from.

A target's URL is taken from, first hit wins:
1. ``$MONITOR_TARGET_<NAME>`` (the name in capitals, ``-`` as ``_``), then the file named by
   ``$MONITOR_TARGET_<NAME>_FILE``: secrets kept out of the config file (an EnvironmentFile,
   a container's secret);
2. ``$CREDENTIALS_DIRECTORY/target-<name>``: systemd's ``LoadCredential=target-chat:/path``;
3. ``url_file = "/path"`` in ``[targets.<name>]``;
4. the config's own value (``chat = "..."`` or ``url = "..."``).
A variable or credential for a name the config does not list adds that target. A URL value
is never printed in an error, whatever its scheme: Apprise keeps tokens in paths too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from monitor.config.file import Problems, TableReader, parse_duration
from monitor.config.templates import check_template
from monitor.errors import ConfigError

_NAME = re.compile(r"[A-Za-z0-9_-]+")
_ENV_PREFIX = "MONITOR_TARGET_"
_CREDENTIAL_PREFIX = "target-"
_OPTIONS = {
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
_EXPECTED_URL = "an Apprise URL such as 'mailtos://user:pass@host?to=me@example.org'"


@dataclass(frozen=True)
class TargetConfig:
    """A named Apprise URL. ``url`` is secret: never log it, use
    ``monitor.delivery.notifier.redact_target``.

    The other fields are the target's delivery policy (see ``monitor.delivery.policy``) and
    message overrides (see ``monitor.delivery.messages``)."""

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
    # the URL is written in the config file itself (not a variable, a file or a credential)
    in_config_file: bool = field(default=False, compare=False)


def read_secret_file(path: str, what: str) -> str:
    """The first line of a secret file (a URL), without its line end."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ConfigError(f"{what}: cannot read {path}: {reason}") from None
    first = text.strip().splitlines()[0].strip() if text.strip() else ""
    if not first:
        raise ConfigError(f"{what}: {path} is empty")
    return first


def targets_of(
    top: TableReader, problems: Problems, env: Mapping[str, str]
) -> tuple[TargetConfig, ...]:
    """Every target of the config and the environment; each problem kept in ``problems``."""
    raw: dict[str, Any] = problems.attempt(
        partial(top.get, "targets", dict, {}, "a table [targets] of name = Apprise URL"), {}
    )
    names = list(raw) + [n for n in _outside_names(env) if n not in raw]
    found = []
    for name in names:
        target = problems.attempt(partial(_target, top, raw, name, env), None)
        if target is not None:
            found.append(target)
    return tuple(found)


def _outside_names(env: Mapping[str, str]) -> list[str]:
    """Target names given only by the environment or systemd credentials."""
    names = []
    for key in env:
        if key.startswith(_ENV_PREFIX) and env[key]:
            name = key.removeprefix(_ENV_PREFIX).removesuffix("_FILE").lower()
            names.append(name)
    credentials = env.get("CREDENTIALS_DIRECTORY")
    if credentials and Path(credentials).is_dir():
        names += sorted(
            p.name.removeprefix(_CREDENTIAL_PREFIX)
            for p in Path(credentials).iterdir()
            if p.name.startswith(_CREDENTIAL_PREFIX)
        )
    return list(dict.fromkeys(names))


def _outside_url(name: str, env: Mapping[str, str]) -> str | None:
    variable = _ENV_PREFIX + name.upper().replace("-", "_")
    if env.get(variable):
        return env[variable]
    if env.get(f"{variable}_FILE"):
        return read_secret_file(env[f"{variable}_FILE"], f"${variable}_FILE")
    credentials = env.get("CREDENTIALS_DIRECTORY")
    if credentials:
        path = Path(credentials) / f"{_CREDENTIAL_PREFIX}{name}"
        if path.is_file():
            return read_secret_file(str(path), f"credential {path.name}")
    return None


def _target(
    top: TableReader, raw: Mapping[str, Any], name: str, env: Mapping[str, str]
) -> TargetConfig:
    r = top.sub(raw, "targets.")
    if not _NAME.fullmatch(name):
        raise ConfigError(f"{r.at(name)}: targets.{name}: a name uses letters, digits, - and _")
    value = raw.get(name)
    options: dict[str, Any] = {}
    if isinstance(value, dict):
        sub = top.sub(value, f"targets.{name}.")
        sub.check_keys({"url", "url_file", *_OPTIONS})
        options = _options(sub)
        value = value.get("url")
        if value is None and isinstance(sub.data.get("url_file"), str):
            value = read_secret_file(sub.data["url_file"], f"{sub.at('url_file')}: url_file")
    outside = _outside_url(name, env)
    url = outside or value
    if not isinstance(url, str) or "://" not in url:
        where = r.at(name) if name in raw else "environment"
        raise ConfigError(f"{where}: targets.{name}: expected {_EXPECTED_URL}")
    in_file = outside is None and isinstance(raw.get(name), str | dict) and url == value
    return TargetConfig(name=name, url=url.strip(), in_config_file=in_file, **options)


def _options(r: TableReader) -> dict[str, Any]:
    """The delivery policy and message overrides of one ``[targets.NAME]`` table."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
        count, _, per = str(r.data["rate_limit"]).partition("/")
        try:
            window = parse_duration(per)
            if not count.strip().isdigit() or int(count) < 1 or window <= 0:
                raise ValueError
        except ValueError:
            raise r.fail("rate_limit", "messages per duration, such as '10/10m'") from None
        options["rate_limit"] = (int(count), window)
    if "quiet" in r.data:
        match = re.fullmatch(rf"\s*({_CLOCK})\s*-\s*({_CLOCK})\s*", str(r.data["quiet"]))
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
