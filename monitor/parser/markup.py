"""feedparser's handling of HTML in feeds (relative URIs resolved, then sanitized), cheaper.

feedparser runs two sgmllib passes over every HTML field: ``resolve_relative_uris``, whose
output the sanitizer parses again. On real feeds that is most of the parsing time. Here the
same result comes from no pass (bare text and a few attribute-free tags, which both leave
as they are) or from one pass (the sanitizer resolving URIs as it goes) whenever the markup
holds nothing that makes the two passes differ from one; otherwise from feedparser's two
passes. The one pass is ``monitor.parser.sanitize`` (the same rules without sgmllib's
parser) where that takes the markup, else feedparser's sanitizer. tests/test_parser_fast.py
checks them all against feedparser's functions.

An item carried by several feeds (a site's main and topic feeds, syndicated wires) brings
the same markup each time, so the result is kept, by markup and content type, for the next
feed that sends it (``_Results``). The base URL matters only where the markup holds a
relative reference, and then the base's host is in the result: a result without that host
holds for any base of the same scheme ("//host/x" takes the base's scheme). A result with it
holds for any base of the same scheme and host when every URI attribute of the markup is
absolute or starts with one "/" (a path from the host's root); otherwise only for the same
base.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from urllib.parse import urlsplit

from feedparser.sanitizer import _HTMLSanitizer, _sanitize_html
from feedparser.urls import RelativeURIResolver, make_safe_absolute_uri, resolve_relative_uris

from monitor.parser.sanitize import sanitize

# Markup the sanitizer and the URI resolver pass through unchanged (tests/test_parser_fast.py
# checks this against them): text without <, > or &, and bare tags of a few safe elements.
_PLAIN_MARKUP = re.compile(
    r"(?:[^<>&]++|</?(?:p|b|i|em|strong|ul|ol|li|blockquote|h[1-6]|code|pre|sub|sup)>)*+"
)
# Markup on which one sgmllib pass that resolves and sanitizes gives what feedparser's two
# passes (resolve, serialize, re-parse, sanitize) give: none of SGML's short tags
# (``<a/…``), declarations, CDATA, processing instructions, stray ``<``, comments holding
# "<" or ">" or left open, or the elements whose content the sanitizer drops or re-parses
# (script, style, applet, svg, math). A comment of other text is written back as read, and
# read the same way again. Checked against the two passes on the real-feed corpus and by
# tests/test_parser_fast.py.
_TWO_PASSES_DIFFER = re.compile(
    r"<[a-zA-Z][-.a-zA-Z0-9]*/(?!>)|<\?|<!(?!--[^<>]*?--\s*>)|\]\]>"
    r"|</?(?:svg|math|script|style|applet)\b"
    r"|<(?![A-Za-z/!])|</(?![A-Za-z])",
    re.IGNORECASE,
)


class _ResolvingSanitizer(_HTMLSanitizer):  # type: ignore[misc]
    """feedparser's sanitizer that first resolves relative URIs as ``RelativeURIResolver``."""

    def __init__(self, base: str, ctype: str) -> None:
        super().__init__("utf-8", ctype)
        self.baseuri = base

    def unknown_starttag(self, tag: str, attrs: list[tuple[str, str]]) -> None:
        attrs = [
            (key, self._resolve(tag, key, value)) for key, value in self.normalize_attrs(attrs)
        ]
        super().unknown_starttag(tag, attrs)

    def _resolve(self, tag: str, key: str, value: str) -> str:
        if (tag, key) not in RelativeURIResolver.relative_uris:
            return value
        # As the resolver: a URI that resolves to nothing (a scheme not allowed) stays as is,
        # for the sanitizer to judge.
        return str(make_safe_absolute_uri(self.baseuri, value.strip())) or value


# A host that can only appear in a result as itself (escaping changes none of these).
_PLAIN_HOST = re.compile(r"[A-Za-z0-9.:-]+")
# The values of the attributes RelativeURIResolver resolves, in any form sgmllib reads them;
# a name ending in one of these ("data-src") is taken for one, which only keys more narrowly.
_URI_ATTRIBUTE = re.compile(
    r"(?:action|background|cite|classid|codebase|data|href|longdesc|poster|profile|src|usemap)"
    r"""\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*))""",
    re.IGNORECASE,
)
# A reference that takes nothing of its base but the scheme and host ("http:x" is relative).
_ROOTED = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://|/(?!/)")
RESULT_CHARS = 16 * 1024 * 1024  # of markup and results kept per parser process


class _Results:
    """The latest results of ``sanitize_html``, least recently used dropped past
    ``max_chars``. Keys are the strings themselves (no digest can collide)."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self._entries: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        self._chars = 0

    def get(self, key: tuple[str, str, str]) -> str | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: tuple[str, str, str], result: str) -> None:
        if key in self._entries:
            return
        self._entries[key] = result
        self._chars += len(key[0]) + len(result)
        while self._chars > self.max_chars:
            (old, _, _), old_result = self._entries.popitem(last=False)
            self._chars -= len(old) + len(old_result)


_RESULTS = _Results(RESULT_CHARS)


def sanitize_html(value: str, base: str, ctype: str) -> str:
    """feedparser's ``resolve_relative_uris`` then ``_sanitize_html``, in fewer passes, and
    once per markup for the feeds that repeat it (see the module's docstring)."""
    if _PLAIN_MARKUP.fullmatch(value):
        return value.strip().replace("\r\n", "\n")
    try:
        parts = urlsplit(base)
    except ValueError:
        return _sanitize(value, base, ctype)
    scheme, host = parts.scheme.lower(), parts.netloc
    if scheme not in ("http", "https") or not _PLAIN_HOST.fullmatch(host):
        return _sanitize(value, base, ctype)
    any_base, same_host = (value, ctype, scheme + ":"), (value, ctype, f"{scheme}://{host}")
    found = _RESULTS.get(any_base) or _RESULTS.get(same_host) or _RESULTS.get((value, ctype, base))
    if found is not None:
        return found
    result = _sanitize(value, base, ctype)
    if host not in result:
        _RESULTS.put(any_base, result)
    elif _rooted(value):
        _RESULTS.put(same_host, result)
    else:
        _RESULTS.put((value, ctype, base), result)
    return result


def _rooted(value: str) -> bool:
    """Whether every URI attribute of ``value`` is absolute or a path from the root."""
    for found in _URI_ATTRIBUTE.finditer(value):
        uri = next(v for v in found.groups() if v is not None)
        if not _ROOTED.match(uri):
            return False
    return True


def _sanitize(value: str, base: str, ctype: str) -> str:
    if not _TWO_PASSES_DIFFER.search(value):
        found = sanitize(value, base, ctype)
        if found is not None:
            return found
        sanitizer = _ResolvingSanitizer(base, ctype)
        sanitizer.feed(value)
        return str(sanitizer.output()).strip().replace("\r\n", "\n")
    value = resolve_relative_uris(value, base, "utf-8", ctype)
    return str(_sanitize_html(value, "utf-8", ctype))
