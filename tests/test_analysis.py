"""The decision per watch that run, scan and replay share (``monitor.analysis``), on a real
watchlist file: which watches an item names, their signal, and why they alert or not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.analysis import Rules, analyse
from monitor.model import Item, Signal
from monitor.watchlist import load_watchlists

WATCHLIST = """\
watches:
  - name: Zephyr 3
    terms: [Zephyr 3]
  - name: Orion-5
    terms: [Orion-5]
    alert_on: [released]
"""
NOW = datetime(2025, 6, 10, 12, tzinfo=UTC)


@pytest.fixture
def rules(tmp_path: Path) -> Rules:
    path = tmp_path / "watches.yaml"
    path.write_text(WATCHLIST, encoding="utf-8")
    return Rules.build(load_watchlists([path]), ("chat",))


def item(title: str, *, published: datetime = NOW, summary: str = "") -> Item:
    return Item(key=title, title=title, summary=summary, published=published)


def test_one_decision_per_matched_watch_in_the_order_they_appear(rules: Rules) -> None:
    analysis = analyse(item("Orion-5 is out today, and Zephyr 3 arrives on July 1"), rules)
    assert [d.watch for d in analysis.decisions] == ["Orion-5", "Zephyr 3"]
    orion, zephyr = analysis.decisions
    assert (orion.signal, orion.alert, orion.why) == (Signal.RELEASED, True, "released 2025-06-10")
    assert (zephyr.signal, zephyr.dates, zephyr.alert) == (Signal.DATED, ("2025-07-01",), True)
    assert analysis.strongest() is orion and analysis.alerting() == [orion, zephyr]


def test_a_signal_outside_alert_on_is_decided_but_does_not_alert(rules: Rules) -> None:
    [decision] = analyse(item("Orion-5 is expected on July 1, sources say"), rules).decisions
    assert (decision.signal, decision.rumored, decision.alert) == (Signal.DATED, True, False)
    assert decision.why == "dated 2025-07-01 (rumored): signal not in alert_on"


def test_a_mention_says_so(rules: Rules) -> None:
    [decision] = analyse(item("How to reset a Zephyr 3"), rules).decisions
    assert (decision.signal, decision.alert, decision.why) == (
        Signal.MENTION,
        False,
        "mention only",
    )


def test_an_old_item_is_held_back_only_with_a_max_age(rules: Rules) -> None:
    old = item("Zephyr 3 is available today", published=NOW - timedelta(days=30))
    [kept] = analyse(old, rules).decisions
    assert kept.alert  # scan reads content whatever its age
    [held] = analyse(old, rules, now=NOW, max_age=timedelta(days=7).total_seconds()).decisions
    assert (held.alert, held.why) == (False, "released 2025-05-11: older than max_age")


def test_an_official_feed_confirms_its_own_dates(rules: Rules) -> None:
    text = "Zephyr 3 is expected on July 1, according to people familiar with the plans"
    [reported] = analyse(item(text), rules).decisions
    [official] = analyse(item(text), rules, official=True).decisions
    assert reported.rumored and not official.rumored
    assert official.why == "dated 2025-07-01"


def test_an_item_naming_no_watch_has_no_decision(rules: Rules) -> None:
    analysis = analyse(item("Contoso reports quarterly earnings"), rules)
    assert (analysis.matches, analysis.decisions, analysis.strongest()) == ((), (), None)


def test_the_json_of_a_decision_is_scans(rules: Rules) -> None:
    [decision] = analyse(item("Zephyr 3 arrives on July 1"), rules).decisions
    assert decision.as_json() == {
        "watch": "Zephyr 3",
        "signal": "dated",
        "rumored": False,
        "dates": ["2025-07-01"],
        "evidence": "Zephyr 3 arrives on July 1",
        "alert": True,
        "why": "dated 2025-07-01",
    }


def test_em_dashes_written_without_spaces_still_break_the_clause(rules: Rules) -> None:
    # with the dash read as a hyphen, "July—and" would be one word and the date lost
    title = "The debut of Zephyr 3—widely expected as early as July—and what it means for phones"
    [decision] = analyse(item(title), rules).decisions
    assert (decision.signal, decision.dates) == (Signal.DATED, ("2025-07",))
    assert "Zephyr 3 - widely expected as early as July" in decision.evidence
