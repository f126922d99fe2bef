"""Alert decisions: first alert, escalation, new or changed dates, silence otherwise."""

from __future__ import annotations

from monitor.alerting import Prior, decide, headline
from monitor.model import Classification, Signal
from monitor.watchlist import DEFAULT_ALERT_ON

RUMOR = Classification(Signal.RUMOR, rumored=True)
DATED_JUNE = Classification(Signal.DATED, rumored=True, dates=("2025-06",))
DATED_AUG = Classification(Signal.DATED, rumored=True, dates=("2025-08-07",))
RELEASED = Classification(Signal.RELEASED)


def test_first_alert_of_a_story() -> None:
    decision = decide("GPT-5", DATED_JUNE, DEFAULT_ALERT_ON, [])
    assert decision is not None and decision.change is None


def test_a_mention_does_not_alert_by_default() -> None:
    assert decide("GPT-5", Classification(Signal.MENTION), DEFAULT_ALERT_ON, []) is None


def test_the_same_signal_again_is_silent() -> None:
    assert decide("GPT-5", RUMOR, DEFAULT_ALERT_ON, [Prior(Signal.RUMOR, ())]) is None
    assert (
        decide("GPT-5", DATED_JUNE, DEFAULT_ALERT_ON, [Prior(Signal.DATED, ("2025-06",))]) is None
    )


def test_escalation_alerts_and_says_what_changed() -> None:
    decision = decide("GPT-5", RELEASED, DEFAULT_ALERT_ON, [Prior(Signal.RUMOR, ())])
    assert decision is not None
    assert decision.change == "GPT-5: rumor → released"


def test_a_weaker_signal_never_alerts_again() -> None:
    assert decide("GPT-5", RUMOR, DEFAULT_ALERT_ON, [Prior(Signal.RELEASED, ())]) is None


def test_a_moved_date_alerts_with_old_and_new() -> None:
    decision = decide("GPT-5", DATED_AUG, DEFAULT_ALERT_ON, [Prior(Signal.DATED, ("2025-06",))])
    assert decision is not None
    assert decision.change == "GPT-5: date moved from 2025-06 to 2025-08-07"
    assert decision.change_key == "dated|2025-08-07"


def test_headlines() -> None:
    assert (
        headline("MAI-1", Signal.DATED, True, ["2024-05-16"], False)
        == "MAI-1: rumored date 2024-05-16"
    )
    assert headline("GPT-5", Signal.RELEASED, False, [], True) == "GPT-5: released"
    assert (
        headline("GPT-5", Signal.DATED, False, ["2025-08-07"], True)
        == "GPT-5: confirmed date 2025-08-07"
    )
