"""The fast path: well-formed RSS 2.0, RSS 1.0 and Atom 1.0 read with lxml, as feedparser would.

feedparser runs each element through a Python SAX handler (0.5 ms per item); lxml builds the
tree in C. This reader walks that tree and applies feedparser's own rules to the elements it
knows (the same date parser, URL joining, HTML sanitizer and relative-URI resolver, and the
same precedence between description, summary and content), so ``parse_xml`` gets the same
``Draft``s either way. Whatever it does not know exactly, it refuses with ``Unsupported``, and
feedparser reads the document instead. It refuses:

1. an encoding other than UTF-8 (declared in the XML declaration or the Content-Type), a
   Content-Type that is not an XML media type, or a ``text/*`` one without a charset
   (feedparser would assume us-ascii);
2. any DOCTYPE, and any document lxml does not parse strictly (not well-formed, undefined
   entities, bad namespaces). The parser resolves no entities, loads no DTD, touches no
   network and refuses huge trees;
3. a root other than ``<rss version="2.x">`` with one ``<channel>``, ``rdf:RDF`` in the RSS
   1.0 namespace, or ``feed`` in the Atom 1.0 namespace (Atom 0.3, RSS 0.9x, CDF: feedparser);
4. an element feedparser maps onto a field we keep (title, link, id, summary, content, the
   dates, language, or one that switches its context: source with children, image in an
   item, …) that this reader does not model, and a modelled one that appears twice
   (feedparser's precedence between repeats depends on nesting depth and order). Modelled
   besides the core elements: Dublin Core and DC terms dates, ``content:encoded``, Atom links
   in RSS, ``media:title`` after the item's title (ignored, as feedparser does),
   ``media:description`` and ``itunes:summary`` as the only summary;
5. markup inside a text element (inline XHTML), base64 or ``src`` content, and CDF
   ``href``/``lastmod`` attributes.

``parse_xml`` treats any other exception raised here as a refusal too.

Element names are matched as feedparser matches them: namespace URI mapped to feedparser's
prefix (else the document's own prefix), lower-cased.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from feedparser.datetimes import _parse_date
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin, make_safe_absolute_uri
from lxml import etree

from monitor.parser.markup import sanitize_html

ATOM = "http://www.w3.org/2005/Atom"
RSS10 = "http://purl.org/rss/1.0/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XML = "{http://www.w3.org/XML/1998/namespace}"
_PREFIXES: dict[str, str] = {k.lower(): v for k, v in _FeedParserMixin.namespaces.items()}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_XML_MEDIA = re.compile(r"^application/(?:[\w.+-]*\+)?xml$|^text/(?:[\w.+-]*\+)?xml$")
_DECL_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_AMP_NAME = re.compile("&([A-Za-z0-9_]+);")
_C1 = re.compile("[\x80-\x9f]")
_DATE_FIELDS = {
    "pubdate": "published",
    "published": "published",
    "issued": "published",
    "dcterms:issued": "published",
    "updated": "updated",
    "modified": "updated",
    "dc:date": "updated",
    "dcterms:modified": "updated",
    "created": "created",
    "dcterms:created": "created",
    "lastbuilddate": "updated",
}
_LANGUAGE = ("language", "dc:language")
# Names feedparser routes onto an entry or feed field we keep, or that change its context.
_TOUCHY = {
    *_DATE_FIELDS,
    *_LANGUAGE,
    "title",
    "dc:title",
    "media:title",
    "link",
    "guid",
    "id",
    "description",
    "dc:description",
    "media:description",
    "abstract",
    "summary",
    "itunes:summary",
    "content",
    "content:encoded",
    "body",
    "xhtml:body",
    "fullitem",
    "item",
    "entry",
    "source",
    "image",
    "textinput",
    "channel",
    "feed",
    "rss",
}
# Text constructs of the feed itself that we do not keep, read only for what they contain.
_FEED_TEXT = {
    "description",
    "summary",
    "content",
    "content:encoded",
    "itunes:summary",
    "dc:description",
    "media:description",
    "abstract",
}
_IMAGE_PARTS = {"title", "link", "url", "description", "width", "height", "name"}


class Unsupported(Exception):
    """The document is outside what this reader models; feedparser reads it."""


@dataclass
class Scope:
    """xml:base and xml:lang in effect, as feedparser tracks them."""

    base: str
    lang: str | None

    def enter(self, el: Any) -> Scope:
        xml_base = el.get(_XML + "base") or el.get("base")
        lang = el.get(_XML + "lang", el.get("lang"))
        if xml_base is None and lang is None:
            return self
        base = self.base
        if xml_base:
            base = make_safe_absolute_uri(self.base, xml_base) or self.base
        if lang is None:
            lang = self.lang
        return Scope(base, lang or None)


@dataclass
class Record:
    """The subset of a feedparser entry or feed dict that ``parse_xml`` reads."""

    data: dict[str, Any] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)

    def once(self, name: str) -> None:
        if name in self.seen:
            raise Unsupported(f"<{name}> repeated")
        self.seen.add(name)


def _check_encoding(content: bytes, headers: Mapping[str, str]) -> None:
    ctype, _, params = headers.get("content-type", "application/xml").partition(";")
    ctype = ctype.strip()  # feedparser compares it case-sensitively
    if not _XML_MEDIA.match(ctype):
        raise Unsupported(f"Content-Type {ctype}")
    charset = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", params, re.IGNORECASE)
    if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
        raise Unsupported(f"charset {charset.group(1)}")
    if ctype.startswith("text/") and not charset:
        # feedparser reads it as us-ascii, and then skips its UTF-8 fix-ups
        raise Unsupported("text/* without a charset")
    declared = _DECL_ENCODING.match(content.lstrip(b"\xef\xbb\xbf"))
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise Unsupported(f"encoding {declared.group(1)!r}")


def _name(el: Any) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return "#node"
    if tag[0] != "{":
        return tag.lower()
    uri, local = tag[1:].split("}", 1)
    prefix = _PREFIXES.get(uri.lower())
    if prefix is None:
        prefix = el.prefix
    return f"{prefix.lower()}:{local.lower()}" if prefix else local.lower()


def _harmless(el: Any, *, root: bool = True) -> None:
    """Refuse a subtree that holds an element feedparser would map onto a field we keep."""
    for sub in el.iter() if root else el.iterdescendants():
        name = _name(sub)
        if name in _TOUCHY or name.endswith(("_parsed", "_detail")):
            raise Unsupported(f"<{name}> inside <{_name(el)}>")


def _text(el: Any) -> str:
    if len(el):
        raise Unsupported(f"markup inside <{_name(el)}>")
    return (el.text or "").strip()


def _finish(value: str) -> str:
    # feedparser's last steps for every value read as UTF-8: undo UTF-8 read as Latin-1,
    # then map stray C1 controls to their cp1252 characters. Both leave ASCII as it is.
    if value.isascii():
        return value
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        value = value.encode("iso-8859-1").decode("utf-8")
    return value.translate(_cp1252) if _C1.search(value) else value


def _content(el: Any, scope: Scope, default: str, atom: bool) -> dict[str, Any]:
    """A text construct (title, description, summary, content) as feedparser's ``pop``."""
    if el.get("mode") is not None or el.get("src") is not None:
        raise Unsupported(f"<{_name(el)}> with mode or src")
    ctype = _FeedParserMixin.map_content_type(el.get("type", default))
    if ctype not in ("text/plain", "text/html"):
        raise Unsupported(f"<{_name(el)}> of type {ctype}")
    value = _text(el)
    if not atom and ctype == "text/plain" and _FeedParserMixin.looks_like_html(value):
        ctype = "text/html"
    if ctype in _HTML_TYPES:
        value = sanitize_html(value, scope.base, ctype)
    lang = scope.lang.replace("_", "-") if scope.lang else scope.lang
    return {"type": ctype, "language": lang, "value": _finish(value)}


