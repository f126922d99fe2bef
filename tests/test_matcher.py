from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.matcher import Matcher
from monitor.model import Item, Match
from monitor.normalize import document_text, normalize
from monitor.watchlist import Context, Term, Watch, load_watchlists

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT.parent / "shared" / "data" / "hostile"
BUNDLED = load_watchlists([ROOT / "watchlists"])
MATCHER = Matcher(BUNDLED.watches)


def watch(name: str, *terms: str, **options: object) -> Watch:
    return Watch(name=name, terms=tuple(Term(t) for t in terms), **options)  # type: ignore[arg-type]


def names(text: str, matcher: Matcher = MATCHER) -> set[str]:
    return {m.watch for m in matcher.match(normalize(text))}


# --- the evasion fixture: every row ---------------------------------------------------


def _expectation_rows() -> list[object]:
    expectations = HOSTILE / "watchterm_expectations.json"
    feed = HOSTILE / "watchterm_evasion.xml"
    if not expectations.exists() or not feed.exists():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason="shared data absent"))]
    import feedparser

    titles = {e.id: e.title for e in feedparser.parse(io.BytesIO(feed.read_bytes())).entries}
    cases = json.loads(expectations.read_text(encoding="utf-8"))["cases"]
    return [pytest.param(titles[case["guid"]], case, id=case["guid"]) for case in cases]


@pytest.mark.parametrize(("title", "case"), _expectation_rows())
def test_watchterm_expectations(title: str, case: dict[str, object]) -> None:
    matcher = Matcher([w for w in BUNDLED if w.name in ("GPT-5", "MAI-1")])
    text = document_text(Item(key=str(case["guid"]), title=title))
    matches = matcher.match(text)
    for name in ("GPT-5", "MAI-1"):
        assert any(m.watch == name for m in matches) is case[name], (case["note"], text, matches)
    for m in matches:  # spans index the document text and cover the term's letters
        assert normalize(text[m.start : m.end]).casefold().replace(" ", "").replace("-", "") in {
            "gpt5",
            "mai1",
            "gptfive",
        }


def test_evasion_spans_point_at_the_right_token() -> None:
    text = document_text(Item(key="k", title="GPT-50 is not GPT-5"))
    assert MATCHER.match(text) == [Match("GPT-5", "GPT-5", 14, 19)]


# --- boundaries -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "GPT-5's launch",
        "GPT-5’s launch",
        "(GPT-5)",
        "[GPT-5]",
        "#GPT5 trending",
        "@GPT-5",
        "«GPT-5»",
        '"GPT-5"',
        "GPT-5, then",
        "It is GPT-5.",
        "It is GPT-5. 1 more",
        "Is it GPT-5?",
        "GPT-5!",
        "GPT-5: the review",
        "GPT-5/GPT-4",
        "GPT-5-mini is out",
        "gpt-5 lowercase",
        "GPT-5\nnext line",
        "https://example.org/gpt-5/review",
    ],
)
def test_gpt5_matches_next_to_punctuation(text: str) -> None:
    assert names(text) == {"GPT-5"}


@pytest.mark.parametrize(
    "text",
    [
        "GPT-50 announced",
        "GPT-5o preview",
        "ChatGPT-5o? no",
        "GPT-5.1 is out",
        "GPT-5.5 later",
        "GPT-5,5 en français",
        "GPT-4o and GPT-4",
        "GPT-55",
        "XGPT-5",
        "GPT_5",
        "G P T - 5 spaced out",
        "GPT-5\u0301 with a combining accent",
    ],
)
def test_gpt5_never_matches_inside_a_longer_token(text: str) -> None:
    assert "GPT-5" not in names(text)


