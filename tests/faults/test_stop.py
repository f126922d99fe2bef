"""Stop within 10 s whatever a target does; parse workers die with the daemon (#18, point 6)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LocalServer, start_daemon, wait_for, write_config
from tests.daemon.test_scheduler import FEED
from tests.faults.receivers import HangingReceiver


@pytest.fixture
def hanging() -> Iterator[HangingReceiver]:
    receiver = HangingReceiver()
    yield receiver
    receiver.close()


def test_sigterm_with_a_hanging_target_is_gone_within_10s(
    tmp_path: Path, feed_server: LocalServer, hanging: HangingReceiver
) -> None:
    config = write_config(
        tmp_path / "c.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[feed_server.serve("/f.xml", FEED)],
        targets={"chat": hanging.apprise_url},
    )
    # a target that takes its time: the send would wait a minute for it
    config.write_text(
        config.read_text().replace('max_age = "0"', 'max_age = "0"\ndelivery_timeout = "60s"')
    )
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log=log)
    try:
        assert wait_for(lambda: hanging.connections, timeout=30), log.read_text()
        time.sleep(0.5)  # the send is under way, waiting on the target
        stopped = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=15)
        took = time.monotonic() - stopped
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert took <= 10, f"{took:.1f}s\n{log.read_text()}"
    assert code == 0
    assert "Traceback" not in log.read_text()
    assert "stopped" in log.read_text()


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_parse_workers_die_with_a_killed_daemon(tmp_path: Path, feed_server: LocalServer) -> None:
    config = write_config(
        tmp_path / "c.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[feed_server.serve("/f.xml", FEED)],
    )
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log=log)
    try:
        assert wait_for(lambda: "feed polled" in log.read_text(), timeout=30), log.read_text()
        children = _children(proc.pid)
        assert children, "the parse workers started"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert wait_for(lambda: not any(_alive(c) for c in children), timeout=5), [
            Path(f"/proc/{c}/cmdline").read_bytes() for c in children if _alive(c)
        ]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
