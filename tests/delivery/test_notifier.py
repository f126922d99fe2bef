"""Messages people read: safe text, formats per target, templates, email and chat through
Apprise's own plugins on 127.0.0.1, `monitor notify test`, and secrets kept out of logs."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor import logs
from monitor.delivery.messages import (
    MARKDOWN,
    TEXT,
    AlertView,
    Style,
    TimelineEntry,
    cap,
    check_template,
    escape_markdown,
    plain,
    render,
    safe_link,
    safe_text,
)
from monitor.delivery.notifier import Notifier, secrets_of
from monitor.errors import ConfigError
from monitor.settings import load_settings
from tests.conftest import LocalServer, Receiver, SmtpServer, run_cli, write_config

VIEW = AlertView(
    watch="GPT-5",
    headline="GPT-5: rumored date 2025-08",
    title="GPT-5 expected to launch in August, report says",
    link="https://a.example/august",
    evidence="GPT-5 is expected to launch in August 2025, according to a report.",
    term="GPT-5",
    sources=[("Tech Wire", "https://a.example/august"), ("Actu IA", "https://b.example/gpt5")],
    signal="dated",
    dates=("2025-08",),
    timeline=[
        TimelineEntry(datetime(2025, 6, 2, tzinfo=UTC), ("2025-06",), True, False, "Tech Wire"),
        TimelineEntry(datetime(2025, 8, 1, tzinfo=UTC), ("2025-08",), True, False, "Actu IA"),
    ],
)


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


def test_target_options_are_read_and_checked(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        "[templates]\n"
        'email_subject = "News on $watch: $news"\n'
        "[targets.chat]\n"
        'url = "json://127.0.0.1:9/hook"\n'
        'mode = "digest"\ndigest_at = "08:00"\ntimezone = "Europe/Paris"\n'
        'rate_limit = "10/10m"\nquiet = "22:00-07:00"\nformat = "text"\n'
        'template = "$headline $link"\n',
        encoding="utf-8",
    )
    [target] = load_settings(str(config)).targets
    assert (target.mode, target.digest_at, target.timezone) == ("digest", "08:00", "Europe/Paris")
    assert target.rate_limit == (10, 600.0) and target.quiet == ("22:00", "07:00")
    notifier = Notifier.from_settings(load_settings(str(config)))
    assert notifier.style("chat").format == TEXT
    assert render(VIEW, style=notifier.style("chat")).body == (
        "GPT-5: rumored date 2025-08 https://a.example/august"
    )
    for bad, key in [
        ('mode = "burst"', "mode"),
        ('timezone = "Mars/Base"', "timezone"),
        ('rate_limit = "ten"', "rate_limit"),
        ('quiet = "22:00"', "quiet"),
        ('digest_at = "25:00"', "digest_at"),
        ('template = "$secret"', "template"),
    ]:
        config.write_text(f'[targets.chat]\nurl = "json://127.0.0.1:9/hook"\n{bad}\n')
        with pytest.raises(ConfigError, match=f"targets.chat.{key}"):
            load_settings(str(config))


def test_format_follows_the_apprise_plugin() -> None:
    notifier = Notifier(
        {
            "json": "json://127.0.0.1:9/hook",
            "mm": "mmost://127.0.0.1:9/token",
            "discord": "discord://1234/abcdefgh",
            "ntfy": "ntfy://127.0.0.1:9/topic",
            "mail": "mailto://127.0.0.1:25?to=a@example.org",
        }
    )
    formats = {name: notifier.style(name).format for name in notifier.targets}
    assert formats == {
        "json": MARKDOWN,
        "mm": MARKDOWN,
        "discord": MARKDOWN,
        "ntfy": TEXT,
        "mail": TEXT,
    }
    assert notifier.style("mail").email


# -- for real, through Apprise's plugins -----------------------------------------------------------

FEED_A = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Tech Wire</title><link>http://127.0.0.1/</link>
<description>t</description>
<item><title>GPT-5 could arrive in June, sources say</title><link>https://a.example/june</link>
<guid>a1</guid><pubDate>Mon, 02 Jun 2025 10:00:00 GMT</pubDate>
<description>OpenAI could release GPT-5 in June 2025, according to people familiar with the plans.
</description></item>
<item><title>GPT-5 expected to launch in August, report says</title>
<link>https://a.example/august?utm_source=rss</link><guid>a2</guid>
<pubDate>Fri, 01 Aug 2025 10:00:00 GMT</pubDate>
<description>GPT-5 is expected to launch in August 2025, according to a report.</description></item>
</channel></rss>"""

