"""Logging: one line per event, key=value text or JSON, secrets scrubbed from every line.

Every URL in a line is shown by the one rule of ``monitor.redact`` (user info and query
values hidden), whoever wrote the line.

Apprise logs whole target URLs at its most verbose levels; its logger is held at WARNING and
every record, ours or a library's, passes through SecretFilter before it is written.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

from monitor.redact import redact_urls_in

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class SecretFilter(logging.Filter):
    """Replaces every known secret (target URLs and their parts, feed credentials) with
    ``***``, and hides the user info and query values of every URL (``monitor.redact``)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets: list[str] = []
        self.update(secrets)

    def update(self, secrets: Iterable[str]) -> None:
        """Add secrets (old ones stay: a removed target's URL is still a secret)."""
        self.secrets = sorted(set(self.secrets) | {s for s in secrets if s}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, "***")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = redact_urls_in(self.scrub(record.getMessage()))
        record.msg, record.args = message, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact_urls_in(self.scrub(text))
            record.exc_info = None
        for key, value in vars(record).items():
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact_urls_in(self.scrub(value)))
        return True


# syslog priorities, which journald reads from a "<N>" line prefix (sd-daemon(3))
_PRIORITY = {"CRITICAL": 2, "ERROR": 3, "WARNING": 4, "INFO": 6, "DEBUG": 7}


def _priority(record: logging.LogRecord) -> str:
    return f"<{_PRIORITY.get(record.levelname, 6)}>"


def journald_stream(env: dict[str, str] | None = None) -> bool:
    """True when standard error is the journal: ``$JOURNAL_STREAM`` names its device and
    inode (systemd.exec(5)); a variable inherited by a child whose stderr goes elsewhere
    does not count."""
    value = (os.environ if env is None else env).get("JOURNAL_STREAM", "")
    device, _, inode = value.partition(":")
    try:
        st = os.fstat(sys.stderr.fileno())
    except (OSError, ValueError):
        return False
    return (
        device.isdigit()
        and inode.isdigit()
        and (st.st_dev, st.st_ino)
        == (
            int(device),
            int(inode),
        )
    )


class TextFormatter(logging.Formatter):
    """``level logger: message``; with a timestamp first unless journald adds its own, and
    then with journald's ``<N>`` priority prefix, so ``journalctl -p warning`` works."""

    def __init__(self, timestamps: bool, priorities: bool = False) -> None:
        super().__init__()
        self.timestamps = timestamps
        self.priorities = priorities

    def format(self, record: logging.LogRecord) -> str:
        line = f"{record.levelname.lower()} {record.name}: {record.getMessage()}"
        if self.timestamps:
            when = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            line = f"{when} {line}"
        if record.exc_text:
            line += " | " + record.exc_text.replace("\n", " | ")
        return _priority(record) + line if self.priorities else line


class JsonFormatter(logging.Formatter):
    def __init__(self, priorities: bool = False) -> None:
        super().__init__()
        self.priorities = priorities

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        line = json.dumps(data, default=str, ensure_ascii=False)
        return _priority(record) + line if self.priorities else line


SECRETS = SecretFilter()


def _quiet_apprise(record: logging.LogRecord) -> bool:
    """Apprise's logger runs at DEBUG so ``monitor.delivery.notifier`` can tell why a send failed;
    below WARNING its lines (whole URLs, payloads) stay out of our log."""
    return record.levelno >= logging.WARNING or not record.name.startswith("apprise")


def setup(level: str = "INFO", fmt: str = "text", secrets: Iterable[str] = ()) -> None:
    SECRETS.update(secrets)
    handler = logging.StreamHandler(sys.stderr)
    # systemd sets JOURNAL_STREAM when stderr goes to the journal, which timestamps lines
    # itself and reads each line's priority from its "<N>" prefix
    journald = journald_stream()
    handler.setFormatter(
        JsonFormatter(journald) if fmt == "json" else TextFormatter(not journald, journald)
    )
    handler.addFilter(SECRETS)
    handler.addFilter(_quiet_apprise)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "aiohttp", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # The daemon's job listener says what failed in one line; APScheduler's own lines would
    # add a traceback per failed run and a warning per tick skipped during an outage.
    logging.getLogger("apscheduler").setLevel(logging.CRITICAL)
