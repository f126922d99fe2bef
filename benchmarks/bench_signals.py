"""Cost of classifying a 1 KB item, next to the cost of matching it and a regex floor.

    python benchmarks/bench_signals.py [--items N] [--rounds R]

Items are built from hand-written news sentences (English, French, German, Spanish)
around the four watch names, padded to about 1 KB, so the run needs no data files.
Three stages are timed on the same items, in the same process:

- floor: one compiled regex scanning the text for the watch names (``findall``);
- match: the project's matcher (``monitor.matcher``) with the bundled watchlists;
- classify: ``monitor.signals.classify`` on the matched items (dates included).

Sets: the synthetic 1 KB items (dense in watch names, cues and dates: a worst case), the
dev-set items that name a watch (real titles and ledes, about 330 bytes), and the same
padded to 1 KB with the dev set's paragraphs that name no watch (real text, shaped like
a longer article). Issue #16 asks that a matched item cost under 2 ms (median and p99 over real items are in
``benchmarks/eval_signals.py``); the verdict is printed for each set.
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.analysis import Rules
from monitor.model import Match
from monitor.signals import classify
from monitor.watchlist import load_watchlists

TITLES = (
    "OpenAI could release GPT-5 as soon as this summer, sources say",
    "Microsoft reportedly training MAI-1, a model with 500 billion parameters",
    "Microsoft Build will take place May 19-22 in Seattle",
    "La sortie de GPT-5 est prévue pour l'été, selon la presse américaine",
    "A mysterious gpt2-chatbot appeared on a chatbot leaderboard this weekend",
    "OpenAI soll GPT-5 im Sommer vorstellen",
    "OpenAI lanzará GPT-5 en agosto",
    "I tested GPT-5 for a week, and here is what I found",
)
SENTENCES = (
    "The company did not comment on the report when reached on Tuesday.",
    "Nous pourrions avoir un aperçu de MAI-1 le 16 mai, lors de la conférence Build.",
    "Analysts expect the new model to be shown at the developer conference next week.",
    "The startup, founded in 2021, raised $650 million in March from several investors.",
    "GPT-4 was released in March 2023 and has since been updated several times.",
    "Le modèle compterait environ 500 milliards de paramètres, d'après nos informations.",
    "It is expected to be available to paying subscribers first, then to everyone.",
    "Die Konferenz findet vom 19. bis 22. Mai in Seattle statt.",
    "Unlike GPT-5, the new model runs on a single GPU and costs less to serve.",
    "Microsoft has not confirmed when MAI-1 will be released to customers.",
    "Developers have been testing the chatbot on a public leaderboard for days.",
    "El lanzamiento está previsto para principios de agosto, según fuentes del sector.",
)


def make_items(count: int, size: int = 1024, seed: int = 5) -> list[str]:
    """``count`` documents of about ``size`` characters: a title, then sentences."""
    rng = random.Random(seed)
    items = []
    for _ in range(count):
        body: list[str] = []
        while sum(len(s) + 1 for s in body) < size - 80:
            body.append(rng.choice(SENTENCES))
        items.append(f"{rng.choice(TITLES)}\n\n{' '.join(body)}"[:size])
    return items


_FLOOR = re.compile(r"MAI-1|GPT-5|Build|gpt2-chatbot", re.IGNORECASE)


def per_item(run: Callable[[], object], count: int, rounds: int) -> float:
    """Best-of-rounds CPU seconds per item (the minimum is the least noisy estimate)."""
    times = []
    for _ in range(rounds):
        start = time.process_time()  # CPU time: steadier than wall time on a shared machine
        run()
        times.append((time.process_time() - start) / count)
    return min(times)


_MATCHER = Rules.build(
    load_watchlists([Path(__file__).resolve().parents[1] / "watchlists"]), ()
).matcher


def watch_matches(text: str) -> list[Match]:
    """The watch terms in ``text``, as the daemon finds them."""
    return _MATCHER.match(text)


def dev_set_items(pad_to: int = 0) -> list[tuple[str, datetime | None]]:
    """The labelled dev set's items that name a watch, read in place (never copied).

    With ``pad_to``, each is followed by paragraphs of the dev-set items that name no
    watch until it reaches about that many bytes: real text, shaped like a longer article
    that names the watch in its title and lede only.
    """
    from tests.signals_scoring import DEV_FILES, load, published

    if not DEV_FILES[0].exists():
        return []
    docs = []
    for item in load(DEV_FILES[0]):
        text = f"{item['title']}\n\n{item['summary']}" if item["summary"] else item["title"]
        docs.append((text, published(item["published"])))
    named = [(text, when) for text, when in docs if watch_matches(text)]
    if not pad_to:
        return named
    others = [text for text, _ in docs if not watch_matches(text)]
    padded = []
    for number, (text, when) in enumerate(named):
        parts, turn = [text], number
        while others and len("\n\n".join(parts).encode("utf-8")) < pad_to:
            parts.append(others[turn % len(others)])
            turn += 7
        padded.append(("\n\n".join(parts).encode("utf-8")[:pad_to].decode("utf-8", "ignore"), when))
    return padded


def measure(
    name: str, docs: Sequence[tuple[str, datetime | None]], rounds: int
) -> list[tuple[str, str, float, float, float]]:
    """Rows (set, stage, µs/item, µs/KB, × floor) for one set of documents."""
    count = len(docs)
    matched = [(text, watch_matches(text), when) for text, when in docs]
    classify(*matched[0])  # warm the regex caches
    floor = per_item(lambda: [_FLOOR.findall(t) for t, _ in docs], count, rounds)
    match = per_item(lambda: [watch_matches(t) for t, _ in docs], count, rounds)
    cost = per_item(lambda: [classify(t, m, w) for t, m, w in matched], count, rounds)
    kilobytes = statistics.mean(len(t.encode("utf-8")) for t, _ in docs) / 1024
    return [
        (name, stage, seconds * 1e6, seconds * 1e6 / kilobytes, seconds / floor)
        for stage, seconds in (("floor", floor), ("match", match), ("classify", cost))
    ]


def main(argv: Sequence[str]) -> int:
    count = int(argv[argv.index("--items") + 1]) if "--items" in argv else 2000
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 5
    published = datetime(2024, 5, 7, 9, 0, tzinfo=UTC)
    synthetic = [(text, published) for text in make_items(count)]
    rows = measure(f"synthetic 1 KB x{count}", synthetic, rounds)
    real = dev_set_items()
    if real:
        rows += measure(f"dev set x{len(real)}", real, rounds * 20)
        padded = dev_set_items(pad_to=1024)
        rows += measure(f"dev set 1 KB x{len(padded)}", padded, rounds * 10)
    print(f"best of {rounds} rounds; floor = one compiled regex findall of the watch names")
    print(f"{'set':22} {'stage':9} {'µs/item':>9} {'µs/KB':>9} {'× floor':>8}")
    for name, stage, per, per_kb, ratio in rows:
        print(f"{name:22} {stage:9} {per:9.1f} {per_kb:9.1f} {ratio:8.1f}")
    for name, stage, per, _, _ in rows:
        if stage == "classify":
            verdict = "meets" if per < 2000 else "misses"
            print(f"classify, {name}: {per / 1000:.3f} ms per item; {verdict} the 2 ms target")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
