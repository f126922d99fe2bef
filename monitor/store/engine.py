"""Engine set-up and migrations.

SQLite gets WAL mode, a busy timeout and foreign keys, so a reader never blocks the writer
and a killed process leaves a consistent file. PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from monitor.errors import StoreError
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


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
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
    return create_engine(url, pool_pre_ping=True, **kwargs)


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
    on the busy timeout instead, in one process or several."""
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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise StoreError(
                f"another monitor instance is using {self.path.with_suffix('')}: "
                "one instance per SQLite database (use PostgreSQL to run several)"
            ) from None
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


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
    if revision == "head" and at_head(engine, ALEMBIC_DIR / "versions"):
        return
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