def _link(el: Any, scope: Scope, record: Record, entry: bool) -> None:
    if el.get("url") is not None or el.get("uri") is not None:
        raise Unsupported("<link> with url or uri")
    href = el.get("href")
    if href is None:
        value = _text(el)
        value = _finish(_urljoin(scope.base, value) if value else value)
        if entry:
            value = value.replace("&amp;", "&")
        record.data["link"] = _AMP_NAME.sub(r"&\g<1>", value)
        return
    if len(el):
        raise Unsupported("<link href> with children")
    rel = (el.get("rel") or "alternate").lower()
    ctype = (el.get("type") or ("application/atom+xml" if rel == "self" else "text/html")).lower()
    if rel == "alternate" and _FeedParserMixin.map_content_type(ctype) in _HTML_TYPES:
        record.data["link"] = _urljoin(scope.base, href)


def _guid(el: Any, scope: Scope, record: Record) -> None:
    record.once("id")
    attrs = {k.lower(): v for k, v in el.attrib.items()}
    is_link = attrs.get("ispermalink", "true") == "true"
    value = _text(el)
    if is_link and value:
        value = _urljoin(scope.base, value)
    record.data["id"] = value = _finish(value)
    if is_link:
        record.data.setdefault("link", value)


def _read_children(
    parent: Any, scope: Scope, record: Record, atom: bool, entry_tag: str | None
) -> None:
    """Read an item's (``entry_tag`` None) or the feed's children into ``record``."""
    entry = entry_tag is None
    for el in parent:
        name = _name(el)
        if name == "#node":
            continue
        inner = scope.enter(el)
        if entry and name.startswith(("media:", "itunes:")) and _media(el, inner, record, atom):
            continue
        if name == "title":
            record.once(name)
            detail = _content(el, inner, "text/plain", atom)
            record.data["title"], record.data["title_detail"] = detail["value"], detail
        elif name == "link":
            _link(el, inner, record, entry)
        elif name in ("guid", "id"):
            _guid(el, inner, record)
        elif name in _DATE_FIELDS:
            if entry:
                key = _DATE_FIELDS[name]
                record.once(key)
                value = _finish(_text(el))
                record.data[key], record.data[key + "_parsed"] = value, _parse_date(value)
        elif entry and name in ("description", "summary"):
            record.once("summary")
            default = "text/html" if name == "description" else "text/plain"
            detail = _content(el, inner, default, atom)
            record.data["summary"], record.data["summary_detail"] = detail["value"], detail
        elif entry and name in ("content", "content:encoded"):
            record.once("content")
            default = "text/html" if name == "content:encoded" else "text/plain"
            record.data["content"] = [_content(el, inner, default, atom)]
        elif entry and name in ("source", *_LANGUAGE) and not len(el):
            continue  # RSS 2.0 <source url="…">name</source>; an item's language is unused
        elif not entry and name in _LANGUAGE:
            record.once("language")
            record.data["language"] = _finish(_text(el))
        elif not entry and name in ("image", "textinput"):
            _image(el)
        elif not entry and name in ("item", "entry"):
            if el.tag != entry_tag:
                raise Unsupported(f"<{el.tag}> beside the feed's entries")
        elif not entry and name in _FEED_TEXT:
            _harmless(el, root=False)
        elif name in _TOUCHY or name.endswith(("_parsed", "_detail")):
            raise Unsupported(f"<{name}> in {'an item' if entry else 'the feed'}")
        else:
            _harmless(el)


