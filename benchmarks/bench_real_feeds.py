"""Real-feed benchmark: `monitor run --once` on 1,000 URLs of real feeds, next to its floors.

    python benchmarks/bench_real_feeds.py --feeds DIR [--distinct 60] [--urls 1000]
                                          [--rounds 1] [--no-peers]

DIR is a folder of real feed files, kept outside the repository: for instance the 200
cached feeds of the fastfeedparser project's benchmark (``benchmark_data/`` in
github.com/kagisearch/fastfeedparser). The first ``--distinct`` files by name (0: all) are
served round-robin at ``--urls`` URLs by nginx on 127.0.0.1, with ETag and Last-Modified,
so a second poll gets 304 Not Modified everywhere. Each round times, as whole processes
where the daemon is one:

  floor fetch       aiohttp GETs every URL at concurrency 100, full bodies (in this process)
  floor fetch proc  the same as a new Python process: what a re-poll cannot go below
  floor parse       lxml parses every body and reads each item's fields (in this process)
  first poll        `monitor run --once` with a fresh SQLite database and the bundled
                    watchlists: every item is new
  re-poll           `monitor run --once` again: every feed answers 304
  peak RSS          of the daemon's own process (wait4) and of it with its parser workers
                    (sampled every 50 ms)

and, once, as peers: a plain httpx + feedparser + SQLAlchemy loop (one process, one feed
after another, the items inserted with ON CONFLICT DO NOTHING), and rss2email
``r2e run --no-send`` when ``r2e`` is installed. Every figure is printed as a ratio to its
floor measured in the same run. Needs nginx (apt-get install nginx-light; without it this
says so in one line and exits 2), aiohttp and lxml (pip install -e '.[bench]').
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from local_farm import (
    farm_folder,
    free_port,
    missing_for_nginx,
    monitor_env,
    nginx_process,
    write_config,
)

SUFFIX = {b"rss": "rss", b"feed": "atom", b"rdf:rdf": "rdf"}
FIRST_ELEMENT = re.compile(rb"<([A-Za-z][\w.:-]*)")
NGINX_CONF = """
worker_processes 1;
daemon on;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format status $status;
    access_log {tmp}/access.log status;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    keepalive_timeout 60s;
    etag on;
    if_modified_since exact;
    types {{
        application/rss+xml rss;
        application/atom+xml atom;
        application/rdf+xml rdf;
        application/feed+json json;
        application/xml xml;
    }}
    default_type application/xml;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
}}
"""


# -- the feed farm ---------------------------------------------------------------------------


def feed_files(folder: Path, distinct: int) -> list[Path]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.stat().st_size)
    return files[:distinct] if distinct else files


def suffix(body: bytes) -> str:
    """The file's extension, for nginx's Content-Type: by its first element."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "json"
    first = FIRST_ELEMENT.search(head)
    return SUFFIX.get(first.group(1).lower(), "xml") if first else "xml"


def farm(root: Path, files: list[Path], urls: int) -> list[tuple[str, bytes]]:
    """``urls`` names under ``root`` (links to one copy of each file); their bodies."""
    bodies = root / "bodies"
    bodies.mkdir()
    served: list[tuple[str, bytes]] = []
    copies = []
    for n, path in enumerate(files):
        body = path.read_bytes()
        copy = bodies / f"{n:04d}.{suffix(body)}"
        copy.write_bytes(body)
        copies.append((copy, body))
    for n in range(urls):
        copy, body = copies[n % len(copies)]
        name = f"f{n:05d}{copy.suffix}"
        (root / name).symlink_to(copy)
        served.append((name, body))
    return served


@contextmanager
def nginx(tmp: Path, root: Path) -> Iterator[int]:
    """nginx on 127.0.0.1 serving ``root`` with validators; yields its port."""
    port = free_port()
    with nginx_process(tmp, NGINX_CONF.format(tmp=tmp, port=port, root=root)):
        yield port


def statuses(tmp: Path, mark: int) -> dict[str, int]:
    """HTTP statuses nginx logged after byte ``mark`` of its access log."""
    counts: dict[str, int] = {}
    with (tmp / "access.log").open("rb") as log:
        log.seek(mark)
        for line in log.read().split():
            counts[line.decode()] = counts.get(line.decode(), 0) + 1
    return counts


