"""Train the detector's learned layer on the tuned part of the labelled data.

    python benchmarks/train_signals.py [--data DIR] [--l2 X] [--cv] [--write]

Each (item, matched watch) of the tuned part (``eval_signals.held_out`` is False) is one
example: its features from ``monitor.signals.read`` and its label, the item's gold signal
when the watch is the item's only labelled thing (or the first of several), ``mention``
when the watch is matched but not labelled (a homonym, a passing name). The held-out third
is never read here. A feature enters only when at least ``--min-count`` (3) examples hold
it, so one odd item cannot make a rule. The model is a multinomial logistic regression
with an L2 penalty, fitted by gradient descent (numpy, a development dependency only).

``--cv`` prints a 5-fold cross-validated accuracy next to the rules' own on the same
examples; ``--write`` saves ``monitor/signals/weights.json`` (the package's data).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.eval_signals import (
    DATA,
    FILES,
    WATCH_NAMES,
    gold_signal,
    held_out,
    load,
    rules_for,
)
from monitor.normalize import document_text
from monitor.parser import parse
from monitor.signals import read
from monitor.signals.learned import CLASSES, WEIGHTS
from tests.test_signals_eval import to_rss

LABELS = [c.value for c in CLASSES]


def examples(
    items: Sequence[Mapping[str, Any]], data: Path
) -> list[tuple[str, dict[str, float], str, str]]:
    """(item id, features, label, the rules' signal) per matched watch with a label."""
    rules = rules_for(data)
    feed = parse("file:///train.xml", to_rss(items).encode("utf-8"), {})
    out = []
    for item, parsed in zip(items, feed.items, strict=True):
        text = document_text(parsed)
        matches = rules.matcher.match(text, language=parsed.language)
        gold_terms = list(item["terms"])
        for watch, reading in read(text, matches, parsed.published, parsed.language).items():
            name = WATCH_NAMES.get(watch, watch)
            if name not in gold_terms:
                label = "mention"
            elif name == gold_terms[0]:
                label = gold_signal(item)
            else:
                continue
            if label == "none":
                label = "mention"
            out.append((item["id"], dict(reading.features), label, reading.rule.signal.value))
    return out


def fit(x: np.ndarray, y: np.ndarray, l2: float, steps: int = 3000) -> np.ndarray:
    """Softmax regression by full-batch gradient descent (a few hundred examples)."""
    n, d = x.shape
    k = len(LABELS)
    w = np.zeros((d, k))
    onehot = np.eye(k)[y]
    rate = 0.5
    for _ in range(steps):
        z = x @ w
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        grad = x.T @ (p - onehot) / n + l2 * w
        grad[0] -= l2 * w[0]  # the bias is not penalised
        w -= rate * grad
    return w


def matrix(rows: Sequence[dict[str, float]], names: Sequence[str]) -> np.ndarray:
    index = {n: i for i, n in enumerate(names)}
    x = np.zeros((len(rows), len(names)))
    for r, features in enumerate(rows):
        for name, value in features.items():
            if name in index:
                x[r, index[name]] = value
    return x


def vocabulary(rows: Sequence[dict[str, float]], min_count: int) -> list[str]:
    counts = Counter(name for features in rows for name, v in features.items() if v)
    names = sorted(n for n, c in counts.items() if c >= min_count and n != "bias")
    return ["bias", *names]


def cross_validate(
    data: Sequence[tuple[str, dict[str, float], str, str]], l2: float, min_count: int
) -> tuple[float, float]:
    """Accuracy of the model and of the rules, 5 folds split by item."""
    ids = sorted({d[0] for d in data})
    fold_of = {item_id: i % 5 for i, item_id in enumerate(ids)}
    right = rule_right = 0
    for fold in range(5):
        train = [d for d in data if fold_of[d[0]] != fold]
        test = [d for d in data if fold_of[d[0]] == fold]
        names = vocabulary([d[1] for d in train], min_count)
        w = fit(
            matrix([d[1] for d in train], names), np.array([LABELS.index(d[2]) for d in train]), l2
        )
        predicted = (matrix([d[1] for d in test], names) @ w).argmax(axis=1)
        right += sum(LABELS[p] == d[2] for p, d in zip(predicted, test, strict=True))
        rule_right += sum(d[3] == d[2] for d in test)
    return right / len(data), rule_right / len(data)


def main(argv: Sequence[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--l2", type=float, default=0.01)
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--cv", action="store_true")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    items = [
        item
        for name in FILES
        if (args.data / name).is_file()
        for item in load(args.data / name)
        if not held_out(item["id"])
    ]
    data = examples(items, args.data)
    print(f"{len(items)} tuned items, {len(data)} examples: {Counter(d[2] for d in data)}")
    if args.cv:
        for l2 in (0.001, 0.003, 0.01, 0.03, 0.1):
            model, rules = cross_validate(data, l2, args.min_count)
            print(f"l2={l2:<6} 5-fold accuracy {model:.3f} (the rules alone: {rules:.3f})")
    if args.write:
        names = vocabulary([d[1] for d in data], args.min_count)
        w = fit(
            matrix([d[1] for d in data], names),
            np.array([LABELS.index(d[2]) for d in data]),
            args.l2,
        )
        weights = {
            name: [round(float(v), 4) for v in w[i]]
            for i, name in enumerate(names)
            if np.abs(w[i]).max() >= 1e-3
        }
        body = {"classes": LABELS, "l2": args.l2, "examples": len(data), "weights": weights}
        WEIGHTS.write_text(json.dumps(body, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS} ({len(weights)} features)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