def test_chatgpt_5_is_an_alias_not_a_match_inside_a_token() -> None:
    """The term GPT-5 never hits inside "ChatGPT-5"; the watchlist's alias ChatGPT-5 does."""
    [hit] = MATCHER.match(normalize("ChatGPT-5 rumour"))
    assert (hit.watch, hit.term, hit.start) == ("GPT-5", "ChatGPT-5", 0)
    plain = Matcher([watch("GPT-5", "GPT-5")])
    assert names("ChatGPT-5 rumour", plain) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Microsoft trains MAI-1", True),
        ("MAI-1-preview lands", True),
        ("(MAI-1), a 500B model", True),
        ("MAI\u20111 with a non-breaking hyphen", True),
        ("MAIN-1", False),
        ("MAI-10", False),
        ("MAI-Image-1", False),
        ("MAI-Voice-1", False),
        ("MAI-DS-R1", False),
        ("mai-1 lowercase", False),  # case-sensitive watch
        ("Mai-1", False),
    ],
)
def test_mai1_sense(text: str, expected: bool) -> None:
    assert ("MAI-1" in names(text)) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gpt2-chatbot returns to the arena", True),
        ("the GPT2-Chatbot mystery", True),
        ("A mysterious gpt2 chatbot", True),
        ("des « GPT-2 chatbots » apparaissent et disparaissent", True),
        ("im-a-good-gpt2-chatbot and im-also-a-good-gpt2-chatbot", True),
        ("gpt2-chatbots", True),
        ("les mystérieux chatbots GPT-2 ont disparu", True),
        ("GPT-2 was released in 2019", False),
        ("gpt2-chatbotx", False),
    ],
)
def test_gpt2_chatbot_variants(text: str, expected: bool) -> None:
    assert ("gpt2-chatbot" in names(text)) is expected


# --- sense: Build the conference, not the verb ----------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Microsoft Build 2024: what to expect", True),
        ("Copilot news from Build, Microsoft's developer conference", True),
        ("Microsoft unveils Copilot+ PCs ahead of Build", True),
        ("Build 2024 keynote recap", True),
        ("Satya Nadella opens Build in Seattle", True),
        ("MAI-1 could be previewed at Build on May 16, according to Microsoft", True),
        ("How to build a REST API in Go", False),
        ("Build your own chatbot with Python", False),
        ("Microsoft will Build a new datacenter", False),
        ("Developers want to Build apps faster with Microsoft tools", False),
        ("Build failed: fix the CI pipeline", False),
        ("Build times doubled after the upgrade, engineers said at a conference", False),
        # French
        (
            "nous pourrions avoir un aperçu de MAI-1 le 16 mai, lors de la conférence Build",
            True,
        ),
        ("Microsoft dévoilera ses annonces à Build, sa conférence pour développeurs", True),
        ("La Build de Microsoft se tiendra à Seattle", True),
        ("Comment build un projet Rust avec cargo", False),
        ("Build : les erreurs de compilation les plus fréquentes", False),
    ],
)
def test_build_sense_en_fr(text: str, expected: bool) -> None:
    assert ("Microsoft Build" in names(text)) is expected


def test_french_story_from_the_spec() -> None:
    item = Item(
        key="k",
        title="Microsoft prépare MAI-1, un modèle de 500 milliards de paramètres",
        summary=(
            "<p>Selon The Information, nous pourrions avoir un aperçu de MAI-1 le 16&nbsp;mai, "
            "lors de la conférence Build. OpenAI pourrait lancer GPT\u20115 et de mystérieux "
            "« GPT-2 chatbots » apparaissent puis disparaissent.</p>"
        ),
    )
    text = document_text(item)
    matches = MATCHER.match(text)
    assert [m.watch for m in matches] == [
        "MAI-1",
        "MAI-1",
        "Microsoft Build",
        "GPT-5",
        "gpt2-chatbot",
    ]
    for m in matches:
        assert m.span == (m.start, m.end)
        assert normalize(m.term).casefold() == text[m.start : m.end].casefold()


# --- rules ----------------------------------------------------------------------------


def test_every_occurrence_of_every_watch_sorted_by_start() -> None:
    matcher = Matcher([watch("B", "beta"), watch("A", "alpha", "alpha beta")])
    text = "beta then alpha beta and alpha"
    assert matcher.match(text) == [
        Match("B", "beta", 0, 4),
        Match("A", "alpha beta", 10, 20),
        Match("B", "beta", 16, 20),
        Match("A", "alpha", 25, 30),
    ]


