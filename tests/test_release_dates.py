"""find_dates: a table of expressions in several languages, and a fuzz test."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.release_dates import DateMention, find_dates

CASES: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "data" / "release_dates.yaml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", CASES, ids=[c["text"] for c in CASES])
def test_find_dates(case: dict[str, Any]) -> None:
    found = find_dates(case["text"], case["ref"])
    assert [m.value for m in found] == [str(v) for v in case["want"]]


def test_spans_index_the_text() -> None:
    text = "Build runs from May 7th to May 9th, then GPT-5 ships next week."
    found = find_dates(text, date(2024, 2, 8))
    assert found == [
        DateMention(16, 34, "2024-05-07/2024-05-09", "May 7th to May 9th"),
        DateMention(53, 62, "2024-W07", "next week"),
    ]
    for mention in found:
        assert text[mention.start : mention.end] == mention.text


def test_default_year_replaces_the_guess() -> None:
    # "Build 2026 ... opens June 2" read in November 2026: June 2 of 2026, not 2027.
    assert [m.value for m in find_dates("opens June 2", date(2026, 11, 28))] == ["2027-06-02"]
    found = find_dates("opens June 2", date(2026, 11, 28), default_year=2026)
    assert [m.value for m in found] == ["2026-06-02"]


def test_a_date_is_one_mention_not_several() -> None:
    found = find_dates("du 21 au 23 mai 2024", date(2024, 1, 1))
    assert [m.value for m in found] == ["2024-05-21/2024-05-23"]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.dates(min_value=date(1901, 1, 1), max_value=date(2098, 12, 31)))
def test_never_raises(text: str, reference: date) -> None:
    for mention in find_dates(text, reference):
        assert 0 <= mention.start < mention.end <= len(text)
        assert mention.value


_WORD_LIST = (
    "May mai 16 2024 - to au du next prochain last dernier Thursday jeudi in en early "
    "fin Q3 H2 summer été week semaine month mois 31 février 29 février 0 99 tot en met "
    "8月 十二月 年 日 , . the of de hier demain today W53 2024-W53 2024-02-30"
)
_WORDS = st.sampled_from(_WORD_LIST.split())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_WORDS, max_size=12),
    st.dates(min_value=date(1901, 1, 1), max_value=date(2098, 12, 31)),
)
def test_never_raises_on_date_like_words(words: list[str], reference: date) -> None:
    text = " ".join(words)
    for mention in find_dates(text, reference):
        assert text[mention.start : mention.end] == mention.text


def test_within_limits_the_search_to_spans() -> None:
    text = "Founded in March 2019. The launch is set for May 16, 2024."
    second = text.index("The")
    everywhere = find_dates(text, date(2024, 5, 7))
    assert [m.value for m in everywhere] == ["2019-03", "2024-05-16"]
    only_second = find_dates(text, date(2024, 5, 7), within=[(second, len(text))])
    assert [m.value for m in only_second] == ["2024-05-16"]
    assert find_dates(text, date(2024, 5, 7), within=[]) == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_WORDS, max_size=20),
    st.dates(min_value=date(1901, 1, 1), max_value=date(2098, 12, 31)),
)
def test_within_the_whole_text_is_the_whole_search(words: list[str], reference: date) -> None:
    text = " ".join(words)
    assert find_dates(text, reference, within=[(0, len(text))]) == find_dates(text, reference)
