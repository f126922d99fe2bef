"""deploy/: the compose file as the compose client reads it, and the container's health check
against a real daemon."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, LocalServer, start_daemon, wait_for, write_config

DEPLOY = REPO / "deploy"
RSS = "<rss version='2.0'><channel><title>t</title></channel></rss>"


def compose_client() -> list[str] | None:
    if shutil.which("docker") is None:
        return None
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    if probe.returncode == 0:
        return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


def compose_config(*options: str) -> dict[str, object]:
    client = compose_client()
    if client is None:
        pytest.skip("no docker compose client")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONITOR_", "POSTGRES_"))}
    env.pop("COMPOSE_PROFILES", None)
    result = subprocess.run(
        [*client, "-f", str(DEPLOY / "compose.yaml"), *options, "config"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    loaded = yaml.safe_load(result.stdout)
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_the_daemon_on_sqlite_in_a_volume() -> None:
    config = compose_config()
    services = config["services"]
    assert isinstance(services, dict)
    monitor = services["monitor"]
    assert monitor["build"]["dockerfile"] == "deploy/Dockerfile"
    volumes = [str(v) for v in monitor["volumes"]]
    assert any(v.startswith("state:/var/lib/monitor") for v in volumes)
    assert any(v.endswith(":/etc/monitor:ro") for v in volumes)
    # the config's database, or SQLite in the volume
    assert monitor["environment"]["MONITOR_DATABASE_URL"] in ("", None)
    assert services["postgres"]["profiles"] == ["postgres"]


def test_the_postgres_profile_points_the_daemon_at_its_server() -> None:
    config = compose_config("--env-file", str(DEPLOY / "postgres.env"))
    services = config["services"]
    assert isinstance(services, dict)
    assert services["postgres"]["image"] == "postgres:16"
    url = services["monitor"]["environment"]["MONITOR_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://monitor:") and "@postgres:5432/monitor" in url
    assert compose_config("--profile", "postgres")["services"]


def test_the_dockerfile_installs_what_the_repository_holds() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.splitlines()[4] == "FROM python:3.11-slim"
    assert re.search(r"^USER 10001:10001$", dockerfile, re.MULTILINE)  # not root
    assert "--gid 10001 monitor" in dockerfile and "--uid 10001 --gid monitor" in dockerfile
    assert 'VOLUME ["/var/lib/monitor"]' in dockerfile
    assert 'CMD ["monitor", "run"]' in dockerfile
    for source in re.findall(r"^COPY (\S+) ", dockerfile, re.MULTILINE):
        assert (REPO / source).is_file(), source
    assert "pip install '.[postgres]'" in dockerfile
    assert "postgres = [" in (REPO / "pyproject.toml").read_text(encoding="utf-8")
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert not {"monitor", "alembic", "watchlists", "deploy", "README.md", "LICENSE"} & set(ignored)


def healthcheck(config: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    env.update(MONITOR_CONFIG=str(config), PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, str(DEPLOY / "healthcheck.py")],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=30,
    )


def test_the_health_check_asks_the_daemon(tmp_path: Path, feed_server: LocalServer) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = write_config(
        tmp_path / "monitor.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[feed_server.serve("/a.xml", RSS)],
        extra=f'[http]\nlisten = "0.0.0.0:{port}"\ntoken = "a-long-enough-token-123"\n',
    )
    down = healthcheck(config)
    assert down.returncode == 1
    assert f"unhealthy: http://127.0.0.1:{port}/healthz" in down.stderr
    log = tmp_path / "daemon.log"
    daemon = start_daemon(config, log=log)
    try:
        assert wait_for(lambda: "health endpoint listening" in log.read_text(), timeout=30)
        up = healthcheck(config)
        assert up.returncode == 0, up.stderr
    finally:
        daemon.terminate()
        assert daemon.wait(timeout=10) == 0


def test_the_health_check_passes_with_no_endpoint_and_fails_on_a_bad_config(
    tmp_path: Path,
) -> None:
    config = write_config(tmp_path / "monitor.toml", database="sqlite:///x.db", feeds=[])
    assert healthcheck(config).returncode == 0
    config.write_text("[http]\nlisten = 8787\n", encoding="utf-8")
    bad = healthcheck(config)
    assert bad.returncode == 1 and "unhealthy:" in bad.stderr
