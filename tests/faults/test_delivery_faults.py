"""Targets that rate-limit or refuse, and where target secrets come from (#18, points 7-9)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import (
    REPO,
    LocalServer,
    Receiver,
    Route,
    SmtpServer,
    run_cli,
    write_config,
)
from tests.daemon.test_scheduler import FEED


def test_a_429_waits_at_least_its_retry_after(
    tmp_path: Path, feed_server: LocalServer, receiver: Receiver
) -> None:
    receiver.routes["/hook"] = Route(429, b"slow down", {"Retry-After": "600"})
    db = tmp_path / "m.db"
    config = write_config(
        tmp_path / "c.toml",
        database=f"sqlite:///{db}",
        feeds=[feed_server.serve("/f.xml", FEED)],
        targets={"chat": receiver.apprise_url},
    )
    started = datetime.now(UTC)
    result = run_cli("run", "--once", "--config", str(config))
    assert result.code == 0, result.err
    assert "error=429" in result.err
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        row = conn.execute(text("SELECT next_attempt_at, last_error FROM delivery")).one()
    engine.dispose()
    next_at = datetime.fromisoformat(str(row[0])).replace(tzinfo=UTC)
    # never the 30 s of an ordinary first retry: at least two minutes after a 429
    assert (next_at - started).total_seconds() >= 115
    assert "429" in row[1]


def test_email_failures_say_why(tmp_path: Path, smtp_server: SmtpServer) -> None:
    # the local server offers no AUTH; a closed port refuses
    with_auth = smtp_server.apprise_url.replace("mailto://", "mailto://user:s3cret@")
    refused = with_auth.replace(f":{smtp_server.port}", ":1")
    config = write_config(
        tmp_path / "c.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[],
        targets={"noauth": with_auth, "refused": refused},
    )
    result = run_cli("notify", "test", "--config", str(config))
    assert result.code == 1
    lines = dict(line.split(" ", 1) for line in result.out.splitlines())
    assert "SMTP AUTH extension not supported by server" in lines["noauth"]
    assert "Connection refused" in lines["refused"]
    assert "s3cret" not in result.out + result.err


def test_targets_from_the_environment_files_and_systemd_credentials(
    tmp_path: Path, receiver: Receiver
) -> None:
    config = write_config(tmp_path / "c.toml", database=f"sqlite:///{tmp_path / 'm.db'}", feeds=[])
    config.write_text(config.read_text() + '\n[targets.filed]\nurl_file = "filed.url"\n')
    (tmp_path / "filed.url").write_text(receiver.apprise_url.replace("/hook", "/hook?f=1") + "\n")
    secret = tmp_path / "chat.url"
    secret.write_text(receiver.apprise_url + "\n")
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "target-ops").write_text(receiver.apprise_url.replace("/hook", "/hook?o=1"))
    env = {
        "MONITOR_TARGET_CHAT_FILE": str(secret),
        "MONITOR_TARGET_PAGER": receiver.apprise_url.replace("/hook", "/hook?p=1"),
        "CREDENTIALS_DIRECTORY": str(credentials),
    }
    result = run_cli("notify", "test", "--config", str(config), env=env, cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    names = sorted(line.split(" ")[0] for line in result.out.splitlines())
    assert names == ["chat", "filed", "ops", "pager"]
    assert len(receiver.received()) == 4


def test_a_config_readable_by_everyone_with_target_tokens_draws_a_warning(
    tmp_path: Path, receiver: Receiver
) -> None:
    config = write_config(
        tmp_path / "c.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[],
        targets={"chat": receiver.apprise_url},
    )
    config.chmod(0o644)
    result = run_cli("run", "--once", "--config", str(config))
    assert result.code == 0
    assert "holds target secrets and is readable by every user: chmod 600" in result.err
    config.chmod(0o600)
    result = run_cli("run", "--once", "--config", str(config))
    assert "readable by every user" not in result.err


def test_state_is_private_whatever_the_umask(tmp_path: Path) -> None:
    state = tmp_path / "state"
    db = state / "monitor.db"
    config = write_config(tmp_path / "c.toml", database=f"sqlite:///{db}", feeds=[])
    script = (
        "import os, sys; os.umask(0); from monitor.cli import main; "
        f"sys.exit(main(['run', '--once', '--config', {str(config)!r}]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}},
    )
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    for path in state.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_status_json_stays_parseable(tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", database=f"sqlite:///{tmp_path / 'm.db'}", feeds=[])
    assert run_cli("db", "upgrade", "--config", str(config)).code == 0
    assert json.loads(run_cli("status", "--json", "--config", str(config)).out)["summary"]
