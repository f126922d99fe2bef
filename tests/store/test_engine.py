"""Storage on both databases: the migrations have one head, agree with the models, and
upgrading twice changes nothing."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from monitor.model import FeedSpec
from monitor.store import Store, make_engine, upgrade
from monitor.store.engine import alembic_config
from monitor.store.tables import Base


def test_migrations_have_a_single_head(db_url: str) -> None:
    engine = make_engine(db_url)
    script = ScriptDirectory.from_config(alembic_config(engine))
    assert len(script.get_heads()) == 1
    engine.dispose()


def test_migrations_match_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    tables = set(inspect(store.engine).get_table_names())
    assert {"feed", "item", "story", "watch_match", "alert", "delivery"} <= tables


def test_upgrade_is_idempotent(store: Store) -> None:
    """Upgrading an up-to-date database again keeps its revision, tables and rows."""
    store.sync_feeds([FeedSpec(url="http://127.0.0.1:1/feed.xml", interval=300.0)])

    def state() -> tuple[str | None, set[str], int]:
        with store.engine.connect() as conn:
            revision = MigrationContext.configure(conn).get_current_revision()
        return revision, set(inspect(store.engine).get_table_names()), len(store.feeds())

    before = state()
    upgrade(store.engine)
    upgrade(store.engine)
    assert state() == before
    script = ScriptDirectory.from_config(alembic_config(store.engine))
    assert before[0] == script.get_current_head() and before[2] == 1
