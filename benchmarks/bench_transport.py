"""Fetcher CPU per feed against bare aiohttp, full bodies and 304s, at two concurrencies.

    python benchmarks/bench_transport.py [--feeds 1000] [--items 50] [--rounds 3]

Serves N feeds (about 80 KB each, as bench_fetch.py makes them) from nginx on 127.0.0.1.
Each round, interleaved, measures the process's CPU time (user + system, threads included) for:

  floor full C    aiohttp GETs every URL at concurrency C, reading the full bodies
  floor 304 C     the same with each feed's ETag/Last-Modified: every answer is a 304
  fetcher full C  our Fetcher, per-host limit C (one loopback host stands in for N servers)
  fetcher 304 C   the same with the FetchCache of a first fetch

for C in 10 and 200, and prints the median CPU ms per feed and its ratio to the floors.
Needs nginx and aiohttp; says so and exits 0 when one is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_fetch import nginx, self_cpu, write_feeds
from local_farm import missing_for_nginx

from monitor.fetcher import FetchCache, Fetcher

CONCURRENCIES = (10, 200)
Validators = dict[str, FetchCache]


def floor(urls: list[str], concurrency: int, cache: Validators | None) -> int:
    """Bare aiohttp: one session, a semaphore, ``read()`` of each body."""
    import aiohttp

    async def run() -> int:
        limit = asyncio.Semaphore(concurrency)
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def get(url: str) -> int:
                headers = {}
                if cache is not None:
                    validators = cache[url]
                    headers["If-None-Match"] = validators.etag or ""
                    headers["If-Modified-Since"] = validators.last_modified or ""
                async with limit, session.get(url, headers=headers) as response:
                    body = await response.read()
                    if cache is not None and response.status != 304:
                        raise RuntimeError(f"expected a 304, got {response.status}")
                    return len(body)

            return sum(await asyncio.gather(*(get(u) for u in urls)))

    return asyncio.run(run())


def ours(urls: list[str], concurrency: int, cache: Validators | None) -> tuple[int, Validators]:
    async def run() -> tuple[int, Validators]:
        async with Fetcher(concurrency=concurrency, per_host=concurrency) as fetcher:
            results = await asyncio.gather(
                *(fetcher.fetch(u, cache[u] if cache else FetchCache()) for u in urls)
            )
        if cache is not None and not all(r.not_modified for r in results):
            raise RuntimeError("expected every feed to answer 304")
        return sum(len(r.content) for r in results), {
            u: r.cache for u, r in zip(urls, results, strict=True)
        }

    return asyncio.run(run())


def measure(fn: Callable[[], object], feeds: int) -> float:
    cpu = self_cpu()
    fn()
    return (self_cpu() - cpu) / feeds * 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    missing = missing_for_nginx("aiohttp")
    if missing:
        print(f"skipped: bench_transport needs {', '.join(missing)}")
        return 0

    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-transport-") as name:
        tmp = Path(name)
        tmp.chmod(0o755)  # nginx workers run as an unprivileged user
        root = tmp / "feeds"
        root.mkdir()
        bodies = write_feeds(root, args.feeds, args.items)
        size = sum(map(len, bodies))
        print(
            f"{args.feeds} feeds, {size / args.feeds / 1024:.0f} KB each; {args.rounds} rounds; "
            "CPU ms per feed (median)"
        )
        with nginx(tmp, root) as (port, _set_mode):
            urls = [f"http://127.0.0.1:{port}/f{n:05d}.xml" for n in range(args.feeds)]
            fetched, cache = ours(urls, 10, None)
            if fetched != size:
                raise RuntimeError(f"fetched {fetched} bytes of {size}")
            for rnd in range(args.rounds):
                for c in CONCURRENCIES:
                    for label, validators in (("full", None), ("304", cache)):
                        results.setdefault(f"floor {label} C={c}", []).append(
                            measure(lambda: floor(urls, c, validators), args.feeds)  # noqa: B023
                        )
                        results.setdefault(f"fetcher {label} C={c}", []).append(
                            measure(lambda: ours(urls, c, validators), args.feeds)  # noqa: B023
                        )
                print(f"  round {rnd + 1} done")
    report({k: statistics.median(v) for k, v in results.items()})
    return 0


def report(ms: dict[str, float]) -> None:
    print()
    print(f"{'figure':<20} {'ms/feed':>8} {'/ floor same':>13} {'/ floor full':>13}")
    for c in CONCURRENCIES:
        for label in ("full", "304"):
            base = ms[f"floor {label} C={c}"]
            full = ms[f"floor full C={c}"]
            for who in ("floor", "fetcher"):
                key = f"{who} {label} C={c}"
                print(
                    f"{key:<20} {ms[key]:>8.3f} {ms[key] / base:>12.2f}x {ms[key] / full:>12.2f}x"
                )
    print()
    for label in ("full", "304"):
        ratio = ms[f"fetcher {label} C=200"] / ms[f"fetcher {label} C=10"]
        print(f"fetcher {label} CPU C=200 / C=10: {ratio:.2f}x")


if __name__ == "__main__":
    raise SystemExit(main())