# -- floors ----------------------------------------------------------------------------------


async def _aiohttp_fetch(urls: list[str], concurrency: int = 100) -> int:
    import aiohttp

    limit = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as s:

        async def get(url: str) -> int:
            async with limit, s.get(url) as response:
                return len(await response.read())

        return sum(await asyncio.gather(*(get(u) for u in urls)))


def floor_fetch(urls: list[str]) -> float:
    start = time.perf_counter()
    asyncio.run(_aiohttp_fetch(urls))
    return time.perf_counter() - start


def floor_parse(bodies: list[bytes]) -> tuple[float, int]:
    """lxml reads each body and each item's (or entry's) fields; returns (seconds, items)."""
    from lxml import etree

    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    atom_entry = "{http://www.w3.org/2005/Atom}entry"
    rss10_item = "{http://purl.org/rss/1.0/}item"
    start, count = time.perf_counter(), 0
    for body in bodies:
        if body.lstrip()[:1] == b"{":
            count += len(json.loads(body).get("items", ()))
            continue
        root = etree.fromstring(body, parser)
        if root is None:
            continue
        for item in root.iter("item", atom_entry, rss10_item):
            fields = {child.tag: child.text for child in item}
            count += bool(fields)
    return time.perf_counter() - start, count


# -- processes -------------------------------------------------------------------------------


@dataclass
class Run:
    wall: float
    cpu: float
    main_mb: float = 0.0  # peak RSS of the process itself (VmHWM)
    tree_mb: float = 0.0  # peak RSS of the process and its children, sampled
    extra: dict[str, float] = field(default_factory=dict)


def _status_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def _tree_rss_kb(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += _status_kb(current, "VmRSS:")
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def timed(argv: list[str], log: Path, env: dict[str, str] | None = None) -> Run:
    """``argv`` as a new process: wall seconds, CPU, peak RSS (its own and its tree's)."""
    peak, main_peak = [0], [0]
    done = threading.Event()
    start = time.perf_counter()
    with log.open("ab") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=out, env=env)

        def sample() -> None:
            while not done.wait(0.05):
                peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
                with contextlib.suppress(FileNotFoundError, ProcessLookupError, ValueError):
                    main_peak[0] = max(main_peak[0], _status_kb(proc.pid, "VmHWM:"))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])} ... exited {proc.returncode}; see {log}")
    # wait4's CPU includes the parser workers (reaped before the process exits); its
    # ru_maxrss is the largest of them and the process, so the main process's own peak is
    # its VmHWM, read while it runs.
    return Run(wall, usage.ru_utime + usage.ru_stime, main_peak[0] / 1024, peak[0] / 1024)


def run_once(config: Path, log: Path) -> Run:
    argv = [sys.executable, "-m", "monitor", "run", "--once", "--config", str(config)]
    return timed(argv, log, monitor_env())


def stored(database: Path) -> tuple[int, int]:
    """(items stored, feeds with an error)."""
    with sqlite3.connect(database) as conn:
        items = int(conn.execute("SELECT count(*) FROM item").fetchone()[0])
        failed = int(
            conn.execute("SELECT count(*) FROM feed WHERE error_kind IS NOT NULL").fetchone()[0]
        )
    return items, failed


def fetch_process(urls: list[str], tmp: Path, log: Path) -> Run:
    listing = tmp / "urls.json"
    listing.write_text(json.dumps(urls))
    return timed([sys.executable, __file__, "--child-fetch", str(listing)], log)


def peer_loop(urls: list[str], tmp: Path, log: Path) -> Run:
    listing = tmp / "urls.json"
    listing.write_text(json.dumps(urls))
    database = tmp / "peer.db"
    database.unlink(missing_ok=True)
    run = timed([sys.executable, __file__, "--child-peer", str(listing), str(database)], log)
    with sqlite3.connect(database) as conn:
        run.extra["items"] = int(conn.execute("SELECT count(*) FROM item").fetchone()[0])
    return run