def test_same_term_in_two_watches_matches_both() -> None:
    matcher = Matcher([watch("one", "GPT-5"), watch("two", "gpt-5")])
    assert [m.watch for m in matcher.match("GPT-5")] == ["one", "two"]


def test_term_is_reported_as_written() -> None:
    matcher = Matcher([watch("G", "GPT\u20115")])
    assert matcher.match("gpt-5") == [Match("G", "GPT\u20115", 0, 5)]


def test_case_sensitive_watch_needs_exact_case() -> None:
    matcher = Matcher([watch("B", "Build", case_sensitive=True), watch("b", "build")])
    assert [m.watch for m in matcher.match("Build")] == ["B", "b"]
    assert [m.watch for m in matcher.match("build")] == ["b"]
    assert [m.watch for m in matcher.match("BUILD")] == ["b"]


def test_case_sensitive_watch_matches_its_capitals_in_a_shouted_line() -> None:
    matcher = Matcher([watch("B", "Build", case_sensitive=True)])
    shouted = "MICROSOFT BUILD 2024 KICKS OFF IN SEATTLE"
    assert [(m.term, shouted[m.start : m.end]) for m in matcher.match(shouted)] == [
        ("Build", "BUILD")
    ]
    # only the shouted line: the lede below keeps its case rule
    text = f"{shouted}\n\nHow to BUILD a feed reader, and what to build next."
    assert [(m.start, m.end) for m in matcher.match(text)] == [(10, 15)]
    assert matcher.match("How to BUILD things") == []  # a capitalised word in a normal line
    assert matcher.match("BUILD 2024") == []  # too short to tell shouting from an acronym
    assert matcher.match("BUILDS AND REBUILD ARE NOT IT") == []  # boundaries still apply


def test_case_folding_that_changes_length_keeps_original_spans() -> None:
    matcher = Matcher([watch("street", "Straße"), watch("gpt", "GPT-5")])
    text = "İİ STRASSE ß Straße ﬃ GPT-5"
    matches = matcher.match(text)
    assert [(m.watch, text[m.start : m.end]) for m in matches] == [
        ("street", "STRASSE"),
        ("street", "Straße"),
        ("gpt", "GPT-5"),
    ]


def test_partial_folded_character_is_not_a_hit() -> None:
    matcher = Matcher([watch("s", "s ss"), watch("x", "sx")])
    assert matcher.match("ßx") == []  # "ß" folds to "ss": no hit may start inside it


def test_exclude_vetoes_only_overlapping_hits() -> None:
    matcher = Matcher([watch("A", "Apple", exclude=(Term("Apple pie"), Term("Big Apple")))])
    text = "Apple pie, the Big Apple, and Apple the company"
    assert [(m.start, m.end) for m in matcher.match(text)] == [(30, 35)]


def test_exclude_regex() -> None:
    excl = (Term(r"\bto Build\b", regex=True),)
    matcher = Matcher([watch("B", "Build", case_sensitive=True, exclude=excl)])
    assert matcher.match("how to Build it") == []
    assert len(matcher.match("at Build it")) == 1


def test_context_within_counts_words_between() -> None:
    matcher = Matcher([watch("B", "Build", context=Context(words=(Term("Microsoft"),), within=2))])
    assert matcher.match("Microsoft Build")
    assert matcher.match("Build by Microsoft")
    assert matcher.match("Microsoft , — Build")  # punctuation is not a word
    assert matcher.match("Microsoft one two Build")
    assert not matcher.match("Microsoft one two three Build")
    assert matcher.match("Build one two Microsoft's")
    assert not matcher.match("Build one two three Microsoft")
    assert not matcher.match("Build")


def test_context_word_inside_the_hit_counts() -> None:
    ctx = Context(words=(Term("Microsoft"),), within=0)
    matcher = Matcher([watch("B", "Microsoft Build", "Build", context=ctx)])
    assert [m.term for m in matcher.match("Microsoft Build")] == ["Microsoft Build"]
    assert matcher.match("the Build") == []


def test_context_words_ignore_case_and_accept_regex() -> None:
    ctx = Context(words=(Term("CONFÉRENCE"), Term(r"\b20\d\d\b", regex=True)), within=1)
    matcher = Matcher([watch("B", "Build", case_sensitive=True, context=ctx)])
    assert matcher.match("la conférence Build")
    assert matcher.match("Build 2025")
    assert not matcher.match("Build it")


