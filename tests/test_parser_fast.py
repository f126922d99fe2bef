"""The lxml fast path: the same ParsedFeed as the feedparser path, or a refusal.

Every case that the fast path reads is parsed both ways (``parse_xml(fast=True)`` and
``fast=False``) and must give equal results; the cases it must refuse are refused, and then
feedparser's answer is what ``parse`` returns.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from monitor.errors import ParseError
from monitor.parser import lxml_reader, markup, parse
from monitor.parser.clean import ParsedFeed
from monitor.parser.xml import parse_xml

FEEDS = Path(__file__).parent / "data" / "feeds"
HOSTILE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "hostile"
URL = "https://feeds.example.org/dir/feed"
XML = {"content-type": "application/rss+xml"}


def both(body: bytes, headers: dict[str, str] | None = None) -> tuple[object, object]:
    def run(fast: bool) -> ParsedFeed | str:
        try:
            return parse_xml(URL, body, XML if headers is None else headers, fast=fast)
        except ParseError as exc:
            return f"{exc.kind}: {exc.detail}"

    return run(True), run(False)


def read_fast(body: bytes, headers: dict[str, str] | None = None) -> lxml_reader.Document:
    return lxml_reader.read(URL, body, XML if headers is None else headers)


def assert_same_fast(body: bytes, headers: dict[str, str] | None = None) -> ParsedFeed:
    read_fast(body, headers)  # the fast path reads it (raises Unsupported otherwise)
    fast, reference = both(body, headers)
    assert fast == reference
    assert isinstance(fast, ParsedFeed)
    return fast


def rss(items: str, channel: str = "<title>T</title><link>https://site.example/</link>") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:media="http://search.yahoo.com/mrss/" '
        'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
        f'xmlns:atom="http://www.w3.org/2005/Atom"><channel>{channel}{items}</channel></rss>'
    ).encode()


def atom(entries: str, head: str = "<title>A</title><id>urn:x</id>", attrs: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"'
        f"{attrs}>{head}{entries}</feed>"
    ).encode()


# --------------------------------------------------------------------------- corpora


def _xml_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix not in (".py", ".md", ".gz")
        if p.is_file() and not p.read_bytes()[:64].strip().startswith(b"{")
    )


@pytest.mark.parametrize("path", _xml_files(FEEDS), ids=lambda p: p.name)
def test_golden_feeds_agree(path: Path) -> None:
    fast, reference = both(path.read_bytes(), {})
    assert fast == reference


def test_golden_rss20_and_rss10_take_the_fast_path() -> None:
    for name in ("rss20.xml", "rss10.rdf"):
        assert_same_fast((FEEDS / name).read_bytes(), {})


@pytest.mark.skipif(not HOSTILE.is_dir(), reason="shared hostile fixtures absent")
@pytest.mark.parametrize("name", [p.name for p in _xml_files(HOSTILE)])
def test_hostile_feeds_agree(name: str) -> None:
    fast, reference = both((HOSTILE / name).read_bytes())
    assert fast == reference


@pytest.mark.skipif(not HOSTILE.is_dir(), reason="shared hostile fixtures absent")
@pytest.mark.parametrize(
    "name",
    [
        "xml_xxe_file.xml",
        "xml_xxe_file_inline_doctype.xml",
        "xml_xxe_parameter_entity.xml",
        "xml_external_dtd.xml",
        "xml_billion_laughs.xml",
        "xml_quadratic_blowup.xml",
    ],
)
def test_hostile_dtds_are_refused(name: str) -> None:
    path = HOSTILE / name
    if not path.exists():
        pytest.skip("fixture absent (made with --large)")
    with pytest.raises(lxml_reader.Unsupported):
        read_fast(path.read_bytes())


# --------------------------------------------------------------------------- security


def test_the_lxml_parser_expands_no_entity_and_loads_nothing(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r><t>&x;</t></r>'
    ).encode()
    from lxml import etree

    try:
        root = etree.fromstring(doc, lxml_reader._parser())
    except etree.XMLSyntaxError:
        return  # refusing the reference is as good as not expanding it
    assert "TOP-SECRET" not in etree.tostring(root, encoding="unicode")


# --------------------------------------------------------------------------- the same answer


CASES = {
    "plain rss": rss(
        "<item><title>One &amp; two</title><link>https://site.example/1?a=1&amp;b=2</link>"
        "<guid isPermaLink='false'>g1</guid><pubDate>Tue, 03 Jun 2025 09:39:21 GMT</pubDate>"
        "<description>&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;</description></item>"
    ),
    "relative links and xml:base": rss(
        '<item xml:base="https://other.example/a/b/"><title>R</title><link>../c</link>'
        "<guid>rel-guid</guid><description>&lt;a href='x.html'&gt;x&lt;/a&gt;"
        "&lt;img src='/i.png'&gt;</description></item>"
        "<item><title>Root relative</title><link>/root</link></item>"
    ),
    "guid as link": rss("<item><title>G</title><guid>https://site.example/g</guid></item>"),
    "guid relative permalink": rss("<item><title>G</title><guid>/g/1</guid></item>"),
    "empty link": rss("<item><title>E</title><link></link><guid>e</guid></item>"),
    "dangerous html": rss(
        "<item><title>D</title><guid>d</guid><description><![CDATA[<script>alert(1)</script>"
        '<a href="javascript:alert(2)" onclick="x()">k</a><iframe src="https://e.example">'
        "</iframe><p style='color:red'>ok</p>]]></description></item>"
    ),
    "content before description": rss(
        "<item><title>C</title><guid>c</guid><content:encoded>&lt;p&gt;full&lt;/p&gt;"
        "</content:encoded><description>short</description></item>"
    ),
    "description before content": rss(
        "<item><title>C</title><guid>c</guid><description>short</description>"
        "<content:encoded>&lt;p&gt;full&lt;/p&gt;</content:encoded></item>"
    ),
    "content only": rss(
        "<item><title>C</title><guid>c</guid><content:encoded>&lt;p&gt;only &lt;i&gt;this"
        "&lt;/i&gt;&lt;/p&gt;</content:encoded></item>"
    ),
    "dates": rss(
        "<item><title>a</title><guid>a</guid><dc:date>2025-06-03T09:39:21+02:00</dc:date></item>"
        "<item><title>b</title><guid>b</guid><pubDate>Mon, 01 Jan 1990 00:00:00 GMT</pubDate>"
        "</item><item><title>c</title><guid>c</guid><pubDate>10000-01-01</pubDate></item>"
        "<item><title>d</title><guid>d</guid><pubDate>Fri, 01 Jan 2099 00:00:00 GMT</pubDate>"
        "</item><item><title>e</title><guid>e</guid><pubDate>yesterday</pubDate></item>"
        "<item><title>f</title><guid>f</guid><atom:updated>2025-06-03T09:39:21Z</atom:updated>"
        "<pubDate>Tue, 03 Jun 2025 11:00:00 +0200</pubDate></item>"
    ),
    "html-looking title": rss(
        "<item><title>&lt;b&gt;Bold&lt;/b&gt; &amp;amp; more</title><guid>h</guid></item>"
        "<item><title>AT&amp;T &amp;c</title><guid>i</guid></item>"
    ),
    "mojibake and C1 controls": rss(
        "<item><title>CafÃ© au lait</title><guid>m</guid></item>"
        "<item><title>Caf\u00e9 \u0080 \u0093quoted\u0094</title><guid>n</guid></item>"
    ),
    "languages": rss(
        '<item xml:lang="fr"><title>Bonjour</title><guid>l1</guid></item>'
        '<item><title xml:lang="de_AT">Servus</title><guid>l2</guid></item>'
        "<item><title>Hi</title><guid>l3</guid></item>",
        "<title>T</title><language>en-us</language>",
    ),
    "atom links": rss(
        '<item><title>A</title><atom:link rel="alternate" href="/alt"/><guid>x</guid></item>',
        '<title>T</title><atom:link rel="self" type="application/rss+xml" href="https://f/"/>'
        "<link>https://site.example/</link>",
    ),
    "channel image and extensions": rss(
        "<item><title>X</title><guid>x</guid><category>c</category><comments>/c</comments>"
        '<enclosure url="https://e/a.mp3" length="1" type="audio/mpeg"/>'
        '<media:thumbnail url="https://e/t.jpg"/><source url="https://s/">S</source>'
        "<dc:creator>me</dc:creator></item>",
        "<title>T</title><image><url>https://i/x.png</url><title>Logo</title>"
        "<link>https://i/</link></image><description>about &lt;b&gt;us&lt;/b&gt;</description>",
    ),
    "duplicate guids": rss(
        "<item><title>1</title><guid>same</guid><link>https://s/1</link></item>"
        "<item><title>2</title><guid>same</guid><link>https://s/2</link></item>"
        "<item><title>3</title></item><item><title>3</title></item>"
    ),
    "atom": atom(
        '<entry><title type="html">&lt;em&gt;Hi&lt;/em&gt;</title><id>tag:x,2025:1</id>'
        '<link href="posts/1"/><link rel="enclosure" href="https://e/x.mp3"/>'
        "<updated>2025-06-03T09:39:21Z</updated><published>2025-06-02T08:00:00Z</published>"
        '<summary>Plain &lt;b&gt; text</summary><content type="html">&lt;p&gt;Body'
        "&lt;/p&gt;</content><author><name>N</name><uri>/me</uri></author></entry>"
        "<entry><title>No link</title><id>https://site.example/id/2</id>"
        '<content type="text">only content</content></entry>'
        "<entry><title>Relative id</title><id>/id/3</id></entry>",
        head='<title>A</title><id>urn:x</id><link rel="alternate" href="/home"/>',
        attrs=' xml:base="https://base.example/blog/" xml:lang="en"',
    ),
    "media rss": rss(
        "<item><title>Post</title><guid>m1</guid><description>d</description>"
        '<media:content url="https://m/a.jpg"><media:title type="html">Author</media:title>'
        "</media:content></item>"
        "<item><title>Clip</title><guid>m2</guid><media:group><media:title>Clip title"
        "</media:title><media:description>About &lt;b&gt;it&lt;/b&gt;</media:description>"
        '<media:thumbnail url="https://m/t.jpg"/></media:group></item>'
    ),
    "itunes summary": rss(
        "<item><title>Episode</title><guid>p1</guid><itunes:summary>Notes &amp;amp; links"
        "</itunes:summary><content:encoded>&lt;p&gt;Show notes&lt;/p&gt;</content:encoded>"
        "</item><item><title>E2</title><guid>p2</guid><content:encoded>&lt;p&gt;Full&lt;/p&gt;"
        "</content:encoded><itunes:summary>&lt;b&gt;Short&lt;/b&gt;</itunes:summary></item>"
    ),
    "youtube-like atom": atom(
        '<entry><title>Video</title><link rel="alternate" href="https://v.example/w?v=1"/>'
        "<id>yt:video:1</id><published>2025-06-01T10:00:00+00:00</published><media:group>"
        "<media:title>Video</media:title><media:description>Line one\nhttps://x.example/"
        '</media:description><media:thumbnail url="https://i/1.jpg"/></media:group></entry>',
        attrs=' xmlns:media="http://search.yahoo.com/mrss/"',
    ),
    "atom feed id as link": atom(
        "<entry><title>x</title><id>x</id></entry>", head="<title>A</title><id>https://a/</id>"
    ),
    "rss 1.0": (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        b'<channel rdf:about="https://s/"><title>R</title><link>https://s/</link>'
        b"<dc:language>de</dc:language></channel>"
        b'<item rdf:about="https://s/1"><title>One</title><link>https://s/1</link>'
        b"<dc:date>2025-06-03T09:39:21Z</dc:date><description>D &amp;amp; E</description></item>"
        b'<item rdf:about="https://s/2"><title>Two</title></item>'
        b'<image rdf:about="https://s/i.png"><title>I</title><url>https://s/i.png</url></image>'
        b"</rdf:RDF>"
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_fast_path_gives_the_feedparser_answer(name: str) -> None:
    feed = assert_same_fast(CASES[name])
    assert feed.items


def test_content_language_header_is_used_by_both() -> None:
    headers = {**XML, "content-language": "pt-BR"}
    feed = assert_same_fast(CASES["plain rss"], headers)
    assert feed.items[0].language == "pt-br"


def test_the_fast_path_is_what_parse_uses() -> None:
    feed = parse(URL, CASES["plain rss"], XML)
    assert feed == parse_xml(URL, CASES["plain rss"], XML, fast=False)
    assert feed.items[0].summary == "<p>Hello <b>world</b></p>"
    assert feed.items[0].link == "https://site.example/1?a=1&b=2"


# --------------------------------------------------------------------------- refusals


REFUSED = {
    "latin-1": (b'<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0"/>', XML),
    "charset": (rss(""), {"content-type": "application/rss+xml; charset=windows-1252"}),
    "text/xml without charset": (
        rss("<item><title>café</title></item>"),
        {"content-type": "text/xml"},
    ),
    "not xml media type": (rss(""), {"content-type": "text/html"}),
    "media type in capitals": (rss(""), {"content-type": "Application/RSS+XML"}),
    "doctype": (b'<!DOCTYPE rss SYSTEM "x.dtd"><rss version="2.0"><channel/></rss>', XML),
    "not well-formed": (rss("<item><title>a & b</title></item>"), XML),
    "undefined entity": (rss("<item><title>&nbsp;</title></item>"), XML),
    "rss 0.91": (b'<rss version="0.91"><channel><title>x</title></channel></rss>', XML),
    "atom 0.3": (b'<feed version="0.3" xmlns="http://purl.org/atom/ns#"/>', XML),
    "html": (b"<html><body>hi</body></html>", XML),
    "two titles": (rss("<item><title>a</title><title>b</title></item>"), XML),
    "dc:title": (rss("<item><dc:title>a</dc:title></item>"), XML),
    "media:title": (
        rss("<item><media:group><media:title>a</media:title></media:group></item>"),
        XML,
    ),
    "inline markup": (rss("<item><title>a <b>b</b></title></item>"), XML),
    "xhtml content": (
        atom(
            '<entry><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">x</div>'
            "</content></entry>"
        ),
        XML,
    ),
    "base64": (atom('<entry><content type="application/octet-stream">eA==</content></entry>'), XML),
    "atom source": (atom("<entry><source><title>S</title></source></entry>"), XML),
    "two descriptions": (rss("<item><description>a</description><summary>b</summary></item>"), XML),
    "description and media:description": (
        rss(
            "<item><title>t</title><description>a</description><media:content>"
            "<media:description>b</media:description></media:content></item>"
        ),
        XML,
    ),
    "Item in the wrong case": (rss("<Item><title>a</title></Item>"), XML),
}


@pytest.mark.parametrize("name", REFUSED)
def test_refused_documents_go_to_feedparser(name: str) -> None:
    body, headers = REFUSED[name]
    with pytest.raises(lxml_reader.Unsupported):
        read_fast(body, headers)
    fast, reference = both(body, headers)
    assert fast == reference


# --------------------------------------------------------------------------- the HTML shortcut


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "<b>",
                "</b>",
                "<em>",
                "</li>",
                "<ul>",
                "<h2>",
                "</pre>",
                "x",
                " ",
                "\n",
                "\r\n",
                "\t",
                "é",
                '"',
                "'",
                "=",
                ";",
                "/",
                "€",
                "\u00a0",
                "#",
                "0",
                "a b",
            ]
        ),
        max_size=30,
    )
)
def test_plain_markup_shortcut_matches_the_sanitizer(pieces: list[str]) -> None:
    from feedparser.sanitizer import _sanitize_html
    from feedparser.urls import resolve_relative_uris

    html_text = "".join(pieces).strip()
    assert markup._PLAIN_MARKUP.fullmatch(html_text)
    resolved = resolve_relative_uris(html_text, URL, "utf-8", "text/html")
    assert markup.sanitize_html(html_text, URL, "text/html") == _sanitize_html(
        resolved, "utf-8", "text/html"
    )


_MARKUP_PIECES = [
    *"<>/&;#\"'= \n\tabx1é\u0093",
    "<a href='x'>",
    '<a href="/y?a=1&b=2">',
    "</a>",
    "<img src=i.png>",
    "<img src='javascript:x'/>",
    "&amp;",
    "&foo",
    "&foo;",
    "&#39;",
    "&#x93;",
    "&#150;",
    "&nbsp;",
    "<br/>",
    "<p>",
    "</p>",
    "<iframe src=//e.com>",
    "</iframe>",
    "<form action=f>",
    "<div style='color:red;x:url(y)'>",
    "</div>",
    "<a href=JaVaScRiPt&#58;alert(2)>",
    "<blockquote cite=q>",
    "<object data=o>",
    "<video poster=p src=v>",
    "<table><tr><td>",
    "<a title='a\"b' href=\"c'd\">",
    "<!-- c -->",
    "<base href=/b>",
    "<link href=l>",
    "<input src=s>",
    "<title=",
    "</style=",
    "<applet>",
    "<script>",
    "<![CDATA[",
    "]]>",
    "<x41/",
    "<svg><rect/></svg>",
    "href=",
    "src=",
    "title=",
    "http:",
    "//h",
    "javascript:",
    "%20",
    "nbsp",
    "lt",
    "td",
    "img ",
    "a ",
]


@settings(max_examples=1500, deadline=None)
@example(["x", "<iframe src=//e.com>", "&foo", "</iframe>"], "text/html")
@example(
    [
        "td/1%20\tjavascript:divfoo<a href='x'><title=<div style='x:url(y)'>amphttp:</style=td#",
        "ampdiv/</p>p&href=<iframe src=f>x41\x93##",
    ],
    "text/html",
)
@example(["<a href='x'>", "<title=", "&foo", "</style=", "&foo", "=", "</p>"], "text/html")
@example(
    ["<table>", "&foo", "\r\n", "<svg><rect/></svg>", "<![CDATA[", "<a href='x'>"], "text/html"
)
@example(["<td/", "%20", "lt", "<a href='x'>", "title=", "<x41/", "&foo"], "text/html")
@given(
    st.lists(st.sampled_from(_MARKUP_PIECES), max_size=40),
    st.sampled_from(["text/html", "application/xhtml+xml"]),
)
def test_html_shortcuts_match_feedparsers_two_passes(pieces: list[str], ctype: str) -> None:
    """Plain markup skips both passes, most markup takes one; the result never changes."""
    from feedparser.sanitizer import _sanitize_html
    from feedparser.urls import resolve_relative_uris

    html_text = "".join(pieces).strip()
    resolved = resolve_relative_uris(html_text, URL, "utf-8", ctype)
    assert markup.sanitize_html(html_text, URL, ctype) == _sanitize_html(resolved, "utf-8", ctype)


# References of every kind a result may be kept for: rooted, scheme-relative, relative.
_REFERENCES = [
    "<img src='/a.png'>",
    "<a href=/r?x=1>",
    "<a href='http:rel'>",
    "<img src=' /sp'>",
    '<a href="#f">',
    "<a href=''>",
    "<a href=?q>",
    "<a data-href='/d' href='e'>",
    "<img src='HTTPS://Up.example/x'>",
]
_BASES = [
    "http://a.example/feeds/one.xml",
    "http://a.example/other/deeper/two.xml?q=1",
    "https://a.example/feeds/one.xml",
    "http://b.example:8080/deep/path/two.xml?x=1",
    "https://a.example/other/",
    "http://a.example/feeds/one.xml",
]


@settings(max_examples=400, deadline=None)
@example(["<a href='x'>", "</p>"], "text/html")
@example(["<iframe src=//e.com>", "x"], "text/html")
@example(["<img src='/a.png'>", "<a href='../b'>"], "text/html")
@example(["<img src=/a.png>", "<a HREF = 'c'>", "<q cite=''>"], "text/html")
@given(
    st.lists(st.sampled_from(_MARKUP_PIECES + _REFERENCES), max_size=30),
    st.sampled_from(["text/html", "application/xhtml+xml"]),
)
def test_a_result_kept_for_other_feeds_is_that_of_each_base(pieces: list[str], ctype: str) -> None:
    """The same markup from feeds at other URLs (hosts, schemes, paths): each gets what
    feedparser's two passes give for its own base, whether or not a result was kept."""
    from feedparser.sanitizer import _sanitize_html
    from feedparser.urls import resolve_relative_uris

    html_text = "".join(pieces).strip()
    for base in _BASES:
        resolved = resolve_relative_uris(html_text, base, "utf-8", ctype)
        want = _sanitize_html(resolved, "utf-8", ctype)
        assert markup.sanitize_html(html_text, base, ctype) == want, base


def test_kept_results_stay_under_their_size() -> None:
    results = markup._Results(max_chars=100)
    for n in range(20):
        results.put((f"<p>{n:040d}</p>", "text/html", "http:"), f"<p>{n}</p>")
    assert results._chars <= 100
    assert results.get(("<p>" + "0" * 40 + "</p>", "text/html", "http:")) is None
    assert results.get((f"<p>{19:040d}</p>", "text/html", "http:")) == "<p>19</p>"