def rss2email(urls: list[str], tmp: Path, log: Path) -> Run | None:
    r2e = shutil.which("r2e")
    if r2e is None:
        return None
    home = tmp / "r2e"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir()
    base = [r2e, "-c", str(home / "r2e.cfg"), "-d", str(home / "r2e.json")]
    subprocess.run([*base, "new", "reader@example.org"], check=True, capture_output=True)
    for n, url in enumerate(urls):
        subprocess.run([*base, "add", f"f{n}", url], check=True, capture_output=True)
    return timed([*base, "run", "--no-send"], log)


# -- the child processes ---------------------------------------------------------------------


def child_fetch(listing: Path) -> int:
    asyncio.run(_aiohttp_fetch(json.loads(listing.read_text())))
    return 0


def child_peer(listing: Path, database: Path) -> int:
    """The plain loop a developer would write: httpx, feedparser, SQLAlchemy, one by one."""
    import feedparser
    import httpx
    from sqlalchemy import (
        Column,
        Integer,
        MetaData,
        String,
        Table,
        Text,
        UniqueConstraint,
        create_engine,
    )
    from sqlalchemy.dialects.sqlite import insert

    meta = MetaData()
    item = Table(
        "item",
        meta,
        Column("id", Integer, primary_key=True),
        Column("feed", String),
        Column("key", String),
        Column("title", Text),
        Column("link", Text),
        Column("summary", Text),
        Column("published", String),
        UniqueConstraint("feed", "key"),
    )
    engine = create_engine(f"sqlite:///{database}")
    meta.create_all(engine)
    with httpx.Client(timeout=30) as client:
        for url in json.loads(listing.read_text()):
            response = client.get(url)
            parsed = feedparser.parse(
                io.BytesIO(response.content), response_headers=dict(response.headers)
            )
            rows = [
                {
                    "feed": url,
                    "key": e.get("id") or e.get("link") or e.get("title", ""),
                    "title": e.get("title", ""),
                    "link": e.get("link"),
                    "summary": e.get("summary", ""),
                    "published": e.get("published"),
                }
                for e in parsed.entries
            ]
            if rows:
                with engine.begin() as conn:
                    conn.execute(insert(item).on_conflict_do_nothing(), rows)
    return 0


