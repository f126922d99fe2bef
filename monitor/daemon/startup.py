"""What `monitor run` says when it starts: which config and database it uses, and whether
alerts can reach anyone.

A daemon started on the wrong file (a stray ``./monitor.toml``, a forgotten
``$MONITOR_CONFIG``) or with no target looks healthy while nobody is told anything, so the
start line names both, and a missing ``[targets]`` is a warning, not a silence.
"""

from __future__ import annotations

import logging

from monitor.fetcher.policy import redact
from monitor.settings import Settings

log = logging.getLogger("monitor")

BUILT_IN = "built-in defaults"


def config_label(settings: Settings) -> str:
    """The config file in use, absolute, or ``built-in defaults``."""
    return str(settings.source.resolve()) if settings.source is not None else BUILT_IN


def database_label(settings: Settings) -> str:
    """The database URL without its ``user:pass@`` part."""
    return redact(settings.database_url)


def announce(settings: Settings, event: str, **counts: int) -> None:
    """Log ``event`` with the config, the database and ``counts`` on one line, then warn when
    no target is configured."""
    fields = " ".join(f"{key}={value}" for key, value in counts.items())
    log.info(
        "%s config=%s database=%s%s",
        event,
        config_label(settings),
        database_label(settings),
        f" {fields}" if fields else "",
        extra={"config": config_label(settings), "database": database_label(settings)},
    )
    if not settings.targets:
        log.warning(
            "no target configured: alerts go to the log only (add a [targets] table to %s)",
            "the config" if settings.source is None else config_label(settings),
        )
