"""``monitor.parser.sanitize`` against feedparser's sanitizer on generated markup: every
answer it gives is the one resolving pass's, and ``sanitize_html`` stays feedparser's two
passes. benchmarks/check_sanitizer.py does the same on a folder of real feeds."""

from __future__ import annotations

from feedparser.sanitizer import _sanitize_html
from feedparser.urls import resolve_relative_uris
from hypothesis import example, given, settings
from hypothesis import strategies as st

from monitor.parser import markup, sanitize

_BASES = ["http://a.example/feeds/one.xml", "https://b.example:8443/x/y/?q=1"]
_TYPES = ["text/html", "application/xhtml+xml"]

# Tags in every form sgmllib reads (quotes, case, spacing, repeats, references in values),
# the attributes the sanitizer keeps, resolves, filters or drops, and text around them.
_PIECES = [
    "<p>",
    "</p>",
    "<P>",
    "</P >",
    "<br/>",
    "<br />",
    "<BR>",
    "<p/>",
    "<hr\n/>",
    "<img src=i.png>",
    "<img src='/a.png' alt=\"x &amp; y\"/>",
    '<img SRC="HTTPS://Up.example/x" width=10 height="20" />',
    "<a href='x'>",
    '<a href="/y?a=1&b=2&amp;c=3">',
    "<a href=JaVaScRiPt&#58;alert(2)>",
    '<a href="javascript:x" title="t">',
    "<a href='mailto:m@example.com' rel='NoFollow' TYPE='Text/HTML'>",
    '<a\nhref="http:rel"\ntarget=_blank>',
    "<a href=x href=y>",
    "<a name=n id=i class='c d'>",
    "</a>",
    "<span style='color: red; font-weight: bold'>",
    '<span style="font-weight: 400;">',
    "<div style='color:red;x:url(y)'>",
    "<div style=\"background: url('x')\">",
    '<p style="margin: 0 auto; padding:1px">',
    "</span>",
    "</div>",
    "<blockquote cite=q>",
    "<q cite='../up'>",
    "<iframe src=//e.com>",
    "</iframe>",
    "<object data=o>",
    "<video poster=p src=v controls>",
    "<input checked type=CHECKBOX>",
    "<td colspan=2 abbr=&#150;>",
    "<o:p>",
    "</o:p>",
    "<font face=Arial>",
    "<a title='a>b'>",
    "<a title=\"x'y\" href='p\"q'>",
    "<a title=x$>",
    "<a data-src=/d href='e'>",
    # longer than what is kept between calls
    '<span style="' + "color: red; " * 50 + '">',
    "<a href='/" + "x" * 600 + "' title='" + "t" * 600 + "'>",
    "<a =x>",
    "<!-- wp:paragraph -->",
    '<!-- wp:image {"id":1} -->',
    "<!---->",
    "<!-- a -- b -- >",
    "&amp;",
    "&nbsp;",
    "&apos;",
    "&foo;",
    "&foo",
    "&foo-bar.",
    "&#39;",
    "&#34;",
    "&#150;",
    "&#X93;",
    "&#x201C;",
    "&#12",
    "&",
    "&#",
    ">",
    *"x \n\r\t\"'=/;#é",
    "\r\n",
    "a b",
]
# What the loop leaves to feedparser.
_ODD = ["<", "</", "<>", "<?pi?>", "<script>", "</script>", "<svg>", "<!-- <b> -->", "<!-- open"]


def _one_pass(value: str, base: str, ctype: str) -> str:
    sanitizer = markup._ResolvingSanitizer(base, ctype)
    sanitizer.feed(value)
    return str(sanitizer.output()).strip().replace("\r\n", "\n")


@settings(max_examples=2000, deadline=None)
@example(["&foo", "<p>", "&foo"], "text/html", [])  # an entity, then the same text as text
@example(["<a title='a>b'>", "x"], "text/html", [])
@example(["<img src=i.png />"], "application/xhtml+xml", [])
@example(["<p/>", "<br/>", "<P>", "</P >"], "application/xhtml+xml", [])
@example(["<!-- a -- b -- >", "<!---->"], "text/html", [])
@given(
    st.lists(st.sampled_from(_PIECES), max_size=40),
    st.sampled_from(_TYPES),
    st.lists(st.sampled_from(_ODD), max_size=1),
)
def test_sanitize_gives_the_resolving_pass_answer(
    pieces: list[str], ctype: str, odd: list[str]
) -> None:
    value = "".join(pieces + odd)
    for base in _BASES:
        found = sanitize.sanitize(value, base, ctype)
        if found is not None:
            assert found == _one_pass(value, base, ctype), base


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES + _ODD), max_size=30), st.sampled_from(_TYPES))
def test_sanitize_html_stays_feedparsers_two_passes(pieces: list[str], ctype: str) -> None:
    value = "".join(pieces).strip()
    for base in _BASES:
        resolved = resolve_relative_uris(value, base, "utf-8", ctype)
        assert markup.sanitize_html(value, base, ctype) == _sanitize_html(resolved, "utf-8", ctype)


def test_sanitize_takes_well_formed_markup() -> None:
    value = (
        '<!-- wp:paragraph --><p style="margin: 0">Caf&eacute; &amp; <a href="/r?a=1&b=2" '
        "rel=NoFollow>more</a><br/><img src=i.png alt='x'></p>&#8217;&#150;"
    )
    found = sanitize.sanitize(value, _BASES[0], "text/html")
    assert found == _one_pass(value, _BASES[0], "text/html")
    assert found == (
        '<!-- wp:paragraph --><p style="margin: 0;">Caf&eacute; &amp; '
        '<a href="http://a.example/r?a=1&amp;b=2" rel="nofollow">more</a><br />'
        '<img alt="x" src="http://a.example/feeds/i.png" /></p>&#8217;&#x2013;'
    )


def test_sanitize_leaves_what_it_does_not_model_to_feedparser() -> None:
    for value in ["<script>x</script>", "<svg></svg>", "<!DOCTYPE x>", "<?pi?>", "a < b"]:
        assert sanitize.sanitize(value, _BASES[0], "text/html") is None, value
