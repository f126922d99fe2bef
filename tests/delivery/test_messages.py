"""Messages people read: safe text (mentions, controls, graphemes, Markdown, links), and
rendering for chat and email with templates."""

from __future__ import annotations

import pytest

from monitor.delivery.messages import (
    MARKDOWN,
    TEXT,
    AlertView,
    Style,
    cap,
    check_template,
    escape_markdown,
    plain,
    render,
    safe_link,
    safe_text,
)
from tests.delivery.views import VIEW

# -- safe text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("@everyone look", "@\u200beveryone look"),
        ("hi @here and @channel", "hi @\u200bhere and @\u200bchannel"),
        ("<!channel> now", "‹!channel› now"),
        ("ping <@U123> and <@!42> <@&7>", "ping ‹@\u200bU123› and ‹@\u200b!42› ‹@\u200b&7›"),
        ("a\u202eevil\u202c b\u2066c\u2069", "aevil bc"),
        ("line1\nline2\u2028line3\x00", "line1 line2 line3"),
        ("mail me at a@example.org", "mail me at a@example.org"),
        ("<b>bold</b> &amp; <script>x()</script>done", "bold & done"),
        ("AT&amp;T plain, no tags", "AT&amp;T plain, no tags"),  # decoded once, by the parser
    ],
)
def test_safe_text(raw: str, expected: str) -> None:
    assert safe_text(raw, 200) == expected


def test_caps_by_grapheme_never_splitting_a_cluster() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one grapheme, five code points
    text = "ab" + family * 10
    assert cap(text, 5) == "ab" + family * 2 + "…"
    accents = "e\u0301" * 10  # é as e + combining acute
    assert cap(accents, 4) == "e\u0301" * 3 + "…"
    assert cap("short", 10) == "short"
    assert len(safe_text("x" * 5000, 300)) == 300


def test_plain_strips_tags_and_decodes_entities_once() -> None:
    assert plain("<p>Caf&eacute; &amp;lt;b&amp;gt;</p>").strip() == "Café &lt;b&gt;"
    assert plain("no tags &amp; stays") == "no tags &amp; stays"


def test_markdown_escaping() -> None:
    hostile = "[https://trusted.example/](http://evil.example/) **bold** `code` <b> _x_ #1"
    escaped = escape_markdown(hostile)
    assert "\\[https://trusted.example/\\]\\(http://evil.example/\\)" in escaped
    assert "\\*\\*bold\\*\\*" in escaped and "\\`code\\`" in escaped and "\\<b\\>" in escaped
    assert escape_markdown("- not a list") == "\\- not a list"
    assert escape_markdown("1. not a list") == "1\\. not a list"
    assert escape_markdown("&amp; stays text") == "&amp;amp; stays text"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://news.example/a b?x=1", "https://news.example/ab?x=1"),
        ("javascript:alert(1)", ""),
        ("JaVaScRiPt:alert(2)", ""),
        ("data:text/html;base64,AAAA", ""),
        ("file:///etc/passwd", ""),
        ("https://user:pw@news.example/x#frag", "https://news.example/x"),
        ("http://news.example/<script>", "http://news.example/%3Cscript%3E"),
        ("https://news.example/\u202eevil", "https://news.example/evil"),
        (None, ""),
    ],
)
def test_only_http_links_shown_as_the_real_url(url: str | None, shown: str) -> None:
    assert safe_link(url) == shown


# -- rendering -----------------------------------------------------------------------------------


def test_chat_alert_is_short_markdown() -> None:
    message = render(VIEW, style=Style(format=MARKDOWN))
    assert message.title == "GPT-5: rumored date 2025-08"
    assert message.body_format == MARKDOWN
    assert message.body.splitlines() == [
        "**GPT-5: rumored date 2025-08**",
        "GPT-5 expected to launch in August, report says",
        "> GPT-5 is expected to launch in August 2025, according to a report.",
        "Tech Wire · <https://a.example/august>",
    ]


def test_chat_alert_in_plain_text_has_no_markup() -> None:
    message = render(VIEW, style=Style(format=TEXT))
    assert "\\" not in message.body and "<https" not in message.body
    assert message.body.splitlines()[-1] == "Tech Wire · https://a.example/august"


def test_email_says_the_news_with_sources_and_timeline() -> None:
    message = render(VIEW, email=True)
    assert message.title == "[GPT-5] rumored date 2025-08"
    assert message.body_format == TEXT
    body = message.body
    assert "“GPT-5 is expected to launch in August 2025, according to a report.”" in body
    assert "- Tech Wire: https://a.example/august" in body
    assert "- Actu IA: https://b.example/gpt5" in body
    assert "- 2025-06-02: rumored date 2025-06 (Tech Wire)" in body
    assert "- 2025-08-01: rumored date 2025-08 (Actu IA)" in body


def test_a_change_is_the_news() -> None:
    view = AlertView(**{**VIEW.__dict__, "change": "GPT-5: date moved from 2025-06 to 2025-08"})
    assert render(view, email=True).title == "[GPT-5] date moved from 2025-06 to 2025-08"


def test_templates_override_and_drop_empty_lines() -> None:
    style = Style(
        format=MARKDOWN,
        templates={"chat_title": "$watch alert", "chat": "$headline\n> $evidence\nvia $source"},
    )
    view = AlertView(**{**VIEW.__dict__, "evidence": ""})
    message = render(view, style=style)
    assert message.title == "GPT-5 alert"
    assert message.body == "GPT-5: rumored date 2025-08\nvia Tech Wire"


def test_template_checks() -> None:
    assert check_template("$watch: $news") is None
    assert "unknown: nope" in (check_template("$nope") or "")
    assert check_template("cost: $") is not None
    assert check_template("cost: $$5 for ${watch}") is None
