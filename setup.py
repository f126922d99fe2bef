"""Package discovery, which pyproject.toml alone cannot combine with the mapped folders.

Every package under monitor/ is found, so a new stage is never left out of the wheel;
alembic/ and watchlists/ are installed inside the package (see pyproject.toml).
"""

from __future__ import annotations

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["monitor", "monitor.*"]),
        "monitor.migrations",
        "monitor.migrations.versions",
        "monitor.watchlists",
        # data folders without an __init__.py: their files are package data (pyproject.toml)
        "monitor.demo_feeds",
        "monitor.web.static",
        "monitor.web.templates",
    ]
)
