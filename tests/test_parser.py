"""Parser: golden feeds, the hostile fixtures of MANIFEST section A, and the worker pool."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import FEED_ERROR_KINDS, ParseError
from monitor.model import Item
from monitor.parser import (
    MAX_CONTENT,
    MAX_ITEMS,
    MAX_SUMMARY,
    MAX_TITLE,
    MAX_URL,
    ParsedFeed,
    parse,
    parse_in_worker,
    shutdown_parsers,
)

FEEDS = Path(__file__).parent / "data" / "feeds"
HOSTILE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "hostile"
URL = "https://feeds.example.org/dir/feed"
XML = {"content-type": "application/rss+xml"}

needs_hostile = pytest.mark.skipif(not HOSTILE.is_dir(), reason="shared hostile fixtures absent")


def golden(name: str) -> ParsedFeed:
    return parse(URL, (FEEDS / name).read_bytes(), {})


def hostile(name: str, headers: dict[str, str] | None = None) -> ParsedFeed:
    return parse(URL, (HOSTILE / name).read_bytes(), XML if headers is None else headers)


def hostile_error(name: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        hostile(name)
    assert info.value.kind in FEED_ERROR_KINDS
    assert info.value.url == URL
    return info.value


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --------------------------------------------------------------------------- golden feeds


def test_rss091() -> None:
    feed = golden("rss091.xml")
    assert (feed.title, feed.language, feed.link) == (
        "Tech Dépêches",
        "fr",
        "https://news.example.org/",
    )
    assert feed.warnings == ()
    assert [i.key for i in feed.items] == [
        "link:https://news.example.org/2024/05/mai-1.html",
        "link:https://feeds.example.org/2024/05/gpt-5.html",
    ]
    first = feed.items[0]
    assert first.title == "Microsoft pourrait dévoiler MAI-1 à la Build"
    assert first.link == "https://news.example.org/2024/05/mai-1.html?utm_source=rss"
    assert (first.guid, first.published, first.language) == (None, None, "fr")


def test_rss10() -> None:
    feed = golden("rss10.rdf")
    assert (feed.title, feed.language) == ("RDF Site Summary", "en-gb")
    assert [i.key for i in feed.items] == [
        "guid:https://rdf.example.org/a",
        "guid:https://rdf.example.org/b",
    ]
    assert feed.items[0].published == utc(2024, 5, 7, 8, 0)
    assert feed.items[0].summary == "<p>Sources say <b>summer</b>.</p>"


def test_rss20() -> None:
    feed = golden("rss20.xml")
    assert (feed.title, feed.language, feed.link) == (
        "Example & News",
        "en-us",
        "https://www.example.org/",
    )
    gpt5, no_guid, bare = feed.items
    assert gpt5 == Item(
        key="guid:example-2025-0807",
        title="OpenAI launches GPT-5 today",
        link="https://www.example.org/2025/08/gpt-5",
        guid="example-2025-0807",
        summary="<p>It is <em>out</em>.</p>",
        content='<p>Full text about <a href="https://feeds.example.org/gpt-5/details">GPT-5</a>.</p>',
        published=utc(2025, 8, 7, 17, 0),
        language="en-us",
    )
    assert no_guid.key == "link:https://example.org/2025/08/no-guid?id=7"
    assert no_guid.published == utc(2025, 8, 8, 6, 0)
    assert bare.key.startswith("hash:") and len(bare.key) == len("hash:") + 64
    assert (bare.link, bare.guid, bare.published) == (None, None, None)


def test_atom_with_xml_base() -> None:
    feed = golden("atom.xml")
    assert (feed.title, feed.language, feed.link) == (
        "Atom golden feed",
        "de",
        "https://blog.example.org/",
    )
    mai, english = feed.items
    assert mai.link == "https://blog.example.org/news/2024/05/mai-1.html"
    assert 'href="https://blog.example.org/news/about.html"' in mai.content
    assert mai.published == utc(2024, 5, 16, 6, 0)
    assert mai.language == "de"
    assert english.title == "An English entry"
    assert english.link == "https://blog.example.org/news/english.html"
    assert english.language == "en"


def test_json_feed() -> None:
    feed = golden("feed.json")
    assert (feed.title, feed.language, feed.link) == (
        "JSON golden feed",
        "en",
        "https://json.example.org/",
    )
    mai, gpt5 = feed.items
    assert mai.key == "guid:2024-05-07-mai-1"
    assert mai.summary == "MAI-1 may be previewed at Build on May 16."
    assert mai.content == "<p>About 500B parameters.</p>"
    assert mai.published == utc(2024, 5, 7, 8, 0)
    assert gpt5.key == "guid:42"
    assert gpt5.link == "https://json.example.org/2024/05/gpt-5"
    assert gpt5.content == "Plain text &lt;not markup&gt;."
    assert gpt5.language == "fr-fr"


def test_item_keys_do_not_depend_on_which_parser_ran() -> None:
    clean = (FEEDS / "rss20.xml").read_bytes()
    # An undefined entity makes expat give up; feedparser then uses its loose parser.
    broken = clean.replace(b"RSS 2.0 golden feed", b"RSS &bogus; feed")
    strict, loose = parse(URL, clean, {}), parse(URL, broken, {})
    assert loose.warnings and not strict.warnings
    assert [i.key for i in strict.items] == [i.key for i in loose.items]


def test_keys_are_stable_across_parses_and_feed_order() -> None:
    data = (FEEDS / "rss20.xml").read_bytes()
    head, *items = data.split(b"<item>")
    last = items[-1].split(b"</item>")[0] + b"</item>"
    body = [b"<item>" + i.split(b"</item>")[0] + b"</item>" for i in items[:-1]] + [
        b"<item>" + last
    ]
    reordered = head + b"".join(reversed(body)) + b"</channel></rss>"
    first, second = parse(URL, data, {}), parse(URL, reordered, {})
    assert [i.key for i in first.items] == [i.key for i in reversed(second.items)]


# --------------------------------------------------------------------------- edge cases


@pytest.mark.parametrize(
    "body",
    [b"", b"   \n\t", b"\xef\xbb\xbf", b"\xef\xbb\xbf  \n", b"\xff\xfe \x00\n\x00"],
)
def test_blank_bodies_are_empty(body: bytes) -> None:
    with pytest.raises(ParseError) as info:
        parse(URL, body, XML)
    assert info.value.kind == "empty"


def test_fields_are_capped_and_controls_removed() -> None:
    long_link = "https://example.org/" + "a" * MAX_URL
    body = (
        '<rss version="2.0"><channel><title>t</title><item>'
        f"<title>{'T' * (MAX_TITLE * 3)}</title>"
        f'<guid isPermaLink="false">g&#0;1</guid><link>{long_link}</link>'
        f"<description>{'s' * (MAX_SUMMARY * 2)}&#1;</description>"
        '</item><item><title>x\x01y</title><guid isPermaLink="false">g2</guid>'
        "<link>javascript:alert(1)</link></item></channel></rss>"
    ).encode()
    first, second = parse(URL, body, XML).items
    assert len(first.title) == MAX_TITLE
    assert len(first.summary) <= MAX_SUMMARY
    assert first.link is None
    assert first.guid == "g1"
    assert second.title == "xy"
    assert second.link is None
    for item in (first, second):
        for text in (item.title, item.summary, item.content, item.key):
            assert not any(ord(c) < 32 and c not in "\t\n\r" for c in text)
    assert MAX_CONTENT > MAX_SUMMARY


def test_dates_out_of_range_are_unknown() -> None:
    body = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><guid>old</guid><pubDate>Mon, 01 Jan 1990 00:00:00 GMT</pubDate></item>"
        b"<item><guid>future</guid><pubDate>Thu, 01 Jan 2099 00:00:00 GMT</pubDate></item>"
        b"<item><guid>ok</guid><pubDate>Mon, 01 Jan 2024 12:00:00 GMT</pubDate></item>"
        b"</channel></rss>"
    )
    old, future, ok = parse(URL, body, XML).items
    assert (old.published, future.published) == (None, None)
    assert ok.published == utc(2024, 1, 1, 12, 0)


def test_json_that_is_not_a_feed() -> None:
    for body in (b'{"error": "nope"}', b"[1, 2, 3]", b'{"version": "1.1", "items": []}'):
        with pytest.raises(ParseError) as info:
            parse(URL, body, {"content-type": "application/json"})
        assert info.value.kind == "not_a_feed"


def test_stray_entity_declaration_is_refused() -> None:
    body = b'<?xml version="1.0"?>\n<!ENTITY x "boom">\n<rss version="2.0"><channel/></rss>'
    with pytest.raises(ParseError) as info:
        parse(URL, body, XML)
    assert info.value.kind == "parse_error"


def test_unterminated_doctype_is_refused() -> None:
    body = b'<?xml version="1.0"?>\n<!DOCTYPE rss [ <!ENTITY a "x">'
    with pytest.raises(ParseError) as info:
        parse(URL, body, XML)
    assert info.value.kind == "parse_error"


# --------------------------------------------------------------------------- MANIFEST section A


@needs_hostile
def test_a01_truncated_keeps_recovered_items() -> None:
    feed = hostile("malformed_truncated.xml")
    assert len(feed.items) == 3
    assert any("no element found" in w for w in feed.warnings)


@needs_hostile
def test_a02_unescaped_controls_degrade_without_crashing() -> None:
    feed = hostile("malformed_unescaped_ctrl.xml")
    assert feed.items and feed.warnings
    assert "\x00" not in feed.title


@needs_hostile
@pytest.mark.parametrize(
    "name", ["malformed_binary_garbage.bin", "html_not_feed.html", "json_error_not_feed.json"]
)
def test_not_a_feed(name: str) -> None:
    assert hostile_error(name).kind == "not_a_feed"


@needs_hostile
def test_a11_html_page_names_its_feed() -> None:
    error = hostile_error("html_not_feed.html")
    assert "https://feeds.example.org/feed/items_missing_fields.xml" in error.detail


@needs_hostile
def test_a04_mismatched_tags_keep_text_without_markup() -> None:
    feed = hostile("malformed_undeclared_ns_and_mismatched_tags.xml")
    assert [i.title for i in feed.items] == ["One", "Two", "Three"]


@needs_hostile
@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("encoding_latin1_declared_utf8.xml", "Français: élève à l'école"),
        ("encoding_utf16le_bom.xml", "UTF-16LE item é日"),
        ("encoding_bogus_declared.xml", "Declared x-klingon, bytes are utf-8: éè"),
        ("encoding_shift_jis_http_says_utf8.xml", "ニュース GPT-5 発表"),
    ],
)
def test_encodings(name: str, title: str) -> None:
    assert hostile(name, headers={}).items[0].title == title


@needs_hostile
def test_a05_charset_override_is_a_warning() -> None:
    feed = hostile("encoding_latin1_declared_utf8.xml")
    assert any("CharacterEncodingOverride" in w for w in feed.warnings)


@needs_hostile
def test_a06_mixed_encoding_still_yields_text() -> None:
    assert hostile("encoding_mixed_utf8_cp1252.xml").items[0].title.startswith("Smart quotes")


@needs_hostile
def test_a09_no_double_unescape() -> None:
    assert hostile("encoding_double_encoded.xml").items[0].title == "Mojibake Café & <b>"


@needs_hostile
@pytest.mark.parametrize("name", ["empty.xml", "whitespace_bom_only.xml"])
def test_a12_empty(name: str) -> None:
    assert hostile_error(name).kind == "empty"


@needs_hostile
@pytest.mark.parametrize(
    "name",
    [
        "xml_billion_laughs.xml",
        "xml_quadratic_blowup.xml",
        "xml_quadratic_blowup_small.xml",
        "xml_xxe_file.xml",
        "xml_xxe_file_inline_doctype.xml",
        "xml_xxe_parameter_entity.xml",
        "xml_entity_backslash.xml",
    ],
)
def test_internal_subsets_are_removed_before_parsing(name: str) -> None:
    feed = hostile(name)
    assert len(feed.items) == 1
    assert any("DOCTYPE internal subset removed" in w for w in feed.warnings)
    # Expanded, the quadratic blowup makes a 30 MB field; unexpanded it stays small.
    longest = max(len(f) for i in feed.items for f in (i.title, i.summary, i.content))
    assert longest < 10_000


@needs_hostile
@pytest.mark.parametrize(
    "name", ["xml_charref_surrogate.xml", "xml_charref_out_of_range.xml", "xml_charref_huge.xml"]
)
def test_a25_bad_character_references_become_replacement_chars(name: str) -> None:
    (item,) = hostile(name).items
    assert "\ufffd" in item.title
    item.title.encode("utf-8")


@needs_hostile
def test_a27_nul_is_removed() -> None:
    (item,) = hostile("xml_nul_charref.xml").items
    assert "\x00" not in item.title + item.summary
    assert "GPT-5" in item.title


@needs_hostile
def test_a28_deep_nesting() -> None:
    (item,) = hostile("xml_deep_nesting.xml").items
    assert len(item.summary) <= MAX_SUMMARY


@needs_hostile
def test_a29_gzip_bomb_bytes_are_not_a_feed() -> None:
    assert hostile_error("gzip_bomb_1GiB.xml.gz").kind == "not_a_feed"


@needs_hostile
def test_a30_missing_fields_identity_chain() -> None:
    feed = hostile("items_missing_fields.xml")
    keys = [i.key for i in feed.items]
    assert len(keys) == len(set(keys)) == 7
    titles = [i.title for i in feed.items]
    assert titles.count("Same text twice (1)") == 1
    assert "guid:ws-guid-1" in keys
    assert "link:https://news.example.invalid/empty-guid" in keys
    assert "link:https://news.example.invalid/link-only" in keys
    assert sum(k.startswith("hash:") for k in keys) == 4
    assert all(i.published is None for i in feed.items if i.key.startswith("hash:"))


@needs_hostile
def test_a31_same_guids_in_two_feeds_stay_per_feed() -> None:
    a = hostile("dup_guid_feed_a.xml")
    b = hostile("dup_guid_feed_b.xml")
    assert [i.key for i in a.items] == [i.key for i in b.items]
    assert {i.title for i in a.items}.isdisjoint({i.title for i in b.items})


@needs_hostile
def test_a32_one_guid_for_every_item_keeps_five_items() -> None:
    feed = hostile("dup_guid_within_feed.xml")
    assert len({i.key for i in feed.items}) == 5
    assert all(i.key.startswith("guid:same-guid|link:") for i in feed.items)


@needs_hostile
def test_a33_rotating_guids_keep_stable_canonical_links() -> None:
    from monitor.links import canonical_url

    links = [
        {canonical_url(i.link or "") for i in hostile(f"rotating_guid_v{n}.xml").items}
        for n in (1, 2, 3)
    ]
    assert all(len(s) == 3 for s in links)


@needs_hostile
def test_a34_weird_dates() -> None:
    feed = hostile("dates_weird.xml")
    now = datetime.now(UTC)
    for item in feed.items:
        assert item.published is None or utc(1995, 1, 1) <= item.published <= now
    kept = {i.title for i in feed.items if i.published is not None}
    assert "Date case: year 10000" not in kept
    assert "Date case: future 2099" not in kept


@needs_hostile
def test_a35_html_is_sanitised() -> None:
    feed = hostile("html_injection_summaries.xml")
    text = " ".join(i.summary + i.content for i in feed.items).lower()
    assert "<script" not in text and "onerror" not in text and "<iframe" not in text


@needs_hostile
def test_a36_unicode_titles_are_capped() -> None:
    feed = hostile("unicode_titles.xml")
    assert len(feed.items) == 10
    assert all(len(i.title) <= MAX_TITLE for i in feed.items)


@needs_hostile
def test_a38_hostile_json_feed() -> None:
    feed = hostile("jsonfeed_valid_hostile.json", {"content-type": "application/feed+json"})
    by_title = {i.title: i for i in feed.items}
    assert len(feed.items) == 6
    assert "<script" not in " ".join(i.content for i in feed.items)
    assert by_title["no url, no date, external_url javascript:"].link is None
    numeric = next(i for i in feed.items if i.guid == "2")
    assert numeric.link == "https://news.example.invalid/relative/2"
    assert numeric.published is None  # 2099
    assert len({i.key for i in feed.items}) == 6


@needs_hostile
def test_a39_wrong_types() -> None:
    assert hostile_error("jsonfeed_wrong_types.json").kind == "parse_error"
    feed = hostile("jsonfeed_items_wrong_types.json")
    assert [i.key for i in feed.items] == ["guid:ok-1"]
    assert any("4 JSON Feed item(s)" in w for w in feed.warnings)


@needs_hostile
@pytest.mark.parametrize("name", ["jsonfeed_deep_nesting.json", "jsonfeed_truncated.json"])
def test_a40_a41_broken_json(name: str) -> None:
    assert hostile_error(name).kind == "parse_error"


@needs_hostile
def test_a41_bom_and_duplicate_keys() -> None:
    (item,) = hostile("jsonfeed_duplicate_keys_bom.json").items
    assert item.key == "guid:dk-2"


@needs_hostile
def test_a42_atom_bases() -> None:
    feed = hostile("atom_xml_base_relative.xml")
    links = {i.title: i.link for i in feed.items}
    assert links["Nested base: relative link"] == (
        "https://news.example.invalid/blog/2024/01/post-1.html"
    )
    assert links["file: base"] is None
    assert links["No link at all, id is a URL"] == "https://news.example.invalid/blog/id-as-url"
    assert all(link is None or link.startswith(("http://", "https://")) for link in links.values())


@needs_hostile
def test_a43_odd_links() -> None:
    feed = hostile("rss_relative_and_odd_links.xml")
    links = {i.title: i.link for i in feed.items}
    assert links["Root-relative"] == "https://feeds.example.org/post/1"
    assert links["Leading space javascript"] is None
    assert links["Credentials in URL"] == "https://news.example.invalid/p"
    assert links["Very long URL"] is None
    assert all(link is None or len(link) <= MAX_URL for link in links.values())


AUDIT_CHILD = r"""
import io, json, socket, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from monitor.parser import parse
from monitor.errors import ParseError
hostile = Path(sys.argv[2])
names = sorted(p.name for p in hostile.iterdir() if p.suffix in (".xml", ".json", ".html", ".bin"))
blobs = {n: (hostile / n).read_bytes() for n in names}
secret = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
events = []
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)):
        path = args[0] if isinstance(args[0], str) else args[0].decode("utf-8", "replace")
        if not any(s in path for s in ("site-packages", "/lib/python", ".pyc", "/proc/", "/dev/")):
            events.append(("open", path))
    elif event == "socket.connect":
        events.append(("connect", repr(args[1])))
