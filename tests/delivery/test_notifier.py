"""Delivery to targets: formats per target, email and chat through Apprise's own plugins on
127.0.0.1, `monitor notify test`, and secrets kept out of logs."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest

from monitor import logs
from monitor.delivery.messages import (
    MARKDOWN,
    TEXT,
    render,
)
from monitor.delivery.notifier import Notifier, secrets_of
from monitor.errors import ConfigError
from monitor.settings import load_settings
from tests.conftest import LocalServer, Receiver, SmtpServer, run_cli, write_config
from tests.delivery.views import VIEW


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
