"""JSON Feed 1.0/1.1, read with the standard library (rule 2 of ``monitor.parser``).

``content_html`` goes through feedparser's sanitizer, like the HTML of XML feeds; items of
the wrong type are skipped one by one and counted in a warning.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import feedparser.sanitizer

from monitor.errors import ParseError
from monitor.parser.clean import (
    C0,
    MAX_CONTENT,
    MAX_SUMMARY,
    Draft,
    ParsedFeed,
    clean_date,
    clean_language,
    clean_link,
    clean_text,
    finish_items,
    plain_title,
)

JSON_FEED_PREFIX = "https://jsonfeed.org/version/1"


def _json_date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.strip()[:64])
    except ValueError:
        return None
    return clean_date(when) if when.tzinfo is not None else None


def _sanitize_html(markup: str) -> str:
    return str(feedparser.sanitizer._sanitize_html(markup, "utf-8", "text/html"))


def _json_draft(item: Mapping[str, Any], base: str, language: str | None) -> Draft:
    raw_id = item.get("id")
    guid: str | None = None
    if isinstance(raw_id, str):
        guid = C0.sub("", raw_id).strip() or None
    elif isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
        guid = str(raw_id)
    link = clean_link(item.get("url"), base) or clean_link(item.get("external_url"), base)
    text = item.get("content_text")
    markup = item.get("content_html")
    summary = item.get("summary")
    content = _sanitize_html(markup[: MAX_CONTENT * 4]) if isinstance(markup, str) else ""
    if not content and isinstance(text, str):
        content = html.escape(text[: MAX_CONTENT * 2], quote=False)
    summary_text = html.escape(summary, quote=False) if isinstance(summary, str) else ""
    published = _json_date(item.get("date_published")) or _json_date(item.get("date_modified"))
    return Draft(
        title=plain_title(item.get("title"), False),
        link=link,
        guid=guid,
        summary=clean_text(summary_text or content, MAX_SUMMARY),
        content=clean_text(content, MAX_CONTENT),
        published=published,
        language=clean_language(item.get("language")) or language,
    )


def parse_json(url: str, content: bytes) -> ParsedFeed:
    try:
        doc = json.loads(content)
    except RecursionError:
        raise ParseError(url, "parse_error", "JSON nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(url, "parse_error", f"invalid JSON: {exc}"[:200]) from None
    if not isinstance(doc, dict):
        raise ParseError(url, "not_a_feed", "JSON document is not a JSON Feed object")
    version = doc.get("version")
    if not isinstance(version, str) or not version.startswith(JSON_FEED_PREFIX):
        raise ParseError(url, "not_a_feed", "JSON without a JSON Feed version")
    items = doc.get("items")
    if not isinstance(items, list):
        raise ParseError(url, "parse_error", "JSON Feed 'items' is not a list")
    warnings: list[str] = []
    feed_url = clean_link(doc.get("feed_url"), url)
    base = feed_url or url
    language = clean_language(doc.get("language"))
    drafts = [_json_draft(item, base, language) for item in items if isinstance(item, dict)]
    skipped = len(items) - len(drafts)
    if skipped:
        warnings.append(f"{skipped} JSON Feed item(s) are not objects and were skipped")
    if not isinstance(doc.get("title"), str):
        warnings.append("JSON Feed 'title' is not a string")
    return ParsedFeed(
        title=plain_title(doc.get("title"), False),
        language=language,
        link=clean_link(doc.get("home_page_url"), url),
        items=finish_items(drafts, warnings),
        warnings=tuple(warnings),
    )