# -- report ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feeds", type=Path, help="a folder of real feed files")
    ap.add_argument("--distinct", type=int, default=60, help="feed files used (0: all)")
    ap.add_argument("--urls", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--no-peers", action="store_true", help="skip the peer programs")
    ap.add_argument("--keep", type=Path, help="copy the logs and databases here")
    ap.add_argument("--child-fetch", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--child-peer", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child_fetch:
        return child_fetch(args.child_fetch)
    if args.child_peer:
        return child_peer(*args.child_peer)
    if args.feeds is None or not args.feeds.is_dir():
        ap.error("--feeds DIR: a folder of real feed files")
    missing = missing_for_nginx("aiohttp", "lxml")
    if missing:
        print(f"bench_real_feeds needs {', '.join(missing)} (pip install -e '.[bench]')")
        return 2

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    files = feed_files(args.feeds, args.distinct)
    with farm_folder("bench-real-") as (tmp, root):
        served = farm(root, files, args.urls)
        bodies = [body for _, body in served]
        size = sum(map(len, bodies))
        print(
            f"{len(files)} real feeds served at {args.urls} URLs ({size / 1e6:.0f} MB); "
            f"{os.cpu_count()} CPUs; {args.rounds} round(s)"
        )
        results: dict[str, list[Run]] = {}

        def add(key: str, run: Run) -> None:
            results.setdefault(key, []).append(run)

        log = tmp / "monitor.log"
        with nginx(tmp, root) as port:
            urls = [f"http://127.0.0.1:{port}/{name}" for name, _ in served]
            for rnd in range(args.rounds):
                add("floor fetch", Run(floor_fetch(urls), 0.0))
                add("floor fetch proc", fetch_process(urls, tmp, log))
                seconds, items = floor_parse(bodies)
                add("floor parse", Run(seconds, 0.0, extra={"items": items}))
                database = tmp / f"round{rnd}.db"
                config = tmp / f"round{rnd}.toml"
                write_config(config, database, urls)
                first = run_once(config, log)
                first.extra["items"], first.extra["failed"] = stored(database)
                add("first poll", first)
                mark = (tmp / "access.log").stat().st_size
                again = run_once(config, log)
                again.extra["not_modified"] = statuses(tmp, mark).get("304", 0)
                add("re-poll", again)
                print(
                    f"  round {rnd + 1}: first {first.wall:.2f}s "
                    f"({first.extra['items']:.0f} items, {first.extra['failed']:.0f} feeds "
                    f"failed), re-poll {again.wall:.2f}s "
                    f"({again.extra['not_modified']:.0f} x 304)"
                )
            if not args.no_peers:
                add("peer httpx+feedparser+SQLAlchemy", peer_loop(urls, tmp, log))
                r2e = rss2email(urls, tmp, log)
                if r2e is not None:
                    add("peer rss2email --no-send", r2e)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            for path in [log, *tmp.glob("*.db")]:
                shutil.copy(path, args.keep / path.name)
        report(results, args.urls)
    return 0


def report(results: dict[str, list[Run]], urls: int) -> None:
    def med(key: str, attr: str = "wall") -> float:
        return statistics.median(getattr(r, attr) for r in results[key])

    def med_extra(key: str, name: str) -> float:
        return statistics.median(r.extra[name] for r in results[key])

    fetch, fetch_proc, parse = med("floor fetch"), med("floor fetch proc"), med("floor parse")
    floor_items = med_extra("floor parse", "items")
    items = med_extra("first poll", "items")
    head = ("figure", "measured", "floor (same run)", "ratio")
    rows = [
        ("floor: aiohttp fetch, in-process", f"{fetch:.2f} s", "", ""),
        ("floor: aiohttp fetch, new process", f"{fetch_proc:.2f} s", "", ""),
        (
            "floor: lxml parse",
            f"{parse:.2f} s ({floor_items / parse:,.0f} items/s)",
            "",
            "",
        ),
    ]
    first = med("first poll")
    rows.append(
        (
            f"first run --once, {items:,.0f} items",
            f"{first:.2f} s = {items / first:,.0f} items/s, CPU {med('first poll', 'cpu'):.0f} s",
            f"fetch + parse {fetch + parse:.2f} s",
            f"{first / (fetch + parse):.1f}x",
        )
    )
    again = med("re-poll")
    rows.append(
        (
            "re-poll run --once (all 304)",
            f"{again:.2f} s",
            f"fetch process {fetch_proc:.2f} s",
            f"{again / fetch_proc:.2f}x",
        )
    )
    rows.append(
        (
            "peak RSS, first poll",
            (
                f"{med('first poll', 'main_mb'):.0f} MB main process, "
                f"{med('first poll', 'tree_mb'):.0f} MB with its workers"
            ),
            "",
            "",
        )
    )
    for key in [k for k in results if k.startswith("peer")]:
        wall = med(key)
        rate = (
            f" = {med_extra(key, 'items') / wall:,.0f} items/s"
            if "items" in (results[key][0].extra)
            else ""
        )
        rows.append(
            (
                key,
                f"{wall:.2f} s{rate}",
                f"fetch + parse {fetch + parse:.2f} s",
                f"{wall / (fetch + parse):.1f}x (ours {first / wall:.2f}x its time)",
            )
        )
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    print()
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
    failed = med_extra("first poll", "failed")
    not_modified = med_extra("re-poll", "not_modified")
    print(
        f"\n{failed:.0f} of {urls} feeds failed in the first poll; "
        f"{not_modified:.0f} of {urls} answered 304 in the re-poll."
    )
    print(
        f"issue #17 targets: first poll >= 2,000 items/s "
        f"({'met' if items / first >= 2000 else 'NOT MET'}); re-poll <= 1.5x the fetch "
        f"process ({'met' if again / fetch_proc <= 1.5 else 'NOT MET'}); peak RSS <= 250 MB "
        f"({'met' if med('first poll', 'main_mb') <= 250 else 'NOT MET'})"
    )


if __name__ == "__main__":
    raise SystemExit(main())
