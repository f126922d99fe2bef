"""Database faults from outside (#18, point 2): the real daemon, the local PostgreSQL behind
a TCP proxy that is cut and restored, SQLite files that are garbage or read-only."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import (
    POSTGRES,
    LocalServer,
    Receiver,
    run_cli,
    start_daemon,
    wait_for,
    write_config,
)
from tests.daemon.test_scheduler import FEED, NotifyListener
from tests.faults.proxy import TcpProxy


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A fresh schema on the local PostgreSQL; its name."""
    engine = create_engine(POSTGRES)
    schema = f"f_{uuid.uuid4().hex[:12]}"
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:
        engine.dispose()
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable: {type(exc).__name__}")
    try:
        yield schema
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def proxied_url(proxy: TcpProxy, schema: str) -> str:
    url = make_url(POSTGRES).set(host="127.0.0.1", port=proxy.port, password="s3cr3t-pw")
    return f"{url.render_as_string(hide_password=False)}?options=-csearch_path%3D{schema}"


def upstream() -> tuple[str, int]:
    url = make_url(POSTGRES)
    return (url.host or "127.0.0.1", url.port or 5432)


def stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_postgres_appearing_6s_after_start_gets_the_alert_delivered(
    tmp_path: Path,
    pg_schema: str,
    feed_server: LocalServer,
    receiver: Receiver,
    notify: NotifyListener,
) -> None:
    proxy = TcpProxy(upstream())  # not listening yet: connection refused
    config = write_config(
        tmp_path / "c.toml",
        database=proxied_url(proxy, pg_schema),
        feeds=[feed_server.serve("/f.xml", FEED)],
        targets={"chat": receiver.apprise_url},
    )
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log=log, env={"NOTIFY_SOCKET": str(notify.path)})
    try:
        time.sleep(6)
        assert proc.poll() is None, log.read_text()
        # systemd hears why start-up takes long, and no READY=1 before the database is there
        assert notify.seen(b"STATUS=waiting for the database: database postgresql")
        assert notify.seen(b"EXTEND_TIMEOUT_USEC=")
        assert not notify.seen(b"READY=1")
        waiting = log.read_text()
        assert "database postgresql+psycopg://***@127.0.0.1" in waiting
        assert "Connection refused" in waiting
        assert len(waiting.splitlines()) <= 5  # one line per attempt, with back-off
        proxy.restore()
        assert wait_for(lambda: len(receiver.received()) == 1, timeout=40), log.read_text()
        assert notify.seen(b"READY=1")
        assert stop(proc) == 0
    finally:
        proxy.cut()
        if proc.poll() is None:
            proc.kill()
    text_ = log.read_text()
    assert "Traceback" not in text_
    assert "s3cr3t-pw" not in text_
    assert not any(b"s3cr3t-pw" in m for m in notify.messages)
    assert "database reachable attempt=" in text_


def test_an_outage_while_running_is_said_in_a_few_lines_and_nothing_is_lost(
    tmp_path: Path, pg_schema: str, feed_server: LocalServer, receiver: Receiver
) -> None:
    proxy = TcpProxy(upstream())
    proxy.restore()
    config = write_config(
        tmp_path / "c.toml",
        database=proxied_url(proxy, pg_schema),
        feeds=[
            feed_server.serve(
                "/f.xml", "<rss version='2.0'><channel><title>t</title></channel></rss>"
            )
        ],
        targets={"chat": receiver.apprise_url},
    )
    config.write_text(config.read_text().replace("[defaults]", '[defaults]\ninterval = "1s"'))
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log=log)
    try:
        assert wait_for(lambda: "daemon started" in log.read_text(), timeout=30), log.read_text()
        proxy.cut()
        time.sleep(8)
        feed_server.serve("/f.xml", FEED)  # news arrives during the outage
        time.sleep(2)
        proxy.restore()
        assert wait_for(lambda: len(receiver.received()) == 1, timeout=40), log.read_text()
        assert proc.poll() is None
        assert stop(proc) == 0
    finally:
        proxy.cut()
        if proc.poll() is None:
            proc.kill()
    text_ = log.read_text()
    assert "Traceback" not in text_
    assert "maximum number of running instances" not in text_
    assert text_.count("database unavailable") == 1, text_
    assert "database reachable again" in text_


def sqlite_config(tmp_path: Path, db: Path) -> Path:
    return write_config(tmp_path / "c.toml", database=f"sqlite:///{db}", feeds=[])


def test_a_garbage_sqlite_file_is_one_line_and_exit_3(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    db.write_bytes(b"not a database at all " * 100)
    for command in (["run", "--once"], ["status"], ["db", "upgrade"]):
        result = run_cli(*command, "--config", str(sqlite_config(tmp_path, db)))
        assert result.code == 3, result
        assert result.err.count("\n") == 1, result.err
        assert "is not a database" in result.err
        assert "move the file away" in result.err


def test_an_unreachable_postgres_for_run_once_and_a_missing_database(tmp_path: Path) -> None:
    missing = make_url(POSTGRES).set(database=f"nosuch_{uuid.uuid4().hex[:8]}")
    config = write_config(
        tmp_path / "c.toml", database=missing.render_as_string(hide_password=False), feeds=[]
    )
    result = run_cli("run", "--once", "--config", str(config))
    assert result.code == 3, result
    assert result.err.count("\n") == 1, result.err
    assert "does not exist; create it" in result.err


def _mount(target: Path, options: str) -> bool:
    target.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


@pytest.fixture
def mounts(tmp_path: Path) -> Iterator[list[Path]]:
    made: list[Path] = []
    yield made
    for path in made:
        subprocess.run(["umount", str(path)], check=False, capture_output=True)


def test_a_read_only_file_system_is_one_line_and_exit_3(tmp_path: Path, mounts: list[Path]) -> None:
    ro = tmp_path / "ro"
    if os.geteuid() != 0 or not _mount(ro, "ro,size=1m"):
        pytest.skip("needs root to mount a read-only tmpfs")
    mounts.append(ro)
    for db in (ro / "m.db", ro / "sub" / "m.db"):
        result = run_cli("run", "--once", "--config", str(sqlite_config(tmp_path, db)))
        assert result.code == 3, result
        assert result.err.count("\n") == 1, result.err
        assert "read-only file system" in result.err


def test_a_full_file_system_is_one_line_and_exit_3(tmp_path: Path, mounts: list[Path]) -> None:
    full = tmp_path / "full"
    if os.geteuid() != 0 or not _mount(full, "size=256k"):
        pytest.skip("needs root to mount a small tmpfs")
    mounts.append(full)
    (full / "filler").write_bytes(b"x" * 250_000)
    result = run_cli("db", "upgrade", "--config", str(sqlite_config(tmp_path, full / "m.db")))
    assert result.code == 3, result
    assert result.err.count("\n") == 1, result.err
    assert "Traceback" not in result.err