FEED_B = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Actu IA</title><link>http://127.0.0.1/</link>
<description>t</description>
<item><title>GPT-5 en août ?</title><link>https://a.example/august</link><guid>b1</guid>
<pubDate>Fri, 01 Aug 2025 11:00:00 GMT</pubDate>
<description>Selon un rapport, GPT-5 pourrait sortir en août 2025.</description></item>
</channel></rss>"""


def test_email_is_read_back_from_smtp(
    tmp_path: Path, feed_server: LocalServer, smtp_server: SmtpServer
) -> None:
    june_only = FEED_A.split("<item><title>GPT-5 expected")[0] + "</channel></rss>"
    a = feed_server.serve("/a.xml", june_only)
    b = feed_server.serve("/b.xml", FEED_B.split("<item>")[0] + "</channel></rss>")
    config = write_config(
        tmp_path / "c.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[a, b],
        targets={"email": smtp_server.apprise_url},
    )
    assert run_cli("run", "--once", "--config", str(config)).code == 0
    feed_server.serve("/a.xml", FEED_A)  # then the August story, carried by both feeds
    feed_server.serve("/b.xml", FEED_B)
    assert run_cli("run", "--once", "--config", str(config)).code == 0
    subjects = [m["Subject"] for _, _, m in smtp_server.mailbox.messages]
    assert subjects == ["[GPT-5] rumored date 2025-06", "[GPT-5] rumored date 2025-08"]
    _sender, recipients, message = smtp_server.mailbox.messages[1]
    assert recipients == ["reader@example.org"]
    assert message["To"] == "reader@example.org"
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode()
    assert "Why: matched “GPT-5” in:\r\n  “" in body  # the evidence sentence, quoted
    assert "- Tech Wire: https://a.example/august" in body
    assert "- Actu IA: https://a.example/august" in body
    assert "- 2025-06-02: rumored date 2025-06 (Tech Wire)" in body
    assert "rumored date 2025-08 (Tech Wire)" in body
    assert "rumored date 2025-08 (Actu IA)" in body


def test_mattermost_plugin_gets_escaped_markdown(
    tmp_path: Path, feed_server: LocalServer, receiver: Receiver
) -> None:
    receiver.serve("/hooks/abcdefghijklmnop", "ok", content_type="text/plain")
    feed = feed_server.serve("/a.xml", FEED_A)
    config = write_config(
        tmp_path / "c.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[feed],
        targets={"mm": f"mmost://127.0.0.1:{receiver.port}/abcdefghijklmnop"},
    )
    result = run_cli("run", "--once", "--config", str(config))
    assert result.code == 0, result.err
    posts = [json.loads(r.body) for r in receiver.hits("/hooks/abcdefghijklmnop")]
    assert len(posts) == 2
    text = posts[1]["text"]
    assert text.startswith("**GPT-5: rumored date 2025-08**")
    assert text.count("rumored date 2025-08") == 1  # the title is not pasted above
    assert "<https://a.example/august>" in text  # shown without its tracking parameters


def test_notify_test_sends_to_one_or_all(tmp_path: Path, receiver: Receiver) -> None:
    secret = "Zq9TopSecretToken"
    config = write_config(
        tmp_path / "c.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[],
        targets={
            "chat": receiver.apprise_url,
            "down": f"json://bot:{secret}@127.0.0.1:{receiver.port}/missing",
        },
    )
    one = run_cli("notify", "test", "chat", "--config", str(config))
    assert one.code == 0, one.err
    assert one.out.startswith(f"chat (json://127.0.0.1:{receiver.port}/***, markdown): ok")
    [message] = receiver.received()
    assert message["title"] == "newsmonitor: test notification"
    both = run_cli("--config", str(config), "notify", "test")
    assert both.code == 1
    assert "chat (" in both.out and "down (" in both.out and "FAILED" in both.out
    assert secret not in both.out + both.err
    unknown = run_cli("notify", "test", "nope", "--config", str(config))
    assert unknown.code == 2 and "configured: chat, down" in unknown.err


@pytest.mark.parametrize("form", ["userinfo", "path", "header"])
def test_secrets_never_reach_the_logs_of_a_failing_delivery(
    form: str, tmp_path: Path, receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "S3cr3tT0ken-XYZ42"
    base = f"127.0.0.1:{receiver.port}"
    url = {
        "userinfo": f"json://user:{secret}@{base}/hook",
        "path": f"json://{base}/hook/{secret}",
        "header": f"json://{base}/hook?+X-Api-Key={secret}",
    }[form]
    receiver.fail_with = 500
    logs.setup("DEBUG", "text", secrets_of(url))
    for name in ("apprise", "urllib3", "requests"):  # as loud as they get
        logging.getLogger(name).setLevel(1)
    try:
        notifier = Notifier({"chat": url}, timeout=5)
        error = asyncio.run(notifier.send("chat", render(VIEW)))
        logging.getLogger("monitor.delivery.outbox").warning("delivery failed url=%s", url)
    finally:
        logs.setup("WARNING", "text", [])
    assert error is not None
    captured = capsys.readouterr().err
    assert "500" in captured or "Internal" in captured  # Apprise did log the failure
    assert secret not in captured
    assert receiver.hits("/hook") or receiver.hits(f"/hook/{secret}")  # it reached the wire
