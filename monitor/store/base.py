"""The transactions every part of the Store shares: one short transaction at a time.

The Store is one class over one engine, written as a part per aggregate (feeds, items and
their stories, the delivery outbox, retention, report queries), each in its own module on
top of this base; ``monitor.store.repository`` puts them together. What a poll runs uses
Core connections (``transaction``, ``reading``); the reads that want ORM objects use a
``session``, and load the ORM then (see ``monitor.store.tables``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from monitor.store.engine import READ_ONLY, database_error

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


class Repository:
    """The engine, its sessions and the dialect's INSERT: what every part of the Store uses."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions: sessionmaker[Session] | None = None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction on a Core connection: committed on success, rolled back on any
        error. It begins at once (BEGIN IMMEDIATE on SQLite)."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            url = self.engine.url.render_as_string(hide_password=False)
            raise database_error(url, exc, "error") from exc

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One ORM transaction: committed on success, rolled back on any error."""
        if self._sessions is None:
            from sqlalchemy.orm import sessionmaker

            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        session = self._sessions()
        try:
            with session.begin():
                yield session
        except SQLAlchemyError as exc:
            url = self.engine.url.render_as_string(hide_password=False)
            raise database_error(url, exc, "error") from exc
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """One read-only transaction. On SQLite it begins DEFERRED, not IMMEDIATE: a look-up
        (``known_items``) then takes no write lock, so it never queues behind the writer of
        new items and fetch state, nor holds it up; in WAL mode it reads the last commit."""
        try:
            with self.engine.connect() as conn:
                conn.execution_options(**{READ_ONLY: True})
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            url = self.engine.url.render_as_string(hide_password=False)
            raise database_error(url, exc, "error") from exc

    def _insert(self, table: Any) -> Any:
        return dialect_insert(self.dialect)(table)


@cache
def dialect_insert(dialect: str) -> Any:
    """The dialect's INSERT construct (for ON CONFLICT and RETURNING), imported on first use:
    the PostgreSQL dialect package costs some 20 ms of start-up that SQLite never needs."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert


def cap(value: str | None, size: int) -> str | None:
    return value[:size] if value else value
