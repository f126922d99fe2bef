"""The whole daemon as a user runs it: `monitor run --once` against local feeds, a chat
webhook reached through Apprise's json:// plugin, and an SMTP server, on both databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import (
    REPO,
    LocalServer,
    Receiver,
    SmtpServer,
    alerts_json,
    run_cli,
    write_config,
)

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Local AI news</title><link>http://127.0.0.1/</link>
<description>test</description>
<item><title>OpenAI launches GPT-5 today for all ChatGPT users</title>
<link>http://news.test/2025/08/07/gpt-5-launch?utm_source=rss</link><guid>n-1</guid>
<pubDate>Thu, 07 Aug 2025 17:00:00 GMT</pubDate>
<description>GPT-5 is available now in ChatGPT and the API.</description></item>
<item><title>How to build a treehouse</title><link>http://news.test/treehouse</link><guid>n-2</guid>
<pubDate>Thu, 07 Aug 2025 12:00:00 GMT</pubDate><description>Wood and nails.</description></item>
</channel></rss>"""


def test_alert_reaches_each_target_once(
    tmp_path: Path,
    db_url: str,
    feed_server: LocalServer,
    receiver: Receiver,
    smtp_server: SmtpServer,
) -> None:
    feed = feed_server.serve("/ai.xml", FEED)
    config = write_config(
        tmp_path / "monitor.toml",
        database=db_url,
        feeds=[feed],
        targets={"chat": receiver.apprise_url, "email": smtp_server.apprise_url},
    )
    first = run_cli("run", "--once", "--config", str(config))
    assert first.code == 0, first.err

    chats = receiver.received()
    assert len(chats) == 1
    assert "GPT-5" in chats[0]["title"] and "released" in chats[0]["title"]
    assert "http://news.test/2025/08/07/gpt-5-launch" in chats[0]["message"]
    assert len(smtp_server.mailbox.messages) == 1
    _sender, recipients, message = smtp_server.mailbox.messages[0]
    assert recipients == ["reader@example.org"]
    assert message["Subject"].startswith("[GPT-5] released")
    [alert] = alerts_json(config)
    assert alert["watch"] == "GPT-5" and alert["signal"] == "released"
    assert {d["target"]: d["state"] for d in alert["deliveries"]} == {
        "chat": "delivered",
        "email": "delivered",
    }
    assert {"id", "rumored", "dates", "title", "link", "sources", "created"} <= alert.keys()

    second = run_cli("--config", str(config), "run", "--once")
    assert second.code == 0, second.err
    assert len(receiver.received()) == 1
    assert len(smtp_server.mailbox.messages) == 1
    assert len(alerts_json(config)) == 1


def test_target_down_keeps_the_alert_pending_then_delivers_it_once(
    tmp_path: Path, db_url: str, feed_server: LocalServer, receiver: Receiver
) -> None:
    feed = feed_server.serve("/ai.xml", FEED)
    config = write_config(
        tmp_path / "monitor.toml",
        database=db_url,
        feeds=[feed],
        targets={"chat": receiver.apprise_url},
    )
    receiver.fail_with = 500
    down = run_cli("run", "--once", "--config", str(config))
    assert down.code == 0, down.err
    assert receiver.received() == []
    assert len(receiver.hits("/hook")) >= 1  # it was tried
    [alert] = alerts_json(config)
    assert alert["deliveries"][0]["state"] == "pending"
    assert alert["deliveries"][0]["attempts"] == 1

    receiver.fail_with = None
    up = run_cli("run", "--once", "--config", str(config))
    assert up.code == 0, up.err
    assert len(receiver.received()) == 1
    again = run_cli("run", "--once", "--config", str(config))
    assert again.code == 0
    assert len(receiver.received()) == 1
    [alert] = alerts_json(config)
    assert alert["deliveries"][0]["state"] == "delivered"


def test_a_broken_feed_is_reported_and_the_others_still_alert(
    tmp_path: Path, feed_server: LocalServer, receiver: Receiver
) -> None:
    good = feed_server.serve("/ai.xml", FEED)
    broken = feed_server.serve(
        "/broken.xml", "<html><body>not a feed</body></html>", content_type="text/html"
    )
    missing = feed_server.url("/missing.xml")
    config = write_config(
        tmp_path / "monitor.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[broken, missing, good],
        targets={"chat": receiver.apprise_url},
    )
    result = run_cli("run", "--once", "--config", str(config))
    assert result.code == 0, result.err
    assert len(receiver.received()) == 1
    assert f"url={broken}" in result.err and "kind=not_a_feed" in result.err
    assert f"url={missing}" in result.err and "kind=http_4xx" in result.err

    status = run_cli("status", "--json", "--config", str(config))
    report = json.loads(status.out)
    health = {f["url"]: f["health"] for f in report["feeds"]}
    assert health[good] == "ok"
    assert health[broken].startswith("failing since")
    assert report["summary"]["feeds_failing"] == 2


def test_a_second_instance_on_one_sqlite_file_is_refused(
    tmp_path: Path, feed_server: LocalServer
) -> None:
    from tests.conftest import start_daemon, wait_for

    config = write_config(
        tmp_path / "monitor.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[feed_server.serve("/ai.xml", FEED)],
    )
    log = tmp_path / "first.log"
    first = start_daemon(config, log=log)
    try:
        assert wait_for(lambda: "daemon started" in log.read_text())
        second = run_cli("run", "--once", "--config", str(config))
        assert second.code == 3  # a database fault (see cli.py)
        assert "another monitor instance is using" in second.err
        assert "use PostgreSQL to run several" in second.err
    finally:
        first.terminate()
        assert first.wait(timeout=10) == 0
    assert run_cli("run", "--once", "--config", str(config)).code == 0  # the lock went with it


def test_a_cycle_runs_without_the_orm(
    tmp_path: Path, db_url: str, feed_server: LocalServer
) -> None:
    """Polling, storing and alerting use SQLAlchemy Core only: the ORM's import is some
    100 ms of every `run --once` (see monitor.store.tables)."""
    config = write_config(
        tmp_path / "monitor.toml", database=db_url, feeds=[feed_server.serve("/ai.xml", FEED)]
    )
    no_orm = "import sys; sys.modules['sqlalchemy.orm'] = None; import runpy; "
    no_orm += "runpy.run_module('monitor', run_name='__main__')"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    env["PYTHONPATH"] = str(REPO)
    for _ in ("first poll, one alert", "all known"):
        proc = subprocess.run(
            [sys.executable, "-c", no_orm, "run", "--once", "--config", str(config)],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
    assert len(alerts_json(config)) == 1
