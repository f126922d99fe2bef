"""classify and strongest: a table of hand-written items, plus the rules one by one."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.model import Classification, Match, Signal
from monitor.signals import classify, strongest
from monitor.signals.cues import LEXICON
from monitor.signals.date_values import narrowest
from monitor.signals.sentences import split_sentences

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "data" / "signals.yaml").read_text(encoding="utf-8")
)


def document(title: str, summary: str | None) -> str:
    return f"{title}\n\n{summary}" if summary else title


def find_matches(text: str, terms: dict[str, list[str]]) -> list[Match]:
    found = [
        Match(watch, term, m.start(), m.end())
        for watch, words in terms.items()
        for term in words
        for m in re.finditer(re.escape(term), text)
    ]
    return sorted(found, key=lambda m: m.start)


def published(value: date | None) -> datetime | None:
    if value is None:
        return None
    return datetime(value.year, value.month, value.day, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_classify(case: dict[str, Any]) -> None:
    text = document(case["title"], case.get("summary"))
    matches = find_matches(text, case["terms"])
    assert {m.watch for m in matches} == set(case["terms"]), "a term is missing from the text"
    result = classify(text, matches, published(case["published"]), case.get("lang"))
    assert set(result) == set(case["terms"])
    for watch, want in (case.get("expect") or {}).items():
        got = result[watch]
        if "signal" in want:
            assert got.signal == Signal(want["signal"]), got
        if "rumored" in want:
            assert got.rumored is want["rumored"], got
        if "dates" in want:
            assert list(got.dates) == [str(d) for d in want["dates"]], got
        if "evidence" in want:
            assert got.evidence == want["evidence"]
        assert got.evidence, "every classification says why"
    for watch, forbidden in (case.get("signal_not") or {}).items():
        assert result[watch].signal.value not in forbidden, result[watch]


def test_no_matches_no_classifications() -> None:
    assert classify("OpenAI launches a model today", [], None) == {}


def test_evidence_comes_from_the_callers_text() -> None:
    text = "OpenAI’s GPT‑5 is here"  # curly apostrophe and non-breaking hyphen
    start = text.index("GPT")
    result = classify(text, [Match("GPT-5", "GPT-5", start, start + 5)], None)
    assert result["GPT-5"].signal is Signal.RELEASED
    assert result["GPT-5"].evidence == text


def test_unknown_publication_date_resolves_against_today() -> None:
    text = "OpenAI will launch Contoso-9 tomorrow"
    start = text.index("Contoso-9")
    result = classify(text, [Match("Contoso-9", "Contoso-9", start, start + 9)], None)
    tomorrow = datetime.now(UTC).date().toordinal() + 1
    assert result["Contoso-9"].signal is Signal.DATED
    assert result["Contoso-9"].dates == (date.fromordinal(tomorrow).isoformat(),)


def test_naive_publication_date_is_taken_as_utc() -> None:
    text = "OpenAI will launch Contoso-9 tomorrow"
    start = text.index("Contoso-9")
    matches = [Match("Contoso-9", "Contoso-9", start, start + 9)]
    aware = classify(text, matches, datetime(2025, 1, 1, 12, tzinfo=UTC))
    assert aware["Contoso-9"].dates == ("2025-01-02",)


def test_strongest_prefers_rank_then_dates() -> None:
    mention = Classification(Signal.MENTION)
    rumor = Classification(Signal.RUMOR, rumored=True)
    dated = Classification(Signal.DATED, dates=("2025-08",))
    dated_without = Classification(Signal.DATED)
    assert strongest({}) is None
    assert strongest({"a": mention, "b": rumor}) == rumor
    assert strongest({"a": dated_without, "b": dated, "c": rumor}) == dated
    released = Classification(Signal.RELEASED)
    assert strongest({"a": released, "b": dated}) == released


_WORD_LIST = (
    "GPT-5 Build MAI-1 launches launched will release may could reportedly not no selon "
    "pourrait le 16 mai May 16 next week it It the model conference , . ; — - ( ) : "
    "unlike than and et de of at on today demain Thursday jeudi 2025 Q3 summer été"
)
_WORDS = st.sampled_from(_WORD_LIST.split())


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=30), st.booleans())
def test_classify_never_raises(words: list[str], with_date: bool) -> None:
    text = " ".join(words)
    matches = find_matches(text, {"GPT-5": ["GPT-5"], "Build": ["Build"], "MAI-1": ["MAI-1"]})
    when = datetime(2024, 5, 7, tzinfo=UTC) if with_date else None
    result = classify(text, matches, when)
    assert set(result) == {m.watch for m in matches}
    for classification in result.values():
        if classification.signal is Signal.MENTION:
            assert classification.dates == ()


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_classify_never_raises_on_any_text(text: str) -> None:
    matches = [Match("X", text[:3], 0, min(3, len(text)))] if text else []
    classify(text, matches, None)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=40), st.data())
def test_cues_looked_up_in_spans_are_the_cues_of_the_whole_text_there(
    words: list[str], data: st.DataObject
) -> None:
    text = " ".join(words)
    lowered = text.lower()
    cut = data.draw(st.integers(0, len(text)))
    cut = text.rfind(" ", 0, cut) + 1  # spans start at a word, as sentences do
    spans = [(cut, len(text))]
    everywhere = [h for h in LEXICON.find(lowered, text) if h.start >= cut]
    assert LEXICON.find(lowered, text, spans) == everywhere


def test_denial_voids_only_its_own_clause() -> None:
    text = "Microsoft denies the MAI-1 report; MAI-1 ships on June 3, it says"
    matches = find_matches(text, {"MAI-1": ["MAI-1"]})
    result = classify(text, matches, datetime(2025, 5, 7, tzinfo=UTC))
    assert result["MAI-1"].signal is Signal.DATED
    assert result["MAI-1"].dates == ("2025-06-03",)


@pytest.mark.parametrize(
    ("values", "kept"),
    [
        (("2027", "2027"), ("2027",)),  # said twice, one date
        (("2026-06-02/2026-06-04", "2026"), ("2026-06-02/2026-06-04",)),  # the days, not the year
        (("2025-late", "2027"), ("2025-late", "2027")),  # neither holds the other
        (("2025-09", "2025-09-19"), ("2025-09-19",)),
    ],
)
def test_narrowest_keeps_the_finest_distinct_values(
    values: tuple[str, ...], kept: tuple[str, ...]
) -> None:
    assert narrowest(values) == kept


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("Acme ships Zephyr for PlayStation 5. The game is out.", 2),  # a number ends one
        ("Mr. Doe and J. Smith met the U.S. team.", 1),  # abbreviations and initials do not
        ("Die Konsole erscheint am 5. Juni 2025 in Europa.", 1),  # a German ordinal day
        ("It costs 3.5 dollars. It is out.", 2),
    ],
)
def test_sentences_end_where_a_reader_would_end_them(text: str, pieces: int) -> None:
    assert len(split_sentences(text, [])) == pieces
