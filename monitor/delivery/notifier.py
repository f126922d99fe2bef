"""Delivery through Apprise: turn an alert into a message and send it to one target.

Apprise 2.x ``notify()`` returns a result whose truth is success, never raises, does not
retry, and waits up to 60 s by default; so each call runs in a worker thread with short
connect/read timeouts, and retries are ours (the delivery outbox, see ``delivery.py``).
Target URLs carry secrets: they are only ever shown through ``redact_target``.

Apprise (about 15 MB and 40 ms to import, with its plugins) is imported on first use: a
send, a validation, or a target's default format; a daemon with no targets never loads it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from monitor.delivery.messages import (
    MARKDOWN,
    TEXT,
    AlertView,
    Message,
    Style,
    render,
    safe_text,
)
from monitor.delivery.policy import INSTANT, TargetPolicy
from monitor.errors import NotifyError
from monitor.redact import redact_url, redact_urls_in
from monitor.settings import Settings

if TYPE_CHECKING:
    import apprise

log = logging.getLogger(__name__)
_T = TypeVar("_T")

EMAIL_SCHEMES = frozenset({"mailto", "mailtos", "email", "ses", "sendgrid", "mailgun", "smtp2go"})
# Services that render Markdown although their Apprise plugin declares plain text.
MARKDOWN_SERVICES = frozenset({"mmost", "mmosts", "zulip"})


def redact_target(url: str) -> str:
    """Scheme and host only: ``mmost://chat.example.org/***``. Never the user, password,
    path tokens or query, where Apprise URLs keep their secrets."""
    return redact_url(url, keep_path=False)


def secrets_of(url: str) -> list[str]:
    """The pieces of a target URL that must never reach a log line."""
    parts = urlsplit(url)
    pieces = [url, parts.netloc.rsplit("@", 1)[0] if "@" in parts.netloc else ""]
    pieces += [parts.password or "", parts.username or ""]
    pieces += [seg for seg in parts.path.split("/") if len(seg) >= 6]
    pieces += [v for _, v in parse_qsl(parts.query) if len(v) >= 6]
    # the same pieces as they may appear in a log line: percent-encoded or decoded
    pieces += [quote(p, safe="") for p in pieces] + [unquote(p) for p in pieces]
    return sorted({p for p in pieces if p}, key=len, reverse=True)


class Notifier:
    """Sends messages to named Apprise targets, each with its policy and message style."""

    def __init__(
        self,
        targets: Mapping[str, str],
        *,
        timeout: float = 20.0,
        policies: Mapping[str, TargetPolicy] | None = None,
        styles: Mapping[str, Style] | None = None,
    ) -> None:
        self.targets = dict(targets)
        self.timeout = timeout
        self.policies = dict(policies or {})
        self._styles = dict(styles or {})
        # targets whose format their Apprise plugin decides: (email, templates), resolved
        # by ``style`` on first use
        self._plugin_styles: dict[str, tuple[bool, dict[str, str]]] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> Notifier:
        """Targets of the config with their policies and styles (format, templates)."""
        policies, styles, plugin_styles = {}, {}, {}
        for t in settings.targets:
            policies[t.name] = TargetPolicy.of(t)
            email = _scheme(t.url) in EMAIL_SCHEMES
            templates = dict(settings.templates)
            if t.title:
                templates["email_subject" if email else "chat_title"] = t.title
            if t.template:
                templates["email" if email else "chat"] = t.template
            if t.format:
                styles[t.name] = Style(format=t.format, email=email, templates=templates)
            else:
                plugin_styles[t.name] = (email, templates)
        notifier = cls(
            {t.name: t.url for t in settings.targets},
            timeout=settings.delivery_timeout,
            policies=policies,
            styles=styles,
        )
        notifier._plugin_styles = plugin_styles
        return notifier

    def is_email(self, target: str) -> bool:
        return _scheme(self.targets.get(target, "")) in EMAIL_SCHEMES

    def policy(self, target: str) -> TargetPolicy:
        return self.policies.get(target, INSTANT)

    def style(self, target: str) -> Style:
        """How ``target`` wants its messages; by default what its Apprise plugin takes."""
        found = self._styles.get(target)
        if found is None:
            url = self.targets.get(target, "")
            email, templates = self._plugin_styles.get(target, (_scheme(url) in EMAIL_SCHEMES, {}))
            found = Style(format=_plugin_format(url), email=email, templates=templates)
            self._styles[target] = found
        return found

    def render(self, target: str, view: AlertView) -> Message:
        return render(view, style=self.style(target))

    def _apprise(self, target: str) -> apprise.Apprise:
        url = self.targets.get(target)
        if url is None:
            raise NotifyError(f"unknown target {target!r}")
        import apprise

        asset = _asset()
        client = apprise.Apprise(asset=asset)
        if not client.add(_with_timeouts(url, self.timeout), asset=asset):
            raise NotifyError(f"target {target!r}: not a valid Apprise URL ({redact_target(url)})")
        return client

    def validate(self) -> list[str]:
        """Problems with the configured targets, for start-up and `monitor notify test`."""
        problems = []
        # Apprise logs its own line for a URL it cannot read: ours says which target
        apprise_log = logging.getLogger("apprise")
        level = apprise_log.level
        apprise_log.setLevel(logging.CRITICAL)
        try:
            for name in self.targets:
                try:
                    self._apprise(name)
                except NotifyError as exc:
                    problems.append(str(exc))
        finally:
            apprise_log.setLevel(level)
        return problems

    @property
    def longest_send(self) -> float:
        """The most one send may take (connect and read timeouts, then a margin)."""
        return self.timeout * 2 + 5

    async def send(self, target: str, message: Message) -> str | None:
        """Send; None on success, else a short reason (never containing the URL)."""
        client = self._apprise(target)
        title = message.title
        if not self.is_email(target) and all(s.title_maxlen <= 0 for s in client):
            # The service has no title field and Apprise would paste the title, unescaped,
            # above the body; chat bodies start with the headline already.
            title = ""

        secrets = secrets_of(self.targets[target])

        def call() -> str | None:
            with _CAUSES.watch() as said:
                result = client.notify(
                    title=title,
                    body=message.body,
                    body_format=MARKDOWN if message.body_format == MARKDOWN else TEXT,
                )
            if result:
                return None
            cause = _cause(said)
            for secret in secrets:
                cause = cause.replace(secret, "***")
            return cause

        try:
            return await asyncio.wait_for(_in_daemon_thread(call), self.longest_send)
        except TimeoutError:
            return "timed out"


@cache
def _asset() -> apprise.AppriseAsset:
    """Apprise sends in the calling thread (our daemon thread) rather than in its own pool,
    whose threads would hold the process's exit while a target hangs; our wait_for and the
    URL's cto/rto bound the send instead. Older Apprise has no service_timeout."""
    import apprise

    try:
        return apprise.AppriseAsset(service_timeout=0)
    except TypeError:
        return apprise.AppriseAsset()


