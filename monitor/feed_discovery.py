"""Feed discovery: a configured URL that answers with a web page is followed to the feed that
page names, as feed readers do when given a site's address.

Rules, in order:

1. Only a 200 whose body is an HTML page is looked at: ``Content-Type`` says HTML, or the
   first 2 KiB hold ``<!DOCTYPE html`` or ``<html``, and no ``<rss``, ``<feed`` or
   ``<rdf:RDF`` root (some servers send feeds as ``text/html``).
2. The first ``<link rel="alternate">`` in the first 64 KiB whose ``type`` is RSS, Atom or
   JSON Feed (``application/rss+xml``, ``application/atom+xml``, ``application/feed+json``)
   is the feed (found in time linear in the page, whatever it holds); its ``href`` is resolved against the page's URL and must be http(s), without
   ``user:pass@``. A page naming none goes to the parser as it is (``not_a_feed``, the error
   it always was).
3. One hop: the feed is fetched once, never searched for again if it too is a page, under
   the rules of a redirect (``Fetcher.fetch(via=...)``): a non-public address only on the
   configured host or an allowed one, and https never downgraded to http (from the
   configured URL, nor from the page, which a redirect may have moved to https).
4. The feed's address comes back as ``permanent_redirect`` with ``discovered_in`` naming the
   page, and the daemon moves the feed there at once (``feed_state`` rule 4): from the next
   poll on the feed is fetched directly, its validators sent to it, not to the page.

Only the standard library at import time: the parser imports ``feed_link_in_page`` for its
``not_a_feed`` hint, and the daemon's process reads no more of the page than these regexes.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:
    from monitor.fetcher import FetchCache, Fetcher, FetchResult

log = logging.getLogger(__name__)

SCAN_BYTES = 65536  # the <head> of any real page fits; a link past this is not looked for
MAX_LINK = 2048

_HEAD = 2048
_HTML_START = re.compile(rb"<!doctype\s+html|<html[\s>]", re.IGNORECASE)
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:rdf)[\s>]", re.IGNORECASE)
_ATTRIBUTE = re.compile(
    # a name that starts a word (the look-behind keeps a long run of letters from being
    # tried from each of its letters), then its value, quoted or not
    rb"""(?<![\w-])([a-z][\w-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""",
    re.IGNORECASE,
)
_FEED_TYPES = frozenset({b"application/rss+xml", b"application/atom+xml", b"application/feed+json"})


def is_html_page(content: bytes, headers: Mapping[str, str]) -> bool:
    """Rule 1: a web page rather than a feed."""
    head = content[:_HEAD].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")) or _FEED_ROOT.search(head):
        return False
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    return "html" in content_type.lower() or _HTML_START.search(head) is not None


def feed_link_in_page(page_url: str, content: bytes) -> str | None:
    """Rule 2: the absolute URL of the first feed the page names, or None.

    Linear in the page's size whatever it holds: this runs in the daemon's own process, where
    a regular expression that backtracks on a hostile page would hold the event loop."""
    for attributes in _link_tags(content[:SCAN_BYTES]):
        rel = attributes.get(b"rel", b"").lower().split()
        kind = attributes.get(b"type", b"").lower().split(b";")[0].strip()
        if b"alternate" not in rel or kind not in _FEED_TYPES or b"href" not in attributes:
            continue
        href = html.unescape(attributes[b"href"].decode("utf-8", "replace")).strip()
        link = _absolute_http(href, page_url)
        if link is not None:
            return link
    return None


def _link_tags(page: bytes) -> Iterator[dict[bytes, bytes]]:
    """The attributes of each ``<link ...>`` tag, in page order (names lower-cased; the first
    of a repeated name wins, as in HTML)."""
    lowered = page.lower()  # ASCII only: positions stay those of ``page``
    position = 0
    while (start := lowered.find(b"<link", position)) >= 0:
        end = lowered.find(b">", start)
        if end < 0:
            return
        position = end + 1
        if not lowered[start + 5 : start + 6].isspace():
            continue  # <linkage>, <link/> without attributes
        attributes: dict[bytes, bytes] = {}
        for match in _ATTRIBUTE.finditer(page, start + 5, end):
            name = match.group(1).lower()
            value = next((v for v in match.groups()[1:] if v is not None), b"")
            attributes.setdefault(name, value)
        yield attributes


def _absolute_http(href: str, base: str) -> str | None:
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return None
    return url.partition("#")[0] if len(url) <= MAX_LINK else None


async def fetch_feed(fetcher: Fetcher, url: str, cache: FetchCache | None = None) -> FetchResult:
    """``fetcher.fetch(url, cache)``, followed to the feed when ``url`` is a page naming one."""
    result = await (fetcher.fetch(url) if cache is None else fetcher.fetch(url, cache))
    if result.not_modified or not is_html_page(result.content, result.headers):
        return result
    found = feed_link_in_page(result.url, result.content)
    if found is None or (result.url.startswith("https:") and found.startswith("http:")):
        return result
    from monitor.fetcher import redact

    log.info(
        "feed found in page page=%s feed=%s",
        redact(result.url),
        redact(found),
        extra={"feed_url": url},
    )
    feed = await (
        fetcher.fetch(found, via=url) if cache is None else fetcher.fetch(found, cache, via=url)
    )
    return replace(
        feed, permanent_redirect=feed.permanent_redirect or found, discovered_in=result.url
    )
