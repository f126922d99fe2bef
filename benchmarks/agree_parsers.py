"""Do the lxml fast path and the feedparser path give the same items? And how fast is each?

    python benchmarks/agree_parsers.py [--corpus DIR ...] [--show N]
    python benchmarks/agree_parsers.py --speed [--feeds 200] [--rounds 5]

Agreement: every file of each corpus (default: tests/data/feeds and the hostile set in
/work/shared/data/hostile) is parsed both ways (``parse_xml(..., fast=True)`` and
``fast=False``, the byte guards and cleaning included), and the items are compared field
by field: count, title, link, guid, published, summary text (markup stripped), and for
completeness key, content text and language. It prints, per corpus, how many feeds took
the fast path (and why the others did not), the agreement of each field over the feeds the
fast path read, and the disagreements. A corpus directory next to fastfeedparser's
``benchmark.py`` (its ``benchmark_data/``) gets each file's URL from that script, so
relative links resolve as they would on the web:

    git clone https://github.com/kagisearch/fastfeedparser /tmp/fastfeedparser
    python benchmarks/agree_parsers.py --corpus /tmp/fastfeedparser/benchmark_data

Speed (``--speed``): feeds from ``bench_fetch.make_feed`` (50 items of about 1.6 KB),
parsed in this process, interleaved each round: the lxml floor (tree and each item's child
texts, as bench_fetch's floor), the fast path, the feedparser path, and pickling the
ParsedFeed both ways (what a worker's answer costs). Prints medians, items/s and the ratio
to the floor of the same round.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from monitor.errors import ParseError
from monitor.model import Item
from monitor.normalize import html_to_text
from monitor.parser import lxml_reader
from monitor.parser.clean import ParsedFeed
from monitor.parser.xml import (
    _CHARREF,
    _fix_charref,
    _strip_doctype_subset,
    _to_utf8,
    is_blank,
    parse_xml,
    strip_boms,
)

HOSTILE = Path("/work/shared/data/hostile")
FIELDS = ("title", "link", "guid", "published", "summary text", "key", "content text", "language")


def _value(item: Item, name: str) -> object:
    if name == "summary text":
        return html_to_text(item.summary)
    if name == "content text":
        return html_to_text(item.content)
    return getattr(item, name)


@dataclass
class Tally:
    feeds: int = 0
    fast: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    items_agree: int = 0
    compared: int = 0
    identical: int = 0
    agree: Counter[str] = field(default_factory=Counter)
    pairs: int = 0
    seconds: Counter[str] = field(default_factory=Counter)
    slowest_loads: tuple[float, int, str] = (0.0, 0, "")
    disagreements: list[str] = field(default_factory=list)


def _urls(corpus: Path) -> dict[str, str]:
    """fastfeedparser names each cached feed by sha256(url)[:16]; get the URLs back."""
    script = corpus.parent / "benchmark.py"
    if not script.exists():
        return {}
    urls = re.findall(r'^\s*"(https?://[^"]+)",', script.read_text("utf-8"), re.MULTILINE)
    return {hashlib.sha256(u.encode()).hexdigest()[:16]: u for u in urls}


def _timed(function: Callable[[bytes], object], argument: bytes) -> float:
    start = time.perf_counter()
    function(argument)
    return time.perf_counter() - start


def _outcome(url: str, body: bytes, fast: bool) -> ParsedFeed | str:
    try:
        return parse_xml(url, body, {}, fast=fast)
    except ParseError as exc:
        return f"{exc.kind}: {exc.detail}"


def _refusal(url: str, body: bytes) -> str | None:
    """Why the fast path would not read ``body`` (None: it reads it), after the byte guards."""
    headers = {"content-type": "application/xml"}
    try:
        content = _to_utf8(url, body, headers)
        content = _CHARREF.sub(_fix_charref, _strip_doctype_subset(url, content)[0])
        lxml_reader.read(url, content, headers)
    except lxml_reader.Unsupported as exc:
        return str(exc).split(": ", 1)[0][:60]
    except Exception as exc:  # noqa: BLE001 -- reported, and then feedparser reads it
        return f"{type(exc).__name__}"
    return None


def compare(corpus: Path, tally: Tally) -> None:
    urls = _urls(corpus)
    for path in sorted(p for p in corpus.iterdir() if p.is_file()):
        body = path.read_bytes()
        if is_blank(body) or strip_boms(body[:1024]).startswith((b"{", b"[")):
            continue  # empty or JSON: neither path is involved
        url = urls.get(path.name, f"https://feeds.example/{path.name}")
        tally.feeds += 1
        refusal = _refusal(url, body)
        if refusal:
            tally.refused[refusal] += 1
            continue
        tally.fast += 1
        start = time.perf_counter()
        fast = _outcome(url, body, True)
        middle = time.perf_counter()
        reference = _outcome(url, body, False)
        tally.seconds["fast"] += middle - start
        tally.seconds["feedparser"] += time.perf_counter() - middle
        if isinstance(fast, str) or isinstance(reference, str):
            if fast != reference:
                tally.disagreements.append(f"{path.name}: {fast!s:.80} / {reference!s:.80}")
            continue
        tally.compared += 1
        blob = pickle.dumps(fast, pickle.HIGHEST_PROTOCOL)
        loads = min(_timed(pickle.loads, blob) for _ in range(3))
        if loads > tally.slowest_loads[0]:
            tally.slowest_loads = (loads, len(fast.items), path.name)
        if fast == reference:
            tally.identical += 1
        for name in ("title", "link", "language"):
            if getattr(fast, name) != getattr(reference, name):
                tally.disagreements.append(
                    f"{path.name} feed {name}: {getattr(fast, name)!r:.80}"
                    f" / {getattr(reference, name)!r:.80}"
                )
        if len(fast.items) == len(reference.items):
            tally.items_agree += 1
        else:
            tally.disagreements.append(
                f"{path.name}: items {len(fast.items)} (fast) / {len(reference.items)}"
            )
        for ours, theirs in zip(fast.items, reference.items, strict=False):
            tally.pairs += 1
            for name in FIELDS:
                a, b = _value(ours, name), _value(theirs, name)
                if a == b:
                    tally.agree[name] += 1
                else:
                    tally.disagreements.append(f"{path.name} {name}: {a!r:.100} / {b!r:.100}")


def agreement(corpora: list[Path], show: int) -> int:
    for corpus in corpora:
        tally = Tally()
        compare(corpus, tally)
        print(f"\n{corpus}: {tally.feeds} XML feeds, {tally.fast} read by the fast path")
        for reason, count in tally.refused.most_common():
            print(f"  feedparser ({count:3d}): {reason}")
        print(
            f"  item count agrees on {tally.items_agree} of {tally.compared} feeds;"
            f" the whole ParsedFeed is equal on {tally.identical}"
        )
        for name in FIELDS:
            share = tally.agree[name] / tally.pairs if tally.pairs else 1.0
            print(f"  {name:13s} {tally.agree[name]:6d} / {tally.pairs:<6d} {share:8.2%}")
        if tally.seconds["fast"]:
            fast_s, slow_s = tally.seconds["fast"], tally.seconds["feedparser"]
            print(
                f"  time on those feeds: fast path {fast_s:.2f} s, feedparser path"
                f" {slow_s:.2f} s ({slow_s / fast_s:.1f}x)"
            )
            loads, count, name = tally.slowest_loads
            print(
                f"  slowest pickle.loads of a ParsedFeed: {loads * 1000:.2f} ms"
                f" ({count} items, {name})"
            )
        for line in tally.disagreements[:show]:
            print(f"  ! {line}")
        if len(tally.disagreements) > show:
            print(f"  ! … {len(tally.disagreements) - show} more")
    return 0


# -- speed -----------------------------------------------------------------------------------


def _parse_all(bodies: list[bytes], fast: bool) -> list[ParsedFeed]:
    return [parse_xml("https://news.example/feed", b, {}, fast=fast) for b in bodies]


def speed(feeds: int, rounds: int) -> int:
    from bench_fetch import lxml_floor, make_feed

    rng = random.Random(7)
    now = datetime.now(UTC)
    bodies = [make_feed(n, 50, now, rng) for n in range(feeds)]
    items = feeds * 50
    times: dict[str, list[float]] = {}
    ratios: dict[str, list[float]] = {}
    parsed: list[ParsedFeed] = []
    for _ in range(rounds):
        start = time.perf_counter()
        assert lxml_floor(bodies) == items
        floor = time.perf_counter() - start
        start = time.perf_counter()
        parsed = _parse_all(bodies, True)
        fast = time.perf_counter() - start
        start = time.perf_counter()
        reference = _parse_all(bodies, False)
        slow = time.perf_counter() - start
        assert parsed == reference, "the two paths disagree on the generated feeds"
        start = time.perf_counter()
        blobs = [pickle.dumps(p, pickle.HIGHEST_PROTOCOL) for p in parsed]
        dump = time.perf_counter() - start
        start = time.perf_counter()
        for blob in blobs:
            pickle.loads(blob)
        load = time.perf_counter() - start
        for name, value in (
            ("floor (lxml)", floor),
            ("fast path", fast),
            ("feedparser path", slow),
            ("pickle.dumps", dump),
            ("pickle.loads", load),
        ):
            times.setdefault(name, []).append(value)
            ratios.setdefault(name, []).append(value / floor)
    size = statistics.mean(len(pickle.dumps(p, pickle.HIGHEST_PROTOCOL)) for p in parsed)
    print(f"{feeds} feeds x 50 items, {rounds} rounds, medians")
    print(f"{'figure':16s} {'s':>8s} {'items/s':>10s} {'ms/feed':>8s} {'/ floor':>8s}")
    for name, values in times.items():
        wall = statistics.median(values)
        ratio = statistics.median(ratios[name])
        per_feed = wall / feeds * 1000
        print(f"{name:16s} {wall:8.3f} {items / wall:10,.0f} {per_feed:8.3f} {ratio:7.1f}x")
    speedup = statistics.median(
        s / f for s, f in zip(times["feedparser path"], times["fast path"], strict=True)
    )
    print(f"fast path / feedparser path: {speedup:.1f}x faster; pickled ParsedFeed {size:,.0f} B")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, action="append", help="a directory of feeds")
    parser.add_argument("--show", type=int, default=40, help="disagreements to list")
    parser.add_argument("--speed", action="store_true", help="measure speed instead")
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    if args.speed:
        return speed(args.feeds, args.rounds)
    corpora = args.corpus or [REPO / "tests/data/feeds", *([HOSTILE] if HOSTILE.is_dir() else [])]
    return agreement(corpora, args.show)


if __name__ == "__main__":
    sys.exit(main())