class _CauseLog(logging.Handler):
    """What Apprise says while one thread sends: its warnings and the exception it caught
    (logged at DEBUG), so a failure reads "SMTP AUTH extension not supported by server"
    rather than only "not accepted" (#18, point 9). Apprise's DEBUG lines never reach our
    own log: ``monitor.logs`` drops them."""

    _WORTH = re.compile(
        r"exception|error|refused|not supported|failed|denied|timed? ?out", re.IGNORECASE
    )

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self._by_thread: dict[int, list[str]] = {}

    @contextlib.contextmanager
    def watch(self) -> Iterator[list[str]]:
        said: list[str] = []
        ident = threading.get_ident()
        self._by_thread[ident] = said
        try:
            yield said
        finally:
            self._by_thread.pop(ident, None)

    def emit(self, record: logging.LogRecord) -> None:
        said = self._by_thread.get(record.thread or 0)
        if said is None:
            return
        text = " ".join(record.getMessage().split())
        if record.levelno >= logging.WARNING or (
            self._WORTH.search(text) and not text.startswith("Response Details")
        ):
            said.append(text[:200])


_CAUSES = _CauseLog()
_apprise_log = logging.getLogger("apprise")
_apprise_log.addHandler(_CAUSES)
_apprise_log.setLevel(logging.DEBUG)


def _cause(said: Sequence[str]) -> str:
    """Why a send failed, in one line."""
    base = "the target did not accept the notification"
    causes = " / ".join(dict.fromkeys(said))
    return redact_urls_in(f"{base}: {causes[:400]}") if causes else base


_RETRY_AFTER = re.compile(r"retry[- ]after\D{0,3}(\d{1,6})", re.IGNORECASE)
_RATE_LIMITED = re.compile(r"\b429\b|too many requests|rate.?limit", re.IGNORECASE)


def retry_after(error: str) -> float | None:
    """The wait a target asked for, from a failure's text: its Retry-After when the plugin
    reports one, else ``0.0`` for a bare 429 (rate-limited, wait unknown), else None."""
    found = _RETRY_AFTER.search(error)
    if found:
        return float(found.group(1))
    return 0.0 if _RATE_LIMITED.search(error) else None


def _in_daemon_thread(call: Callable[[], _T]) -> asyncio.Future[_T]:
    """``call()`` in a daemon thread: a target that never answers holds that thread, never
    the process's exit (a pool thread would be joined at exit; see #18, stop in 10 s)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[_T] = loop.create_future()

    def settle(outcome: Callable[[], None]) -> None:
        if not future.done():
            outcome()

    def run() -> None:
        try:
            value = call()
        except BaseException as exc:  # noqa: BLE001 -- handed to the awaiting task
            error = exc
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(settle, lambda: future.set_exception(error))
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(settle, lambda: future.set_result(value))

    threading.Thread(target=run, daemon=True, name="monitor-send").start()
    return future


def _scheme(url: str) -> str:
    return url.partition("://")[0].lower() if "://" in url else ""


@cache
def _plugin_format(url: str) -> str:
    """Markdown when the target's Apprise plugin takes Markdown (or its service renders it),
    else plain text; HTML targets get plain text, which Apprise escapes for them."""
    if _scheme(url) in MARKDOWN_SERVICES:
        return MARKDOWN
    if _scheme(url) in EMAIL_SCHEMES:
        return TEXT
    import apprise

    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if not plugin:
        return TEXT
    resolved = plugin.resolve_format(apprise.NotifyFormat.MARKDOWN)
    return MARKDOWN if resolved == apprise.NotifyFormat.MARKDOWN else TEXT


def _with_timeouts(url: str, timeout: float) -> str:
    """Apprise's per-URL connect (cto) and read (rto) timeouts, unless the URL sets them."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.setdefault("cto", str(min(timeout, 10)))
    query.setdefault("rto", str(timeout))
    return parts._replace(query=urlencode(query)).geturl()


__all__ = [
    "EMAIL_SCHEMES",
    "AlertView",
    "Message",
    "Notifier",
    "redact_target",
    "render",
    "safe_text",
    "secrets_of",
]
