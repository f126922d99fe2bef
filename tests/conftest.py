"""Real local collaborators for the tests: a feed server, a chat webhook receiver, an SMTP
server, SQLite files and the local PostgreSQL, and a way to run the real command line.

PostgreSQL tests use a fresh schema per test on ``$MONITOR_TEST_POSTGRES`` (default: the local
server); they are skipped when it is unreachable, except in CI where that is a failure.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from monitor.store import Store, make_engine, upgrade

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
POSTGRES = os.environ.get(
    "MONITOR_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


# -- HTTP: one server class for feeds and webhooks ---------------------------------------------


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds between reading the request and answering it


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    at: float = field(default_factory=time.monotonic)


class LocalServer:
    """An HTTP server on 127.0.0.1 whose routes a test sets and whose requests it reads."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.fail_with: int | None = None  # answer every request with this status
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with server._lock:
                    route = server.routes.get(self.path.split("?")[0])
                    failing = server.fail_with
                if failing is not None:
                    route = Route(status=failing, body=b"unavailable")
                elif route is None:
                    route = Route(status=404, body=b"not found")
                etag = route.headers.get("ETag")
                not_modified = bool(etag) and self.headers.get("If-None-Match") == etag
                with server._lock:
                    server.requests.append(
                        Request(
                            self.command,
                            self.path,
                            dict(self.headers),
                            body,
                            304 if not_modified else route.status,
                        )
                    )
                if route.delay:
                    time.sleep(route.delay)
                if not_modified and etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(route.body)

            do_GET = do_POST = do_HEAD = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(
        self,
        path: str,
        body: bytes | str,
        *,
        status: int = 200,
        content_type: str = "application/rss+xml",
        **headers: str,
    ) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(status, data, {"Content-Type": content_type, **headers})
        return self.url(path)

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path.split("?")[0] == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server() -> Iterator[LocalServer]:
    server = LocalServer()
    yield server
    server.close()


class Receiver(LocalServer):
    """A chat webhook that Apprise's json:// plugin posts to; set ``fail_with`` for an outage."""

    def __init__(self) -> None:
        super().__init__()
        self.routes["/hook"] = Route(200, b"{}", {"Content-Type": "application/json"})

    @property
    def apprise_url(self) -> str:
        return f"json://127.0.0.1:{self.port}/hook"

    def received(self) -> list[dict[str, Any]]:
        """Notifications the receiver accepted (answered 2xx), in arrival order."""
        return [
            json.loads(r.body)
            for r in self.requests
            if r.method == "POST" and r.path.startswith("/hook") and r.status < 300
        ]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


# -- SMTP ------------------------------------------------------------------------------------------


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.content))
        )
        return "250 OK"


@dataclass
class SmtpServer:
    port: int
    mailbox: Mailbox

    @property
    def apprise_url(self) -> str:
        return (
            f"mailto://127.0.0.1:{self.port}?smtp=127.0.0.1&to=reader@example.org"
            "&from=monitor@example.org&secure=no"
        )


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    with socket.socket() as probe:  # aiosmtpd needs a real port number to check it started
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(port, mailbox)
    finally:
        controller.stop()


# -- databases -------------------------------------------------------------------------------------


def _postgres_schema_url(schema: str) -> str:
    return f"{POSTGRES}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL on each backend: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
        return
    engine = create_engine(POSTGRES)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # the server is not there
        engine.dispose()
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable: {type(exc).__name__}")
    try:
        yield _postgres_schema_url(schema)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A Store on a database migrated by Alembic, as the daemon makes it (never create_all)."""
    engine = make_engine(db_url)
    upgrade(engine)
    yield Store(engine)
    engine.dispose()


# -- the command line ------------------------------------------------------------------------------


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 120
) -> CliResult:
    """Run ``python -m monitor`` as a user would, in a clean environment."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    full_env["PYTHONPATH"] = str(REPO)
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        check=False,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or REPO,
        timeout=timeout,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def alerts_json(config: Path) -> list[dict[str, Any]]:
    """What `monitor alerts --json` prints, one object per alert."""
    result = run_cli("alerts", "--json", "--config", str(config))
    assert result.code == 0, result.err
    return [json.loads(line) for line in result.out.splitlines()]


def write_config(
    path: Path,
    *,
    database: str,
    feeds: list[str],
    targets: dict[str, str] | None = None,
    extra: str = "",
) -> Path:
    lines = [
        f"database = {json.dumps(database)}",
        f"watchlists = [{json.dumps(str(REPO / 'watchlists'))}]",
        "",
    ]
    # no search feeds: tests never reach a public host
    lines += ["[defaults]", "watch_feeds = false", "", "[alerts]", 'max_age = "0"', ""]
    for url in feeds:
        lines += ["[[feed]]", f"url = {json.dumps(url)}", ""]
    if targets:
        lines.append("[targets]")
        lines += [f"{name} = {json.dumps(url)}" for name, url in targets.items()]
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def start_daemon(
    config: Path, *, env: dict[str, str] | None = None, log: Path | None = None
) -> subprocess.Popen[str]:
    """Start ``monitor run`` as a service manager would; stderr goes to ``log`` if given."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    full_env["PYTHONPATH"] = str(REPO)
    full_env.update(env or {})
    stderr = log.open("a", encoding="utf-8") if log else None
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "monitor", "run", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=stderr or subprocess.DEVNULL,
            text=True,
            env=full_env,
            cwd=REPO,
        )
    finally:
        if stderr is not None:
            stderr.close()  # the child has its own copy


def wait_for(predicate: Any, timeout: float = 20.0, interval: float = 0.05) -> bool:
    """Poll ``predicate`` until it is true or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())
