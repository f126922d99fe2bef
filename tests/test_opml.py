"""OPML export and import through the real command line, on real files."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from lxml import etree

from monitor.commands.opml import OpmlError, Outline, read_opml, write_opml
from monitor.settings import load_settings
from tests.conftest import REPO, run_cli

CONFIG = """\
database = "sqlite:///{db}"
watchlists = ["{watchlists}"]

[defaults]
watch_feeds = {watch_feeds}

[[feed]]
url = "https://example.org/rss"
name = "Example \\"News\\""
official = true

[[feed]]
url = "https://actu.example/feed/"
"""

READER_EXPORT = """\
<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="AI" title="AI">
      <outline type="rss" text="Le Monde   Pixels" xmlUrl="https://www.lemonde.fr/pixels/rss_full.xml"
               htmlUrl="https://www.lemonde.fr/pixels/"/>
      <outline type="rss" title="Ars" xmlUrl="https://arstechnica.com/ai/feed/"/>
      <outline type="rss" text="" xmlUrl="http://blog.example/atom.xml"/>
    </outline>
    <outline type="rss" text="Example again" xmlUrl="HTTPS://EXAMPLE.ORG/rss/"/>
    <outline type="rss" text="Ars twice" xmlUrl="https://arstechnica.com/ai/feed"/>
    <outline type="rss" text="Podcast" xmlUrl="feed://podcast.example/rss"/>
    <outline type="rss" text="Local" xmlUrl="file:///etc/passwd"/>
    <outline text="A folder with no feeds"/>
  </body>
