"""sd_notify without libsystemd: one datagram per state change to ``$NOTIFY_SOCKET``.

A no-op when the variable is unset (not started by systemd). Protocol: sd_notify(3).
"""

from __future__ import annotations

import contextlib
import os
import socket


class SystemdNotifier:
    def __init__(self, address: str | None = None) -> None:
        address = address if address is not None else os.environ.get("NOTIFY_SOCKET", "")
        if address.startswith("@"):  # abstract namespace socket
            address = "\0" + address[1:]
        self.address = address or None

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def notify(self, *states: str) -> None:
        if self.address is None:
            return
        # Never block the event loop on a full socket buffer (a stalled listener); systemd
        # gone, unreachable or busy: nothing useful to do, the next ping will tell.
        with (
            socket.socket(
                socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC | socket.SOCK_NONBLOCK
            ) as sock,
            contextlib.suppress(OSError),
        ):
            sock.sendto("\n".join(states).encode(), self.address)

    def ready(self, status: str = "") -> None:
        self.notify("READY=1", *([f"STATUS={status}"] if status else []))

    def watchdog(self) -> None:
        self.notify("WATCHDOG=1")

    def status(self, text: str) -> None:
        self.notify(f"STATUS={text}")

    def reloading(self) -> None:
        self.notify("RELOADING=1")

    def extend_start(self, seconds: float, status: str) -> None:
        """Still starting (waiting for the database): push back TimeoutStartSec, say why."""
        self.notify(f"EXTEND_TIMEOUT_USEC={int(seconds * 1_000_000)}", f"STATUS={status}")

    def stopping(self) -> None:
        self.notify("STOPPING=1")

    def watchdog_interval(self) -> float | None:
        """Half of WatchdogSec (systemd's advice), or None when no watchdog is asked for."""
        usec = os.environ.get("WATCHDOG_USEC")
        if not usec or not usec.isdigit():
            return None
        pid = os.environ.get("WATCHDOG_PID")
        if pid and pid.isdigit() and int(pid) != os.getpid():
            return None
        return int(usec) / 2_000_000
