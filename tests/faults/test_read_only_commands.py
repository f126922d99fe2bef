"""Read-only commands never create, migrate or write a database (#18, point 4)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.conftest import run_cli, write_config

READ_ONLY = (
    ["status"],
    ["status", "--json"],
    ["alerts"],
    ["calendar"],
    ["replay", "--since", "1d"],
)


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_on_a_missing_sqlite_database_nothing_is_created(
    tmp_path: Path, command: list[str]
) -> None:
    db = tmp_path / "state" / "sub" / "monitor.db"
    config = write_config(tmp_path / "c.toml", database=f"sqlite:///{db}", feeds=[])
    result = run_cli(*command, "--config", str(config))
    assert result.code == 3
    assert result.err.count("\n") == 1, result.err
    assert "not found; `monitor run` or `monitor db upgrade` creates it" in result.err
    assert not (tmp_path / "state").exists()


def test_an_unmigrated_database_is_not_migrated(tmp_path: Path) -> None:
    db = tmp_path / "monitor.db"
    config = write_config(tmp_path / "c.toml", database=f"sqlite:///{db}", feeds=[])
    assert run_cli("db", "upgrade", "--config", str(config)).code == 0
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    for command in READ_ONLY:
        result = run_cli(*command, "--config", str(config))
        assert result.code == 3, result
        assert "run `monitor db upgrade`" in result.err
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "older"
    engine.dispose()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_an_empty_postgres_schema_stays_empty(tmp_path: Path, db_url: str) -> None:
    config = write_config(tmp_path / "c.toml", database=db_url, feeds=[])
    result = run_cli("status", "--config", str(config))
    assert result.code == 3, result
    assert "schema is missing" in result.err
    engine = create_engine(db_url)
    assert inspect(engine).get_table_names() == []
    engine.dispose()
