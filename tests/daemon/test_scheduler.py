"""`monitor run` as systemd runs it: READY/STATUS/WATCHDOG/STOPPING on a real NOTIFY_SOCKET,
SIGHUP reloads (a broken edit keeps the last good watchlists), SIGTERM stops cleanly, and the
optional health endpoint."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import (
    REPO,
    LocalServer,
    Receiver,
    run_cli,
    start_daemon,
    wait_for,
    write_config,
)

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://x/</link>
<description>d</description>
<item><title>OpenAI launches GPT-5 today</title><link>http://news.test/gpt-5</link><guid>1</guid>
<pubDate>Thu, 07 Aug 2025 17:00:00 GMT</pubDate></item>
<item><title>Acme launches Widget-9 today</title><link>http://news.test/widget</link><guid>2</guid>
<pubDate>Thu, 07 Aug 2025 17:00:00 GMT</pubDate></item>
</channel></rss>"""


class NotifyListener:
    """What systemd does with NOTIFY_SOCKET: read every datagram as it comes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.messages: list[bytes] = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.2)
        self._running = True
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while self._running:
            try:
                self.messages.append(self.sock.recv(4096))
            except TimeoutError:
                continue
            except OSError:
                return

    def seen(self, state: bytes) -> bool:
        return any(state in m for m in list(self.messages))

    def close(self) -> None:
        self._running = False
        self._thread.join()
        self.sock.close()


@pytest.fixture
def notify(tmp_path: Path) -> Iterator[NotifyListener]:
    listener = NotifyListener(tmp_path / "notify.sock")
    yield listener
    listener.close()


def test_service_lifecycle(
    tmp_path: Path, notify: NotifyListener, feed_server: LocalServer, receiver: Receiver
) -> None:
    lists = tmp_path / "watchlists"
    shutil.copytree(REPO / "watchlists", lists)
    feed = feed_server.serve("/f.xml", FEED)
    config = write_config(
        tmp_path / "monitor.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[feed],
        targets={"chat": receiver.apprise_url},
        extra='[http]\nlisten = "127.0.0.1:0"\n',
    )
    config.write_text(config.read_text().replace(str(REPO / "watchlists"), str(lists)))
    log = tmp_path / "daemon.log"
    proc = start_daemon(
        config,
        log=log,
        env={"NOTIFY_SOCKET": str(notify.path), "WATCHDOG_USEC": "2000000"},
    )
    try:
        assert wait_for(lambda: notify.seen(b"READY=1")), notify.messages
        assert notify.seen(b"STATUS=feeds")
        assert wait_for(lambda: len(receiver.received()) == 1), log.read_text()
        assert "GPT-5" in receiver.received()[0]["title"]
        assert wait_for(lambda: notify.seen(b"WATCHDOG=1"), timeout=5)

        # the health endpoint (port 0: the log says which one it got)
        assert wait_for(lambda: "health endpoint listening" in log.read_text())
        url = log.read_text().split("health endpoint listening on ")[1].split()[0]
        with urllib.request.urlopen(url) as response:
            assert response.status == 200
            assert json.load(response)["status"] == "ok"
        with urllib.request.urlopen(url.replace("/healthz", "/metrics")) as response:
            metrics = response.read().decode()
        assert 'monitor_fetches_total{outcome="ok"}' in metrics
        assert "monitor_alerts_total 1.0" in metrics

        # a broken edit is reported and the last good watchlists stay in force
        (lists / "extra.yaml").write_text("watches:\n  - name: Widget-9\n    termz: [Widget-9]\n")
        proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: "last good watchlists stay in force" in log.read_text())
        assert f"{lists / 'extra.yaml'}:3: " in log.read_text()
        # a good edit is picked up without a signal (the folder is watched)
        (lists / "extra.yaml").write_text("watches:\n  - name: Widget-9\n    terms: [Widget-9]\n")
        assert wait_for(lambda: "added=Widget-9" in log.read_text()), log.read_text()
        assert proc.poll() is None

        proc.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        assert proc.wait(timeout=10) == 0
        assert time.monotonic() - stopped < 10
        assert wait_for(lambda: notify.seen(b"STOPPING=1"), timeout=2)
        assert "Traceback" not in log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_sigterm_during_start_up_stops_cleanly(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    config = write_config(tmp_path / "c.toml", database=f"sqlite:///{db}", feeds=[])
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log=log)
    try:
        # the database appears while start-up migrates it
        assert wait_for(db.exists, timeout=30, interval=0.002)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0, log.read_text()[-2000:]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "daemon started" not in log.read_text()


def test_sigterm_while_an_alert_is_being_sent_finishes_that_send_and_never_repeats_it(
    tmp_path: Path, feed_server: LocalServer, receiver: Receiver
) -> None:
    # The webhook takes 2 s to answer: the SIGTERM comes while the alert is on its way. The
    # send must be finished and recorded before the daemon exits, or the next run sends the
    # same alert again.
    receiver.routes["/hook"].delay = 2.0
    config = write_config(
        tmp_path / "monitor.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[feed_server.serve("/f.xml", FEED)],
        targets={"chat": receiver.apprise_url},
    )
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log=log)
    try:
        assert wait_for(lambda: len(receiver.hits("/hook")) == 1), log.read_text()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log.read_text()
    assert "alert delivered" in text, text
    assert "job failed" not in text and "Traceback" not in text, text

    receiver.routes["/hook"].delay = 0.0
    again = run_cli("run", "--once", "--config", str(config))
    assert again.code == 0, again.err
    assert len(receiver.hits("/hook")) == 1  # sent once, never again


def test_without_a_metrics_endpoint_metrics_count_nothing_and_load_nothing() -> None:
    code = """
import sys
from monitor.web.health import Metrics
m = Metrics(served=False)
m.fetches.labels(outcome="ok").inc()
m.items.inc(3)
m.pending.set(2)
m.last_tick.set_to_current_time()
m.observe_lag(0.01)
with m.poll_seconds.time():
    pass
assert m.render() == b""
assert "prometheus_client" not in sys.modules
"""
    done = subprocess.run(
        [sys.executable, "-c", code], check=False, cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
