from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.errors import ParseError
from monitor.model import Item
from monitor.normalize import (
    _ASCII_TABLE,
    _IGNORABLE_RANGES,
    _TABLE,
    _parsed_text,
    _regular_markup_text,
    document_text,
    html_to_text,
    normalize,
)
from monitor.parser import parse

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


# --- html_to_text ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Hello <b>GPT</b>-5</p>", "Hello GPT-5"),
        ("<b>GPT</b>-5 in markup", "GPT-5 in markup"),
        ("AT&amp;T buys Q&amp;A", "AT&T buys Q&A"),
        # decoded exactly once: a double-escaped entity stays visible as an entity
        ("fish &amp;amp; chips &amp;lt;b&amp;gt;", "fish &amp; chips &lt;b&gt;"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),
        ("a<script>var GPT5 = 1;</script>b<style>p {}</style>c", "abc"),
        ("<p>one</p><p>two</p>", "one\ntwo"),
        ("line<br>break<br/>again", "line\nbreak\nagain"),
        ("<ul><li>a</li><li>b</li></ul>", "a\nb"),
        ("  lots \n\t of   space  ", "lots of space"),
        ("plain title, no markup", "plain title, no markup"),
        ("a < b and c > d", "a < b and c > d"),
        ("<!-- hidden -->shown", "shown"),
        ("<p><![CDATA[GPT-5 & co]]></p>", "GPT-5 & co"),
        ("OpenAI ships G&#173;PT-5 today", "OpenAI ships G\xadPT-5 today"),
        ("caf&eacute; &#x263A; &#9731;", "café ☺ ☃"),
        ("<p>Le 16&nbsp;mai</p>", "Le 16\xa0mai"),
        ("", ""),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


def test_html_to_text_does_not_recurse_on_deep_nesting() -> None:
    html = "<div>" * 50_000 + "GPT-5 deep inside" + "</div>" * 50_000
    assert html_to_text(html) == "GPT-5 deep inside"


def test_html_to_text_unclosed_tags_keep_text() -> None:
    assert html_to_text("<div><p><b>MAI-1 <i>preview") == "MAI-1 preview"


@given(st.text())
def test_html_to_text_never_raises(html: str) -> None:
    assert isinstance(html_to_text(html), str)


# The regular-markup reader must collect what HTMLParser collects, whenever it reads.
_NAMES = st.sampled_from(
    ["p", "P", "b", "br", "div", "li", "td", "th", "a", "img", "svg", "head", "noscript",
     "template", "span", "o:p", "h2", "tr", "x-y", "script", "style"]
)  # fmt: skip
_ATTRS = st.lists(
    st.tuples(
        st.sampled_from(["href", "class", "alt", "data-x", "src", "title"]),
        st.sampled_from(['"x"', "'y'", '"a > b < c"', "'&amp;'", '""', None]),
        st.sampled_from(["", " ", "\n", "  "]),
    ),
    max_size=3,
)
_TEXT = st.sampled_from(
    ["GPT-5", " ", "\n\t", "a &amp; b", "&lt;p&gt;", "&#173;", "&nbsp;", "&amp", "x > y",
     "&#x26;", "caf&eacute;", "<", "<!-- c -->", "<![CDATA[d]]>", "\u00a0", "&#0;", "",
     "<!-- wp:paragraph -->", "<!---->", "<!-->", "<!-- a -- b -- >", "<!-- a > b -->",
     "<!-- open", "--", "-->", "--\n>"]
)  # fmt: skip


@st.composite
def _markup(draw: st.DrawFn) -> str:
    out = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["text", "start", "end", "self"]))
        if kind == "text":
            out.append(draw(_TEXT))
            continue
        name = draw(_NAMES)
        if kind == "end":
            out.append(f"</{name}{draw(st.sampled_from(['', ' ', chr(10)]))}>")
            continue
        attrs = "".join(
            f" {key}{space}={space}{value}" if value is not None else f" {key}"
            for key, value, space in draw(_ATTRS)
        )
        out.append(f"<{name}{attrs}{' /' if kind == 'self' else ''}>")
    return "".join(out)