def test_regex_terms() -> None:
    regex = Term(r"GPT-?5(?:-mini)?", regex=True)
    matcher = Matcher([Watch(name="R", terms=(regex,))])
    assert matcher.match("gpt5-mini and GPT-5") == [
        Match("R", regex.text, 0, 9),
        Match("R", regex.text, 14, 19),
    ]
    sensitive = Matcher([Watch(name="R", terms=(regex,), case_sensitive=True)])
    assert [m.start for m in sensitive.match("gpt5-mini and GPT-5")] == [14]


def test_overlapping_hits_of_one_watch_collapse_to_the_longest() -> None:
    matcher = Matcher([watch("M", "MAI-1", "MAI-1-preview", case_sensitive=True)])
    assert matcher.match("MAI-1-preview") == [Match("M", "MAI-1-preview", 0, 13)]


def test_language_filter() -> None:
    matcher = Matcher([watch("en", "GPT-5", languages=("en",)), watch("any", "GPT-5")])
    assert [m.watch for m in matcher.match("GPT-5", language="fr")] == ["any"]
    assert [m.watch for m in matcher.match("GPT-5", language="en-GB")] == ["en", "any"]
    assert [m.watch for m in matcher.match("GPT-5")] == ["en", "any"]


def test_empty_inputs() -> None:
    assert Matcher([]).match("GPT-5") == []
    assert MATCHER.match("") == []
    assert len(Matcher([watch("a", "x", "X", "x")])) == 1  # one pattern after folding


def test_terms_are_normalised_like_text() -> None:
    matcher = Matcher([watch("A", "ＭＡＩ\u00ad－１", case_sensitive=True)])
    assert matcher.match("MAI-1") == [Match("A", "ＭＡＩ\u00ad－１", 0, 5)]


def test_build_of_10000_terms_is_fast() -> None:
    watches = [watch(f"w{i}", f"Product-{i}", f"Prod {i}x") for i in range(5000)]
    started = time.process_time()  # CPU time: a busy machine does not make it fail
    matcher = Matcher(watches)
    elapsed = time.process_time() - started
    assert len(matcher) == 10_000
    assert elapsed < 2.0  # the benchmark holds the 100 ms target; this guards against blowups
    assert [m.watch for m in matcher.match("Product-4999 and Product-49990")] == ["w4999"]


# --- properties -----------------------------------------------------------------------

