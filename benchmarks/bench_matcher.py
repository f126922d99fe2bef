"""Matching throughput at 10, 1,000 and 10,000 terms.

Run: ``python benchmarks/bench_matcher.py [--items N] [--seed S]``. Not part of the tests.

For each term count it measures, on the same synthetic feed items:

* the Matcher (one Aho-Corasick automaton plus boundary checks) on normalised text,
  and the same with ``document_text`` (HTML stripping and normalisation) included;
* a naive loop of one compiled ``re.search`` per term, with the same boundary rules;
* an lxml parse of each item's XML, as a floor for per-item cost (skipped without lxml);
* recall and precision of the Matcher against the naive loop (every span, via
  ``finditer``), and the Matcher's build time.

Items mix filler text with watched terms, near misses ("Term0", "ChatTerm", "Term.1")
and HTML, so boundary checks and overlapping hits are exercised.
"""

from __future__ import annotations

import argparse
import importlib
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.matcher import Matcher
from monitor.model import Item
from monitor.normalize import document_text, normalize
from monitor.watchlist import Term, Watch

try:
    etree: Any = importlib.import_module("lxml.etree")
except ImportError:  # the floor column is optional
    etree = None

_FILLER_WORDS = (
    "the a of to and in that is for on with as by at from it this launch model release "
    "company said report today new update preview version developers users market "
    "according sources week plans expected announced conference data training open "
    "research billion parameters team product feature rollout analyst customers cloud"
)
FILLER = _FILLER_WORDS.split()
RECALL_ITEMS = 200  # items checked span by span against the naive loop
CHUNK = 100  # items per timed call
_T = TypeVar("_T")
_SYLLABLE_LIST = "ka lo mi ne su ta ri vo xe za pu de gi ho ju be ko la ma no pe ra se ti"
SYLLABLES = _SYLLABLE_LIST.split()


def make_terms(count: int, rng: random.Random) -> list[str]:
    """Distinct product-like names: "Kalomi-42", "Tari Vone", "Zapu X7" ..."""
    terms: set[str] = set()
    while len(terms) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        shape = rng.random()
        if shape < 0.4:
            term = f"{word}-{rng.randint(1, 99)}"
        elif shape < 0.7:
            second = "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize()
            term = f"{word} {second}"
        else:
            term = f"{word} X{rng.randint(1, 9)}"
        terms.add(term)
    return sorted(terms)


def make_items(terms: Sequence[str], count: int, rng: random.Random) -> list[Item]:
    items = []
    for index in range(count):
        words = [rng.choice(FILLER) for _ in range(90)]
        for _ in range(rng.randint(0, 3)):  # watched terms, some in disguise
            term = rng.choice(terms)
            form = rng.random()
            if form < 0.15:
                term = term.upper()
            elif form < 0.3:
                term = term.replace("-", "\u2011").replace(" ", "\u00a0")
            words.insert(rng.randrange(len(words)), f"({term}),")
        for _ in range(rng.randint(0, 2)):  # near misses that must not match
            term = rng.choice(terms)
            miss = rng.choice([f"{term}0", f"Chat{term}", f"{term}.1", f"{term}x"])
            words.insert(rng.randrange(len(words)), miss)
        title = " ".join(words[:12]).capitalize()
        body = " ".join(words[12:])
        half = len(body) // 2
        summary = f"<p>{escape(body[:half])}.</p><p><b>{escape(body[half:])}</b>.</p>"
        items.append(Item(key=str(index), title=title, summary=summary))
    return items


def item_xml(item: Item) -> bytes:
    return (
        f"<item><title>{escape(item.title)}</title><guid>{item.key}</guid>"
        f"<description>{escape(item.summary)}</description></item>"
    ).encode()


def naive_regexes(watches: Sequence[Watch]) -> list[tuple[str, re.Pattern[str]]]:
    """One regex per term with the Matcher's documented boundary rules."""
    compiled = []
    for watch in watches:
        for term in watch.all_terms:
            norm = normalize(term.text)
            left = r"(?<![\w\u0300-\u036f])" if re.match(r"\w", norm) else ""
            right = r"(?![\w\u0300-\u036f]|[.,]\d)" if re.search(r"\w$", norm) else ""
            flags = 0 if watch.case_sensitive else re.IGNORECASE
            compiled.append((watch.name, re.compile(left + re.escape(norm) + right, flags)))
    return compiled


def rate(run: Callable[[], int], *, budget: float = 1.5) -> float:
    """Best items/s of one call of ``run`` (a chunk of items) over ``budget`` seconds.

    The best chunk, not the mean, so a busy machine disturbs the figure less.
    """
    best = 0.0
    deadline = time.perf_counter() + budget
    while True:
        started = time.perf_counter()
        done = run()
        finished = time.perf_counter()
        best = max(best, done / (finished - started))
        if finished >= deadline:
            return best


