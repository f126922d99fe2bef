"""Crash safety: `monitor run` is SIGKILLed at random moments over many cycles and restarted.

Every expected alert must arrive; an alert may arrive twice only when a kill fell between the
send and the mark (the at-least-once window, at most one per kill), and the database must
pass an integrity check.
"""

from __future__ import annotations

import itertools
import json
import random
import signal
import sqlite3
import time
from collections import defaultdict
from pathlib import Path

from tests.conftest import LocalServer, Receiver, start_daemon, wait_for, write_config

WIDGETS = 44
CYCLES = 22


def _feed(name: str, indexes: range) -> str:
    items = "".join(
        f"<item><title>Acme launches Widget-{i} today</title>"
        f"<link>http://news.test/{name}/widget-{i}</link><guid>{name}-{i}</guid>"
        f"<pubDate>Thu, 07 Aug 2025 17:00:00 GMT</pubDate></item>"
        for i in indexes
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>'
        f"<link>http://news.test/</link><description>d</description>{items}</channel></rss>"
    )


def test_killed_at_random_moments_loses_nothing_and_doubles_at_most_one_per_kill(
    tmp_path: Path, feed_server: LocalServer, receiver: Receiver
) -> None:
    rng = random.Random(20240516)
    watchlist = tmp_path / "widgets.yaml"
    watchlist.write_text(
        "watches:\n"
        + "".join(f"  - name: Widget-{i}\n    terms: [Widget-{i}]\n" for i in range(WIDGETS)),
        encoding="utf-8",
    )
    feeds = [feed_server.url("/a.xml"), feed_server.url("/b.xml")]
    db = tmp_path / "monitor.db"
    config = write_config(
        tmp_path / "monitor.toml",
        database=f"sqlite:///{db}",
        feeds=feeds,
        targets={"chat": receiver.apprise_url},
        extra="",
    )
    text = config.read_text().replace("[defaults]", '[defaults]\ninterval = "1s"')
    config.write_text(
        text.split("watchlists = ")[0] + f'watchlists = ["{watchlist}"]\n' + text.split("\n", 2)[2]
    )
    half = WIDGETS // 2
    log = tmp_path / "daemon.log"
    kills: list[float] = []
    for cycle in range(CYCLES):
        shown = min(half, cycle + 1)  # each cycle brings one more item per feed
        feed_server.serve("/a.xml", _feed("a", range(shown)))
        feed_server.serve("/b.xml", _feed("b", range(half, half + shown)))
        proc = start_daemon(config, log=log)
        time.sleep(rng.uniform(0.5, 3.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills.append(time.monotonic())  # when it is surely dead: a send just before counts

    starts = log.read_text().count("daemon started")
    proc = start_daemon(config, log=log)
    try:
        assert wait_for(
            lambda: len({m["title"] for m in receiver.received()}) == WIDGETS, timeout=60
        ), log.read_text()[-3000:]
        # Every alert may have arrived before this start: stop a daemon that is up, not an
        # interpreter still loading (whose SIGTERM no program can catch yet).
        assert wait_for(lambda: log.read_text().count("daemon started") > starts, timeout=30)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()

    arrivals: dict[str, list[float]] = defaultdict(list)
    for request in receiver.requests:
        if request.method == "POST" and request.status < 300:
            arrivals[json.loads(request.body)["title"]].append(request.at)
    assert len(arrivals) == WIDGETS
    doubles = {title: times for title, times in arrivals.items() if len(times) > 1}
    for title, times in doubles.items():
        # at-least-once: every resend follows a kill between the send and its mark
        for sent, resent in itertools.pairwise(times):
            assert any(sent <= k <= resent for k in kills), f"{title} resent without a kill"
    assert sum(len(times) - 1 for times in doubles.values()) <= len(kills)
    print(  # noqa: T201 - the report the issue asks for (shown with -s or -rP)
        f"\n{CYCLES} kills, {WIDGETS} alerts, {len(doubles)} resent after a kill between send and mark"
    )

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        states = dict(
            conn.execute("SELECT state, count(*) FROM delivery GROUP BY state").fetchall()
        )
    assert states == {"delivered": WIDGETS}
