"""Storage: SQLAlchemy tables, engine set-up and the Store repository.

SQLite is the embedded default, PostgreSQL (psycopg 3) the scale-out database; the same
code runs on both. The schema is owned by Alembic migrations, never ``create_all``.
"""

from __future__ import annotations

from monitor.store.engine import make_engine, upgrade
from monitor.store.repository import Store

__all__ = ["Store", "make_engine", "upgrade"]
