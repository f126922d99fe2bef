"""`monitor feeds export|import`: move subscriptions between newsmonitor and feed readers.

``export`` writes every feed the daemon polls (the config's ``[[feed]]``, then each watch's
own feeds and search feeds, as ``run`` lists them) as OPML 2.0. ``import`` never edits the
user's config, whose comments and order are theirs: it prints ``[[feed]]`` blocks to paste
in, and one note per outline it leaves out (not http(s), already configured, or listed
twice) on standard error, so the output stays valid TOML.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from monitor.commands.opml import MAX_BYTES, Outline, read_opml, write_opml
from monitor.errors import MonitorError
from monitor.settings import Settings


def feeds(args: argparse.Namespace, settings: Settings, *, out: TextIO) -> int:
    if args.action == "export":
        return export(settings, args.output, out=out)
    return import_opml(Path(args.file), settings, out=out, notes=sys.stderr)


def polled_feeds(settings: Settings) -> list[Outline]:
    """The feeds ``monitor run`` polls, each URL once, in its order."""
    from monitor.feeds import feed_specs
    from monitor.watchlist import load_watchlists

    watchlists = load_watchlists(settings.watchlist_paths, known_searches=settings.search_names())
    return [Outline(f.url, f.name) for f in feed_specs(settings, watchlists)]


def export(settings: Settings, output: str | None, *, out: TextIO) -> int:
    document = write_opml(polled_feeds(settings))
    if output is None:
        out.write(document.decode("utf-8"))
        return 0
    try:
        Path(output).write_bytes(document)
    except OSError as exc:
        raise MonitorError(f"cannot write {output}: {exc.strerror}") from None
    return 0


def import_opml(path: Path, settings: Settings, *, out: TextIO, notes: TextIO) -> int:
    try:
        with path.open("rb") as file:
            content = file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise MonitorError(f"cannot read {path}: {exc.strerror}") from None
    configured = {_same(f.url) for f in settings.feeds}
    listed: set[str] = set()
    blocks = []
    for outline in read_opml(content, str(path)):
        url = outline.url
        if not _is_http(url):
            notes.write(f"skipped {url}: not an http(s) URL\n")
        elif _same(url) in configured:
            notes.write(f"skipped {url}: already configured\n")
        elif _same(url) in listed:
            notes.write(f"skipped {url}: listed twice in {path.name}\n")
        else:
            listed.add(_same(url))
            block = f"[[feed]]\nurl = {toml_string(url)}\n"
            if outline.name:
                block += f"name = {toml_string(outline.name)}\n"
            blocks.append(block)
    out.write("\n".join(blocks))
    notes.write(f"{len(blocks)} feeds from {path}: add the [[feed]] blocks above to the config\n")
    return 0


def toml_string(text: str) -> str:
    """A TOML basic string. JSON's escapes are TOML's, except that TOML also wants DEL
    escaped."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _is_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _same(url: str) -> str:
    """What makes two feed URLs the same for the duplicate check: scheme and host in any
    case, no fragment, no trailing slash."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}{query}"
