"""newsmonitor: watch news feeds for releases, rumors and dates, and alert once."""

from __future__ import annotations

__version__ = "0.1.0"
