"""Text normalisation: the one form that both watch terms and item text are matched in.

Feeds carry the same words in many typographic disguises: soft hyphens and zero-width
characters inside a name, fullwidth letters, non-breaking or en-dash hyphens, Cyrillic
look-alikes. Terms and texts go through the same :func:`normalize`, so a term written one
way matches the text written another. The rules, in order:

1. NFKC (fullwidth letters, ligatures, compatibility spaces and hyphens fold).
2. Default_Ignorable code points (U+00AD, U+200B-U+200F, U+202A-U+202E, U+2060-U+206F,
   U+FEFF, variation selectors, tags ...) and lone surrogates are removed.
3. Every dash (category Pd, U+2212 minus, U+2043, U+FE63 ...) becomes ``-``, except
   the dashes that only punctuate (em dash, horizontal bar, two- and three-em dashes): they
   become `` - ``, so "GPT-5—widely expected in August—marks" keeps its clause breaks and
   does not read as one hyphenated word ("August-marks").
4. Every other space (category Zs) becomes `` ``; U+2028, U+2029, U+0085, CR, VT and FF end
   a line; other C0 and C1 controls are removed, except ``\\n`` and ``\\t``.
5. Runs of spaces and tabs become one space, spaces around a line break are dropped and
   the ends are trimmed.
6. Confusables skeleton: inside a word that holds a Latin letter, Cyrillic and Greek
   letters that look like Latin ones become those Latin letters ("GРТ" with Cyrillic
   Er/Te reads "GPT"). Words without a Latin letter are left alone, so Russian and Greek
   text is not mangled.

Case is kept: case-insensitive matching is the matcher's job, and the classifier and
alerts read this text. :func:`normalize` is idempotent.
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape
from html.parser import HTMLParser
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from monitor.model import Item

# Default_Ignorable_Code_Point, from Unicode's DerivedCoreProperties.txt (15.1).
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
    (0xD800, 0xDFFF),  # lone surrogates (from "&#xD800;") are not text either
)
# Dash-like characters outside category Pd that writers use as hyphens.
_EXTRA_DASHES = "\u2212\u2043\u02d7\u2796\ufe63\uff0d"
# Dashes written between clauses, never inside a name: a spaced hyphen, as a writer types
# them on a keyboard without one.
_CLAUSE_DASHES = "\u2014\u2015\u2e3a\u2e3b"
_LINE_BREAKS = "\r\x0b\x0c\x85\u2028\u2029"


def _translation(cp: int) -> int | str | None:
    """What rules 2-4 make of code point ``cp``: a string, None (removed) or ``cp`` itself.
    Earlier rules win: line breaks, clause and extra dashes, the categories, then ignorables."""
    char = chr(cp)
    if char in _LINE_BREAKS:
        return "\n"
    if char in _CLAUSE_DASHES:
        return " - "
    if char in _EXTRA_DASHES:
        return "-"
    if cp < 0x20000:
        category = unicodedata.category(char)
        if category == "Pd" and char != "-":
            return "-"
        if category == "Zs" and char != " ":
            return " "
        if category == "Cc" and char not in "\n\t":
            return None
    if any(low <= cp <= high for low, high in _IGNORABLE_RANGES):
        return None
    return cp


class _Table(dict[int, int | str | None]):
    """``str.translate``'s table of rules 2-4, filled in as code points are met: building it
    whole (131,072 look-ups of a category) took some 17 ms of every process's start-up."""

    def __missing__(self, cp: int) -> int | str | None:
        found = self[cp] = _translation(cp)
        return found


_TABLE = _Table()
# Control characters are the only thing an ASCII text may need removed.
_ASCII_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ASCII_TABLE = {cp: _translation(cp) for cp in range(0x80) if _translation(cp) != cp}
_SPACES = re.compile(r"[ \t]+")
_SPACES_AROUND_BREAK = re.compile(r" ?\n ?")

