"""The cheap at-head check that lets `monitor run` start without importing Alembic agrees
with Alembic, and sends every doubtful case to Alembic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import text

from monitor.store import make_engine, upgrade
from monitor.store.engine import ALEMBIC_DIR, alembic_config
from monitor.store.schema_version import at_head, head_revision
from tests.conftest import REPO

VERSIONS = ALEMBIC_DIR / "versions"


def test_head_is_alembics_head(db_url: str) -> None:
    engine = make_engine(db_url)
    assert (
        head_revision(VERSIONS)
        == ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    )
    engine.dispose()


def test_at_head_only_after_the_upgrade(db_url: str) -> None:
    engine = make_engine(db_url)
    assert not at_head(engine, VERSIONS)  # no alembic_version table yet
    upgrade(engine, "0001")
    assert not at_head(engine, VERSIONS)
    upgrade(engine)  # not at head: Alembic runs the remaining migrations
    assert at_head(engine, VERSIONS)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            head_revision(VERSIONS)
        )
    engine.dispose()


def test_doubtful_migration_folders_have_no_head(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("revision = 'a'\ndown_revision = None\n")
    (tmp_path / "b.py").write_text("revision = 'b'\ndown_revision = 'a'\n")
    assert head_revision(tmp_path) == "b"
    (tmp_path / "c.py").write_text("revision = 'c'\ndown_revision = 'a'\n")  # two heads
    assert head_revision(tmp_path) is None
    (tmp_path / "c.py").write_text("revision: str = 'c'\ndown_revision: str | None = 'b'\n")
    assert head_revision(tmp_path) == "c"
    (tmp_path / "d.py").write_text("revision = compute()\n")
    assert head_revision(tmp_path) is None
    assert head_revision(tmp_path / "missing") is None


def test_daemon_start_imports_neither_alembic_nor_apprise(tmp_path: Path) -> None:
    database = tmp_path / "m.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    engine.dispose()
    config = tmp_path / "monitor.toml"
    config.write_text(
        f'feed = []\ndatabase = "sqlite:///{database}"\n'
        f'watchlists = ["{REPO / "watchlists"}"]\n[defaults]\nwatch_feeds = false\n'
    )
    probe = (
        "import sys\nfrom monitor.cli import main\n"
        f"code = main(['run', '--once', '--config', {str(config)!r}])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'alembic', 'apprise', "
        "'apscheduler', 'feedparser'}))\nsys.exit(code)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert out.stdout.strip() == "[]", out.stderr
