"""The entry point: tell a JSON Feed from XML and hand the body to its reader."""

from __future__ import annotations

from collections.abc import Mapping

from monitor.errors import ParseError
from monitor.parser.clean import ParsedFeed
from monitor.parser.jsonfeed import parse_json
from monitor.parser.xml import is_blank, parse_xml, strip_boms


def parse(url: str, content: bytes, headers: Mapping[str, str]) -> ParsedFeed:
    """Parse one fetched feed body; raise ParseError (empty, not_a_feed, parse_error, bad_encoding)."""
    if is_blank(content):
        raise ParseError(url, "empty", "empty body")
    head = strip_boms(content[:1024])
    if head.startswith((b"{", b"[")):
        return parse_json(url, content)
    return parse_xml(url, content, headers)
