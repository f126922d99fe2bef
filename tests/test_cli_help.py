"""Every command, option and argument of the command line says what it is for in --help."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from monitor.cli import _parser
from tests.conftest import run_cli


def parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from parsers(sub, (*path, name))


def test_every_option_and_argument_has_a_help_string() -> None:
    missing = []
    commands = 0
    for path, parser in parsers(_parser()):
        commands += 1
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                missing += [
                    f"{' '.join((*path, c.dest))}" for c in action._choices_actions if not c.help
                ]
            elif not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{' '.join(path) or 'monitor'} {'/'.join(action.option_strings)}")
    assert commands > 15
    assert missing == []


def test_help_shows_the_new_commands() -> None:
    result = run_cli("--help")
    assert result.code == 0
    assert "init" in result.out and "feeds" in result.out
    feeds = run_cli("feeds", "import", "--help")
    assert "an OPML file exported by a feed reader" in feeds.out