def _media(el: Any, scope: Scope, record: Record, atom: bool) -> bool:
    """Media RSS and iTunes elements of an item that feedparser maps onto its fields.

    ``media:title`` after the item's non-empty title is ignored (feedparser keeps the title
    of the shallower element); ``media:description`` and ``itunes:summary`` are the summary
    when nothing else is. The rest of ``media:group`` and ``media:content`` is read the same
    way. Returns False for elements left to the general rules.
    """
    name = _name(el)
    if name == "media:title":
        if not record.data.get("title"):
            raise Unsupported("<media:title> before the item's title")
        return True
    if name in ("media:description", "itunes:summary"):
        record.once("summary")
        default = "text/html" if name == "media:description" else "text/plain"
        detail = _content(el, scope, default, atom)
        record.data["summary"], record.data["summary_detail"] = detail["value"], detail
        return True
    if name in ("media:group", "media:content"):
        for child in el:
            child_name = _name(child)
            if child_name == "#node":
                continue
            if not _media(child, scope.enter(child), record, atom):
                if child_name in _TOUCHY:
                    raise Unsupported(f"<{child_name}> inside <{name}>")
                _harmless(child)
        return True
    return False


def _image(el: Any) -> None:
    # feedparser reads these into feed.image and feed.textinput; their title and link are
    # not the feed's.
    for part in el:
        if isinstance(part.tag, str) and (_name(part) not in _IMAGE_PARTS or len(part)):
            raise Unsupported(f"<{_name(part)}> inside <{_name(el)}>")