sys.addaudithook(hook)
leaks = []
for name, data in blobs.items():
    try:
        feed = parse("http://127.0.0.1:9/feed", data, {"content-type": "application/xml"})
        text = json.dumps([feed.title] + [vars(i) for i in feed.items], default=str)
        if (secret and secret in text) or "root:x:0:0" in text:
            leaks.append(name)
    except ParseError:
        pass
print(json.dumps({"events": events, "leaks": leaks, "count": len(blobs)}))
"""


@needs_hostile
def test_no_file_opened_no_socket_no_leak() -> None:
    repo = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", AUDIT_CHILD, str(repo), str(HOSTILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["count"] > 30
    assert report["events"] == []
    assert report["leaks"] == []


# --------------------------------------------------------------------------- worker


def test_the_daemon_keeps_a_feeds_newest_items_in_feed_order() -> None:
    # Feed order: 300 undated items, then dated ones oldest first. The newest dated items win;
    # the undated ones fill what is left, the first in feed order.
    undated = [b"<item><title>u%d</title><guid>u%d</guid></item>" % (i, i) for i in range(300)]
    dated = [
        b"<item><title>d%d</title><guid>d%d</guid><pubDate>%s</pubDate></item>"
        % (i, i, f"Mon, 04 Aug 2025 {i // 60:02d}:{i % 60:02d}:00 GMT".encode())
        for i in range(900)
    ]
    body = (
        b'<rss version="2.0"><channel><title>t</title>'
        + b"".join(undated + dated)
        + b"</channel></rss>"
    )

    async def scenario() -> tuple[ParsedFeed, ParsedFeed]:
        return (
            await parse_in_worker(URL, body, XML),
            await parse_in_worker(URL, body, XML, max_items=None),
        )

    try:
        kept, whole = asyncio.run(scenario())
    finally:
        shutdown_parsers()
    assert len(kept.items) == MAX_ITEMS == 1000
    titles = [item.title for item in kept.items]
    assert titles == [f"u{i}" for i in range(100)] + [f"d{i}" for i in range(900)]
    assert "1200 items; only the newest 1000 were kept" in kept.warnings
    assert whole == parse(URL, body, XML)  # what `monitor scan` prints: every item
    assert len(whole.items) == 1200


def test_parser_workers_start_before_the_first_parse_is_sent() -> None:
    # Starting a worker takes 10-20 ms of the thread that submits to a fresh executor; the
    # pool starts every worker in a thread, so a submit from the event loop starts none.
    from monitor.parser.worker import _POOL

    async def scenario() -> None:
        before = set(multiprocessing.active_children())
        pool = await _POOL.get(300)
        started = set(multiprocessing.active_children()) - before
        assert len(started) == _POOL.workers == 2
        assert await _POOL.get(300) is pool
        feed = await parse_in_worker(URL, (FEEDS / "rss20.xml").read_bytes(), {})
        assert feed == golden("rss20.xml")
        assert set(multiprocessing.active_children()) - before == started

    try:
        asyncio.run(scenario())
    finally:
        shutdown_parsers()


def test_parse_in_worker_returns_items_and_errors() -> None:
    async def scenario() -> None:
        feed = await parse_in_worker(URL, (FEEDS / "rss20.xml").read_bytes(), {})
        assert feed == golden("rss20.xml")
        with pytest.raises(ParseError) as info:
            await parse_in_worker(URL, b"", {})
        assert (info.value.kind, info.value.url) == ("empty", URL)

    try:
        asyncio.run(scenario())
    finally:
        shutdown_parsers()


def test_worker_out_of_memory_is_a_parse_error_and_the_pool_recovers() -> None:
    items = b"".join(
        b"<item><title>x%d</title><description>%s</description></item>" % (i, b"y" * 4000)
        for i in range(10_000)
    )
    big = b'<rss version="2.0"><channel><title>t</title>' + items + b"</channel></rss>"

    async def scenario() -> None:
        with pytest.raises(ParseError) as info:
            await parse_in_worker("https://big.example.org/", big, XML, memory_mb=120)
        assert info.value.kind == "parse_error"
        assert info.value.url == "https://big.example.org/"
        feed = await parse_in_worker(URL, (FEEDS / "atom.xml").read_bytes(), {}, memory_mb=120)
        assert len(feed.items) == 2

    try:
        asyncio.run(scenario())
    finally:
        shutdown_parsers()


def test_worker_timeout_is_a_parse_error_and_does_not_block_the_loop() -> None:
    items = b"".join(
        b"<item><title>t%d</title><guid>%d</guid></item>" % (i, i) for i in range(30000)
    )
    slow = b'<rss version="2.0"><channel><title>t</title>' + items + b"</channel></rss>"

    async def scenario() -> None:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        # Warm the pool so the timeout measures parsing, not process start-up.
        await parse_in_worker(URL, (FEEDS / "rss20.xml").read_bytes(), {})
        task = asyncio.create_task(ticker())
        with pytest.raises(ParseError) as info:
            await parse_in_worker("https://slow.example.org/", slow, XML, timeout=0.3)
        task.cancel()
        assert info.value.kind == "parse_error"
        assert ticks >= 10  # the event loop kept running while the worker was busy
        feed = await parse_in_worker(URL, (FEEDS / "rss10.rdf").read_bytes(), {})
        assert len(feed.items) == 2

    try:
        asyncio.run(scenario())
    finally:
        shutdown_parsers()


def test_one_html_to_text_for_parser_and_matcher() -> None:
    from monitor import normalize, parser

    assert parser.html_to_text is normalize.html_to_text


@pytest.mark.parametrize(
    "markup",
    [
        "<div>" * 50_000 + "x" + "</div>" * 50_000,
        "<svg>" * 50_000 + "</head>" * 50_000 + "x",  # stray end tags under open hidden ones
        "<b>" * 50_000 + "x",
    ],
)
def test_html_to_text_stays_linear_on_hostile_nesting(markup: str) -> None:
    from monitor.normalize import html_to_text

    started = time.perf_counter()
    html_to_text(markup)
    assert time.perf_counter() - started < 3.0


def test_html_to_text_decodes_entities_once() -> None:
    from monitor.normalize import html_to_text

    assert html_to_text("<p>a &amp;lt; b</p>") == "a &lt; b"
    assert html_to_text("<svg><head></svg>after") == "after"
