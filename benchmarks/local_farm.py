"""What the whole-process benchmarks share: a free port, a folder for the farm, the daemon's
config for a farm of local feed URLs, and an environment that ignores the developer's own
settings."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def farm_folder(prefix: str) -> Iterator[tuple[Path, Path]]:
    """A temporary folder nginx's workers can read, and in it ``feeds``, the served root."""
    with tempfile.TemporaryDirectory(prefix=prefix) as name:
        tmp = Path(name)
        tmp.chmod(0o755)  # nginx workers run as an unprivileged user
        root = tmp / "feeds"
        root.mkdir()
        yield tmp, root


def write_config(path: Path, database: Path, urls: list[str]) -> None:
    """The bundled watchlists, concurrency 100, INFO logs (the default level, so each run
    logs its cycle's figures)."""
    lines = [
        f"database = {json.dumps(f'sqlite:///{database}')}",
        f"watchlists = [{json.dumps(str(REPO / 'watchlists'))}]",
        "[defaults]",
        "watch_feeds = false",
        "[fetch]",
        "concurrency = 100",
        "per_host = 100",
        "[log]",
        'level = "INFO"',
    ]
    for url in urls:
        lines += ["[[feed]]", f"url = {json.dumps(url)}"]
    if not urls:
        lines.insert(0, "feed = []")
    path.write_text("\n".join(lines) + "\n")


def monitor_env() -> dict[str, str]:
    """This process's environment without MONITOR_* and NOTIFY_* settings, the repository
    first on the import path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONITOR_", "NOTIFY_"))}
    env["PYTHONPATH"] = str(REPO)
    return env


@contextmanager
def nginx_process(tmp: Path, config: str) -> Iterator[int]:
    """nginx run with ``config`` (its pid file, logs and prefix in ``tmp``), stopped
    gracefully on exit; yields its master's pid."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    conf = tmp / "nginx.conf"
    conf.write_text(config)
    subprocess.run(
        [binary, "-c", str(conf), "-p", str(tmp), "-e", str(tmp / "error.log")], check=True
    )
    pid = 0
    try:
        for _ in range(100):
            text = (tmp / "nginx.pid").read_text().strip() if (tmp / "nginx.pid").exists() else ""
            if text:
                pid = int(text)
                break
            time.sleep(0.05)
        yield pid
    finally:
        if pid:
            os.kill(pid, signal.SIGQUIT)
            for _ in range(100):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)


def missing_for_nginx(*modules: str) -> list[str]:
    """What a benchmark serving feeds from nginx lacks: the modules, then nginx itself."""
    missing = [m for m in modules if not _importable(m)]
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        missing.append("nginx (apt-get install nginx-light)")
    return missing


def _importable(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True
