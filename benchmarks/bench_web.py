"""The dashboard's pages at scale: 10,000 alerts, 1,000 feeds, 10,000 items, on a SQLite file
in a temporary folder built by ``alembic upgrade head``.

    python benchmarks/bench_web.py [--alerts 10000] [--feeds 1000] [--items 10000] [--runs 15]

The daemon (``monitor run``, its listener on 127.0.0.1) serves the pages from its own
process while it polls and delivers; each page is asked ``--runs`` times over HTTP after
one warm-up, and the median and the slowest answer are printed, the whole request counted
(connection, queries, template, transfer). The preview runs a watch over every stored item
(all first seen in the last week), through ``analyse``, in its worker process (started
beforehand, as opening the form does).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from monitor.store import make_engine, upgrade
from monitor.store import tables as t

REPO = Path(__file__).resolve().parents[1]

WATCHES = ["GPT-5", "MAI-1", "Microsoft Build", "gpt2-chatbot"]
# One item in 20 names GPT-5 (an AI-news corpus and a watch on one model), one in 20 MAI-1,
# Build or the chatbot; the rest name none of them.
WATCHED = [
    "OpenAI will release GPT-5 on Thursday, August {d}",
    "GPT-5 expected in June, according to sources",
    "Microsoft reportedly training MAI-1, a 500B model",
    "Microsoft Build {y} kicks off on May {d}",
]
OTHER = [
    "Acme ships Widget-{n} with a faster chip",
    "Weekly roundup: chips, phones and model news #{n}",
    "Startup raises ${n}M for robot kitchens",
    "Regulators open a probe into cloud contract {n}",
    "Review: the phone {n} has a great screen and a weak battery",
]


def title_of(i: int, rng: random.Random) -> str:
    if i % 20 == 0:
        pattern = rng.choice(WATCHED[:2])
    elif i % 20 == 10:
        pattern = rng.choice(WATCHED[2:])
    else:
        pattern = rng.choice(OTHER)
    return pattern.format(d=rng.randint(1, 28), y=2025, n=i)


def fill(url: str, *, feeds: int, items: int, alerts: int) -> None:
    """Rows as the daemon writes them, inserted in bulk (the pages only read)."""
    engine = make_engine(url)
    upgrade(engine)
    rng = random.Random(7)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(t.Feed),
            [
                {
                    "id": i + 1,
                    "url": f"https://news{i}.example.org/feed.xml?token=secret{i}",
                    "name": f"Outlet {i}",
                    "official": i % 100 == 0,
                    "last_fetch_at": now - timedelta(minutes=rng.randint(0, 60)),
                    "last_success_at": None if i % 37 == 0 else now - timedelta(minutes=5),
                    "last_status": 503 if i % 37 == 0 else 200,
                    "error_count": 3 if i % 37 == 0 else 0,
                    "error_kind": "http_5xx" if i % 37 == 0 else None,
                    "last_error": "HTTP 503" if i % 37 == 0 else None,
                    "failing_since": now - timedelta(hours=5) if i % 37 == 0 else None,
                    "items_seen": rng.randint(0, 500),
                    "next_poll_at": now + timedelta(minutes=rng.randint(1, 600)),
                }
                for i in range(feeds)
            ],
        )
        conn.execute(
            insert(t.Story),
            [{"id": s + 1, "title": f"story {s}", "created_at": now} for s in range(items)],
        )
        rows = []
        for i in range(items):
            title = title_of(i, rng)
            rows.append(
                {
                    "id": i + 1,
                    "feed_id": rng.randint(1, feeds),
                    "item_key": f"k{i}",
                    "link": f"https://news.example.org/{i}",
                    "fingerprint": f"{i:064d}",
                    "title": title,
                    "summary": f"{title}. The company said more would follow, people familiar "
                    "with the matter said on Tuesday, in a long paragraph about it. " * 3,
                    "published_at": now - timedelta(hours=rng.randint(1, 160)),
                    "first_seen_at": now - timedelta(hours=rng.randint(1, 160)),
                    "story_id": i + 1,
                }
            )
        conn.execute(insert(t.Item), rows)
        conn.execute(
            insert(t.WatchMatch),
            [
                {
                    "item_id": i + 1,
                    "watch": WATCHES[i % 4],
                    "term": WATCHES[i % 4],
                    "span_start": 0,
                    "span_end": 5,
                    "signal": rng.choice(["dated", "rumor", "released", "mention"]),
                    "rumored": i % 3 == 0,
                    "dates": [f"2025-{rng.randint(1, 12):02d}"],
                    "evidence": rows[i]["title"],
                }
                for i in range(items)
            ],
        )
        conn.execute(
            insert(t.Alert),
            [
                {
                    "id": a + 1,
                    "watch": WATCHES[a % 4],
                    "story_id": a % items + 1,
                    "item_id": a % items + 1,
                    "change_key": f"c{a}",
                    "signal": "dated",
                    "rumored": a % 3 == 0,
                    "dates": ["2025-08-07"],
                    "term": WATCHES[a % 4],
                    "evidence": rows[a % items]["title"],
                    "title": rows[a % items]["title"],
                    "link": rows[a % items]["link"],
                    "change": "date moved from 2025-06 to 2025-08-07" if a % 5 == 0 else None,
                    "created_at": now - timedelta(minutes=alerts - a),
                }
                for a in range(alerts)
            ],
        )
        conn.execute(
            insert(t.Delivery),
            [
                {
                    "alert_id": a + 1,
                    "target": target,
                    "state": "delivered" if a % 10 else "pending",
                    "attempts": 1,
                    "delivered_at": now if a % 10 else None,
                    "next_attempt_at": now,
                }
                for a in range(alerts)
                for target in ("chat", "email")
            ],
        )
    engine.dispose()


def timed(url: str, runs: int, data: bytes | None = None) -> tuple[float, float, int]:
    """(median ms, slowest ms, bytes) of ``runs`` requests after one warm-up."""
    times = []
    size = 0
    for run in range(runs + 1):
        started = time.perf_counter()
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=60) as r:
            size = len(r.read())
        if run:
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times), size


def start_daemon(config: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``monitor run`` on ``config``; returns the process and its dashboard's address."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    env["PYTHONPATH"] = str(REPO)
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "run", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env,
            cwd=REPO,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = re.search(r"dashboard on (http://\S+/)", log.read_text())
        if found:
            return proc, found[1]
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"the daemon did not start:\n{log.read_text()[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--feeds", type=int, default=1_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        config = Path(folder) / "monitor.toml"
        # one configured feed, on a closed local port: the daemon polls, fails, backs off
        config.write_text(
            f'database = "sqlite:///{db}"\n'
            f'watchlists = ["{REPO / "watchlists"}"]\n'
            "[defaults]\nwatch_feeds = false\n"
            '[[feed]]\nurl = "http://127.0.0.1:9/closed.xml"\n'
            '[http]\nlisten = "127.0.0.1:0"\n'
        )
        started = time.perf_counter()
        fill(f"sqlite:///{db}", feeds=args.feeds, items=args.items, alerts=args.alerts)
        print(
            f"{args.alerts} alerts, {args.feeds} feeds, {args.items} items "
            f"written in {time.perf_counter() - started:.1f} s"
        )
        proc, base = start_daemon(config, Path(folder) / "daemon.log")
        try:
            watch = "name: GPT-5\nterms: [GPT-5]\naliases: [GPT 5, GPT5]\n"
            form = urllib.parse.urlencode({"watch": watch, "days": "7"}).encode()
            timed(base + "preview", 1)  # opening the form starts the worker, reads the items
            time.sleep(8)
            print(f"{'page':<28} {'median ms':>10} {'max ms':>8} {'bytes':>9}")
            for name, path, data in [
                ("alerts, page 1", "", None),
                ("alerts, page 100", "?page=100", None),
                ("alerts, last page", f"?page={args.alerts // 50}", None),
                ("watch GPT-5", "watch/GPT-5", None),
                ("feeds (by health)", "feeds", None),
                ("feeds (by name, desc)", "feeds?sort=name&desc=1", None),
                ("preview form", "preview", None),
                (f"preview, {args.items} items", "preview", form),
                ("healthz", "healthz", None),
            ]:
                median, slowest, size = timed(base + path, args.runs, data)
                print(f"{name:<28} {median:>10.1f} {slowest:>8.1f} {size:>9}")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)


if __name__ == "__main__":
    main()
