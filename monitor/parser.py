"""Parse stage: feed bytes and response headers → ParsedFeed (items with their keys).

Rules, in the order they apply:

1. A body that is empty, or only whitespace and byte-order marks, is ``empty``.
2. A body that starts with ``{`` is a JSON Feed (1.0/1.1, read with the standard library);
   its ``version`` must start with ``https://jsonfeed.org/version/1`` or it is ``not_a_feed``.
   Items of the wrong type are skipped one by one and counted in a warning.
3. Anything else goes to feedparser, always as ``io.BytesIO`` (given ``str`` or ``bytes`` it
   may open a path or a URL), with the response headers and ``Content-Location`` set to the
   feed URL so relative links resolve against it. Before that, a DOCTYPE internal subset is
   cut out (entity expansion made feedparser's loose parser use gigabytes on a 160 KB feed)
   and numeric character references outside Unicode are replaced (feedparser raises on them).
   Whatever feedparser still raises is ``parse_error``.
4. No feed version and no entries (an HTML page, garbage) is ``not_a_feed``; a feed that is
   malformed but yields entries is kept, with a warning.
5. Each item is cleaned: C0 controls except tab and newlines removed (PostgreSQL rejects NUL),
   title 512 chars, summary 8 KiB, content 16 KiB, links http(s) only, without userinfo, at
   most 2 KiB. A date before 1995 or more than a day ahead is unknown (``published=None``;
   the store uses first-seen). The item's language falls back to the feed's.
6. ``Item.key``, the identity within the feed: ``guid:<trimmed guid>``, else
   ``link:<canonical link>`` (tracking parameters dropped), else ``hash:<sha256 of title and
   summary as plain text>``. When one guid is shared by items with different links, those items
   get ``guid:<guid>|link:<canonical link>``. Items with the same key collapse to the first;
   an item with no title, text, guid or link is skipped.

``parse_in_worker`` runs ``parse`` in a process with an address-space limit and a time
limit, so a hostile feed costs a worker, never the daemon.
"""

from __future__ import annotations

import asyncio
import codecs
import concurrent.futures
import hashlib
import html
import io
import json
import logging
import multiprocessing
import re
import resource
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import feedparser
import feedparser.sanitizer

from monitor.errors import FeedError, ParseError
from monitor.links import canonical_url
from monitor.model import Item

log = logging.getLogger(__name__)

MAX_TITLE = 512
MAX_SUMMARY = 8 * 1024
MAX_CONTENT = 16 * 1024
MAX_URL = 2 * 1024
MAX_KEY_PART = 256
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)
JSON_FEED_PREFIX = "https://jsonfeed.org/version/1"

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
_ALTERNATE = re.compile(
    r"""<link\b[^>]*\brel=["']?alternate["']?[^>]*>""", re.IGNORECASE | re.DOTALL
)
_HREF = re.compile(r"""\bhref=["']([^"']+)["']""", re.IGNORECASE)
_FEED_TYPE = re.compile(
    r"""\btype=["']application/(?:rss|atom|feed)\+(?:xml|json)""", re.IGNORECASE
)
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


# --------------------------------------------------------------------------- text helpers


