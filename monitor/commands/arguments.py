"""The command-line arguments of ``init`` and ``feeds``, kept beside their commands so
``monitor.cli`` only registers them."""

from __future__ import annotations

import argparse


def add_onboarding(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``init`` and ``feeds`` to the subcommands ``sub`` of the main parser."""
    init = sub.add_parser(
        "init",
        parents=[common],
        help="write a commented config and the watchlists to your config folder",
        description=(
            "Write a commented monitor.toml (the built-in defaults, every key named) and a "
            "copy of the bundled watchlists beside it, to $XDG_CONFIG_HOME/newsmonitor, "
            "or to the file --config names."
        ),
    )
    init.add_argument("--force", action="store_true", help="overwrite files already there")

    feeds = sub.add_parser("feeds", parents=[common], help="OPML export and import of feeds")
    actions = feeds.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser(
        "export", parents=[common], help="write the polled feeds as OPML 2.0"
    )
    export.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    imp = actions.add_parser(
        "import", parents=[common], help="print [[feed]] blocks for the feeds of an OPML file"
    )
    imp.add_argument("file", metavar="FILE", help="an OPML file exported by a feed reader")
