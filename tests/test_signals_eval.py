"""The detector on labelled real news, through ``monitor scan --json`` as a user runs it.

The labelled items live next to the repository (``../shared/data``) and are not copied into
it: they are excerpts of other people's articles. Each test writes them as an RSS feed in
a temporary folder, scans it in a subprocess, and scores the JSON lines
(``tests/signals_scoring.py``). The tests skip when the data is absent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.signals_scoring import DEV_FILES, REPO, SHARED_DATA, held_out, load, score, to_rss

DEV_SET = DEV_FILES[0]
SEED = SHARED_DATA / "seed-article.json"
# The original 78 items (the bundled watches only), which the rules were first written on.
THRESHOLDS = {
    "term_f1": 0.95,
    "alert_precision": 0.90,
    "alert_recall": 0.85,
    "signal_accuracy": 0.75,
    "dates_found": 0.80,
}
# Floors of the held-out third. Issue #16 asks for term F1 0.97, alert precision and recall
# 0.90, signal accuracy 0.80 and dates 0.80 (English, French) / 0.65 (others); these are
# what the detector holds today, so a change that loses ground fails. Raise them as it gains.
HELD_OUT_FLOORS = {
    "term_f1": 0.96,
    "alert_precision": 0.89,
    "alert_recall": 0.80,
    "signal_accuracy": 0.70,
    "dates_found_en_fr": 0.45,
    "dates_found_other": 0.70,
}


def scan_json(tmp_path: Path, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``monitor scan --json`` in a subprocess over the items as one RSS feed, with the
    bundled watchlists and the plainly written ones of the data folder."""
    feed = tmp_path / "items.xml"
    feed.write_text(to_rss(items), encoding="utf-8")
    lists = ["--watchlists", str(REPO / "watchlists")]
    extra = SHARED_DATA / "watch-extra.yaml"
    if extra.is_file():
        lists += ["--watchlists", str(extra)]
    run = subprocess.run(
        [sys.executable, "-m", "monitor", "scan", "--json", *lists, str(feed)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    results = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert len(results) == len(items), "one JSON object per feed item, in feed order"
    return results


def report(title: str, figures: Mapping[str, float]) -> None:
    sys.stdout.write(f"\n{title}:\n")
    for name, value in figures.items():
        sys.stdout.write(f"  {name:18} {value:.3f}\n")


def test_score_counts_what_it_should() -> None:
    items = [
        {"terms": ["GPT-5"], "signal": "dated", "dates": ["2025-08"], "lang": "en"},
        {"terms": [], "signal": "none", "dates": [], "lang": "en"},
        {"terms": ["Build"], "signal": "release", "dates": [], "lang": "fr"},
        {"terms": ["GTA 6"], "signal": "dated", "dates": ["2025-late"], "lang": "de"},
    ]
    results: list[dict[str, Any]] = [
        {"matches": [{"watch": "GPT-5"}], "signal": "dated", "dates": ["2025-08"], "alert": True},
        {"matches": [{"watch": "Microsoft Build"}], "signal": "mention", "dates": ["2024"]},
        {"matches": [], "signal": None, "dates": [], "alert": False},
        {"matches": [{"watch": "GTA 6"}], "signal": "dated", "dates": ["2025-fall"], "alert": True},
    ]
    figures = score(items, results)
    assert figures["term_precision"] == 2 / 3
    assert figures["term_recall"] == 2 / 3
    assert figures["alert_precision"] == 1.0
    assert figures["alert_recall"] == 2 / 3
    assert figures["signal_accuracy"] == 2 / 3
    assert figures["dates_found_en_fr"] == 1.0
    assert figures["dates_found_other"] == 1.0, "fall and late are one window (data README)"
    assert figures["dates_not_its_own"] == 1 / 3


@pytest.mark.slow
@pytest.mark.skipif(not DEV_SET.exists(), reason=f"no dev set at {DEV_SET}")
def test_dev_set_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    items = load(DEV_SET)
    figures = score(items, scan_json(tmp_path, items))
    with capsys.disabled():
        report("signals dev set (monitor scan --json)", figures)
    failing = {k: figures[k] for k, floor in THRESHOLDS.items() if figures[k] < floor}
    assert not failing, f"under the floor: {failing} (floors: {THRESHOLDS})"


@pytest.mark.slow
@pytest.mark.skipif(not all(f.exists() for f in DEV_FILES), reason="no labelled data")
def test_held_out_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    items = [item for f in DEV_FILES for item in load(f) if held_out(item["id"])]
    assert len(items) > 80, "the held-out third"
    figures = score(items, scan_json(tmp_path, items))
    with capsys.disabled():
        report(f"held-out third ({len(items)} items, monitor scan --json)", figures)
    failing = {k: figures[k] for k, floor in HELD_OUT_FLOORS.items() if figures[k] < floor}
    assert not failing, f"under the floor: {failing} (floors: {HELD_OUT_FLOORS})"


@pytest.mark.skipif(not SEED.exists(), reason="no founding article")
def test_founding_story(tmp_path: Path) -> None:
    """SPEC: MAI-1 dated 2024-05-16, rumored, alert; matches for GPT-5, Build, gpt2-chatbot."""
    article = json.loads(SEED.read_text(encoding="utf-8"))
    [result] = scan_json(tmp_path, [article])
    watches = {m["watch"] for m in result["matches"]}
    assert watches == {"MAI-1", "GPT-5", "Microsoft Build", "gpt2-chatbot"}
    top = (result["signal"], result["rumored"], result["dates"], result["alert"])
    assert top == ("dated", True, ["2024-05-16"], True)
    mai = next(w for w in result["watches"] if w["watch"] == "MAI-1")
    assert (mai["signal"], mai["rumored"], mai["dates"], mai["alert"]) == top
    assert "16 mai" in mai["evidence"] and mai["why"] == "dated 2024-05-16 (rumored)"
