"""feedparser's sanitizer, resolving relative URIs as it goes, without sgmllib's parser.

``monitor.parser.markup`` gives most markup to one pass of feedparser's ``_HTMLSanitizer``
that also resolves URIs as ``RelativeURIResolver`` (``_ResolvingSanitizer``). That pass
spends most of its time in sgmllib's machinery: a method looked up per tag (two
``AttributeError`` raised for each start tag), the raw data re-read through a property, every
attribute list normalised twice. ``sanitize`` walks the same tokens with the same regular
expressions (sgmllib's, and feedparser's own end-bracket finder) and applies the same rules
in one loop: the elements and attributes the sanitizer keeps, its style filter, its URI
checks, its serialisation of attributes and references.

It answers None, and the caller runs feedparser's pass, where that pass would change state
this loop does not model: a start or end tag of an element whose content the sanitizer drops
(script, style, applet) or re-reads (svg, math), a tag or end tag without its closing
bracket, declarations, processing instructions and a "<" that starts no tag. The caller
gives it only markup on which the one pass equals feedparser's two (``_TWO_PASSES_DIFFER``).
tests/test_parser_fast.py compares it with that pass and with the two passes on generated
markup; benchmarks/check_sanitizer.py does so on a folder of real feeds.
"""

from __future__ import annotations

import re
from functools import lru_cache, partial
from html.entities import name2codepoint

from feedparser.html import _cp1252
from feedparser.sanitizer import _HTMLSanitizer
from feedparser.sgml import sgmllib
from feedparser.urls import RelativeURIResolver, make_safe_absolute_uri

_KEPT = frozenset(_HTMLSanitizer.acceptable_elements)
_KEPT_ATTRIBUTES = frozenset(_HTMLSanitizer.acceptable_attributes)
_STYLE_KEPT = "style" in _KEPT_ATTRIBUTES  # then through its style filter
_NO_END_TAG = frozenset(_HTMLSanitizer.elements_no_end_tag)
_URI_ATTRIBUTES = frozenset(RelativeURIResolver.relative_uris)
# Tags whose start or end changes what the sanitizer keeps after them: left to feedparser.
_STATEFUL = frozenset(_HTMLSanitizer.unacceptable_elements_with_end_tag) | {"svg", "math"}
_ENTITIES = frozenset(name2codepoint) | {"apos"}
_CP1252 = {n: "&#" + hex(ord(c))[1:] + ";" for n, c in _cp1252.items()}

# A comment whose text holds no "<" or ">": sgmllib's ``parse_comment`` ends it at the first
# "--", spaces and ">" (``_markupbase._commentclose``), and the handler writes it back with
# "-->". Any other "<!" is left to feedparser.
_COMMENT = r"<!--([^<>]*?)--\s*>"
_NOT_A_COMMENT = re.compile(r"<!(?!--[^<>]*?--\s*>)")
# _BaseHTMLProcessor.feed's rewriting before it parses (its "<!" rewrite never applies here).
_SHORT_TAG = re.compile(r"<([^<>\s]+?)\s*/>")
# sgmllib's tokens, the very patterns its parser uses.
_INTERESTING = sgmllib.interesting
_CHARREF = sgmllib.charref
_ENTITYREF = sgmllib.entityref
_INCOMPLETE = sgmllib.incomplete
_TAG_NAME = sgmllib.tagfind
_ATTRIBUTE = sgmllib.attrfind
_SHORT_TAG_OPEN = sgmllib.shorttagopen
_REFERENCE_IN_VALUE = sgmllib.SGMLParser.entity_or_charref
_BARE_AMPERSAND = _HTMLSanitizer.bare_ampersand
# One sanitizer instance for its style filter, outside SVG (it reads self.svgOK).
_STYLES = _HTMLSanitizer("utf-8", "text/html")


class _Refused(Exception):
    """Markup this loop leaves to feedparser."""


def sanitize(value: str, base: str, ctype: str) -> str | None:
    """What ``_ResolvingSanitizer(base, ctype)`` makes of ``value``, stripped, CRLF as LF;
    None where the loop leaves it to feedparser (see the module's docstring)."""
    if "<?" in value or _NOT_A_COMMENT.search(value):
        return None
    raw = _SHORT_TAG.sub(_expand_short_tag, value)
    raw = raw.replace("&#39;", "'").replace("&#34;", '"')
    xhtml = ctype == "application/xhtml+xml"
    try:
        try:
            text = _TOKEN.sub(partial(_token, base, xhtml), raw)
        except _Refused:
            text = "".join(_walk(raw, base, xhtml))
    except _Refused:
        return None
    return text.strip().replace("\r\n", "\n")


