"""Differential check of the HTML shortcuts on a folder of real feeds, and their speed.

    python benchmarks/check_sanitizer.py --feeds DIR

Every HTML value the lxml reader sanitizes in the feeds of DIR (a summary, a content, a
title: ``monitor.parser.markup.sanitize_html``'s arguments) is given to the shortcuts and to
feedparser's own two passes (``resolve_relative_uris`` then ``_sanitize_html``); any
difference is printed and makes the exit status 1. Then the time of each way over the same
values: feedparser's two passes, its one resolving pass (``_ResolvingSanitizer``),
``monitor.parser.sanitize`` and ``sanitize_html`` as the parser runs it (a fresh result
cache: each value once).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from feedparser.sanitizer import _sanitize_html
from feedparser.urls import resolve_relative_uris

from monitor.parser import lxml_reader, markup, sanitize
from monitor.parser.core import parse

Value = tuple[str, str, str]  # markup, base, content type


def collect(folder: Path) -> list[Value]:
    """The arguments of every ``sanitize_html`` call while parsing the feeds of ``folder``."""
    values: list[Value] = []
    real = lxml_reader.sanitize_html

    def spy(value: str, base: str, ctype: str) -> str:
        values.append((value, base, ctype))
        return real(value, base, ctype)

    lxml_reader.sanitize_html = spy
    try:
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            try:
                parse(f"http://127.0.0.1:8080/{path.name}", path.read_bytes(), {})
            except Exception:  # noqa: BLE001, S112 -- a feed that does not parse has no values
                continue
    finally:
        lxml_reader.sanitize_html = real
    return values


def two_passes(value: str, base: str, ctype: str) -> str:
    return str(_sanitize_html(resolve_relative_uris(value, base, "utf-8", ctype), "utf-8", ctype))


def one_pass(value: str, base: str, ctype: str) -> str:
    sanitizer = markup._ResolvingSanitizer(base, ctype)
    sanitizer.feed(value)
    return str(sanitizer.output()).strip().replace("\r\n", "\n")


def timed(values: list[Value], way: Callable[[str, str, str], object]) -> float:
    start = time.perf_counter()
    for value in values:
        way(*value)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=Path, required=True, help="a folder of feed files")
    args = parser.parse_args()
    values = collect(args.feeds)
    plain = [v for v in values if markup._PLAIN_MARKUP.fullmatch(v[0])]
    one = [v for v in values if v not in plain and not markup._TWO_PASSES_DIFFER.search(v[0])]
    fast = [v for v in one if sanitize.sanitize(*v) is not None]
    chars = sum(len(v[0]) for v in values)
    print(f"{len(values)} HTML values, {chars:,} characters, in {args.feeds}")
    print(
        f"plain {len(plain)}; one pass {len(one)}, of which sanitize.py {len(fast)} "
        f"({sum(len(v[0]) for v in fast):,} characters); two passes {len(values) - len(plain) - len(one)}"
    )
    markup._RESULTS = markup._Results(markup.RESULT_CHARS)
    differ = 0
    for value in values:
        want, got = two_passes(*value), markup.sanitize_html(*value)
        if got != want:
            differ += 1
            print(f"DIFFERS: base {value[1]} type {value[2]}: {value[0][:200]!r}")
    print(f"sanitize_html against feedparser's two passes: {differ} differ")
    markup._RESULTS = markup._Results(markup.RESULT_CHARS)
    rows = [
        ("feedparser's two passes, every value", timed(values, two_passes)),
        ("sanitize_html as parsed, every value", timed(values, markup.sanitize_html)),
        ("one resolving pass, the sanitize.py values", timed(fast, one_pass)),
        ("sanitize.py, the same values", timed(fast, sanitize.sanitize)),
    ]
    for label, seconds in rows:
        print(f"{label:45s} {seconds:6.2f} s")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
