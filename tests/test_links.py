"""canonical_url: one key per story, whatever decorates its URL."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.links import canonical_url, without_tracking

CASES = [
    ("HTTPS://WWW.Example.ORG/a/b", "https://example.org/a/b"),
    ("http://example.org:80/a", "http://example.org/a"),
    ("https://example.org:443/a", "https://example.org/a"),
    ("https://example.org:8443/a", "https://example.org:8443/a"),
    ("https://m.example.org/a", "https://example.org/a"),
    ("https://mobile.example.org/a", "https://example.org/a"),
    ("https://amp.example.org/a", "https://example.org/a"),
    ("https://www.m.example.org/a", "https://example.org/a"),
    ("https://m.co/a", "https://m.co/a"),
    ("https://example.org/amp/2024/05/story", "https://example.org/2024/05/story"),
    ("https://example.org/2024/05/story/amp", "https://example.org/2024/05/story"),
    ("https://example.org/2024/05/story/amp/", "https://example.org/2024/05/story"),
    ("https://example.org/story.amp", "https://example.org/story"),
    ("https://example.org/story.amp.html", "https://example.org/story.html"),
    ("https://example.org/story?amp=1", "https://example.org/story"),
    ("https://example.org/story?outputType=amp", "https://example.org/story"),
    ("https://example.org/story?amp", "https://example.org/story"),
    ("https://example.org/story#comments", "https://example.org/story"),
    ("https://example.org/story/", "https://example.org/story"),
    ("https://example.org/", "https://example.org/"),
    ("https://example.org", "https://example.org/"),
    (
        "https://example.org/s?utm_source=rss&utm_medium=feed&UTM_Campaign=x&id=3",
        "https://example.org/s?id=3",
    ),
    (
        "https://example.org/s?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&ref=5&ref_src=6",
        "https://example.org/s",
    ),
    (
        "https://example.org/s?igshid=1&cmpid=2&ocid=3&taid=4&smid=5&_hsenc=6&_hsmi=7",
        "https://example.org/s",
    ),
    ("https://example.org/s?b=2&a=1&c=", "https://example.org/s?a=1&b=2&c="),
    ("https://user:secret@example.org/s", "https://example.org/s"),
    ("https://example.org/A/Case", "https://example.org/A/Case"),
    ("https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x"),
    ("  https://example.org/x  ", "https://example.org/x"),
    ("not a url", "not a url"),
    ("/relative/path", "/relative/path"),
    ("http://example.org:99999/x", "http://example.org:99999/x"),
]


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_decorated_variants_of_one_story_share_a_key() -> None:
    variants = [
        "https://www.example.org/tech/gpt-5-launch",
        "https://example.org/tech/gpt-5-launch/",
        "https://m.example.org/tech/gpt-5-launch?utm_source=twitter",
        "https://amp.example.org/amp/tech/gpt-5-launch?amp=1#top",
        "HTTPS://EXAMPLE.ORG:443/tech/gpt-5-launch?fbclid=abc",
    ]
    assert len({canonical_url(v) for v in variants}) == 1


def test_different_stories_keep_different_keys() -> None:
    a = canonical_url("https://example.org/story?id=1&utm_source=x")
    b = canonical_url("https://example.org/story?id=2&utm_source=x")
    assert a != b


@given(st.text(max_size=200))
def test_never_raises_and_is_idempotent(text: str) -> None:
    once = canonical_url(text)
    assert canonical_url(once) == once


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://a.example/x?utm_source=rss&utm_medium=feed", "https://a.example/x"),
        ("https://a.example/x?id=7&fbclid=abc&b=%20c#top", "https://a.example/x?id=7&b=%20c#top"),
        ("https://www.a.example/amp/x/?utm_campaign=y", "https://www.a.example/amp/x/"),
        ("https://a.example/x?q=1", "https://a.example/x?q=1"),
        ("not a url", "not a url"),
    ],
)
def test_links_shown_in_alerts_lose_only_tracking_parameters(url: str, shown: str) -> None:
    assert without_tracking(url) == shown
