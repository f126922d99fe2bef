"""The container's health check: asks the daemon's ``/healthz``, without curl (the slim
image has none).

With no ``[http] listen`` in the config there is no endpoint to ask and the check passes, so
Docker knows only that the process runs, as with no HEALTHCHECK at all. A wildcard address
(``0.0.0.0``, ``[::]``) is asked on the loopback. Proxies from the environment are ignored:
the question is for this container.
"""

from __future__ import annotations

import sys
import urllib.request

from monitor.errors import MonitorError
from monitor.settings import load_settings

WILDCARDS = {"0.0.0.0": "127.0.0.1", "[::]": "[::1]"}  # asked, never bound


def main() -> int:
    try:
        listen = load_settings().http_listen
    except MonitorError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    if listen is None:
        return 0
    host, _, port = listen.rpartition(":")
    url = f"http://{WILDCARDS.get(host, host)}:{port}/healthz"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as response:
            return 0 if response.status == 200 else 1
    except OSError as exc:  # URLError and HTTPError (a 503 from a stalled loop) among them
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)  # noqa: T201
        return 1


if __name__ == "__main__":
    sys.exit(main())
