"""Fixtures of the fault tests beyond the shared ones of tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.daemon.test_scheduler import NotifyListener


@pytest.fixture
def notify(tmp_path: Path) -> Iterator[NotifyListener]:
    """What systemd does with NOTIFY_SOCKET."""
    listener = NotifyListener(tmp_path / "notify.sock")
    yield listener
    listener.close()
