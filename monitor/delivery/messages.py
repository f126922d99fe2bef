"""Messages: an alert (or a digest of alerts) as the words a person reads, made safe.

Rules, in this order, for every piece of feed text that reaches a message:
1. Plain text: tags are stripped and entities decoded, once (the parser already gives plain
   text; a value that still looks like HTML is converted, anything else is left as it is so
   ``&amp;`` in a plain title is never decoded twice).
2. Bidi controls and other control characters are removed, whitespace is collapsed to one
   line, and chat mass mentions (``@everyone``, ``@here``, ``<!channel>``, ``<@U123>``) are
   neutralised with a zero-width space or a look-alike bracket.
3. Lengths are capped by grapheme cluster (``regex``'s ``\\X``), so a cut never splits an
   emoji sequence or a letter from its accents.
4. The value is escaped for the target's format: CommonMark escapes for Markdown targets,
   nothing for plain text (Apprise escapes plain text itself for HTML targets).
5. Links: only http(s), without user info, shown as the real URL (``<https://…>`` in
   Markdown), never as feed-chosen link text.

Templates are ``string.Template`` strings (``$field``), set in ``[templates]`` for every
target or per target (``title``/``template``). A template line whose fields are all empty is
left out, so ``> $evidence`` disappears when there is no evidence.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote, urlsplit

import regex

from monitor.config.templates import DEFAULT_TEMPLATES, FIELDS, TEMPLATE_KEYS, check_template
from monitor.links import without_tracking
from monitor.normalize import html_to_text

MARKDOWN = "markdown"
TEXT = "text"

_BIDI_AND_CONTROLS = re.compile(
    "[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)
_MENTION = re.compile(
    r"@(everyone|here|channel|all|room)\b|<[!@#][^<>\s]{0,64}>", re.IGNORECASE | re.UNICODE
)
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<!--")
_GRAPHEME = regex.compile(r"\X")
_MD_ESCAPE = re.compile(r"([\\`*_{}\[\]()<>#+!|~])|&(?=#?[0-9A-Za-z]{1,32};)")
_MD_LINE_START = re.compile(r"^(\s*)([-=+>]|\d+)([.)]?)")


def plain(text: str) -> str:
    """Rule 1: plain text, entities decoded once."""
    return html_to_text(text) if _TAG.search(text) else text


def cap(text: str, limit: int) -> str:
    """At most ``limit`` grapheme clusters; a cut ends with an ellipsis."""
    if len(text) <= limit:
        return text
    clusters = _GRAPHEME.findall(text)
    if len(clusters) <= limit:
        return text
    return "".join(clusters[: limit - 1]).rstrip() + "…"


def safe_text(text: str, limit: int) -> str:
    """Rules 1–3: one line of plain text, fit to show in any chat."""
    text = " ".join(_BIDI_AND_CONTROLS.sub("", plain(text)).split())
    text = _MENTION.sub(
        lambda m: m.group(0).replace("@", "@\u200b").replace("<", "‹").replace(">", "›"), text
    )
    return cap(text, limit)


def escape_markdown(text: str) -> str:
    """CommonMark escapes for inline text; a value that starts a line cannot start a list,
    a heading or a quote."""
    text = _MD_ESCAPE.sub(lambda m: "\\" + m.group(1) if m.group(1) else "&amp;", text)

    def line_start(m: re.Match[str]) -> str:
        if m.group(2).isdigit():  # "1." starts a list; the escape goes on the dot
            return m.group(1) + m.group(2) + ("\\" + m.group(3) if m.group(3) else "")
        return m.group(1) + "\\" + m.group(2) + m.group(3)

    return _MD_LINE_START.sub(line_start, text)


def safe_link(url: str | None) -> str:
    """Rule 5: an http(s) URL without user info, percent-encoded so it stays one token."""
    if not url:
        return ""
    url = "".join(url.split())
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not host:
        return ""
    if ":" in host:
        host = f"[{host}]"
    clean = parts._replace(scheme=parts.scheme.lower(), netloc=host + port, fragment="").geturl()
    return quote(_BIDI_AND_CONTROLS.sub("", clean), safe="/:?&=#%+@,;~!$'*-._[]")[:2048]


@dataclass(frozen=True)
class TimelineEntry:
    """A date claimed for a watch: when, what, by whom."""

    seen: datetime
    dates: tuple[str, ...]
    rumored: bool
    official: bool
    source: str
    signal: str = "dated"


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
    signal: str = ""
    dates: Sequence[str] = ()
    timeline: Sequence[TimelineEntry] = ()
    created: datetime | None = None


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    body_format: str


# -- templates ---------------------------------------------------------------------------------

_DANGLING_DOT = re.compile(r"\s+·\s*$|^\s*·\s+")
_PLACEHOLDER = re.compile(r"\$(?:(\w+)|\{(\w+)\})")


@dataclass(frozen=True)
class Style:
    """How one target wants its messages: format and template overrides."""

    format: str = MARKDOWN
    email: bool = False
    templates: Mapping[str, str] = field(default_factory=dict)

    def template(self, key: str) -> str:
        return self.templates.get(key) or DEFAULT_TEMPLATES[key]


def _fill(template: str, values: Mapping[str, str]) -> str:
    """Substitute line by line; drop a line whose placeholders are all empty."""
    lines = []
    for line in template.split("\n"):
        names = [a or b for a, b in _PLACEHOLDER.findall(line)]
        if names and not any(values.get(n) for n in names):
            continue
        filled = string.Template(line).safe_substitute(values)
        if names and not all(values.get(n) for n in names):  # "$source · $link", no link
            filled = _DANGLING_DOT.sub("", filled)
        lines.append(filled)
    return "\n".join(lines).strip("\n")


def _news(view: AlertView) -> str:
    text = view.change or view.headline
    prefix = f"{view.watch}: "
    return text.removeprefix(prefix)


def _timeline_lines(view: AlertView) -> list[str]:
    lines = []
    for entry in view.timeline:
        certainty = "confirmed" if entry.official else ("rumored" if entry.rumored else "")
        what = (
            f"released {', '.join(entry.dates)}".strip()
            if entry.signal == "released"
            else f"{certainty + ' ' if certainty else ''}date {', '.join(entry.dates)}"
        )
        lines.append(f"- {entry.seen.date().isoformat()}: {what} ({safe_text(entry.source, 80)})")
    return lines or ["- no date claimed yet"]


def values_for(view: AlertView, style: Style) -> dict[str, str]:
    """Template field values, made safe (rules 1–5) and escaped for the style's format."""
    md = style.format == MARKDOWN

    def text(value: str, limit: int) -> str:
        safe = safe_text(value, limit)
        return escape_markdown(safe) if md else safe

    def link(url: str | None) -> str:
        safe = safe_link(without_tracking(url) if url else url)
        return f"<{safe}>" if md and safe else safe

    headline = view.change or view.headline
    source = view.sources[0][0] if view.sources else ""
    sources = [
        f"- {text(name, 80)}" + (f": {link(url)}" if safe_link(url) else "")
        for name, url in view.sources
    ]
    timeline = _timeline_lines(view)
    return {
        "watch": text(view.watch, 80),
        "news": text(_news(view), 200),
        "headline": text(headline, 200),
        "title": text(view.title, 300),
        "evidence": ""
        if safe_text(view.evidence, 600) in safe_text(view.title, 300) and not style.email
        else text(view.evidence, 600),
        "term": text(view.term, 80),
        "signal": text(view.signal, 20),
        "dates": text(", ".join(view.dates), 120),
        "source": text(source, 80),
        "link": link(view.link),
        "sources": "\n".join(sources[:20]),
        "timeline": "\n".join(escape_markdown(x) if md else x for x in timeline[-12:]),
        "created": view.created.isoformat(timespec="minutes") if view.created else "",
    }


