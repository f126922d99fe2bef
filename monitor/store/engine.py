"""Engine set-up and migrations.

SQLite gets WAL mode, a busy timeout and foreign keys, so a reader never blocks the writer
and a killed process leaves a consistent file. PostgreSQL goes through psycopg 3, with a
connect timeout so an unreachable server fails in seconds rather than hanging.

Every database failure leaves this package as a one-line StoreError (``database_error``)
that names the database (password hidden), says what went wrong and what to do, and
whether waiting may help (``transient``).
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from monitor.errors import StoreError
from monitor.redact import redact_url
from monitor.store.schema_version import at_head

if TYPE_CHECKING:
    from alembic.config import Config

# A source checkout has alembic/ beside the package; an installed wheel has monitor/migrations.
_ROOT = Path(__file__).resolve().parents[2]
ALEMBIC_DIR = (
    _ROOT / "alembic"
    if (_ROOT / "pyproject.toml").is_file()
    else Path(__file__).resolve().parents[1] / "migrations"
)


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs (SQLAlchemy would pick psycopg2)."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


PG_CONNECT_TIMEOUT = 10  # seconds; libpq waits forever by default

# Words of a driver's message that mean waiting will not help.
_FATAL_WORDS = (
    "does not exist",
    "authentication failed",
    "password",
    "no pg_hba.conf entry",
    "not a database",
    "readonly database",
    "read-only",
    "unable to open database file",
    "disk i/o error",
    "permission denied",
)
# What to do, by a word of the driver's message.
_ADVICE = (
    ("not a database", "move the file away or point `database` at another one"),
    ("unable to open database file", "check that the file's folder exists and is writable"),
    ("readonly database", "the database is read-only: make it and its folder writable"),
    ("read-only", "the file system is read-only: put the database on a writable one"),
    ("does not exist", "create it (createdb) or fix `database`"),
    ("authentication failed", "check the user and password of `database`"),
    ("no pg_hba.conf entry", "allow this client in the server's pg_hba.conf"),
    ("connection refused", "is the server running? retrying"),
    ("timeout", "the server does not answer; retrying"),
    ("database is locked", "another process holds a write lock; retrying"),
)


def database_error(url: str, exc: BaseException, doing: str = "cannot open") -> StoreError:
    """One line for a database failure: ``what failed (database): cause; advice``."""
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, OSError) and orig.strerror:
        cause = orig.strerror
        if orig.errno == errno.EROFS:
            cause = "read-only file system"
    else:
        cause = str(orig).strip()
    cause = " ".join(cause.split("\n")[0].split()) or type(orig).__name__
    low = cause.lower()
    advice = next((a for word, a in _ADVICE if word in low), "")
    fatal = any(word in low for word in _FATAL_WORDS)
    transient = not fatal and (
        make_url(normalise_url(url)).get_backend_name() == "postgresql"
        or "database is locked" in low
    )
    where = redact_url(url)
    text = f"database {where}: {doing}: {cause}" + (f"; {advice}" if advice else "")
    return StoreError(text, transient=transient)


def _private_file(url: str, path: Path) -> None:
    """Create the database's folder (0700) and file (0600) if they are missing, whatever
    the umask: alerts and feed URLs are nobody else's business. SQLite gives its -wal and
    -shm files the mode of the database file."""
    try:
        if not path.parent.is_dir():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.parent.chmod(0o700)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            path.chmod(0o600)
    except FileExistsError:
        pass  # made meanwhile by another process
    except OSError as exc:
        raise database_error(url, exc, "cannot create it") from None


DAEMON_APPLICATION = "newsmonitor-daemon"  # PostgreSQL application_name of `monitor run`


def make_engine(url: str, *, create: bool = True, daemon: bool = False, **kwargs: Any) -> Engine:
    """An engine on ``url``. ``create=False`` (the read-only commands) makes nothing: no
    folder, no file; a SQLite database that is not there is a StoreError."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if not create and path and path != ":memory:" and not Path(path).is_file():
            raise StoreError(
                f"database {redact_url(url)}: not found; `monitor run` or "
                "`monitor db upgrade` creates it (check `database` in the config)"
            )
        if create and parsed.database and parsed.database != ":memory:":
            _private_file(url, Path(parsed.database))
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    if parsed.get_backend_name() == "postgresql":
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:
            raise StoreError(
                "PostgreSQL needs psycopg: pip install 'newsmonitor[postgres]'"
            ) from exc
        connect_args: dict[str, Any] = {"connect_timeout": PG_CONNECT_TIMEOUT}
        if daemon:  # so `monitor status` can tell which daemons use this database
            name = f"{DAEMON_APPLICATION} {socket.gethostname()} {os.getpid()}"
            connect_args["application_name"] = name[:63]
        kwargs.setdefault("connect_args", connect_args)
    return create_engine(url, pool_pre_ping=True, **kwargs)


