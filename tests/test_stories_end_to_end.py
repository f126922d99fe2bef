"""One story, one alert, through `monitor run --once` against local feeds and a chat webhook:
five outlets carry the same launch, an escalation raises exactly one follow-up."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import LocalServer, Receiver, SmtpServer, alerts_json, run_cli, write_config

# (outlet, title, lede, link) — five wordings of one launch, two of them sharing an article
# URL decorated differently (tracking parameters, AMP, mobile host).
LAUNCH = [
    (
        "Tech Wire",
        "OpenAI launches GPT-5 for all ChatGPT users",
        "OpenAI on Thursday launched GPT-5, its newest model, for all ChatGPT users.",
        "https://www.techwire.test/2025/08/07/openai-gpt-5?utm_source=rss&utm_medium=feed",
    ),
    (
        "AI Daily",
        "OpenAI releases GPT-5 to all ChatGPT users",
        "OpenAI released GPT-5, its newest model, to all ChatGPT users on Thursday.",
        "https://aidaily.test/news/gpt-5-release",
    ),
    (
        "Mobile News",
        "GPT-5 is here for ChatGPT users",
        "OpenAI launched GPT-5 on Thursday for all ChatGPT users.",
        "https://m.techwire.test/amp/2025/08/07/openai-gpt-5/?fbclid=abc#top",
    ),
    (
        "Le Fil IA",
        "OpenAI lance GPT-5 pour tous les utilisateurs de ChatGPT",
        "OpenAI a lancé jeudi GPT-5, son nouveau modèle, pour tous les utilisateurs de ChatGPT.",
        "https://lefil.test/openai-gpt-5",
    ),
    (
        "Dev Brief",
        "OpenAI rolls out GPT-5 to all ChatGPT users",
        "OpenAI rolled out GPT-5, its newest model, to all ChatGPT users on Thursday.",
        "https://devbrief.test/gpt-5?ref=homepage",
    ),
]


def _rss(name: str, items: list[tuple[str, str, str, str]]) -> str:
    body = "".join(
        f"<item><title>{title}</title><link>{link.replace('&', '&amp;')}</link>"
        f"<guid>{guid}</guid><pubDate>Thu, 07 Aug 2025 17:00:00 GMT</pubDate>"
        f"<description>{lede}</description></item>"
        for guid, title, lede, link in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{name}</title><link>http://127.0.0.1/</link><description>t</description>"
        f"{body}</channel></rss>"
    )


def test_the_same_story_from_five_feeds_is_one_alert_with_five_sources(
    tmp_path: Path,
    db_url: str,
    feed_server: LocalServer,
    receiver: Receiver,
    smtp_server: SmtpServer,
) -> None:
    feeds = [
        feed_server.serve(f"/f{n}.xml", _rss(name, [(f"{n}-1", title, lede, link)]))
        for n, (name, title, lede, link) in enumerate(LAUNCH)
    ]
    config = write_config(
        tmp_path / "monitor.toml",
        database=db_url,
        feeds=feeds,
        targets={"chat": receiver.apprise_url, "email": smtp_server.apprise_url},
    )
    result = run_cli("run", "--once", "--config", str(config))
    assert result.code == 0, result.err
    [alert] = alerts_json(config)
    assert alert["watch"] == "GPT-5" and alert["signal"] == "released"
    assert sorted(s["name"] for s in alert["sources"]) == sorted(n for n, *_ in LAUNCH)
    assert len(receiver.received()) == 1
    [(_, _, mail)] = smtp_server.mailbox.messages
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode()
    for name, *_ in LAUNCH:
        assert f"- {name}: https://" in body

    # guid churn: every feed now gives its item a new guid; nothing new, nothing sent
    for n, (name, title, lede, link) in enumerate(LAUNCH):
        feed_server.serve(f"/f{n}.xml", _rss(name, [(f"{n}-churned", title, lede, link)]))
    again = run_cli("run", "--once", "--config", str(config))
    assert again.code == 0, again.err
    assert "new_items=0" in again.err
    assert len(alerts_json(config)) == 1 and len(receiver.received()) == 1
    assert len(smtp_server.mailbox.messages) == 1


def test_an_escalation_raises_exactly_one_follow_up(
    tmp_path: Path, db_url: str, feed_server: LocalServer, receiver: Receiver
) -> None:
    dated = (
        "a-1",
        "OpenAI will release GPT-5 on Thursday, August 7",
        "OpenAI will release GPT-5 to ChatGPT users on Thursday, August 7, the company said.",
        "https://a.test/gpt-5-thursday",
    )
    released = (
        "b-1",
        "OpenAI releases GPT-5 to ChatGPT users on Thursday",
        "OpenAI released GPT-5 to ChatGPT users on Thursday, the company said.",
        "https://b.test/gpt-5-out",
    )
    released_too = (
        "c-1",
        "OpenAI releases GPT-5 to all ChatGPT users on Thursday",
        "OpenAI released GPT-5 to all ChatGPT users on Thursday, the company said.",
        "https://c.test/gpt-5",
    )
    a = feed_server.serve("/a.xml", _rss("A", [dated]))
    b = feed_server.serve("/b.xml", _rss("B", []))
    c = feed_server.serve("/c.xml", _rss("C", []))
    config = write_config(
        tmp_path / "monitor.toml",
        database=db_url,
        feeds=[a, b, c],
        targets={"chat": receiver.apprise_url},
    )
    assert run_cli("run", "--once", "--config", str(config)).code == 0
    [first] = alerts_json(config)
    assert first["signal"] == "dated" and first["dates"] == ["2025-08-07"]

    feed_server.serve("/b.xml", _rss("B", [released]))
    assert run_cli("run", "--once", "--config", str(config)).code == 0
    feed_server.serve("/c.xml", _rss("C", [released_too]))
    assert run_cli("run", "--once", "--config", str(config)).code == 0

    follow_up, original = alerts_json(config)
    assert original["id"] == first["id"]
    assert follow_up["signal"] == "released"
    assert follow_up["change"] == "GPT-5: dated → released"
    assert {s["name"] for s in follow_up["sources"]} == {"A", "B", "C"}
    assert len(receiver.received()) == 2
