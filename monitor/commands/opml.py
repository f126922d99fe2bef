"""OPML 2.0, the subscription list feed readers exchange: written from our feeds, read into
(url, name) pairs.

Reading rules:

1. An OPML file comes from elsewhere: at most ``MAX_BYTES``, and one that declares an
   entity is refused (OPML needs none, and libxml2 expands internal entities in attribute
   values whatever the parser's options). The rest is read by lxml with no network, no
   DTD and no entity resolution, so an external entity reaching for a local file does
   nothing.
2. Every ``<outline>`` with an ``xmlUrl`` is a feed, at any depth (readers nest them in
   folders); an outline without one is a folder and only its children count. The name is
   ``text``, else ``title``; both are whitespace-collapsed, and an empty one is no name.
3. Whether a URL is usable (http or https) or already known is the caller's decision
   (``monitor.commands.feeds``): here every feed is returned, in file order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from lxml import etree

from monitor.errors import MonitorError

MAX_BYTES = 10 * 1024 * 1024
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Outline:
    """One feed of an OPML file (or one to write)."""

    url: str
    name: str | None = None


class OpmlError(MonitorError):
    """A file that is not OPML we can read."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def read_opml(content: bytes, source: str = "OPML") -> list[Outline]:
    """The feeds of an OPML document, in file order (rules 1 and 2)."""
    if len(content) > MAX_BYTES:
        raise OpmlError(f"{source}: over {MAX_BYTES} bytes, not a subscription list")
    if _ENTITY.search(content):
        raise OpmlError(f"{source}: declares XML entities, which an OPML file never needs")
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as exc:
        raise OpmlError(f"{source}: not well-formed XML: {exc}") from None
    if not isinstance(root.tag, str) or etree.QName(root).localname != "opml":
        raise OpmlError(f"{source}: not an OPML file (the root element is not <opml>)")
    outlines = []
    for element in root.iter("{*}outline"):
        url = (element.get("xmlUrl") or element.get("xmlurl") or "").strip()
        if url:
            outlines.append(Outline(url, _name(element.get("text") or element.get("title"))))
    return outlines


def _name(value: str | None) -> str | None:
    name = " ".join((value or "").split())
    return name or None


def write_opml(feeds: Iterable[Outline], title: str = "newsmonitor feeds") -> bytes:
    """An OPML 2.0 document with one ``type="rss"`` outline per feed."""
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC))
    body = etree.SubElement(opml, "body")
    for feed in feeds:
        # a control character in a name would make lxml refuse the whole document
        url, name = _NOT_XML.sub("", feed.url), _NOT_XML.sub("", feed.name or feed.url)
        etree.SubElement(body, "outline", type="rss", text=name, title=name, xmlUrl=url)
    return etree.tostring(opml, xml_declaration=True, encoding="UTF-8", pretty_print=True)