def chunks(values: Sequence[_T], size: int = CHUNK) -> Callable[[], Sequence[_T]]:
    """A function returning the next ``size`` values each call, round and round."""
    position = [0]

    def next_chunk() -> Sequence[_T]:
        start = position[0] % len(values)
        position[0] = start + size
        return values[start : start + size]

    return next_chunk


def bench(term_count: int, item_count: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed + term_count)
    terms = make_terms(term_count, rng)
    watches = [
        Watch(name=t, terms=(Term(t),), case_sensitive=(i % 10 == 0)) for i, t in enumerate(terms)
    ]
    items = make_items(terms, item_count, rng)
    texts = [document_text(item) for item in items]

    builds = []
    for _ in range(5):
        started = time.perf_counter()
        matcher = Matcher(watches)
        builds.append(time.perf_counter() - started)

    next_texts = chunks(texts)
    next_items = chunks(items)

    def run_matcher() -> int:
        chunk = next_texts()
        for text in chunk:
            matcher.match(text)
        return len(chunk)

    def run_pipeline() -> int:
        chunk = next_items()
        for item in chunk:
            matcher.match(document_text(item))
        return len(chunk)

    regexes = naive_regexes(watches)
    next_naive = chunks(texts, 1)

    def run_naive() -> int:
        (text,) = next_naive()
        for _, regex in regexes:
            regex.search(text)
        return 1

    result = {
        "terms": term_count,
        "build_ms": min(builds) * 1000,
        "matcher": rate(run_matcher),
        "pipeline": rate(run_pipeline),
        "naive": rate(run_naive, budget=3.0),
    }
    if etree is not None:
        next_blobs = chunks([item_xml(item) for item in items])
        parser = etree.XMLParser(resolve_entities=False, no_network=True)

        def run_lxml() -> int:
            chunk = next_blobs()
            for blob in chunk:
                etree.fromstring(blob, parser)
            return len(chunk)

        result["lxml"] = rate(run_lxml)

    # recall and precision against every span the naive loop finds
    expected: set[tuple[int, str, int, int]] = set()
    got: set[tuple[int, str, int, int]] = set()
    for index, text in enumerate(texts[:RECALL_ITEMS]):
        for name, regex in regexes:
            expected.update((index, name, m.start(), m.end()) for m in regex.finditer(text))
        got.update((index, m.watch, m.start, m.end) for m in matcher.match(text))
    hits = len(expected & got)
    result["recall"] = hits / len(expected) if expected else 1.0
    result["precision"] = hits / len(got) if got else 1.0
    result["checked"] = len(expected)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rows = [bench(n, args.items, args.seed) for n in (10, 1_000, 10_000)]

    header = (
        f"{'terms':>6} {'build ms':>9} {'matcher/s':>10} {'+normalise/s':>13} "
        f"{'naive re/s':>11} {'lxml/s':>9} {'cost vs lxml':>13} {'vs naive':>9} "
        f"{'recall':>7} {'precision':>9} {'spans':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        lxml = r.get("lxml")
        ratio = f"{lxml / r['matcher']:.2f}x" if lxml else "n/a"
        print(
            f"{r['terms']:>6,.0f} {r['build_ms']:>9.1f} {r['matcher']:>10,.0f} "
            f"{r['pipeline']:>13,.0f} {r['naive']:>11,.1f} "
            f"{(f'{lxml:,.0f}' if lxml else 'n/a'):>9} {ratio:>13} "
            f"{r['matcher'] / r['naive']:>8,.0f}x {r['recall']:>7.3f} {r['precision']:>9.3f} "
            f"{r['checked']:>6,.0f}"
        )
    print()
    print("cost vs lxml = Matcher time per item / lxml parse time per item (target <= 1.5x).")
    by_terms = {int(r["terms"]): r for r in rows}
    checks = [
        (
            "recall and precision 1.0 vs naive",
            all(r["recall"] == r["precision"] == 1.0 for r in rows),
        ),
        ("build of 10,000 terms < 100 ms", by_terms[10_000]["build_ms"] < 100),
        ("10,000 terms >= 10,000 items/s", by_terms[10_000]["matcher"] >= 10_000),
    ]
    if "lxml" in by_terms[1_000]:
        cost = by_terms[1_000]["lxml"] / by_terms[1_000]["matcher"]
        checks.append(("1,000 terms <= 1.5x lxml parse cost", cost <= 1.5))
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
