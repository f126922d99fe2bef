"""Scale-out benchmark: 1, 2 and 3 `monitor run` instances sharing one PostgreSQL database.

    python benchmarks/bench_scale_out.py [--feeds 2000] [--items 20] [--instances 1,2,3] [--rounds 2]

Serves N feeds from nginx on 127.0.0.1 (see bench_fetch.py), and for each instance count, in
interleaved rounds, starts that many daemons on a fresh PostgreSQL schema with a one-hour
interval, so every feed is polled exactly once, and measures the cycle: from the first to the
last feed fetched, read from the feed table. One instance is the floor every ratio is taken
against. Also checks that no feed was fetched twice (nginx's access log). Needs nginx and the
local PostgreSQL ($MONITOR_BENCH_POSTGRES, default postgresql+psycopg://postgres@127.0.0.1/test).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_fetch import REPO, nginx, write_feeds

POSTGRES = os.environ.get(
    "MONITOR_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def write_config(path: Path, database: str, urls: list[str]) -> None:
    lines = [
        f"database = {json.dumps(database)}",
        f"watchlists = [{json.dumps(str(REPO / 'watchlists'))}]",
        "[defaults]",
        'interval = "1h"',
        "watch_feeds = false",
        "[fetch]",
        "concurrency = 50",
        "per_host = 50",  # one loopback host stands in for 2,000 servers
        "[log]",
        'level = "WARNING"',
    ]
    for url in urls:
        lines += ["[[feed]]", f"url = {json.dumps(url)}"]
    path.write_text("\n".join(lines) + "\n")


def one_cycle(tmp: Path, urls: list[str], instances: int, items_per_feed: int) -> dict[str, float]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    database = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    config = tmp / f"{schema}.toml"
    write_config(config, database, urls)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    env["PYTHONPATH"] = str(REPO)
    subprocess.run(  # migrate first, as the README says to before rolling out
        [sys.executable, "-m", "monitor", "db", "upgrade", "--config", str(config)],
        env=env,
        check=True,
        capture_output=True,
    )
    logs = [(tmp / f"{schema}-{n}.log").open("w") for n in range(instances)]
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "monitor", "run", "--config", str(config)],
            env=env,
            stdout=log,
            stderr=log,
        )
        for log in logs
    ]
    try:
        with admin.connect() as conn:
            while True:
                done = conn.execute(
                    text(f"SELECT count(*) FROM {schema}.feed WHERE last_fetch_at IS NOT NULL")
                ).scalar_one()
                conn.commit()
                if done >= len(urls) or time.perf_counter() - started > 600:
                    break
                time.sleep(0.2)
            wall = time.perf_counter() - started
            failed = conn.execute(
                text(f"SELECT count(*) FROM {schema}.feed WHERE error_kind IS NOT NULL")
            ).scalar_one()
            if failed:
                raise RuntimeError(f"{failed} feeds failed; see {tmp}/{schema}-*.log")
            first, last, items, twice = conn.execute(
                text(
                    f"SELECT extract(epoch FROM min(last_fetch_at)), "
                    f"extract(epoch FROM max(last_fetch_at)), "
                    f"(SELECT count(*) FROM {schema}.item), "
                    f"count(*) FILTER (WHERE items_seen > :items) FROM {schema}.feed"
                ),
                {"items": items_per_feed},
            ).one()
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=30)
        for log in logs:
            log.close()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    return {
        "cycle": float(last - first),
        "wall": wall,
        "items": float(items),
        "fetched": float(done),
        "twice": float(twice),  # feeds polled twice in one interval (items_seen doubled)
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--instances", default="1,2,3")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.instances.split(",")]
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        tmp.chmod(0o755)  # nginx workers run as an unprivileged user
        root = tmp / "feeds"
        root.mkdir()
        write_feeds(root, args.feeds, args.items)
        with nginx(tmp, root) as (port, _):
            urls = [f"http://127.0.0.1:{port}/f{n:05d}.xml" for n in range(args.feeds)]
            results: dict[int, list[dict[str, float]]] = {n: [] for n in counts}
            for _ in range(args.rounds):
                for n in counts:
                    results[n].append(one_cycle(tmp, urls, n, args.items))
    floor = statistics.median(r["cycle"] for r in results[counts[0]])
    print(f"\n{args.feeds} feeds x {args.items} items, {args.rounds} rounds, medians")
    print(f"{'instances':>9} {'cycle s':>9} {'ratio':>7} {'items/s':>9} {'wall s':>8}")
    for n in counts:
        cycle = statistics.median(r["cycle"] for r in results[n])
        items = statistics.median(r["items"] for r in results[n])
        wall = statistics.median(r["wall"] for r in results[n])
        print(
            f"{n:>9} {cycle:>9.2f} {cycle / floor:>7.2f} {items / max(cycle, 1e-9):>9.0f} {wall:>8.2f}"
        )
    twice = sum(r["twice"] for rs in results.values() for r in rs)
    print(f"feeds polled twice within one interval, all runs: {twice:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
