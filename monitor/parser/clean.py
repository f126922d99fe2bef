"""Cleaning an item's fields and giving it its identity (rules 5 and 6 of ``monitor.parser``).

Shared by the XML and JSON Feed readers, so both produce the same ``Item`` for the same
article.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit, urlunsplit

from monitor.links import canonical_url
from monitor.model import Item
from monitor.normalize import html_to_text

MAX_TITLE = 512
MAX_SUMMARY = 8 * 1024
MAX_CONTENT = 16 * 1024
MAX_URL = 2 * 1024
MAX_KEY_PART = 256
# Items the daemon keeps per feed, the newest. A feed is a window on recent news; one with
# thousands of items is an archive dump, and handing all of it from the parser worker to the
# daemon (unpickling takes about 1 ms per 1,000 items, and holds the GIL) holds the event loop.
MAX_ITEMS = 1000
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)

C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$")
_WHITESPACE = re.compile(r"\s+")
_TAGLIKE = re.compile(r"<[A-Za-z/!?]")


@dataclass(frozen=True)
class ParsedFeed:
    """A feed as parsed: its own fields, its items in feed order, and what was odd about it."""

    title: str
    language: str | None
    link: str | None
    items: tuple[Item, ...]
    warnings: tuple[str, ...] = ()


def clean_text(value: object, limit: int) -> str:
    """A string with C0 controls (but tab and newlines) and lone surrogates removed, capped."""
    if not isinstance(value, str):
        return ""
    return C0.sub("", value[: limit * 2])[:limit]


def clean_link(value: object, base: str | None = None) -> str | None:
    """An absolute http(s) URL without userinfo, at most MAX_URL long, or None."""
    if not isinstance(value, str):
        return None
    value = C0.sub("", value).strip()
    if not value or len(value) > MAX_URL:
        return None
    try:
        if base:
            value = urljoin(base, value)
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        netloc = parts.netloc.rsplit("@", 1)[-1]
        value = urlunsplit((parts.scheme.lower(), netloc, parts.path, parts.query, parts.fragment))
    except ValueError:
        return None
    return value if len(value) <= MAX_URL else None


def clean_date(value: datetime | None, *, now: datetime | None = None) -> datetime | None:
    """``value`` when it is plausible for a news item, else None (unknown)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    if value < EARLIEST or value > now + FUTURE_SLACK:
        return None
    return value.astimezone(UTC)


def clean_language(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > 35 or not _LANGUAGE.match(value):
        return None
    return value.replace("_", "-").lower()


def plain_title(value: object, is_html: bool) -> str:
    if not isinstance(value, str):
        return ""
    value = value[: MAX_TITLE * 8]
    if is_html or _TAGLIKE.search(value):
        value = html_to_text(value)
    # One line: block elements in a title end no sentence worth keeping.
    return clean_text(_WHITESPACE.sub(" ", value).strip(), MAX_TITLE)


def _key_part(value: str) -> str:
    if len(value) <= MAX_KEY_PART:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def _text_hash(title: str, summary: str) -> str:
    # Plain, case-folded, whitespace-collapsed text: the loose and strict parsers differ in
    # markup and spacing, and the key must not.
    text = f"{html_to_text(title)}\n{html_to_text(summary)}".casefold()
    text = _WHITESPACE.sub(" ", text).strip()
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class Draft:
    """An item's cleaned fields before its key is settled."""

    title: str
    link: str | None
    guid: str | None
    summary: str
    content: str
    published: datetime | None
    language: str | None


def finish_items(drafts: Iterable[Draft], warnings: list[str]) -> tuple[Item, ...]:
    """Give each draft its key (rule 6), dropping empty items and repeats."""
    kept = [d for d in drafts if d.title or d.summary or d.content or d.guid or d.link]
    dropped = 0
    links_by_guid: dict[str, set[str | None]] = {}
    for d in kept:
        if d.guid:
            links_by_guid.setdefault(d.guid, set()).add(d.link and canonical_url(d.link))
    items: list[Item] = []
    seen: set[str] = set()
    for d in kept:
        if d.guid:
            key = "guid:" + _key_part(d.guid)
            if len(links_by_guid[d.guid]) > 1 and d.link:
                key += "|link:" + _key_part(canonical_url(d.link))
        elif d.link:
            key = "link:" + _key_part(canonical_url(d.link))
        else:
            key = "hash:" + _text_hash(d.title, d.summary or d.content)
        if key in seen:
            dropped += 1
            continue
        seen.add(key)
        items.append(
            Item(
                key=key,
                title=d.title,
                link=d.link,
                guid=d.guid,
                summary=d.summary,
                content=d.content,
                published=d.published,
                language=d.language,
            )
        )
    if dropped:
        warnings.append(f"{dropped} item(s) repeat an earlier item's identity and were dropped")
    return tuple(items)


def keep_newest(feed: ParsedFeed, limit: int) -> ParsedFeed:
    """``feed`` with only its ``limit`` items with the latest dates, in feed order, and a
    warning; undated items rank below dated ones, and among themselves by feed order (feeds
    list the newest first)."""
    items = feed.items
    if len(items) <= limit:
        return feed
    ranked = sorted(range(len(items)), key=lambda i: items[i].published or EARLIEST, reverse=True)
    return replace(
        feed,
        items=tuple(items[i] for i in sorted(ranked[:limit])),
        warnings=(*feed.warnings, f"{len(items)} items; only the newest {limit} were kept"),
    )
