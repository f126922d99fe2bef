"""Is the database schema at the head revision? Answered without importing Alembic.

Alembic and its dependencies (Mako, the DDL compilers of every dialect) cost a daemon about
a fifth of a second and 30 MB at every start, to find that nothing needs migrating. The
head revision is read from the migration files themselves (their ``revision`` and
``down_revision`` lines) and compared with ``alembic_version``; anything unexpected (a
file we cannot read, several heads, no version table) answers "not at head", and Alembic
then does the real work as before.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

_ASSIGNMENT = re.compile(
    r"""^(revision|down_revision)\s*(?::[^=]*)?=\s*(?:['"]([^'"]+)['"]|None)\s*$""", re.MULTILINE
)


def head_revision(versions: Path) -> str | None:
    """The one head of the migration files in ``versions``; None when that is unclear."""
    revisions: set[str] = set()
    parents: set[str] = set()
    try:
        files = sorted(versions.glob("*.py"))
        for path in files:
            found: dict[str, str | None] = {
                m.group(1): m.group(2) for m in _ASSIGNMENT.finditer(path.read_text("utf-8"))
            }
            revision = found.get("revision")
            if revision is None:
                return None
            revisions.add(revision)
            parent = found.get("down_revision")
            if parent:
                parents.add(parent)
    except (OSError, UnicodeDecodeError):
        return None
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revisions(engine: Engine) -> set[str]:
    """What ``alembic_version`` holds; empty when the table is missing or unreadable."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except SQLAlchemyError:
        return set()
    return {str(row[0]) for row in rows}


def at_head(engine: Engine, versions: Path) -> bool:
    head = head_revision(versions)
    return head is not None and current_revisions(engine) == {head}
