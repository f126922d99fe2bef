"""`monitor init`: a commented config and a copy of the bundled watchlists, ready to edit.

The config written is the built-in defaults spelled out (the same Settings as no config at
all, ``tests/test_init.py`` checks it), so a new user starts from a file that runs as it is
and names every key. It goes to ``$XDG_CONFIG_HOME/newsmonitor/monitor.toml`` (platformdirs'
user config folder), or to ``--config PATH``; the watchlists go to ``watchlists/`` beside it,
which the config names. Nothing is overwritten without ``--force``: a user's edits are worth
more than a fresh copy.
"""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path
from typing import TextIO

import platformdirs

from monitor.errors import MonitorError
from monitor.settings import BUNDLED_WATCHLISTS, DEFAULT_FEEDS, default_database_url

CONFIG_NAME = "monitor.toml"
WATCHLISTS_DIR = "watchlists"

_TEMPLATE = """\
# newsmonitor config, written by `monitor init`. Every key is optional: a key left out (or
# commented out) takes the value shown here, the built-in default. A wrong key or value stops
# the program with a message naming this file, the key and what is expected.
# Check it with:  monitor --config @CONFIG@ watchlists check

# The database. Default: SQLite in your state folder, as below. For several instances use
# PostgreSQL (pip install 'newsmonitor[postgres]'): "postgresql+psycopg://user@host/db".
# $MONITOR_DATABASE_URL overrides this key.
# database = "@DATABASE@"

# Watchlist files or folders, relative to this file: the copy written beside it.
watchlists = ["@WATCHLISTS@"]

[defaults]
interval = "10m"          # how often each feed is polled (please stay in minutes for public feeds)
watch_feeds = true        # also poll the feeds and search feeds that watches ask for

# The feeds to poll: these are the built-in ones. Each [[feed]] takes url, and optionally
# name, interval (e.g. "5m") and official = true (the vendor's own newsroom: its releases
# and dates are confirmed). A site's address works too when its page names its feed.
# `monitor feeds import FILE.opml` prints [[feed]] blocks to paste here.
@FEEDS@
# Where alerts go: Apprise URLs by name (https://github.com/caronc/apprise/wiki).
# With no target, alerts go to the log only. Watches route to these names.
# Try one with:  monitor notify test
# [targets]
# chat  = "mmost://chat.example.org/abcdefghijklmnop"
# email = "mailtos://user:pass@mail.example.org?to=me@example.org"
#
# A target can also be a table with its delivery policy:
# [targets.email]
# url = "mailtos://user:pass@mail.example.org?to=me@example.org"
# mode = "digest"             # "instant" (default) or "digest"
# digest_at = "08:00"         # daily at 08:00 in `timezone`; or digest = "1h"
# timezone = "Europe/Paris"   # for quiet hours and digest times (default UTC)
# rate_limit = "10/10m"       # at most 10 single alerts per 10 minutes; the rest in a digest
# quiet = "22:00-07:00"       # alerts wait, then arrive as one digest at 07:00
# format = "text"             # "markdown" or "text"; default: what the Apprise plugin takes

[fetch]
timeout = "10s"           # connect and read timeout
deadline = "30s"          # total time for one fetch, whatever the server does
max_bytes = 10485760      # body cap, after decompression
allow_hosts = []          # hosts on private addresses that redirects may reach (e.g. a local RSS-Bridge)
concurrency = 20          # feeds fetched at once
per_host = 2              # of which at most this many from one host
backoff_max = "24h"       # longest wait between attempts at a failing feed
failing_alert_after = "3d"  # a feed failing this long is flagged, and you get one notice

[alerts]
max_age = "30d"           # items published earlier are stored but do not alert ("0": no limit)
give_up_after = "24h"     # a delivery still failing after this is marked failed (and kept)
delivery_timeout = "20s"  # connect/read timeout of one notification

[storage]
retention = "180d"        # items first seen earlier are pruned, except alerts' stories ("0": keep)

[log]
level = "INFO"            # DEBUG, INFO, WARNING, ERROR
format = "text"           # or "json"; one line per event either way

# Message templates ($watch, $news, $headline, $title, $evidence, $link, $sources, ...):
# [templates]
# email_subject = "[$watch] $news"

# More search-feed templates for watches; {query} is the quoted terms:
# [search]
# bing = "https://www.bing.com/news/search?q={query}&format=rss"

# A health and metrics endpoint: /healthz, /metrics (Prometheus), /calendar.ics. Off unless set.
# [http]
# listen = "127.0.0.1:8787"
"""


def default_config_path() -> Path:
    """Where ``monitor init`` writes: the user's config folder (``$XDG_CONFIG_HOME``)."""
    return Path(platformdirs.user_config_dir("newsmonitor")) / CONFIG_NAME


def config_text(config: Path) -> str:
    """The commented config: the built-in defaults, every key named."""
    feeds = []
    for url, name, official in DEFAULT_FEEDS:
        feeds += ["[[feed]]", f"url = {json.dumps(url)}", f"name = {json.dumps(name)}"]
        if official:
            feeds.append("official = true")
        feeds.append("")
    return (
        _TEMPLATE.replace("@CONFIG@", shlex.quote(str(config)))
        .replace("@DATABASE@", default_database_url(os.environ))
        .replace("@WATCHLISTS@", WATCHLISTS_DIR)
        .replace("@FEEDS@", "\n".join(feeds))
    )


def bundled_watchlists() -> list[Path]:
    return sorted(p for p in BUNDLED_WATCHLISTS.iterdir() if p.suffix in (".yaml", ".yml"))


def init(target: str | None, *, force: bool, out: TextIO) -> int:
    """Write the config and the watchlists; refuse (exit 1) to overwrite without ``force``."""
    config = Path(target).expanduser().absolute() if target else default_config_path()
    lists = config.parent / WATCHLISTS_DIR
    sources = bundled_watchlists()
    writes = [(config, config_text(config))]
    writes += [(lists / s.name, s.read_text(encoding="utf-8")) for s in sources]
    existing = [path for path, _ in writes if path.exists()]
    if existing and not force:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise MonitorError(f"{existing[0]} already exists{more}; use --force to overwrite")
    try:
        lists.mkdir(parents=True, exist_ok=True)
        for path, text in writes:
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise MonitorError(f"cannot write {exc.filename}: {exc.strerror}") from None
    quoted = shlex.quote(str(config))
    out.write(
        f"config:     {config}\n"
        f"watchlists: {lists}{os.sep} ({', '.join(s.name for s in sources)})\n"
        "\n"
        "Edit them, then check and run:\n"
        f"  monitor --config {quoted} watchlists check\n"
        f"  monitor --config {quoted} run\n"
        f"or set MONITOR_CONFIG={quoted} so every command uses it.\n"
    )
    return 0
