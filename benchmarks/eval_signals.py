"""Score the detector on labelled real news: a tuned part and a frozen held-out part.

    python benchmarks/eval_signals.py [--data DIR] [--show tuned|held-out|extra|all]
        [--extra FILE] [--watches FILE]

Reads ``signals-dev.jsonl`` and ``signals-dev-more.jsonl`` from DIR (default
``../shared/data`` beside the repository), writes them as an RSS feed in a temporary folder
and reads it back with the project's parser, then runs every item through
``monitor.analysis.analyse`` (the decision the daemon, ``scan`` and ``replay`` share) with the
bundled watchlists plus ``watch-extra.yaml`` (watches written plainly by a user).

The held-out third is fixed by a hash of each item's id (``held_out``), chosen before any
tuning: score it only at the end of a piece of work and never add a rule from its errors.
``--extra FILE`` scores another labelled file in the same format as a third column (news
gathered after the rules were written). Figures are those of issue #16: term F1, alert
precision and recall, signal accuracy, dates found (English and French, then the other
languages), items whose dates include one that is not the watched thing's, and the cost of
the decision per matched item (median and p99, CPU time in this process).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.analysis import Rules, analyse
from monitor.commands.scan import result_json
from monitor.parser import parse
from monitor.watchlist import load_watchlists
from tests.signals_scoring import ALERTING, gold_signal, held_out, load, same_forms, score, to_rss

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
FILES = ("signals-dev.jsonl", "signals-dev-more.jsonl")


def run(
    items: Sequence[Mapping[str, Any]], rules: Rules
) -> tuple[list[dict[str, Any]], list[float]]:
    feed = parse(
        "file:///signals.xml", to_rss(items).encode("utf-8"), {"content-type": "application/xml"}
    )
    results, costs = [], []
    for item in feed.items[:5]:
        analyse(item, rules)  # tables and patterns load once per process: not an item's cost
    for item in feed.items:
        start = time.process_time()
        analysis = analyse(item, rules)
        elapsed = time.process_time() - start
        if analysis.matches:
            costs.append(elapsed)
        results.append(result_json(analysis))
    return results, costs


def rules_for(data: Path, more: Sequence[Path] = ()) -> Rules:
    """The bundled watchlists, the data's plainly written watches, and ``more``."""
    paths = [REPO / "watchlists"]
    extra = data / "watch-extra.yaml"
    if extra.is_file():
        paths.append(extra)
    return Rules.build(load_watchlists([*paths, *more]), ())


def show(items: Sequence[Mapping[str, Any]], results: Sequence[Mapping[str, Any]]) -> None:
    for item, result in zip(items, results, strict=True):
        gold = gold_signal(item)
        found = bool(result["matches"])
        got = result["signal"] if found else "none"
        missed = gold == "dated" and not same_forms(item["dates"]) <= same_forms(result["dates"])
        wrong_alert = (gold in ALERTING) != bool(result["alert"])
        if gold == got and not missed and not wrong_alert:
            continue
        print(f"XX {item['id']:10} {item['lang']:3} gold={gold}/{item['rumored']}/{item['dates']}")
        print(f"   got={got}/{result['rumored']}/{result['dates']} alert={result['alert']}")
        print(f"   title: {item['title'][:150]}")
        print(f"   evidence: {result['evidence'][:200]}")
        print(f"   note: {item.get('note', '')[:200]}")


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def main(argv: Sequence[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--show", choices=("tuned", "held-out", "extra", "all"))
    ap.add_argument("--extra", type=Path, action="append", default=[])
    ap.add_argument("--watches", type=Path, action="append", default=[], help="more watchlists")
    args = ap.parse_args(argv)
    files = [args.data / name for name in FILES if (args.data / name).is_file()]
    if not files:
        print(f"no labelled data in {args.data}")
        return 1
    items = [item for path in files for item in load(path)]
    rules = rules_for(args.data, args.watches)
    results, costs = run(items, rules)
    parts = {
        "tuned": [i for i, it in enumerate(items) if not held_out(it["id"])],
        "held-out": [i for i, it in enumerate(items) if held_out(it["id"])],
    }
    columns: dict[str, dict[str, float]] = {}
    for name, idx in parts.items():
        columns[name] = score([items[i] for i in idx], [results[i] for i in idx])
        if args.show in (name, "all"):
            print(f"== {name}")
            show([items[i] for i in idx], [results[i] for i in idx])
    for path in args.extra:
        extra = load(path)
        extra_results, extra_costs = run(extra, rules)
        costs += extra_costs
        columns[path.stem] = score(extra, extra_results)
        if args.show in ("extra", "all"):
            print(f"== {path.stem}")
            show(extra, extra_results)
    names = list(columns)
    print(f"{'figure':20}" + "".join(f"{n:>14}" for n in names))
    for figure in next(iter(columns.values())):
        row = "".join(
            f"{columns[n][figure]:>14.0f}" if figure == "items" else f"{columns[n][figure]:>14.3f}"
            for n in names
        )
        print(f"{figure:20}{row}")
    median_ms = statistics.median(costs) * 1000 if costs else 0.0
    print(
        f"decision cost per matched item: median {median_ms:.2f} ms, "
        f"p99 {percentile(costs, 0.99) * 1000:.2f} ms over {len(costs)} items (target < 2 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
