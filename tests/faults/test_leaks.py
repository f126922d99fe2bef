"""No feed or target secret in any log line or command output (#18, point 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.redact import redact_url, redact_urls_in
from tests.conftest import LocalServer, Receiver, run_cli, write_config
from tests.daemon.test_scheduler import FEED


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "http://user:pass@host.test/feed?apikey=abc&x=1",
            "http://***@host.test/feed?apikey=***&x=***",
        ),
        ("https://host.test:8443/rss", "https://host.test:8443/rss"),
        ("https://tok@[::1]/a?b", "https://***@[::1]/a?b=***"),
        (
            "postgresql+psycopg://u:pw@db.test:5432/m?sslmode=require",
            "postgresql+psycopg://***@db.test:5432/m?sslmode=***",
        ),
        ("not a url", "<invalid url>"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_redact_url_hides_the_path_of_a_target() -> None:
    assert redact_url("mmost://chat.test/abcdef123456", keep_path=False) == "mmost://chat.test/***"


def test_urls_inside_text_are_redacted_and_plain_ones_kept() -> None:
    text = "failed url=http://u:p@h.test/f?k=v; see https://docs.test/x."
    assert redact_urls_in(text) == "failed url=http://***@h.test/f?k=***; see https://docs.test/x."


SECRETS = ("pa55word", "topsecret123", "hooktoken42")


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_no_feed_secret_in_logs_or_status(
    tmp_path: Path, feed_server: LocalServer, receiver: Receiver, log_format: str
) -> None:
    feed_server.serve("/f.xml", FEED)
    good = f"http://reader:pa55word@127.0.0.1:{feed_server.port}/f.xml?apikey=topsecret123"
    bad = f"http://reader:pa55word@127.0.0.1:{feed_server.port}/missing?token=topsecret123"
    config = write_config(
        tmp_path / "c.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[good, bad],
        targets={"chat": receiver.apprise_url.replace("/hook", "/hook?token=hooktoken42")},
        extra=f'\n[log]\nlevel = "DEBUG"\nformat = "{log_format}"\n',
    )
    run = run_cli("run", "--once", "--config", str(config))
    assert run.code == 0, run.err
    assert "feed polled" in run.err and "feed failed" in run.err
    assert "http://***@127.0.0.1" in run.err
    outputs = [run.err, run.out]
    for args in (["status"], ["status", "--json"], ["alerts"], ["alerts", "--json"]):
        shown = run_cli(*args, "--config", str(config))
        assert shown.code == 0, shown.err
        outputs += [shown.out, shown.err]
    text = run_cli("status", "--config", str(config)).out
    assert "failing since 20" in text  # the whole health, not "failing si"
    status = json.loads(run_cli("status", "--json", "--config", str(config)).out)
    assert {f["url"] for f in status["feeds"]} == {
        f"http://***@127.0.0.1:{feed_server.port}/f.xml?apikey=***",
        f"http://***@127.0.0.1:{feed_server.port}/missing?token=***",
    }
    for text in outputs:
        for secret in SECRETS:
            assert secret not in text


def test_a_config_error_hides_the_feed_credentials(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        'database = "sqlite:////tmp/x.db"\n[[feed]]\nurl = "ftp://u:pa55word@h.test/f?apikey=topsecret123"\n'
    )
    result = run_cli("status", "--config", str(config))
    assert result.code == 2
    assert "pa55word" not in result.err and "topsecret123" not in result.err