INVISIBLE = st.sampled_from(["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
DASHES = st.sampled_from(["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2212"])
SPACES = st.sampled_from([" ", "\u00a0", "\u202f", "\u2007", "\u3000", " \u00a0"])
TERMS = st.one_of(
    st.sampled_from(["GPT-5", "MAI-1", "gpt2-chatbot", "Microsoft Build", "GPT-2 chatbot"]),
    st.from_regex(r"[A-Za-z]{2,6}(?:[- ][A-Za-z0-9]{1,4}){0,2}", fullmatch=True),
)
SAFE_LEFT = st.sampled_from(["", "news: ", "(", "#", "« ", "the ", "\n"])
SAFE_RIGHT = st.sampled_from(["", " today", ")", "'s plan", ". Next", ", then", "!", " »"])


@st.composite
def disguised(draw: st.DrawFn, term: str) -> str:
    out = []
    for char in term:
        if char == "-":
            char = draw(DASHES)
        elif char == " ":
            char = draw(SPACES)
        elif char.isalpha() and draw(st.booleans()):
            char = char.swapcase()
        out.append(char)
        out.extend(draw(st.lists(INVISIBLE, max_size=2)))
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(st.data(), TERMS, SAFE_LEFT, SAFE_RIGHT)
def test_typography_inside_a_term_never_loses_the_match(
    data: st.DataObject, term: str, left: str, right: str
) -> None:
    matcher = Matcher([watch("W", term)])
    text = left + data.draw(disguised(term)) + right
    normalised = document_text(Item(key="k", title="x", summary=text))
    matches = matcher.match(normalised)
    assert matches, (term, text, normalised)
    (hit,) = matches
    assert normalised[hit.start : hit.end].casefold() == normalize(term).casefold()


@settings(max_examples=300, deadline=None)
@given(
    TERMS,
    st.sampled_from(["0", "5", "x", "é", "_", "\u0301", "o", ".1", ",5"]),
    st.sampled_from(["X", "Chat", "9", "é", "_"]),
    st.booleans(),
)
def test_a_term_never_matches_inside_a_longer_token(
    term: str, suffix: str, prefix: str, on_the_left: bool
) -> None:
    matcher = Matcher([watch("W", term)])
    text = normalize(f"see {prefix}{term} now" if on_the_left else f"see {term}{suffix} now")
    assert matcher.match(text) == [], text


def _naive(watches: list[Watch], text: str) -> list[Match]:
    """The obvious per-term regex loop, with the documented boundary and case rules."""
    found: list[tuple[int, int, int, str]] = []
    for index, w in enumerate(watches):
        hits = []
        for term in w.terms:
            norm = normalize(term.text)
            left = r"(?<![\w\u0300-\u036f])" if re.match(r"\w", norm) else ""
            right = r"(?![\w\u0300-\u036f]|[.,]\d)" if re.search(r"\w$", norm) else ""
            flags = 0 if w.case_sensitive else re.IGNORECASE
            regex = re.compile(left + re.escape(norm) + right, flags)
            variants = [regex]
            if w.case_sensitive and norm.upper() != norm and _all_caps_line(text):
                variants.append(re.compile(left + re.escape(norm.upper()) + right))
            for pattern in variants:
                # a term may overlap itself ("aa" in "aaa"): look again one character later
                start = 0
                while m := pattern.search(text, start):
                    hits.append((m.start(), m.end(), term.text))
                    start = m.start() + 1
        last = -1
        for s, e, t in sorted(hits, key=lambda h: (h[0], -h[1])):
            if s >= last:
                found.append((s, e, index, t))
                last = e
    found.sort(key=lambda f: (f[0], -f[1], f[2]))  # by start, longest first, watch order
    return [Match(watches[i].name, t, s, e) for s, e, i, t in found]


def _all_caps_line(text: str) -> bool:
    words = [word for word in text.split() if re.search(r"[^\W\d_]", word)]
    return text == text.upper() and "\n" not in text and len(words) >= 3


PIECES = st.sampled_from(
    ["gpt", "GPT", "5", "-", " ", "mai", "1", "10", ".", ",", "x", "ab", "aa", "é", "'", "_"]
)


def pieces(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.lists(PIECES, min_size=min_size, max_size=max_size).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(pieces(1, 4), min_size=1, max_size=3),
            st.booleans(),
        ),
        min_size=1,
        max_size=4,
    ),
    pieces(0, 30),
)
def test_matcher_agrees_with_a_naive_regex_loop(
    specs: list[tuple[list[str], bool]], raw_text: str
) -> None:
    watches = []
    for index, (terms, case_sensitive) in enumerate(specs):
        kept = [t for t in terms if normalize(t)]
        if kept:
            watches.append(watch(f"w{index}", *kept, case_sensitive=case_sensitive))
    text = normalize(raw_text)
    assert Matcher(watches).match(text) == _naive(watches, text)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text(alphabet="GPTMAI-15 .Build", max_size=20))
def test_match_never_raises_and_spans_are_valid(noise: str, core: str) -> None:
    text = normalize(noise + core + noise)
    matches = MATCHER.match(text)
    assert matches == sorted(matches, key=lambda m: (m.start, -m.end))
    for m in matches:
        assert 0 <= m.start < m.end <= len(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("さて、気になるのはiPhone 17の発表日", True),
        ("任天堂「Switch 2」は6月5日発売", True),
        ("갤럭시 Switch 2를 공개했다", True),
        ("iPhone 170の発表", False),  # a digit still extends the number
    ],
)
def test_unspaced_scripts_are_token_boundaries(text: str, expected: bool) -> None:
    matcher = Matcher([watch("iPhone 17", "iPhone 17"), watch("Switch 2", "Switch 2")])
    assert bool(names(text, matcher)) is expected
