"""Alembic environment: the engine comes from the daemon, or from Settings on the CLI."""

from __future__ import annotations

from sqlalchemy import Engine, text

from alembic import context
from monitor.store.tables import metadata

target_metadata = metadata
MIGRATION_LOCK_KEY = 0x6E6D0002  # pg_advisory_xact_lock key ("nm" + 2)


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
            if connection.dialect.name == "postgresql":
                # instances starting together migrate one at a time; the others then
                # find the schema current and do nothing
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            context.run_migrations()
        connection.commit()


run_migrations_online()
