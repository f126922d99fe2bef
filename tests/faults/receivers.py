"""Notification receivers that misbehave as real services do: one that accepts a connection
and never answers, one that rate-limits with 429 and Retry-After."""

from __future__ import annotations

import contextlib
import socket
import threading


class HangingReceiver:
    """Accepts connections, reads the request, never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self.connections: list[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def apprise_url(self) -> str:
        return f"json://127.0.0.1:{self.port}/hook"

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self) -> None:
        self._closed = True
        self.sock.close()
        for conn in self.connections:
            with contextlib.suppress(OSError):
                conn.close()