# Cyrillic and Greek letters whose glyph is a Latin letter (Unicode confusables.txt,
# restricted to the unambiguous ones); case is kept.
_CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
        "С": "C", "Т": "T", "Х": "X", "У": "Y", "Ү": "Y", "І": "I", "Ј": "J", "Ѕ": "S",
        "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I",
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",
        "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ү": "y",
        # Greek
        "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
        "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
        "ο": "o", "ν": "v", "ρ": "p", "ι": "i", "κ": "k", "υ": "u", "χ": "x", "α": "a",
    }
)  # fmt: skip
_CONFUSABLE_CHARS = "".join(chr(cp) for cp in _CONFUSABLES)
_HAS_CONFUSABLE = re.compile(f"[{_CONFUSABLE_CHARS}]")
# A word: letters, digits and marks (no underscore, no punctuation).
_WORD = re.compile(r"[^\W_]+")


def _is_latin_letter(char: str) -> bool:
    cp = ord(char)
    return char.isalpha() and (cp < 0x0250 or 0x1E00 <= cp <= 0x1EFF)


def _skeleton(match: re.Match[str]) -> str:
    word = match.group()
    if any(_is_latin_letter(c) for c in word):
        return word.translate(_CONFUSABLES)
    return word


def normalize(text: str) -> str:
    """Return ``text`` in the matching form (see the module docstring); case is kept."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if text.isascii():
        if _ASCII_CONTROLS.search(text):
            text = text.translate(_ASCII_TABLE)
    else:
        for _ in range(3):  # a removal can make new compositions possible; settles fast
            text = unicodedata.normalize("NFKC", text).translate(_TABLE)
            if _HAS_CONFUSABLE.search(text):
                text = _WORD.sub(_skeleton, text)
            if unicodedata.is_normalized("NFKC", text):
                break
    if "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _SPACES_AROUND_BREAK.sub("\n", text)
    return text.strip(" \n")


# Elements whose content is never shown as text.
_HIDDEN = frozenset({"script", "style", "template", "noscript", "svg", "head"})
# Elements that break a line: sentences and list items must not run together.
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl",
        "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
        "table", "tbody", "thead", "tfoot", "tr", "ul",
    }
)  # fmt: skip
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_RUNS_OF_SPACES = re.compile(r"  +")
_BLANK_LINES = re.compile(r" ?\n[ \n]*")
_LOOKS_LIKE_MARKUP = re.compile(r"<[A-Za-z/!?]|&")


class _TextExtractor(HTMLParser):
    """Collect the visible text of an HTML fragment; the tokenizer never recurses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden: list[str] = []
        # How many of each hidden element are open: a stray end tag is then checked in
        # constant time, not by scanning a stack that hostile markup makes 50,000 deep.
        self.open_hidden: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden.append(tag)
            self.open_hidden[tag] = self.open_hidden.get(tag, 0) + 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.hidden:
            if self.open_hidden.get(tag):
                while (closed := self.hidden.pop()) != tag:
                    self.open_hidden[closed] -= 1
                self.open_hidden[tag] -= 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(_collapse(data))

    def unknown_decl(self, data: str) -> None:
        # A CDATA section left inside HTML (double-wrapped feeds) is text, not markup.
        if data.startswith("CDATA[") and not self.hidden:
            self.parts.append(_HTML_SPACE.sub(" ", data[6:]))


def _collapse(data: str) -> str:
    """HTML's white space runs as one space; most text has none to collapse, and these
    look-ups cost a tenth of the substitution."""
    if "  " in data or "\n" in data or "\t" in data or "\r" in data or "\f" in data:
        return _HTML_SPACE.sub(" ", data)
    return data


def html_to_text(html: str) -> str:
    """Return the visible text of an HTML fragment, entities decoded exactly once.

    Tags are dropped (script, style and the like with their content), block elements end a
    line, and runs of whitespace become one space. Plain text passes through, but its
    character references are decoded ("G&#173;PT" holds a soft hyphen, which
    :func:`normalize` then removes). Runs in time linear in the input, whatever the nesting.

    Regular markup (what feedparser's sanitizer writes: every ``<`` opens a tag with quoted
    attribute values, no comments, declarations, script or style) is read by one regular
    expression; anything else by :class:`html.parser.HTMLParser`. Both give the same text
    (``tests/test_normalize.py`` checks them against each other).
    """
    if not _LOOKS_LIKE_MARKUP.search(html):
        return _HTML_SPACE.sub(" ", html).strip()
    parts = _regular_markup_text(html)
    if parts is None:
        parts = _parsed_text(html)
    text = _RUNS_OF_SPACES.sub(" ", "".join(parts))
    return _BLANK_LINES.sub("\n", text).strip(" \n")


