"""Alembic environment: the engine comes from the daemon, or from Settings on the CLI."""

from __future__ import annotations

from sqlalchemy import Engine

from alembic import context
from monitor.store.tables import Base

target_metadata = Base.metadata


def _engine() -> Engine:
    engine = context.config.attributes.get("engine")
    if engine is not None:
        return engine  # type: ignore[no-any-return]
    from monitor.settings import load_settings
    from monitor.store.engine import make_engine

    return make_engine(load_settings().database_url)


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite has almost no ALTER TABLE
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