</opml>
"""


def make_config(tmp_path: Path, *, watch_feeds: bool = False) -> Path:
    config = tmp_path / "monitor.toml"
    config.write_text(
        CONFIG.format(
            db=tmp_path / "m.db",
            watchlists=REPO / "watchlists",
            watch_feeds=str(watch_feeds).lower(),
        ),
        encoding="utf-8",
    )
    return config


def test_export_writes_the_configured_feeds_as_opml_2(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    result = run_cli("feeds", "export", "--config", str(config))
    assert result.code == 0, result.err
    root = etree.fromstring(result.out.encode())
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "newsmonitor feeds"
    assert root.findtext("head/dateCreated")
    outlines = root.findall("body/outline")
    assert [(o.get("type"), o.get("xmlUrl"), o.get("text")) for o in outlines] == [
        ("rss", "https://example.org/rss", 'Example "News"'),
        ("rss", "https://actu.example/feed/", "https://actu.example/feed/"),
    ]

    output = tmp_path / "out" / "feeds.opml"
    output.parent.mkdir()
    to_file = run_cli("feeds", "export", "--output", str(output), "--config", str(config))
    assert to_file.code == 0 and to_file.out == ""
    assert [o.url for o in read_opml(output.read_bytes())] == [
        "https://example.org/rss",
        "https://actu.example/feed/",
    ]


def test_export_adds_the_feeds_watches_ask_for(tmp_path: Path) -> None:
    config = make_config(tmp_path, watch_feeds=True)
    result = run_cli("feeds", "export", "--config", str(config))
    assert result.code == 0, result.err
    feeds = read_opml(result.out.encode())
    assert feeds[:2] == [
        Outline("https://example.org/rss", 'Example "News"'),
        Outline("https://actu.example/feed/", "https://actu.example/feed/"),
    ]
    names = [f.name for f in feeds[2:]]
    assert "MAI-1 search" in names and "GPT-5 search" in names
    assert any(f.url.startswith("https://news.google.com/rss/search?q=") for f in feeds)


def test_import_prints_feed_blocks_and_a_note_per_outline_left_out(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    before = config.read_bytes()
    opml = tmp_path / "subscriptions.opml"
    opml.write_text(READER_EXPORT, encoding="utf-8")
    result = run_cli("feeds", "import", str(opml), "--config", str(config))
    assert result.code == 0, result.err
    assert config.read_bytes() == before  # the user's config is never rewritten

    assert tomllib.loads(result.out)["feed"] == [
        {"url": "https://www.lemonde.fr/pixels/rss_full.xml", "name": "Le Monde Pixels"},
        {"url": "https://arstechnica.com/ai/feed/", "name": "Ars"},
        {"url": "http://blog.example/atom.xml"},
    ]
    assert result.err.splitlines() == [
        "skipped HTTPS://EXAMPLE.ORG/rss/: already configured",
        "skipped https://arstechnica.com/ai/feed: listed twice in subscriptions.opml",
        "skipped feed://podcast.example/rss: not an http(s) URL",
        "skipped file:///etc/passwd: not an http(s) URL",
        f"3 feeds from {opml}: add the [[feed]] blocks above to the config",
    ]

    # pasted in, they load, and a second import finds nothing new
    with config.open("a", encoding="utf-8") as file:
        file.write("\n" + result.out)
    assert len(load_settings(str(config), env={}).feeds) == 5
    again = run_cli("feeds", "import", str(opml), "--config", str(config))
    assert again.out == ""
    assert f"0 feeds from {opml}" in again.err


def test_export_then_import_round_trips(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    opml = tmp_path / "feeds.opml"
    assert run_cli("feeds", "export", "--output", str(opml), "--config", str(config)).code == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    other = empty / "monitor.toml"
    other.write_text('[[feed]]\nurl = "https://unrelated.example/rss"\n', encoding="utf-8")
    result = run_cli("feeds", "import", str(opml), "--config", str(other))
    assert tomllib.loads(result.out)["feed"] == [
        {"url": "https://example.org/rss", "name": 'Example "News"'},
        {"url": "https://actu.example/feed/", "name": "https://actu.example/feed/"},
    ]


def test_import_refuses_what_is_not_opml(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    rss = tmp_path / "feed.xml"
    rss.write_text("<rss version='2.0'><channel/></rss>", encoding="utf-8")
    result = run_cli("feeds", "import", str(rss), "--config", str(config))
    assert result.code == 1
    assert result.err == f"monitor: {rss}: not an OPML file (the root element is not <opml>)\n"
    broken = tmp_path / "broken.opml"
    broken.write_text("<opml><body><outline", encoding="utf-8")
    result = run_cli("feeds", "import", str(broken), "--config", str(config))
    assert result.code == 1 and result.err.startswith(f"monitor: {broken}: not well-formed XML")
    missing = run_cli("feeds", "import", str(tmp_path / "nope.opml"), "--config", str(config))
    assert missing.code == 1 and "cannot read" in missing.err


def test_entities_are_refused_and_external_ones_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    laughs = '<!ENTITY a "aaaaaaaaaa">' + "".join(  # a billion laughs, smaller
        f'<!ENTITY {chr(ord(inner) + 1)} "{f"&{inner};" * 16}">' for inner in "abcde"
    )
    for subset in (f'<!ENTITY xxe SYSTEM "file://{secret}">', laughs):
        hostile = (
            f'<?xml version="1.0"?><!DOCTYPE opml [{subset}]><opml version="2.0"><body>'
            '<outline type="rss" text="&xxe;&f;" xmlUrl="https://one.example/rss"/></body></opml>'
        )
        with pytest.raises(OpmlError, match="declares XML entities") as info:
            read_opml(hostile.encode())
        assert "TOP-SECRET" not in str(info.value)

    # a DTD named only by reference is neither fetched nor read
    external = (
        f'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "file://{secret}"><opml version="2.0">'
        '<body><outline type="rss" text="x" xmlUrl="https://one.example/rss"/></body></opml>'
    )
    assert read_opml(external.encode()) == [Outline("https://one.example/rss", "x")]


def test_write_opml_keeps_any_name_readable() -> None:
    feeds = [Outline("https://a.example/rss", "bell\x07 and <tags> & “quotes”"), Outline("x")]
    assert read_opml(write_opml(feeds)) == [
        Outline("https://a.example/rss", "bell and <tags> & “quotes”"),
        Outline("x", "x"),
    ]


def test_read_opml_refuses_an_oversized_file() -> None:
    with pytest.raises(OpmlError, match="over"):
        read_opml(b"<opml>" + b" " * (10 * 1024 * 1024) + b"</opml>")