def _entry(el: Any, scope: Scope, atom: bool) -> dict[str, Any]:
    if el.get("lastmod") is not None or el.get("href") is not None:
        raise Unsupported("CDF attributes on an item")
    record = Record()
    about = el.get(f"{{{RDF}}}about")
    if about:
        record.data["id"] = about
    _read_children(el, scope, record, atom, None)
    data = record.data
    content = data.get("content")
    if content and "summary" not in data:
        data["summary"] = content[0]["value"]
    return data


@dataclass(frozen=True)
class Document:
    """What ``parse_xml`` takes from feedparser's result: ``feed`` and ``entries``."""

    feed: dict[str, Any]
    entries: list[dict[str, Any]]


def _parser() -> etree.XMLParser:
    # A new parser per document: lxml parsers must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        recover=False,
        collect_ids=False,
        remove_comments=True,
        remove_pis=True,
    )


def _root(content: bytes) -> Any:
    head = content[:4096]
    if b"<!DOCTYPE" in head or b"<!doctype" in head or b"<!ENTITY" in head:
        raise Unsupported("DOCTYPE")
    try:
        root: Any = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as exc:
        raise Unsupported(f"not well-formed: {exc}") from None
    if root.getroottree().docinfo.doctype:
        raise Unsupported("DOCTYPE")
    return root


def _channel(root: Any) -> tuple[Any, list[Any], str, bool]:
    """The element holding the feed's own fields, its entries, their tag, and whether Atom."""
    tag = root.tag
    if tag == "rss":
        if not (root.get("version") or "").startswith("2."):
            raise Unsupported(f"RSS version {root.get('version')!r}")
        children = [c for c in root if isinstance(c.tag, str)]
        if len(children) != 1 or children[0].tag != "channel":
            raise Unsupported("<rss> without exactly one <channel>")
        return children[0], list(children[0].iterchildren("item")), "item", False
    if tag == f"{{{RDF}}}RDF":
        if ATOM in root.nsmap.values():
            raise Unsupported("RDF declaring the Atom namespace")
        channel, item = f"{{{RSS10}}}channel", f"{{{RSS10}}}item"
        children = [c for c in root if isinstance(c.tag, str)]
        if not children or children[0].tag != channel:
            raise Unsupported("RDF that does not start with its channel")
        for child in children[1:]:
            if child.tag == channel:
                raise Unsupported("RDF with two channels")
            if child.tag != item:
                if _name(child) in ("image", "textinput"):
                    _image(child)
                else:
                    _harmless(child)
        return children[0], [c for c in children if c.tag == item], item, False
    if tag == f"{{{ATOM}}}feed":
        if RSS10 in root.nsmap.values():
            raise Unsupported("Atom declaring the RSS 1.0 namespace")
        entry = f"{{{ATOM}}}entry"
        return root, list(root.iterchildren(entry)), entry, True
    raise Unsupported(f"root <{tag}>")


def read(url: str, content: bytes, headers: Mapping[str, str]) -> Document:
    """The feed and its entries as feedparser would give them, or raise ``Unsupported``.

    ``headers`` are lower-cased; ``content`` has been through ``parse_xml``'s byte guards.
    """
    _check_encoding(content, headers)
    root = _root(content)
    channel, items, entry_tag, atom = _channel(root)
    if channel.get("lastmod") is not None or channel.get("href") is not None:
        raise Unsupported("CDF attributes on the channel")
    scope = Scope(url, headers.get("content-language") or None).enter(root)
    feed = Record()
    if scope.lang:
        feed.data["language"] = scope.lang.replace("_", "-")
    if channel is not root:
        scope = scope.enter(channel)
    _read_children(channel, scope, feed, atom, entry_tag)
    entries = [_entry(item, scope.enter(item), atom) for item in items]
    return Document(feed=feed.data, entries=entries)
