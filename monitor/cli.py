"""The command line of SPEC.md: ``monitor [--config PATH] COMMAND …``.

Every command accepts ``--config`` before or after its name. An expected failure prints
one line (secrets hidden) naming what failed and what to do, never a traceback, and exits
with its own code:

    1  watchlist problems (``file:line: message`` lines) or another failure
    2  the config file or the environment (every problem, one line each)
    3  the database: unreachable, unreadable, read-only, or not there for a read-only command
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from monitor import __version__, logs
from monitor.errors import ConfigError, MonitorError, StoreError, WatchlistError
from monitor.redact import redact_urls_in, url_secrets
from monitor.settings import Settings, load_settings, parse_duration

log = logging.getLogger("monitor")

EXIT_FAILURE, EXIT_CONFIG, EXIT_DATABASE = 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="config file (default: $MONITOR_CONFIG, ./monitor.toml, /etc/monitor/monitor.toml)",
    )
    main = argparse.ArgumentParser(
        prog="monitor",
        parents=[common],
        description="Watch news feeds for releases, rumors and dates; alert once.",
    )
    main.add_argument("--version", action="version", version=f"newsmonitor {__version__}")
    sub = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", parents=[common], help="the daemon: poll feeds, deliver alerts")
    run.add_argument("--once", action="store_true", help="one full cycle, then exit")

    scan = sub.add_parser(
        "scan", parents=[common], help="parse, match and classify feeds; no database"
    )
    scan.add_argument(
        "--watchlists", metavar="PATH", action="append", help="watchlist file or folder"
    )
    scan.add_argument("--json", action="store_true", help="one JSON object per item")
    scan.add_argument("sources", nargs="+", metavar="SOURCE", help="feed file or URL")

    wl = sub.add_parser("watchlists", parents=[common], help="watchlist tools")
    wl_sub = wl.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = wl_sub.add_parser("check", parents=[common], help="validate watchlists")
    check.add_argument(
        "paths", nargs="*", metavar="PATH", help="watchlist file or folder (default: the config's)"
    )

    replay = sub.add_parser("replay", parents=[common], help="what stored items would alert now")
    replay.add_argument("--since", required=True, metavar="DURATION", help="e.g. 30d, 12h")

    alerts = sub.add_parser("alerts", parents=[common], help="recent alerts and their deliveries")
    alerts.add_argument("--json", action="store_true", help="one JSON object per alert")
    alerts.add_argument(
        "--limit", type=int, default=50, metavar="N", help="the N most recent (default: 50)"
    )

    status = sub.add_parser("status", parents=[common], help="feed health and pending deliveries")
    status.add_argument("--json", action="store_true", help="one JSON document for scripts")

    cal = sub.add_parser("calendar", parents=[common], help="iCalendar of claimed dates")
    cal.add_argument("--output", metavar="FILE", help="write here instead of standard output")

    notify = sub.add_parser("notify", parents=[common], help="notification tools")
    n_sub = notify.add_subparsers(dest="action", required=True, metavar="ACTION")
    test = n_sub.add_parser("test", parents=[common], help="send a test notification")
    test.add_argument(
        "target", nargs="?", metavar="TARGET", help="a name from [targets] (default: every one)"
    )

    db = sub.add_parser("db", parents=[common], help="database tools")
    db_sub = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", parents=[common], help="migrate the database to the latest schema")

    sub.add_parser("demo", parents=[common], help="offline demo on bundled sample feeds")

    from monitor.commands.arguments import add_onboarding

    add_onboarding(sub, common)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    config = getattr(args, "config", None)
    try:
        if args.command == "init":  # it writes the config: there is none to load yet
            from monitor.commands.init import init

            return init(config, force=args.force, out=sys.stdout)
        settings = load_settings(config)
        logs.setup(settings.log_level, settings.log_format, _secrets(settings))
        return int(_dispatch(args, settings, config) or 0)
    except WatchlistError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)  # noqa: T201
        return 1
    except ConfigError as exc:
        for line in str(exc).splitlines():
            _say(f"config error: {line}")
        return EXIT_CONFIG
    except StoreError as exc:
        _say(str(exc))
        return EXIT_DATABASE
    except MonitorError as exc:
        _say(str(exc))
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `monitor scan --json … | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        # a file we were told to write or read (calendar --output, a watchlist folder)
        where = f" {exc.filename}" if exc.filename else ""
        _say(f"cannot use{where}: {exc.strerror or exc}")
        return EXIT_FAILURE


def _say(line: str) -> None:
    """One line on standard error, secrets and URL credentials hidden."""
    print(f"monitor: {redact_urls_in(logs.SECRETS.scrub(line))}", file=sys.stderr)  # noqa: T201


def _secrets(settings: Settings) -> list[str]:
    from monitor.delivery.notifier import secrets_of

    found = [piece for t in settings.targets for piece in secrets_of(t.url)]
    return found + [piece for f in settings.feeds for piece in url_secrets(f.url)]


def _dispatch(args: argparse.Namespace, settings: Settings, config: str | None) -> int:
    command = args.command
    if command == "run":
        return _run(settings, config, once=args.once)
    if command == "scan":
        from monitor.commands.scan import scan

        paths = (
            [Path(p) for p in args.watchlists]
            if args.watchlists
            else list(settings.watchlist_paths)
        )
        return scan(args.sources, paths, settings, as_json=args.json, out=sys.stdout)
    if command == "watchlists":
        return _check_watchlists(args.paths, settings)
    if command == "db":
        from monitor.store import make_engine, upgrade

        upgrade(make_engine(settings.database_url))
        log.info("database is at the latest schema")
        return 0
    if command == "demo":
        from monitor.commands.demo import demo

        return demo(out=sys.stdout)
    if command == "notify":
        return _notify_test(settings, args.target)
    if command == "feeds":
        from monitor.commands.feeds import feeds

        return feeds(args, settings, out=sys.stdout)
    from monitor.commands import reports

    if command == "replay":
        try:
            since = datetime.now(UTC) - timedelta(seconds=parse_duration(args.since))
        except ValueError as exc:
            raise ConfigError(f"--since: {exc}") from None
        except OverflowError:
            raise ConfigError(f"--since {args.since}: too long ago") from None
        return reports.replay(settings, since, out=sys.stdout)
    if command == "alerts":
        return reports.alerts(settings, as_json=args.json, limit=args.limit, out=sys.stdout)
    if command == "status":
        return reports.status(settings, as_json=args.json, out=sys.stdout)
    if command == "calendar":
        return reports.calendar(settings, output=args.output, out=sys.stdout)
    raise AssertionError(command)


def _warn_if_readable(settings: Settings) -> None:
    """Target tokens in a config file that every user of the machine can read."""
    path = settings.source
    if path is None or not any(t.in_config_file for t in settings.targets):
        return
    try:
        readable = path.stat().st_mode & 0o004
    except OSError:
        return
    if readable:
        log.warning(
            "config %s holds target secrets and is readable by every user: chmod 600 it (or "
            "640 with the service's group), or move the URLs to $MONITOR_TARGET_<NAME>_FILE "
            "or a systemd LoadCredential=target-<name>:PATH",
            path,
        )


def _run(settings: Settings, config: str | None, *, once: bool) -> int:
    _warn_if_readable(settings)
    # A stop asked for while the daemon's modules load is kept for it, not fatal: the
    # default action of SIGTERM would end the process with no clean-up and a failed status.
    stops: list[int] = []
    if not once:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda signum, _frame: stops.append(signum))
    from monitor.daemon.scheduler import Daemon

    daemon = Daemon(settings, config_arg=config)
    if once:
        asyncio.run(daemon.run_once())
        return 0
    # Not asyncio.run: it would wait, without a limit, for the threads still blocked on a
    # target or a database that does not answer; the daemon has recorded its state by now.
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(daemon.run_forever(stops))
    finally:
        loop.close()  # its default executor is shut down without waiting
    _leave_hung_threads()
    return 0


def _leave_hung_threads() -> None:
    """Exit now if threads are still held by a target that never answers (Apprise's own
    pool threads are joined at exit, and would hold the process past TimeoutStopSec)."""
    stuck = [t for t in threading.enumerate() if t is not threading.main_thread() and not t.daemon]
    if stuck:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def _check_watchlists(paths: Sequence[str], settings: Settings) -> int:
    from monitor.watchlist import check_watchlists

    targets = [Path(p) for p in paths] if paths else list(settings.watchlist_paths)
    problems = check_watchlists(
        targets, known_targets=settings.target_names(), known_searches=settings.search_names()
    )
    for problem in problems:
        print(problem)  # noqa: T201
    if problems:
        return 1
    print(f"ok: {', '.join(str(p) for p in targets)}")  # noqa: T201
    return 0


def _notify_test(settings: Settings, target: str | None) -> int:
    from monitor.delivery.messages import sample_view
    from monitor.delivery.notifier import Notifier, redact_target

    targets = {t.name: t.url for t in settings.targets}
    if not targets:
        print("no targets configured: alerts go to the log only ([targets] in the config)")  # noqa: T201
        return 1
    if target is not None and target not in targets:
        raise ConfigError(f"unknown target {target!r} (configured: {', '.join(targets)})")
    notifier = Notifier.from_settings(settings)
    failed = 0
    for name in [target] if target else list(targets):
        try:
            # the same path as an alert: this target's format and templates
            message = notifier.render(name, sample_view())
            error: Any = asyncio.run(notifier.send(name, message))
        except MonitorError as exc:
            error = logs.SECRETS.scrub(str(exc))
        style = notifier.style(name)
        state = "ok" if error is None else f"FAILED: {error}"
        print(f"{name} ({redact_target(targets[name])}, {style.format}): {state}")  # noqa: T201
        failed += error is not None
    return 1 if failed else 0