def _parsed_text(html: str) -> list[str]:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.parts


# A start tag (group 1: name, group 2: "/" when self-closing) or an end tag (group 3), in
# the forms on which HTMLParser reads the same name and the same kind of tag: ASCII names,
# attributes with quoted values or none, only HTML's own white space between. Or a comment
# without "<" or ">" in it (no group), which HTMLParser ends at the first "--", spaces and
# ">" (``_markupbase``) and which has no text: feedparser's sanitizer keeps comments.
_REGULAR_TAG = re.compile(
    r"<(?:([a-zA-Z][-.a-zA-Z0-9:_]*)"
    r"(?:[ \t\n\r\f]+[a-zA-Z_:][-.a-zA-Z0-9_:]*"
    r"""(?:[ \t\n\r\f]*=[ \t\n\r\f]*(?:"[^"]*"|'[^']*'))?)*"""
    r"[ \t\n\r\f]*(/?)|/([a-zA-Z][-.a-zA-Z0-9:_]*)[ \t\n\r\f]*|!--[^<>]*?--\s*)>"
)
# HTMLParser reads these elements' content as raw text (CDATA_CONTENT_ELEMENTS).
_RAW_TEXT = frozenset({"script", "style"})


def _regular_markup_text(html: str) -> list[str] | None:
    """The parts ``_TextExtractor`` would collect from ``html``, or None when the markup is
    not regular (a ``<`` that opens no such tag, script or style)."""
    parts: list[str] = []
    hidden: list[str] = []
    open_hidden: dict[str, int] = {}
    pos = 0
    for tag in _REGULAR_TAG.finditer(html):
        start = tag.start()
        if start > pos:
            data = html[pos:start]
            if "<" in data:
                return None
            if not hidden:
                parts.append(_collapse(unescape(data) if "&" in data else data))
        pos = tag.end()
        name = tag.group(1)
        if name is not None:
            name = name.lower()
            if name in _RAW_TEXT:
                return None
            if tag.group(2):
                if name in _BLOCKS:
                    parts.append("\n")
            elif name in _HIDDEN:
                hidden.append(name)
                open_hidden[name] = open_hidden.get(name, 0) + 1
            elif name in _BLOCKS:
                parts.append("\n")
            elif name in ("td", "th"):
                parts.append(" ")
            continue
        name = tag.group(3)
        if name is None:  # a comment
            continue
        name = name.lower()
        if name in _RAW_TEXT:
            return None
        if hidden:
            if open_hidden.get(name):
                while (closed := hidden.pop()) != name:
                    open_hidden[closed] -= 1
                open_hidden[name] -= 1
        elif name in _BLOCKS:
            parts.append("\n")
    data = html[pos:]
    if "<" in data:
        return None
    if data and not hidden:
        parts.append(_collapse(unescape(data) if "&" in data else data))
    return parts


def document_text(item: Item, *, summary_text: str | None = None) -> str:
    """Return the searchable document of ``item``: title, summary, then content.

    Parts are normalised and joined by a blank line (``"\\n\\n"``), title first; the title
    is one line; content is added only when its text differs from the summary's. Matches
    index this string, and the classifier splits it into sentences, so punctuation stays.
    ``summary_text``: ``html_to_text(item.summary)``, when the caller has it already.
    """
    parts = [normalize(html_to_text(item.title)).replace("\n", " ")]
    if item.summary and summary_text is None:
        summary_text = html_to_text(item.summary)
    summary = normalize(summary_text) if item.summary and summary_text else ""
    if summary:
        parts.append(summary)
    if item.content:
        content = normalize(html_to_text(item.content))
        if content and content != summary:
            parts.append(content)
    return "\n\n".join(p for p in parts if p)