def render(view: AlertView, *, email: bool = False, style: Style | None = None) -> Message:
    """Chat: short and scannable. Email: a subject that says the news, then the evidence,
    every source of the story and the watch's timeline so far."""
    style = style or Style(format=TEXT if email else MARKDOWN, email=email)
    values = values_for(view, style)
    if style.email:
        # A subject is one plain line, whatever the body's format.
        subject_values = values_for(view, Style(format=TEXT, email=True))
        title = _fill(style.template("email_subject"), subject_values)
        body = _fill(style.template("email"), values)
    else:
        title = _fill(style.template("chat_title"), values_for(view, Style(format=TEXT)))
        body = _fill(style.template("chat"), values)
    return Message(title=cap(" ".join(title.split()), 250), body=body, body_format=style.format)


def render_digest(views: Sequence[AlertView], style: Style) -> Message:
    """One message listing the alerts, oldest first."""
    md = style.format == MARKDOWN
    watches = list(dict.fromkeys(safe_text(v.watch, 40) for v in views))
    count = f"{len(views)} alert{'s' if len(views) != 1 else ''}"
    title = cap(f"newsmonitor digest: {count} ({', '.join(watches)})", 250)
    blocks = []
    for view in views:
        values = values_for(view, Style(format=style.format, email=style.email))
        head = f"**{values['headline']}**" if md else values["headline"]
        line = f"{head}: {values['title']}" if values["title"] else head
        where = " · ".join(x for x in (values["source"], values["link"]) if x)
        blocks.append(f"- {line}\n  {where}" if where else f"- {line}")
    return Message(title=title, body="\n".join(blocks), body_format=style.format)


def render_notice(target: str, count: int, error: str, give_up: float) -> Message:
    """The operator notice sent once when a target's deliveries are given up."""
    hours = give_up / 3600
    span = f"{hours:g} h" if hours >= 1 else f"{give_up / 60:g} min"
    what = f"{count} alert{'s' if count != 1 else ''}"
    return Message(
        title=f"newsmonitor: delivery to {target!r} failed",
        body=(
            f"{what} could not be delivered to target {target!r} after {span} of retries "
            f"(last error: {safe_text(error, 200)}). They are kept and marked failed; "
            "see `monitor alerts` and `monitor status`, and check the target with "
            f"`monitor notify test {target}`."
        ),
        body_format=TEXT,
    )


def sample_view() -> AlertView:
    """The alert `monitor notify test` sends, so each target shows its real format."""
    return AlertView(
        watch="newsmonitor",
        headline="newsmonitor: test notification",
        title="If you can read this, alerts will reach you here.",
        link=None,
        evidence="",
        term="test",
        sources=[("newsmonitor", None)],
    )


__all__ = [
    "DEFAULT_TEMPLATES",
    "FIELDS",
    "TEMPLATE_KEYS",
    "AlertView",
    "Message",
    "Style",
    "TimelineEntry",
    "cap",
    "check_template",
    "escape_markdown",
    "plain",
    "render",
    "render_digest",
    "render_notice",
    "safe_link",
    "safe_text",
]
