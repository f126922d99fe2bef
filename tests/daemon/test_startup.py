"""The start line: which config and database the daemon runs on, and a warning when alerts
can reach nobody."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.daemon.startup import announce, config_label, database_label
from monitor.settings import load_settings
from tests.conftest import LocalServer, run_cli, start_daemon, wait_for, write_config

RSS = "<rss version='2.0'><channel><title>t</title></channel></rss>"


def test_the_database_is_named_without_its_credentials(tmp_path: Path) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text(
        'database = "postgresql+psycopg://monitor:Pa55w0rd@db.example:5433/news"\n',
        encoding="utf-8",
    )
    settings = load_settings(str(config), env={})
    assert database_label(settings) == "postgresql+psycopg://db.example:5433/news"
    assert config_label(settings) == str(config.resolve())
    env = {"MONITOR_DATABASE_URL": "postgresql+psycopg://u:hunter2@[::1]/m"}
    assert database_label(load_settings(str(config), env=env)) == "postgresql+psycopg://[::1]/m"


def test_built_in_defaults_are_named_and_the_log_only_warned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)  # no ./monitor.toml
    settings = load_settings(None, env={"XDG_STATE_HOME": str(tmp_path / "state")})
    with caplog.at_level("INFO", logger="monitor"):
        announce(settings, "daemon started", feeds=9)
    started, warning = caplog.records
    assert started.getMessage() == (
        f"daemon started config=built-in defaults database={settings.database_url} feeds=9"
    )
    assert warning.levelname == "WARNING"
    assert warning.getMessage() == (
        "no target configured: alerts go to the log only (add a [targets] table to the config)"
    )


def test_the_daemon_start_line(tmp_path: Path, feed_server: LocalServer) -> None:
    config = write_config(
        tmp_path / "monitor.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[feed_server.serve("/a.xml", RSS)],
    )
    log = tmp_path / "daemon.log"
    daemon = start_daemon(config, log=log)
    try:
        assert wait_for(lambda: "daemon started" in log.read_text(), timeout=30)
    finally:
        daemon.terminate()
        assert daemon.wait(timeout=10) == 0
    text = log.read_text()
    assert (
        f"daemon started config={config.resolve()} database=sqlite:///{tmp_path / 'm.db'} "
        "feeds=1 watches=4 targets=0"
    ) in text
    assert (
        "warning monitor: no target configured: alerts go to the log only "
        f"(add a [targets] table to {config.resolve()})"
    ) in text


def test_run_once_names_its_config_and_stays_quiet_with_a_target(
    tmp_path: Path, feed_server: LocalServer
) -> None:
    config = write_config(
        tmp_path / "monitor.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[feed_server.serve("/a.xml", RSS)],
        targets={"chat": f"json://127.0.0.1:{feed_server.port}/hook"},
    )
    result = run_cli("run", "--once", "--config", str(config))
    assert result.code == 0, result.err
    assert f"one cycle config={config.resolve()} database=sqlite:///" in result.err
    assert "no target configured" not in result.err