# Execution option of a connection whose transactions only read (see _sqlite_begin_immediate).
READ_ONLY = "monitor_read_only"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event open transactions (pysqlite's own BEGIN is deferred).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    """Take the write lock when a transaction starts, not when it first writes: a transaction
    that reads and then writes (insert items, then alerts) can otherwise fail with
    SQLITE_BUSY against another writer, which the busy timeout does not retry. Writers queue
    on the busy timeout instead, in one process or several. A connection marked
    ``READ_ONLY`` (``Repository.reading``) never writes, so it begins deferred."""
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class InstanceLock:
    """One daemon per SQLite file: an exclusive ``flock`` on ``<database>.lock``.

    SQLite has no row locks to share work safely between processes, so a second instance is
    refused with a clear error instead. The kernel drops the lock when the process dies,
    even by SIGKILL, so a restart never waits for a stale lock. PostgreSQL needs none:
    instances share the work there.
    """

    def __init__(self, url: str) -> None:
        parsed = make_url(normalise_url(url))
        self.url = url
        self.path: Path | None = None
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            self.path = Path(f"{parsed.database}.lock")
        self._file: Any = None

    @property
    def exclusive(self) -> bool:
        """True when holding the lock makes this the only instance on the database."""
        return self.path is not None

    def acquire(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle = os.fdopen(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600), "a+")
        except OSError as exc:
            raise database_error(self.url, exc, f"cannot open {self.path.name}") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise StoreError(
                f"another monitor instance is using {self.path.with_suffix('')}: "
                "one instance per SQLite database (use PostgreSQL to run several)"
            ) from None
        # who holds it, for `monitor status`
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def running_daemons(engine: Engine) -> list[str]:
    """``host pid`` of each daemon using this database, found without writing anything:
    the holder of the SQLite lock file, or PostgreSQL sessions named DAEMON_APPLICATION."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        lock = Path(f"{database}.lock")
        if not database or not lock.is_file():
            return []
        with lock.open("r") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = handle.read().strip()
                return [f"{socket.gethostname()} {pid or '?'}"]
            fcntl.flock(handle, fcntl.LOCK_UN)
        return []
    from sqlalchemy import text

    query = text(
        "SELECT DISTINCT application_name FROM pg_stat_activity "
        "WHERE datname = current_database() AND application_name LIKE :name"
    )
    try:
        with engine.connect() as conn:
            names = conn.execute(query, {"name": f"{DAEMON_APPLICATION} %"}).scalars().all()
    except SQLAlchemyError as exc:
        raise database_error(engine.url.render_as_string(hide_password=False), exc) from None
    return sorted(str(n).removeprefix(f"{DAEMON_APPLICATION} ") for n in names)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; what ``monitor db upgrade`` and ``monitor run`` do.

    Alembic is only imported when there is something to do: a schema already at head (every
    start but the first after an upgrade) is recognised with one SELECT."""
    url = engine.url.render_as_string(hide_password=False)
    try:
        if revision == "head" and at_head(engine, ALEMBIC_DIR / "versions"):
            return
        from alembic import command

        command.upgrade(alembic_config(engine), revision)
    except (SQLAlchemyError, OSError) as exc:
        raise database_error(url, exc) from None


def check_current(engine: Engine) -> None:
    """For the read-only commands: the schema must be at head already, since they never
    migrate (a StoreError says what to run otherwise)."""
    url = engine.url.render_as_string(hide_password=False)
    try:
        with engine.connect():
            pass
        current = at_head(engine, ALEMBIC_DIR / "versions")
    except (SQLAlchemyError, OSError) as exc:
        raise database_error(url, exc) from None
    if not current:
        raise StoreError(
            f"database {redact_url(url)}: its schema is missing or not the latest; "
            "run `monitor db upgrade` (or start `monitor run`) first"
        )
