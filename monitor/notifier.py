"""Delivery through Apprise: turn an alert into a message and send it to one target.

Apprise 2.x ``notify()`` returns a result whose truth is success, never raises, does not
retry, and waits up to 60 s by default; so each call runs in a worker thread with short
connect/read timeouts, and retries are ours (the delivery outbox, see ``delivery.py``).
Target URLs carry secrets: they are only ever shown through ``redact``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

import apprise

from monitor.errors import NotifyError

log = logging.getLogger(__name__)

EMAIL_SCHEMES = frozenset({"mailto", "mailtos", "email", "ses", "sendgrid", "mailgun", "smtp2go"})
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MENTION = re.compile(
    r"@(everyone|here|channel|all)\b|<!(channel|here|everyone)>|<@[!&]?\w+>", re.IGNORECASE
)


def redact(url: str) -> str:
    """Scheme and host only: ``mmost://chat.example.org/***``. Never the user, password,
    path tokens or query, where Apprise URLs keep their secrets."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid url>"
    return f"{parts.scheme}://{host}{port}/***" if parts.scheme else "<invalid url>"


def secrets_of(url: str) -> list[str]:
    """The pieces of a target URL that must never reach a log line."""
    parts = urlsplit(url)
    pieces = [url, parts.netloc.rsplit("@", 1)[0] if "@" in parts.netloc else ""]
    pieces += [parts.password or "", parts.username or ""]
    pieces += [seg for seg in parts.path.split("/") if len(seg) >= 6]
    pieces += [v for _, v in parse_qsl(parts.query) if len(v) >= 6]
    return sorted({p for p in pieces if p}, key=len, reverse=True)


def safe_text(text: str, limit: int) -> str:
    """Plain text for a notification: no bidi controls, no mass mentions, capped by grapheme-ish
    units (combining marks stay with their base character)."""
    text = " ".join(_BIDI.sub("", text).split())
    text = _MENTION.sub(lambda m: m.group(0).replace("@", "@\u200b").replace("<", "‹"), text)
    if len(text) <= limit:
        return text
    cut = limit - 1
    while cut > 0 and unicodedata.combining(text[cut]):
        cut -= 1
    return text[:cut].rstrip() + "…"


@dataclass(frozen=True)
class AlertView:
    """What a message says; built by the delivery stage from the stored alert."""

    watch: str
    headline: str  # "MAI-1: rumored date 2024-05-16"
    title: str
    link: str | None
    evidence: str
    term: str
    sources: Sequence[tuple[str, str | None]]
    change: str | None = None


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    body_format: str


def _link(url: str | None) -> str:
    return url if url and urlsplit(url).scheme in ("http", "https") else ""


def render(view: AlertView, *, email: bool) -> Message:
    """Chat: short and scannable. Email: a subject that says the news, then the evidence and
    every source of the story."""
    head = safe_text(view.change or view.headline, 200)
    title = safe_text(view.title, 300)
    evidence = safe_text(view.evidence, 600)
    link = _link(view.link)
    source = view.sources[0][0] if view.sources else ""
    if not email:
        lines = [f"**{head}**", title]
        if evidence and evidence not in title:
            lines.append(f"> {evidence}")
        lines.append(" · ".join(x for x in (safe_text(source, 80), link) if x))
        return Message(title=head, body="\n".join(lines), body_format=apprise.NotifyFormat.MARKDOWN)
    watch, _, rest = head.partition(": ")
    subject = f"[{watch}] {rest or head}"
    lines = [head, "", title, link, ""]
    if evidence:
        lines += ["Why: matched “" + safe_text(view.term, 80) + "” in:", f"  “{evidence}”", ""]
    lines.append("Sources:")
    lines += [f"- {safe_text(name, 80)}: {_link(url)}" for name, url in view.sources]
    return Message(title=subject, body="\n".join(lines), body_format=apprise.NotifyFormat.TEXT)


class Notifier:
    """Sends messages to named Apprise targets."""

    def __init__(self, targets: Mapping[str, str], *, timeout: float = 20.0) -> None:
        self.targets = dict(targets)
        self.timeout = timeout

    def is_email(self, target: str) -> bool:
        return urlsplit(self.targets.get(target, "")).scheme.lower() in EMAIL_SCHEMES

    def _apprise(self, target: str) -> apprise.Apprise:
        url = self.targets.get(target)
        if url is None:
            raise NotifyError(f"unknown target {target!r}")
        client = apprise.Apprise()
        if not client.add(_with_timeouts(url, self.timeout)):
            raise NotifyError(f"target {target!r}: not a valid Apprise URL ({redact(url)})")
        return client

    def validate(self) -> list[str]:
        """Problems with the configured targets, for start-up and `monitor notify test`."""
        problems = []
        for name in self.targets:
            try:
                self._apprise(name)
            except NotifyError as exc:
                problems.append(str(exc))
        return problems

    async def send(self, target: str, message: Message) -> str | None:
        """Send; None on success, else a short reason (never containing the URL)."""
        client = self._apprise(target)

        def call() -> bool:
            return bool(
                client.notify(
                    title=message.title, body=message.body, body_format=message.body_format
                )
            )

        try:
            ok = await asyncio.wait_for(asyncio.to_thread(call), self.timeout * 2 + 5)
        except TimeoutError:
            return "timed out"
        return None if ok else "the target did not accept the notification"


def _with_timeouts(url: str, timeout: float) -> str:
    """Apprise's per-URL connect (cto) and read (rto) timeouts, unless the URL sets them."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.setdefault("cto", str(min(timeout, 10)))
    query.setdefault("rto", str(timeout))
    return parts._replace(query=urlencode(query)).geturl()
