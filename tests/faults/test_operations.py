"""What an operator sees (#18, point 8): journald priorities, and whether a daemon holds the
database according to `monitor status`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, LocalServer, run_cli, start_daemon, wait_for, write_config
from tests.daemon.test_scheduler import FEED


def test_journald_lines_carry_their_priority(tmp_path: Path, feed_server: LocalServer) -> None:
    config = write_config(
        tmp_path / "c.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[feed_server.serve("/f.xml", FEED), feed_server.url("/missing.xml")],
    )
    log = tmp_path / "journal"
    with log.open("w") as stderr:
        st = os.fstat(stderr.fileno())
        env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
        env["JOURNAL_STREAM"] = f"{st.st_dev}:{st.st_ino}"
        done = subprocess.run(
            [sys.executable, "-m", "monitor", "run", "--once", "--config", str(config)],
            stderr=stderr,
            stdout=subprocess.DEVNULL,
            env=env,
            cwd=REPO,
            check=False,
            timeout=120,
        )
    assert done.returncode == 0
    lines = log.read_text().splitlines()
    assert any(line.startswith("<6>info monitor.pipeline: feed polled") for line in lines)
    assert any(line.startswith("<4>warning monitor.pipeline: feed failed") for line in lines)
    assert all(line[:3] in ("<3>", "<4>", "<6>", "<7>") for line in lines), lines
    # the journal timestamps lines itself
    assert not any(line[3:7].isdigit() for line in lines)


def test_an_inherited_journal_stream_that_is_not_stderr_changes_nothing(tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", database=f"sqlite:///{tmp_path / 'm.db'}", feeds=[])
    result = run_cli("run", "--once", "--config", str(config), env={"JOURNAL_STREAM": "1:2"})
    assert result.code == 0
    assert result.err and not result.err.startswith("<")


def test_status_says_whether_a_daemon_holds_the_database(
    tmp_path: Path, feed_server: LocalServer
) -> None:
    config = write_config(
        tmp_path / "c.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[feed_server.serve("/f.xml", FEED)],
    )
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log=log)
    try:
        assert wait_for(lambda: "daemon started" in log.read_text(), timeout=30)
        text = run_cli("status", "--config", str(config)).out
        assert "daemon: running (" in text and f" {proc.pid})" in text
        summary = json.loads(run_cli("status", "--json", "--config", str(config)).out)["summary"]
        assert summary["daemon_running"] is True
        assert summary["pid"] == proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
    summary = json.loads(run_cli("status", "--json", "--config", str(config)).out)["summary"]
    assert summary["daemon_running"] is False
    assert summary["pid"] is None
    assert "daemon: not running" in run_cli("status", "--config", str(config)).out


def test_status_sees_daemons_on_postgres(
    tmp_path: Path, db_url: str, feed_server: LocalServer
) -> None:
    config = write_config(
        tmp_path / "c.toml", database=db_url, feeds=[feed_server.serve("/f.xml", FEED)]
    )
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log=log)
    try:
        assert wait_for(lambda: "daemon started" in log.read_text(), timeout=30), log.read_text()
        summary = json.loads(run_cli("status", "--json", "--config", str(config)).out)["summary"]
        assert summary["daemon_running"] is True
        assert summary["pid"] == proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
