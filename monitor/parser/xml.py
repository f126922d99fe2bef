"""RSS 0.9x/1.0/2.0 and Atom through lxml or feedparser, behind byte-level guards (rules 3, 4).

After the guards, ``lxml_reader`` reads the documents it models exactly (the common case:
well-formed UTF-8 RSS 2.0, RSS 1.0 and Atom 1.0) 1.4-4x faster than feedparser (the rest
is feedparser's HTML sanitizer, which both run); it refuses everything else, and any
exception it raises also sends the document to feedparser, the reference. Both answers go
through the same cleaning below.

feedparser always gets ``io.BytesIO`` (given ``str`` or ``bytes`` it may open a path or a
URL). Before it runs, UTF-16/32 is re-encoded as UTF-8, a DOCTYPE internal subset is cut out
(entity expansion made feedparser's loose parser use gigabytes on a 160 KB feed) and numeric
character references outside Unicode are replaced (feedparser raises on them).
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser

from monitor.errors import ParseError
from monitor.feed_discovery import feed_link_in_page
from monitor.parser import lxml_reader
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

_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
# The rest of a DOCTYPE: name and external id, an optional internal subset, then ">".
# Possessive quantifiers keep this linear on hostile input.
_DOCTYPE_REST = re.compile(
    rb"""(?P<head>(?:[^\[>"']++|"[^"]*+"|'[^']*+')*+)"""
    rb"""(?:\[(?:[^\]"'<]++|"[^"]*+"|'[^']*+'|<!--.*?-->|<)*+\]\s*+)?>""",
    re.DOTALL,
)
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_XML_ENCODING = re.compile(r"""^(<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""")


def strip_boms(content: bytes) -> bytes:
    stripped = content.strip()
    while stripped.startswith(_BOMS):
        for bom in _BOMS:
            if stripped.startswith(bom):
                stripped = stripped[len(bom) :].strip()
    return stripped


def is_blank(content: bytes) -> bool:
    if not strip_boms(content):
        return True
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if content.startswith(bom):
            return not content[len(bom) :].decode(codec, "replace").strip("\ufeff \t\r\n")
    return False


def _to_utf8(url: str, content: bytes, headers: dict[str, str]) -> bytes:
    """Re-encode UTF-16/32 documents as UTF-8, so the byte-level guards below see them.

    A byte-order mark (or the UTF-16 pattern of ``<?``) is authoritative (XML 1.0 §F), so the
    declaration and the Content-Type charset are rewritten to match.
    """
    codec = None
    if content.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        codec = "utf-32"
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec = "utf-16"
    elif content.startswith(b"<\x00?\x00"):
        codec = "utf-16-le"
    elif content.startswith(b"\x00<\x00?"):
        codec = "utf-16-be"
    elif content.startswith(b"\x4c\x6f\xa7\x94"):
        raise ParseError(url, "bad_encoding", "EBCDIC documents are not supported")
    if codec is None:
        return content
    try:
        text = content.decode(codec)
    except UnicodeDecodeError as exc:
        raise ParseError(url, "bad_encoding", f"invalid {codec}: {exc.reason}") from None
    text = _XML_ENCODING.sub(r"\1\2utf-8\2", text.lstrip("\ufeff"), count=1)
    ctype = headers.get("content-type", "application/xml").split(";", 1)[0]
    headers["content-type"] = f"{ctype}; charset=utf-8"
    return text.encode("utf-8", "surrogatepass")


def _strip_doctype_subset(url: str, content: bytes) -> tuple[bytes, bool]:
    """Cut a DOCTYPE's internal subset out of the prolog; refuse stray entity declarations.

    The DOCTYPE's name and external id stay (feedparser reads RSS 0.91 Netscape from it;
    it never fetches the external DTD).
    """
    first = _FIRST_ELEMENT.search(content)
    prolog_end = first.start() if first else len(content)
    match = _DOCTYPE.search(content, 0, prolog_end)
    stripped = False
    if match:
        rest = _DOCTYPE_REST.match(content, match.end())
        if rest is None:
            raise ParseError(url, "parse_error", "unterminated DOCTYPE")
        stripped = rest.end() - match.end() != len(rest.group("head")) + 1
        content = (
            content[: match.end()] + rest.group("head").rstrip() + b">" + content[rest.end() :]
        )
        first = _FIRST_ELEMENT.search(content)
        prolog_end = first.start() if first else len(content)
    if _ENTITY_DECL.search(content, 0, prolog_end):
        raise ParseError(url, "parse_error", "entity declaration outside a DOCTYPE")
    return content, stripped


def _fix_charref(match: re.Match[bytes]) -> bytes:
    hexa, dec = match.group(1), match.group(2)
    digits = hexa or dec
    if len(digits) > 8:
        return b"&#xFFFD;"
    code = int(digits, 16 if hexa else 10)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return b"&#xFFFD;"
    return match.group(0)


def _detail_is_html(entry: Mapping[str, Any], field: str) -> bool:
    detail = entry.get(f"{field}_detail") or {}
    return str(detail.get("type", "")).endswith(("html", "xml"))


def _year_written(raw: object, year: int) -> bool:
    # feedparser reads "10000-01-01" as 2010-11-01; a year that is not in the text is a guess.
    if not isinstance(raw, str):
        return True
    return str(year) in raw or re.search(rf"(?<!\d){year % 100:02d}(?!\d)", raw) is not None


def _entry_date(entry: Mapping[str, Any]) -> datetime | None:
    for field in ("published", "updated", "created"):
        parsed = entry.get(f"{field}_parsed")
        if parsed:
            try:
                year, month, day, hour, minute, second = (int(v) for v in parsed[:6])
                when = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
            except (TypeError, ValueError, OverflowError):
                continue
            return when if _year_written(entry.get(field), year) else None
    return None


def _entry_language(entry: Mapping[str, Any]) -> str | None:
    for field in ("title_detail", "summary_detail"):
        detail = entry.get(field) or {}
        lang = clean_language(detail.get("language"))
        if lang:
            return lang
    return None


def _entry_draft(url: str, entry: Mapping[str, Any], language: str | None) -> Draft:
    guid = entry.get("id")
    guid = C0.sub("", guid).strip() if isinstance(guid, str) else None
    link = clean_link(entry.get("link"), url)
    if link is None and guid:
        # Fallback: an Atom id or RSS guid that is itself an http(s) URL is the article.
        link = clean_link(guid) if guid.lower().startswith(("http://", "https://")) else None
    content_parts = [
        c.get("value", "")
        for c in entry.get("content") or ()
        if isinstance(c, Mapping) and isinstance(c.get("value"), str)
    ]
    return Draft(
        title=plain_title(entry.get("title"), _detail_is_html(entry, "title")),
        link=link,
        guid=guid or None,
        summary=clean_text(entry.get("summary", ""), MAX_SUMMARY),
        content=clean_text("\n".join(content_parts), MAX_CONTENT),
        published=clean_date(_entry_date(entry)),
        language=_entry_language(entry) or language,
    )


def _feedparser_read(
    url: str, content: bytes, response_headers: dict[str, str], warnings: list[str]
) -> tuple[Mapping[str, Any], list[Any]]:
    try:
        result = feedparser.parse(
            io.BytesIO(content),
            response_headers=response_headers,
            sanitize_html=True,
            resolve_relative_uris=True,
        )
    except Exception as exc:  # noqa: BLE001 -- feedparser raises on some inputs (issue #599)
        raise ParseError(url, "parse_error", f"{type(exc).__name__}: {exc}"[:200]) from None
    entries = result.get("entries") or []
    version = result.get("version") or ""
    if not entries and not version:
        alternate = feed_link_in_page(url, content)
        hint = f"; the page names a feed at {alternate}" if alternate else ""
        raise ParseError(url, "not_a_feed", f"no RSS, Atom or JSON feed found{hint}")
    if result.get("bozo"):
        problem = result.get("bozo_exception")
        warnings.append(
            f"malformed feed, read leniently: {type(problem).__name__}: {problem}"[:300]
        )
    return result.get("feed") or {}, entries


def _fast_read(
    url: str, content: bytes, response_headers: dict[str, str]
) -> tuple[Mapping[str, Any], list[Any]] | None:
    try:
        document = lxml_reader.read(url, content, response_headers)
    except lxml_reader.Unsupported:
        return None
    except Exception:  # noqa: BLE001 -- any surprise in the fast path: feedparser decides
        return None
    return document.feed, document.entries


def parse_xml(
    url: str, content: bytes, headers: Mapping[str, str], *, fast: bool = True
) -> ParsedFeed:
    """Rules 3 and 4: the byte guards, then the lxml reader, else feedparser.

    ``fast=False`` skips the lxml reader (the reference path, for comparing the two).
    """
    warnings: list[str] = []
    hdrs = {k.lower(): v for k, v in headers.items()}
    content = _to_utf8(url, content, hdrs)
    content, stripped = _strip_doctype_subset(url, content)
    if stripped:
        warnings.append("DOCTYPE internal subset removed (entities are not expanded)")
    content = _CHARREF.sub(_fix_charref, content)
    response_headers = {k: v for k, v in hdrs.items() if k in ("content-type", "content-language")}
    # Without a Content-Type feedparser flags every document (NonXMLContentType); a feed
    # read from a file has none, and its XML declaration is what counts then.
    response_headers.setdefault("content-type", "application/xml")
    response_headers["content-location"] = url
    read = _fast_read(url, content, response_headers) if fast else None
    if read is None:
        read = _feedparser_read(url, content, response_headers, warnings)
    feed, entries = read
    language = clean_language(feed.get("language")) or clean_language(hdrs.get("content-language"))
    drafts = [_entry_draft(url, e, language) for e in entries if isinstance(e, Mapping)]
    return ParsedFeed(
        title=plain_title(feed.get("title"), _detail_is_html(feed, "title")),
        language=language,
        link=clean_link(feed.get("link"), url),
        items=finish_items(drafts, warnings),
        warnings=tuple(warnings),
    )