# The tokens of well-formed markup, where sgmllib's parser and feedparser's end-bracket
# finder must cut where this pattern does: an end tag; a start tag whose attributes are
# ``name``, ``name="value"``, ``name='value'`` or ``name=value`` (a subset of what sgmllib
# reads, no "<" or ">" inside), separated by spaces; a character reference; an entity
# reference; a bare "&" (text, as sgmllib leaves it); a comment. Any other "<" stops this pass, and
# ``_walk`` takes the markup token by token instead.
_ATTRIBUTE_FORM = (
    r"[a-zA-Z_][-:.a-zA-Z_0-9]*"
    r"""(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[-a-zA-Z0-9./,:;+*%?!$()_#=~@]+))?"""
)
_TOKEN = re.compile(
    r"</([a-zA-Z][a-zA-Z0-9]*)\s*>"
    r"|<([a-zA-Z][a-zA-Z0-9]*)((?:\s+" + _ATTRIBUTE_FORM + r")+\s*/?|\s*|\s+/)>"
    r"|&#([0-9]+|[xX][0-9a-fA-F]+);"
    r"|&([a-zA-Z][-.a-zA-Z0-9]*)(?:;|(?=[^a-zA-Z0-9]))"
    r"|&(?:[a-zA-Z][a-zA-Z0-9]*|#[0-9]*)?"
    r"|" + _COMMENT + r"|<"
)
# What a tag or comment becomes, for those met that depend on nothing else: every one but a
# start tag with an attribute resolved against the base. Emptied when full.
# Only tokens and values up to KEPT_CHARS long are kept: a hostile feed's megabyte-long
# attributes must not fill a parser process's memory.
_TOKENS: dict[tuple[str, bool], str] = {}
TOKENS_MAX = 20_000
KEPT_CHARS = 512


def _token(base: str, xhtml: bool, match: re.Match[str]) -> str:
    """What the sanitizer writes for one token of ``_TOKEN``."""
    token = match.group()
    if token[0] == "&":  # the same text is an entity or not by what follows it
        charref, entity = match.group(4, 5)
        if charref:
            return _charref(charref)
        if entity:
            return f"&{entity};" if entity in _ENTITIES else f"&amp;{entity}"
        return token
    found = _TOKENS.get((token, xhtml))
    if found is not None:
        return found
    end, start, comment = match.group(1, 2, 6)
    out: list[str] = []
    if comment is not None:
        out.append(f"<!--{comment}-->")
    elif end:
        tag = end.lower()
        if tag in _STATEFUL:
            raise _Refused
        _end(tag, out)
    elif start:
        tag = start.lower()
        if tag in _STATEFUL:
            raise _Refused
        _, uses_base = _attributes_and_handlers(
            match.string, match.end(2), match.end() - 1, tag, base, xhtml, out
        )
        if uses_base:
            return "".join(out)
    else:
        raise _Refused  # any other "<"
    result = "".join(out)
    if len(token) <= KEPT_CHARS:
        if len(_TOKENS) >= TOKENS_MAX:
            _TOKENS.clear()
        _TOKENS[token, xhtml] = result
    return result


def _expand_short_tag(match: re.Match[str]) -> str:
    tag = match.group(1)
    return f"<{tag} />" if tag in _NO_END_TAG else f"<{tag}></{tag}>"


def _walk(raw: str, base: str, xhtml: bool) -> list[str]:
    """sgmllib's ``goahead`` to the end of ``raw``, with the sanitizer's handlers inlined."""
    out: list[str] = []
    append = out.append
    i, n = 0, len(raw)
    while i < n:
        found = _INTERESTING.search(raw, i)
        j = found.start() if found else n
        if i < j:
            append(raw[i:j])
        i = j
        if i == n:
            break
        if raw[i] == "<":
            following = raw[i + 1 : i + 2]
            if following.isascii() and following.isalpha():
                i = _start_tag(raw, i, base, xhtml, out)
            elif following == "/" and raw[i + 2 : i + 3].isascii() and raw[i + 2 : i + 3].isalpha():
                i = _end_tag(raw, i, out)
            else:
                raise _Refused
            continue
        # "&": a character reference, an entity reference, or text
        found = _CHARREF.match(raw, i)
        if found:
            append(_charref(found.group(1)))
            i = found.end()
            continue
        found = _ENTITYREF.match(raw, i)
        if found:
            name = found.group(1)
            append(f"&{name};" if name in _ENTITIES else f"&amp;{name}")
            i = found.end()
            if raw[i - 1] != ";":
                i -= 1
            continue
        found = _INCOMPLETE.match(raw, i)  # always at "&"
        j = found.end() if found else i + 1
        if j == n:  # sgmllib waits for more, then takes the rest as text at the end
            append(raw[i:])
            break
        append(raw[i:j])
        i = j
    return out


def _charref(ref: str) -> str:
    ref = ref.lower()
    value = int(ref[1:], 16) if ref.startswith("x") else int(ref)
    return _CP1252.get(value) or f"&#{ref};"


def _start_tag(raw: str, i: int, base: str, xhtml: bool, out: list[str]) -> int:
    """sgmllib's ``parse_starttag`` (no "<>", no SGML short tag), then the handlers."""
    if _SHORT_TAG_OPEN.match(raw, i):
        raise _Refused
    bracket = sgmllib.endbracket.search(raw, i + 1)
    if bracket is None:
        raise _Refused
    name = _TAG_NAME.match(raw, i + 1)
    if name is None:  # pragma: no cover -- a letter follows "<"
        raise _Refused
    tag = name.group().lower()
    if tag in _STATEFUL:
        raise _Refused
    return _attributes_and_handlers(raw, name.end(), bracket.start(0), tag, base, xhtml, out)[0]