@given(_markup())
def test_html_to_text_regular_markup_reads_as_htmlparser(html: str) -> None:
    fast = _regular_markup_text(html)
    if fast is not None:
        assert "".join(fast) == "".join(_parsed_text(html))


def _fields(path: Path) -> list[str]:
    try:
        feed = parse("https://feeds.example.org/feed", path.read_bytes(), {})
    except ParseError:
        return []
    return [f for i in feed.items for f in (i.title, i.summary, i.content) if f]


_CORPUS = sorted(
    p
    for folder in (
        Path(__file__).parent / "data" / "feeds",
        Path(__file__).resolve().parents[1] / "monitor" / "demo_feeds",
        SHARED / "data" / "hostile",
    )
    if folder.is_dir()
    for p in folder.iterdir()
    if p.suffix in (".xml", ".rdf", ".json", ".atom", ".rss")
)


def test_html_to_text_regular_markup_reads_the_fixture_feeds_as_htmlparser() -> None:
    read = 0
    for path in _CORPUS:
        for field in _fields(path):
            fast = _regular_markup_text(field)
            if fast is not None:
                read += 1
                assert "".join(fast) == "".join(_parsed_text(field)), (path.name, field)
    assert read > 20  # the regular reader is the common path on feeds


# --- normalize ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("GPT\u00ad-5", "GPT-5"),  # soft hyphen
        ("MAI\u200b-1", "MAI-1"),  # zero width space
        ("GPT\u200c-5 GPT\u200d-5", "GPT-5 GPT-5"),  # ZWNJ, ZWJ
        ("G\u2060PT-5", "GPT-5"),  # word joiner
        ("GPT\ufeff-5", "GPT-5"),  # BOM / ZWNBSP
        ("\u202egpt-5\u202c", "gpt-5"),  # bidi override
        ("GPT\u034f-5\ufe0f", "GPT-5"),  # grapheme joiner, variation selector
        ("\uff27\uff30\uff34\uff0d\uff15", "GPT-5"),  # fullwidth
        ("GPT\u20105 GPT\u20115 GPT\u20125", "GPT-5 GPT-5 GPT-5"),
        ("GPT\u20135 GPT\ufe635", "GPT-5 GPT-5"),  # en dash, small hyphen-minus
        # dashes that punctuate clauses are spaced, whether written spaced or not
        ("GPT-5\u2014expected in August\u2014marks", "GPT-5 - expected in August - marks"),
        ("a \u2015 b\u2e3ac\ufe58d", "a - b - c - d"),
        ("GPT\u22125 GPT\ufe635", "GPT-5 GPT-5"),  # minus sign, small hyphen-minus
        ("GPT\u00a05 GPT\u202f5 GPT\u20075 GPT\u30005", "GPT 5 GPT 5 GPT 5 GPT 5"),
        ("GPT \u00a0 5", "GPT 5"),  # runs of spaces collapse
        ("a\x00b\x07c\x1bd\x7fe\x9ff", "abcdef"),  # C0 and C1 controls
        ("tab\there", "tab here"),
        ("one\r\ntwo\rthree\u2028four", "one\ntwo\nthree\nfour"),
        ("  padded  \n  lines  ", "padded\nlines"),
        ("G\u0420\u0422-5", "GPT-5"),  # Cyrillic Er, Te inside a Latin word
        ("M\u0410I-1", "MAI-1"),  # Cyrillic A
        ("\u039fpen\u0391I", "OpenAI"),  # Greek Omicron, Alpha
        ("\u041c\u043e\u0441\u043a\u0432\u0430 \u0420\u0422", "Москва РТ"),  # Russian stays
        ("\u03b1\u03b2\u03b3", "αβγ"),  # Greek stays
        ("Gpt-5 gPT-5", "Gpt-5 gPT-5"),  # case is kept
        ("e\u0301te\u0301", "été"),  # NFC composition
        ("\ufb01rst", "first"),  # ligature
        ("\ud800broken", "broken"),  # lone surrogate from a bad char ref
        ("", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_keeps_sentence_punctuation() -> None:
    text = "MAI-1 arrive. Selon « Le Monde », GPT-5 ? Oui ! (Build, 16 mai)"
    assert normalize(text) == text


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


_FORBIDDEN = {"Cf", "Cs", "Zl", "Zp"}


@given(st.text())
def test_normalize_leaves_no_invisible_dash_or_odd_space(text: str) -> None:
    result = normalize(text)
    for char in result:
        category = unicodedata.category(char)
        assert category not in _FORBIDDEN, repr(char)
        assert category != "Pd" or char == "-", repr(char)
        assert category != "Zs" or char == " ", repr(char)
        assert category != "Cc" or char in "\n\t", repr(char)


# --- document_text --------------------------------------------------------------------


def test_document_text_title_then_summary_then_content() -> None:
    item = Item(
        key="k",
        title="OpenAI ships GPT\u00ad-5",
        summary="<p>It is <b>out</b>.</p><p>Second paragraph.</p>",
        content="<div>Full text about GPT\u20115.</div>",
    )
    assert document_text(item) == (
        "OpenAI ships GPT-5\n\nIt is out.\nSecond paragraph.\n\nFull text about GPT-5."
    )


def test_document_text_skips_content_equal_to_summary() -> None:
    item = Item(key="k", title="Title", summary="<p>Same text</p>", content="Same   text")
    assert document_text(item) == "Title\n\nSame text"


def test_document_text_skips_empty_parts() -> None:
    assert document_text(Item(key="k", title="Only a title")) == "Only a title"
    assert document_text(Item(key="k", title="", summary="Only a summary")) == "Only a summary"
    assert document_text(Item(key="k", title="T", content="<p>content</p>")) == "T\n\ncontent"


def test_document_text_title_is_one_line_without_markup() -> None:
    item = Item(key="k", title="<b>GPT</b>-5<br>in markup &amp; more")
    assert document_text(item) == "GPT-5 in markup & more"


def test_document_text_on_unicode_titles_fixture() -> None:
    path = SHARED / "data" / "hostile" / "unicode_titles.xml"
    if not path.exists():
        pytest.skip("shared fixtures not present")
    feedparser = pytest.importorskip("feedparser")
    import io

    parsed = feedparser.parse(io.BytesIO(path.read_bytes()))
    assert parsed.entries
    for entry in parsed.entries:
        item = Item(key="k", title=entry.get("title", ""), summary=entry.get("summary", ""))
        text = document_text(item)
        assert normalize(text) == text
        assert "\u202e" not in text and "\u200b" not in text


def test_the_translation_table_is_the_one_built_whole() -> None:
    # The table as it was built at import, every code point looked up at once.
    whole: dict[int, str | None] = {}
    for low, high in _IGNORABLE_RANGES:
        for cp in range(low, high + 1):
            whole[cp] = None
    for cp in range(0x20000):
        char = chr(cp)
        category = unicodedata.category(char)
        if category == "Pd" and char != "-":
            whole[cp] = "-"
        elif category == "Zs" and char != " ":
            whole[cp] = " "
        elif category == "Cc" and char not in "\n\t":
            whole[cp] = None
    for char in "\u2212\u2043\u02d7\u2796\ufe63\uff0d":
        whole[ord(char)] = "-"
    for char in "\u2014\u2015\u2e3a\u2e3b":  # dashes between clauses
        whole[ord(char)] = " - "
    for char in "\r\x0b\x0c\x85\u2028\u2029":
        whole[ord(char)] = "\n"
    text = "".join(chr(cp) for cp in range(0x110000))
    assert text.translate(_TABLE) == text.translate(whole)
    assert text[:0x80].translate(_ASCII_TABLE) == text[:0x80].translate(whole)
