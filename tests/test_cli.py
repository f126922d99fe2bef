"""The command line as a user meets it: SPEC's commands, outputs and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import REPO, LocalServer, Receiver, run_cli, write_config

DEMO_FEEDS = REPO / "monitor" / "demo_feeds"
SECRET = "S3cr3tT0ken-XYZ"


def test_scan_json_follows_the_output_contract() -> None:
    result = run_cli("scan", "--json", str(DEMO_FEEDS / "actu-ia.xml"))
    assert result.code == 0, result.err
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert len(rows) == 3  # one per item, in feed order
    keys = {
        "id",
        "title",
        "link",
        "published",
        "matches",
        "signal",
        "rumored",
        "dates",
        "evidence",
        "alert",
    }
    assert all(keys <= row.keys() for row in rows)
    story = rows[0]
    assert story["id"] == "actu-ia-2024-0507-mai1"
    assert story["published"] == "2024-05-07T08:00:00+00:00"
    watches = {m["watch"] for m in story["matches"]}
    assert {"MAI-1", "GPT-5", "gpt2-chatbot"} <= watches
    mai = next(m for m in story["matches"] if m["watch"] == "MAI-1")
    assert mai["term"] == "MAI-1"
    start, end = mai["span"]
    assert end - start == len("MAI-1")
    not_news = rows[2]  # "build un PC": the verb, not the conference
    assert not_news["matches"] == [] and not_news["alert"] is False


def test_scan_finds_the_founding_story() -> None:
    """SPEC: the May 2024 MAI-1 story alerts for MAI-1 with the rumored date 2024-05-16."""
    result = run_cli("scan", "--json", str(DEMO_FEEDS / "actu-ia.xml"))
    story = json.loads(result.out.splitlines()[0])
    assert story["signal"] == "dated"
    assert story["rumored"] is True
    assert story["dates"] == ["2024-05-16"]
    assert "16 mai" in story["evidence"]
    assert story["alert"] is True


def test_scan_reports_an_unreadable_source_and_goes_on(tmp_path: Path) -> None:
    result = run_cli("scan", str(tmp_path / "missing.xml"), str(DEMO_FEEDS / "tech-wire.xml"))
    assert result.code == 1
    assert "missing.xml" in result.err
    assert "MAI-1" in result.out


def test_watchlists_check_reports_file_and_line(tmp_path: Path) -> None:
    good = run_cli("watchlists", "check", str(REPO / "watchlists"))
    assert good.code == 0, good.out + good.err
    broken = tmp_path / "broken.yaml"
    broken.write_text("watches:\n  - name: X\n    terms: [X]\n    colour: red\n", encoding="utf-8")
    result = run_cli("watchlists", "check", str(broken))
    assert result.code == 1
    assert f"{broken}:4: " in result.out


def test_demo_shows_alerts_offline() -> None:
    result = run_cli("demo")
    assert result.code == 0, result.err
    assert "MAI-1" in result.out and "2024-05-16" in result.out
    assert "alerts" in result.out
    # Which of two reports of a story is stored first decides its alerts: the demo polls its
    # feeds in order, so every run tells the same story.
    again = run_cli("demo")
    assert again.out.splitlines()[1:] == result.out.splitlines()[1:]  # line 0 holds the port
    assert "→ 7 alerts" in result.out


def test_config_goes_before_or_after_the_command(tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", database=f"sqlite:///{tmp_path / 'm.db'}", feeds=[])
    assert run_cli("db", "upgrade", "--config", str(config)).code == 0
    for args in (("--config", str(config), "status"), ("status", "--config", str(config))):
        result = run_cli(*args)
        assert result.code == 0, result.err
        assert result.out.startswith("feeds: 0")


def test_a_config_error_is_one_clear_line(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[defaults]\ninterval = 'often'\n", encoding="utf-8")
    result = run_cli("status", "--config", str(config))
    assert result.code == 2
    assert f"{config}:2: defaults.interval = 'often': expected a duration" in result.err


def test_secrets_never_reach_logs_or_output(
    tmp_path: Path, feed_server: LocalServer, receiver: Receiver
) -> None:
    feed = feed_server.serve("/f.xml", (DEMO_FEEDS / "tech-wire.xml").read_bytes())
    receiver.fail_with = 500
    target = f"json://user:{SECRET}@127.0.0.1:{receiver.port}/hook?+X-Token={SECRET}"
    config = write_config(
        tmp_path / "c.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[feed],
        targets={"chat": target},
        extra='[log]\nlevel = "DEBUG"\n',
    )
    outputs = [
        run_cli("run", "--once", "--config", str(config)),
        run_cli("alerts", "--config", str(config)),
        run_cli("alerts", "--json", "--config", str(config)),
        run_cli("status", "--json", "--config", str(config)),
        run_cli("notify", "test", "--config", str(config)),
    ]
    assert outputs[-1].code == 1  # the target is down
    assert "delivery failed" in outputs[0].err
    for result in outputs:
        assert SECRET not in result.out and SECRET not in result.err


def test_notify_test_reaches_the_target(tmp_path: Path, receiver: Receiver) -> None:
    config = write_config(
        tmp_path / "c.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[],
        targets={"chat": receiver.apprise_url},
    )
    result = run_cli("notify", "test", "chat", "--config", str(config))
    assert result.code == 0, result.err
    assert "chat (json://127.0.0.1" in result.out
    [message] = receiver.received()
    assert "test" in message["title"]


def test_calendar_lists_claimed_dates(tmp_path: Path, feed_server: LocalServer) -> None:
    feed = feed_server.serve("/f.xml", (DEMO_FEEDS / "actu-ia.xml").read_bytes())
    config = write_config(
        tmp_path / "c.toml", database=f"sqlite:///{tmp_path / 'm.db'}", feeds=[feed]
    )
    assert run_cli("run", "--once", "--config", str(config)).code == 0
    out = tmp_path / "claims.ics"
    result = run_cli("calendar", "--output", str(out), "--config", str(config))
    assert result.code == 0, result.err
    text = out.read_bytes().decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert "DTSTART;VALUE=DATE:20240516" in text
    assert "SUMMARY:MAI-1 (rumored\\, 2024-05-16)" in text


def test_replay_shows_what_an_edit_would_change(tmp_path: Path, feed_server: LocalServer) -> None:
    import shutil

    lists = tmp_path / "lists"
    shutil.copytree(REPO / "watchlists", lists)
    feed = feed_server.serve("/f.xml", (DEMO_FEEDS / "tech-wire.xml").read_bytes())
    config = write_config(
        tmp_path / "c.toml", database=f"sqlite:///{tmp_path / 'm.db'}", feeds=[feed]
    )
    config.write_text(
        config.read_text().replace(json.dumps(str(REPO / "watchlists")), json.dumps(str(lists)))
    )
    assert run_cli("run", "--once", "--config", str(config)).code == 0

    same = run_cli("replay", "--since", "30d", "--config", str(config))
    assert same.code == 0, same.err
    assert "would alert: MAI-1" in same.out
    assert "0 differ from what was alerted" in same.out

    text = (lists / "ai-releases.yaml").read_text(encoding="utf-8")
    (lists / "ai-releases.yaml").write_text(
        text.replace("    terms: [GPT-5]\n", "    terms: [GPT-5]\n    alert_on: [released]\n"),
        encoding="utf-8",
    )
    edited = run_cli("replay", "--since", "30d", "--config", str(config))
    assert edited.code == 0, edited.err
    # the GPT-5 item is a rumored date, no longer alerting once GPT-5 alerts on releases only
    assert "would no longer alert: GPT-5 — OpenAI's GPT-5 could arrive this summer" in edited.out
    assert "would alert: MAI-1" in edited.out
    assert "1 differ from what was alerted" in edited.out
    assert (
        run_cli("alerts", "--json", "--config", str(config)).out.count("\n") >= 2
    )  # nothing sent or stored

    bad = run_cli("replay", "--since", "soon", "--config", str(config))
    assert bad.code == 2 and "--since" in bad.err


def test_replay_applies_story_deduplication(tmp_path: Path, feed_server: LocalServer) -> None:
    """One story in two feeds alerts once; replay says so, as the daemon decided it."""
    body = (DEMO_FEEDS / "actu-ia.xml").read_bytes()
    feeds = [feed_server.serve("/a.xml", body), feed_server.serve("/b.xml", body)]
    config = write_config(
        tmp_path / "c.toml", database=f"sqlite:///{tmp_path / 'm.db'}", feeds=feeds
    )
    assert run_cli("run", "--once", "--config", str(config)).code == 0
    stored = run_cli("alerts", "--json", "--config", str(config)).out.splitlines()
    mai = [json.loads(line) for line in stored if json.loads(line)["watch"] == "MAI-1"]
    assert len(mai) == 1, "one alert per (watch, story)"

    replay = run_cli("replay", "--since", "30d", "--config", str(config))
    assert replay.code == 0, replay.err
    assert replay.out.count("would alert: MAI-1: dated 2024-05-16 (rumored)") == 1
    assert replay.out.count("same story already alerted: MAI-1") == 1
    assert "0 differ from what was alerted" in replay.out