class _TextExtractor(HTMLParser):
    """HTML to plain text without recursion (50,000 nested tags are fine)."""

    _SKIP = frozenset({"script", "style", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    return _WHITESPACE.sub(" ", "".join(extractor.parts)).strip()


def clean_text(value: object, limit: int) -> str:
    """A string with C0 controls (but tab and newlines) and lone surrogates removed, capped."""
    if not isinstance(value, str):
        return ""
    return _C0.sub("", value[: limit * 2])[:limit]


def clean_link(value: object, base: str | None = None) -> str | None:
    """An absolute http(s) URL without userinfo, at most MAX_URL long, or None."""
    if not isinstance(value, str):
        return None
    value = _C0.sub("", value).strip()
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


def _plain_title(value: object, is_html: bool) -> str:
    if not isinstance(value, str):
        return ""
    value = value[: MAX_TITLE * 8]
    if is_html or _TAGLIKE.search(value):
        value = html_to_text(value)
    else:
        value = _WHITESPACE.sub(" ", value).strip()
    return clean_text(value, MAX_TITLE)


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


# --------------------------------------------------------------------------- items


@dataclass(frozen=True)
class _Draft:
    """An item's cleaned fields before its key is settled."""

    title: str
    link: str | None
    guid: str | None
    summary: str
    content: str
    published: datetime | None
    language: str | None


def _finish_items(drafts: Iterable[_Draft], warnings: list[str]) -> tuple[Item, ...]:
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


# --------------------------------------------------------------------------- XML feeds


def _strip_boms(content: bytes) -> bytes:
    stripped = content.strip()
    while stripped.startswith(_BOMS):
        for bom in _BOMS:
            if stripped.startswith(bom):
                stripped = stripped[len(bom) :].strip()
    return stripped


def _is_blank(content: bytes) -> bool:
    if not _strip_boms(content):
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


def _alternate_link(url: str, content: bytes) -> str | None:
    text = content[:65536].decode("utf-8", "replace")
    for tag in _ALTERNATE.findall(text):
        href = _HREF.search(tag)
        if href and _FEED_TYPE.search(tag):
            return clean_link(html.unescape(href.group(1)), url)
    return None


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


def _entry_draft(url: str, entry: Mapping[str, Any], language: str | None) -> _Draft:
    guid = entry.get("id")
    guid = _C0.sub("", guid).strip() if isinstance(guid, str) else None
    link = clean_link(entry.get("link"), url)
    if link is None and guid:
        # Fallback: an Atom id or RSS guid that is itself an http(s) URL is the article.
        link = clean_link(guid) if guid.lower().startswith(("http://", "https://")) else None
    content_parts = [
        c.get("value", "")
        for c in entry.get("content") or ()
        if isinstance(c, Mapping) and isinstance(c.get("value"), str)
    ]
    return _Draft(
        title=_plain_title(entry.get("title"), _detail_is_html(entry, "title")),
        link=link,
        guid=guid or None,
        summary=clean_text(entry.get("summary", ""), MAX_SUMMARY),
        content=clean_text("\n".join(content_parts), MAX_CONTENT),
        published=clean_date(_entry_date(entry)),
        language=_entry_language(entry) or language,
    )


def _parse_xml(url: str, content: bytes, headers: Mapping[str, str]) -> ParsedFeed:
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
        alternate = _alternate_link(url, content)
        hint = f"; the page names a feed at {alternate}" if alternate else ""
        raise ParseError(url, "not_a_feed", f"no RSS, Atom or JSON feed found{hint}")
    if result.get("bozo"):
        problem = result.get("bozo_exception")
        warnings.append(
            f"malformed feed, read leniently: {type(problem).__name__}: {problem}"[:300]
        )
    feed = result.get("feed") or {}
    language = clean_language(feed.get("language")) or clean_language(hdrs.get("content-language"))
    drafts = [_entry_draft(url, e, language) for e in entries if isinstance(e, Mapping)]
    return ParsedFeed(
        title=_plain_title(feed.get("title"), _detail_is_html(feed, "title")),
        language=language,
        link=clean_link(feed.get("link"), url),
        items=_finish_items(drafts, warnings),
        warnings=tuple(warnings),
    )


# --------------------------------------------------------------------------- JSON Feed


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


def _json_draft(item: Mapping[str, Any], base: str, language: str | None) -> _Draft:
    raw_id = item.get("id")
    guid: str | None = None
    if isinstance(raw_id, str):
        guid = _C0.sub("", raw_id).strip() or None
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
    return _Draft(
        title=_plain_title(item.get("title"), False),
        link=link,
        guid=guid,
        summary=clean_text(summary_text or content, MAX_SUMMARY),
        content=clean_text(content, MAX_CONTENT),
        published=published,
        language=clean_language(item.get("language")) or language,
    )


def _parse_json(url: str, content: bytes) -> ParsedFeed:
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
        title=_plain_title(doc.get("title"), False),
        language=language,
        link=clean_link(doc.get("home_page_url"), url),
        items=_finish_items(drafts, warnings),
        warnings=tuple(warnings),
    )


# --------------------------------------------------------------------------- entry points


def parse(url: str, content: bytes, headers: Mapping[str, str]) -> ParsedFeed:
    """Parse one fetched feed body; raise ParseError (empty, not_a_feed, parse_error, bad_encoding)."""
    if _is_blank(content):
        raise ParseError(url, "empty", "empty body")
    head = _strip_boms(content[:1024])
    if head.startswith((b"{", b"[")):
        return _parse_json(url, content)
    return _parse_xml(url, content, headers)


def _limit_worker(memory_mb: int) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _parse_job(
    url: str, content: bytes, headers: dict[str, str]
) -> ParsedFeed | tuple[str, str, str]:
    # FeedError does not survive pickling (its args are the formatted message), so errors
    # travel back as (url, kind, detail).
    try:
        return parse(url, content, headers)
    except FeedError as exc:
        return (exc.url, exc.kind, exc.detail)
    except MemoryError:
        return (url, "parse_error", "parser ran out of memory")
    except RecursionError:
        return (url, "parse_error", "feed nested too deeply")
    except Exception as exc:  # noqa: BLE001 -- one feed's surprise must not reach the daemon
        return (url, "parse_error", f"{type(exc).__name__}: {exc}"[:200])


class _ParserPool:
    """A small process pool, replaced whole when one of its workers dies or hangs."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._lock = threading.Lock()
        self._pools: dict[int, concurrent.futures.ProcessPoolExecutor] = {}

    def get(self, memory_mb: int) -> concurrent.futures.ProcessPoolExecutor:
        with self._lock:
            pool = self._pools.get(memory_mb)
            if pool is None:
                pool = concurrent.futures.ProcessPoolExecutor(
                    max_workers=self.workers,
                    # spawn: forking a process that runs an event loop and threads is unsafe.
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_limit_worker,
                    initargs=(memory_mb,),
                )
                self._pools[memory_mb] = pool
            return pool

    def discard(self, memory_mb: int, pool: concurrent.futures.ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pools.get(memory_mb) is pool:
                del self._pools[memory_mb]
        _kill(pool)

    def shutdown(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)


def _kill(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    # The executor has no public way to stop a worker that hangs (Python 3.14 adds one).
    processes: Mapping[int, Any] = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


_POOL = _ParserPool(workers=2)


def shutdown_parsers() -> None:
    """Stop the parser processes (on daemon exit; the next parse starts a new pool)."""
    _POOL.shutdown()


async def parse_in_worker(
    url: str,
    content: bytes,
    headers: Mapping[str, str],
    *,
    timeout: float = 20.0,
    memory_mb: int = 300,
) -> ParsedFeed:
    """``parse`` in a worker process limited to ``memory_mb`` of address space and ``timeout``.

    A worker that dies or hangs becomes ``parse_error`` for this feed, and the pool is
    replaced so the next feed still parses. A feed whose parse was lost because another
    feed killed the shared pool is retried once.
    """
    loop = asyncio.get_running_loop()
    for attempt in (1, 2):
        pool = _POOL.get(memory_mb)
        try:
            future = loop.run_in_executor(pool, _parse_job, url, content, dict(headers))
            outcome = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            _POOL.discard(memory_mb, pool)
            raise ParseError(
                url, "parse_error", f"parser gave no answer within {timeout:g} s"
            ) from None
        except concurrent.futures.process.BrokenProcessPool:
            _POOL.discard(memory_mb, pool)
            if attempt == 1:
                continue
            raise ParseError(url, "parse_error", "parser process died (memory limit?)") from None
        except MemoryError:
            # Raised while the worker pickled its answer; the worker may be unusable now.
            _POOL.discard(memory_mb, pool)
            raise ParseError(url, "parse_error", f"parser ran out of {memory_mb} MB") from None
        if isinstance(outcome, ParsedFeed):
            return outcome
        _, kind, detail = outcome
        raise ParseError(url, kind, detail)
    raise AssertionError("unreachable")  # pragma: no cover
