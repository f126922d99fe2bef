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
   Whatever feedparser still raises is ``parse_error``. Well-formed UTF-8 RSS 2.0, RSS 1.0
   and Atom 1.0 that use only the elements ``lxml_reader`` models are read by lxml instead
   (no entities, no DTD, no network), with feedparser's own rules, so the items are the same;
   anything else, and any surprise in that reader, goes to feedparser (the rules are in
   ``monitor/parser/lxml_reader.py``).
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
7. ``parse_in_worker`` hands back at most ``MAX_ITEMS`` (1,000) items, the newest by date
   (undated ones last), in feed order, with a warning: more is an archive dump, not a feed,
   and would hold the daemon's event loop while it is unpickled. ``monitor scan`` keeps all.

``parse_in_worker`` runs ``parse`` in a process with an address-space limit and a time
limit, so a hostile feed costs a worker, never the daemon. ``prepare_in_worker`` sends the
items the store does not know back to those processes, which make their searchable text and
story signature (``monitor.prepare``), so the daemon's own process reads no HTML.
"""

from __future__ import annotations

from monitor.normalize import html_to_text
from monitor.parser.clean import (
    MAX_CONTENT,
    MAX_ITEMS,
    MAX_KEY_PART,
    MAX_SUMMARY,
    MAX_TITLE,
    MAX_URL,
    ParsedFeed,
    clean_date,
    clean_language,
    clean_link,
    clean_text,
)
from monitor.parser.core import parse
from monitor.parser.jsonfeed import JSON_FEED_PREFIX
from monitor.parser.worker import parse_in_worker, prepare_in_worker, shutdown_parsers

__all__ = [
    "JSON_FEED_PREFIX",
    "MAX_CONTENT",
    "MAX_ITEMS",
    "MAX_KEY_PART",
    "MAX_SUMMARY",
    "MAX_TITLE",
    "MAX_URL",
    "ParsedFeed",
    "clean_date",
    "clean_language",
    "clean_link",
    "clean_text",
    "html_to_text",
    "parse",
    "parse_in_worker",
    "prepare_in_worker",
    "shutdown_parsers",
]