def _attributes_and_handlers(
    raw: str, k: int, j: int, tag: str, base: str, xhtml: bool, out: list[str]
) -> tuple[int, bool]:
    """The rest of ``parse_starttag`` from the end of the tag's name at ``k`` to its bracket
    at ``j``, then the resolver's and the sanitizer's handlers. Returns where the text goes
    on, and whether what was written depends on the base (a URI attribute was resolved)."""
    attrs: list[tuple[str, str]] = []
    while k < j:
        found = _ATTRIBUTE.match(raw, k)
        if not found:
            break
        key, rest, value = found.group(1, 2, 3)
        if not rest:
            value = key
        else:
            if value[:1] == "'" == value[-1:] or value[:1] == '"' == value[-1:]:
                value = value[1:-1]
            if "&" in value:
                value = _REFERENCE_IN_VALUE.sub(_convert_ref, value)
        attrs.append((key.lower(), value))
        k = found.end(0)
    if raw[j] == ">":
        j += 1
    uses_base = False
    if tag in _KEPT:
        uses_base = any((tag, key) in _URI_ATTRIBUTES for key, _ in attrs)
        out.append(_kept_start_tag(tag, attrs, base))
    if xhtml and j > 2 and raw[j - 2 : j] == "/>":
        _end(tag, out)
    return j, uses_base


def _convert_ref(match: re.Match[str]) -> str:
    """sgmllib's ``_convert_ref`` with _BaseHTMLProcessor's ``convert_*ref``."""
    if match.group(2):
        return f"&#{match.group(2)};"
    if match.group(3):
        return f"&{match.group(1)};"
    return f"&{match.group(1)}"


def _normalize(attrs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """_BaseHTMLProcessor's ``normalize_attrs``."""
    if not attrs:
        return attrs
    by_key = {k.lower(): v for k, v in attrs}
    return sorted((k, (k in ("rel", "type") and v.lower()) or v) for k, v in by_key.items())


def _kept_start_tag(tag: str, attrs: list[tuple[str, str]], base: str) -> str:
    """The resolver's then the sanitizer's ``unknown_starttag`` for an element it keeps.
    The sanitizer normalises the attributes again, which changes nothing the first did."""
    pieces = [f"<{tag}"]
    for key, value in _normalize(attrs):
        if (tag, key) in _URI_ATTRIBUTES:
            value = _resolved(base, value) if len(value) <= KEPT_CHARS else _resolve(base, value)
        if key == "style" and _STYLE_KEPT:
            value = _style(value) if len(value) <= KEPT_CHARS else _filter_style(value)
            if not value:
                continue
        elif key not in _KEPT_ATTRIBUTES:
            continue
        elif key == "href":
            value = _safe(value) if len(value) <= KEPT_CHARS else _check_scheme(value)
        if "<" in value or ">" in value or '"' in value or "&" in value:
            value = value.replace(">", "&gt;").replace("<", "&lt;").replace('"', "&quot;")
            value = _BARE_AMPERSAND.sub("&amp;", value)
        pieces.append(f' {key}="{value}"')
    pieces.append(" />" if tag in _NO_END_TAG else ">")
    return "".join(pieces)


def _resolve(base: str, value: str) -> str:
    """``_ResolvingSanitizer._resolve``: a URI that resolves to nothing stays as it is."""
    return str(make_safe_absolute_uri(base, value.strip())) or value


def _filter_style(value: str) -> str:
    """The sanitizer's style filter (pure: it reads only its tables, outside SVG)."""
    return str(_STYLES.sanitize_style(value))


def _check_scheme(value: str) -> str:
    """The sanitizer's check of an href's scheme."""
    return str(make_safe_absolute_uri(value))


# The same, kept for the short values that repeat (styles above all).
_resolved = lru_cache(maxsize=4096)(_resolve)
_style = lru_cache(maxsize=4096)(_filter_style)
_safe = lru_cache(maxsize=4096)(_check_scheme)


def _end_tag(raw: str, i: int, out: list[str]) -> int:
    """sgmllib's ``parse_endtag`` and ``finish_endtag`` (its stack is always empty here)."""
    bracket = sgmllib.endbracket.search(raw, i + 1)
    if bracket is None:
        raise _Refused
    j: int = bracket.start(0)
    tag = raw[i + 2 : j].strip().lower()
    if raw[j] == ">":
        j += 1
    name = _TAG_NAME.match(tag)
    if name is not None:
        tag = name.group(0)
    if tag in _STATEFUL:
        raise _Refused
    if tag:
        _end(tag, out)
    return j


def _end(tag: str, out: list[str]) -> None:
    """The sanitizer's ``unknown_endtag`` outside SVG and MathML."""
    if tag in _KEPT and tag not in _NO_END_TAG:
        out.append(f"</{tag}>")
